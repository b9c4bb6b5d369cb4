/*
 * ioapic_modes.c: the I/O APIC's delivery modes (82093AA datasheet, 3.2.4),
 * each pin driven by the test line of HC_IOAPIC_LINE: fixed (edge and
 * level), lowest priority, NMI (edge, and programmed level, which the
 * datasheet treats as edge), SMI, ExtINT and a reserved mode (not
 * delivered: no SMM, no 8259A behind the I/O APIC), and (cpus=2) NMI and
 * INIT to the other vCPU. The hypervisor says once per pin and entry that
 * it did not deliver SMI or ExtINT; the emulator test counts those lines.
 * Beside them, SMI by IPI, to itself and to all: not delivered either, and
 * said once for the vCPU however many it sends.
 * Options: mode=xapic|x2apic (default xapic), cpus=1|2 (default 1).
 *
 * Only vCPU 0 prints.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "vmm/exit/hypercall.h"

#define VEC_FIXED 0x61
#define VEC_LEVEL 0x62
#define VEC_LOWEST 0x63
#define VEC_IGNORED 0x64 /* in the entries whose mode ignores the vector: it must never arrive */
#define PIN_FIXED 10
#define PIN_LEVEL 11
#define PIN_LOWEST 12
#define PIN_NMI 13
#define PIN_SMI 14
#define PIN_EXTINT 15
#define PIN_RESERVED 16
#define PIN_NMI_AP 17
#define PIN_INIT_AP 18
#define DM_RESERVED 3u
#define TOGGLES 3 /* rising edges on a pin whose mode is not delivered: one message from the hypervisor */

static uint32_t rte_mode(uint32_t dm) { return dm << IOAPIC_RTE_DELIVERY_SHIFT; }

static void route(unsigned pin, uint32_t low, uint32_t apic_id)
{
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_HI(pin), apic_id << 24);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(pin), low);
}

static uint32_t rte_low(unsigned pin) { return ioapic_read(suite.ioapic_base, IOAPIC_RTE_LO(pin)); }

static void line(unsigned pin, bool asserted)
{
	uint32_t ret = 1;

	vmcall_safe(HC_IOAPIC_LINE, pin, asserted, 0, &ret);
	if (ret != 0)
		expect_eq("HC_IOAPIC_LINE answers 0", ret, 0);
}

static void edge(unsigned pin)
{
	line(pin, true);
	line(pin, false);
}

/* Long enough for what was sent to arrive; IF stays as it is. */
static void settle(void)
{
	bool on = (read_eflags() & EFLAGS_IF) != 0;

	for (unsigned i = 0; i < 8; i++) {
		if (!on)
			cli(); /* Bochs 2.7 takes host kicks in a spin only when it touches IF (platform notes) */
		tsc_delay(SUITE_SETTLE_TICKS / 8);
	}
}

static void level_handler(uint8_t v)
{
	line(PIN_LEVEL, false); /* quiet the device, then EOI, as a driver does */
	apic_eoi();
	(void)v;
}

static void check_fixed_and_lowest(uint32_t me)
{
	apic_section("fixed and lowest priority (82093AA datasheet, 3.2.4)");
	irq_reset();
	route(PIN_FIXED, VEC_FIXED, me);
	for (unsigned i = 0; i < 2; i++) { /* one at a time: two in IRR would be one */
		edge(PIN_FIXED);
		sti();
		settle();
		cli();
	}
	route(PIN_LEVEL, VEC_LEVEL | IOAPIC_RTE_LEVEL, me);
	line(PIN_LEVEL, true);
	route(PIN_LOWEST, VEC_LOWEST | rte_mode(IOAPIC_DM_LOWEST), me);
	edge(PIN_LOWEST);
	sti();
	settle();
	cli();
	expect_eq("fixed, edge: one interrupt per rising edge", irq_count(0, VEC_FIXED), 2);
	expect_eq("fixed, level: delivered once, then quieted", irq_count(0, VEC_LEVEL), 1);
	expect_eq("fixed, level: remote IRR clear after the EOI", rte_low(PIN_LEVEL) & IOAPIC_RTE_REMOTE_IRR, 0);
	expect_eq("lowest priority: delivered to the one vCPU it names", irq_count(0, VEC_LOWEST), 1);
}

static void check_nmi(uint32_t me)
{
	apic_section("NMI: edge-triggered whatever bit 15 says; the vector is ignored");
	irq_reset();
	route(PIN_NMI, VEC_IGNORED | rte_mode(IOAPIC_DM_NMI), me);
	line(PIN_NMI, true);
	settle();
	expect_eq("NMI entry: an NMI on the rising edge", irq_count(0, APIC_NMI_VECTOR), 1);
	line(PIN_NMI, true); /* still high: no edge */
	line(PIN_NMI, false);
	settle();
	expect_eq("NMI entry: nothing while the line stays high or falls", irq_count(0, APIC_NMI_VECTOR), 1);
	route(PIN_NMI, VEC_IGNORED | rte_mode(IOAPIC_DM_NMI) | IOAPIC_RTE_LEVEL, me);
	line(PIN_NMI, true);
	settle();
	expect_eq("NMI entry programmed level: one NMI on the rising edge", irq_count(0, APIC_NMI_VECTOR), 2);
	expect_eq("NMI entry programmed level: no remote IRR (no EOI will come)",
	          rte_low(PIN_NMI) & IOAPIC_RTE_REMOTE_IRR, 0);
	ioapic_write_eoi(suite.ioapic_base, VEC_IGNORED);
	settle();
	expect_eq("NMI entry programmed level: an EOI with its vector sends nothing again",
	          irq_count(0, APIC_NMI_VECTOR), 2);
	line(PIN_NMI, false);
	edge(PIN_NMI);
	settle();
	expect_eq("NMI entry programmed level: the next rising edge, the next NMI", irq_count(0, APIC_NMI_VECTOR), 3);
	expect_eq("NMI entries: their vector never arrived", irq_count(0, VEC_IGNORED), 0);
}

/* A mode the guest cannot be given: nothing arrives, the guest goes on; the hypervisor says so once per entry. */
static void not_delivered(const char *name, unsigned pin, uint32_t dm, uint32_t me)
{
	irq_reset();
	route(pin, VEC_IGNORED | rte_mode(dm), me);
	for (unsigned i = 0; i < TOGGLES; i++)
		edge(pin);
	route(pin, (VEC_IGNORED + 1) | rte_mode(dm) | IOAPIC_RTE_LEVEL, me); /* a new entry: said once more */
	for (unsigned i = 0; i < TOGGLES; i++)
		edge(pin);
	sti();
	settle();
	cli();
	expect_eqf(irq_count(0, VEC_IGNORED) + irq_count(0, VEC_IGNORED + 1), 0, "%s: no vector arrived", name);
	expect_eqf(irq_count(0, APIC_NMI_VECTOR), 0, "%s: no NMI arrived", name);
	expect_eqf(rte_low(pin) & IOAPIC_RTE_REMOTE_IRR, 0, "%s programmed level: no remote IRR", name);
	guest_printf("# %s: pin %u toggled %u times with each of two entries\n", name, pin, TOGGLES);
}

/* SMI by IPI: the same, said once for this vCPU (the emulator test counts the line). */
static void smi_ipis(uint32_t me)
{
	irq_reset();
	for (unsigned i = 0; i < TOGGLES; i++) {
		expect_true("an SMI IPI to itself is sent", apic_send_ipi(me, APIC_ICR_DM_SMI));
		expect_true("an SMI IPI to all is sent", apic_send_ipi(0, APIC_ICR_DM_SMI | APIC_ICR_DEST_ALL));
	}
	sti();
	settle();
	cli();
	expect_eq("SMI IPIs: no interrupt, no NMI arrived", irq_count(0, APIC_NMI_VECTOR) + irq_stray(0), 0);
	guest_printf("# SMI IPIs: %u to itself, %u to all\n", TOGGLES, TOGGLES);
}

static void check_not_delivered(uint32_t me)
{
	apic_section("SMI, ExtINT and a reserved mode: not delivered, the guest goes on");
	not_delivered("SMI", PIN_SMI, IOAPIC_DM_SMI, me);
	not_delivered("ExtINT", PIN_EXTINT, IOAPIC_DM_EXTINT, me);
	not_delivered("reserved mode 3", PIN_RESERVED, DM_RESERVED, me);
	smi_ipis(me);
}

/* ---- to vCPU 1 ---- */

static volatile uint32_t ap_ready, ap_beats;

static void ap_run(unsigned cpu)
{
	(void)cpu;
	apic_suite_setup_local();
	ap_ready = 1;
	for (;;) {
		cli();
		ap_beats++;
		cpu_relax();
	}
}

static bool ap_alive(void)
{
	uint32_t b = ap_beats;

	settle();
	return ap_beats != b;
}

static void check_other_vcpu(void)
{
	uint32_t ap = suite.madt.apic_ids[1];

	apic_section("NMI and INIT to vCPU 1");
	if (suite.cpus < 2 || suite.madt.cpus < 2) {
		guest_printf("# %s: one vCPU (cpus=%u): NMI and INIT to another vCPU skipped\n", suite.name,
		             suite.cpus);
		return;
	}
	if (!expect_true("vCPU 1 reports in after INIT-SIPI-SIPI", smp_start_ap(1, ap, ap_run)))
		return;
	expect_true("vCPU 1 runs", ap_alive());
	irq_reset();
	route(PIN_NMI_AP, VEC_IGNORED | rte_mode(IOAPIC_DM_NMI), ap);
	edge(PIN_NMI_AP);
	settle();
	expect_eq("NMI entry to vCPU 1: its NMI handler ran once", irq_count(1, APIC_NMI_VECTOR), 1);
	expect_eq("NMI entry to vCPU 1: none here", irq_count(0, APIC_NMI_VECTOR), 0);
	route(PIN_INIT_AP, VEC_IGNORED | rte_mode(IOAPIC_DM_INIT), ap);
	edge(PIN_INIT_AP);
	expect_true("INIT entry to vCPU 1: it stopped (waits for a SIPI)", !ap_alive());
	ap_ready = 0;
	expect_true("vCPU 1 reports in again after INIT-SIPI-SIPI", smp_start_ap(1, ap, ap_run));
	expect_eq("vCPU 1 entered the trampoline twice in all", smp_ap_entries(1), 2);
	expect_true("vCPU 1 runs again", ap_alive());
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("ioapic_modes", "the I/O APIC's delivery modes", mbi);
	apic_suite_enter_mode();
	apic_suite_setup();
	irq_set_handler(VEC_FIXED, irq_handler_eoi);
	irq_set_handler(VEC_LOWEST, irq_handler_eoi);
	irq_set_handler(VEC_LEVEL, level_handler);
	cli();
	uint32_t me = apic_id();
	check_fixed_and_lowest(me);
	check_nmi(me);
	check_not_delivered(me);
	check_other_vcpu();
	if (!expect_eq("no stray interrupts", irq_stray(0), 0))
		guest_printf("# the last stray vector: %#x\n", irq_stray_vector(0));
	guest_finish();
}
