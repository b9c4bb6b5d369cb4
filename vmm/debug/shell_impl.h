/* shell_impl.h: what the shell's files share: argument parsing, output, and the commands of shell_ctl.c. */
#ifndef VMM_DEBUG_SHELL_IMPL_H
#define VMM_DEBUG_SHELL_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/lib/log.h"
#include "vmm/lib/parse.h"

struct guest;

#define out(...) console_printf_raw(__VA_ARGS__)

/* A decimal or 0x-hexadecimal number that is the whole word and fits 64 bits; false otherwise. */
static inline bool shell_parse_num(const char *s, uint64_t *v) { return parse_uint(s, UINT64_MAX, v); }
bool shell_cpu_online(uint32_t id);
/* A CPU number argument that names an online CPU; says what is wrong otherwise. */
bool shell_arg_cpu(const char *s, uint32_t *cpu);
/* A guest named by its name or its number; says what is wrong otherwise. */
struct guest *shell_arg_guest(const char *s);
/* The CPU's newest k exits, oldest first. */
void shell_print_trace(uint32_t cpu, unsigned k);
/* After a panic the shell only looks: true (and says so) for a command that would change something. */
bool shell_machine_stopped(const char *cmd);
void shell_set_postmortem(void);

/* shell_ctl.c */
void cmd_vcpu(unsigned argc, char **argv);
void cmd_vmcs(unsigned argc, char **argv);
void cmd_apic(unsigned argc, char **argv);
void cmd_stop(unsigned argc, char **argv);
void cmd_start(unsigned argc, char **argv);
void cmd_reset(unsigned argc, char **argv);
void cmd_panic(unsigned argc, char **argv);

#endif
