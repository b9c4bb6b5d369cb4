/* fastpath.h: the exits handled in a few steps right after the exit, and the one place that decides which. */
#ifndef VMM_EXIT_FASTPATH_H
#define VMM_EXIT_FASTPATH_H

#include <stdbool.h>

#include "arch/x86/vmx_exit.h"
#include "vmm/partition/vcpu.h"

/*
 * Called by exit_dispatch for every exit, after the exit is counted and
 * traced: true if a fast path took it whole (the guest may enter again),
 * false for the general handler. A fast path takes only the common case and
 * does exactly what the general handler would; anything else falls through.
 */
bool exit_fastpath(struct vcpu *v, const struct exit_info *e);

/* debug.no_fastpath: every exit takes its general handler, the reference. Boot CPU, before the guests run. */
void exit_fastpath_disable(void);

#endif
