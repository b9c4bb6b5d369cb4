/* vmx_cr.c: a vCPU's CR0, CR4 and EFER in its VMCS: the guest's view behind the read shadows, IA-32e mode, the PDPTEs.
 */
#include "arch/x86/vmx_cr.h"

#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_exit.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_insn.h"

/* What VMX forces in the CPU's CR0 and CR4 (SDM Vol. 3, A.7, A.8): the same on every core. */
static uint64_t cr0_force1, cr0_force0, cr4_force1, cr4_force0;

void vmx_cr_setup(const struct vmx_caps *caps, uint64_t cr4_allowed)
{
	/* With unrestricted guest, PE and PG are the guest's (27.3.1.1). */
	cr0_force1 = caps->cr0.must1 & ~(CR0_PE | CR0_PG);
	cr0_force0 = ~caps->cr0.may1 & ~(CR0_PE | CR0_PG);
	cr4_force1 = caps->cr4.must1;
	cr4_force0 = ~caps->cr4.may1;
	vmcs_writel(CR0_GUEST_HOST_MASK, cr0_force1 | cr0_force0);
	vmcs_writel(CR4_GUEST_HOST_MASK, cr4_force1 | cr4_force0 | ~cr4_allowed);
}

void vmx_cr_read(struct cr_state *s)
{
	uint64_t m0 = vmcs_readl(CR0_GUEST_HOST_MASK), m4 = vmcs_readl(CR4_GUEST_HOST_MASK);

	s->cr0 = (vmcs_readl(GUEST_CR0) & ~m0) | (vmcs_readl(CR0_READ_SHADOW) & m0);
	s->cr4 = (vmcs_readl(GUEST_CR4) & ~m4) | (vmcs_readl(CR4_READ_SHADOW) & m4);
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->efer = vmcs_read64(GUEST_IA32_EFER);
	s->cs_l = (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L) != 0;
}

void vmx_cr_write(const struct cr_state *s)
{
	uint32_t entry = vmcs_read32(VM_ENTRY_CONTROLS);

	vmcs_writel(CR0_READ_SHADOW, s->cr0);
	vmcs_writel(GUEST_CR0, (s->cr0 | cr0_force1) & ~cr0_force0);
	vmcs_writel(CR4_READ_SHADOW, s->cr4);
	vmcs_writel(GUEST_CR4, (s->cr4 | cr4_force1) & ~cr4_force0);
	vmcs_write64(GUEST_IA32_EFER, s->efer);
	/* The "IA-32e mode guest" entry control is EFER.LMA at entry (27.2.1.3, 27.3.2.1). */
	entry = s->efer & EFER_LMA ? entry | VM_ENTRY_IA32E_MODE : entry & ~VM_ENTRY_IA32E_MODE;
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
}

void vmx_cr_set_pdptes(const uint64_t pdpte[4])
{
	vmcs_write64(GUEST_PDPTR0, pdpte[0]);
	vmcs_write64(GUEST_PDPTR1, pdpte[1]);
	vmcs_write64(GUEST_PDPTR2, pdpte[2]);
	vmcs_write64(GUEST_PDPTR3, pdpte[3]);
}

/*
 * Without VPIDs every VM entry and exit invalidates the guest's entries
 * already (29.4.3.1). With them, INVVPID of its VPID: single-context where
 * the CPU has it, else every context, which may invalidate more than needed.
 */
void vmx_cr_flush_tlb(const struct vmx_caps *caps)
{
	if (!(vmcs_read32(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_VPID))
		return;
	uint16_t vpid = vmcs_read16(VIRTUAL_PROCESSOR_ID);
	enum vmx_status s = vmx_has_ept_vpid(caps, VMX_VPID_INVVPID_SINGLE_CONTEXT)
	                            ? invvpid(INVVPID_SINGLE_CONTEXT, vpid)
	                            : invvpid(INVVPID_ALL_CONTEXT, vpid);
	if (s != VMX_SUCCEED)
		vmx_insn_failed("INVVPID", s);
}
