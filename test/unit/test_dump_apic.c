/* sources: vmm/debug/dump_apic.c vmm/debug/dump_util.c arch/x86/vmx_caps.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_dump_apic.c: the shell's `apic <n>` view: registers decoded, and the summary's reason an interrupt waits. */
#include "test/unit/fake_console.h"

#include "arch/x86/cpu.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_exit.h"
#include "arch/x86/apic_regs.h"
#include "lapic/vlapic.h"
#include "vmm/debug/snapshot.h"

static struct vcpu_snapshot snap;

#define SET(s, f, v)                            \
	do {                                    \
		(s)->vmcs[VMCS_IDX_##f] = (v);  \
		(s)->vmcs_ok[VMCS_IDX_##f] = 1; \
	} while (0)

static void apic_set(struct vcpu_snapshot *s, enum apic_reg r, uint32_t v)
{
	memcpy(&s->apic_page[APIC_MMIO_OFFSET(r)], &v, sizeof(v));
}

/* Set vector v in ISR, TMR or IRR (first: its register 0). */
static void apic_vector(struct vcpu_snapshot *s, enum apic_reg first, unsigned v)
{
	uint32_t r = snap_apic_reg(s, APIC_MMIO_OFFSET(first + v / 32));

	apic_set(s, first + v / 32, r | 1u << (v % 32));
}

/* An emulated-mode vCPU in xAPIC mode with nothing pending, IF set, the VMCS read. */
static struct vcpu_snapshot *emulated(void)
{
	struct vcpu_snapshot *s = &snap;

	memset(s, 0, sizeof(*s));
	text_len = 0;
	text[0] = 0;
	s->cpu = 1;
	s->has_vcpu = true;
	strcpy(s->guest, "linux");
	s->apicv_mode = VMX_APICV_EMULATED;
	s->vmcs_current = true;
	s->timer_next = VLAPIC_NEVER;
	s->apic_base_msr = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_BSP;
	apic_set(s, APIC_REG_ID, 0);
	apic_set(s, APIC_REG_VERSION, 0x50014);
	apic_set(s, APIC_REG_SVR, APIC_SVR_ENABLE | 0xff);
	apic_set(s, APIC_REG_DFR, 0xffffffff);
	SET(s, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_HLT_EXITING | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	SET(s, SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_EPT);
	SET(s, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK);
	SET(s, GUEST_RFLAGS, RFLAGS_IF | (1u << 1));
	SET(s, GUEST_INTERRUPTIBILITY_INFO, 0);
	SET(s, VM_ENTRY_INTR_INFO_FIELD, 0);
	return s;
}

/* The mode vid: TPR shadow and virtual-interrupt delivery on. */
static struct vcpu_snapshot *vid(uint16_t intr_status)
{
	struct vcpu_snapshot *s = emulated();

	s->apicv_mode = VMX_APICV_VID;
	SET(s, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	SET(s, SECONDARY_VM_EXEC_CONTROL,
	    SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES | SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
	SET(s, GUEST_INTR_STATUS, intr_status);
	return s;
}

static void test_blocked_by_tpr(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	apic_vector(s, APIC_REG_IRR0, 0x40);
	apic_set(s, APIC_REG_TPR, 0xf0);
	dump_apic(s);
	assert_string_equal(line("IRR"), "IRR     0x40");
	has(line("TPR"), "TPR 0xf0  PPR 0xf0 (computed from TPR and the highest ISR vector");
	has(line("TPR"), "the page holds 0x00, the model's");
	assert_string_equal(line("summary"), "summary: pending: IRR 0x40 (blocked: PPR 0xf0 >= vector class 0x40)");
}

static void test_in_service(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	apic_vector(s, APIC_REG_ISR0, 0x31);
	dump_apic(s);
	assert_string_equal(line("ISR"), "ISR     0x31");
	has(line("TPR"), "TPR 0x00  PPR 0x30");
	assert_string_equal(line("summary"), "summary: in service: 0x31 (awaiting the guest's EOI)");

	/* A vector of the same class waits for it; a higher one gets through. */
	apic_vector(s, APIC_REG_IRR0, 0x35);
	apic_vector(s, APIC_REG_IRR0, 0xa0 + 32); /* 0xc0: ISR words hold 32 vectors each */
	text_len = 0;
	dump_apic(s);
	assert_string_equal(line("IRR"), "IRR     0x35 0xc0");
	has(line("summary"), "pending: IRR 0xc0 (deliverable: the hypervisor injects it at the next entry)");

	memset(&s->apic_page[APIC_MMIO_OFFSET(APIC_REG_IRR0)], 0, 8 * 16);
	apic_vector(s, APIC_REG_IRR0, 0x35);
	text_len = 0;
	dump_apic(s);
	assert_string_equal(line("summary"),
	                    "summary: pending: IRR 0x35 (blocked: in service 0x31, PPR 0x30 >= vector class 0x30)");
}

static void test_cpu_blocks(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	apic_vector(s, APIC_REG_IRR0, 0x40);
	SET(s, GUEST_RFLAGS, 1u << 1);
	SET(s, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	dump_apic(s);
	assert_string_equal(line("summary"), "summary: pending: IRR 0x40 (blocked: guest IF=0, blocking by STI)");

	s = emulated();
	apic_vector(s, APIC_REG_IRR0, 0x40);
	s->state = VCPU_HALTED;
	dump_apic(s);
	has(line("summary"), "deliverable, but the vCPU is halted");
}

static void test_nothing(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	dump_apic(s);
	assert_string_equal(line("summary"), "summary: nothing pending");
	assert_string_equal(line("ISR"), "ISR     none");
	has(line("apic:"), "xAPIC, IA32_APIC_BASE 0xfee00900 (base 0xfee00000, BSP)");
	has(line("ID"), "ID      0x00000000 (0)  version 0x00050014: version 0x14, 6 LVT entries");
	has(line("SVR"), "software-enabled, spurious vector 0xff, focus checking on");
	has(line("LDR"), "DFR 0xffffffff (flat)");
	has(line("vmx:"), "TPR shadow off, virtual-interrupt delivery off, posted-interrupt processing off");
	assert_null(strstr(text, "RVI")); /* no VID: RVI and SVI mean nothing */
	assert_null(strstr(text, "EOI-exit"));
}

static void test_lvt_timer(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	apic_set(s, APIC_REG_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC | 0xef);
	apic_set(s, APIC_REG_LVT_LINT0, APIC_LVT_DM_EXTINT | APIC_LVT_TRIGGER_LEVEL | APIC_LVT_REMOTE_IRR);
	apic_set(s, APIC_REG_TIMER_INITIAL, 100000);
	apic_set(s, APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	s->timer_current = 4242;
	dump_apic(s);
	assert_string_equal(line("LVT timer"), "LVT timer   0x000300ef: vector 0xef, masked, periodic, idle");
	assert_string_equal(
	        line("LVT LINT0"),
	        "LVT LINT0   0x0000c700: vector 0x00, unmasked, ExtINT, level, active high, remote IRR 1, idle");
	assert_string_equal(line("timer initial"),
	                    "timer initial count 100000, current count 4242, divide 0x3 (by 16)");

	apic_set(s, APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_MASK); /* 1011b: by 1 */
	apic_set(s, APIC_REG_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | 0xec);
	text_len = 0;
	dump_apic(s);
	has(line("timer initial"), "divide 0xb (by 1)");
	has(line("LVT timer"), "vector 0xec, unmasked, TSC-deadline");
	apic_set(s, APIC_REG_TIMER_DIVIDE, 0x8); /* 1000b: by 32 */
	text_len = 0;
	dump_apic(s);
	has(line("timer initial"), "(by 32)");
}

static void test_pir(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = vid(0);

	s->apicv_mode = VMX_APICV_POSTED;
	SET(s, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK | PIN_BASED_POSTED_INTR);
	SET(s, POSTED_INTR_NV, 0xf2);
	SET(s, POSTED_INTR_DESC_ADDR, 0x123000);
	s->pi.pir[1] = 1ull << (0x45 - 64);
	s->pi.control = PI_ON;
	s->pi.nv = 0xf2;
	s->pi.ndst = 1u << 8;
	dump_apic(s);
	assert_string_equal(
	        line("PI descriptor"),
	        "PI descriptor: PIR 0x45; ON 1, SN 0, NV 0xf2, NDST 0x00000100 (xAPIC ID 1, or x2APIC ID 256)");
	has(line("vmx:"), "posted-interrupt processing on");
	assert_string_equal(line("POSTED_INTR_NV"), "POSTED_INTR_NV 0xf2  POSTED_INTR_DESC_ADDR 0x123000");
	assert_string_equal(line("summary"),
	                    "summary: in PIR only: 0x45 (ON 1: awaiting the notification or the next entry)");
}

static void test_x2apic(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	s->apic_base_msr = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_EXTD;
	apic_set(s, APIC_REG_ID, 0x105);
	apic_set(s, APIC_REG_LDR, 0x10020);
	apic_set(s, APIC_REG_ICR_LOW, APIC_ICR_DM_NMI | APIC_ICR_LEVEL_ASSERT);
	apic_set(s, APIC_REG_ICR_HIGH, 0x105);
	s->pi.ndst = 0x105;
	dump_apic(s);
	has(line("apic:"), "x2APIC");
	has(line("ID"), "ID      0x00000105 (261)");
	assert_string_equal(line("LDR"), "LDR 0x00010020 (cluster 0x1, ID 0x0020)");
	has(line("ICR"), "NMI, physical, idle, assert, edge, no shorthand, destination 0x105");
	has(line("PI descriptor"), "NDST 0x00000105 (x2APIC ID 261)");

	s = emulated();
	apic_set(s, APIC_REG_ID, 3u << 24);
	dump_apic(s);
	has(line("ID"), "ID      0x03000000 (3)");

	s->apic_base_msr = APIC_BASE_DEFAULT;
	text_len = 0;
	dump_apic(s);
	has(line("apic:"), "disabled");
	has(line("summary"), "APIC disabled");
}

static void test_vid(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = vid(0x3140); /* SVI 0x31, RVI 0x40 */

	apic_vector(s, APIC_REG_IRR0, 0x40);
	apic_vector(s, APIC_REG_ISR0, 0x31);
	s->eoi_exit[0] = 1ull << 0x31;
	SET(s, GUEST_RFLAGS, 1u << 1);
	SET(s, TPR_THRESHOLD, 0);
	dump_apic(s);
	assert_string_equal(line("RVI"), "RVI 0x40  SVI 0x31");
	assert_string_equal(line("EOI-exit"), "EOI-exit bitmap 0x31");
	has(line("TPR_THRESHOLD"), "0x0");
	has(line("TPR"), "PPR 0x30 (VPPR computed from VTPR and SVI");
	assert_string_equal(line("summary"), "summary: pending: RVI 0x40 (blocked: guest IF=0)");

	apic_set(s, APIC_REG_TPR, 0x40);
	text_len = 0;
	dump_apic(s);
	assert_string_equal(line("summary"), "summary: pending: RVI 0x40 (blocked: VPPR 0x40 >= vector class 0x40)");
}

/* Between an exit and the next entry the page may be ahead of GUEST_INTR_STATUS: the summary takes the higher. */
static void test_vid_rvi_lags(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = vid(0);

	apic_vector(s, APIC_REG_IRR0, 0x40);
	dump_apic(s);
	assert_string_equal(line("summary"),
	                    "summary: pending: IRR 0x40 (deliverable: the CPU delivers it when the guest "
	                    "runs, SDM 30.2.1); RVI/SVI 0x00/0x00 lag VIRR/VISR 0x40/0x00 until the next entry");
}

static void test_tpr_shadow_ppr(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	s->apicv_mode = VMX_APICV_TPR;
	SET(s, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	SET(s, TPR_THRESHOLD, 4);
	apic_set(s, APIC_REG_TPR, 0xf0); /* the guest's write: the CPU leaves PPR alone */
	apic_vector(s, APIC_REG_IRR0, 0x40);
	dump_apic(s);
	has(line("TPR"), "PPR 0xf0 (computed");
	has(line("TPR"), "the page holds 0x00, which the CPU does not maintain with TPR shadow only");
	assert_string_equal(line("TPR_THRESHOLD"), "TPR_THRESHOLD 0x4");
	has(line("summary"), "blocked: PPR 0xf0");
}

static void test_inbox(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	s->inbox_level[0] = 1ull << 0x38;
	s->inbox_mail = PI_MAIL_NMI | PI_MAIL_SIPI;
	dump_apic(s);
	assert_string_equal(line("inbox"), "inbox: level 0x38; mail [NMI SIPI]");
	assert_string_equal(line("summary"), "summary: in the inbox (level): 0x38; in the inbox: mail [NMI SIPI]");
}

/* The NMIs the hypervisor holds, counted as the CPU counts them (one or two: SDM Vol. 3, 6.7.1). */
static void test_nmis_held(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	s->nmi_pending = 1;
	dump_apic(s);
	assert_string_equal(line("summary"), "summary: 1 NMI held until the guest can take it");
	s = emulated();
	s->nmi_pending = 2;
	dump_apic(s);
	assert_string_equal(line("summary"), "summary: 2 NMIs held until the guest can take them");
}

static void test_no_vcpu(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = emulated();

	s->has_vcpu = false;
	dump_apic(s);
	assert_string_equal(text, "cpu 1 runs no vCPU\n");
}

static void test_vmcs_not_current(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = vid(0x40);

	s->vmcs_current = false;
	apic_vector(s, APIC_REG_IRR0, 0x40);
	dump_apic(s);
	assert_string_equal(line("vmx:"), "vmx: the VMCS was not current: no VMCS field was read");
	assert_null(strstr(text, "RVI"));
	assert_string_equal(line("IRR"), "IRR     0x40"); /* the page is no VMCS field */
	has(line("summary"), "pending: IRR 0x40 (deliverable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_blocked_by_tpr), cmocka_unit_test(test_in_service),
	        cmocka_unit_test(test_cpu_blocks),     cmocka_unit_test(test_nothing),
	        cmocka_unit_test(test_lvt_timer),      cmocka_unit_test(test_pir),
	        cmocka_unit_test(test_x2apic),         cmocka_unit_test(test_vid),
	        cmocka_unit_test(test_vid_rvi_lags),   cmocka_unit_test(test_tpr_shadow_ppr),
	        cmocka_unit_test(test_inbox),          cmocka_unit_test(test_nmis_held),
	        cmocka_unit_test(test_no_vcpu),        cmocka_unit_test(test_vmcs_not_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
