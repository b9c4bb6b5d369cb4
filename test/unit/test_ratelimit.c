/* sources: vmm/lib/ratelimit.c */
/* test_ratelimit.c: the log limiter: a burst, then one line per interval, and the count of what was refused. */
#include "test/unit/unit.h"

#include "vmm/lib/ratelimit.h"

static const struct ratelimit_policy policy = {.burst = 10, .interval = 1000};

/* Lines allowed among n at time now (each allowed one adds the count reported with it to *reported). */
static unsigned lines(struct ratelimit *rl, unsigned n, uint64_t now, uint64_t *reported)
{
	unsigned allowed = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t s = 0xdead;
		if (ratelimit_allow(rl, &policy, now, &s)) {
			allowed++;
			*reported += s;
		} else {
			assert_int_equal(s, 0xdead); /* untouched when refused */
		}
	}
	return allowed;
}

/* 2000 lines at once: the burst gets out, every other one is counted, and the count comes out whole. */
static void test_burst_then_count(void **state)
{
	(void)state;
	struct ratelimit rl = {0};
	uint64_t reported = 0;

	assert_int_equal(lines(&rl, 2000, 5000, &reported), 10);
	assert_int_equal(reported, 0);
	assert_int_equal(ratelimit_take_suppressed(&rl), 1990);
	assert_int_equal(ratelimit_take_suppressed(&rl), 0); /* taken once */
}

/* After the burst, one line per interval; the first one allowed carries the count of those refused before it. */
static void test_one_per_interval(void **state)
{
	(void)state;
	struct ratelimit rl = {0};
	uint64_t reported = 0;

	assert_int_equal(lines(&rl, 15, 0, &reported), 10);
	assert_int_equal(lines(&rl, 3, 999, &reported), 0); /* not a whole interval yet */
	assert_int_equal(reported, 0);
	assert_int_equal(lines(&rl, 3, 1000, &reported), 1);
	assert_int_equal(reported, 8); /* 5 + 3 before it */
	assert_int_equal(lines(&rl, 2, 1999, &reported), 0);
	assert_int_equal(lines(&rl, 2, 2000, &reported), 1);
	assert_int_equal(reported, 8 + 2 + 2); /* the two refused at 1000 after the one allowed, the two at 1999 */
	assert_int_equal(ratelimit_take_suppressed(&rl), 1);
}

/* A quiet spell gives the burst back, but no more than the burst. */
static void test_refill_capped(void **state)
{
	(void)state;
	struct ratelimit rl = {0};
	uint64_t reported = 0;

	assert_int_equal(lines(&rl, 10, 100, &reported), 10);
	assert_int_equal(lines(&rl, 20, 100 + 3500, &reported), 3); /* three whole intervals: three tokens */
	assert_int_equal(lines(&rl, 1, 100 + 4000, &reported), 1);  /* the fourth, at 4000 after the start */
	assert_int_equal(lines(&rl, 30, 1000000, &reported), 10);   /* long after: a full burst, not 996 */
	assert_int_equal(reported, 17);                             /* the 17 refused at 3600 */
	assert_int_equal(ratelimit_take_suppressed(&rl), 20);
}

/* Time that runs backwards (another core's TSC, a late caller) gives nothing back and breaks nothing. */
static void test_time_backwards(void **state)
{
	(void)state;
	struct ratelimit rl = {0};
	uint64_t reported = 0;

	assert_int_equal(lines(&rl, 10, 50000, &reported), 10);
	assert_int_equal(lines(&rl, 5, 10, &reported), 0);
	assert_int_equal(lines(&rl, 1, 51000, &reported), 1);
	assert_int_equal(reported, 5);
}

/* A zero burst allows nothing; a zero interval gives every token back at once. */
static void test_degenerate_policies(void **state)
{
	(void)state;
	const struct ratelimit_policy never = {0, 1000}, always = {1, 0};
	struct ratelimit a = {0}, b = {0};
	uint64_t s;

	for (int i = 0; i < 5; i++) {
		assert_false(ratelimit_allow(&a, &never, (uint64_t)i * 5000, &s));
		assert_true(ratelimit_allow(&b, &always, 7, &s));
		assert_int_equal(s, 0);
	}
	assert_int_equal(ratelimit_take_suppressed(&a), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_burst_then_count),    cmocka_unit_test(test_one_per_interval),
	        cmocka_unit_test(test_refill_capped),       cmocka_unit_test(test_time_backwards),
	        cmocka_unit_test(test_degenerate_policies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
