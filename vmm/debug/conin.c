/* conin.c: serial input: from the host's console UART to the guest that has the console, or to the shell. */
#include "vmm/debug/conin.h"

#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "arch/x86/madt.h"
#include "arch/x86/trap.h"
#include "vmm/core/console.h"
#include "vmm/core/cpus.h"
#include "vmm/core/percpu.h"
#include "vmm/core/vectors.h"
#include "vmm/debug/conin_esc.h"
#include "vmm/debug/shell.h"
#include "vmm/exit/ports.h"
#include "vmm/partition/guest.h"

#define CONIN_CPU 0 /* the core that takes the UART's interrupt */

static struct {
	struct guest *owner; /* whose COM1 receives what is typed; NULL: the shell's */
	bool polled;
	uint32_t lost; /* bytes the owner could not take (stopped, or its FIFO full) */
	struct conin_esc esc;
} in;

static void to_owner(uint8_t byte)
{
	if (!in.owner) {
		shell_input(byte);
		return;
	}
	if (ports_com1_input(in.owner, byte))
		return;
	/* One warning, not one per byte: a paste into a full FIFO would flood the console. */
	if (in.lost++ == 0)
		pr_warn("console: guest %s could not take typed input (stopped, or its receive FIFO full): dropped",
		        in.owner->name);
}

struct guest *conin_owner(void) { return in.owner; }

static void give_to(struct guest *g)
{
	in.owner = g;
	in.lost = 0;
	if (!g) {
		console_printf_raw("\n[console] input goes to the hypervisor shell (Ctrl-] then a guest's number gives "
		                   "it back)\n");
		shell_enter();
		return;
	}
	console_printf_raw(
	        "\n[console] input goes to guest %u %s (its COM1); Ctrl-] h: the shell, Ctrl-] ?: the keys\n", g->id,
	        g->name);
}

static void escape_help(void)
{
	console_printf_raw("\n[console] Ctrl-] then: h the shell, 0-9 that guest, n the next guest, Ctrl-] a literal "
	                   "Ctrl-], ? this help; input now goes to %s\n",
	                   in.owner ? in.owner->name : "the shell");
}

/* Every typed byte: the switch's escape first (vmm/debug/conin_esc.c), then the console's owner. */
static void conin_byte(uint8_t byte)
{
	uint8_t deliver = 0;
	unsigned id = 0;
	uint32_t n = guests_count();

	switch (conin_esc_feed(&in.esc, byte, &deliver, &id)) {
	case CONIN_ESC_DELIVER: to_owner(deliver); break;
	case CONIN_ESC_PENDING: break;
	case CONIN_ESC_SHELL: give_to(NULL); break;
	case CONIN_ESC_GUEST:
		if (id < n)
			give_to(guest_by_id(id));
		else
			console_printf_raw("\n[console] no guest %u (there are %u); input still goes to %s\n", id, n,
			                   in.owner ? in.owner->name : "the shell");
		break;
	case CONIN_ESC_NEXT:
		if (!n)
			give_to(NULL);
		else
			give_to(guest_by_id(in.owner ? (in.owner->id + 1) % n : 0));
		break;
	case CONIN_ESC_HELP: escape_help(); break;
	case CONIN_ESC_UNKNOWN:
		console_printf_raw("\n[console] Ctrl-] %#x: not a console key (Ctrl-] ? lists them); dropped\n", byte);
		break;
	}
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
	console_rx_start(conin_byte, !in.polled);
	if (in.polled)
		pr_info("console: input is polled while CPU %u waits (no I/O APIC route for the console's UART)",
		        CONIN_CPU);
	else
		pr_info("console: input by interrupt: ISA IRQ %d, GSI %u, vector %#x on CPU %u", irq, gsi,
		        HV_VECTOR_CONSOLE, CONIN_CPU);
	if (in.owner)
		pr_info("console: typed input goes to guest %s (its COM1); Ctrl-] h switches to the shell",
		        in.owner->name);
	else
		pr_info("console: typed input goes to the shell (no guests)");
}

bool conin_polled_here(void) { return in.polled && this_cpu()->cpu_id == CONIN_CPU; }

void conin_poll(void)
{
	if (conin_polled_here())
		console_rx_poll();
}
