/* sources: arch/x86/vmx_exit_names.c */
/* test_intr_info.c: which re-injected events need the VM-entry instruction length (SDM Vol. 3, 25.8.3). */
#include "test/unit/unit.h"

#include "arch/x86/vmx_exit.h"

static void test_instruction_length_by_type(void **state)
{
	(void)state;
	/* Each interruption type of the SDM's table, valid, with a vector and an error code beside it. */
	static const struct {
		uint32_t type;
		bool needs;
	} types[] = {
	        {INTR_TYPE_EXT_INTR, false},      {1u << INTR_INFO_INTR_TYPE_SHIFT, false}, /* reserved */
	        {INTR_TYPE_NMI_INTR, false},      {INTR_TYPE_HARD_EXCEPTION, false},
	        {INTR_TYPE_SOFT_INTR, true},      {INTR_TYPE_PRIV_SW_EXCEPTION, true},      /* INT1: left out before */
	        {INTR_TYPE_SOFT_EXCEPTION, true}, {7u << INTR_INFO_INTR_TYPE_SHIFT, false}, /* other event (MTF) */
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint32_t info = INTR_INFO_VALID_MASK | INTR_INFO_DELIVER_CODE_MASK | types[i].type | 0x0e;
		assert_int_equal(intr_info_needs_instruction_length(info), types[i].needs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_instruction_length_by_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
