/*
 * apicv.c: what each APIC operation costs in VM exits, in whatever
 * interrupt-delivery mode the hypervisor runs (docs/hypercalls.md,
 * HC_EXIT_STATS). The expected counts follow from the controls the vCPU
 * runs with (SDM Vol. 3, chapter 30): a TPR access is virtualized with a
 * TPR shadow (through APIC accesses in xAPIC mode, x2APIC virtualization in
 * x2APIC mode); with virtual-interrupt delivery an EOI of an edge vector and
 * a self-IPI are too. Everything else exits once.
 * Options: mode=xapic|x2apic (default xapic).
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/exit/hypercall.h"

#define VEC_HELD 0x45 /* class 4: held back by TPR 0x50 */
#define VEC_SELF 0x61
#define TPR_CLASS5 0x50
#define REPEAT 8

static struct hc_exit_stats before, after;
static struct hc_root_cycles cycles;

static void snap(struct hc_exit_stats *s)
{
	uint32_t r = vmcall(HC_EXIT_STATS, (uint32_t)(uintptr_t)s, sizeof(*s), 0);
	if (r != 0)
		guest_printf("# HC_EXIT_STATS returned %#x\n", r);
}

/* Exits between the two snapshots, not counting the second snapshot's own VMCALL. */
static uint64_t exits_between(void) { return after.total - before.total - 1; }
static uint64_t reason_between(unsigned reason)
{
	return after.exits[reason] - before.exits[reason] - (reason == EXIT_REASON_VMCALL ? 1 : 0);
}

/* The exits of a step by reason, for the log. */
static void show(const char *what)
{
	guest_printf("# %s: %llu exit(s)", what, (unsigned long long)exits_between());
	for (unsigned r = 0; r < HC_EXIT_REASONS; r++)
		if (reason_between(r))
			guest_printf(" [reason %u: %llu]", r, (unsigned long long)reason_between(r));
	guest_printf("\n");
}

static const char *mode_name(uint32_t m)
{
	static const char *const names[] = {"emulated", "tpr", "vid", "posted"};
	return m < 4 ? names[m] : "?";
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("apicv", "VM exits per APIC operation", mbi);
	apic_suite_enter_mode();
	apic_suite_setup();
	cli();
	snap(&before);
	if (!expect_eq("HC_EXIT_STATS answers version 1", before.version, HC_EXIT_STATS_VERSION))
		guest_finish();
	/* Refused, with nothing written: too small a buffer, one in the hole at 640 KiB, one in the firmware area. */
	expect_eq("HC_EXIT_STATS with too small a buffer: HC_EINVAL",
	          vmcall(HC_EXIT_STATS, (uint32_t)(uintptr_t)&after, sizeof(after) - 1, 0), HC_EINVAL);
	expect_eq("after.version untouched by it", after.version, 0);
	expect_eq("HC_EXIT_STATS into the hole at 640 KiB: HC_EINVAL",
	          vmcall(HC_EXIT_STATS, (uint32_t)GUEST_LOW_RAM_END, sizeof(after), 0), HC_EINVAL);
	expect_eq("HC_EXIT_STATS into the read-only firmware area: HC_EINVAL",
	          vmcall(HC_EXIT_STATS, (uint32_t)GUEST_FIRMWARE_BASE, sizeof(after), 0), HC_EINVAL);
	expect_eq("HC_EXIT_STATS across the end of low RAM: HC_EINVAL",
	          vmcall(HC_EXIT_STATS, (uint32_t)GUEST_LOW_RAM_END - 8, sizeof(after), 0), HC_EINVAL);
	uint32_t f = before.apicv_flags;
	bool tpr_virt =
	        (f & HC_APICV_F_TPR_SHADOW) && (f & (suite.x2apic ? HC_APICV_F_X2APIC_MODE : HC_APICV_F_APIC_ACCESSES));
	bool vid = (f & HC_APICV_F_INTR_DELIVERY) != 0;
	/* The library's interrupt dispatch reads the APIC ID (to count per CPU): an exit unless registers are
	 * virtualized. */
	unsigned dispatch = (f & HC_APICV_F_REGISTER_VIRT) ? 0 : 1;
	guest_printf("# mode %s, controls %#x: TPR virtualized %u, virtual-interrupt delivery %u\n",
	             mode_name(before.apicv_mode), f, tpr_virt, vid);
	expect_eq("a TPR shadow exactly in modes tpr and above", (f & HC_APICV_F_TPR_SHADOW) != 0,
	          before.apicv_mode >= HC_APICV_TPR);

	apic_section("TPR reads and writes with nothing pending");
	snap(&before);
	for (int i = 0; i < REPEAT; i++)
		(void)apic_read(APIC_REG_TPR);
	snap(&after);
	expect_eqf(exits_between(), tpr_virt ? 0 : REPEAT, "%u TPR reads: exits", REPEAT);
	snap(&before);
	for (int i = 0; i < REPEAT; i++)
		apic_write(APIC_REG_TPR, (uint32_t)i << 4);
	snap(&after);
	expect_eqf(exits_between(), tpr_virt ? 0 : REPEAT, "%u TPR writes: exits", REPEAT);

	apic_section("a TPR write that unmasks a pending interrupt");
	irq_reset();
	irq_set_handler(VEC_HELD, irq_handler_none); /* the EOI is measured on its own below */
	apic_write(APIC_REG_TPR, TPR_CLASS5);
	apic_send_self(VEC_HELD);
	suite_settle();
	expect_eq("held back by TPR 0x50", irq_count(0, VEC_HELD), 0);
	sti();
	snap(&before);
	apic_write(APIC_REG_TPR, 0);
	snap(&after);
	cli();
	show("TPR write that unmasks");
	expect_eq("delivered once TPR drops", irq_count(0, VEC_HELD), 1);
	/* Emulated: the write itself exits. tpr: TPR-below-threshold exit. vid: evaluated in hardware. */
	expect_eqf(exits_between(), (vid ? 0 : 1) + dispatch,
	           "the unmasking TPR write and the handler's ID read: exits");
	expect_eqf(reason_between(EXIT_REASON_TPR_BELOW_THRESHOLD), tpr_virt && !vid ? 1 : 0,
	           "of them, TPR below threshold");
	expect_eqf(after.interrupts - before.interrupts, vid ? 0 : 1, "interrupts injected by the hypervisor");

	apic_section("EOI of an edge-triggered vector");
	snap(&before);
	apic_eoi();
	snap(&after);
	show("EOI");
	expect_eqf(exits_between(), vid ? 0 : 1, "EOI: exits");
	expect_eq("nothing in service after it", apic_read(APIC_REG_ISR0 + (VEC_HELD >> 5)) >> (VEC_HELD & 31) & 1, 0);

	apic_section("self-IPI");
	irq_set_handler(VEC_SELF, irq_handler_none);
	sti();
	snap(&before);
	apic_self_ipi(VEC_SELF);
	snap(&after);
	cli();
	show("self-IPI");
	expect_eq("delivered", irq_count(0, VEC_SELF), 1);
	/*
	 * Virtual-interrupt delivery virtualizes a self-IPI both ways: the x2APIC
	 * SELF IPI write (SDM Vol. 3, 30.5) and an xAPIC ICR-low write of a fixed,
	 * edge-triggered IPI with the self shorthand (30.4.3.3, APIC-write emulation).
	 */
	expect_eqf(exits_between(), (vid ? 0 : 1) + dispatch, "the self-IPI and the handler's ID read: exits");
	apic_eoi();
	guest_printf("# exits since start: %llu\n", (unsigned long long)after.total);

	apic_section("root-mode cycles per exit reason (HC_ROOT_CYCLES)");
	expect_eq("HC_ROOT_CYCLES with too small a buffer: HC_EINVAL",
	          vmcall(HC_ROOT_CYCLES, (uint32_t)(uintptr_t)&cycles, sizeof(cycles) - 1, 0), HC_EINVAL);
	expect_eq("HC_ROOT_CYCLES into the hole at 640 KiB: HC_EINVAL",
	          vmcall(HC_ROOT_CYCLES, (uint32_t)GUEST_LOW_RAM_END, sizeof(cycles), 0), HC_EINVAL);
	expect_eq("HC_ROOT_CYCLES answers", vmcall(HC_ROOT_CYCLES, (uint32_t)(uintptr_t)&cycles, sizeof(cycles), 0), 0);
	expect_eq("version 1", cycles.version, HC_ROOT_CYCLES_VERSION);
	expect_true("the TSC rate is known", cycles.tsc_khz > 0);
	/*
	 * Every VMCALL up to the last snapshot (which counted itself) has been
	 * costed, and the two refused HC_ROOT_CYCLES after it; the answering one not yet.
	 */
	const struct hc_root_cost *vmcalls = &cycles.reason[EXIT_REASON_VMCALL];
	expect_eq("as many VMCALLs costed as HC_EXIT_STATS counted", vmcalls->count,
	          after.exits[EXIT_REASON_VMCALL] + 2);
	bool sane = true;
	for (unsigned r = 0; r < HC_EXIT_REASONS; r++) {
		const struct hc_root_cost *c = &cycles.reason[r];
		if (!c->count)
			continue;
		sane &= c->median > 0 && c->median <= c->p99 && c->p99 <= c->max && c->max <= c->total;
		guest_printf("# root cycles, exit reason %u: %llu exits, median %llu, p99 %llu, max %llu\n", r,
		             (unsigned long long)c->count, (unsigned long long)c->median, (unsigned long long)c->p99,
		             (unsigned long long)c->max);
	}
	expect_true("every reason: 0 < median <= p99 <= max <= total", sane);
	expect_eq("no stray interrupts", irq_stray(0), 0);
	guest_finish();
}
