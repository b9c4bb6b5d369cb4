/* vmx.c: bringing one CPU into VMX root operation (SDM Vol. 3, 24.7 "Enabling and Entering VMX Operation"). */
#include "arch/x86/vmx.h"

#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_defs.h"
#include "vmm/lib/log.h"
#include "vmm/lib/panic.h"
#include "vmm/mm/mm.h"

const char *vmx_cpu_state_name(enum vmx_cpu_state s)
{
	switch (s) {
	case VMX_CPU_NOT_TRIED: return "not tried";
	case VMX_CPU_UNSUPPORTED: return "no VMX";
	case VMX_CPU_LOCKED_OFF: return "VMX disabled by firmware";
	case VMX_CPU_MISSING: return "VMX lacks required features";
	case VMX_CPU_MISMATCH: return "VMX capabilities differ from CPU 0";
	case VMX_CPU_FAILED: return "VMXON failed";
	case VMX_CPU_ON: return "VMX root";
	}
	return "?";
}

void vmx_insn_failed(const char *insn, enum vmx_status st)
{
	/* VMfailValid leaves a number in VM_INSTRUCTION_ERROR; it needs a current VMCS,
	 * which VMXON never has, so only VMfailInvalid can come from it. */
	pr_err("vmx: %s failed: %s", insn,
	       st == VMX_FAIL_INVALID ? "VMfailInvalid"
	       : st == VMX_FAIL_VALID ? "VMfailValid"
	                              : "no failure");
}

bool vmx_invept(const struct vmx_caps *c, uint64_t eptp)
{
	bool single = vmx_has_ept_vpid(c, VMX_EPT_INVEPT | VMX_EPT_INVEPT_SINGLE_CONTEXT);
	enum vmx_status s;

	if (!single && !vmx_has_ept_vpid(c, VMX_EPT_INVEPT | VMX_EPT_INVEPT_ALL_CONTEXT)) {
		pr_err("vmx: INVEPT: the CPU offers no INVEPT type: cached EPT translations stay");
		return false;
	}
	s = invept(single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT, eptp);
	if (s != VMX_SUCCEED)
		vmx_insn_failed("INVEPT", s);
	return s == VMX_SUCCEED;
}

/* IA32_FEATURE_CONTROL: set and lock it where firmware did not (SDM Vol. 3, 24.7). */
static enum vmx_cpu_state feature_control(unsigned cpu)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEAT_CTL_LOCKED)) {
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX | FEAT_CTL_LOCKED);
		pr_debug("vmx: CPU %u: IA32_FEATURE_CONTROL was unlocked (%#llx): VMX enabled and locked", cpu,
		         (unsigned long long)fc);
		return VMX_CPU_NOT_TRIED;
	}
	if (!(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("vmx: CPU %u: the firmware locked VMX off (IA32_FEATURE_CONTROL %#llx): "
		       "enable Intel VT-x in firmware setup",
		       cpu, (unsigned long long)fc);
		return VMX_CPU_LOCKED_OFF;
	}
	return VMX_CPU_NOT_TRIED;
}

enum vmx_cpu_state vmx_cpu_probe(unsigned cpu, struct vmx_caps_raw *raw, const struct vmx_caps_raw *reference)
{
	const char *diff;

	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX))
		return VMX_CPU_UNSUPPORTED;
	enum vmx_cpu_state st = feature_control(cpu);
	if (st != VMX_CPU_NOT_TRIED)
		return st;
	vmx_caps_read(raw);
	if (reference && !vmx_caps_equal(reference, raw, &diff)) {
		pr_err("vmx: CPU %u: %s differs from CPU 0's: this CPU stays out of VMX", cpu, diff);
		return VMX_CPU_MISMATCH;
	}
	return VMX_CPU_NOT_TRIED;
}

enum vmx_cpu_state vmx_cpu_vmxon(unsigned cpu, const struct vmx_caps_raw *raw, uint64_t *vmxon_region)
{
	uint64_t region = page_alloc(1);

	if (!region) {
		pr_err("vmx: CPU %u: out of memory for the VMXON region", cpu);
		return VMX_CPU_FAILED;
	}
	/* Bits CRn_FIXED0 has set must be 1, bits CRn_FIXED1 has clear must be 0 (SDM Vol. 3, A.7, A.8). */
	write_cr0((read_cr0() | raw->cr0_fixed0) & raw->cr0_fixed1);
	write_cr4((read_cr4() | raw->cr4_fixed0 | CR4_VMXE) & raw->cr4_fixed1);
	/* The VMXON region starts with the VMCS revision identifier (SDM Vol. 3, 25.11.5). */
	*(volatile uint32_t *)phys_to_virt(region) = (uint32_t)(raw->basic & VMX_BASIC_REVISION_MASK);
	enum vmx_status s = vmxon(region);
	if (s != VMX_SUCCEED) {
		vmx_insn_failed("VMXON", s);
		page_free(region, 1);
		return VMX_CPU_FAILED;
	}
	*vmxon_region = region;
	return VMX_CPU_ON;
}

/*
 * A VMREAD or VMWRITE that fails is a hypervisor bug (an unsupported field,
 * no current VMCS). Which failure: VMfailInvalid (CF) leaves no current VMCS
 * to hold an error number, so reading VM_INSTRUCTION_ERROR fails the same
 * way; after VMfailValid (ZF) it succeeds and gives the number (31.2, 31.4).
 */
void vmcs_access_failed(const char *insn, unsigned field)
{
	uint64_t err = 0;

	if (!vmcs_try_read(VM_INSTRUCTION_ERROR, &err))
		panic("%s of VMCS field %#x failed: VMfailInvalid (no current VMCS)", insn, field);
	panic("%s of VMCS field %#x failed: VMfailValid, VM-instruction error %llu", insn, field,
	      (unsigned long long)err);
}
