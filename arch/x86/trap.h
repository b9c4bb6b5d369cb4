/* trap.h: the frame the interrupt stubs build, and interrupt handler registration. */
#ifndef ARCH_X86_TRAP_H
#define ARCH_X86_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/desc.h"

/* Laid out by isr_common (arch/x86/isr.asm): keep the two in step. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU (SDM Vol. 3, Figure 6-9) */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame matches isr_common");

/* Exception vectors (SDM Vol. 3, Table 6-1). */
enum {
	X86_EXC_DE = 0,
	X86_EXC_DB = 1,
	X86_EXC_NMI = 2,
	X86_EXC_BP = 3,
	X86_EXC_OF = 4,
	X86_EXC_BR = 5,
	X86_EXC_UD = 6,
	X86_EXC_NM = 7,
	X86_EXC_DF = 8,
	X86_EXC_TS = 10,
	X86_EXC_NP = 11,
	X86_EXC_SS = 12,
	X86_EXC_GP = 13,
	X86_EXC_PF = 14,
	X86_EXC_MF = 16,
	X86_EXC_AC = 17,
	X86_EXC_MC = 18,
	X86_EXC_XM = 19,
	X86_EXC_VE = 20,
	X86_EXC_CP = 21,
	X86_EXC_COUNT = 32,
};

typedef void (*irq_handler_t)(struct trap_frame *f);

/* Route an interrupt vector (32..255) to fn; precondition: vector not yet taken. */
void trap_set_handler(unsigned vector, irq_handler_t fn);
/*
 * Run vector's handler outside an interrupt frame (an interrupt acknowledged
 * on VM exit, SDM Vol. 3, 25.2): the frame holds only the vector. False when
 * the vector has no handler.
 */
bool trap_run_handler(unsigned vector);

/* Called by the stubs for every vector: an interrupt's handler, or trap_fatal for an exception. */
void trap_dispatch(struct trap_frame *f);

/*
 * An exception in the hypervisor itself, or an NMI: what they mean is not
 * arch/x86's to decide. Implemented above, by the panic code
 * (vmm/debug/panic.c): an NMI sent by a panicking core parks this one;
 * anything else is a panic, reported with trap_dump and a backtrace.
 */
__attribute__((noreturn)) void trap_fatal(const struct trap_frame *f);

/* "#GP general protection" and so on; NULL for a vector that is not an exception or is reserved. */
const char *trap_exception_name(unsigned vector);

/* Print f's vector, error code and registers, RIP with its symbol. */
void trap_dump(const struct trap_frame *f);

/*
 * Print the return addresses of the frame-pointer chain from rbp, with
 * symbols, staying within the stack [lo, hi) (with hi 0: any address in the
 * kernel half).
 */
void trap_dump_backtrace(uint64_t rbp, uint64_t lo, uint64_t hi);

#endif
