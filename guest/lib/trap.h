/* trap.h: between the exception stubs (isr.asm, start.asm) and their C half (trap.c). */
#ifndef GUEST_LIB_TRAP_H
#define GUEST_LIB_TRAP_H

#include <stdint.h>

/* What isr_common leaves on the stack, lowest address first: PUSHAD, then the stub's, then the CPU's pushes. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

extern const uint32_t isr_stubs[]; /* entry of each exception vector */
extern volatile uint32_t guest_catch_active;
void trap_dispatch(struct trap_frame *f);
__attribute__((noreturn)) void guest_catch_resume(uint32_t vector);

#endif
