/* lxbench.h: what the Linux workload tool's files share: samples, pinning, the TSC and the exit statistics. */
#ifndef LXBENCH_H
#define LXBENCH_H

#include <stdint.h>

/* The most samples a workload takes (its n=): enough for a p99, small enough for an emulator. */
#define LX_MAX_SAMPLES 100000

struct samples {
	uint64_t *v;
	int n;
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

_Noreturn void lx_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lx_pin(int cpu);
uint64_t lx_tsc_khz(void);
void samples_init(struct samples *s, int n);
void samples_report(const char *op, struct samples *s);

/* What a workload measured, printed once the exits are read: its samples, or the idle one's tick rate. */
struct result {
	struct samples s;
	double ticks_per_s; /* idle: local timer interrupts per second, every CPU */
};

/* Exit statistics of every vCPU (stats.c); lx_stats_probe says whether the hypervisor gives them. */
enum lx_stats { LX_STATS_NONE, LX_STATS_REFUSED, LX_STATS_ON };
enum lx_stats lx_stats_probe(void);
void lx_stats_begin(int ncpus);
void lx_stats_end(int ncpus);
void lx_stats_print(const char *op, int ncpus, long ops);

/* The workloads (ipi.c, timer.c): each fills its result and prints nothing (the console costs exits). */
void wl_ipi_pingpong(int n, struct result *r);
void wl_tlb_shootdown(int n, struct result *r);
void wl_timer_sleep(int n, long sleep_ns, struct result *r);
void wl_idle(int seconds, struct result *r);

#endif
