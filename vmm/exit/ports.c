/* ports.c: the guest's I/O ports: a 16550 on COM1, the exit port, the legacy PIC; the rest reads all ones. */
#include "vmm/exit/ports.h"

#include "arch/x86/vmcs.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"
#include "vmm/partition/guest.h"
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

/* Returns EXIT_STOPPED for a write to the exit port, which ends the guest. */
static enum exit_action port_access(struct vcpu *v, struct io_access *a)
{
	char why[64];

	if (a->port >= COM1_BASE && a->port <= COM1_END) {
		uart(v, a);
	} else if (a->port == EXIT_PORT && !a->in) {
		hv_snprintf(why, sizeof(why), "exited with status %u", a->value);
		guest_stop(v->guest, why, a->value);
		return EXIT_STOPPED;
	} else if (a->in) {
		/* The PIC's mask registers and every absent device read all ones. */
		a->value = 0xffffffffu;
	} else if (a->port != PIC1_CMD && a->port != PIC1_DATA && a->port != PIC2_CMD && a->port != PIC2_DATA) {
		pr_debug("io: guest %s wrote %#x to port %#x: no device; ignored", v->guest->name, a->value, a->port);
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
