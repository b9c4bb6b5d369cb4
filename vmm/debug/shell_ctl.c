/* shell_ctl.c: the shell's commands that look inside a vCPU (through snapshots) or change a guest's life; the
 * post-mortem report. */
#include "vmm/core/cpus.h"
#include "vmm/core/percpu.h"
#include "vmm/debug/shell.h"
#include "vmm/debug/shell_impl.h"
#include "vmm/debug/snapshot.h"
#include "vmm/lib/panic.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"

/* Long enough for a kick and a 6 KiB copy under Bochs; short enough that a stuck core is reported at once. */
#define SNAPSHOT_TIMEOUT_MS 200
#define POSTMORTEM_TRACE 8 /* exits per core in the post-mortem report */

static struct vcpu_snapshot snap; /* one at a time: the shell runs on one core */
static bool postmortem;

void shell_set_postmortem(void) { postmortem = true; }

bool shell_machine_stopped(const char *cmd)
{
	if (!postmortem)
		return false;
	out("%s: the machine is stopped after a panic; the shell can only look now\n", cmd);
	return true;
}

struct guest *shell_arg_guest(const char *s)
{
	uint64_t id;

	for (uint32_t i = 0; i < guests_count(); i++)
		if (hv_strcmp(guest_by_id(i)->name, s) == 0)
			return guest_by_id(i);
	if (shell_parse_num(s, &id) && id < guests_count())
		return guest_by_id((uint32_t)id);
	out("no such guest: %s (guests lists them by number and name)\n", s);
	return NULL;
}

/* Fill snap from the vCPU on the CPU argument names, on that CPU; says why not if it cannot. */
static bool snap_of(const char *arg)
{
	uint32_t cpu;

	if (!shell_arg_cpu(arg, &cpu))
		return false;
	if (snapshot_take(cpu, &snap, SNAPSHOT_TIMEOUT_MS))
		return true;
	out("cpu %u did not answer within %u ms (interrupts off, or stuck in the hypervisor): no snapshot; "
	    "trace %u still shows its last exits\n",
	    cpu, SNAPSHOT_TIMEOUT_MS, cpu);
	return false;
}

static void view(unsigned argc, char **argv, void (*dump)(const struct vcpu_snapshot *))
{
	if (argc < 2) {
		out("usage: %s <cpu>\n", argv[0]);
		return;
	}
	if (snap_of(argv[1]))
		dump(&snap);
}

void cmd_vcpu(unsigned argc, char **argv) { view(argc, argv, dump_vcpu); }
void cmd_vmcs(unsigned argc, char **argv) { view(argc, argv, dump_vmcs); }
void cmd_apic(unsigned argc, char **argv) { view(argc, argv, dump_apic); }

/* The guest a lifecycle command names, unless the machine is stopped. */
static struct guest *life_arg(unsigned argc, char **argv)
{
	if (argc < 2) {
		out("usage: %s <guest>\n", argv[0]);
		return NULL;
	}
	if (shell_machine_stopped(argv[0]))
		return NULL;
	return shell_arg_guest(argv[1]);
}

void cmd_stop(unsigned argc, char **argv)
{
	struct guest *g = life_arg(argc, argv);

	if (!g)
		return;
	if (guest_hold(g))
		out("guest %s stopped; start %s or reset %s runs it again from its image\n", g->name, g->name, g->name);
	else
		out("guest %s is not running (%s)\n", g->name, g->stop_reason);
}

void cmd_start(unsigned argc, char **argv)
{
	struct guest *g = life_arg(argc, argv);

	if (!g)
		return;
	if (guest_start(g, false))
		out("guest %s starts again from its image\n", g->name);
	else
		out("guest %s is running; reset %s starts it over\n", g->name, g->name);
}

void cmd_reset(unsigned argc, char **argv)
{
	struct guest *g = life_arg(argc, argv);

	if (g && guest_start(g, true))
		out("guest %s starts over from its image\n", g->name);
}

void cmd_panic(unsigned argc, char **argv)
{
	uint32_t cpu = this_cpu()->cpu_id;

	if (argc > 1 && !shell_arg_cpu(argv[1], &cpu))
		return;
	if (shell_machine_stopped(argv[0]))
		return;
	if (cpu == this_cpu()->cpu_id)
		panic("asked for from the shell (panic %u)", cpu);
	out("asking cpu %u to panic\n", cpu);
	per_cpu(cpu)->panic_asked = 1;
	cpu_kick(cpu);
}

void shell_postmortem_report(void)
{
	uint32_t me = this_cpu()->cpu_id;

	out("\n*** post-mortem: every core's state and last %u exits\n", POSTMORTEM_TRACE);
	for (uint32_t c = 0; c < HV_MAX_CPUS; c++) {
		const struct percpu *p = per_cpu(c);

		if (c != me && !p->online) /* the reporting core may not be marked online yet (a fault at boot) */
			continue;
		bool stopped = c == me || p->parked;

		out("\n*** CPU %u: %s\n", c,
		    c == me   ? "panicked"
		    : stopped ? "stopped by the panic's NMI"
		              : "did not stop: no answer to the NMI (its registers are unknown)");
		if (stopped && snapshot_take(c, &snap, SNAPSHOT_TIMEOUT_MS))
			dump_vcpu(&snap);
		shell_print_trace(c, POSTMORTEM_TRACE);
	}
}
