/* vmx_regs.h: the guest registers VMX does not keep in the VMCS, saved and restored by arch/x86/vmx_entry.asm. */
#ifndef ARCH_X86_VMX_REGS_H
#define ARCH_X86_VMX_REGS_H

#include <stdint.h>

/* RSP, RIP and RFLAGS live in the VMCS; the general registers and CR2 do not (SDM Vol. 3, 27.3, 28.3). */
struct guest_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t cr2;
};

/*
 * A general register by the number instructions encode it with (SDM Vol. 2,
 * Table 2-2: 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15
 * R8-R15), as exit qualifications and the instruction decoder give it. NULL
 * for RSP, which lives in the VMCS (GUEST_RSP).
 */
static inline uint64_t *guest_gpr(struct guest_regs *r, unsigned n)
{
	uint64_t *const regs[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, 0,       &r->rbp, &r->rsi, &r->rdi,
	                            &r->r8,  &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15};

	return regs[n & 15];
}

/* How vmx_run ended. */
enum vmx_run_result {
	VMX_RUN_EXIT = 0,         /* a VM exit: read VM_EXIT_REASON */
	VMX_RUN_FAIL_INVALID = 1, /* VMLAUNCH/VMRESUME failed with no current VMCS */
	VMX_RUN_FAIL_VALID = 2,   /* VMLAUNCH/VMRESUME failed: see VM_INSTRUCTION_ERROR */
};

/*
 * Enter the guest whose VMCS is current: VMLAUNCH if launched is 0, else
 * VMRESUME. Returns at the next VM exit (HOST_RIP is the stub behind it) with
 * regs holding the guest's registers, or at once if the entry instruction
 * itself failed. Interrupts must be disabled.
 */
enum vmx_run_result vmx_run(struct guest_regs *regs, int launched);
/* The stub HOST_RIP points at. */
void vmx_exit_stub(void);

#endif
