/* vapic.h: a vCPU's local APIC and its guest's I/O APIC, wired to VM exits, injection and cross-core IPIs. */
#ifndef VMM_IRQ_VAPIC_H
#define VMM_IRQ_VAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx_exit.h"
#include "vmm/partition/vcpu.h"

struct guest;

/* An EPT violation inside the local APIC or I/O APIC page: emulate the access. */
bool vapic_is_mmio(const struct vcpu *v, uint64_t gpa);
enum exit_action vapic_mmio(struct vcpu *v, const struct exit_info *e);
/* The same for an access at gpa that reached the hypervisor another way (an APIC-access exit). */
enum exit_action vapic_mmio_at(struct vcpu *v, const struct exit_info *e, uint64_t gpa);

/* MSRs the local APIC owns (IA32_APIC_BASE, x2APIC 0x800-0x8ff, IA32_TSC_DEADLINE). */
bool vapic_owns_msr(uint32_t msr);
/* False: inject #GP. */
bool vapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *value);
bool vapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t value);

/* Carry out what a model access asked for: IPIs, EOI broadcast, APIC mode and routing changes. */
struct vlapic_effect;
void vapic_apply(struct vcpu *v, const struct vlapic_effect *fx);

/* Drive an I/O APIC pin of guest g (a device model or the test hypercall), from any core. */
void vapic_ioapic_line(struct guest *g, unsigned pin, bool asserted);

/*
 * On v's core before every VM entry, interrupts off: take what other cores
 * posted, fire a due timer, re-inject an event an exit interrupted, then
 * inject an NMI or the highest pending interrupt if the guest can take it,
 * else ask for an NMI- or interrupt-window exit (SDM Vol. 3, 27.6 and
 * 26.7.5). From here on posters notify v's core. False: an INIT arrived, v
 * waits for a SIPI and must not enter.
 */
bool vapic_before_entry(struct vcpu *v);
/* Right after every VM exit (or failed entry): posters stop notifying, v is in the hypervisor. */
void vapic_left_guest(struct vcpu *v);
/* While v is halted or waits for a SIPI: take its inbox; is there something that ends the wait? */
bool vapic_wakes_halt(struct vcpu *v);
/*
 * Before v's core waits (halted, wait-for-SIPI): from now on posters kick it.
 * True if something is posted already (then it is not blocked and should not
 * wait). vapic_unblock after the wait.
 */
/* The shell's inject and nmi: a fixed edge-triggered vector or an NMI for v, posted as any other source posts. */
void vapic_inject(struct vcpu *v, uint8_t vector);
void vapic_nmi(struct vcpu *v);

bool vapic_block(struct vcpu *v);
void vapic_unblock(struct vcpu *v);

#endif
