/* checks.h: the init's checks of the platform the kernel was given, one result line each. */
#ifndef GUEST_LINUX_INIT_CHECKS_H
#define GUEST_LINUX_INIT_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "procfs.h"

/*
 * (a) Every present CPU is online, and there are `expected` of them (-1: as many
 * as present). Returns the online count (CPUs 0..n-1), at least 1.
 */
int check_cpus(int expected);

/* (b) The local APIC timer (LOC) interrupts every CPU while a task sleeps there. */
void check_timer(int ncpus);

/* (b) Rescheduling (RES), function-call (CAL) and TLB shootdown (TLB) IPIs reach every CPU (2+ CPUs). */
void check_ipis(int ncpus);

/* (c) The kernel log has no warning, bug or unchecked MSR access. */
void check_klog(void);

/*
 * The workloads of `make bench-linux` instead of (a)-(c): runs /bin/lxbench all <iters> <idle_s>, whose
 * LXBENCH and LXEXITS lines go to the console, and checks that it ended well.
 */
void check_bench(int iters, int idle_s);
/* Shared by the checks: pins the calling thread to cpu (-1: every CPU); dies if the kernel refuses. */
void pin_to(int cpu);

/* Formats "cpu0 a->b cpu1 c->d" into buf; returns whether every after[i] - before[i] >= min. */
int grew(const uint64_t before[MAX_CPUS], const uint64_t after[MAX_CPUS], int ncpus, uint64_t min, char *buf,
         size_t size);

#endif
