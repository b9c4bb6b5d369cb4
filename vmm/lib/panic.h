/* panic.h: a broken invariant stops the hypervisor: panic(), and how a core joins another core's panic. */
#ifndef VMM_LIB_PANIC_H
#define VMM_LIB_PANIC_H

#include <stdbool.h>

/*
 * Declared here so that every layer can stop on a broken invariant;
 * implemented by vmm/debug/panic.c, which stops the other cores, reports and
 * ends the run as onpanic= says (vmm/debug/onpanic.h). With the console's
 * output (log.h), the only calls that go up the layers (docs/architecture.md).
 */

/* Report a broken hypervisor invariant with a backtrace, then stop. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/*
 * A core that takes an NMI asks whether another core's panic sent it (the
 * only NMI the hypervisor sends); if so it parks, with interrupts off,
 * serving only the reporting core's snapshots.
 */
bool panic_in_progress(void);
__attribute__((noreturn)) void panic_park(void);

#endif
