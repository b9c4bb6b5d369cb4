/* fastpath.c: the exits handled in a few steps right after the exit, and the one place that decides which. */
#include "vmm/exit/fastpath.h"

#include "arch/x86/apic_regs.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmx_vcpu.h"
#include "lapic/vlapic.h"
#include "vmm/exit/cpuid_msr.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"

static bool fastpath_off;

void exit_fastpath_disable(void) { fastpath_off = true; }

/*
 * WRMSR to the x2APIC ICR (SDM Vol. 3, 11.12.9; it exits in every mode:
 * the vid bitmap passes only TPR, EOI and SELF IPI) of a fixed IPI to one
 * other vCPU by its physical ID: the model stores the ICR, the vector goes straight into
 * the target's posted-interrupt descriptor. The general path does the same
 * through handle_wrmsr, irq_wrmsr, vlapic_msr_write and route_ipi's search;
 * what it alone does (other delivery modes, shorthands, logical
 * destinations, an illegal vector and its ESR bits, reserved bits and #GP,
 * a broadcast, a self-IPI) stays there. Should the model store the ICR and
 * the route then refuse, the general path stores the same again.
 */
static bool icr_write(struct vcpu *v, const struct exit_info *e)
{
	uint64_t icr = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	uint32_t dest;
	uint8_t vector;

	if ((uint32_t)v->regs.rcx != APIC_X2APIC_MSR(APIC_REG_ICR_LOW) ||
	    !vlapic_x2apic_icr_fixed(&v->lapic, icr, &vector, &dest) || !irq_ipi_fixed_physical(v, dest, vector))
		return false;
	vmx_complete_instruction(e);
	return true;
}

/*
 * WRMSR to IA32_TSC_DEADLINE: the general path's own steps (irq_wrmsr, then
 * the instruction completed, or #GP where the model refuses), after which
 * the entry runs the timer, and nothing else. The MSR is not on the APIC
 * page: the write changes no register there, and a deadline already past
 * only adds the vector to IRR, which the timer's run flags (VCPU_HZ_IRR:
 * RVI again; SVI stays as the CPU keeps it).
 */
static bool deadline_write(struct vcpu *v, const struct exit_info *e)
{
	uint64_t value = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

	if ((uint32_t)v->regs.rcx != MSR_IA32_TSC_DEADLINE)
		return false;
	if (!irq_wrmsr(v, MSR_IA32_TSC_DEADLINE, value)) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		v->hazard = VCPU_HZ_ALL;
		return true;
	}
	vmx_complete_instruction(e);
	v->hazard |= VCPU_HZ_TIMER;
	return true;
}

/*
 * The VMX-preemption timer ran out (SDM Vol. 3, 26.5.1): the general
 * handler does nothing (the entry runs the vCPU's timer); here the entry
 * is told to run only that.
 */
static bool timer_expired(struct vcpu *v)
{
	v->hazard |= VCPU_HZ_TIMER;
	return true;
}

/*
 * A host interrupt (the notification vector outside mode posted, a kick,
 * the console's input): the general handler runs as it is, but sets no
 * hazard. Nothing a host interrupt's handler does needs the entry's full
 * preparation: what it posts to this vCPU comes through the inbox, or,
 * accepted at once on this core, marks its own hazard (route.c:
 * post_vector), and the timer's due time is checked at every entry.
 */
static bool host_interrupt(struct vcpu *v, const struct exit_info *e)
{
	handle_external_interrupt(v, e);
	return true;
}

/*
 * The one place that decides: by exit reason, the fast path that may take
 * it. Each takes the exit whole or leaves it untouched to the general
 * handler; the general path sets every hazard, a fast path only its own.
 */
bool exit_fastpath(struct vcpu *v, const struct exit_info *e)
{
	bool taken;

	if (fastpath_off)
		return false;
	switch (e->reason) {
	case EXIT_REASON_MSR_WRITE: taken = icr_write(v, e) || deadline_write(v, e); break;
	case EXIT_REASON_PREEMPTION_TIMER: taken = timer_expired(v); break;
	case EXIT_REASON_EXTERNAL_INTERRUPT: taken = host_interrupt(v, e); break;
	default: return false;
	}
	v->fastpaths += taken;
	return taken;
}
