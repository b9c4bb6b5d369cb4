/* vmx.h: bringing one CPU into VMX root operation (SDM Vol. 3, 24.7 "Enabling and Entering VMX Operation"). */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_insn.h"

/* Where one CPU stands with VMX; every state but VMX_CPU_ON has a reason logged. */
enum vmx_cpu_state {
	VMX_CPU_NOT_TRIED = 0,
	VMX_CPU_UNSUPPORTED, /* CPUID.1:ECX.VMX = 0 */
	VMX_CPU_LOCKED_OFF,  /* IA32_FEATURE_CONTROL locked with VMX disabled */
	VMX_CPU_MISSING,     /* VMX without a feature the hypervisor requires */
	VMX_CPU_MISMATCH,    /* capabilities differ from the boot CPU's */
	VMX_CPU_FAILED,      /* VMXON failed */
	VMX_CPU_ON,          /* in VMX root operation */
};

const char *vmx_cpu_state_name(enum vmx_cpu_state s);

/* Report a failed VMX instruction by name (one place for every VMX instruction). */
void vmx_insn_failed(const char *insn, enum vmx_status st);

/*
 * Drop the translations this CPU cached from the EPT at eptp (guest-physical
 * and combined mappings, for every VPID): INVEPT single-context where the
 * CPU has it, else all-context (SDM Vol. 3, 29.4.3.1; Vol. 3C, INVEPT). Needed
 * after an EPT entry was removed or made narrower, before the next VM entry
 * with it (29.4.3.3). False, after saying why, if it failed.
 */
bool vmx_invept(const struct vmx_caps *c, uint64_t eptp);

/*
 * First half, on the calling CPU: check CPUID, set and lock
 * IA32_FEATURE_CONTROL where firmware left it unlocked, read the capability
 * MSRs into raw and compare them with reference (the boot CPU's; NULL on the
 * boot CPU). Returns VMX_CPU_NOT_TRIED when VMXON may follow, else why not
 * (logged, naming cpu).
 */
enum vmx_cpu_state vmx_cpu_probe(unsigned cpu, struct vmx_caps_raw *raw, const struct vmx_caps_raw *reference);

/*
 * Second half, once the requirements are known to be met: apply the CR0/CR4
 * fixed bits (SDM Vol. 3, 24.8) and run VMXON on a fresh region. Returns
 * VMX_CPU_ON or VMX_CPU_FAILED (logged).
 */
enum vmx_cpu_state vmx_cpu_vmxon(unsigned cpu, const struct vmx_caps_raw *raw, uint64_t *vmxon_region);

#endif
