/* conin.c: serial input: from the host's console UART to the guest that owns the console. */
#include "vmm/conin.h"

#include "arch/x86/ioapic.h"
#include "arch/x86/madt.h"
#include "arch/x86/trap.h"
#include "lapic/lapic.h"
#include "vmm/console.h"
#include "vmm/cpus.h"
#include "vmm/guest.h"
#include "vmm/percpu.h"
#include "vmm/vio.h"

#define CONIN_CPU 0 /* the core that takes the UART's interrupt */

static struct {
	struct guest *owner; /* whose COM1 receives what is typed; NULL: nobody's */
	bool polled;
	uint32_t lost; /* bytes the owner could not take (stopped, or its FIFO full) */
} in;

static void to_owner(uint8_t byte)
{
	if (!in.owner || vio_uart_input(in.owner, byte))
		return;
	/* One warning, not one per byte: a paste into a full FIFO would flood the console. */
	if (in.lost++ == 0)
		pr_warn("console: guest %s could not take typed input (stopped, or its receive FIFO full): dropped",
		        in.owner->name);
}

static void console_interrupt(struct trap_frame *f)
{
	(void)f;
	console_rx_poll();
	lapic_eoi();
}

/* The console UART's ISA line, through the MADT's overrides, to HV_VECTOR_CONSOLE on CONIN_CPU. */
static bool route_irq(int irq, uint32_t *gsi)
{
	struct madt_isa_irq route;

	if (irq < 0 || !cpus_isa_irq((unsigned)irq, &route))
		return false;
	*gsi = route.gsi;
	return ioapic_route(route.gsi, HV_VECTOR_CONSOLE, per_cpu(CONIN_CPU)->apic_id, route.level, route.active_low);
}

void conin_start(void)
{
	int irq = console_isa_irq();
	uint32_t gsi = 0;

	in.owner = guests_count() ? guest_by_id(0) : NULL;
	trap_set_handler(HV_VECTOR_CONSOLE, console_interrupt);
	in.polled = !route_irq(irq, &gsi);
	console_rx_start(to_owner, !in.polled);
	if (in.polled)
		pr_info("console: input is polled while CPU %u waits (no I/O APIC route for the console's UART)",
		        CONIN_CPU);
	else
		pr_info("console: input by interrupt: ISA IRQ %d, GSI %u, vector %#x on CPU %u", irq, gsi,
		        HV_VECTOR_CONSOLE, CONIN_CPU);
	if (in.owner)
		pr_info("console: typed input goes to guest %s (its COM1)", in.owner->name);
}

void conin_poll(void)
{
	if (in.polled && this_cpu()->cpu_id == CONIN_CPU)
		console_rx_poll();
}
