/* exits.h: VM-exit handling: one handler per exit reason, dispatched from a table. */
#ifndef VMM_EXIT_EXITS_H
#define VMM_EXIT_EXITS_H

#include <stdint.h>

#include "vmm/partition/vcpu.h"

struct vmx_caps;
struct cpuid_offer;

/*
 * Each handler gets the exit information (struct exit_info, arch/x86/vmx_exit.h,
 * read once by vmx_read_exit_info) and keeps the return contract of enum
 * exit_action (vmm/partition/vcpu.h).
 */
typedef enum exit_action (*exit_handler_t)(struct vcpu *v, const struct exit_info *e);

/* Read the exit information, count it, and run the reason's handler. */
enum exit_action exit_dispatch(struct vcpu *v);
/* An exit no handler deals with (or a case of one that none should meet): stop the guest with a dump of it. */
enum exit_action exit_unhandled(struct vcpu *v, const struct exit_info *e);

/* Handlers in the other files of vmm/exit/: ports.c, cpuid.c, msr.c, cr.c, hypercall.c, apic.c. */
enum exit_action handle_io(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_cpuid(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_rdmsr(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_wrmsr(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_cr_access(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_xsetbv(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_vmcall(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_apic_access(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_apic_write(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_eoi_induced(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_tpr_below_threshold(struct vcpu *v, const struct exit_info *e);
/* exits.c's own, which vmm/exit/fastpath.c runs too. */
enum exit_action handle_external_interrupt(struct vcpu *v, const struct exit_info *e);

/*
 * What the guests' CPUID offers on this machine (cpuid.c), decided once on the
 * boot CPU before any guest starts, from the host's CPUID and the VMX controls
 * caps allows; the MSR handler's allow-list follows from it (cpuid_msr.h).
 */
void cpuid_init(const struct vmx_caps *caps);
const struct cpuid_offer *cpuid_guest_offer(void);
/*
 * A vCPU's MSRs in their reset state (SDM Vol. 3, 10.1.1, Table 10-1), at each
 * start of its guest (msr.c): the core's pass-through MSRs, the TSC offset,
 * the values kept per vCPU. Precondition: on v's core, its VMCS current and set up.
 */
void msr_vcpu_start(struct vcpu *v);

/*
 * mmio.c: guest-physical addresses where the EPT lets an access exit but
 * something answers: v's own xAPIC page, the I/O APIC page, the ranges
 * where no device answers (all ones, writes dropped), and the read-only
 * firmware area (writes dropped). Anything else is a guest fault.
 */
bool mmio_claims(const struct vcpu *v, uint64_t gpa);
/*
 * Emulate the data access the instruction at the guest's RIP makes at gpa
 * (an EPT violation, or an APIC-access exit): fetch and decode it, read or
 * write the device (a read-modify-write: both, and RFLAGS), load the
 * register, complete the instruction; a MOVS, STOS or LODS one page at a
 * time (mmio_string.c). A form the decoder does not know stops the guest.
 */
enum exit_action mmio_emulate(struct vcpu *v, const struct exit_info *e, uint64_t gpa);

#endif
