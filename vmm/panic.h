/* panic.h: stopping the hypervisor when one of its own invariants breaks. */
#ifndef VMM_PANIC_H
#define VMM_PANIC_H

/* What a panic does once its report is out (onpanic= on the command line). */
enum panic_action {
	PANIC_HALT = 0,     /* stop every CPU here; the default */
	PANIC_POWEROFF = 1, /* power off (tests, unattended runs) */
	PANIC_REBOOT = 2,
};

void panic_set_action(enum panic_action a);
/* Parse an onpanic= value; false if it is none of halt, poweroff, reboot. */
int panic_parse_action(const char *s, enum panic_action *out);

/* Report a broken hypervisor invariant with a backtrace, then stop. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/*
 * End the run the way onpanic= says (halt, poweroff or reboot), with code for
 * QEMU's isa-debug-exit. Used after a panic and after a clean stop on bad input.
 */
__attribute__((noreturn)) void stop_machine(unsigned code);

/* The two halves, for callers that print their own report (exception dumps). */
void panic_begin(void);
__attribute__((noreturn)) void panic_end(void);

#endif
