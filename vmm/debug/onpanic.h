/* onpanic.h: what a panic does once reported (onpanic=), and stopping the machine that way. */
#ifndef VMM_DEBUG_ONPANIC_H
#define VMM_DEBUG_ONPANIC_H

#include <stdbool.h>

/* panic() itself, and how a core joins a panic, are in vmm/lib/panic.h; vmm/debug/panic.c implements both. */

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
bool panic_parse_action(const char *s, enum panic_action *out);

/*
 * End the run the way onpanic= says (the post-mortem shell, halt, poweroff or
 * reboot), with code for QEMU's isa-debug-exit. Used after a panic and after
 * a clean stop on bad input.
 */
__attribute__((noreturn)) void stop_machine(unsigned code);

#endif
