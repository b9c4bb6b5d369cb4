/* alu.h: the integer ALU instructions on one operand size, and the RFLAGS they leave, as the SDM defines them (pure).
 */
#ifndef ARCH_X86_ALU_H
#define ARCH_X86_ALU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu.h"

/* The status flags (SDM Vol. 1, 3.4.3.1): what an arithmetic instruction may change. */
#define RFLAGS_STATUS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/*
 * The operations. The first eight carry the number that both ModRM.reg of
 * group 1 (80, 81, 83 /n) and opcode bits 5:3 of the 00-3F row give them
 * (SDM Vol. 2, Tables ).
 */
enum alu_op {
	ALU_ADD = 0,
	ALU_OR = 1,
	ALU_ADC = 2,
	ALU_SBB = 3,
	ALU_AND = 4,
	ALU_SUB = 5,
	ALU_XOR = 6,
	ALU_CMP = 7,
	ALU_TEST, /* AND that only sets the flags */
	ALU_INC,
	ALU_DEC,
	ALU_NOT,
	ALU_NEG,
};

/*
 * dst op src on size bytes (1, 2, 4 or 8; inputs above size are ignored):
 * returns the result, truncated to size, and updates the status flags in
 * *rflags as the instruction does (SDM Vol. 2, each instruction's "Flags
 * Affected"); every other bit of *rflags stays. INC, DEC, NOT and NEG ignore
 * src. ADC and SBB take CF from *rflags. Where the SDM leaves a flag
 * undefined (AF after AND, OR, XOR and TEST) it is cleared, as Intel's CPUs
 * and Bochs leave it.
 */
uint64_t alu_run(enum alu_op op, unsigned size, uint64_t dst, uint64_t src, uint64_t *rflags);

/* Does op write its result to the destination? CMP and TEST only set the flags. */
static inline bool alu_writes(enum alu_op op) { return op != ALU_CMP && op != ALU_TEST; }

#endif
