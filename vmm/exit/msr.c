/* msr.c: the MSRs a guest may use (cpuid_msr.c, docs/guest-platform.md); any other access raises #GP. */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/exit/cr.h"
#include "vmm/exit/cpuid_msr.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"
#include "vmm/partition/vtsc.h"

/* Each PAT entry must be a defined memory type: UC, WC, WT, WP, WB or UC- (SDM Vol. 3, 13.12.2). */
static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (8 * i));
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* The read side of the allow-list; false if the MSR is not on it. */
static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_EFER: *val = vmcs_read64(GUEST_IA32_EFER); return true;
	case MSR_IA32_PAT: *val = vmcs_read64(GUEST_IA32_PAT); return true;
	case MSR_IA32_FEATURE_CONTROL: *val = FEAT_CTL_LOCKED; return true; /* locked, VMX off */
	case MSR_IA32_MISC_ENABLE: *val = v->misc_enable; return true;
	case MSR_IA32_MTRRCAP: *val = 0; return true; /* no MTRRs to program */
	case MSR_IA32_MTRR_DEF_TYPE: *val = v->mtrr_def_type; return true;
	case MSR_IA32_TSC: *val = vtsc_guest(&v->tsc, rdtsc()); return true; /* the bitmap passes reads: not met */
	case MSR_IA32_TSC_ADJUST: *val = v->tsc.adjust; return true;
	case MSR_IA32_BIOS_SIGN_ID: *val = 0; return true; /* no microcode update loaded: revision 0 */
	default: return false;
	}
}

/* The guest's TSC moved: RDTSC, RDTSCP and RDMSR IA32_TSC add the new offset (SDM Vol. 3, 26.3). */
static void tsc_moved(struct vcpu *v) { vmcs_write64(TSC_OFFSET, v->tsc.offset); }

/* The write side; false if the MSR or the value is not allowed. */
static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_EFER: return exit_efer_write(v, val); /* with CR0 and CR4: vmm/exit/cr.c */
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return false;
		vmcs_write64(GUEST_IA32_PAT, val);
		return true;
	case MSR_IA32_MISC_ENABLE: return cpuid_misc_enable_write(&v->misc_enable, val);
	case MSR_IA32_MTRR_DEF_TYPE:
		if (!cpuid_mtrr_def_type_valid(val))
			return false;
		v->mtrr_def_type = val; /* EPT decides the memory types: the guest's MTRRs change nothing */
		return true;
	case MSR_IA32_TSC:
		vtsc_write_tsc(&v->tsc, val, rdtsc());
		tsc_moved(v);
		return true;
	case MSR_IA32_TSC_ADJUST:
		vtsc_write_adjust(&v->tsc, val);
		tsc_moved(v);
		return true;
	case MSR_IA32_BIOS_SIGN_ID:
		/*
		 * Software writes 0, runs CPUID leaf 1 and reads the revision
		 * (SDM Vol. 3, 11.11.7.1); Linux does it at every boot, with an
		 * unchecked WRMSR. A guest loads no microcode: any write is taken
		 * and changes nothing.
		 */
		return true;
	default: return false;
	}
}

enum exit_action handle_rdmsr(struct vcpu *v, const struct exit_info *e)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val;
	bool ok = irq_owns_msr(msr) ? irq_rdmsr(v, msr, &val)
	                            : cpuid_msr_present(cpuid_guest_offer(), msr) && msr_read(v, msr, &val);

	if (!ok) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	v->regs.rax = (uint32_t)val;
	v->regs.rdx = val >> 32;
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

enum exit_action handle_wrmsr(struct vcpu *v, const struct exit_info *e)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	bool ok = irq_owns_msr(msr) ? irq_wrmsr(v, msr, val)
	                            : cpuid_msr_present(cpuid_guest_offer(), msr) && msr_write(v, msr, val);

	if (!ok) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

/* The reset value the table gives msr. */
static uint64_t reset_value(uint32_t msr) { return cpuid_msr_find(msr)->reset; }

void msr_vcpu_start(struct vcpu *v)
{
	const struct cpuid_offer *o = cpuid_guest_offer();

	/*
	 * The pass-through MSRs keep what the firmware or the guest's last run
	 * left: reset them on this core, which runs only this vCPU and uses none
	 * of them itself (it has no SYSCALL, and its per-CPU base is GS_BASE, not
	 * KERNEL_GS_BASE). The values are the table's constants, 0, which every
	 * one of these MSRs takes (canonical, no reserved bit), and only MSRs this
	 * CPU has are written: no guest value reaches this WRMSR.
	 */
	for (unsigned i = 0; i < cpuid_nmsrs; i++)
		if (cpuid_msrs[i].home == MSR_HOME_CPU && o->msr_on_host[i])
			wrmsr(cpuid_msrs[i].first, cpuid_msrs[i].reset);
	vtsc_reset(&v->tsc);
	tsc_moved(v);
	v->misc_enable = reset_value(MSR_IA32_MISC_ENABLE);
	v->mtrr_def_type = reset_value(MSR_IA32_MTRR_DEF_TYPE);
}
