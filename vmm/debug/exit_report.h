/* exit_report.h: what a guest cost, printed when it ends: its VM exits per reason and per vCPU. */
#ifndef VMM_DEBUG_EXIT_REPORT_H
#define VMM_DEBUG_EXIT_REPORT_H

#include "vmm/partition/guest.h"

/*
 * Print g's VM exits since its last start, per basic exit reason and per
 * vCPU, with each vCPU's total and the interrupts the hypervisor delivered:
 * the figures the shell's `stats` shows, for the whole guest at once. Called
 * by its first vCPU once every vCPU has left the guest (vmm/run/sched.c), and
 * before a restart resets the counts. Printed at level info.
 */
void exit_report_guest(const struct guest *g);

#endif
