/* sources: apicv/mode.c arch/x86/vmx_caps.c vmm/lib/fmt.c vmm/lib/string.c vmm/lib/cmdline.c vmm/lib/parse.c */
/* test_apicv_mode.c: the mode chosen from what the CPU offers, what is built and what apicv= asks. */
#include "test/unit/unit.h"

#include "apicv/mode.h"
#include "vmm/lib/log.h"

/* apicv_init's log lines need the console; these tests call only the pure parts. */
void hv_log(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static void test_parse(void **state)
{
	enum vmx_apicv_mode m = VMX_APICV_POSTED;
	(void)state;
	assert_true(apicv_parse_mode("emulated", &m));
	assert_int_equal(m, VMX_APICV_EMULATED);
	assert_true(apicv_parse_mode("tpr", &m));
	assert_int_equal(m, VMX_APICV_TPR);
	assert_true(apicv_parse_mode("vid", &m));
	assert_int_equal(m, VMX_APICV_VID);
	assert_true(apicv_parse_mode("posted", &m));
	assert_int_equal(m, VMX_APICV_POSTED);
	m = VMX_APICV_VID;
	assert_false(apicv_parse_mode("", &m));
	assert_false(apicv_parse_mode("TPR", &m));
	assert_false(apicv_parse_mode("none", &m));
	assert_false(apicv_parse_mode("posted2", &m));
	assert_int_equal(m, VMX_APICV_VID); /* untouched on failure */
}

/* Every (offered, asked) pair: never above what the CPU offers, what is built, or what was asked. */
static void test_choice_is_the_minimum(void **state)
{
	char why[128];
	(void)state;
	for (enum vmx_apicv_mode offered = VMX_APICV_EMULATED; offered <= VMX_APICV_POSTED; offered++) {
		enum vmx_apicv_mode none = apicv_choose(offered, NULL, why, sizeof(why));
		assert_int_equal(none, offered < APICV_BUILT_MAX ? offered : APICV_BUILT_MAX);
		assert_non_null(strstr(why, vmx_apicv_mode_name(none)));
		for (enum vmx_apicv_mode asked = VMX_APICV_EMULATED; asked <= VMX_APICV_POSTED; asked++) {
			enum vmx_apicv_mode m = apicv_choose(offered, &asked, why, sizeof(why));
			enum vmx_apicv_mode want = asked < none ? asked : none;
			assert_int_equal(m, want);
			assert_true(strncmp(why, vmx_apicv_mode_name(m), strlen(vmx_apicv_mode_name(m))) == 0);
		}
	}
}

static void test_reasons(void **state)
{
	char why[128];
	enum vmx_apicv_mode asked = VMX_APICV_EMULATED;
	(void)state;
	assert_int_equal(apicv_choose(VMX_APICV_TPR, &asked, why, sizeof(why)), VMX_APICV_EMULATED);
	assert_string_equal(why, "emulated, as apicv= asks (the CPU offers tpr)");
	asked = VMX_APICV_VID;
	assert_int_equal(apicv_choose(VMX_APICV_TPR, &asked, why, sizeof(why)), VMX_APICV_TPR);
	assert_string_equal(why, "tpr: apicv=vid asks for more than the CPU offers");
	assert_int_equal(apicv_choose(VMX_APICV_EMULATED, NULL, why, sizeof(why)), VMX_APICV_EMULATED);
	assert_string_equal(why, "emulated: the best the CPU offers");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse),
	        cmocka_unit_test(test_choice_is_the_minimum),
	        cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests_name("apicv_mode", tests, NULL, NULL);
}
