/* panic.c: stopping the hypervisor when one of its own invariants breaks: every core stops, one reports. */
#include <stdarg.h>

#include "arch/x86/apic_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/power.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "vmm/core/console.h"
#include "vmm/core/percpu.h"
#include "vmm/debug/onpanic.h"
#include "vmm/debug/shell.h"
#include "vmm/debug/snapshot.h"
#include "vmm/lib/array.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/panic.h"
#include "vmm/lib/string.h"

#define PANIC_NO_CPU (-1)
#define PANIC_STOP_WAIT_MS 200 /* for the other cores to take the NMI and stop */

static enum panic_action panic_action = PANIC_SHELL;
static int32_t panic_cpu = PANIC_NO_CPU; /* the core that reports: the first to panic */

void panic_set_action(enum panic_action a) { panic_action = a; }

static const char *const action_names[] = {
        [PANIC_SHELL] = "shell",
        [PANIC_HALT] = "halt",
        [PANIC_POWEROFF] = "poweroff",
        [PANIC_REBOOT] = "reboot",
};

const char *panic_action_name(void) { return action_names[panic_action]; }

bool panic_parse_action(const char *s, enum panic_action *out)
{
	for (unsigned i = 0; i < ARRAY_LEN(action_names); i++) {
		if (hv_strcmp(s, action_names[i]) == 0) {
			*out = (enum panic_action)i;
			return true;
		}
	}
	return false;
}

bool panic_in_progress(void) { return __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) != PANIC_NO_CPU; }

/*
 * The two halves of every report (panic() and trap_fatal): the first core to
 * panic reports; panic_end stops the others with an NMI, prints every core's
 * state and last exits, then calls stop_machine. A core that panics while
 * another reports prints its own report and parks.
 */
static void panic_begin(void)
{
	int32_t me = (int32_t)this_cpu()->cpu_id, first = PANIC_NO_CPU;

	cli();
	if (__atomic_compare_exchange_n(&panic_cpu, &first, me, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		console_break_lock(); /* another core may hold it, and will never let go */
		return;
	}
	if (first == me) { /* a fault in the panic report or in the post-mortem shell itself */
		console_break_lock();
		console_printf_raw("\n*** HV PANIC again on CPU %u while reporting a panic: halting\n", (unsigned)me);
		cpu_halt_forever();
	}
	/* Another core reports already: this one's report goes out too, line by line, and panic_end stops it. */
}

void panic_park(void)
{
	cli();
	__atomic_store_n(&this_cpu()->parked, 1, __ATOMIC_RELEASE);
	for (;;) { /* the reporting core still reads this one's VMCS through snapshots */
		snapshot_serve();
		cpu_relax();
	}
}

/*
 * Stop every other online core with an NMI: it reaches a core with interrupts
 * off, and one in its guest as an NMI exit (NMI exiting is on, SDM Vol. 3,
 * 26.2). Each parks in panic_park.
 */
static void stop_other_cpus(void)
{
	uint32_t me = this_cpu()->cpu_id;
	uint64_t deadline = rdtsc() + tsc_hz() / 1000 * PANIC_STOP_WAIT_MS;
	bool all;

	for (uint32_t c = 0; c < HV_MAX_CPUS; c++) {
		struct percpu *p = per_cpu(c);

		if (c != me && p->online && !p->parked)
			lapic_send_ipi(p->apic_id, APIC_ICR_DM_NMI);
	}
	do {
		all = true;
		for (uint32_t c = 0; c < HV_MAX_CPUS; c++)
			if (c != me && per_cpu(c)->online && !__atomic_load_n(&per_cpu(c)->parked, __ATOMIC_ACQUIRE))
				all = false;
	} while (!all && rdtsc() < deadline);
}

void stop_machine(unsigned code)
{
	console_flush();
	switch (panic_action) {
	case PANIC_SHELL: shell_postmortem();
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

static __attribute__((noreturn)) void panic_end(void)
{
	if (__atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) != (int32_t)this_cpu()->cpu_id)
		panic_park();
	stop_other_cpus();
	console_break_lock(); /* a core may have stopped while it held it */
	shell_postmortem_report();
	stop_machine(POWEROFF_CODE_PANIC);
}

/* This core's stack: the only place its frame pointers may point. */
static void backtrace(uint64_t rbp)
{
	const struct percpu *p = this_cpu();

	trap_dump_backtrace(rbp, p->stack_bottom, p->stack_top);
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	panic_begin();
	console_printf_raw("\n*** HV PANIC on CPU %u: %s\n", this_cpu()->cpu_id, msg);
	backtrace((uint64_t)__builtin_frame_address(0));
	panic_end();
}

void trap_fatal(const struct trap_frame *f)
{
	const char *name = trap_exception_name((unsigned)f->vector);

	if (f->vector == X86_EXC_NMI && panic_in_progress())
		panic_park(); /* another core panicked and stops this one */
	panic_begin();
	console_printf_raw("\n*** HV PANIC on CPU %u: unhandled exception %s in the hypervisor\n", this_cpu()->cpu_id,
	                   name ? name : "(reserved vector)");
	trap_dump(f);
	backtrace(f->rbp);
	panic_end();
}
