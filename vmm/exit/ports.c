/* ports.c: the guest's I/O ports: COM1's 16550, the exit port, the ACPI sleep and reset registers, the PIC; the rest
 * reads all ones. */
#include "vmm/exit/ports.h"

#include "arch/x86/acpi.h"
#include "arch/x86/vmcs.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_log.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/vdev/vuart.h"

#define COM1_BASE 0x3f8
#define COM1_END 0x3ff
#define COM1_IRQ 4
#define EXIT_PORT 0xf4 /* QEMU isa-debug-exit semantics */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

/* One port access; value holds the low `size` bytes of EAX. */
struct io_access {
	uint16_t port;
	unsigned size;
	bool in;
	uint32_t value;
};

/* COM1: the 16550A model; its interrupt line is ISA IRQ 4, I/O APIC pin 4 (no override in the MADT). */
static void uart(struct vcpu *v, struct io_access *a)
{
	struct guest *g = v->guest;
	enum vuart_reg reg = (enum vuart_reg)(a->port - COM1_BASE);
	uint8_t tx = 0;
	bool sent = false;

	spin_lock(&g->lock);
	if (a->in)
		a->value = vuart_read(&g->uart, reg);
	else
		sent = vuart_write(&g->uart, reg, (uint8_t)a->value, &tx);
	bool line = vuart_irq(&g->uart);
	spin_unlock(&g->lock);
	if (sent)
		guest_uart_putc(g, tx);
	irq_ioapic_line(g, COM1_IRQ, line);
}

bool ports_com1_input(struct guest *g, uint8_t byte)
{
	spin_lock(&g->lock);
	bool taken = g->state != GUEST_STOPPED && vuart_input(&g->uart, byte);
	bool line = vuart_irq(&g->uart);
	spin_unlock(&g->lock);
	irq_ioapic_line(g, COM1_IRQ, line);
	return taken;
}

/*
 * The sleep control register (ACPI 6.5, 4.8.3.7): SLP_EN with the S5 type of
 * the DSDT's \_S5 powers the guest off. The platform has no other sleeping
 * state (the DSDT names none): another type is ignored, said once per start,
 * and WAK_STS is set as if a wake event had come at once, so that an OS
 * that waits for the wake (4.8.3.8) goes on.
 */
static enum exit_action sleep_control(struct vcpu *v, uint8_t value)
{
	struct guest *g = v->guest;
	uint8_t typ = (value & ACPI_SLEEP_CTL_SLP_TYP_MASK) >> ACPI_SLEEP_CTL_SLP_TYP_SHIFT;

	spin_lock(&g->lock);
	g->sleep_typ = typ; /* SLP_TYP reads back; SLP_EN is write-only */
	bool sleep = (value & ACPI_SLEEP_CTL_SLP_EN) && typ != GUEST_ACPI_SLP_TYP_S5;
	bool said = g->sleep_typ_said;
	if (sleep) {
		g->sleep_status |= ACPI_SLEEP_STS_WAK_STS;
		g->sleep_typ_said = true;
	}
	spin_unlock(&g->lock);
	if ((value & ACPI_SLEEP_CTL_SLP_EN) && typ == GUEST_ACPI_SLP_TYP_S5) {
		guest_stop(g, "powered off (ACPI S5 through the sleep control register)", 0);
		return EXIT_STOPPED;
	}
	if (sleep && !said)
		pr_info("guest %s: sleep type %u through the sleep control register: no such state (S5 is type %u); "
		        "ignored, WAK_STS set (said once per start)",
		        g->name, typ, GUEST_ACPI_SLP_TYP_S5);
	return EXIT_RESUME;
}

/* The sleep and reset registers, 8 bits each (guest_layout.h); a wider access uses its low byte. */
static enum exit_action acpi_port(struct vcpu *v, struct io_access *a)
{
	struct guest *g = v->guest;

	if (a->port == GUEST_ACPI_SLEEP_CONTROL_PORT && !a->in)
		return sleep_control(v, (uint8_t)a->value);
	spin_lock(&g->lock);
	if (a->port == GUEST_ACPI_SLEEP_CONTROL_PORT)
		a->value = (uint32_t)g->sleep_typ << ACPI_SLEEP_CTL_SLP_TYP_SHIFT;
	else if (a->port == GUEST_ACPI_SLEEP_STATUS_PORT && a->in)
		a->value = g->sleep_status;
	else if (a->port == GUEST_ACPI_SLEEP_STATUS_PORT)
		g->sleep_status &= (uint8_t) ~(a->value & ACPI_SLEEP_STS_WAK_STS); /* write 1 to clear */
	else if (a->in)
		a->value = 0; /* RESET_REG: nothing to read */
	spin_unlock(&g->lock);
	if (a->port == GUEST_ACPI_RESET_PORT && !a->in && (uint8_t)a->value == GUEST_ACPI_RESET_VALUE) {
		guest_reboot(g, "reboot (ACPI reset register)");
		return EXIT_STOPPED;
	}
	return EXIT_RESUME;
}

/* Returns EXIT_STOPPED for a write to the exit port, which ends the guest. */
static enum exit_action port_access(struct vcpu *v, struct io_access *a)
{
	char why[64];

	if (a->port >= COM1_BASE && a->port <= COM1_END) {
		uart(v, a);
	} else if (a->port >= GUEST_ACPI_SLEEP_CONTROL_PORT && a->port <= GUEST_ACPI_RESET_PORT) {
		return acpi_port(v, a);
	} else if (a->port == EXIT_PORT && !a->in) {
		hv_snprintf(why, sizeof(why), "exited with status %u", a->value);
		guest_stop(v->guest, why, a->value);
		return EXIT_STOPPED;
	} else if (a->in) {
		/* The PIC's mask registers and every absent device read all ones. */
		a->value = 0xffffffffu;
	} else if (a->port != PIC1_CMD && a->port != PIC1_DATA && a->port != PIC2_CMD && a->port != PIC2_DATA) {
		guest_log(v->guest, GUEST_LOG_PORT_NO_DEVICE, "io: guest %s wrote %#x to port %#x: no device; ignored",
		          v->guest->name, a->value, a->port);
	}
	return EXIT_RESUME;
}

enum exit_action handle_io(struct vcpu *v, const struct exit_info *e)
{
	struct io_access a = {
	        .port = (uint16_t)(e->qualification >> IO_QUAL_PORT_SHIFT),
	        .size = (unsigned)(e->qualification & IO_QUAL_SIZE_MASK) + 1,
	        .in = (e->qualification & IO_QUAL_IN) != 0,
	        .value = (uint32_t)v->regs.rax,
	};
	uint32_t mask = a.size == 4 ? 0xffffffffu : (1u << (8 * a.size)) - 1;

	if (e->qualification & (IO_QUAL_STRING | IO_QUAL_REP)) {
		char why[80];
		hv_snprintf(why, sizeof(why), "string I/O (INS/OUTS) on port %#x, which apicvisor does not emulate",
		            a.port);
		guest_stop(v->guest, why, 0);
		return EXIT_STOPPED;
	}
	a.value &= mask;
	enum exit_action act = port_access(v, &a);
	if (act != EXIT_RESUME)
		return act;
	if (a.in)
		v->regs.rax = (v->regs.rax & ~(uint64_t)mask) | (a.value & mask);
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}
