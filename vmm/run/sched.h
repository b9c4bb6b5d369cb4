/* sched.h: the per-core scheduler: each core runs the one vCPU it was given, or idles. */
#ifndef VMM_RUN_SCHED_H
#define VMM_RUN_SCHED_H

#include <stdint.h>

#include "vmm/core/cpus.h"

/* The vector of the IPI that kicks a core out of its guest or out of its idle HLT. */
#define HV_VECTOR_KICK 0xf0
/* The vector of the host APIC timer that stands in for the VMX-preemption timer where there is none. */
#define HV_VECTOR_TIMER 0xf1
/*
 * The notification vector of posted interrupts (apicv/posted.h): processed by
 * the CPU in a guest in mode posted, an external-interrupt exit in the other
 * modes, an interrupt that is only ended in the hypervisor.
 */
#define HV_VECTOR_POSTED 0xf3

/* Install the kick handler and remember what the ready line reports. Boot CPU, before sched_start. */
void sched_init(const struct cpus_summary *cpus);
/* Boot CPU, with at least one guest: release every core that has a vCPU, then run its own vCPU (or idle). */
__attribute__((noreturn)) void sched_start(void);
/* Other cores, once online: wait for sched_start's release, then run. Never returns. */
__attribute__((noreturn)) void sched_ap_wait(void);
/* Make cpu leave its guest (an external-interrupt exit) or its idle HLT soon. */
void sched_kick(uint32_t cpu);
/* Print the ready line: called once, when the last guest has been entered (or none can be). */
void sched_ready_line(void);

#endif
