/* panic.h: stopping the hypervisor when one of its own invariants breaks. */
#ifndef VMM_DEBUG_PANIC_H
#define VMM_DEBUG_PANIC_H

#include <stdbool.h>

/* What a panic does once its report is out (onpanic= on the command line). */
enum panic_action {
	PANIC_SHELL = 0,    /* the post-mortem shell on the reporting core; the default */
	PANIC_HALT = 1,     /* stop every CPU here */
	PANIC_POWEROFF = 2, /* power off (tests, unattended runs) */
	PANIC_REBOOT = 3,
};

void panic_set_action(enum panic_action a);
const char *panic_action_name(void);
/* Parse an onpanic= value; false if it is none of shell, halt, poweroff, reboot. */
int panic_parse_action(const char *s, enum panic_action *out);
/* A core panicked: the others stop (panic_park) when its NMI reaches them. */
bool panic_in_progress(void);
/* Another core's panic stopped this one: park with interrupts off, serving snapshots only. */
__attribute__((noreturn)) void panic_park(void);

/* Report a broken hypervisor invariant with a backtrace, then stop. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/*
 * End the run the way onpanic= says (the post-mortem shell, halt, poweroff or
 * reboot), with code for QEMU's isa-debug-exit. Used after a panic and after
 * a clean stop on bad input.
 */
__attribute__((noreturn)) void stop_machine(unsigned code);

/*
 * The two halves, for callers that print their own report (exception dumps).
 * The first core to panic reports: panic_end stops the others with an NMI,
 * prints every core's state and last exits, then calls stop_machine. A core
 * that panics while another reports prints its own report and parks.
 */
void panic_begin(void);
__attribute__((noreturn)) void panic_end(void);

#endif
