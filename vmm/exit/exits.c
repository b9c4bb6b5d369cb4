/* exits.c: VM-exit handling: one handler per exit reason, dispatched from a table. */
#include "vmm/exit/exits.h"

#include "arch/x86/cpu.h"
#include "arch/x86/guest_walk.h"
#include "arch/x86/lapic.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/core/percpu.h"
#include "vmm/core/trace.h"
#include "vmm/exit/fastpath.h"
#include "vmm/exit/if_check.h"
#include "vmm/exit/mmio.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"
#include "vmm/lib/panic.h"
#include "vmm/partition/guest.h"

/*
 * The unrecoverable path of every handler: stop the guest on all its cores
 * first (this event is its end, and nothing of it runs on), then report
 * this exit in full, as one block. If the guest had already ended (another
 * vCPU's fault, an exit-port write), that end stands and this exit is
 * reported as what it is: a later one.
 */
static enum exit_action stop_with_dump(struct vcpu *v, const struct exit_info *e, const char *why)
{
	bool first = guest_stop_fatal(v, why);

	console_block_begin();
	console_printf_raw("*** guest %s, vCPU %u on CPU %u: %s%s\n", v->guest->name, v->index, v->cpu, why,
	                   first ? "" : " (after the guest had stopped: not its end)");
	console_printf_raw("    exit reason %u (%s), qualification %#llx, instruction length %u\n", e->reason,
	                   exit_reason_name(e->reason), (unsigned long long)e->qualification, e->instruction_len);
	if (e->reason == EXIT_REASON_EPT_VIOLATION && (e->qualification & EPT_QUAL_GLA_VALID))
		console_printf_raw("    guest-linear address %#llx\n", (unsigned long long)e->guest_linear);
	vmx_dump_guest_state(&v->regs);
	console_block_end();
	return EXIT_STOPPED;
}

enum exit_action exit_unhandled(struct vcpu *v, const struct exit_info *e)
{
	char why[80];

	hv_snprintf(why, sizeof(why), "unhandled VM exit %s", exit_reason_name(e->reason));
	return stop_with_dump(v, e, why);
}

/*
 * The top of the stack an event from CPL 3 switches to, TSS.RSP0 (SDM Vol. 3,
 * 8.7, Figure 8-11), read through the guest's own page tables: where the
 * frame of the event that started a fault loop at kernel entry lies.
 */
static void dump_rsp0_stack(struct vcpu *v)
{
	enum { QWORDS = 28, TSS64_RSP0 = 4 };
	struct guest_walk_ctx ctx;
	uint64_t rsp0, q[QWORDS];

	mmio_walk_ctx(v, &ctx);
	if (!guest_read_linear(&ctx, vmcs_readl(GUEST_TR_BASE) + TSS64_RSP0, &rsp0, sizeof(rsp0)) ||
	    !guest_read_linear(&ctx, rsp0 - sizeof(q), q, sizeof(q))) {
		console_printf_raw("    TSS.RSP0 or the stack below it is unreadable\n");
		return;
	}
	console_printf_raw("    TSS.RSP0 %#llx; the qwords below it, highest first:\n", (unsigned long long)rsp0);
	for (unsigned i = QWORDS; i-- > 0;)
		console_printf_raw("      RSP0-%#04x %016llx\n", (QWORDS - i) * 8, (unsigned long long)q[i]);
}

/*
 * debug.trap_df: the guest's first double fault on this vCPU exits. Its
 * last exits (the faults before a #DF do not exit), its state and the top of
 * its RSP0 stack are shown; then the #DF goes on to the guest with its error
 * code 0 (SDM Vol. 3, 6.15, "Interrupt 8") and later ones no longer exit.
 */
static enum exit_action double_fault(struct vcpu *v)
{
	static struct trace_rec
	        recs[TRACE_KEEP]; /* one for all cores: filled inside the console block, which is theirs in turn */
	uint64_t total;

	console_block_begin();
	unsigned n = trace_snapshot(&this_cpu()->trace, recs, TRACE_KEEP, &total);
	console_printf_raw("*** guest %s, vCPU %u on CPU %u: double fault (debug.trap_df); its last %u exits, oldest "
	                   "first (TSC relative to this one):\n",
	                   v->guest->name, v->index, v->cpu, n);
	for (unsigned i = n; i-- > 0;) {
		const struct trace_rec *r = &recs[i];

		console_printf_raw("    %11lld %-20s qualification %#llx guest rip %#llx",
		                   (long long)(r->tsc - recs[0].tsc), exit_reason_name(r->reason),
		                   (unsigned long long)r->qualification, (unsigned long long)r->guest_rip);
		if (r->injected & INTR_INFO_VALID_MASK)
			console_printf_raw(", injected %#x\n", r->injected);
		else
			console_printf_raw("\n");
	}
	vmx_dump_guest_state(&v->regs);
	dump_rsp0_stack(v);
	console_block_end();
	vmcs_write32(EXCEPTION_BITMAP, vmcs_read32(EXCEPTION_BITMAP) & ~(1u << X86_EXC_DF));
	vmx_inject_exception(X86_EXC_DF, true, 0);
	return EXIT_RESUME;
}

static enum exit_action handle_exception_nmi(struct vcpu *v, const struct exit_info *e)
{
	if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION &&
	    (e->intr_info & INTR_INFO_VECTOR_MASK) == X86_EXC_DF)
		return double_fault(v);
	if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		if (panic_in_progress())
			panic_park(); /* another core panicked and stops this one (panic.c) */
		pr_warn("vmx: NMI while in guest %s: not from a panic (the only NMI the hypervisor sends); ignored",
		        v->guest->name);
		return EXIT_RESUME;
	}
	return exit_unhandled(v, e); /* the exception bitmap holds at most #DF (debug.trap_df) */
}

/*
 * With "acknowledge interrupt on exit" the interrupt is already taken from the
 * local APIC and its vector is in the exit information (SDM Vol. 3, 28.2.2):
 * run the hypervisor's handler for it, which ends it with an EOI.
 */
enum exit_action handle_external_interrupt(struct vcpu *v, const struct exit_info *e)
{
	unsigned vector = e->intr_info & INTR_INFO_VECTOR_MASK;

	exit_if_check(v);
	if (vector == LAPIC_SPURIOUS_VECTOR || trap_run_handler(vector))
		return EXIT_RESUME;
	pr_warn("vmx: unexpected host interrupt, vector %u, while in guest %s: ended and ignored", vector,
	        v->guest->name);
	lapic_eoi();
	return EXIT_RESUME;
}

static enum exit_action handle_triple_fault(struct vcpu *v, const struct exit_info *e)
{
	return stop_with_dump(v, e, "triple fault (shutdown)");
}

static enum exit_action handle_init_sipi(struct vcpu *v, const struct exit_info *e)
{
	pr_warn("vmx: guest %s: unexpected %s on CPU %u; ignored", v->guest->name, exit_reason_name(e->reason), v->cpu);
	return EXIT_RESUME;
}

static enum exit_action handle_hlt(struct vcpu *v, const struct exit_info *e)
{
	vmx_complete_instruction(e);
	v->state = VCPU_HALTED;
	v->wake_tsc = 0;
	if (v->wake_armed) {
		v->wake_tsc = tsc_deadline_us(v->wake_after_us); /* never 0: the TSC runs; 0 µs wakes at once */
		v->wake_armed = false;
	}
	return EXIT_RESUME;
}

/* INVD would drop the hypervisor's dirty lines too: write them back instead (SDM Vol. 2, INVD). */
static enum exit_action handle_invd(struct vcpu *v, const struct exit_info *e)
{
	(void)v;
	__asm__ volatile("wbinvd" ::: "memory");
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

static enum exit_action inject_ud(struct vcpu *v, const struct exit_info *e)
{
	(void)v;
	(void)e;
	vmx_inject_exception(X86_EXC_UD, false, 0);
	return EXIT_RESUME;
}

/*
 * Where the EPT maps no memory, or only reads: a data access of the instruction itself, not a fetch nor the
 * guest's page walk (SDM Vol. 3, Table 28-7), goes to the device there; anything else stops the guest. So does
 * an access the CPU made delivering an event (IDT-vectoring information valid, 28.2.4: its IDT, GDT or stack
 * where no memory is): the instruction at RIP did not make it, and event delivery is not emulated.
 */
static enum exit_action handle_ept_violation(struct vcpu *v, const struct exit_info *e)
{
	const uint64_t data = EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_TRANSLATED;
	bool delivering = (e->idt_vectoring & INTR_INFO_VALID_MASK) != 0;

	if (!(e->qualification & EPT_QUAL_FETCH) && (e->qualification & data) == data && !delivering &&
	    mmio_claims(v, e->guest_physical))
		return mmio_emulate(v, e, e->guest_physical);

	char why[GUEST_STOP_REASON_MAX];
	const char *access = e->qualification & EPT_QUAL_WRITE   ? "write"
	                     : e->qualification & EPT_QUAL_FETCH ? "instruction fetch"
	                                                         : "read";

	if (delivering)
		hv_snprintf(why, sizeof(why),
		            "%s at guest-physical %#llx delivering vector %u (IDT, GDT or stack): not emulated", access,
		            (unsigned long long)e->guest_physical, e->idt_vectoring & INTR_INFO_VECTOR_MASK);
	else
		hv_snprintf(why, sizeof(why), "%s at guest-physical %#llx, outside its memory or not allowed there",
		            access, (unsigned long long)e->guest_physical);
	return stop_with_dump(v, e, why);
}

static enum exit_action handle_ept_misconfig(struct vcpu *v, const struct exit_info *e)
{
	pr_err("vmx: EPT misconfiguration at guest-physical %#llx: a hypervisor bug in guest %s's EPT",
	       (unsigned long long)e->guest_physical, v->guest->name);
	return stop_with_dump(v, e, "EPT misconfiguration");
}

/* The window opened, or the timer ran out: irq_before_entry injects what is pending. */
static enum exit_action handle_resume(struct vcpu *v, const struct exit_info *e)
{
	(void)v;
	(void)e;
	return EXIT_RESUME;
}

static enum exit_action handle_invalid_state(struct vcpu *v, const struct exit_info *e)
{
	return stop_with_dump(v, e, "VM entry failed: invalid guest state (SDM Vol. 3, 27.3.1)");
}

static const exit_handler_t handlers[EXIT_REASON_MAX] = {
        [EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi,
        [EXIT_REASON_EXTERNAL_INTERRUPT] = handle_external_interrupt,
        [EXIT_REASON_TPR_BELOW_THRESHOLD] = handle_tpr_below_threshold,
        [EXIT_REASON_APIC_ACCESS] = handle_apic_access,
        [EXIT_REASON_EOI_INDUCED] = handle_eoi_induced,
        [EXIT_REASON_APIC_WRITE] = handle_apic_write,
        [EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
        [EXIT_REASON_INIT_SIGNAL] = handle_init_sipi,
        [EXIT_REASON_SIPI_SIGNAL] = handle_init_sipi,
        [EXIT_REASON_CPUID] = handle_cpuid,
        [EXIT_REASON_HLT] = handle_hlt,
        [EXIT_REASON_INVD] = handle_invd,
        [EXIT_REASON_VMCALL] = handle_vmcall,
        [EXIT_REASON_VMCLEAR] = inject_ud,
        [EXIT_REASON_VMLAUNCH] = inject_ud,
        [EXIT_REASON_VMPTRLD] = inject_ud,
        [EXIT_REASON_VMPTRST] = inject_ud,
        [EXIT_REASON_VMREAD] = inject_ud,
        [EXIT_REASON_VMRESUME] = inject_ud,
        [EXIT_REASON_VMWRITE] = inject_ud,
        [EXIT_REASON_VMOFF] = inject_ud,
        [EXIT_REASON_VMON] = inject_ud,
        [EXIT_REASON_INVEPT] = inject_ud,
        [EXIT_REASON_INVVPID] = inject_ud,
        [EXIT_REASON_VMFUNC] = inject_ud,
        [EXIT_REASON_GETSEC] = inject_ud,
        [EXIT_REASON_MWAIT_INSTRUCTION] = inject_ud,
        [EXIT_REASON_MONITOR_INSTRUCTION] = inject_ud,
        [EXIT_REASON_RDTSCP] = inject_ud,
        [EXIT_REASON_CR_ACCESS] = handle_cr_access,
        [EXIT_REASON_IO_INSTRUCTION] = handle_io,
        [EXIT_REASON_MSR_READ] = handle_rdmsr,
        [EXIT_REASON_MSR_WRITE] = handle_wrmsr,
        [EXIT_REASON_INVALID_STATE] = handle_invalid_state,
        [EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
        [EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
        [EXIT_REASON_XSETBV] = handle_xsetbv,
        [EXIT_REASON_INTERRUPT_WINDOW] = handle_resume,
        [EXIT_REASON_NMI_WINDOW] = handle_resume,
        [EXIT_REASON_PREEMPTION_TIMER] = handle_resume,
};

enum exit_action exit_dispatch(struct vcpu *v)
{
	struct exit_info e;

	vmx_read_exit_info(&e);
	trace_record(&this_cpu()->trace, v->exit_tsc, e.reason, e.qualification, e.guest_rip);
	v->exit_reason = e.reason;
	v->exits_total++;
	if (e.reason >= EXIT_REASON_MAX || !handlers[e.reason]) {
		if (e.reason < EXIT_REASON_MAX)
			v->exits[e.reason]++;
		v->hazard = VCPU_HZ_ALL;
		return exit_unhandled(v, &e);
	}
	v->exits[e.reason]++;
	if (exit_fastpath(v, &e))
		return EXIT_RESUME;
	v->hazard = VCPU_HZ_ALL; /* a general handler may change anything */
	return handlers[e.reason](v, &e);
}
