/* vmx_vcpu.h: one vCPU's VMCS: controls chosen from the capability masks, host and guest state. */
#ifndef ARCH_X86_VMX_VCPU_H
#define ARCH_X86_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx_caps.h"

struct vcpu;
struct guest;

/* The multiboot entry state (docs/guest-platform.md) a vCPU starts in. */
struct vmx_entry_state {
	uint32_t eip, eax, ebx, esp;
};

/*
 * Allocate (first time) and load v's VMCS on the calling core, and fill it:
 * controls from caps (what the hypervisor needs, refused with a message if
 * the CPU lacks it), host state of this core, guest state for a multiboot
 * entry as st says, EPT pointer and VPID. False (after saying why) on error.
 * Precondition: the calling core is in VMX root and is v->cpu.
 */
bool vmx_vcpu_setup(struct vcpu *v, const struct vmx_caps *caps, const struct vmx_entry_state *st);

/* debug.no_preemption_timer: leave the VMX-preemption timer off, to exercise the host-APIC-timer fallback. */
void vmx_vcpu_disable_preemption_timer(void);

/* The bitmaps every vCPU shares (built once on the boot CPU). False if out of memory. */
bool vmx_bitmaps_init(void);
/* The shared MSR bitmap's physical address. */
uint64_t vmx_msr_bitmap_shared(void);
/* A new MSR bitmap page, a copy of the shared one (to pass more MSRs through); 0 if out of memory. */
uint64_t vmx_msr_bitmap_clone(void);
/* Clear the read and/or write exiting bit of msr in a bitmap (SDM Vol. 3, 25.6.9). */
void vmx_msr_passthrough(uint8_t *bm, uint32_t msr, bool read, bool write);

/* Sync what VMX does not: EFER.LMA into the "IA-32e mode guest" entry control (SDM Vol. 3, 27.3.2.1). */
void vmx_vcpu_sync_before_entry(void);

/* Queue a hardware exception for the next VM entry (SDM Vol. 3, 27.6.1). */
void vmx_inject_exception(uint8_t vector, bool has_error_code, uint32_t error_code);

/* Queue an external interrupt or an NMI for the next VM entry (SDM Vol. 3, 27.6). */
void vmx_inject_interrupt(uint8_t vector);
void vmx_inject_nmi(void);
/*
 * Ask for an exit as soon as the guest can take an interrupt / an NMI (SDM Vol.
 * 3, 26.7.5, 26.7.6), or stop asking. Returns false if an NMI window was
 * wanted but the CPU has no virtual NMIs (the NMI then waits for any exit).
 */
bool vmx_request_windows(bool irq_window, bool nmi_window);
/* Exit after about tsc_ticks (the timer counts at TSC >> rate); false if the CPU has no preemption timer. */
bool vmx_set_preemption_timer(uint64_t tsc_ticks, unsigned rate);
/* The state a SIPI with this vector starts a vCPU in: real mode at vector << 12. */
void vmx_vcpu_enter_sipi(uint8_t vector);

/* Print the guest state of the current VMCS, decoded. */
void vmx_dump_guest_state(const struct vcpu *v);

#endif
