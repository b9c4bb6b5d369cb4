/* sources: vmm/exit/hc_policy.c */
/* test_hc_policy.c: CPL 0 may make every hypercall; user space only the statistics calls, and only when allowed. */
#include "test/unit/unit.h"

#include "vmm/exit/hypercall.h"

static const uint32_t all_calls[] = {HC_VERSION,     HC_WAKE_AFTER,  HC_IOAPIC_LINE, HC_EXIT_STATS, HC_ROOT_CYCLES,
                                     HC_START_COUNT, HC_ROOT_PHASES, 0x1234,         0xffffffffu};

static void test_cpl0_may_make_every_call(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(all_calls) / sizeof(all_calls[0]); i++) {
		assert_true(hc_permitted(all_calls[i], 0, false));
		assert_true(hc_permitted(all_calls[i], 0, true));
	}
}

static void test_user_space_is_refused_without_user_stats(void **state)
{
	(void)state;
	for (unsigned cpl = 1; cpl <= 3; cpl++)
		for (size_t i = 0; i < sizeof(all_calls) / sizeof(all_calls[0]); i++)
			assert_false(hc_permitted(all_calls[i], cpl, false));
}

static void test_user_stats_opens_the_statistics_calls_only(void **state)
{
	(void)state;
	for (unsigned cpl = 1; cpl <= 3; cpl++) {
		assert_true(hc_permitted(HC_VERSION, cpl, true));
		assert_true(hc_permitted(HC_EXIT_STATS, cpl, true));
		assert_true(hc_permitted(HC_ROOT_CYCLES, cpl, true));
		assert_true(hc_permitted(HC_ROOT_PHASES, cpl, true));
		/* A device line, a wake-up timer or the start count stay the kernel's. */
		assert_false(hc_permitted(HC_WAKE_AFTER, cpl, true));
		assert_false(hc_permitted(HC_IOAPIC_LINE, cpl, true));
		assert_false(hc_permitted(HC_START_COUNT, cpl, true));
		assert_false(hc_permitted(0x1234, cpl, true));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cpl0_may_make_every_call),
	        cmocka_unit_test(test_user_space_is_refused_without_user_stats),
	        cmocka_unit_test(test_user_stats_opens_the_statistics_calls_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
