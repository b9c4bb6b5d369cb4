/* procfs.h: what the checks read from /sys and /proc: CPU lists and interrupt counts. */
#ifndef GUEST_LINUX_INIT_PROCFS_H
#define GUEST_LINUX_INIT_PROCFS_H

#include <stdint.h>

#define MAX_CPUS 64

/* The number of CPUs in a sysfs CPU list such as "0-1,3" (Documentation/ABI cpu/online); -1 if malformed. */
int cpulist_count(const char *list);

/*
 * Reads the row `name` ("LOC", "RES", "CAL", "TLB") of /proc/interrupts into
 * count[0..ncpus), by the CPU numbers of its header line (CPU0 CPU1 ...).
 * Returns the number of CPUs filled in, or -1 if the file or the row is missing.
 */
int irq_counts(const char *name, uint64_t count[MAX_CPUS]);

#endif
