/* sources: vmm/lib/cost_hist.c */
/* test_cost_hist.c: buckets of the cycle histogram, and percentiles within a bucket's width. */
#include "test/unit/unit.h"

#include "vmm/lib/cost_hist.h"

/* Buckets tile the values: each starts where the one before ends, and a value falls in its own. */
static void test_buckets_tile(void **state)
{
	(void)state;
	for (unsigned b = 0; b + 1 < COST_HIST_BUCKETS; b++) {
		assert_true(cost_hist_low(b) < cost_hist_low(b + 1));
		assert_int_equal(cost_hist_bucket(cost_hist_low(b)), b);
		assert_int_equal(cost_hist_bucket(cost_hist_low(b + 1) - 1), b);
	}
	assert_int_equal(cost_hist_bucket(0), 0);
	assert_int_equal(cost_hist_bucket(5), 5);            /* [5, 6) */
	assert_int_equal(cost_hist_low(16), 32);             /* 2^5: bucket 4 * (5 - 1) */
	assert_int_equal(cost_hist_bucket(1000), 4 * 8 + 3); /* 2^9 = 512: 896 <= 1000 < 1024 */
	assert_int_equal(cost_hist_bucket(~0ull), COST_HIST_BUCKETS - 1);
	assert_int_equal(cost_hist_bucket(1ull << 40), COST_HIST_BUCKETS - 1);
}

/* No bucket is wider than a quarter of the values in it. */
static void test_relative_width(void **state)
{
	(void)state;
	for (unsigned b = COST_HIST_SUB; b + 1 < COST_HIST_BUCKETS; b++) {
		uint64_t lo = cost_hist_low(b), width = cost_hist_low(b + 1) - lo;
		assert_true(width * 4 <= lo);
	}
}

static void test_percentiles(void **state)
{
	(void)state;
	struct cost_hist h = {0};

	assert_int_equal(cost_hist_percentile(&h, 500), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		cost_hist_add(&h, v * 100); /* 100 .. 100000 */
	assert_int_equal(h.count, 1000);
	assert_int_equal(h.total, 100ull * 1000 * 1001 / 2);
	assert_int_equal(h.max, 100000);
	uint64_t median = cost_hist_percentile(&h, 500), p99 = cost_hist_percentile(&h, 990);
	assert_true(median >= 50000 * 7 / 8 && median <= 50000 * 9 / 8); /* within the bucket's width */
	assert_true(p99 >= 99000 * 7 / 8 && p99 <= 100000);
	assert_int_equal(cost_hist_percentile(&h, 1000), 100000); /* capped by the maximum */
	assert_true(cost_hist_percentile(&h, 0) <= 128);
}

static void test_one_sample(void **state)
{
	(void)state;
	struct cost_hist h = {0};

	cost_hist_add(&h, 3);
	assert_int_equal(cost_hist_percentile(&h, 500), 3); /* small values are exact */
	cost_hist_add(&h, 3);
	cost_hist_add(&h, 700);
	assert_int_equal(cost_hist_percentile(&h, 500), 3);
	assert_int_equal(cost_hist_percentile(&h, 990), 700); /* the bucket's middle, capped by the maximum */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_buckets_tile),
	        cmocka_unit_test(test_relative_width),
	        cmocka_unit_test(test_percentiles),
	        cmocka_unit_test(test_one_sample),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
