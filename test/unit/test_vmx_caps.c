/* sources: arch/x86/vmx_caps.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_vmx_caps.c: decoding, interrupt-delivery mode, requirements and report from recorded VMX MSRs. */
#include "test/unit/unit.h"

#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_defs.h"
#include "test/unit/vmx_caps_recorded.h"

/* The report's lines, kept for searching. */
struct lines {
	char text[80][128];
	size_t n;
};

static void collect(void *ctx, const char *line)
{
	struct lines *l = ctx;

	assert_true(l->n < ARRAY_LEN(l->text));
	assert_true(strlen(line) < 100 - sizeof("[cpu0] vmx: ")); /* fits 100 columns after the log prefix */
	snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", line);
}

/* The one line that starts with prefix (after leading spaces); fails if none or several. */
static const char *line_starting(const struct lines *l, const char *prefix)
{
	const char *found = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->text[i] + strspn(l->text[i], " ");
		if (strncmp(s, prefix, strlen(prefix)) == 0) {
			if (found)
				fail_msg("two lines start with \"%s\"", prefix);
			found = s;
		}
	}
	if (!found)
		fail_msg("no line starts with \"%s\"", prefix);
	return found;
}

/* The value column of "label   value": what follows the label and its padding. */
static const char *value_of(const struct lines *l, const char *label)
{
	const char *s = line_starting(l, label) + strlen(label);

	return s + strspn(s, " ");
}

static struct vmx_caps decode(const struct vmx_caps_raw *raw)
{
	struct vmx_caps c;

	memset(&c, 0xa5, sizeof(c)); /* decode must set every field it defines */
	vmx_caps_decode(raw, &c);
	return c;
}

static void test_decode_basic_and_misc(void **state)
{
	(void)state;
	struct vmx_caps c = decode(&corei7_skylake_x);

	assert_int_equal(c.revision, 0x2b);
	assert_int_equal(c.vmcs_size, 4096);
	assert_int_equal(c.vmcs_mem_type, 6); /* write-back, SDM Vol. 3, A.1 */
	assert_false(c.phys_addr_32);
	assert_true(c.true_ctls);
	assert_int_equal(c.preemption_timer_rate, 0);
	assert_true(c.activity_hlt && c.activity_shutdown && c.activity_wait_sipi);
	assert_int_equal(c.cr3_targets, 4);
	assert_int_equal(c.cr0.must1, 0x80000021);
	assert_int_equal(c.cr0.may1, 0xffffffff);
	assert_int_equal(c.cr4.must1, 0x2000);
	assert_int_equal(c.cr4.may1, 0x3727ff);
	assert_int_equal(c.ept_vpid, 0x00000f0106334141);
	assert_int_equal(c.vmfunc, 1);

	c = decode(&corei7_icelake_u);
	assert_int_equal(c.revision, 4);
}

/* must1/may1 come from the TRUE MSRs when BASIC bit 55 is set, else from the plain ones. */
static void test_decode_true_controls(void **state)
{
	(void)state;
	struct vmx_caps c = decode(&corei7_skylake_x);

	assert_int_equal(c.ctl[VMX_CAP_PIN].must1, 0x16);
	assert_int_equal(c.ctl[VMX_CAP_PIN].may1, 0x7f);
	assert_int_equal(c.ctl[VMX_CAP_PROC].must1, 0x04006172); /* TRUE: CR3 exiting may be 0 */
	assert_int_equal(c.ctl[VMX_CAP_PROC].may1, 0xf7f9fffe);
	assert_int_equal(c.ctl[VMX_CAP_EXIT].must1, 0x00036dfb);
	assert_int_equal(c.ctl[VMX_CAP_EXIT].may1, 0x007fffff);
	assert_int_equal(c.ctl[VMX_CAP_ENTRY].must1, 0x000011fb);
	assert_int_equal(c.ctl[VMX_CAP_ENTRY].may1, 0x0000ffff);
	assert_int_equal(c.ctl[VMX_CAP_PROC2].must1, 0);
	assert_int_equal(c.ctl[VMX_CAP_PROC2].may1, 0x02177fff);
	assert_int_equal(c.proc3_may1, 0);

	struct vmx_caps_raw plain = corei7_skylake_x;
	plain.basic &= ~VMX_BASIC_TRUE_CTLS;
	c = decode(&plain);
	assert_false(c.true_ctls);
	assert_int_equal(c.ctl[VMX_CAP_PROC].must1, 0x0401e172);
	assert_true(c.ctl[VMX_CAP_PROC].must1 & CPU_BASED_CR3_LOAD_EXITING);
	assert_int_equal(c.ctl[VMX_CAP_EXIT].must1, 0x00036dff);
	assert_int_equal(c.ctl[VMX_CAP_ENTRY].must1, 0x000011ff);
}

/* Words the primary controls cannot activate decode as empty, whatever their MSR holds. */
static void test_decode_inactive_words(void **state)
{
	(void)state;
	struct vmx_caps_raw r = synthetic_ipiv;
	struct vmx_caps c = decode(&r);

	assert_int_equal(c.proc3_may1, TERTIARY_EXEC_IPI_VIRT);
	assert_true(vmx_has_tertiary(&c, TERTIARY_EXEC_IPI_VIRT));

	r.true_procbased &=
	        ~((uint64_t)(CPU_BASED_ACTIVATE_SECONDARY_CONTROLS | CPU_BASED_ACTIVATE_TERTIARY_CONTROLS) << 32);
	c = decode(&r);
	assert_int_equal(c.proc3_may1, 0);
	assert_int_equal(c.ctl[VMX_CAP_PROC2].may1, 0);
	assert_int_equal(c.ept_vpid, 0);
	assert_int_equal(c.vmfunc, 0);
	assert_false(vmx_has_secondary(&c, SECONDARY_EXEC_ENABLE_EPT));
}

static void test_predicates(void **state)
{
	(void)state;
	struct vmx_caps c = decode(&corei7_skylake_x);

	assert_true(vmx_has_secondary(&c, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY));
	assert_true(vmx_has_secondary(&c, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY | SECONDARY_EXEC_APIC_REGISTER_VIRT));
	assert_false(vmx_has_pin_based(&c, PIN_BASED_POSTED_INTR));
	assert_false(vmx_has_pin_based(&c, PIN_BASED_POSTED_INTR | PIN_BASED_EXT_INTR_MASK)); /* all bits, not any */
	assert_true(vmx_has_cpu_based(&c, CPU_BASED_TPR_SHADOW));
	assert_true(vmx_has_exit(&c, VM_EXIT_ACK_INTR_ON_EXIT));
	assert_true(vmx_has_entry(&c, VM_ENTRY_IA32E_MODE));
	assert_true(vmx_has_ept_vpid(&c, VMX_EPT_PAGE_WALK_4 | VMX_EPT_MT_WB | VMX_EPT_AD_BITS));
	assert_false(vmx_has_ept_vpid(&c, VMX_EPT_PAGE_WALK_5));
	assert_true(vmx_caps_has(&c, VMX_CAP_MISC, VMX_MISC_ACTIVITY_HLT));
	assert_false(vmx_caps_has(&c, VMX_CAP_PIN, 0)); /* no bits: nothing to have */
	/* Bit 9 is VID in the secondary word and host address-space size in the exit word. */
	struct vmx_caps ivy = decode(&corei7_ivy_bridge_3770k);
	assert_false(vmx_has_secondary(&ivy, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY));
	assert_true(vmx_has_exit(&ivy, VM_EXIT_HOST_ADDR_SPACE_SIZE));
}

struct expect {
	const char *model;
	const struct vmx_caps_raw *raw;
	enum vmx_apicv_mode mode;
	const char *reason;
	unsigned n_missing;
	const char *missing;
};

static const struct expect expected[] = {
        {"skylake_x", &corei7_skylake_x, VMX_APICV_VID,
         "vid: virtual-interrupt delivery is available but process posted interrupts is not", 0, ""},
        {"icelake_u", &corei7_icelake_u, VMX_APICV_VID,
         "vid: virtual-interrupt delivery is available but process posted interrupts is not", 0, ""},
        {"tigerlake", &tigerlake, VMX_APICV_VID,
         "vid: virtual-interrupt delivery is available but process posted interrupts is not", 0, ""},
        {"haswell", &corei7_haswell_4770, VMX_APICV_VID,
         "vid: virtual-interrupt delivery is available but process posted interrupts is not", 0, ""},
        {"broadwell", &broadwell_ult, VMX_APICV_VID,
         "vid: virtual-interrupt delivery is available but process posted interrupts is not", 0, ""},
        {"ivy_bridge", &corei7_ivy_bridge_3770k, VMX_APICV_TPR,
         "tpr: TPR shadow is available but virtual-interrupt delivery is not", 0, ""},
        {"sandy_bridge", &corei7_sandy_bridge_2600k, VMX_APICV_TPR,
         "tpr: TPR shadow is available but virtual-interrupt delivery is not", 0, ""},
        {"arrandale", &corei5_arrandale_m520, VMX_APICV_TPR,
         "tpr: TPR shadow is available but virtual-interrupt delivery is not", 0, ""},
        {"lynnfield", &corei5_lynnfield_750, VMX_APICV_TPR,
         "tpr: TPR shadow is available but virtual-interrupt delivery is not", 1, "unrestricted guest"},
        {"penryn", &core2_penryn_t9600, VMX_APICV_TPR,
         "tpr: TPR shadow is available but virtual-interrupt delivery is not", 2, "EPT, unrestricted guest"},
        {"synthetic_posted", &synthetic_posted, VMX_APICV_POSTED,
         "posted: virtual-interrupt delivery and process posted interrupts are available", 0, ""},
        {"synthetic_ipiv", &synthetic_ipiv, VMX_APICV_POSTED,
         "posted: virtual-interrupt delivery and process posted interrupts are available", 0, ""},
};

static void test_modes_and_requirements(void **state)
{
	(void)state;
	char buf[160];

	for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
		const struct expect *e = &expected[i];
		struct vmx_caps c = decode(e->raw);

		if (vmx_caps_apicv_mode(&c) != e->mode)
			fail_msg("%s: mode %s, expected %s", e->model, vmx_apicv_mode_name(vmx_caps_apicv_mode(&c)),
			         vmx_apicv_mode_name(e->mode));
		vmx_caps_apicv_reason(&c, buf, sizeof(buf));
		if (strcmp(buf, e->reason) != 0)
			fail_msg("%s: reason \"%s\"", e->model, buf);
		memset(buf, 'x', sizeof(buf));
		unsigned n = vmx_caps_missing(&c, buf, sizeof(buf));
		if (n != e->n_missing || strcmp(buf, e->missing) != 0)
			fail_msg("%s: %u missing \"%s\", expected %u \"%s\"", e->model, n, buf, e->n_missing,
			         e->missing);
	}
}

/* The mode follows the SDM's dependencies, not the bare VID or posted bit (SDM Vol. 3, 27.2.1.1). */
static void test_mode_dependencies(void **state)
{
	(void)state;
	char buf[128];
	struct vmx_caps c = decode(&synthetic_posted);

	c.ctl[VMX_CAP_EXIT].may1 &= ~VM_EXIT_ACK_INTR_ON_EXIT;
	assert_int_equal(vmx_caps_apicv_mode(&c), VMX_APICV_VID);
	vmx_caps_apicv_reason(&c, buf, sizeof(buf));
	assert_string_equal(buf,
	                    "vid: process posted interrupts is available but acknowledge interrupt on exit is not");

	c = decode(&synthetic_posted);
	c.ctl[VMX_CAP_PIN].may1 &= ~PIN_BASED_EXT_INTR_MASK;
	assert_int_equal(vmx_caps_apicv_mode(&c), VMX_APICV_TPR);
	vmx_caps_apicv_reason(&c, buf, sizeof(buf));
	assert_string_equal(buf, "tpr: virtual-interrupt delivery is available but external-interrupt exiting is not");

	c = decode(&synthetic_posted);
	c.ctl[VMX_CAP_PROC].may1 &= ~CPU_BASED_TPR_SHADOW;
	assert_int_equal(vmx_caps_apicv_mode(&c), VMX_APICV_EMULATED);
	vmx_caps_apicv_reason(&c, buf, sizeof(buf));
	assert_string_equal(buf, "emulated: TPR shadow is not available");

	c = decode(&synthetic_posted);
	c.ctl[VMX_CAP_PROC2].may1 &= ~SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES;
	assert_int_equal(vmx_caps_apicv_mode(&c), VMX_APICV_EMULATED);
	vmx_caps_apicv_reason(&c, buf, sizeof(buf));
	assert_string_equal(buf, "emulated: TPR shadow is available but virtualize APIC accesses is not");

	assert_string_equal(vmx_apicv_mode_name(VMX_APICV_EMULATED), "emulated");
	assert_string_equal(vmx_apicv_mode_name(VMX_APICV_POSTED), "posted");
}

static void test_missing_requirements(void **state)
{
	(void)state;
	char buf[128];
	struct vmx_caps c = decode(&corei7_skylake_x);

	/* No secondary controls: only the root cause is named, not EPT and unrestricted guest under it. */
	c.ctl[VMX_CAP_PROC].may1 &= ~CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	c.ctl[VMX_CAP_ENTRY].may1 &= ~VM_ENTRY_IA32E_MODE;
	assert_int_equal(vmx_caps_missing(&c, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "secondary controls, IA-32e mode guest");

	c = decode(&corei7_skylake_x);
	c.ept_vpid &= ~(VMX_EPT_PAGE_WALK_4 | VMX_EPT_MT_WB);
	c.ctl[VMX_CAP_EXIT].may1 &= ~VM_EXIT_HOST_ADDR_SPACE_SIZE;
	assert_int_equal(vmx_caps_missing(&c, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "EPT 4-level walk, EPT write-back, host address-space size");

	/* A short buffer is cut and terminated; the count stays right. */
	char *small = unit_dup("0123456789", 10);
	assert_int_equal(vmx_caps_missing(&c, small, 10), 3);
	assert_string_equal(small, "EPT 4-lev");
	free(small);
	assert_int_equal(vmx_caps_missing(&c, NULL, 0), 3);
}

/* Static: too big for a test's stack, and nothing to free when an assertion ends the test. */
static struct lines report;

static struct lines *report_of(const struct vmx_caps_raw *raw)
{
	struct vmx_caps c = decode(raw);

	report.n = 0;
	vmx_caps_report(&c, collect, &report);
	return &report;
}

static void test_report_skylake_x(void **state)
{
	(void)state;
	const struct lines *l = report_of(&corei7_skylake_x);

	/* The verdict first, then why, then whether guests can run. */
	assert_string_equal(l->text[0], "VMCS revision 0x2b, 4096 bytes, WB; best interrupt delivery: vid");
	assert_string_equal(l->text[1],
	                    "  vid: virtual-interrupt delivery is available but process posted interrupts is not");
	assert_string_equal(l->text[2], "  guests: can run (EPT, unrestricted guest, 64-bit host and guest)");
	assert_string_equal(value_of(l, "EPT "), "yes");
	assert_string_equal(value_of(l, "page walk"), "4-level yes, 5-level no");
	assert_string_equal(value_of(l, "large pages"), "2M yes, 1G yes");
	assert_string_equal(value_of(l, "accessed and dirty flags"), "yes");
	assert_string_equal(value_of(l, "INVEPT"), "yes  single-context, all-context");
	assert_string_equal(value_of(l, "INVVPID"), "yes  individual-address, single-context, all-context");
	assert_string_equal(value_of(l, "unrestricted guest"), "yes");
	assert_string_equal(value_of(l, "TPR shadow"), "yes");
	assert_string_equal(value_of(l, "virtualize APIC accesses"), "yes");
	assert_string_equal(value_of(l, "virtualize x2APIC mode"), "yes");
	assert_string_equal(value_of(l, "APIC-register virtualization"), "yes");
	assert_string_equal(value_of(l, "virtual-interrupt delivery"), "yes");
	assert_string_equal(value_of(l, "process posted interrupts"), "no");
	assert_string_equal(value_of(l, "IPI virtualization"), "no");
	assert_string_equal(value_of(l, "external-interrupt exiting"), "yes");
	assert_string_equal(value_of(l, "acknowledge interrupt on exit"), "yes");
	assert_string_equal(value_of(l, "VMX-preemption timer"), "yes  rate TSC >> 0, saved on exit yes");
	assert_string_equal(value_of(l, "activity states"), "HLT yes, shutdown yes, wait-for-SIPI yes");
	assert_non_null(strstr(line_starting(l, "VMCS shadowing"), "page-modification log      yes"));
	assert_non_null(strstr(line_starting(l, "EPT-violation #VE"), "XSAVES/XRSTORS             yes"));
	/* Grouped in this order: memory, then APICv, then the rest. */
	assert_true(line_starting(l, "memory virtualization:") < line_starting(l, "APIC virtualization"));
	assert_true(line_starting(l, "APIC virtualization") < line_starting(l, "other controls:"));
}

static void test_report_other_models(void **state)
{
	(void)state;
	const struct lines *l = report_of(&core2_penryn_t9600);

	assert_string_equal(l->text[2], "  guests: cannot run, missing EPT, unrestricted guest");
	assert_string_equal(value_of(l, "EPT "), "no");
	assert_string_equal(value_of(l, "VPID"), "no");
	assert_string_equal(value_of(l, "VMX-preemption timer"), "no");

	l = report_of(&synthetic_ipiv);
	assert_string_equal(value_of(l, "process posted interrupts"), "yes");
	assert_string_equal(value_of(l, "IPI virtualization"), "yes");

	/* A control whose SDM prerequisite is missing says so. */
	struct vmx_caps c = decode(&synthetic_posted);
	c.ctl[VMX_CAP_EXIT].may1 &= ~VM_EXIT_ACK_INTR_ON_EXIT;
	report.n = 0;
	vmx_caps_report(&c, collect, &report);
	assert_string_equal(value_of(l, "process posted interrupts"),
	                    "yes  unusable: needs acknowledge interrupt on exit");

	/* Every record reports without a line too long (collect checks) and with the verdict first. */
	for (size_t i = 0; i < ARRAY_LEN(vmx_recorded); i++) {
		l = report_of(vmx_recorded[i].raw);
		assert_non_null(strstr(l->text[0], "best interrupt delivery: "));
	}
}

static void test_format_raw(void **state)
{
	(void)state;
	struct lines l = {.n = 0};

	vmx_caps_format_raw(&corei7_skylake_x, collect, &l);
	assert_int_equal(l.n, 19);
	assert_string_equal(l.text[0], "raw IA32_VMX_BASIC                   (0x480) = 0x00d810000000002b");
	assert_string_equal(l.text[12], "raw IA32_VMX_EPT_VPID_CAP            (0x48c) = 0x00000f0106334141");
	assert_string_equal(l.text[18], "raw IA32_VMX_PROCBASED_CTLS3         (0x492) = 0x0000000000000000");
}

static void test_equal(void **state)
{
	(void)state;
	const char *diff = "untouched";
	struct vmx_caps_raw a = corei7_skylake_x;

	assert_true(vmx_caps_equal(&corei7_skylake_x, &a, &diff));
	assert_null(diff);
	assert_true(vmx_caps_equal(&corei7_skylake_x, &a, NULL));

	assert_false(vmx_caps_equal(&corei7_skylake_x, &corei7_ivy_bridge_3770k, &diff));
	assert_string_equal(diff, "IA32_VMX_MISC");
	assert_false(vmx_caps_equal(&corei7_skylake_x, &synthetic_posted, &diff));
	assert_string_equal(diff, "IA32_VMX_PINBASED_CTLS");

	a.procbased3 = 1;
	assert_false(vmx_caps_equal(&corei7_skylake_x, &a, &diff));
	assert_string_equal(diff, "IA32_VMX_PROCBASED_CTLS3");
	a.true_exit ^= 1;
	assert_false(vmx_caps_equal(&a, &corei7_skylake_x, &diff));
	assert_string_equal(diff, "IA32_VMX_TRUE_EXIT_CTLS");
	assert_false(vmx_caps_equal(&a, &corei7_skylake_x, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_decode_basic_and_misc),
	        cmocka_unit_test(test_decode_true_controls),
	        cmocka_unit_test(test_decode_inactive_words),
	        cmocka_unit_test(test_predicates),
	        cmocka_unit_test(test_modes_and_requirements),
	        cmocka_unit_test(test_mode_dependencies),
	        cmocka_unit_test(test_missing_requirements),
	        cmocka_unit_test(test_report_skylake_x),
	        cmocka_unit_test(test_report_other_models),
	        cmocka_unit_test(test_format_raw),
	        cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
