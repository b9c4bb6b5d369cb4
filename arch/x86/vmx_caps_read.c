/* vmx_caps_read.c: reading the VMX capability MSRs on the current CPU. */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_defs.h"
#include "vmm/lib/string.h"

void vmx_caps_read(struct vmx_caps_raw *raw)
{
	memset(raw, 0, sizeof(*raw));
	raw->basic = rdmsr(MSR_IA32_VMX_BASIC);
	raw->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	raw->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	raw->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	raw->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	raw->misc = rdmsr(MSR_IA32_VMX_MISC);
	raw->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	raw->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	raw->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	raw->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	raw->vmcs_enum = rdmsr(MSR_IA32_VMX_VMCS_ENUM);
	/* Each further MSR exists only where an allowed-1 bit says so (SDM A.3.2, A.3.3, A.10, A.11). */
	uint32_t proc_may1 = (uint32_t)(raw->procbased >> 32);
	if (proc_may1 & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		raw->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (proc_may1 & CPU_BASED_ACTIVATE_TERTIARY_CONTROLS)
		raw->procbased3 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS3);
	uint32_t proc2_may1 = (uint32_t)(raw->procbased2 >> 32);
	if (proc2_may1 & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		raw->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (proc2_may1 & SECONDARY_EXEC_ENABLE_VMFUNC)
		raw->vmfunc = rdmsr(MSR_IA32_VMX_VMFUNC);
	if (raw->basic & VMX_BASIC_TRUE_CTLS) {
		raw->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		raw->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		raw->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		raw->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
}
