/* check_cpus.c: (a) every CPU online, (b) the local timer on each, and the helpers the checks share. */
#include "checks.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"

/* Sleeps of 1 ms on each CPU: each one ends with a timer interrupt on that CPU (an hrtimer, LOC). */
#define TIMER_SLEEPS 200
/* Fewer than this many LOC interrupts in the window means the timer is not running as it should. */
#define TIMER_MIN_TICKS (TIMER_SLEEPS / 10)

void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < MAX_CPUS; c++)
		if (cpu < 0 || c == cpu)
			CPU_SET(c, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity to CPU %d: %m", cpu);
}

int grew(const uint64_t before[MAX_CPUS], const uint64_t after[MAX_CPUS], int ncpus, uint64_t min, char *buf,
         size_t size)
{
	size_t len = 0;
	int ok = 1;

	buf[0] = '\0';
	for (int c = 0; c < ncpus; c++) {
		if (after[c] < before[c] + min)
			ok = 0;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%scpu%d %llu->%llu", c ? " " : "", c,
			                        (unsigned long long)before[c], (unsigned long long)after[c]);
	}
	return ok;
}

int check_cpus(int expected)
{
	char online[256], present[256];
	int n;

	if (read_text("/sys/devices/system/cpu/online", online, sizeof(online)) < 0 ||
	    read_text("/sys/devices/system/cpu/present", present, sizeof(present)) < 0)
		die("cannot read /sys/devices/system/cpu/online or present: %m");
	n = cpulist_count(online);
	if (expected < 0)
		expected = cpulist_count(present);
	check(strcmp(online, present) == 0 && n == expected, "every CPU online",
	      "online %s, present %s, %d CPUs, expected %d (init.cpus)", online, present, n, expected);
	return n > 0 ? n : 1;
}

static void sleep_1ms(void)
{
	struct timespec ts = {0, 1000000};

	while (nanosleep(&ts, &ts) < 0)
		;
}

void check_timer(int ncpus)
{
	uint64_t before[MAX_CPUS], after[MAX_CPUS], count[MAX_CPUS];
	char line[1024];

	for (int c = 0; c < ncpus && c < MAX_CPUS; c++) {
		pin_to(c);
		if (irq_counts("LOC", count) < 0)
			die("no LOC line in /proc/interrupts");
		before[c] = count[c];
		for (int i = 0; i < TIMER_SLEEPS; i++)
			sleep_1ms();
		if (irq_counts("LOC", count) < 0)
			die("no LOC line in /proc/interrupts");
		after[c] = count[c];
	}
	pin_to(-1);
	check(grew(before, after, ncpus, TIMER_MIN_TICKS, line, sizeof(line)),
	      "local timer interrupts (LOC) on every CPU during 200 sleeps of 1 ms there", "%s", line);
}
