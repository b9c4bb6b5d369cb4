/* panic.c: stopping the hypervisor when one of its own invariants breaks. */
#include "vmm/panic.h"

#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "arch/x86/trap.h"
#include "vmm/console.h"
#include "vmm/fmt.h"
#include "vmm/percpu.h"
#include "vmm/string.h"

static enum panic_action panic_action = PANIC_HALT;
static int panic_depth;

void panic_set_action(enum panic_action a) { panic_action = a; }

int panic_parse_action(const char *s, enum panic_action *out)
{
	if (hv_strcmp(s, "halt") == 0)
		*out = PANIC_HALT;
	else if (hv_strcmp(s, "poweroff") == 0)
		*out = PANIC_POWEROFF;
	else if (hv_strcmp(s, "reboot") == 0)
		*out = PANIC_REBOOT;
	else
		return 0;
	return 1;
}

void panic_begin(void)
{
	cli();
	/* A fault inside the panic path itself: say so once and stop here. */
	if (__atomic_fetch_add(&panic_depth, 1, __ATOMIC_SEQ_CST) > 0) {
		console_break_lock();
		console_printf_raw("\n*** HV PANIC again on CPU %u while reporting a panic: halting\n",
		                   this_cpu()->cpu_id);
		cpu_halt_forever();
	}
	console_break_lock();
}

void stop_machine(unsigned code)
{
	switch (panic_action) {
	case PANIC_POWEROFF:
		console_printf_raw("*** powering off (onpanic=poweroff)\n");
		platform_poweroff((uint8_t)code);
		break;
	case PANIC_REBOOT:
		console_printf_raw("*** rebooting (onpanic=reboot)\n");
		platform_reset();
		break;
	case PANIC_HALT: break;
	}
	console_printf_raw("*** system halted (onpanic=halt); reset the machine to continue\n");
	cpu_halt_forever();
}

void panic_end(void) { stop_machine(POWEROFF_CODE_PANIC); }

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	panic_begin();
	console_printf_raw("\n*** HV PANIC on CPU %u: %s\n", this_cpu()->cpu_id, msg);
	trap_dump_backtrace((uint64_t)__builtin_frame_address(0));
	panic_end();
}
