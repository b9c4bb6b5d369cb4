/* if_check.h: debug.if_check, a check of the CPU: a virtual interrupt it delivered through RFLAGS.IF = 0. */
#ifndef VMM_EXIT_IF_CHECK_H
#define VMM_EXIT_IF_CHECK_H

#include "vmm/partition/vcpu.h"

/* Turn the check on (debug.if_check on the command line). */
void exit_if_check_enable(void);

extern bool exit_if_check_on;
void exit_if_check_look(struct vcpu *v);

/*
 * At an external-interrupt exit of v: say whether the CPU had just delivered
 * SVI's vector with IF = 0. Off, it costs the exit path one load and branch.
 */
static inline void exit_if_check(struct vcpu *v)
{
	if (exit_if_check_on)
		exit_if_check_look(v);
}

#endif
