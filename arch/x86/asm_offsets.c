/* asm_offsets.c: structure offsets and constants for the assembly stubs, generated from C (never typed by hand). */
#include <stddef.h>

#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_regs.h"

/* Each line becomes "NAME equ VALUE" in asm_offsets.inc (see the Makefile). */
#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %c0\"" ::"i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(GR_RAX, offsetof(struct guest_regs, rax));
	DEFINE(GR_RBX, offsetof(struct guest_regs, rbx));
	DEFINE(GR_RCX, offsetof(struct guest_regs, rcx));
	DEFINE(GR_RDX, offsetof(struct guest_regs, rdx));
	DEFINE(GR_RSI, offsetof(struct guest_regs, rsi));
	DEFINE(GR_RDI, offsetof(struct guest_regs, rdi));
	DEFINE(GR_RBP, offsetof(struct guest_regs, rbp));
	DEFINE(GR_R8, offsetof(struct guest_regs, r8));
	DEFINE(GR_R9, offsetof(struct guest_regs, r9));
	DEFINE(GR_R10, offsetof(struct guest_regs, r10));
	DEFINE(GR_R11, offsetof(struct guest_regs, r11));
	DEFINE(GR_R12, offsetof(struct guest_regs, r12));
	DEFINE(GR_R13, offsetof(struct guest_regs, r13));
	DEFINE(GR_R14, offsetof(struct guest_regs, r14));
	DEFINE(GR_R15, offsetof(struct guest_regs, r15));
	DEFINE(GR_CR2, offsetof(struct guest_regs, cr2));
	DEFINE(VMCS_HOST_RSP, HOST_RSP);
	DEFINE(RUN_EXIT, VMX_RUN_EXIT);
	DEFINE(RUN_FAIL_INVALID, VMX_RUN_FAIL_INVALID);
	DEFINE(RUN_FAIL_VALID, VMX_RUN_FAIL_VALID);
}
