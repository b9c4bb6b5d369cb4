/* shell.h: the hypervisor's debug shell on the serial console (docs/debugging.md). */
#ifndef VMM_SHELL_H
#define VMM_SHELL_H

#include <stdint.h>

/* The console switched to the shell: greet and prompt. */
void shell_enter(void);
/* One byte typed while the shell has the console (called on the CPU that takes console input). */
void shell_input(uint8_t byte);
/* Run one command line as if typed (the post-mortem's first commands, tests). */
void shell_run_line(const char *line);

#endif
