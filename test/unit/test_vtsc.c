/* sources: vmm/partition/vtsc.c */
/* test_vtsc.c: a vCPU's TSC: the offset, IA32_TSC and IA32_TSC_ADJUST writes, TSC-deadline conversion. */
#include "test/unit/unit.h"

#include "vmm/partition/vtsc.h"

static struct vtsc t;

static int setup(void **state)
{
	(void)state;
	t = (struct vtsc){.offset = 0x1234, .adjust = 0x99};
	vtsc_reset(&t);
	return 0;
}

static void test_reset_is_the_host_tsc(void **state)
{
	(void)state;
	assert_int_equal(t.offset, 0);
	assert_int_equal(t.adjust, 0);
	assert_int_equal(vtsc_guest(&t, 5000), 5000);
}

/* WRMSR IA32_TSC: the guest reads what it wrote, then counts on with the host; TSC_ADJUST moves by as much. */
static void test_write_tsc(void **state)
{
	(void)state;
	vtsc_write_tsc(&t, 100, 5000);
	assert_int_equal(vtsc_guest(&t, 5000), 100);
	assert_int_equal(vtsc_guest(&t, 5100), 200);
	assert_int_equal(t.adjust, (uint64_t)100 - 5000);
	vtsc_write_tsc(&t, 1000000, 5100); /* forward: the adjust now is 1000000 - 5100 */
	assert_int_equal(vtsc_guest(&t, 5100), 1000000);
	assert_int_equal(t.adjust, 1000000 - 5100);
}

/* WRMSR IA32_TSC_ADJUST adds its change to the TSC (SDM Vol. 3, 17.17.3); reading it back gives the value. */
static void test_write_adjust(void **state)
{
	(void)state;
	vtsc_write_adjust(&t, 300);
	assert_int_equal(t.adjust, 300);
	assert_int_equal(vtsc_guest(&t, 1000), 1300);
	vtsc_write_adjust(&t, (uint64_t)-200); /* back by 500 */
	assert_int_equal(vtsc_guest(&t, 1000), 800);
	vtsc_write_tsc(&t, 50, 1000);
	assert_int_equal(t.adjust, (uint64_t)-200 - 750);
	vtsc_write_adjust(&t, 0);
	assert_int_equal(vtsc_guest(&t, 1000), 1000); /* TSC_ADJUST 0 again: the host's TSC again */
}

static void test_deadline_round_trip(void **state)
{
	(void)state;
	vtsc_write_tsc(&t, 1000000, 5000); /* offset 995000 */
	uint64_t host = vtsc_deadline_to_host(&t, 1000500, 5000);
	assert_int_equal(host, 5500);
	assert_int_equal(vtsc_deadline_to_guest(&t, host), 1000500);
	assert_int_equal(vtsc_deadline_to_host(&t, 0, 5000), 0); /* 0 disarms */
	assert_int_equal(vtsc_deadline_to_guest(&t, 0), 0);
}

/* A deadline at or before the guest's TSC is due now, even where guest - offset would wrap into the future. */
static void test_deadline_in_the_past(void **state)
{
	(void)state;
	vtsc_write_tsc(&t, 1ull << 63, 5000); /* guest far ahead of the host */
	assert_int_equal(vtsc_deadline_to_host(&t, 1, 5000), 5000);
	assert_int_equal(vtsc_deadline_to_host(&t, 1ull << 63, 5000), 5000);
	assert_int_equal(vtsc_deadline_to_host(&t, (1ull << 63) + 7, 5000), 5007);
	vtsc_reset(&t);
	vtsc_write_tsc(&t, 10, 0);
	assert_int_equal(vtsc_deadline_to_host(&t, 3, 0), 1); /* never 0: that would disarm */
}

/* A deadline farther ahead than the host TSC can count to is never due. */
static void test_deadline_beyond_range(void **state)
{
	(void)state;
	vtsc_write_tsc(&t, 0, 1000); /* guest behind the host by 1000 */
	assert_int_equal(vtsc_deadline_to_host(&t, UINT64_MAX, 1000), UINT64_MAX);
	assert_int_equal(vtsc_deadline_to_host(&t, UINT64_MAX - 1000, 1000), UINT64_MAX);
	assert_int_equal(vtsc_deadline_to_host(&t, UINT64_MAX - 1001, 1000), UINT64_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_reset_is_the_host_tsc, setup),
	        cmocka_unit_test_setup(test_write_tsc, setup),
	        cmocka_unit_test_setup(test_write_adjust, setup),
	        cmocka_unit_test_setup(test_deadline_round_trip, setup),
	        cmocka_unit_test_setup(test_deadline_in_the_past, setup),
	        cmocka_unit_test_setup(test_deadline_beyond_range, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
