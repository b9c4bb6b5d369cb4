/* sources: vmm/debug/dump_vcpu.c vmm/debug/dump_util.c arch/x86/vmx_exit_names.c arch/x86/vmx_caps.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_dump_vcpu.c: the shell's `vcpu <n>` view: mode, flags, segments and events decoded from a snapshot. */
#include "test/unit/fake_console.h"

#include "arch/x86/cpu.h"
#include "arch/x86/vmx_exit.h"
#include "lapic/vlapic.h"
#include "vmm/debug/snapshot.h"

static struct vcpu_snapshot snap;

#define SET(s, f, v)                            \
	do {                                    \
		(s)->vmcs[VMCS_IDX_##f] = (v);  \
		(s)->vmcs_ok[VMCS_IDX_##f] = 1; \
	} while (0)

/* A running vCPU in 64-bit long mode, with IF set; every other field not read. */
static struct vcpu_snapshot *long_mode(void)
{
	struct vcpu_snapshot *s = &snap;

	memset(s, 0, sizeof(*s));
	text_len = 0;
	text[0] = 0;
	s->cpu = 2;
	s->has_vcpu = true;
	strcpy(s->guest, "linux");
	s->vcpu_index = 1;
	s->state = VCPU_RUNNABLE;
	s->apicv_mode = VMX_APICV_POSTED;
	s->launched = true;
	s->vmcs_current = true;
	s->timer_next = VLAPIC_NEVER;
	s->tsc = 1000;
	SET(s, GUEST_CR0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG);
	SET(s, GUEST_CR4, CR4_PAE | CR4_VMXE | CR4_OSXSAVE);
	SET(s, GUEST_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NX);
	SET(s, GUEST_CS_SELECTOR, 0x10);
	SET(s, GUEST_CS_AR_BYTES, 0xa09b); /* code, execute/read, accessed, S, DPL 0, P, L, G */
	SET(s, GUEST_RFLAGS, RFLAGS_IF | (1u << 1));
	SET(s, GUEST_RIP, 0xffffffff81000000ull);
	return s;
}

static void test_long_mode(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = long_mode();

	dump_vcpu(s);
	has(line("cpu 2:"), "guest linux, vcpu 1: running, apicv posted, launched");
	assert_string_equal(line("mode"), "mode    long mode 64-bit, 4-level paging");
	has(line("rip"), "0xffffffff81000000");
	assert_string_equal(line("rflags"), "rflags  0x0000000000000202 [IF] IOPL 0");
	has(line("cr0"), "[PE MP ET NE WP AM PG]");
	has(line("cr4"), "[PAE VMXE OSXSAVE]");
	has(line("cr3"), "efer 0x0000000000000d01 [SCE LME LMA NXE]");
	assert_string_equal(
	        line("cs "),
	        "cs   0x0010   -                  -          0x0a09b code readable accessed, DPL 0 [S P L G]");
	assert_string_equal(line("ds "), "ds   -        -                  -          -      ");
	has(line("dr7"), "dr7     -    "); /* not read: "-", padded */
	assert_string_equal(line("nmi pending"), "nmi pending 0, wake none, apic timer not armed");
	s->timer_counting = true; /* a masked countdown: the model asks no exit for it, but it runs */
	text_len = 0;
	text[0] = 0;
	dump_vcpu(s);
	assert_string_equal(line("nmi pending"), "nmi pending 0, wake none, apic timer counting, masked: never due");
}

static void test_other_modes(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = long_mode();

	SET(s, GUEST_CS_AR_BYTES, 0xc09b); /* D, not L */
	dump_vcpu(s);
	assert_string_equal(line("mode"), "mode    compatibility mode 32-bit, 4-level paging");

	s = long_mode();
	SET(s, GUEST_IA32_EFER, 0);
	SET(s, GUEST_CR0, CR0_PE);
	SET(s, GUEST_CS_AR_BYTES, 0xc09b);
	dump_vcpu(s);
	assert_string_equal(line("mode"), "mode    protected mode 32-bit, paging off");

	s = long_mode();
	SET(s, GUEST_IA32_EFER, 0);
	SET(s, GUEST_CR0, CR0_PG | CR0_PE);
	SET(s, GUEST_RFLAGS, RFLAGS_VM | RFLAGS_IF);
	dump_vcpu(s);
	assert_string_equal(line("mode"), "mode    virtual-8086 mode, PAE paging");

	s = long_mode();
	SET(s, GUEST_IA32_EFER, 0);
	SET(s, GUEST_CR0, CR0_ET);
	SET(s, GUEST_CS_AR_BYTES, 0x93);
	dump_vcpu(s);
	assert_string_equal(line("mode"), "mode    real mode, paging off");
}

static void test_rflags(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = long_mode();

	SET(s, GUEST_RFLAGS, RFLAGS_CF | RFLAGS_TF | RFLAGS_DF | RFLAGS_IOPL_MASK | RFLAGS_AC | (1u << 1));
	dump_vcpu(s);
	assert_string_equal(line("rflags"), "rflags  0x0000000000043503 [CF TF DF AC] IOPL 3");
}

static void test_segments(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = long_mode();

	SET(s, GUEST_SS_AR_BYTES, 0xc0f3); /* data, read/write, accessed, DPL 3, D/B, G */
	SET(s, GUEST_FS_AR_BYTES, VMX_AR_UNUSABLE);
	SET(s, GUEST_TR_AR_BYTES, 0x8b);
	SET(s, GUEST_TR_LIMIT, 0x67);
	SET(s, GUEST_ES_AR_BYTES, 0x8095); /* data, expand-down, accessed, no write */
	dump_vcpu(s);
	has(line("ss "), "0x0c0f3 data writable accessed, DPL 3 [S P D/B G]");
	has(line("fs "), "0x10000 unusable");
	has(line("tr "), "0x00000067 0x0008b TSS (busy), DPL 0 [P]");
	has(line("es "), "data expand-down accessed, DPL 0 [S P G]");
}

static void test_events(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = long_mode();

	SET(s, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI | GUEST_INTR_STATE_NMI);
	SET(s, GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	SET(s, IDT_VECTORING_INFO_FIELD, INTR_INFO_VALID_MASK | INTR_TYPE_EXT_INTR | 0x30);
	SET(s, VM_ENTRY_INTR_INFO_FIELD,
	    INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE_MASK | 14);
	SET(s, VM_ENTRY_EXCEPTION_ERROR_CODE, 2);
	SET(s, VM_EXIT_REASON, EXIT_REASON_HLT);
	SET(s, EXIT_QUALIFICATION, 0);
	SET(s, VM_EXIT_INTR_INFO, 0);
	s->nmi_pending = 2;
	s->wake_tsc = 1500;
	s->timer_next = 900;
	dump_vcpu(s);
	assert_string_equal(line("interruptibility"), "interruptibility 0x00000009 [blocking by STI, blocking by NMI]");
	assert_string_equal(line("activity"), "activity         0x00000001 HLT");
	assert_string_equal(line("idt-vectoring"), "idt-vectoring    external interrupt, vector 0x30");
	assert_string_equal(line("next entry injects"),
	                    "next entry injects hardware exception, vector 0x0e, error code 0x00000002");
	assert_string_equal(line("last exit"),
	                    "last exit        HLT (12), qualification 0x0000000000000000, event none");
	assert_string_equal(
	        line("nmi pending"),
	        "nmi pending 2, wake 1500 (+500 from the snapshot), apic timer 900 (-100 from the snapshot)");
}

static void test_failed_entry(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = long_mode();

	SET(s, VM_EXIT_REASON, VMX_EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE);
	dump_vcpu(s);
	has(line("last exit"), "INVALID_STATE (33), VM-entry failure, qualification -");
}

static void test_no_vcpu(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = long_mode();

	s->has_vcpu = false;
	dump_vcpu(s);
	assert_string_equal(text, "cpu 2 runs no vCPU\n");
}

static void test_vmcs_not_current(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = long_mode();

	s->vmcs_current = false; /* the fields set stay unread */
	s->regs.rax = 0x1234;
	s->regs.cr2 = 0xdead000;
	dump_vcpu(s);
	has(line("rax"), "rax  0x0000000000001234");
	has(line("r13"), "cr2  0x000000000dead000");
	has(line("the vCPU's VMCS"), "not current on cpu 2: no VMCS field was read");
	assert_null(strstr(text, "rip"));
	assert_null(strstr(text, "mode "));
	assert_null(strstr(text, "0xffffffff81000000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_long_mode), cmocka_unit_test(test_other_modes),
	        cmocka_unit_test(test_rflags),    cmocka_unit_test(test_segments),
	        cmocka_unit_test(test_events),    cmocka_unit_test(test_failed_entry),
	        cmocka_unit_test(test_no_vcpu),   cmocka_unit_test(test_vmcs_not_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
