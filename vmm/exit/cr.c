/* cr.c: the guest's control registers: MOV to and from CR0, CR4 and CR8, and XSETBV (XCR0). */
#include "arch/x86/apic_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_vcpu.h"
#include "lapic/vlapic.h"
#include "vmm/exit/exits.h"

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define CPUID_1_ECX_XSAVE (1u << 26)

/* CR8 is TPR[7:4] (SDM Vol. 3, 11.8.6.1); bits 63:4 are reserved (#GP). */
static enum exit_action cr8_access(struct vcpu *v, const struct exit_info *e, unsigned type, uint64_t *r)
{
	bool x2 = vlapic_mode(&v->lapic) == VLAPIC_MODE_X2APIC;
	struct vlapic_effect fx = {0};

	if (type == CR_TYPE_MOV_FROM_CR) {
		*r = vlapic_reg(&v->lapic, APIC_REG_TPR) >> 4;
	} else if (*r & ~0xfull) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	} else {
		vlapic_write(&v->lapic, APIC_REG_TPR, *r << 4, x2, rdtsc(), &fx);
	}
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

/*
 * A MOV to CR0 or CR4 that touches a bit the hypervisor owns (CR0.NE, CR4.VMXE,
 * ...): the guest gets the value it wrote in the read shadow, the CPU the value
 * with the fixed bits forced (SDM Vol. 3, 26.3 and 25.6.6). CR8 is the TPR.
 */
enum exit_action handle_cr_access(struct vcpu *v, const struct exit_info *e)
{
	unsigned cr = e->qualification & CR_QUAL_NUMBER_MASK;
	unsigned type = (e->qualification >> CR_QUAL_TYPE_SHIFT) & CR_QUAL_TYPE_MASK;
	unsigned reg = (e->qualification >> CR_QUAL_GPR_SHIFT) & CR_QUAL_GPR_MASK;

	if (reg == 4 /* RSP lives in the VMCS: no guest would use it here */)
		return exit_unhandled(v, e);
	if (cr == 8 && (type == CR_TYPE_MOV_TO_CR || type == CR_TYPE_MOV_FROM_CR))
		return cr8_access(v, e, type, guest_gpr(&v->regs, reg));
	if (type != CR_TYPE_MOV_TO_CR || (cr != 0 && cr != 4))
		return exit_unhandled(v, e);
	uint64_t val = *guest_gpr(&v->regs, reg);
	if (cr == 0) {
		uint64_t mask = vmcs_readl(CR0_GUEST_HOST_MASK);
		vmcs_writel(CR0_READ_SHADOW, val);
		vmcs_writel(GUEST_CR0, (val & ~mask) | (vmcs_readl(GUEST_CR0) & mask));
	} else {
		uint64_t mask = vmcs_readl(CR4_GUEST_HOST_MASK);
		vmcs_writel(CR4_READ_SHADOW, val);
		vmcs_writel(GUEST_CR4, (val & ~mask) | (vmcs_readl(GUEST_CR4) & mask));
	}
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

/* XSETBV: only XCR0, only features the host has, x87 always, AVX only with SSE (SDM Vol. 1, 13.3). */
enum exit_action handle_xsetbv(struct vcpu *v, const struct exit_info *e)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	struct cpuid_regs d = cpuid(0xd, 0);
	uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
	bool host_xsave = (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) != 0;

	if (!host_xsave || (uint32_t)v->regs.rcx != 0 || !(val & XCR0_X87) || (val & ~supported) ||
	    ((val & XCR0_AVX) && !(val & XCR0_SSE))) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	write_cr4(read_cr4() | CR4_OSXSAVE); /* XSETBV is legal in root operation only with it */
	__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}
