/* cr.c: the guest's control registers: MOV to CR0, CR4 and CR8, LMSW, CLTS, IA32_EFER, and XSETBV (XCR0). */
#include "vmm/exit/cr.h"

#include "arch/x86/apic_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cr.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_cr.h"
#include "arch/x86/vmx_vcpu.h"
#include "lapic/vlapic.h"
#include "vmm/core/cpus.h"
#include "vmm/exit/exits.h"
#include "vmm/partition/guest.h"

#define CR3_PAE_PDPT_MASK (~0x1full) /* PAE paging's PDPT: 32-byte aligned (SDM Vol. 3, 4.4.1) */
#define CR8_VALID 0xfull             /* bits 63:4 are reserved */

/* CR8 is TPR[7:4] (SDM Vol. 3, 11.8.6.1); bits 63:4 are reserved (#GP). */
static enum exit_action cr8_access(struct vcpu *v, const struct exit_info *e, unsigned type, unsigned reg)
{
	bool x2 = vlapic_mode(&v->lapic) == VLAPIC_MODE_X2APIC;
	struct vlapic_effect fx = {0};
	uint64_t value = reg == 4 ? vmcs_readl(GUEST_RSP) : *guest_gpr(&v->regs, reg);

	if (type == CR_TYPE_MOV_FROM_CR) {
		value = vlapic_reg(&v->lapic, APIC_REG_TPR) >> 4;
		if (reg == 4)
			vmcs_writel(GUEST_RSP, value);
		else
			*guest_gpr(&v->regs, reg) = value;
	} else if (value & ~CR8_VALID) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	} else {
		vlapic_write(&v->lapic, APIC_REG_TPR, value << 4, x2, rdtsc(), &fx);
	}
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

/*
 * PAE paging's four PDPTEs, read from guest memory at CR3 as the CPU loads
 * them; false if one is present with a reserved bit set, or lies outside the
 * guest's RAM (an absent device reads all ones: present, reserved bits set).
 */
static bool load_pdptes(const struct vcpu *v, uint64_t cr3, uint64_t pdpte[4])
{
	if (!guest_read_ram(v->guest, cr3 & CR3_PAE_PDPT_MASK & 0xffffffffull, pdpte, 4 * sizeof(*pdpte)))
		return false;
	for (unsigned i = 0; i < 4; i++)
		if (cr_pdpte_reserved(pdpte[i], v->cr_caps.maxphyaddr))
			return false;
	return true;
}

/* A write the rules took: the new state with what it brings (PDPTEs, TLB). False: #GP, nothing changed. */
static bool commit(const struct vcpu *v, const struct cr_state *next, unsigned fx)
{
	uint64_t pdpte[4];

	if ((fx & CR_FX_PDPTES) && !load_pdptes(v, next->cr3, pdpte))
		return false;
	vmx_cr_write(next);
	if (fx & CR_FX_PDPTES)
		vmx_cr_set_pdptes(pdpte);
	if (fx & CR_FX_FLUSH_TLB)
		vmx_cr_flush_tlb(cpus_vmx_caps());
	return true;
}

/*
 * MOV to CR0 or CR4 that touches a bit the hypervisor owns (CR0.NE, CR4.VMXE,
 * a CR4 bit the guest may not set), LMSW and CLTS when they would: the
 * instruction as the CPU runs it (arch/x86/cr.c), or #GP. The guest reads its
 * value back from the read shadow; the CPU gets it with the fixed bits
 * forced (SDM Vol. 3, 25.6.6). CR8 is the TPR.
 */
enum exit_action handle_cr_access(struct vcpu *v, const struct exit_info *e)
{
	unsigned cr = e->qualification & CR_QUAL_NUMBER_MASK;
	unsigned type = (e->qualification >> CR_QUAL_TYPE_SHIFT) & CR_QUAL_TYPE_MASK;
	unsigned reg = (e->qualification >> CR_QUAL_GPR_SHIFT) & CR_QUAL_GPR_MASK;
	uint64_t value = reg == 4 ? vmcs_readl(GUEST_RSP) : *guest_gpr(&v->regs, reg);
	struct cr_state cur, next;
	unsigned fx = 0;
	bool ok;

	if (cr == 8 && (type == CR_TYPE_MOV_TO_CR || type == CR_TYPE_MOV_FROM_CR))
		return cr8_access(v, e, type, reg);
	vmx_cr_read(&cur);
	if (type == CR_TYPE_MOV_TO_CR && cr == 0)
		ok = cr_mov_to_cr0(&v->cr_caps, &cur, value, &next, &fx);
	else if (type == CR_TYPE_MOV_TO_CR && cr == 4)
		ok = cr_mov_to_cr4(&v->cr_caps, &cur, value, &next, &fx);
	else if (type == CR_TYPE_LMSW)
		ok = cr_lmsw(&v->cr_caps, &cur, (uint16_t)(e->qualification >> CR_QUAL_LMSW_SOURCE_SHIFT), &next, &fx);
	else if (type == CR_TYPE_CLTS)
		ok = cr_clts(&v->cr_caps, &cur, &next, &fx);
	else
		return exit_unhandled(v, e); /* CR3 is the guest's: no CR3 exiting (nor CR0/CR4 reads, shadowed) */
	if (!ok || !commit(v, &next, fx)) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

bool exit_efer_write(struct vcpu *v, uint64_t value)
{
	struct cr_state cur, next;

	vmx_cr_read(&cur);
	if (!cr_wrmsr_efer(&v->cr_caps, &cur, value, &next))
		return false;
	vmx_cr_write(&next);
	return true;
}

/*
 * XSETBV: only XCR0, by the SDM's rules (arch/x86/cr.c), with the bits the
 * guest's CPUID offers. Root mode runs it with the guest's value, so under a
 * fix-up as well: should the CPU still refuse, the guest gets the #GP.
 */
enum exit_action handle_xsetbv(struct vcpu *v, const struct exit_info *e)
{
	uint64_t value = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

	if ((uint32_t)v->regs.rcx != 0 || !cr_xcr0_valid(&v->cr_caps, value)) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	write_cr4(read_cr4() | CR4_OSXSAVE); /* XSETBV is legal in root operation only with it */
	if (!xsetbv_safe(0, value)) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	v->xcr0 = value;
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

void exit_xcr0_reset(struct vcpu *v)
{
	v->xcr0 = XCR0_X87;
	/* XCR0 is 1 after reset (SDM Vol. 1, 13.3); untouched while CR4.OSXSAVE was never set on this core. */
	if (read_cr4() & CR4_OSXSAVE)
		xsetbv_safe(0, XCR0_X87);
}
