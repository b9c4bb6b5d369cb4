/* sched.c: the per-core scheduler: enter the guest, handle the exit, drain pending work, resume. */
#include "vmm/run/sched.h"

#include "apicv/apicv.h"
#include "apicv/mode.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/power.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/core/cpus.h"
#include "vmm/core/percpu.h"
#include "vmm/core/vectors.h"
#include "vmm/debug/conin.h"
#include "vmm/debug/exit_report.h"
#include "vmm/debug/snapshot.h"
#include "vmm/exit/cpuid.h"
#include "vmm/exit/cr.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/cost_hist.h"
#include "vmm/lib/log.h"
#include "vmm/lib/panic.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_log.h"

/*
 * Every kick ends here, in root mode with this core's VMCS current: it also
 * serves what the shell on another core asked of this one (a snapshot, a panic).
 */
static void kick_interrupt(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
	snapshot_serve();
	if (this_cpu()->panic_asked)
		panic("asked for from the shell (panic %u)", this_cpu()->cpu_id);
}

void sched_init(void)
{
	trap_set_handler(HV_VECTOR_KICK, kick_interrupt);
	trap_set_handler(HV_VECTOR_TIMER, kick_interrupt);  /* its only job is to cause an exit */
	trap_set_handler(HV_VECTOR_POSTED, kick_interrupt); /* the inbox is taken before the next entry */
}

static void wait_step(void);

/*
 * Sleep until an interrupt (a kick) arrives: interrupts on only inside the
 * HLT. The core that polls the console's input does not sleep: it takes one
 * wait step (below), and its callers loop.
 */
static void idle_once(void)
{
	if (conin_polled_here()) {
		wait_step();
		return;
	}
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/*
 * One step of a busy wait: interrupts on for one instruction (STI's shadow
 * covers the PAUSE; the CLI closes the window), so a pending host interrupt
 * (a kick, the console's) is taken here and not only at the next VM entry.
 */
static void wait_step(void)
{
	__asm__ volatile("sti; pause; cli" ::: "memory");
	conin_poll();
}

static __attribute__((noreturn)) void idle_forever(void)
{
	for (;;)
		idle_once();
}

/*
 * The root-mode cost of the last exit ends here: at the next entry, or where
 * a wait begins. Its phases come from the readings around the handler (an
 * exit that never reached one, a failed entry, has no phases).
 */
static void root_cost_done(struct vcpu *v)
{
	uint64_t now = rdtsc();

	if (!v->exit_tsc)
		return;
	unsigned r = v->exit_reason < EXIT_REASON_MAX ? v->exit_reason : 0;
	cost_hist_add(&v->root_cost[r], now - v->exit_tsc);
	if (v->dispatch_tsc && v->handled_tsc) {
		struct root_phase_sum *ph = &v->root_phase[r];
		ph->count++;
		ph->cycles[ROOT_PHASE_EXIT] += v->dispatch_tsc - v->exit_tsc;
		ph->cycles[ROOT_PHASE_HANDLER] += v->handled_tsc - v->dispatch_tsc;
		ph->cycles[ROOT_PHASE_ENTRY] += now - v->handled_tsc;
	}
	v->exit_tsc = v->dispatch_tsc = v->handled_tsc = 0;
}

/*
 * Its guest runs, and has not stopped since v started: a vCPU that missed a
 * whole stop (its core did not answer in time) and a restart must not go on
 * with the old run.
 */
static bool vcpu_may_run(const struct vcpu *v)
{
	const struct guest *g = v->guest;

	return g->state != GUEST_STOPPED && v->run_gen == __atomic_load_n(&g->run_gen, __ATOMIC_ACQUIRE);
}

/*
 * A halted vCPU waits here until its wake-up time, its timer, or a post.
 * Blocked, posters kick it; the loop also looks at its inbox on every step.
 */
static void wait_halted(struct vcpu *v)
{
	root_cost_done(v);
	v->hazard = VCPU_HZ_ALL; /* the wait takes the inbox and runs the timer */
	while (v->state == VCPU_HALTED && vcpu_may_run(v)) {
		if ((v->wake_tsc && rdtsc() >= v->wake_tsc) || irq_wakes_halt(v)) {
			if (v->state == VCPU_HALTED)
				v->state = VCPU_RUNNABLE;
		} else if (!irq_block(v)) {
			wait_step();
			irq_unblock(v);
		}
	}
}

/* A vCPU in wait-for-SIPI takes nothing but INIT and SIPI (SDM Vol. 3, 9.4.4.1): it sleeps until kicked. */
static void wait_sipi(struct vcpu *v)
{
	root_cost_done(v);
	v->hazard = VCPU_HZ_ALL;
	while (v->state == VCPU_WAIT_SIPI && vcpu_may_run(v)) {
		if (irq_block(v)) {
			irq_wakes_halt(v); /* takes the inbox: a SIPI makes it runnable */
		} else {
			idle_once(); /* a kick sent since irq_block is pending: HLT ends at once */
			irq_unblock(v);
		}
	}
}

/*
 * A failed VMLAUNCH/VMRESUME: the VMCS or host state is wrong (SDM Vol. 3,
 * 31.4, Table 31-1). The guest stops on all its cores first, then the
 * report follows as one block.
 */
static void entry_failed(struct vcpu *v, enum vmx_run_result r)
{
	const char *insn = v->launched ? "VMRESUME" : "VMLAUNCH";

	guest_stop_fatal(v, "VM entry failed (see below)");
	console_block_begin();
	if (r == VMX_RUN_FAIL_VALID)
		pr_err("vmx: %s failed on CPU %u: VM-instruction error %u", insn, v->cpu,
		       vmcs_read32(VM_INSTRUCTION_ERROR));
	else
		vmx_insn_failed(insn, VMX_FAIL_INVALID);
	vmx_dump_guest_state(&v->regs);
	console_block_end();
}

/* A fresh start of v's guest: the VMCS in its entry state, the vCPU runnable. */
static bool start_vcpu(struct vcpu *v)
{
	/* vCPU 0 runs the image; the others wait for its SIPIs, as APs do after reset. */
	v->state = v->index == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
	v->run_gen = __atomic_load_n(&v->guest->run_gen, __ATOMIC_ACQUIRE);
	v->wake_after_us = 0;
	v->wake_armed = false;
	v->exits_total = v->interrupts = v->fastpaths = 0; /* HC_EXIT_STATS counts from the guest's (re)start */
	memset(v->exits, 0, sizeof(v->exits));
	/* and so do HC_ROOT_CYCLES and HC_ROOT_PHASES */
	memset(v->root_cost, 0, EXIT_REASON_MAX * sizeof(*v->root_cost));
	memset(v->root_phase, 0, EXIT_REASON_MAX * sizeof(*v->root_phase));
	v->exit_tsc = v->dispatch_tsc = v->handled_tsc = 0;
	vcpu_reset(v);
	cpuid_cr_caps(v, &v->cr_caps);
	exit_xcr0_reset(v);
	const struct vmx_vcpu_cfg cfg = {
	        .caps = cpus_vmx_caps(),
	        .entry = &v->guest->entry,
	        .eptp = ept_pointer(&v->guest->ept),
	        .vpid = v->vpid,
	        .cr4_allowed = v->cr_caps.cr4,
	        .host_tables = &this_cpu()->tables,
	};
	v->launched = false;
	if (!vmx_vcpu_setup(&v->vmcs, &cfg, &v->regs)) {
		v->guest->cfg.restart = false; /* the same setup would fail again */
		guest_stop(v->guest, "its VMCS could not be set up (see above)", 0);
		return false;
	}
	apicv_vcpu_setup(&v->apicv);
	msr_vcpu_start(v);
	v->guest->state = GUEST_RUNNING;
	return true;
}

/* A stopped guest starts again with restart=yes, or when the shell asks, unless the shell holds it. */
static bool restart_wanted(const struct guest *g) { return !g->held && (g->cfg.restart || g->start_asked); }

/*
 * The guest ended. Its first vCPU waits until it should start again (above),
 * then loads it and starts over; its other vCPUs wait for that reload and
 * start over in wait-for-SIPI, as APs do after reset.
 */
static void after_stop(struct vcpu *v)
{
	struct guest *g = v->guest;

	__atomic_store_n(&v->state, VCPU_STOPPED, __ATOMIC_RELEASE);
	if (v->index != 0) {
		while (g->state == GUEST_STOPPED)
			idle_once();
		start_vcpu(v); /* a failure stopped the guest: the loop comes back here */
		return;
	}
	guest_wait_stopped(g, v); /* its other vCPUs were kicked: their exit counts are final once they are out */
	guest_log_flush(g);       /* what its vCPUs' limiters held back, now that none runs */
	if (!g->shell_stopped) /* the shell's stop and reset: its stats command shows the same, without interleaving */
		exit_report_guest(g);
	guest_reported(g);
	if (guests_all_ended()) {
		pr_info("all guests have ended: powering off");
		platform_poweroff(POWEROFF_CODE_OK);
	}
	for (;;) {
		while (!restart_wanted(g))
			idle_once(); /* the shell's start, reset or panic request comes with a kick */
		g->start_asked = false;
		if (guest_restart(g))
			break;
		g->cfg.restart = false; /* loading failed: only the shell can try again */
	}
	start_vcpu(v); /* a failure stopped the guest: the loop comes back here */
}

static __attribute__((noreturn)) void run_vcpu(struct vcpu *v)
{
	start_vcpu(v); /* a failure stopped the guest: the loop reports it and waits */
	for (;;) {
		if (!vcpu_may_run(v)) {
			after_stop(v);
			continue;
		}
		if (v->state == VCPU_HALTED) {
			wait_halted(v);
			continue;
		}
		if (v->state == VCPU_WAIT_SIPI) {
			wait_sipi(v);
			continue;
		}
		if (!irq_before_entry(v))
			continue;
		guest_ept_sync(v);
		if (v->hazard & VCPU_HZ_VMCS)
			vmx_vcpu_sync_before_entry();
		v->hazard = 0;
		trace_note_entry(&this_cpu()->trace, vmcs_read32(VM_ENTRY_INTR_INFO_FIELD));
		root_cost_done(v);
		enum vmx_run_result r = vmx_run(&v->regs, v->launched);
		v->exit_tsc = rdtsc();
		irq_left_guest(v);
		if (r != VMX_RUN_EXIT) {
			entry_failed(v, r);
			continue;
		}
		bool entry_failure = (vmcs_read32(VM_EXIT_REASON) & VMX_EXIT_REASON_FAILED_VMENTRY) != 0;
		if (!entry_failure)
			vmx_requeue_interrupted_event();
		if (!v->launched && !entry_failure) {
			v->launched = true;
			if (v->index == 0)
				guest_mark_entered(v->guest);
		}
		v->dispatch_tsc = rdtsc();
		exit_dispatch(v);
		v->handled_tsc = rdtsc();
		conin_poll(); /* input without an interrupt route: CPU 0 reads it at every exit */
	}
}

static __attribute__((noreturn)) void run_this_cpu(void)
{
	struct vcpu *v = this_vcpu();

	if (!v || this_cpu()->vmx_state != VMX_CPU_ON)
		idle_forever();
	run_vcpu(v);
}

void sched_start(void)
{
	for (uint32_t cpu = 1; cpu < HV_MAX_CPUS; cpu++) {
		struct percpu *p = per_cpu(cpu);
		if (!p->online || !p->vcpu)
			continue;
		__atomic_store_n(&p->go, 1, __ATOMIC_RELEASE);
		cpu_kick(cpu);
	}
	run_this_cpu();
}

void sched_ap_wait(void)
{
	while (!__atomic_load_n(&this_cpu()->go, __ATOMIC_ACQUIRE))
		idle_once();
	run_this_cpu();
}
