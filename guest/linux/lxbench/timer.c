/* timer.c: the workloads of the local timer: a short nanosleep's overshoot, and a system at rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "lxbench.h"

#define WARMUP 4

/*
 * timer_sleep: on CPU 1, nanosleep(sleep_ns) n times; a sample is how far
 * past the deadline the thread ran again, in TSC cycles: the TSC-deadline
 * interrupt, the wake-up from idle and the return to user space. The timer
 * slack is set to 1 ns, or the kernel would add its default 50 us.
 */
void wl_timer_sleep(int n, long sleep_ns, struct result *r)
{
	struct timespec d = {sleep_ns / 1000000000, sleep_ns % 1000000000};
	uint64_t want = (uint64_t)sleep_ns * lx_tsc_khz() / 1000000u;
	struct samples s;

	samples_init(&s, n);
	prctl(PR_SET_TIMERSLACK, 1ul, 0ul, 0ul, 0ul);
	lx_pin(1);
	for (int i = 0; i < n + WARMUP; i++) {
		uint64_t t0 = rdtsc();

		nanosleep(&d, NULL);
		uint64_t took = rdtsc() - t0;

		if (i >= WARMUP)
			s.v[s.n++] = took > want ? took - want : 0;
	}
	r->s = s;
}

/* The local timer interrupts (LOC in /proc/interrupts) of every CPU, summed. */
static unsigned long long loc_total(void)
{
	char line[1024];
	unsigned long long sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (f == NULL) {
		lx_die("cannot open /proc/interrupts: %m");
		return 0; /* not reached; cppcheck does not take lx_die for _Noreturn */
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (strncmp(p, "LOC:", 4) != 0)
			continue;
		p += 4;
		for (char *end;; p = end) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
	}
	fclose(f);
	return sum;
}

/*
 * idle: nothing runs for the given seconds; the result is the local timer
 * interrupts per second, all CPUs. The exits per second come from the
 * LXEXITS lines around it.
 */
void wl_idle(int seconds, struct result *r)
{
	struct timespec d = {seconds, 0};
	unsigned long long before = loc_total();

	nanosleep(&d, NULL);
	r->ticks_per_s = (double)(loc_total() - before) / (double)seconds;
}
