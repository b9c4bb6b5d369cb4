/*
 * apic_irq.c: interrupt delivery by the local APIC (SDM Vol. 3, 11.5-11.8):
 * self-IPIs, task priority, priority order and nesting, EOI, level-triggered
 * IPIs and I/O APIC pins, illegal vectors and ESR, NMI.
 * Options: mode=xapic|x2apic (default xapic), cpus=N (default 1).
 *
 * Vectors are chosen by priority class (vector bits 7:4) so that every
 * ordering check has one right answer.
 */
#include "vmm/exit/hypercall.h"
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"

#include "vmm/lib/string.h"

#define VEC_SELF 0x40 /* self-IPI, each way of sending it */
#define VEC_PHYS 0x41
#define VEC_SELF_MSR 0x43
#define VEC_TPR_LOW 0x45 /* class 4 */
#define VEC_TPR_EQ 0x55  /* class 5 */
#define VEC_TPR_HIGH 0x65
#define TPR_CLASS5 0x50
#define TPR_CLASS4 0x40
#define VEC_NEST 0x60 /* in service while 0x58, 0x68, 0x78 arrive */
#define VEC_NEST_LOW 0x58
#define VEC_NEST_SAME 0x68
#define VEC_NEST_HIGH 0x78
#define VEC_EOI_LOW 0x50
#define VEC_EOI_HIGH 0x70
#define VEC_LEVEL 0x80
#define VEC_IOAPIC 0x4a
#define VEC_UART 0x4c
#define UART_IRQ 4 /* COM1 is ISA IRQ 4; the MADT has no override for it */
#define UART_IER (COM1_PORT + 1)
#define UART_IIR (COM1_PORT + 2)
#define UART_MCR (COM1_PORT + 4)
#define UART_IER_ETBEI 0x02
#define UART_IIR_THRE 0x02
#define UART_MCR_OUT2 0x08
#define VEC_ILLEGAL 3     /* vectors 0-15 are illegal (SDM Vol. 3, 11.5.2) */
#define VEC_ILLEGAL_MSR 5 /* through the SELF IPI MSR */

#define CLASS(v) ((v)&0xf0u)
#define IOAPIC_TEST_PIN 10 /* no ISA device uses IRQ 10 */

static bool send_phys(uint8_t vector) { return apic_send_ipi(apic_id(), APIC_ICR_DM_FIXED | vector); }

static bool send_self_msr(uint8_t vector)
{
	wrmsr(APIC_X2APIC_MSR(APIC_REG_SELF_IPI), vector);
	return true;
}

/* ---- Self-IPI ---- */

static struct {
	bool isr, irr, isr_after;
	uint32_t ppr;
} in_self;

static void self_handler(uint8_t v)
{
	in_self.isr = apic_vector_bit(APIC_REG_ISR0, v);
	in_self.irr = apic_vector_bit(APIC_REG_IRR0, v);
	in_self.ppr = apic_read(APIC_REG_PPR);
	apic_eoi();
	in_self.isr_after = apic_vector_bit(APIC_REG_ISR0, v);
}

static void self_ipi_case(const char *how, uint8_t vec, bool (*send)(uint8_t))
{
	bool sent;

	cli();
	irq_reset();
	memset(&in_self, 0, sizeof(in_self));
	irq_set_handler(vec, self_handler);
	sent = send(vec);
	if (!suite.x2apic) /* x2APIC has no delivery status (SDM Vol. 3, 11.12.9) */
		expect_eqf(sent, true, "%s: delivery status back to idle", how);
	expect_eqf(apic_vector_bit(APIC_REG_IRR0, vec), true, "%s: IRR bit set while interrupts are off", how);
	expect_eqf(apic_vector_bit(APIC_REG_ISR0, vec), false, "%s: ISR bit clear before delivery", how);
	sti();
	irq_wait(0, vec, 1, suite_wait_ticks());
	suite_settle();
	cli();
	expect_eqf(irq_count(0, vec), 1, "%s: the handler ran once", how);
	expect_eqf(in_self.isr, true, "%s: ISR bit set in the handler", how);
	expect_eqf(in_self.irr, false, "%s: IRR bit clear in the handler", how);
	expect_eqf(in_self.ppr, CLASS(vec), "%s: PPR is the vector's class in the handler", how);
	expect_eqf(in_self.isr_after, false, "%s: EOI clears the ISR bit", how);
}

static void check_self_ipi(void)
{
	apic_section("self-IPI (SDM Vol. 3, 11.6.1, 11.12.11)");
	self_ipi_case("ICR self shorthand", VEC_SELF, apic_send_self);
	self_ipi_case("ICR to own APIC ID", VEC_PHYS, send_phys);
	if (suite.x2apic)
		self_ipi_case("SELF IPI MSR", VEC_SELF_MSR, send_self_msr);
}

/* ---- Task priority ---- */

static void check_tpr(void)
{
	apic_section("task priority (SDM Vol. 3, 11.8.3.1)");
	cli();
	irq_reset();
	irq_set_handler(VEC_TPR_LOW, irq_handler_eoi);
	irq_set_handler(VEC_TPR_EQ, irq_handler_eoi);
	irq_set_handler(VEC_TPR_HIGH, irq_handler_eoi);
	apic_write(APIC_REG_TPR, TPR_CLASS5);
	sti();
	apic_send_self(VEC_TPR_LOW);
	apic_send_self(VEC_TPR_EQ);
	suite_settle();
	expect_eq("TPR 0x50 holds vector 0x45 (class 4)", irq_count(0, VEC_TPR_LOW), 0);
	expect_eq("TPR 0x50 holds vector 0x55 (class 5, not above)", irq_count(0, VEC_TPR_EQ), 0);
	expect_eq("held vector 0x45 waits in IRR", apic_vector_bit(APIC_REG_IRR0, VEC_TPR_LOW), true);
	expect_eq("held vector 0x55 waits in IRR", apic_vector_bit(APIC_REG_IRR0, VEC_TPR_EQ), true);
	expect_eq("PPR is TPR 0x50", apic_read(APIC_REG_PPR), TPR_CLASS5);
	apic_send_self(VEC_TPR_HIGH);
	irq_wait(0, VEC_TPR_HIGH, 1, suite_wait_ticks());
	expect_eq("TPR 0x50 lets vector 0x65 (class 6) through", irq_count(0, VEC_TPR_HIGH), 1);
	apic_write(APIC_REG_TPR, TPR_CLASS4);
	irq_wait(0, VEC_TPR_EQ, 1, suite_wait_ticks());
	expect_eq("TPR lowered to 0x40: 0x55 delivered", irq_count(0, VEC_TPR_EQ), 1);
	expect_eq("TPR 0x40 still holds 0x45", irq_count(0, VEC_TPR_LOW), 0);
	apic_write(APIC_REG_TPR, 0);
	irq_wait(0, VEC_TPR_LOW, 1, suite_wait_ticks());
	expect_eq("TPR lowered to 0: 0x45 delivered", irq_count(0, VEC_TPR_LOW), 1);
	cli();
	guest_puts("# CR8 not checked: it exists in 64-bit mode only and this guest runs in 32-bit mode\n");
}

/* ---- Priority order, nesting, EOI ---- */

static void check_log(const char *what, const uint8_t *want, unsigned n)
{
	uint8_t got[IRQ_LOG_MAX];
	unsigned len = irq_log(0, got, IRQ_LOG_MAX);

	guest_printf("# %s: delivered", what);
	for (unsigned i = 0; i < len; i++)
		guest_printf(" %#x", got[i]);
	guest_puts("\n");
	expect_eqf(len, n, "%s: %u deliveries", what, n);
	for (unsigned i = 0; i < n && i < len; i++)
		expect_eqf(got[i], want[i], "%s: delivery %u is vector %#x", what, i + 1, want[i]);
}

static void check_priority(void)
{
	static const uint8_t sent[] = {0x31, 0x92, 0x61, 0x95, 0x62, 0xe0};
	static const uint8_t want[] = {0xe0, 0x95, 0x92, 0x62, 0x61, 0x31};

	apic_section("priority order (SDM Vol. 3, 11.8.3)");
	cli();
	irq_reset();
	for (unsigned i = 0; i < sizeof(sent); i++) {
		irq_set_handler(sent[i], irq_handler_eoi);
		apic_send_self(sent[i]);
	}
	sti();
	irq_wait(0, 0x31, 1, suite_wait_ticks());
	cli();
	check_log("six pending vectors", want, sizeof(want));
}

static struct {
	uint32_t low, same, high;
	bool outer_in_service;
} nest;

/* In service at class 6: only a higher class may interrupt it. */
static void nest_outer(uint8_t v)
{
	(void)v;
	sti();
	apic_send_self(VEC_NEST_LOW);
	apic_send_self(VEC_NEST_SAME);
	apic_send_self(VEC_NEST_HIGH);
	tsc_delay(SUITE_SETTLE_TICKS);
	cli();
	nest.low = irq_count(0, VEC_NEST_LOW);
	nest.same = irq_count(0, VEC_NEST_SAME);
	nest.high = irq_count(0, VEC_NEST_HIGH);
	apic_eoi();
}

static void nest_inner(uint8_t v)
{
	(void)v;
	nest.outer_in_service = apic_vector_bit(APIC_REG_ISR0, VEC_NEST);
	apic_eoi();
}

static void check_nesting(void)
{
	static const uint8_t want[] = {VEC_NEST, VEC_NEST_HIGH, VEC_NEST_SAME, VEC_NEST_LOW};

	apic_section("nesting (SDM Vol. 3, 11.8.3)");
	cli();
	irq_reset();
	memset(&nest, 0, sizeof(nest));
	irq_set_handler(VEC_NEST, nest_outer);
	irq_set_handler(VEC_NEST_HIGH, nest_inner);
	irq_set_handler(VEC_NEST_SAME, irq_handler_eoi);
	irq_set_handler(VEC_NEST_LOW, irq_handler_eoi);
	apic_send_self(VEC_NEST);
	sti();
	irq_wait(0, VEC_NEST_LOW, 1, suite_wait_ticks());
	cli();
	expect_eq("inside 0x60: 0x78 (higher class) nests", nest.high, 1);
	expect_eq("inside 0x60: 0x68 (same class) waits for the EOI", nest.same, 0);
	expect_eq("inside 0x60: 0x58 (lower class) waits", nest.low, 0);
	expect_true("0x60 stays in service while 0x78 runs", nest.outer_in_service);
	check_log("nesting", want, sizeof(want));
}

static struct {
	bool low_in, high_in, low_after1, high_after1, low_after2;
	uint32_t ppr_both, ppr_after1;
} eo;

/* Leaves 0x70 in service (its handler sends no EOI), then EOIs twice. */
static void eoi_outer(uint8_t v)
{
	(void)v;
	sti();
	apic_send_self(VEC_EOI_HIGH);
	irq_wait(0, VEC_EOI_HIGH, 1, SUITE_SETTLE_TICKS);
	cli();
	eo.low_in = apic_vector_bit(APIC_REG_ISR0, VEC_EOI_LOW);
	eo.high_in = apic_vector_bit(APIC_REG_ISR0, VEC_EOI_HIGH);
	eo.ppr_both = apic_read(APIC_REG_PPR);
	apic_eoi();
	eo.low_after1 = apic_vector_bit(APIC_REG_ISR0, VEC_EOI_LOW);
	eo.high_after1 = apic_vector_bit(APIC_REG_ISR0, VEC_EOI_HIGH);
	eo.ppr_after1 = apic_read(APIC_REG_PPR);
	apic_eoi();
	eo.low_after2 = apic_vector_bit(APIC_REG_ISR0, VEC_EOI_LOW);
}

static void check_eoi_order(void)
{
	apic_section("EOI order (SDM Vol. 3, 11.8.5)");
	cli();
	irq_reset();
	memset(&eo, 0, sizeof(eo));
	irq_set_handler(VEC_EOI_LOW, eoi_outer);
	irq_set_handler(VEC_EOI_HIGH, irq_handler_none);
	apic_send_self(VEC_EOI_LOW);
	sti();
	irq_wait(0, VEC_EOI_LOW, 1, suite_wait_ticks());
	suite_settle();
	cli();
	expect_true("two in service: ISR 0x50 and 0x70 set", eo.low_in && eo.high_in);
	expect_eq("PPR is 0x70 with both in service", eo.ppr_both, CLASS(VEC_EOI_HIGH));
	expect_eq("first EOI ends 0x70, the highest in service", eo.high_after1, false);
	expect_eq("first EOI leaves 0x50 in service", eo.low_after1, true);
	expect_eq("PPR drops to 0x50", eo.ppr_after1, CLASS(VEC_EOI_LOW));
	expect_eq("second EOI ends 0x50", eo.low_after2, false);
}

/* ---- Level-triggered interrupts ---- */

static struct {
	bool tmr, isr_after;
	bool keep_asserted; /* leave the I/O APIC line high across the next EOI */
	uint32_t rte;
} lvl;

/*
 * Drive I/O APIC pin `pin` of this guest (true: asserted) through the test
 * device's hypercall (docs/hypercalls.md, HC_IOAPIC_LINE). Returns false
 * where there is none (VMCALL faults, or an unknown call: not apicvisor).
 */
static bool raise_test_irq(unsigned pin, bool asserted)
{
	uint32_t ret;

	return vmcall_safe(HC_IOAPIC_LINE, pin, asserted, 0, &ret) == -1 && ret == 0;
}

static void level_handler(uint8_t v)
{
	lvl.tmr = apic_vector_bit(APIC_REG_TMR0, v);
	lvl.rte = v == VEC_IOAPIC ? ioapic_read(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN)) : 0;
	/* As a device's handler does: quiet the device first, then EOI (else the level pin fires again). */
	if (v == VEC_IOAPIC && !lvl.keep_asserted)
		raise_test_irq(IOAPIC_TEST_PIN, false);
	if (v == VEC_IOAPIC && lvl.keep_asserted)
		lvl.keep_asserted = false; /* the first EOI comes with the line still high: it must fire again */
	apic_eoi();
	lvl.isr_after = apic_vector_bit(APIC_REG_ISR0, v);
}

static void check_level_ipi(void)
{
	apic_section("level-triggered IPI (SDM Vol. 3, 11.6.1 and Table 11-2, note 2)");
	cli();
	irq_reset();
	memset(&lvl, 0, sizeof(lvl));
	irq_set_handler(VEC_LEVEL, level_handler);
	apic_send_ipi(apic_id(), APIC_ICR_DM_FIXED | APIC_ICR_TRIGGER_LEVEL | APIC_ICR_LEVEL_ASSERT | VEC_LEVEL);
	sti();
	irq_wait(0, VEC_LEVEL, 1, suite_wait_ticks());
	suite_settle();
	cli();
	expect_eq("level-mode fixed IPI delivered once", irq_count(0, VEC_LEVEL), 1);
	expect_eq("issued as edge: TMR bit clear in the handler", lvl.tmr, false);
	expect_eq("EOI clears its ISR bit", lvl.isr_after, false);
}

/* A level pin: TMR set, remote IRR set until the EOI (82093AA, 3.2.4). */
static uint8_t uart_iir_seen;

static void uart_handler(uint8_t v)
{
	(void)v;
	uart_iir_seen = inb(UART_IIR); /* reading IIR with THRE shown ends that interrupt */
	apic_eoi();
}

/* COM1 raises ISA IRQ 4 through the I/O APIC when its transmitter is empty (PC16550D, IER bit 1). */
static void check_uart_interrupt(void)
{
	apic_section("COM1 interrupt through I/O APIC pin 4 (PC16550D datasheet)");
	cli();
	irq_reset();
	uart_iir_seen = 0;
	irq_set_handler(VEC_UART, uart_handler);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_HI(UART_IRQ), apic_id() << 24);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(UART_IRQ), VEC_UART); /* edge, active high, fixed */
	uint8_t mcr = inb(UART_MCR);
	outb(UART_MCR, mcr | UART_MCR_OUT2);
	outb(UART_IER, UART_IER_ETBEI); /* the holding register is empty: the interrupt is due now */
	sti();
	irq_wait(0, VEC_UART, 1, suite_wait_ticks());
	cli();
	outb(UART_IER, 0); /* quiet before printing: each byte written would raise it again */
	outb(UART_MCR, mcr);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(UART_IRQ), (uint32_t)IOAPIC_RTE_MASKED);
	expect_eq("COM1 THR-empty interrupt delivered once", irq_count(0, VEC_UART), 1);
	expect_eq("its handler read IIR = THR empty", uart_iir_seen & 0x0f, UART_IIR_THRE);
}

static void check_ioapic_level(void)
{
	const uint32_t rte = VEC_IOAPIC | IOAPIC_RTE_LEVEL;

	apic_section("level-triggered I/O APIC pin (82093AA datasheet, 3.2.4)");
	irq_reset();
	memset(&lvl, 0, sizeof(lvl));
	irq_set_handler(VEC_IOAPIC, level_handler);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_HI(IOAPIC_TEST_PIN), 0);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN), rte);
	if (!raise_test_irq(IOAPIC_TEST_PIN, true)) {
		guest_printf(
		        "# %s: level interrupts through the I/O APIC skipped: raise_test_irq() has no source yet\n",
		        suite.name);
		ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN), (uint32_t)IOAPIC_RTE_MASKED);
		return;
	}
	sti();
	irq_wait(0, VEC_IOAPIC, 1, suite_wait_ticks());
	raise_test_irq(IOAPIC_TEST_PIN, false);
	cli();
	expect_eq("I/O APIC level pin: delivered once", irq_count(0, VEC_IOAPIC), 1);
	expect_eq("I/O APIC level pin: TMR set", lvl.tmr, true);
	expect_eq("I/O APIC level pin: remote IRR set before the EOI", lvl.rte & IOAPIC_RTE_REMOTE_IRR,
	          IOAPIC_RTE_REMOTE_IRR);
	expect_eq("I/O APIC level pin: the EOI clears remote IRR",
	          ioapic_read(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN)) & IOAPIC_RTE_REMOTE_IRR, 0);
	/* An EOI while the line is still asserted sends the interrupt again (82093AA, 3.2.4). */
	irq_reset();
	lvl.keep_asserted = true;
	raise_test_irq(IOAPIC_TEST_PIN, true);
	sti();
	irq_wait(0, VEC_IOAPIC, 2, suite_wait_ticks());
	cli();
	expect_eq("I/O APIC level pin: still asserted at the EOI, delivered again", irq_count(0, VEC_IOAPIC), 2);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN), (uint32_t)IOAPIC_RTE_MASKED);
}

/* ---- Errors ---- */

static void open_window(void *arg)
{
	(void)arg;
	sti();
	tsc_delay(SUITE_SETTLE_TICKS);
	cli();
}

/* The MADT lists APIC IDs 0..n-1: n is nobody's (1 without a MADT). */
static uint32_t unused_apic_id(void) { return suite.madt.cpus ? suite.madt.cpus : 1; }

/* Write ESR, then read it: the errors since the previous write (SDM Vol. 3, 11.5.3). */
static uint32_t esr_latch(void)
{
	apic_write(APIC_REG_ESR, 0);
	return apic_read(APIC_REG_ESR);
}

static void check_errors(void)
{
	const uint32_t illegal = APIC_ESR_SEND_ILLEGAL_VECTOR | APIC_ESR_RECV_ILLEGAL_VECTOR;
	uint32_t esr;

	apic_section("illegal vectors and ESR (SDM Vol. 3, 11.5.3)");
	cli();
	irq_reset();
	expect_eq("ESR 0 after a write", esr_latch(), 0);
	apic_send_self(VEC_ILLEGAL);
	esr = esr_latch();
	guest_printf("# ESR after a self-IPI with vector 3: %#x\n", esr);
	expect_eq("self-IPI vector 3: send illegal vector", esr & APIC_ESR_SEND_ILLEGAL_VECTOR,
	          APIC_ESR_SEND_ILLEGAL_VECTOR);
	expect_eq("self-IPI vector 3: receive illegal vector", esr & APIC_ESR_RECV_ILLEGAL_VECTOR,
	          APIC_ESR_RECV_ILLEGAL_VECTOR);
	expect_eq("IRR bits 0-15 stay clear", apic_read(APIC_REG_IRR0) & 0xffff, 0);
	if (!expect_fault("vector 3 is never delivered", guest_catch(open_window, NULL), GUEST_NO_FAULT))
		apic_eoi(); /* it was: end it, or it stays in service */
	expect_eq("LVT error interrupt delivered once", irq_count(0, SUITE_VEC_ERROR), 1);
	expect_eq("ESR 0 again at the next write", esr_latch(), 0);
	apic_send_ipi(unused_apic_id(), APIC_ICR_DM_FIXED | VEC_ILLEGAL);
	esr = esr_latch();
	expect_eq("IPI vector 3 to another APIC ID: send error only", esr & illegal, APIC_ESR_SEND_ILLEGAL_VECTOR);
	if (suite.x2apic) {
		send_self_msr(VEC_ILLEGAL_MSR);
		esr = esr_latch();
		expect_eq("SELF IPI MSR vector 5: receive illegal vector", esr & APIC_ESR_RECV_ILLEGAL_VECTOR,
		          APIC_ESR_RECV_ILLEGAL_VECTOR);
	}
	open_window(NULL);
	esr_latch();
}

/* ---- NMI ---- */

static void check_nmi(void)
{
	bool sent;

	apic_section("NMI (SDM Vol. 3, 11.6.1)");
	cli();
	irq_reset();
	sent = apic_send_ipi(apic_id(), APIC_ICR_DM_NMI);
	if (!suite.x2apic)
		expect_eq("NMI to own APIC ID: delivery status back to idle", sent, true);
	irq_wait(0, APIC_NMI_VECTOR, 1, suite_wait_ticks());
	expect_eq("NMI handler (vector 2) ran once with interrupts off", irq_count(0, APIC_NMI_VECTOR), 1);
	expect_eq("nothing in service after an NMI (PPR 0)", apic_read(APIC_REG_PPR), 0);
	guest_puts("# NMI with the self shorthand is an invalid ICR combination (SDM Vol. 3, Table 11-2): not sent\n");
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("apic_irq", "interrupt delivery by the local APIC", mbi);
	apic_suite_enter_mode();
	apic_suite_setup();
	check_self_ipi();
	check_tpr();
	check_priority();
	check_nesting();
	check_eoi_order();
	check_level_ipi();
	check_ioapic_level();
	check_uart_interrupt();
	check_errors();
	check_nmi();
	if (!expect_eq("no stray interrupts", irq_stray(0), 0))
		guest_printf("# the last stray vector: %#x\n", irq_stray_vector(0));
	guest_finish();
}
