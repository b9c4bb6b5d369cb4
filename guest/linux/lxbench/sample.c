/* sample.c: pinning, the TSC's rate, and samples reduced to a median and a 99th percentile. */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lxbench.h"

void lx_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("LXBENCH error: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	exit(1);
}

/* Run the calling thread on one CPU only: each side of a workload stays where it was put. */
void lx_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		lx_die("sched_setaffinity to CPU %d: %m", cpu);
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * The TSC's rate against the kernel's raw monotonic clock over 20 ms: the
 * figures are in TSC cycles, and timer_sleep needs the deadline in them.
 * Under Bochs both clocks count the same virtual time, so this is exact.
 */
uint64_t lx_tsc_khz(void)
{
	static uint64_t khz;
	struct timespec d = {0, 20000000};

	if (!khz) {
		uint64_t n0 = mono_ns(), t0 = rdtsc();

		nanosleep(&d, NULL);
		uint64_t n1 = mono_ns(), t1 = rdtsc();
		khz = (t1 - t0) * 1000000u / (n1 - n0);
	}
	return khz;
}

void samples_init(struct samples *s, int n)
{
	s->v = calloc((size_t)n, sizeof(*s->v));
	if (!s->v)
		lx_die("no memory for %d samples", n);
	s->n = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The fixed line the report parses: LXBENCH op=<op> n=<n> median=<cycles> p99=<cycles> min= max=. */
void samples_report(const char *op, struct samples *s)
{
	if (s->n == 0)
		lx_die("%s: no samples", op);
	qsort(s->v, (size_t)s->n, sizeof(*s->v), cmp_u64);
	printf("LXBENCH op=%s n=%d median=%llu p99=%llu min=%llu max=%llu\n", op, s->n,
	       (unsigned long long)s->v[s->n / 2], (unsigned long long)s->v[(s->n * 99) / 100],
	       (unsigned long long)s->v[0], (unsigned long long)s->v[s->n - 1]);
	fflush(stdout);
	free(s->v);
}
