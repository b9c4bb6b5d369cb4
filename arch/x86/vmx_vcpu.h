/* vmx_vcpu.h: one vCPU's VMCS: controls chosen from the capability masks, host and guest state. */
#ifndef ARCH_X86_VMX_VCPU_H
#define ARCH_X86_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_exit.h"
#include "arch/x86/vmx_regs.h"

/*
 * Where a vCPU starts, as its loader chose (docs/guest-platform.md): flat
 * 32-bit protected mode with paging off (multiboot and PVH), or 64-bit mode
 * with paging on (long_mode: the bzImage's 64-bit entry), CS then a 64-bit
 * code segment (L=1, D=0) and the other segments flat data, through the GDT
 * and the page tables the loader wrote.
 */
struct vmx_entry_state {
	uint64_t rip;
	uint32_t eax, ebx, esp;
	uint16_t code_sel, data_sel; /* selectors of the flat code and data segments */
	bool long_mode;
	uint64_t rsi; /* long_mode: RSI, CR3 and GDTR as given */
	uint64_t cr3;
	uint64_t gdt_base;
	uint16_t gdt_limit;
};

/* What a vCPU's VMCS is made from. */
struct vmx_vcpu_cfg {
	const struct vmx_caps *caps;
	const struct vmx_entry_state *entry;
	uint64_t eptp; /* ept_pointer() of its guest's EPT */
	uint16_t vpid;
	uint64_t cr4_allowed;                 /* the CR4 bits the guest may set (vmx_cr_setup) */
	const struct cpu_tables *host_tables; /* the calling core's GDT, TSS and IDT */
};

/*
 * Allocate (when *vmcs is 0) and load a vCPU's VMCS on the calling core, and
 * fill it: controls from cfg->caps (what the hypervisor needs, refused with a
 * message if the CPU lacks it), host state of this core (its tables, and the
 * GS base it runs with), guest state as cfg->entry says, EPT pointer and VPID;
 * regs get the entry's EAX, EBX and RSI, the rest zero. False (after saying why) on
 * error. Precondition: the calling core is in VMX root and runs the vCPU.
 */
bool vmx_vcpu_setup(uint64_t *vmcs, const struct vmx_vcpu_cfg *cfg, struct guest_regs *regs);

/* debug.no_preemption_timer: leave the VMX-preemption timer off, to exercise the host-APIC-timer fallback. */
void vmx_vcpu_disable_preemption_timer(void);
/* debug.trap_df: the exception bitmap of VMCSs set up from now on (SDM Vol. 3, 25.6.3); 0 by default. */
void vmx_vcpu_trap_exceptions(uint32_t bitmap);

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

/*
 * The steps below run at every exit or entry, inline: under an emulator a
 * call costs about what it does (docs/benchmarks.md counts instructions).
 */

/* The current VMCS's exit information (SDM Vol. 3, 28.2), right after an exit. */
static inline void vmx_read_exit_info(struct exit_info *e)
{
	e->reason = vmcs_read32(VM_EXIT_REASON) & VMX_EXIT_REASON_BASIC_MASK;
	e->qualification = vmcs_readl(EXIT_QUALIFICATION);
	e->instruction_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	e->guest_rip = vmcs_readl(GUEST_RIP);
	e->intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
	e->guest_physical = 0;
	e->guest_linear = 0;
	e->idt_vectoring = 0;
	if (e->reason == EXIT_REASON_EPT_VIOLATION || e->reason == EXIT_REASON_EPT_MISCONFIG)
		e->guest_physical = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	if (e->reason == EXIT_REASON_EPT_VIOLATION)
		e->idt_vectoring = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	if (e->reason == EXIT_REASON_EPT_VIOLATION && (e->qualification & EPT_QUAL_GLA_VALID))
		e->guest_linear = vmcs_readl(GUEST_LINEAR_ADDRESS);
}

/*
 * An instruction the hypervisor emulated is done, and the next one starts at
 * next_rip, as the CPU would leave it (SDM Vol. 3, 6.8.3 and 25.4.2): RIP
 * moves on (EIP wraps outside 64-bit mode), the STI or MOV-SS shadow that
 * covered this instruction is over, and with RFLAGS.TF a single-step trap is
 * pending on it: BS in the pending debug exceptions, which the CPU delivers
 * after the next VM entry with the priority of a trap on the previous
 * instruction (27.7.3).
 */
static inline void vmx_complete_instruction_at(uint64_t next_rip)
{
	uint32_t intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (next_rip >> 32 &&
	    !((vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L)))
		next_rip = (uint32_t)next_rip;
	vmcs_writel(GUEST_RIP, next_rip);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	if (vmcs_readl(GUEST_RFLAGS) & RFLAGS_TF)
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

/* The same for the instruction that exited, whose length the exit information gives. */
static inline void vmx_complete_instruction(const struct exit_info *e)
{
	vmx_complete_instruction_at(e->guest_rip + e->instruction_len);
}

/*
 * A single-step trap is pending (vmx_complete_instruction): nothing may be
 * injected at the next entry, since a vectoring entry of an interrupt, an NMI
 * or an exception drops pending debug exceptions (27.7.3), while the CPU
 * would deliver the trap first (6.9). The event waits for its window.
 */
static inline bool vmx_single_step_pending(void)
{
	return (vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_BS) != 0;
}
/*
 * After an exit: if it interrupted the delivery of an event (IDT-vectoring
 * information, SDM Vol. 3, 28.2.4), queue that event again for the next
 * entry, as the CPU would have delivered it (27.6.1).
 */
void vmx_requeue_interrupted_event(void);

/* Queue a hardware exception for the next VM entry (SDM Vol. 3, 27.6.1). */
void vmx_inject_exception(uint8_t vector, bool has_error_code, uint32_t error_code);

/* Queue an external interrupt or an NMI for the next VM entry (SDM Vol. 3, 27.6). */
void vmx_inject_interrupt(uint8_t vector);
void vmx_inject_nmi(void);
/* Is an event already queued for the next entry (VM_ENTRY_INTR_INFO_FIELD valid)? */
static inline bool vmx_event_queued(void)
{
	return (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK) != 0;
}

/* IF set and no STI or MOV-SS shadow: the guest can take a maskable interrupt now (SDM Vol. 3, 26.3.1.5). */
static inline bool vmx_guest_interruptible(void)
{
	return (vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/* No STI, MOV-SS or NMI blocking: the guest can take an NMI now (SDM Vol. 3, 26.3.1.5, 24.4.2). */
static inline bool vmx_guest_nmi_allowed(void)
{
	return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	         (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI));
}
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

/* Print the guest state of the current VMCS, decoded, with the registers it does not hold. */
void vmx_dump_guest_state(const struct guest_regs *r);

#endif
