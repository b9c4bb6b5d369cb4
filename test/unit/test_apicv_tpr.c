/* sources: apicv/tpr.c */
/* test_apicv_tpr.c: the TPR threshold against the SDM's rule, for every pending vector and TPR. */
#include "test/unit/unit.h"

#include "apicv/tpr.h"

static void test_nothing_pending(void **state)
{
	(void)state;
	for (uint32_t tpr = 0; tpr < 256; tpr++)
		assert_int_equal(apicv_tpr_threshold(-1, tpr), 0);
}

/*
 * For every pending vector and VTPR: the threshold never exceeds VTPR[7:4]
 * (a VM-entry check), and a later TPR write exits exactly when it lets the
 * pending vector through (new class below the threshold).
 */
static void test_exit_exactly_when_a_write_unmasks(void **state)
{
	(void)state;
	for (int vec = 16; vec < 256; vec++) {
		for (uint32_t tpr = 0; tpr < 256; tpr++) {
			uint32_t th = apicv_tpr_threshold(vec, tpr);
			assert_true(th <= (tpr >> 4));
			bool held = ((unsigned)vec >> 4) <= (tpr >> 4);
			for (uint32_t next = 0; next < 256; next += 0x10) {
				bool exits = (next >> 4) < th;
				bool unmasks = held && ((unsigned)vec >> 4) > (next >> 4);
				assert_int_equal(exits, unmasks);
			}
		}
	}
}

static void test_examples(void **state)
{
	(void)state;
	assert_int_equal(apicv_tpr_threshold(0x45, 0x50), 4); /* held back: a write below 0x40 exits */
	assert_int_equal(apicv_tpr_threshold(0x55, 0x50), 5); /* same class: held back */
	assert_int_equal(apicv_tpr_threshold(0x65, 0x50), 0); /* deliverable now: no TPR write needs to exit */
	assert_int_equal(apicv_tpr_threshold(0x20, 0x2f), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_nothing_pending),
	        cmocka_unit_test(test_exit_exactly_when_a_write_unmasks),
	        cmocka_unit_test(test_examples),
	};
	return cmocka_run_group_tests_name("apicv_tpr", tests, NULL, NULL);
}
