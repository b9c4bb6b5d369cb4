/* procfs.c: parsing sysfs CPU lists and the per-CPU rows of /proc/interrupts. */
#include "procfs.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"

int cpulist_count(const char *p)
{
	int total = 0;

	while (*p) {
		char *stop;
		long lo = strtol(p, &stop, 10), hi = lo;

		if (stop == p || lo < 0)
			return -1;
		if (*stop == '-') {
			p = stop + 1;
			hi = strtol(p, &stop, 10);
			if (stop == p || hi < lo)
				return -1;
		}
		total += (int)(hi - lo + 1);
		if (*stop == ',')
			stop++;
		else if (*stop)
			return -1;
		p = stop;
	}
	return total;
}

/* The header line names one column per possible CPU that is online: "CPU0 CPU1". */
static int header_cpus(const char *line, int cpu[MAX_CPUS])
{
	int n = 0;

	for (const char *p = strstr(line, "CPU"); p && n < MAX_CPUS; p = strstr(p + 3, "CPU")) {
		cpu[n] = atoi(p + 3);
		if (cpu[n] < 0 || cpu[n] >= MAX_CPUS)
			return -1;
		n++;
	}
	return n;
}

int irq_counts(const char *name, uint64_t count[MAX_CPUS])
{
	static char text[1 << 16];
	int cpu[MAX_CPUS], n;
	size_t len = strlen(name);

	if (read_text("/proc/interrupts", text, sizeof(text)) < 0)
		return -1;
	n = header_cpus(text, cpu);
	if (n < 0)
		return -1;
	for (char *line = strchr(text, '\n'); line; line = strchr(line, '\n')) {
		char *p = ++line;

		p += strspn(p, " ");
		if (strncmp(p, name, len) != 0 || p[len] != ':')
			continue;
		p += len + 1;
		memset(count, 0, sizeof(uint64_t) * MAX_CPUS);
		for (int i = 0; i < n; i++) {
			char *stop;

			count[cpu[i]] = strtoull(p, &stop, 10);
			if (stop == p)
				return -1;
			p = stop;
		}
		return n;
	}
	return -1;
}
