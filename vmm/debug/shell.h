/* shell.h: the hypervisor's debug shell on the serial console (docs/debugging.md). */
#ifndef VMM_DEBUG_SHELL_H
#define VMM_DEBUG_SHELL_H

#include <stdint.h>

/* The console switched to the shell: greet and prompt. */
void shell_enter(void);
/* One byte typed while the shell has the console (called on the CPU that takes console input). */
void shell_input(uint8_t byte);
/* Run one command line as if typed (the post-mortem's first commands, tests). */
void shell_run_line(const char *line);

/* panic.c, once the report is out: every core's state and last exits. */
void shell_postmortem_report(void);
/* onpanic=shell: the shell on this core, its input polled, for good (the other cores are stopped). */
__attribute__((noreturn)) void shell_postmortem(void);

#endif
