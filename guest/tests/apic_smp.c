/*
 * apic_smp.c: two vCPUs (SDM Vol. 3, 9.4.4 and 11.6): vCPU 1 started with
 * INIT-SIPI-SIPI, fixed IPIs both ways with physical and logical (xAPIC flat,
 * x2APIC cluster) destinations and shorthands, NMIs, and a ping-pong.
 * Options: mode=xapic|x2apic (default xapic), cpus=N (default 1; the MADT
 * must list as many, and 2 or more are needed).
 *
 * Only vCPU 0 prints: vCPU 1 records its checks (guest/lib/smp.c) and
 * vCPU 0 reports them before its SUMMARY.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"

#define VEC_IPI_TO_AP 0x90
#define VEC_IPI_TO_BSP 0xa0
#define VEC_LOGICAL_TO_AP 0x91
#define VEC_LOGICAL_TO_BSP 0xa1
#define VEC_LOGICAL_BOTH 0xb1
#define VEC_ALL_BUT_SELF 0xb2
#define VEC_ALL 0xb3
#define VEC_PING 0xc0
#define VEC_PONG 0xc1
#define PING_ROUNDS 8
#define XAPIC_DFR_FLAT 0xffffffffu
#define SVR_RESET 0xffu /* after RESET or INIT: software-disabled, vector 0xff (SDM Vol. 3, 11.4.7.1) */

static bool wait_flag(const volatile uint32_t *flag, uint32_t want)
{
	uint64_t t0 = rdtsc();

	while (*flag != want && rdtsc() - t0 < suite_wait_ticks())
		cpu_relax();
	return *flag == want;
}

enum ap_cmd { AP_CMD_SEND, AP_CMD_LOGICAL, AP_CMD_DONE };

/* vCPU 0 writes cmd, dest, icr, then seq; vCPU 1 runs it and writes ack = seq. */
static volatile struct {
	uint32_t cmd, dest, icr;
	uint32_t seq, ack;
	uint32_t ready;
} mbox;

/* xAPIC flat model: logical ID bit n for vCPU n (SDM Vol. 3, 11.6.2.2). */
static uint32_t flat_id(unsigned cpu) { return 1u << cpu; }

static void set_flat_ldr(unsigned cpu)
{
	apic_write(APIC_REG_DFR, XAPIC_DFR_FLAT);
	apic_write(APIC_REG_LDR, flat_id(cpu) << APIC_XAPIC_DEST_SHIFT);
}

/* The logical destination of vCPU cpu: its flat bit (xAPIC) or its LDR (x2APIC cluster model). */
static uint32_t logical_dest(unsigned cpu)
{
	return suite.x2apic ? x2apic_ldr(suite.madt.apic_ids[cpu]) : flat_id(cpu);
}

static void ping_handler(uint8_t v)
{
	(void)v;
	apic_eoi();
	apic_send_ipi(suite.madt.apic_ids[0], APIC_ICR_DM_FIXED | VEC_PONG);
}

/* What vCPU 1 finds after INIT-SIPI-SIPI (SDM Vol. 3, 11.4.7.3: INIT resets the APIC but its ID and base). */
static void ap_checks(unsigned cpu)
{
	uint32_t id = suite.madt.apic_ids[cpu], r[4];
	uint64_t base = apic_base_msr();

	cpuid(CPUID_LEAF_FEATURES, 0, r);
	remote_expect_eq(cpu, "SVR after INIT: 0xff (software-disabled)", apic_read(APIC_REG_SVR), SVR_RESET);
	remote_expect_eq(cpu, "LVT timer after INIT: masked", apic_read(APIC_REG_LVT_TIMER), APIC_LVT_MASKED);
	remote_expect_eq(cpu, "IA32_APIC_BASE: BSP clear", base & APIC_BASE_BSP, 0);
	remote_expect_eq(cpu, "IA32_APIC_BASE: enabled", base & APIC_BASE_ENABLE, APIC_BASE_ENABLE);
	remote_expect_eq(cpu, "IA32_APIC_BASE: EXTD as the suite's mode", base & APIC_BASE_EXTD,
	                 suite.x2apic ? APIC_BASE_EXTD : 0);
	remote_expect_eq(cpu, "APIC ID is the MADT's", apic_id(), id);
	remote_expect_eq(cpu, "CPUID.1:EBX[31:24] is the APIC ID", r[1] >> CPUID_1_EBX_APIC_ID_SHIFT, id & 0xff);
	if (suite.x2apic)
		remote_expect_eq(cpu, "x2APIC LDR derived from the ID", apic_read(APIC_REG_LDR), x2apic_ldr(id));
}

/* vCPU 1: check, set up like vCPU 0, then serve the mailbox with interrupts on until told to stop. */
static void ap_run(unsigned cpu)
{
	uint32_t seen = 0;

	ap_checks(cpu);
	apic_suite_setup_local();
	mbox.ready = 1;
	sti();
	for (;;) {
		if (mbox.seq == seen) {
			cpu_relax();
			continue;
		}
		seen = mbox.seq;
		smp_mb();
		if (mbox.cmd == AP_CMD_DONE)
			break;
		if (mbox.cmd == AP_CMD_SEND)
			apic_send_ipi(mbox.dest, mbox.icr);
		else if (mbox.cmd == AP_CMD_LOGICAL)
			set_flat_ldr(cpu);
		mbox.ack = seen;
	}
	cli();
	remote_expect_eq(cpu, "no stray interrupts", irq_stray(cpu), 0);
	smp_mb();
	mbox.ack = seen;
}

static bool ap_do(uint32_t cmd, uint32_t dest, uint32_t icr)
{
	uint32_t seq = mbox.seq + 1;

	mbox.cmd = cmd;
	mbox.dest = dest;
	mbox.icr = icr;
	smp_mb();
	mbox.seq = seq;
	return wait_flag(&mbox.ack, seq);
}

/* An IPI sent by vCPU `from` (0 or 1); vector counted on both. */
static void ipi_case(const char *what, unsigned from, uint32_t dest, uint32_t icr, uint8_t vector, uint32_t want0,
                     uint32_t want1)
{
	irq_reset();
	if (from == 0)
		apic_send_ipi(dest, icr);
	else
		ap_do(AP_CMD_SEND, dest, icr);
	irq_wait(0, vector, want0, suite_wait_ticks());
	irq_wait(1, vector, want1, suite_wait_ticks());
	suite_settle();
	expect_eqf(irq_count(0, vector), want0, "%s: vCPU 0 received %u", what, want0);
	expect_eqf(irq_count(1, vector), want1, "%s: vCPU 1 received %u", what, want1);
}

static void check_ipis(uint32_t bsp, uint32_t ap)
{
	const uint32_t fixed = APIC_ICR_DM_FIXED, logical = APIC_ICR_DM_FIXED | APIC_ICR_DEST_LOGICAL;
	const uint32_t both = logical_dest(0) | logical_dest(1); /* one x2APIC cluster for IDs 0 and 1 */

	ipi_case("fixed, physical, 0 -> 1", 0, ap, fixed | VEC_IPI_TO_AP, VEC_IPI_TO_AP, 0, 1);
	ipi_case("fixed, physical, 1 -> 0", 1, bsp, fixed | VEC_IPI_TO_BSP, VEC_IPI_TO_BSP, 1, 0);
	if (!suite.x2apic) {
		set_flat_ldr(0);
		expect_true("vCPU 1 programmed DFR and LDR", ap_do(AP_CMD_LOGICAL, 0, 0));
	}
	ipi_case(suite.x2apic ? "logical cluster, 0 -> 1" : "logical flat, 0 -> 1", 0, logical_dest(1),
	         logical | VEC_LOGICAL_TO_AP, VEC_LOGICAL_TO_AP, 0, 1);
	ipi_case(suite.x2apic ? "logical cluster, 1 -> 0" : "logical flat, 1 -> 0", 1, logical_dest(0),
	         logical | VEC_LOGICAL_TO_BSP, VEC_LOGICAL_TO_BSP, 1, 0);
	ipi_case("logical, both, from 0", 0, both, logical | VEC_LOGICAL_BOTH, VEC_LOGICAL_BOTH, 1, 1);
	ipi_case("all excluding self, from 0", 0, 0, APIC_ICR_DEST_ALL_BUT_SELF | fixed | VEC_ALL_BUT_SELF,
	         VEC_ALL_BUT_SELF, 0, 1);
	ipi_case("all excluding self, from 1", 1, 0, APIC_ICR_DEST_ALL_BUT_SELF | fixed | VEC_ALL_BUT_SELF,
	         VEC_ALL_BUT_SELF, 1, 0);
	ipi_case("all including self, from 0", 0, 0, APIC_ICR_DEST_ALL | fixed | VEC_ALL, VEC_ALL, 1, 1);
	ipi_case("NMI, 0 -> 1", 0, ap, APIC_ICR_DM_NMI, APIC_NMI_VECTOR, 0, 1);
	ipi_case("NMI, 1 -> 0", 1, bsp, APIC_ICR_DM_NMI, APIC_NMI_VECTOR, 1, 0);
}

static void check_ping_pong(uint32_t ap)
{
	unsigned i;

	irq_reset();
	for (i = 0; i < PING_ROUNDS; i++) {
		apic_send_ipi(ap, APIC_ICR_DM_FIXED | VEC_PING);
		if (!irq_wait(0, VEC_PONG, i + 1, suite_wait_ticks()))
			break;
	}
	expect_eqf(i, PING_ROUNDS, "ping-pong: %u round trips", PING_ROUNDS);
	expect_eq("ping-pong: vCPU 1 took every ping", irq_count(1, VEC_PING), PING_ROUNDS);
	expect_eq("ping-pong: vCPU 0 got every pong", irq_count(0, VEC_PONG), PING_ROUNDS);
}

static void check_smp(void)
{
	static const uint8_t vectors[] = {VEC_IPI_TO_AP,    VEC_IPI_TO_BSP,   VEC_LOGICAL_TO_AP, VEC_LOGICAL_TO_BSP,
	                                  VEC_LOGICAL_BOTH, VEC_ALL_BUT_SELF, VEC_ALL,           VEC_PONG};
	uint32_t bsp = suite.madt.apic_ids[0], ap = suite.madt.apic_ids[1];

	apic_section("two vCPUs (SDM Vol. 3, 9.4.4, 11.6)");
	expect_eqf(suite.madt.cpus, suite.cpus, "MADT lists cpus=%u vCPUs", suite.cpus);
	if (suite.cpus < 2 || suite.madt.cpus < 2) {
		guest_printf("# %s: one vCPU (cpus=%u, MADT %u): IPIs between vCPUs skipped\n", suite.name, suite.cpus,
		             suite.madt.cpus);
		return;
	}
	for (unsigned i = 0; i < sizeof(vectors); i++)
		irq_set_handler(vectors[i], irq_handler_eoi);
	irq_set_handler(VEC_PING, ping_handler);
	if (!expect_true("vCPU 1 reports in after INIT-SIPI-SIPI", smp_start_ap(1, ap, ap_run)))
		return;
	expect_true("vCPU 1 set itself up", wait_flag(&mbox.ready, 1));
	expect_eq("vCPU 1 started once (the second SIPI is ignored)", smp_ap_entries(1), 1);
	sti();
	check_ipis(bsp, ap);
	check_ping_pong(ap);
	cli();
	expect_true("vCPU 1 finished", ap_do(AP_CMD_DONE, 0, 0));
	remote_report(1);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("apic_smp", "IPIs between two vCPUs", mbi);
	apic_suite_enter_mode();
	apic_suite_setup();
	check_smp();
	if (!expect_eq("no stray interrupts on vCPU 0", irq_stray(0), 0))
		guest_printf("# the last stray vector: %#x\n", irq_stray_vector(0));
	guest_finish();
}
