/* irq.h: a vCPU's interrupts: where they go (route.c), how its guest reaches its APICs (access.c), injection
 * (inject.c). */
#ifndef VMM_IRQ_IRQ_H
#define VMM_IRQ_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx_exit.h"
#include "lapic/vioapic.h"
#include "lapic/vlapic.h"
#include "vmm/partition/vcpu.h"

struct guest;

/*
 * Where interrupts go (route.c). Every source reaches a vCPU the same way:
 * on its own core the model accepts the vector at once; from another core it
 * is posted into the vCPU's inbox (apicv/posted.h), with the signal the
 * inbox asks for (the notification vector or a kick).
 */

/* Carry out what a model access asked for: IPIs, EOI broadcast, APIC mode and routing changes. */
void irq_apply(struct vcpu *v, const struct vlapic_effect *fx);
/* Drive an I/O APIC pin of guest g (a device model or the test hypercall), from any core. */
void irq_ioapic_line(struct guest *g, unsigned pin, bool asserted);
/* Send the I/O APIC's messages to the local APICs they address; g's lock is not held. */
void irq_route_ioapic(struct guest *g, const struct vioapic_msg *msgs, unsigned n);
/* The shell's inject and nmi: a fixed edge-triggered vector or an NMI for v, posted as any other source posts. */
void irq_post(struct vcpu *v, uint8_t vector);
/*
 * The fast path's IPI (vmm/exit/fastpath.c): a fixed, edge-triggered vector
 * from sender to the x2APIC physical destination dest, posted as route_ipi
 * would post it, when it reaches exactly one vCPU and not the sender. False,
 * with nothing sent, otherwise (a broadcast, no such vCPU, the sender, an
 * APIC that takes nothing): the general path routes those.
 */
bool irq_ipi_fixed_physical(struct vcpu *sender, uint32_t dest, uint8_t vector);
void irq_post_nmi(struct vcpu *v);

/*
 * How the guest reaches its APICs (access.c): the exit handlers of vmm/exit/
 * hand the access over, MMIO as a register access that vmm/exit/mmio.c has
 * decoded from the instruction.
 */

/* Is gpa in v's local APIC page (while in xAPIC mode, at its base) or its guest's I/O APIC page? */
bool irq_apic_mmio_at(const struct vcpu *v, uint64_t gpa);
/*
 * An access of size bytes at gpa, one of those pages, by v: a register read
 * or write given to the model. What the models do not define reads as 0 and
 * is not written (SDM Vol. 3, 11.4.1; the I/O APIC takes 32-bit accesses).
 */
uint32_t irq_apic_mmio_read(struct vcpu *v, uint64_t gpa, unsigned size);
void irq_apic_mmio_write(struct vcpu *v, uint64_t gpa, unsigned size, uint32_t value);
/* MSRs the local APIC owns (IA32_APIC_BASE, x2APIC 0x800-0x8ff, IA32_TSC_DEADLINE). */
bool irq_owns_msr(uint32_t msr);
/* False: inject #GP. */
bool irq_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *value);
bool irq_wrmsr(struct vcpu *v, uint32_t msr, uint64_t value);

/* Before each entry and while the vCPU waits (inject.c); all on v's core. */

/*
 * Before every VM entry, interrupts off: take what other cores posted, fire a
 * due timer, then inject an NMI or the highest pending interrupt if the guest
 * can take it, else ask for an NMI- or interrupt-window exit (SDM Vol. 3,
 * 27.6 and 26.7.5); an event an exit interrupted is already queued again
 * (vmx_requeue_interrupted_event). From here on posters notify v's core.
 * False: an INIT arrived, v waits for a SIPI (or, for vCPU 0, its guest is
 * reset: stopped, restarted with restart=yes) and must not enter.
 */
bool irq_before_entry(struct vcpu *v);
/* Right after every VM exit (or failed entry): posters stop notifying, v is in the hypervisor. */
void irq_left_guest(struct vcpu *v);
/* While v is halted or waits for a SIPI: take its inbox; is there something that ends the wait? */
bool irq_wakes_halt(struct vcpu *v);
/*
 * Before v's core waits (halted, wait-for-SIPI): from now on posters kick it.
 * True if something is posted already (then it is not blocked and should not
 * wait). irq_unblock after the wait.
 */
bool irq_block(struct vcpu *v);
void irq_unblock(struct vcpu *v);

#endif
