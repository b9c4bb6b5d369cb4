/* sched.h: the per-core scheduler: each core runs the one vCPU it was given, or idles. */
#ifndef VMM_RUN_SCHED_H
#define VMM_RUN_SCHED_H

/* Install the handlers of the kick, the stand-in timer and the notification vector. Boot CPU, before sched_start. */
void sched_init(void);
/* Boot CPU, with at least one guest: release every core that has a vCPU, then run its own vCPU (or idle). */
__attribute__((noreturn)) void sched_start(void);
/* Other cores, once online: wait for sched_start's release, then run. Never returns. */
__attribute__((noreturn)) void sched_ap_wait(void);

#endif
