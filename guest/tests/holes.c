/*
 * holes.c: where no device answers, reads return all ones and writes are
 * dropped, as on a PC without the device (docs/guest-platform.md): the VGA
 * window and the option-ROM area, and the local APIC's page for a vCPU whose
 * APIC is disabled, in x2APIC mode or moved elsewhere, the same in every
 * APICv mode (docs/vlapic.md). The APIC works at a moved base. With cpus=2,
 * vCPU 1 keeps its APIC at 0xfee00000 while vCPU 0's is away, and finds its
 * registers there all along. HC_EXIT_STATS shows what each access cost: an
 * EPT violation where the hypervisor emulates it.
 * Options: mode=xapic (the suite's accessors start in xAPIC mode), cpus=1|2,
 * end=x2apic (vCPU 0 ends in x2APIC mode: with restart=yes the next start
 * must find the APIC-access page mapped again, and its first check says so).
 *
 * Only vCPU 0 prints.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define ALL_ONES 0xffffffffu
#define MOVED_BASE 0xfed00000u    /* outside RAM and every no-device range: only the moved APIC answers there */
#define RAM_BASE_MOVE 0x00f00000u /* inside the guest's 16 MiB of RAM: not trapped, the hypervisor says so */
#define TPR_TEST 0x40u
#define TPR_OTHER 0x70u
#define VEC_MOVED 0x58
#define APIC_OFF(reg) ((uint32_t)(reg) << 4)

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }
static uint32_t rd16(uint32_t a) { return *(volatile uint16_t *)a; }
static uint32_t rd8(uint32_t a) { return *(volatile uint8_t *)a; }
static int32_t rd8s(uint32_t a) { return *(volatile int8_t *)a; }
static void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static void wr16(uint32_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static void wr8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

/* ---- what an access cost ---- */

static struct hc_exit_stats s_before[2], s_after[2];

static void snap(struct hc_exit_stats *s) { vmcall(HC_EXIT_STATS, (uint32_t)(uintptr_t)s, sizeof(*s), 0); }

/* EPT violations of one 32-bit read at a, on vCPU cpu (its own slot); the value in *v. */
static uint64_t ept_cost_of_read(unsigned cpu, uint32_t a, uint32_t *v)
{
	snap(&s_before[cpu]);
	*v = rd32(a);
	snap(&s_after[cpu]);
	return s_after[cpu].exits[EXIT_REASON_EPT_VIOLATION] - s_before[cpu].exits[EXIT_REASON_EPT_VIOLATION];
}

static bool emulated_mode(void)
{
	snap(&s_before[0]);
	return s_before[0].apicv_mode == HC_APICV_EMULATED;
}

/* Reads of every width give all ones; a write of each width is dropped. */
static void expect_absent(const char *what, uint32_t a)
{
	uint32_t v = 0;

	expect_eqf(ept_cost_of_read(0, a, &v), 1, "%s %#x: the read is emulated (one EPT violation)", what, a);
	expect_eqf(v, ALL_ONES, "%s %#x: a 32-bit read is all ones", what, a);
	expect_eqf(rd16(a), 0xffff, "%s %#x: a 16-bit read is all ones", what, a);
	expect_eqf(rd8(a + 3), 0xff, "%s %#x: an 8-bit read is all ones", what, a + 3);
	expect_eqf((uint32_t)rd8s(a), ALL_ONES, "%s %#x: MOVSX of a byte is -1", what, a);
	wr32(a, 0x12345678);
	wr16(a, 0x0741);
	wr8(a + 1, 0);
	expect_eqf(rd32(a), ALL_ONES, "%s %#x: writes are dropped", what, a);
}

static void check_legacy_hole(void)
{
	apic_section("the legacy hole: VGA window 0xa0000-0xbffff, option ROMs 0xc0000-0xdffff");
	expect_absent("VGA window", GUEST_LEGACY_HOLE_BASE);
	expect_absent("VGA text buffer", 0xb8000);
	expect_absent("VGA window end", GUEST_VGA_WINDOW_END - 4);
	expect_absent("option-ROM area", GUEST_VGA_WINDOW_END);
	expect_absent("option-ROM area end", GUEST_LEGACY_HOLE_END - 4);
	wr32(GUEST_LEGACY_HOLE_BASE - 4, 0x5a5a5a5a);
	expect_eq("RAM just below 640 KiB keeps what is written", rd32(GUEST_LEGACY_HOLE_BASE - 4), 0x5a5a5a5a);
	expect_eq("the firmware area above the hole reads its RSDP", rd32(GUEST_FIRMWARE_BASE),
	          0x20445352); /* "RSD " */
}

/* ---- vCPU 1 keeps its APIC at 0xfee00000 ---- */

enum ap_cmd { AP_NONE, AP_CHECK_AWAY, AP_CHECK_BACK, AP_DONE };
static volatile uint32_t ap_cmd, ap_ack, ap_ready;

/* vCPU 1 reads its registers at the default page, while vCPU 0's APIC is away (away) or back. */
static void ap_check(bool away)
{
	uint32_t v = 0;
	uint64_t cost = ept_cost_of_read(1, APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_VERSION), &v);

	remote_expect_eq(1,
	                 away ? "vCPU 0 away: version at 0xfee00030 is its APIC's"
	                      : "vCPU 0 back: version at 0xfee00030 is its APIC's",
	                 v, suite.version);
	if (away)
		remote_expect_eq(1, "vCPU 0 away: reached through an EPT violation (no APIC-access page)", cost, 1);
	else
		remote_expect_eq(1, "vCPU 0 back: an EPT violation only in mode emulated (the page is mapped again)",
		                 cost, s_after[1].apicv_mode == HC_APICV_EMULATED);
	wr32(APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_TPR), away ? TPR_TEST : 0);
	remote_expect_eq(1, away ? "vCPU 0 away: its TPR takes a write" : "vCPU 0 back: its TPR takes a write",
	                 rd32(APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_TPR)), away ? TPR_TEST : 0);
}

static void ap_run(unsigned cpu)
{
	uint32_t seen = 0;

	(void)cpu;
	ap_ready = 1;
	for (;;) {
		cli(); /* Bochs 2.7 takes host kicks in a spin only when it touches IF (platform notes) */
		uint32_t c = ap_cmd;
		if (c == seen || c == AP_NONE) {
			cpu_relax();
			continue;
		}
		seen = c;
		if (c == AP_DONE)
			break;
		ap_check(c == AP_CHECK_AWAY);
		ap_ack = c;
	}
	ap_ack = AP_DONE;
}

static bool ap_do(uint32_t cmd)
{
	uint64_t t0 = rdtsc();

	if (suite.cpus < 2)
		return true;
	ap_cmd = cmd;
	while (ap_ack != cmd && rdtsc() - t0 < suite_wait_ticks()) {
		cli();
		cpu_relax();
	}
	return expect_eqf(ap_ack, cmd, "vCPU 1 did its part (%u)", cmd);
}

/* ---- vCPU 0's APIC: disabled, x2APIC, moved ---- */

static void set_base(uint64_t v)
{
	expect_fault("WRMSR IA32_APIC_BASE", wrmsr_safe(MSR_IA32_APICBASE, v), GUEST_NO_FAULT);
}

/* Back to xAPIC mode at 0xfee00000 from any mode, and set up again (a disable resets the APIC). */
static void back_to_default(void)
{
	set_base(APIC_BASE_DEFAULT);
	set_base(APIC_BASE_DEFAULT | APIC_BASE_ENABLE);
	apic_use(GUEST_APIC_XAPIC, APIC_BASE_DEFAULT);
	apic_suite_setup_local();
}

static void expect_apic_page_works(const char *what)
{
	uint32_t v = 0;
	uint64_t cost = ept_cost_of_read(0, APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_VERSION), &v);

	expect_eqf(v, suite.version, "%s: the version register reads at 0xfee00030", what);
	expect_eqf(cost, emulated_mode(), "%s: an EPT violation only in mode emulated (APIC-access page mapped)", what);
}

static void check_disabled(void)
{
	apic_section("a disabled APIC's page (SDM Vol. 3, 11.4.3): no device");
	expect_apic_page_works("before");
	set_base(APIC_BASE_DEFAULT); /* EN clear */
	expect_absent("disabled APIC, version", APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_VERSION));
	expect_absent("disabled APIC, TPR", APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_TPR));
	expect_absent("disabled APIC, the rest of its range", APIC_BASE_DEFAULT + 0x10000);
	expect_true("vCPU 1 reads its own APIC meanwhile", ap_do(AP_CHECK_AWAY));
	set_base(APIC_BASE_DEFAULT | APIC_BASE_ENABLE);
	expect_eq("enabled again: TPR is 0 (the write while disabled went nowhere)",
	          rd32(APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_TPR)), 0);
	back_to_default();
	expect_apic_page_works("enabled again");
	expect_true("vCPU 1 reads its own APIC after", ap_do(AP_CHECK_BACK));
}

static void check_x2apic(void)
{
	apic_section("in x2APIC mode the xAPIC page is no device (SDM Vol. 3, 11.12.1)");
	if (!suite.cpu_x2apic) {
		guest_puts("# CPUID.1:ECX.x2APIC is 0: skipped\n");
		return;
	}
	set_base(APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_EXTD);
	expect_absent("x2APIC mode, version", APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_VERSION));
	expect_eq("x2APIC mode: the version MSR reads", (uint32_t)rdmsr(APIC_X2APIC_MSR(APIC_REG_VERSION)),
	          suite.version);
	back_to_default();
	expect_apic_page_works("xAPIC again");
}

static void moved_handler(uint8_t v) { (void)v, apic_eoi(); }

static void check_moved(void)
{
	apic_section("a moved APIC base (SDM Vol. 3, 11.4.4): the APIC there, no device at the old page");
	set_base(MOVED_BASE | APIC_BASE_ENABLE);
	apic_use(GUEST_APIC_XAPIC, MOVED_BASE);
	expect_eq("IA32_APIC_BASE holds the new base", apic_base_msr() & APIC_BASE_ADDR_MASK, MOVED_BASE);
	expect_eq("the version register reads at the new base", apic_read(APIC_REG_VERSION), suite.version);
	apic_write(APIC_REG_TPR, TPR_TEST);
	expect_eq("TPR at the new base takes a write", apic_read(APIC_REG_TPR), TPR_TEST);
	expect_absent("old page, version", APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_VERSION));
	wr32(APIC_BASE_DEFAULT + APIC_OFF(APIC_REG_TPR), TPR_OTHER);
	expect_eq("a TPR write at the old page changes nothing", apic_read(APIC_REG_TPR), TPR_TEST);
	apic_write(APIC_REG_TPR, 0);
	apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | SUITE_VEC_SPURIOUS);
	irq_reset();
	irq_set_handler(VEC_MOVED, moved_handler);
	expect_true("a self-IPI through the ICR at the new base", apic_send_self(VEC_MOVED));
	sti();
	irq_wait(0, VEC_MOVED, 1, suite_wait_ticks());
	cli();
	expect_eq("... is delivered", irq_count(0, VEC_MOVED), 1);
	expect_true("vCPU 1 reads its own APIC meanwhile", ap_do(AP_CHECK_AWAY));
	set_base(RAM_BASE_MOVE | APIC_BASE_ENABLE);
	wr32(RAM_BASE_MOVE + APIC_OFF(APIC_REG_TPR), TPR_OTHER);
	expect_eq("a base inside RAM is not trapped: the RAM keeps the write",
	          rd32(RAM_BASE_MOVE + APIC_OFF(APIC_REG_TPR)), TPR_OTHER);
	back_to_default();
	expect_apic_page_works("back at 0xfee00000");
	expect_true("vCPU 1 reads its own APIC after", ap_do(AP_CHECK_BACK));
}

static bool end_in_x2apic(const char *cmdline)
{
	size_t len;
	const char *v = cmdline_find(cmdline, "end", &len);

	return suite.cpu_x2apic && v && len == 6 && hv_strncmp(v, "x2apic", 6) == 0;
}

static void start_ap(void)
{
	if (suite.cpus < 2 || suite.madt.cpus < 2) {
		guest_printf("# %s: one vCPU (cpus=%u): the second vCPU's view skipped\n", suite.name, suite.cpus);
		suite.cpus = 1;
		return;
	}
	if (!expect_true("vCPU 1 reports in after INIT-SIPI-SIPI", smp_start_ap(1, suite.madt.apic_ids[1], ap_run)))
		suite.cpus = 1;
	for (unsigned i = 0; i < 100 && !ap_ready; i++)
		udelay(1000);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("holes", "reads all ones and writes dropped where no device answers", mbi);
	apic_suite_setup();
	cli();
	check_legacy_hole();
	start_ap();
	check_disabled();
	check_x2apic();
	check_moved();
	if (suite.cpus >= 2) {
		ap_do(AP_DONE);
		remote_report(1);
	}
	if (!expect_eq("no stray interrupts", irq_stray(0), 0))
		guest_printf("# the last stray vector: %#x\n", irq_stray_vector(0));
	if (end_in_x2apic(guest_cmdline(mbi)))
		set_base(APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_EXTD);
	guest_finish();
}
