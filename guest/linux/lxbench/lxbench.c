/* lxbench.c: the Linux workloads of `make bench-linux` (docs/benchmarks.md), each between two exit readings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lxbench.h"

#define SLEEP_NS 100000 /* timer_sleep's nanosleep: 100 us */

static const char usage[] = "usage: lxbench probe | all N IDLE_SECONDS | ipi_pingpong|tlb_shootdown|timer_sleep N | "
                            "idle SECONDS";

static const char *const stats_names[] = {
        [LX_STATS_NONE] = "none", [LX_STATS_REFUSED] = "refused", [LX_STATS_ON] = "on"};

static int number(const char *s, int lo, int hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		lx_die("%s: not a number from %d to %d (%s)", s, lo, hi, usage);
	return (int)v;
}

/* One workload between two readings of every vCPU's exits; ops is what the exits are divided by. */
static void run(const char *op, int n, int ncpus)
{
	struct result r = {0};
	int idle = strcmp(op, "idle") == 0;

	if (!idle && strcmp(op, "ipi_pingpong") && strcmp(op, "tlb_shootdown") && strcmp(op, "timer_sleep"))
		lx_die("%s: no such workload (%s)", op, usage);
	lx_stats_begin(ncpus);
	if (strcmp(op, "ipi_pingpong") == 0)
		wl_ipi_pingpong(n, &r);
	else if (strcmp(op, "tlb_shootdown") == 0)
		wl_tlb_shootdown(n, &r);
	else if (strcmp(op, "timer_sleep") == 0)
		wl_timer_sleep(n, SLEEP_NS, &r);
	else
		wl_idle(n, &r);
	lx_stats_end(ncpus);
	if (idle)
		printf("LXBENCH op=idle seconds=%d ticks_per_s=%.1f\n", n, r.ticks_per_s);
	else
		samples_report(op, &r.s);
	lx_stats_print(op, ncpus, n);
}

int main(int argc, char **argv)
{
	int ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	enum lx_stats st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		lx_die("%s", usage);
	st = lx_stats_probe();
	printf("LXBENCH start cpus=%d tsc_khz=%llu stats=%s\n", ncpus, (unsigned long long)lx_tsc_khz(),
	       stats_names[st]);
	if (strcmp(argv[1], "probe") == 0)
		return 0;
	if (ncpus < 2)
		lx_die("the workloads need 2 CPUs, there are %d", ncpus);
	if (strcmp(argv[1], "all") == 0 && argc == 4) {
		int n = number(argv[2], 1, LX_MAX_SAMPLES);

		run("ipi_pingpong", n, ncpus);
		run("tlb_shootdown", n, ncpus);
		run("timer_sleep", n, ncpus);
		run("idle", number(argv[3], 1, 3600), ncpus);
	} else if (argc == 3) {
		run(argv[1], number(argv[2], 1, strcmp(argv[1], "idle") == 0 ? 3600 : LX_MAX_SAMPLES), ncpus);
	} else {
		lx_die("%s", usage);
	}
	printf("LXBENCH done\n");
	return 0;
}
