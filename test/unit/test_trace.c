/* sources: vmm/core/trace.c */
/* test_trace.c: the exit-trace ring: newest first, wrap-around, and whole records for a reader on another CPU. */
#include "test/unit/unit.h"

#include <pthread.h>

#include "vmm/core/trace.h"

#define REASONS 65

static void put(struct trace_ring *t, uint64_t n) { trace_record(t, n, (uint32_t)(n % REASONS), 3 * n, 5 * n); }

static void check(const struct trace_rec *r, uint64_t n)
{
	assert_int_equal(r->tsc, n);
	assert_int_equal(r->reason, n % REASONS);
	assert_int_equal(r->qualification, 3 * n);
	assert_int_equal(r->guest_rip, 5 * n);
}

static void test_empty(void **state)
{
	(void)state;
	static struct trace_ring t;
	struct trace_rec out[4];
	uint64_t total = 99;

	assert_int_equal(trace_snapshot(&t, out, 4, &total), 0);
	assert_int_equal(total, 0);
	trace_note_entry(&t, 0x80000030); /* no record yet: nothing to note */
	assert_int_equal(trace_snapshot(&t, out, 4, NULL), 0);
}

static void test_newest_first_and_injection(void **state)
{
	(void)state;
	static struct trace_ring t;
	struct trace_rec out[8];
	uint64_t total;

	for (uint64_t n = 1; n <= 3; n++)
		put(&t, n);
	trace_note_entry(&t, 0x80000030); /* external interrupt 0x30 injected after exit 3 */
	assert_int_equal(trace_snapshot(&t, out, 8, &total), 3);
	assert_int_equal(total, 3);
	check(&out[0], 3);
	check(&out[1], 2);
	check(&out[2], 1);
	assert_int_equal(out[0].injected, 0x80000030);
	assert_int_equal(out[1].injected, 0);
	assert_int_equal(trace_snapshot(&t, out, 2, NULL), 2); /* k limits */
	check(&out[1], 2);
}

static void test_wraps(void **state)
{
	(void)state;
	static struct trace_ring t;
	static struct trace_rec out[TRACE_ENTRIES + 8];
	uint64_t total;

	for (uint64_t n = 0; n < 3 * TRACE_ENTRIES + 5; n++)
		put(&t, n);
	assert_int_equal(trace_snapshot(&t, out, TRACE_ENTRIES + 8, &total), TRACE_KEEP); /* capped */
	assert_int_equal(total, 3 * TRACE_ENTRIES + 5);
	for (unsigned i = 0; i < TRACE_KEEP; i++)
		check(&out[i], total - 1 - i);
}

/* A writer on one thread, snapshots on another: every record copied is whole and in order, newest first. */
static struct trace_ring shared;
static volatile int stop;

static void *writer(void *arg)
{
	(void)arg;
	for (uint64_t n = 0; n < 2000000 && !stop; n++)
		put(&shared, n);
	stop = 1;
	return NULL;
}

static void test_concurrent_reader(void **state)
{
	(void)state;
	pthread_t w;
	struct trace_rec out[TRACE_ENTRIES];
	unsigned snaps = 0, partial = 0;

	assert_int_equal(pthread_create(&w, NULL, writer, NULL), 0);
	while (!stop) {
		uint64_t total;
		unsigned n = trace_snapshot(&shared, out, TRACE_ENTRIES, &total);

		for (unsigned i = 0; i < n; i++) {
			check(&out[i], out[0].tsc - i);
			assert_true(out[i].tsc < total);
		}
		partial += n < TRACE_KEEP && total >= TRACE_ENTRIES;
		snaps++;
	}
	pthread_join(w, NULL);
	print_message("%u snapshots, %u cut short by the writer\n", snaps, partial);
	assert_true(snaps > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_empty),
	        cmocka_unit_test(test_newest_first_and_injection),
	        cmocka_unit_test(test_wraps),
	        cmocka_unit_test(test_concurrent_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
