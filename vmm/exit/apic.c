/* apic.c: the exits of APIC virtualization (SDM Vol. 3, 30.1 and 30.4): each hands the access to the model. */
#include "apicv/apicv.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_exit.h"
#include "lapic/vlapic.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/fmt.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_layout.h"

/* APIC-write exit: trap-like, the write is on the page already; the model takes it with its rules and effects. */
enum exit_action handle_apic_write(struct vcpu *v, const struct exit_info *e)
{
	struct vlapic_effect fx;

	if (apicv_apic_write(&v->apicv, e->qualification, rdtsc(), &fx))
		irq_apply(v, &fx);
	return EXIT_RESUME;
}

/* EOI-induced exit (SDM Vol. 3, 30.1.4), trap-like: the CPU retired the vector; the model sends its EOI on. */
enum exit_action handle_eoi_induced(struct vcpu *v, const struct exit_info *e)
{
	struct vlapic_effect fx;

	vlapic_eoi_done(&v->lapic, (uint8_t)(e->qualification & EOI_QUAL_VECTOR_MASK), &fx);
	irq_apply(v, &fx);
	return EXIT_RESUME;
}

/* Trap-like: the TPR write is done; the next entry injects what it unmasked (SDM Vol. 3, 30.1.2). */
enum exit_action handle_tpr_below_threshold(struct vcpu *v, const struct exit_info *e)
{
	(void)v;
	(void)e;
	return EXIT_RESUME;
}

/*
 * An xAPIC access that APIC virtualization does not complete itself:
 * fault-like, the instruction has not run (SDM Vol. 3, 30.4). It is the
 * model's, through the same decoder as an EPT violation on the APIC page.
 * The APIC-access page is mapped only at GUEST_LAPIC_BASE, and only while
 * every vCPU's APIC is there (vmm/partition/guest.c): that is the address.
 */
enum exit_action handle_apic_access(struct vcpu *v, const struct exit_info *e)
{
	uint64_t offset = e->qualification & APIC_ACCESS_OFFSET_MASK;
	unsigned type = (unsigned)(e->qualification >> APIC_ACCESS_TYPE_SHIFT & APIC_ACCESS_TYPE_MASK);
	char why[GUEST_STOP_REASON_MAX];

	if (type == APIC_ACCESS_LINEAR_READ || type == APIC_ACCESS_LINEAR_WRITE)
		return mmio_emulate(v, e, GUEST_LAPIC_BASE + offset);
	hv_snprintf(why, sizeof(why), "an APIC access of type %u at offset %#llx (instruction fetch or event delivery)",
	            type, (unsigned long long)offset);
	guest_stop(v->guest, why, 0);
	return EXIT_STOPPED;
}
