/* shell.c: the debug shell: a line editor, a table of commands, and what they print about CPUs and guests. */
#include "vmm/debug/shell.h"

#include <stdbool.h>
#include <stddef.h>

#include "apicv/mode.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/core/console.h"
#include "vmm/core/cpus.h"
#include "vmm/core/percpu.h"
#include "vmm/core/trace.h"
#include "vmm/debug/conin.h"
#include "vmm/debug/shell_impl.h"
#include "vmm/debug/shell_line.h"
#include "vmm/debug/snapshot.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/array.h"
#include "vmm/lib/cost_hist.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/vcpu.h"

#define SHELL_PROMPT "hv> "
#define SHELL_MAX_ARGS 8
#define TRACE_DEFAULT 16 /* trace <cpu> without a count */
#define PER_MILLE_MEDIAN 500
#define PER_MILLE_P99 990
#define FIRST_FIXED_VECTOR 16 /* 0-15 are exceptions: a fixed interrupt with one is illegal (SDM Vol. 3, 11.5.2) */
#define LAST_VECTOR 255

struct shell_cmd {
	const char *name;
	const char *args;
	const char *help;
	void (*run)(unsigned argc, char **argv);
};

static struct shell_line line;

/* ---- helpers ---- */

bool shell_cpu_online(uint32_t id) { return id < HV_MAX_CPUS && per_cpu(id)->online; }

bool shell_arg_cpu(const char *s, uint32_t *cpu)
{
	uint64_t v;

	if (!shell_parse_num(s, &v) || v >= HV_MAX_CPUS || !shell_cpu_online((uint32_t)v)) {
		out("no such CPU: %s (cpus lists them)\n", s);
		return false;
	}
	*cpu = (uint32_t)v;
	return true;
}

static const char *guest_state_name(uint32_t s)
{
	switch (s) {
	case GUEST_LOADED: return "loaded";
	case GUEST_RUNNING: return "running";
	case GUEST_STOPPED: return "stopped";
	}
	return "?";
}

/* Seconds and milliseconds since a TSC value. */
static void print_since(uint64_t tsc)
{
	uint64_t hz = tsc_hz(), ms = hz ? (rdtsc() - tsc) / (hz / 1000) : 0;

	out("%llu.%03llus", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
}

/* ---- commands ---- */

static void cmd_help(unsigned argc, char **argv);

static void cmd_cpus(unsigned argc, char **argv)
{
	(void)argc;
	(void)argv;
	out("cpu  apic  vmx          guest/vcpu  state          exits\n");
	for (uint32_t c = 0; shell_cpu_online(c); c++) {
		const struct percpu *p = per_cpu(c);
		const struct vcpu *v = p->vcpu;

		out("%-4u %-5u %-12s ", c, p->apic_id, vmx_cpu_state_name(p->vmx_state));
		if (v)
			out("%s/%-*u %-14s %llu", v->guest->name, (int)(10 - hv_strlen(v->guest->name)), v->index,
			    vcpu_state_name(v->state), (unsigned long long)v->exits_total);
		else
			out("-           idle");
		out("%s\n", p->parked ? "  (stopped by a panic)" : "");
	}
	out("up ");
	print_since(0);
	out(" (TSC since reset)");
	out(", apicv=%s\n", vmx_apicv_mode_name(apicv_mode()));
}

static void cmd_guests(unsigned argc, char **argv)
{
	(void)argc;
	(void)argv;
	out("id name             state    vcpus (cpu)       uptime\n");
	for (uint32_t i = 0; i < guests_count(); i++) {
		const struct guest *g = guest_by_id(i);

		out("%-2u %-16s %-8s", g->id, g->name, guest_state_name(g->state));
		for (uint32_t k = 0; k < g->nvcpus; k++)
			out(" %u(%u)", k, g->vcpus[k]->cpu);
		out("  ");
		if (g->entered && g->state == GUEST_RUNNING)
			print_since(g->entered_tsc);
		else
			out("-");
		if (g->state == GUEST_STOPPED)
			out("  (%s%s)", g->stop_reason, g->held ? "; start or reset runs it" : "");
		out("%s\n", g == conin_owner() ? "  <- console input" : "");
	}
}

static void caps_line(void *ctx, const char *text)
{
	(void)ctx;
	out("%s\n", text);
}

static void cmd_caps(unsigned argc, char **argv)
{
	(void)argc;
	(void)argv;
	vmx_caps_report(cpus_vmx_caps(), caps_line, NULL);
	out("apicv mode in use: %s\n", vmx_apicv_mode_name(apicv_mode()));
}

static void stats_of(uint32_t cpu)
{
	const struct vcpu *v = per_cpu(cpu)->vcpu;

	if (!v) {
		out("cpu %u: no vCPU\n", cpu);
		return;
	}
	out("cpu %u (%s/%u): %llu exits, %llu interrupts delivered by the hypervisor\n", cpu, v->guest->name, v->index,
	    (unsigned long long)v->exits_total, (unsigned long long)v->interrupts);
	out("  reason                     count   root cycles: median      p99      max\n");
	for (uint32_t r = 0; r < EXIT_REASON_MAX; r++) {
		const struct cost_hist *h = &v->root_cost[r];

		if (!v->exits[r])
			continue;
		out("  %2u %-22s %8llu %21llu %8llu %8llu\n", r, exit_reason_name(r), (unsigned long long)v->exits[r],
		    (unsigned long long)cost_hist_percentile(h, PER_MILLE_MEDIAN),
		    (unsigned long long)cost_hist_percentile(h, PER_MILLE_P99), (unsigned long long)h->max);
	}
}

static void cmd_stats(unsigned argc, char **argv)
{
	uint32_t cpu;

	if (argc > 1) {
		if (shell_arg_cpu(argv[1], &cpu))
			stats_of(cpu);
		return;
	}
	for (cpu = 0; shell_cpu_online(cpu); cpu++)
		stats_of(cpu);
}

void shell_print_trace(uint32_t cpu, unsigned k)
{
	static struct trace_rec recs[TRACE_KEEP];
	uint64_t total;
	unsigned n = trace_snapshot(&per_cpu(cpu)->trace, recs, k > TRACE_KEEP ? TRACE_KEEP : k, &total);

	if (!total) {
		out("cpu %u: no VM exits yet\n", cpu);
		return;
	}
	out("cpu %u: last %u of %llu exits, oldest first (TSC relative to the newest)\n", cpu, n,
	    (unsigned long long)total);
	out("        tsc reason                 qualification   guest rip          injected\n");
	for (unsigned i = n; i-- > 0;) {
		const struct trace_rec *r = &recs[i];

		out("%11lld %2u %-20s %#16llx %#16llx", (long long)(r->tsc - recs[0].tsc), r->reason,
		    exit_reason_name(r->reason), (unsigned long long)r->qualification,
		    (unsigned long long)r->guest_rip);
		/* The raw field: a VM exit clears only its valid bit (SDM Vol. 3, 28.2), the rest stays from before. */
		if (r->injected & INTR_INFO_VALID_MASK)
			out("  vector %#x type %u\n", r->injected & INTR_INFO_VECTOR_MASK,
			    (r->injected & INTR_INFO_INTR_TYPE_MASK) >> INTR_INFO_INTR_TYPE_SHIFT);
		else
			out("  -\n");
	}
}

static void cmd_trace(unsigned argc, char **argv)
{
	uint64_t k = TRACE_DEFAULT;
	uint32_t cpu;

	if (argc < 2) {
		out("usage: trace <cpu> [count]\n");
		return;
	}
	if (!shell_arg_cpu(argv[1], &cpu))
		return;
	if (argc > 2 && (!shell_parse_num(argv[2], &k) || k == 0)) {
		out("trace: bad count %s\n", argv[2]);
		return;
	}
	shell_print_trace(cpu, k > TRACE_KEEP ? TRACE_KEEP : (unsigned)k);
}

/* The vCPU on a CPU named by argument, if it has one that still runs. */
static struct vcpu *arg_vcpu(const char *s)
{
	uint32_t cpu;
	struct vcpu *v;

	if (!shell_arg_cpu(s, &cpu))
		return NULL;
	v = per_cpu(cpu)->vcpu;
	if (!v || v->state == VCPU_STOPPED) {
		out("cpu %u runs no vCPU%s\n", cpu, v ? " any more (its guest stopped)" : "");
		return NULL;
	}
	return v;
}

/*
 * What inject and nmi check before they post, in this order: enough arguments
 * (else their usage), the vector in argv[2] for inject (vec not NULL), a
 * machine not stopped by a panic, and a running vCPU on the CPU in argv[1].
 * That vCPU, or NULL once one check has said what is wrong.
 */
static struct vcpu *post_target(unsigned argc, char **argv, const char *usage, uint64_t *vec)
{
	if (argc < (vec ? 3u : 2u)) {
		out("usage: %s\n", usage);
		return NULL;
	}
	if (vec && (!shell_parse_num(argv[2], vec) || *vec < FIRST_FIXED_VECTOR || *vec > LAST_VECTOR)) {
		out("inject: vector %s: give %u-%u (decimal or 0x...)\n", argv[2], FIRST_FIXED_VECTOR, LAST_VECTOR);
		return NULL;
	}
	if (shell_machine_stopped(argv[0]))
		return NULL;
	return arg_vcpu(argv[1]);
}

static void cmd_inject(unsigned argc, char **argv)
{
	uint64_t vec;
	struct vcpu *v = post_target(argc, argv, "inject <cpu> <vector>", &vec);

	if (!v)
		return;
	irq_post(v, (uint8_t)vec);
	out("vector %#llx posted to %s/%u on cpu %u, edge-triggered, as an IPI would be\n", (unsigned long long)vec,
	    v->guest->name, v->index, v->cpu);
}

static void cmd_nmi(unsigned argc, char **argv)
{
	struct vcpu *v = post_target(argc, argv, "nmi <cpu>", NULL);

	if (!v)
		return;
	irq_post_nmi(v);
	out("NMI posted to %s/%u on cpu %u\n", v->guest->name, v->index, v->cpu);
}

static void cmd_log(unsigned argc, char **argv)
{
	enum log_level l;

	if (argc < 2) {
		out("log level: %d (0 error, 1 warn, 2 info, 3 debug)\n", (int)console_level());
		return;
	}
	if (!console_parse_level(argv[1], &l)) {
		out("log: unknown level %s (error, warn, info, debug or 0-3)\n", argv[1]);
		return;
	}
	console_set_level(l);
	out("log level: %d\n", (int)l);
}

static const struct shell_cmd commands[] = {
        {"help", "", "this list", cmd_help},
        {"cpus", "", "every CPU: APIC ID, VMX state, its vCPU and that vCPU's state", cmd_cpus},
        {"guests", "", "every guest: state, vCPUs and their CPUs, uptime", cmd_guests},
        {"caps", "", "the VMX capability report and the APICv mode in use", cmd_caps},
        {"stats", "[cpu]", "VM exits and root-mode cycles per exit reason", cmd_stats},
        {"trace", "<cpu> [count]", "the CPU's last VM exits (at most 63)", cmd_trace},
        {"vcpu", "<cpu>", "the vCPU's registers and guest state, decoded", cmd_vcpu},
        {"vmcs", "<cpu>", "every VMCS field by SDM name, controls decoded", cmd_vmcs},
        {"apic", "<cpu>", "the virtual APIC, RVI/SVI, EOI-exit bitmap, PI descriptor", cmd_apic},
        {"inject", "<cpu> <vector>", "post a fixed interrupt to the vCPU on that CPU", cmd_inject},
        {"nmi", "<cpu>", "post an NMI to the vCPU on that CPU", cmd_nmi},
        {"stop", "<guest>", "stop a guest and hold it stopped", cmd_stop},
        {"start", "<guest>", "start a stopped guest again from its image", cmd_start},
        {"reset", "<guest>", "start a guest over from its image", cmd_reset},
        {"log", "[level]", "show or set the log level", cmd_log},
        {"panic", "[cpu]", "force a hypervisor panic on a CPU (try the post-mortem)", cmd_panic},
};

static void cmd_help(unsigned argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		out("  %-7s %-14s %s\n", commands[i].name, commands[i].args, commands[i].help);
	out("Ctrl-] then a guest's number (or n: the next guest) gives the console back to a guest; Ctrl-] ? lists "
	    "the keys.\n");
}

/* ---- the line ---- */

static unsigned split(char *s, char **argv, unsigned max)
{
	unsigned argc = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = 0;
		if (!*s)
			break;
		if (argc == max)
			return argc;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return argc;
}

void shell_run_line(const char *text)
{
	char buf[SHELL_LINE_MAX + 1];
	char *argv[SHELL_MAX_ARGS];
	unsigned argc;

	hv_strlcpy(buf, text, sizeof(buf));
	argc = split(buf, argv, SHELL_MAX_ARGS);
	if (!argc)
		return;
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		if (hv_strcmp(argv[0], commands[i].name) == 0) {
			commands[i].run(argc, argv);
			return;
		}
	}
	out("unknown command: %s (help lists them)\n", argv[0]);
}

void shell_enter(void)
{
	static bool started;

	if (!started) {
		shell_line_init(&line);
		started = true;
	}
	out("\n[shell] apicvisor debug shell; help lists the commands\n" SHELL_PROMPT "%s", line.buf);
}

void shell_input(uint8_t byte)
{
	char echo[SHELL_ECHO_MAX];

	switch (shell_line_feed(&line, byte, echo, sizeof(echo))) {
	case SHELL_KEY_NONE: break;
	case SHELL_KEY_ECHO: out("%s", echo); break;
	case SHELL_KEY_REDRAW: out("%s" SHELL_PROMPT "%s", echo, line.buf); break;
	case SHELL_KEY_ENTER:
		out("\n");
		shell_run_line(line.buf);
		shell_line_commit(&line);
		out(SHELL_PROMPT);
		break;
	}
}

void shell_postmortem(void)
{
	shell_set_postmortem();
	shell_line_init(&line); /* a panic in a command leaves its line behind */
	out("\n*** post-mortem shell on CPU %u (onpanic=shell): the other cores are stopped; "
	    "help lists the commands; reset the machine to continue\n",
	    this_cpu()->cpu_id);
	console_rx_takeover(shell_input);
	out(SHELL_PROMPT);
	for (;;) {
		console_rx_poll();
		cpu_relax();
	}
}
