/* inject.c: before each VM entry: take the inbox, run the timer, inject an NMI or interrupt or ask for a window. */
#include "apicv/apicv.h"
#include "apicv/posted.h"
#include "apicv/vintr.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/core/cpus.h"
#include "vmm/core/vectors.h"
#include "vmm/irq/irq.h"
#include "vmm/partition/guest.h"

/*
 * An NMI is in service while the guest is blocked by NMI (from its delivery
 * to the next IRET; with virtual NMIs the CPU tracks it in the same bit, SDM
 * Vol. 3, 25.4.2), or while one is queued for the next entry (its delivery
 * is under way: an exit interrupted it, or it was injected just now).
 */
static bool nmi_in_service(void)
{
	uint32_t queued = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);

	return (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_NMI) ||
	       ((queued & INTR_INFO_VALID_MASK) && (queued & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR);
}

static void do_init(struct vcpu *v)
{
	vlapic_init_reset(&v->lapic);
	apicv_apic_changed(&v->apicv); /* software-disabled now */
	v->nmi_pending = 0;
	v->state = VCPU_WAIT_SIPI;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
}

/*
 * An INIT to the BSP (vCPU 0, the one vlapic_reset gives IA32_APIC_BASE.BSP)
 * does not wait for a SIPI: the BSP starts again at the reset vector, which
 * for a guest is its image loaded afresh (SDM Vol. 3, 9.1, 9.4.1). So it is a
 * reset of the guest, the same as its end and restart: with restart=yes it
 * starts again, otherwise it ends. Since vCPU 0 never waits for a SIPI, a
 * guest always has a vCPU left that can send one.
 */
static void init_bsp(struct vcpu *v)
{
	v->state = VCPU_STOPPED;
	guest_stop(v->guest, "reset by an INIT to vCPU 0 (its BSP)", 0);
}

/* Take what other cores posted: vectors into IRR, NMI, INIT, SIPI (in that order, as they may have arrived). */
static void take_inbox(struct vcpu *v)
{
	struct pi_taken in;

	if (!pi_pending(&v->inbox) || !pi_take(&v->inbox, &in))
		return;
	/* Vectors alone only add to IRR (and TMR); mail (NMI, INIT, SIPI) may change anything. */
	v->hazard |= in.mail ? VCPU_HZ_ALL : VCPU_HZ_IRR;
	apicv_merge_posted(&v->lapic, in.edge, in.level);
	if (in.mail & PI_MAIL_NMI)
		v->nmi_pending = (uint8_t)pi_nmi_pending(v->nmi_pending, in.nmis, nmi_in_service());
	if ((in.mail & PI_MAIL_INIT) && v->index == 0) {
		init_bsp(v);
		return;
	}
	if (in.mail & PI_MAIL_INIT)
		do_init(v);
	/* A SIPI only starts a vCPU that waits for one (SDM Vol. 3, 9.4.4.1). */
	if ((in.mail & PI_MAIL_SIPI) && v->state == VCPU_WAIT_SIPI) {
		vmx_vcpu_enter_sipi(in.sipi_vector);
		v->state = VCPU_RUNNABLE;
	}
}

/*
 * Raise what is due now, from the model's own next time rather than the one
 * armed at the last entry: a deadline or count the guest set in the past
 * since then is raised before this entry, with no exit of its own.
 */
static void run_timer(struct vcpu *v, uint64_t now)
{
	/* Due by the time last seen, or maybe (its registers changed): its vector may be in IRR now. */
	bool due = (v->hazard & VCPU_HZ_TIMER) || now >= v->timer_next;

	v->timer_next = vlapic_timer_expire(&v->lapic, now);
	if (due)
		v->hazard |= VCPU_HZ_IRR; /* a fixed vector: the model's LVTs deliver no NMI */
}

/*
 * Make sure the guest leaves when its timer is due: the VMX-preemption timer
 * where the CPU has it (SDM Vol. 3, 26.5.1), else this core's own APIC timer,
 * whose interrupt makes an external-interrupt exit.
 */
static void arm_exit_timer(struct vcpu *v)
{
	uint64_t now = rdtsc(); /* after the model's timer ran: a reading from before would arm it late */
	uint64_t delta = v->timer_next == VLAPIC_NEVER ? ~0ull : v->timer_next > now ? v->timer_next - now : 0;

	if (vmx_set_preemption_timer(delta, cpus_vmx_caps()->preemption_timer_rate))
		return;
	lapic_timer_oneshot(HV_VECTOR_TIMER, v->timer_next == VLAPIC_NEVER ? 0 : delta ? delta : 1);
}

/* Interrupts on for one instruction: the host interrupts pending at this core are taken here. */
static void host_interrupt_window(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }

/*
 * An NMI, or an interrupt when the CPU does not deliver it itself, then the
 * windows for what waits. With virtual-interrupt delivery, no NMI pending
 * and nothing changed since (VCPU_HZ_EVENT), the windows are as the last
 * entry left them, closed, and there is nothing to do. Returns the highest
 * IRR vector not delivered now that a TPR write could let through, for the
 * TPR threshold (-1: none, and always under virtual-interrupt delivery).
 */
static int inject_events(struct vcpu *v)
{
	bool vid = apicv_vid_active(&v->apicv);

	if (vid && !v->nmi_pending && !(v->hazard & VCPU_HZ_EVENT))
		return -1;
	bool busy = vmx_event_queued() || vmx_single_step_pending();
	if (v->nmi_pending && !busy && vmx_guest_nmi_allowed()) {
		vmx_inject_nmi();
		v->nmi_pending--;
		busy = true;
	}
	/* Under virtual-interrupt delivery the CPU delivers what VIRR holds (RVI, set by apicv_before_entry). */
	int irr = vid ? -1 : vlapic_highest_irr(&v->lapic);
	int vector = vlapic_pending_of(&v->lapic, irr);
	if (vector >= 0 && !busy && vmx_guest_interruptible()) {
		vlapic_ack(&v->lapic, (uint8_t)vector);
		vmx_inject_interrupt((uint8_t)vector);
		v->interrupts++;
		v->hazard |= VCPU_HZ_APIC; /* IRR to ISR */
		/*
		 * Nothing else is pending now, so no window is needed: the vector
		 * was IRR's highest, and its class was above PPR's; in service now,
		 * it raises PPR to at least its own class, above which no vector
		 * left in IRR lies (SDM Vol. 3, 11.8.3.1). Nor can a TPR write let
		 * one through before its EOI, which exits without vid.
		 */
		vector = irr = -1;
	}
	/*
	 * A second NMI waits for the NMI window, which opens at the first one's
	 * IRET (SDM Vol. 3, 26.7.6; the injected NMI blocks virtual NMIs as it
	 * is delivered). Without virtual NMIs there is no such window: it waits
	 * for the guest's next exit of any kind.
	 */
	vmx_request_windows(vector >= 0, v->nmi_pending != 0);
	return irr;
}

bool irq_before_entry(struct vcpu *v)
{
	/*
	 * Take the inbox, let pending host interrupts in (a notification that
	 * was sent as the guest left ends here, see apicv/posted.c), and only
	 * then let posters notify again, or take once more if they posted since.
	 */
	do {
		take_inbox(v);
		if (v->state != VCPU_RUNNABLE)
			return false; /* an INIT: wait for a SIPI, or the guest's reset; SN stays set */
		host_interrupt_window();
	} while (!pi_allow(&v->inbox));
	/*
	 * The timer runs when due, or when its registers may have changed; it
	 * is always armed again, since the VMX-preemption timer counts from the
	 * value written at each entry.
	 */
	uint64_t now = rdtsc();
	if ((v->hazard & VCPU_HZ_TIMER) || now >= v->timer_next)
		run_timer(v, now);
	arm_exit_timer(v);
	int held_back = inject_events(v);
	apicv_before_entry(&v->apicv, (v->hazard & VCPU_HZ_APIC) != 0, (v->hazard & VCPU_HZ_IRR) != 0, held_back);
	return true;
}

void irq_left_guest(struct vcpu *v) { pi_suppress(&v->inbox); }

bool irq_block(struct vcpu *v) { return pi_block(&v->inbox); }
void irq_unblock(struct vcpu *v) { pi_unblock(&v->inbox); }

bool irq_wakes_halt(struct vcpu *v)
{
	take_inbox(v);
	run_timer(v, rdtsc());
	if (v->state != VCPU_HALTED)
		return true; /* INIT moved it to wait-for-SIPI, or reset its guest */
	/* An NMI wakes HLT only when it can be delivered: not inside an NMI handler (6.7.1). */
	return (v->nmi_pending && !nmi_in_service()) ||
	       ((vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF) && vlapic_highest_pending(&v->lapic) >= 0);
}
