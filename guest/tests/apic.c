/*
 * apic.c: the local APIC's interface (SDM Vol. 3, chapter 11): the MADT, the
 * state at entry, IA32_APIC_BASE and its modes, the registers in xAPIC and
 * x2APIC mode, the software enable, and the I/O APIC's registers.
 * Options: mode=xapic|x2apic (default xapic), cpus=N (default 1).
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"

#define VEC_TIMER 0xd0
#define VEC_SW_OFF 0x48 /* sent while software-disabled */
#define VEC_IOAPIC 0x4a

#define VERSION_MASK 0xffu
#define VERSION_MAX_LVT_SHIFT 16
#define VERSION_RESERVED 0xfe00ff00u
#define XAPIC_DFR_FLAT 0xffffffffu
#define SVR_RESET 0xffu /* after RESET or INIT: software-disabled, vector 0xff (SDM Vol. 3, 11.4.7.1) */
#define XAPIC_DFR_CLUSTER 0x0fffffffu
#define XAPIC_LDR_TEST 0x01000000u
#define X2APIC_TPR_RESERVED 0x100u
#define X2APIC_LDR_TEST 0x10001u /* cluster 1, bit 0: not vCPU 0's */
#define X2APIC_ID_TEST 5u
#define TPR_TEST 0x20u
#define X2APIC_RESERVED_MSR 0x804u /* index 4: no register (SDM Vol. 3, Table 11-6) */
#define TIMER_DIVIDE_1 0xbu
#define APIC_BASE_RESERVED_BIT9 (1ull << 9)
#define APIC_BASE_RESERVED_BIT0 (1ull << 0)
#define APIC_BASE_RESERVED_BIT63 (1ull << 63) /* above any MAXPHYADDR */

#define IOAPIC_TEST_PIN 10 /* no ISA device uses IRQ 10 */
#define IOAPIC_PINS 24
#define IOAPIC_VERSION 0x20
#define IOAPIC_TEST_ID 5

static unsigned max_lvt(void) { return (suite.version >> VERSION_MAX_LVT_SHIFT) & 0xff; }

/* ---- MADT ---- */

static void check_madt(void)
{
	const struct madt_apics *m = &suite.madt;

	apic_section("MADT (ACPI 6.5, 5.2.12)");
	if (!expect_true("MADT found through the RSDP in 0xe0000-0xfffff", m->found))
		return;
	expect_eq("MADT local APIC address", m->lapic_base, APIC_BASE_DEFAULT);
	expect_eqf(m->cpus, suite.cpus, "MADT lists cpus=%u vCPUs", suite.cpus);
	for (unsigned i = 0; i < m->cpus; i++)
		expect_eqf(m->apic_ids[i], i, "MADT vCPU %u has APIC ID %u", i, i);
	if (expect_true("MADT lists an I/O APIC", m->has_ioapic)) {
		expect_eq("MADT I/O APIC address", m->ioapic_base, IOAPIC_DEFAULT_BASE);
		expect_eq("MADT I/O APIC GSI base", m->ioapic_gsi_base, 0);
	}
}

/* ---- State at entry: xAPIC MMIO, before anything is written ---- */

static void check_lvt_masked(const char *name, enum apic_reg reg)
{
	expect_eqf(apic_read(reg), APIC_LVT_MASKED, "at entry: LVT %s masked, all else 0", name);
}

static void check_reset_state(void)
{
	uint32_t bits = 0;

	apic_section("state at entry (SDM Vol. 3, 11.4.7.1)");
	expect_eq("at entry: SVR 0xff (software-disabled)", apic_read(APIC_REG_SVR), SVR_RESET);
	check_lvt_masked("timer", APIC_REG_LVT_TIMER);
	check_lvt_masked("LINT0", APIC_REG_LVT_LINT0);
	check_lvt_masked("LINT1", APIC_REG_LVT_LINT1);
	check_lvt_masked("error", APIC_REG_LVT_ERROR);
	check_lvt_masked("performance counters", APIC_REG_LVT_PMC);
	if (max_lvt() >= 5)
		check_lvt_masked("thermal", APIC_REG_LVT_THERMAL);
	if (max_lvt() >= 6)
		check_lvt_masked("CMCI", APIC_REG_LVT_CMCI);
	expect_eq("at entry: TPR 0", apic_read(APIC_REG_TPR), 0);
	for (unsigned i = 0; i < 8; i++)
		bits |= apic_read(APIC_REG_ISR0 + i) | apic_read(APIC_REG_IRR0 + i) | apic_read(APIC_REG_TMR0 + i);
	expect_eq("at entry: ISR, IRR and TMR clear", bits, 0);
	expect_eq("at entry: timer initial count 0", apic_read(APIC_REG_TIMER_INITIAL), 0);
	expect_eq("at entry: timer current count 0", apic_read(APIC_REG_TIMER_CURRENT), 0);
	expect_eq("at entry: timer divide 0", apic_read(APIC_REG_TIMER_DIVIDE), 0);
	expect_eq("at entry: DFR all ones (flat)", apic_read(APIC_REG_DFR), XAPIC_DFR_FLAT);
	expect_eq("at entry: LDR 0", apic_read(APIC_REG_LDR), 0);
}

/* ---- IA32_APIC_BASE ---- */

static void check_base_reserved(uint64_t base)
{
	uint64_t v = 0;

	expect_fault("IA32_APIC_BASE bit 9 (reserved) raises #GP",
	             wrmsr_safe(MSR_IA32_APICBASE, base | APIC_BASE_RESERVED_BIT9), X86_TRAP_GP);
	expect_fault("IA32_APIC_BASE bit 0 (reserved) raises #GP",
	             wrmsr_safe(MSR_IA32_APICBASE, base | APIC_BASE_RESERVED_BIT0), X86_TRAP_GP);
	expect_fault("IA32_APIC_BASE bit 63 (above MAXPHYADDR) raises #GP",
	             wrmsr_safe(MSR_IA32_APICBASE, base | APIC_BASE_RESERVED_BIT63), X86_TRAP_GP);
	if (!suite.cpu_x2apic)
		expect_fault("IA32_APIC_BASE.EXTD without CPUID x2APIC raises #GP",
		             wrmsr_safe(MSR_IA32_APICBASE, base | APIC_BASE_EXTD), X86_TRAP_GP);
	expect_eq("IA32_APIC_BASE unchanged by the refused writes", apic_base_msr(), base);
	expect_fault("xAPIC mode: rdmsr of x2APIC ID (0x802) raises #GP", rdmsr_safe(APIC_X2APIC_MSR(APIC_REG_ID), &v),
	             X86_TRAP_GP);
	expect_fault("xAPIC mode: wrmsr of x2APIC TPR (0x808) raises #GP", wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_TPR), 0),
	             X86_TRAP_GP);
}

static void check_base_msr(void)
{
	uint64_t base = 0;

	apic_section("IA32_APIC_BASE (SDM Vol. 3, 11.4.4, 11.12.1)");
	expect_fault("rdmsr IA32_APIC_BASE", rdmsr_safe(MSR_IA32_APICBASE, &base), GUEST_NO_FAULT);
	guest_printf("# IA32_APIC_BASE %#llx\n", (unsigned long long)base);
	expect_eq("IA32_APIC_BASE: globally enabled", base & APIC_BASE_ENABLE, APIC_BASE_ENABLE);
	expect_eq("IA32_APIC_BASE: BSP on vCPU 0", base & APIC_BASE_BSP, APIC_BASE_BSP);
	expect_eq("IA32_APIC_BASE: xAPIC mode at entry (EXTD clear)", base & APIC_BASE_EXTD, 0);
	expect_eq("IA32_APIC_BASE: base 0xfee00000", base & APIC_BASE_ADDR_MASK, APIC_BASE_DEFAULT);
	expect_eq("CPUID.1:EDX.APIC set while enabled", cpuid_1_edx() & CPUID_1_EDX_APIC, CPUID_1_EDX_APIC);
	check_base_reserved(base);
}

/* Switch to x2APIC mode when the suite wants it and the CPU has it. */
static void enter_mode(void)
{
	uint64_t base = apic_base_msr() & ~APIC_BASE_EXTD, v = 0;
	uint32_t r[4];

	if (!suite.want_x2apic || !suite.cpu_x2apic) {
		apic_suite_enter_mode(); /* prints why not */
		return;
	}
	apic_section("xAPIC -> x2APIC (SDM Vol. 3, 11.12.5)");
	expect_fault("xAPIC -> x2APIC: wrmsr EN|EXTD", apic_suite_enter_mode(), GUEST_NO_FAULT);
	expect_eq("IA32_APIC_BASE: EN and EXTD set", apic_base_msr() & (APIC_BASE_ENABLE | APIC_BASE_EXTD),
	          APIC_BASE_ENABLE | APIC_BASE_EXTD);
	if (!suite.x2apic)
		return;
	expect_fault("x2APIC mode: rdmsr x2APIC ID", rdmsr_safe(APIC_X2APIC_MSR(APIC_REG_ID), &v), GUEST_NO_FAULT);
	expect_fault("x2APIC -> xAPIC directly raises #GP", wrmsr_safe(MSR_IA32_APICBASE, base), X86_TRAP_GP);
	if (!expect_eq("still in x2APIC mode after the refused transition", apic_base_msr() & APIC_BASE_EXTD,
	               APIC_BASE_EXTD))
		wrmsr_safe(MSR_IA32_APICBASE, base | APIC_BASE_EXTD);
	cpuid(0, 0, r);
	if (r[0] >= CPUID_LEAF_X2APIC_TOPOLOGY) {
		cpuid(CPUID_LEAF_X2APIC_TOPOLOGY, 0, r);
		expect_eq("x2APIC ID is CPUID.0xB:EDX", (uint32_t)v, r[3]);
	}
}

/* ---- Registers ---- */

static void check_x2apic_registers(void)
{
	uint64_t v = 0;
	uint32_t id = apic_read(APIC_REG_ID);

	expect_eq("x2APIC: ID of vCPU 0 (32 bits)", id, 0);
	expect_eq("x2APIC: LDR derived from the ID (11.12.10.2)", apic_read(APIC_REG_LDR), x2apic_ldr(id));
	expect_fault("x2APIC: wrmsr LDR (read-only) raises #GP",
	             wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_LDR), X2APIC_LDR_TEST), X86_TRAP_GP);
	expect_fault("x2APIC: wrmsr ID (read-only) raises #GP",
	             wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_ID), X2APIC_ID_TEST), X86_TRAP_GP);
	expect_fault("x2APIC: wrmsr version (read-only) raises #GP", wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_VERSION), 0),
	             X86_TRAP_GP);
	expect_fault("x2APIC: wrmsr PPR (read-only) raises #GP", wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_PPR), 0),
	             X86_TRAP_GP);
	expect_fault("x2APIC: rdmsr DFR (0x80e, absent) raises #GP", rdmsr_safe(APIC_X2APIC_MSR(APIC_REG_DFR), &v),
	             X86_TRAP_GP);
	expect_fault("x2APIC: wrmsr DFR raises #GP", wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_DFR), XAPIC_DFR_FLAT),
	             X86_TRAP_GP);
	expect_fault("x2APIC: rdmsr ICR high (0x831, absent) raises #GP",
	             rdmsr_safe(APIC_X2APIC_MSR(APIC_REG_ICR_HIGH), &v), X86_TRAP_GP);
	expect_fault("x2APIC: rdmsr of reserved MSR 0x804 raises #GP", rdmsr_safe(X2APIC_RESERVED_MSR, &v),
	             X86_TRAP_GP);
	expect_fault("x2APIC: rdmsr EOI (write-only) raises #GP", rdmsr_safe(APIC_X2APIC_MSR(APIC_REG_EOI), &v),
	             X86_TRAP_GP);
	expect_fault("x2APIC: rdmsr SELF IPI (write-only) raises #GP",
	             rdmsr_safe(APIC_X2APIC_MSR(APIC_REG_SELF_IPI), &v), X86_TRAP_GP);
	expect_fault("x2APIC: wrmsr EOI non-zero raises #GP", wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_EOI), 1),
	             X86_TRAP_GP);
	expect_fault("x2APIC: wrmsr EOI 0", wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_EOI), 0), GUEST_NO_FAULT);
	expect_fault("x2APIC: wrmsr ESR non-zero raises #GP", wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_ESR), 1),
	             X86_TRAP_GP);
	expect_fault("x2APIC: wrmsr TPR with bit 8 (reserved) raises #GP",
	             wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_TPR), X2APIC_TPR_RESERVED), X86_TRAP_GP);
	expect_fault("x2APIC: rdmsr ICR (64 bits)", rdmsr_safe(APIC_X2APIC_MSR(APIC_REG_ICR_LOW), &v), GUEST_NO_FAULT);
}

static void check_xapic_registers(void)
{
	uint32_t r[4];

	cpuid(CPUID_LEAF_FEATURES, 0, r);
	expect_eq("xAPIC: ID bits 31:24 of vCPU 0", apic_read(APIC_REG_ID) >> APIC_XAPIC_DEST_SHIFT, 0);
	expect_eq("xAPIC: ID is CPUID.1:EBX[31:24]", apic_read(APIC_REG_ID) >> APIC_XAPIC_DEST_SHIFT,
	          r[1] >> CPUID_1_EBX_APIC_ID_SHIFT);
	apic_write(APIC_REG_VERSION, 0);
	expect_eq("xAPIC: version ignores writes", apic_read(APIC_REG_VERSION), suite.version);
	apic_write(APIC_REG_DFR, XAPIC_DFR_CLUSTER);
	expect_eq("xAPIC: DFR cluster model reads back", apic_read(APIC_REG_DFR), XAPIC_DFR_CLUSTER);
	apic_write(APIC_REG_DFR, XAPIC_DFR_FLAT);
	apic_write(APIC_REG_LDR, XAPIC_LDR_TEST);
	expect_eq("xAPIC: LDR reads back", apic_read(APIC_REG_LDR), XAPIC_LDR_TEST);
	apic_write(APIC_REG_LDR, 0);
	apic_write(APIC_REG_ICR_HIGH, XAPIC_LDR_TEST);
	expect_eq("xAPIC: ICR high reads back", apic_read(APIC_REG_ICR_HIGH), XAPIC_LDR_TEST);
	apic_write(APIC_REG_ICR_HIGH, 0);
}

static void check_registers(void)
{
	uint32_t v = apic_read(APIC_REG_VERSION);
	const uint32_t lvt = APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC | VEC_TIMER;

	apic_section("registers (SDM Vol. 3, 11.4.8, 11.8.3, 11.12.1)");
	guest_printf("# version register %#x\n", v);
	expect_eq("version reads the same in this mode", v, suite.version);
	expect_true("version 0x10-0x15 (integrated APIC)", (v & VERSION_MASK) >= 0x10 && (v & VERSION_MASK) <= 0x15);
	expect_true("version: max LVT entry 4-6", max_lvt() >= 4 && max_lvt() <= 6);
	expect_eq("version: reserved bits clear", v & VERSION_RESERVED, 0);
	apic_write(APIC_REG_TPR, TPR_TEST);
	expect_eq("TPR reads back", apic_read(APIC_REG_TPR), TPR_TEST);
	expect_eq("PPR follows TPR with nothing in service", apic_read(APIC_REG_PPR), TPR_TEST);
	apic_write(APIC_REG_TPR, 0);
	expect_eq("PPR 0 with TPR 0", apic_read(APIC_REG_PPR), 0);
	expect_eq("SVR reads back", apic_read(APIC_REG_SVR), APIC_SVR_ENABLE | SUITE_VEC_SPURIOUS);
	apic_write(APIC_REG_TIMER_DIVIDE, TIMER_DIVIDE_1);
	expect_eq("timer divide reads back", apic_read(APIC_REG_TIMER_DIVIDE), TIMER_DIVIDE_1);
	apic_write(APIC_REG_LVT_TIMER, lvt);
	expect_eq("LVT timer reads back", apic_read(APIC_REG_LVT_TIMER), lvt);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	if (suite.x2apic)
		check_x2apic_registers();
	else
		check_xapic_registers();
}

/* ---- Software enable and disable ---- */

static void check_sw_disable(void)
{
	apic_section("software disable through SVR (SDM Vol. 3, 11.4.7.2)");
	cli();
	irq_reset();
	irq_set_handler(VEC_SW_OFF, irq_handler_eoi);
	apic_write(APIC_REG_LVT_TIMER, VEC_TIMER);
	apic_write(APIC_REG_SVR, SUITE_VEC_SPURIOUS);
	expect_eq("clearing SVR.enable masks the LVT timer", apic_read(APIC_REG_LVT_TIMER) & APIC_LVT_MASKED,
	          APIC_LVT_MASKED);
	expect_eq("clearing SVR.enable masks the LVT error", apic_read(APIC_REG_LVT_ERROR) & APIC_LVT_MASKED,
	          APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_TIMER, VEC_TIMER);
	expect_eq("while disabled, an LVT write keeps the mask bit", apic_read(APIC_REG_LVT_TIMER) & APIC_LVT_MASKED,
	          APIC_LVT_MASKED);
	apic_send_self(VEC_SW_OFF);
	suite_settle();
	expect_eq("while disabled, a fixed self-IPI is not accepted (IRR clear)",
	          apic_vector_bit(APIC_REG_IRR0, VEC_SW_OFF), 0);
	apic_send_ipi(apic_id(), APIC_ICR_DM_NMI);
	irq_wait(0, APIC_NMI_VECTOR, 1, suite_wait_ticks());
	expect_eq("while disabled, an NMI is still delivered", irq_count(0, APIC_NMI_VECTOR), 1);
	apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | SUITE_VEC_SPURIOUS);
	expect_eq("after re-enabling, the LVT timer stays masked", apic_read(APIC_REG_LVT_TIMER) & APIC_LVT_MASKED,
	          APIC_LVT_MASKED);
	sti();
	suite_settle();
	cli();
	expect_eq("the IPI sent while disabled never arrives", irq_count(0, VEC_SW_OFF), 0);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_ERROR, SUITE_VEC_ERROR);
}

/* ---- I/O APIC ---- */

static void check_ioapic_rte(void)
{
	const uint32_t lo = VEC_IOAPIC | IOAPIC_RTE_LEVEL | IOAPIC_RTE_POLARITY_LOW | IOAPIC_RTE_MASKED;
	const uint32_t hi = 1u << (IOAPIC_RTE_DEST_SHIFT - 32);
	const uint32_t b = suite.ioapic_base;

	ioapic_write(b, IOAPIC_RTE_HI(IOAPIC_TEST_PIN), hi);
	ioapic_write(b, IOAPIC_RTE_LO(IOAPIC_TEST_PIN), lo | (uint32_t)IOAPIC_RTE_READONLY);
	expect_eq("IOREGSEL reads back", ioapic_read_sel(b), IOAPIC_RTE_LO(IOAPIC_TEST_PIN));
	expect_eq("redirection entry low reads back, read-only bits clear",
	          ioapic_read(b, IOAPIC_RTE_LO(IOAPIC_TEST_PIN)), lo);
	expect_eq("redirection entry high reads back", ioapic_read(b, IOAPIC_RTE_HI(IOAPIC_TEST_PIN)), hi);
	ioapic_write_eoi(b, VEC_IOAPIC);
	expect_eq("EOI register: a masked, idle entry is unchanged", ioapic_read(b, IOAPIC_RTE_LO(IOAPIC_TEST_PIN)),
	          lo);
	ioapic_write(b, IOAPIC_RTE_LO(IOAPIC_TEST_PIN), (uint32_t)IOAPIC_RTE_MASKED);
	ioapic_write(b, IOAPIC_RTE_HI(IOAPIC_TEST_PIN), 0);
}

static void check_ioapic(void)
{
	const uint32_t b = suite.ioapic_base;
	uint32_t id = ioapic_read(b, IOAPIC_REG_ID), ver = ioapic_read(b, IOAPIC_REG_VERSION);
	unsigned masked = 0;

	apic_section("I/O APIC (82093AA datasheet, 3.2)");
	guest_printf("# I/O APIC at %#x: ID %#x, version %#x\n", b, id, ver);
	if (suite.madt.has_ioapic)
		expect_eq("I/O APIC ID is the MADT's", (id >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK, suite.madt.ioapic_id);
	expect_eq("I/O APIC version 0x20", ver & IOAPIC_VERSION_MASK, IOAPIC_VERSION);
	expect_eq("I/O APIC: 24 redirection entries", (ver >> IOAPIC_MAX_ENTRY_SHIFT & 0xff) + 1, IOAPIC_PINS);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		masked += (ioapic_read(b, IOAPIC_RTE_LO(pin)) & IOAPIC_RTE_MASKED) != 0;
	expect_eq("I/O APIC: every entry masked at reset", masked, IOAPIC_PINS);
	ioapic_write(b, IOAPIC_REG_ID, IOAPIC_TEST_ID << IOAPIC_ID_SHIFT);
	expect_eq("I/O APIC ID is writable", (ioapic_read(b, IOAPIC_REG_ID) >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK,
	          IOAPIC_TEST_ID);
	ioapic_write(b, IOAPIC_REG_ID, id);
	check_ioapic_rte();
}

/* ---- Leaving the mode: disabled, then xAPIC (last: QEMU's APIC cannot be enabled again) ---- */

static void check_disabled(uint64_t off)
{
	uint64_t v = 0;

	expect_eq("IA32_APIC_BASE: EN clear", apic_base_msr() & APIC_BASE_ENABLE, 0);
	expect_eq("disabled: CPUID.1:EDX.APIC reads 0", cpuid_1_edx() & CPUID_1_EDX_APIC, 0);
	expect_fault("disabled: rdmsr of x2APIC ID (0x802) raises #GP", rdmsr_safe(APIC_X2APIC_MSR(APIC_REG_ID), &v),
	             X86_TRAP_GP);
	expect_fault("disabled: wrmsr of x2APIC TPR (0x808) raises #GP", wrmsr_safe(APIC_X2APIC_MSR(APIC_REG_TPR), 0),
	             X86_TRAP_GP);
	expect_fault("disabled: EXTD without EN (invalid) raises #GP",
	             wrmsr_safe(MSR_IA32_APICBASE, off | APIC_BASE_EXTD), X86_TRAP_GP);
	if (suite.cpu_x2apic)
		expect_fault("disabled -> x2APIC directly raises #GP",
		             wrmsr_safe(MSR_IA32_APICBASE, off | APIC_BASE_ENABLE | APIC_BASE_EXTD), X86_TRAP_GP);
}

static void check_transitions(void)
{
	uint64_t base = apic_base_msr(), off = base & ~(APIC_BASE_ENABLE | APIC_BASE_EXTD);

	apic_section("disabled and back (SDM Vol. 3, 11.4.3, 11.12.5)");
	cli();
	if (!suite.x2apic && suite.cpu_x2apic) {
		expect_fault("xAPIC -> x2APIC", wrmsr_safe(MSR_IA32_APICBASE, base | APIC_BASE_EXTD), GUEST_NO_FAULT);
		expect_fault("x2APIC -> xAPIC directly raises #GP", wrmsr_safe(MSR_IA32_APICBASE, base), X86_TRAP_GP);
	}
	expect_fault("-> disabled (EN and EXTD clear)", wrmsr_safe(MSR_IA32_APICBASE, off), GUEST_NO_FAULT);
	check_disabled(off);
	expect_fault("disabled -> xAPIC", wrmsr_safe(MSR_IA32_APICBASE, off | APIC_BASE_ENABLE), GUEST_NO_FAULT);
	expect_eq("IA32_APIC_BASE: enabled, xAPIC mode", apic_base_msr() & (APIC_BASE_ENABLE | APIC_BASE_EXTD),
	          APIC_BASE_ENABLE);
	expect_eq("CPUID.1:EDX.APIC set again", cpuid_1_edx() & CPUID_1_EDX_APIC, CPUID_1_EDX_APIC);
	if (apic_base_msr() & APIC_BASE_ENABLE) {
		apic_use(GUEST_APIC_XAPIC, suite.lapic_base);
		expect_eq("xAPIC again: the version register reads as before", apic_read(APIC_REG_VERSION),
		          suite.version);
	}
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("apic", "the local APIC's interface and the I/O APIC's registers", mbi);
	check_madt();
	check_reset_state();
	check_base_msr();
	enter_mode();
	apic_suite_setup();
	check_registers();
	check_sw_disable();
	check_ioapic();
	if (!expect_eq("no stray interrupts", irq_stray(0), 0))
		guest_printf("# the last stray vector: %#x\n", irq_stray_vector(0));
	check_transitions();
	guest_finish();
}
