/* insn_decode.h: decoding the instructions guests use for MMIO: MOV forms, read-modify-write forms, MOVS, STOS, LODS.
 */
#ifndef ARCH_X86_INSN_DECODE_H
#define ARCH_X86_INSN_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/alu.h"

/* An instruction is at most 15 bytes long (SDM Vol. 2, 2.3.11). */
#define INSN_MAX_LEN 15

/* The default operand and address size: CS.L = 1 is 64-bit, else CS.D picks 32 or 16 (SDM Vol. 1, 3.6). */
enum cpu_mode {
	CPU_MODE_16,
	CPU_MODE_32,
	CPU_MODE_64,
};

/* How a read narrower than its destination register fills it (MOVZX, MOVSX). */
enum mmio_ext {
	MMIO_EXT_NONE,
	MMIO_EXT_ZERO,
	MMIO_EXT_SIGN,
};

/* Segment registers, numbered as the sreg field encodes them (SDM Vol. 2, Appendix B, MOV to/from Sreg). */
enum x86_seg {
	SEG_ES = 0,
	SEG_CS = 1,
	SEG_SS = 2,
	SEG_DS = 3,
	SEG_FS = 4,
	SEG_GS = 5,
};

/* The string instructions the decoder takes (SDM Vol. 1, 7.3.9); the rest (CMPS, SCAS, INS, OUTS) it refuses. */
enum mmio_string {
	MMIO_STR_NONE,
	MMIO_STR_MOVS, /* [seg:rSI] to [ES:rDI] */
	MMIO_STR_STOS, /* rAX to [ES:rDI] */
	MMIO_STR_LODS, /* [seg:rSI] to rAX */
};

/*
 * One decoded instruction whose single memory operand is the MMIO access.
 * A read (write = false) goes to register reg; a write stores register reg,
 * or imm when reg is -1. Writing a 4-byte register in 64-bit mode clears
 * its bits 63:32; 1- and 2-byte writes keep the rest (SDM Vol. 1, 3.4.1.1).
 *
 * A read-modify-write (rmw) reads the location and applies op (alu.h) to
 * it with reg or imm (or alone: INC, DEC, NOT, NEG); it writes the result
 * back (write = true) unless op is CMP or TEST, which only set the flags.
 *
 * A string instruction (string != MMIO_STR_NONE) has implicit operands: the
 * source [seg:rSI] (MOVS, LODS), the destination [ES:rDI] (MOVS, STOS; ES
 * cannot be overridden), rAX as reg (STOS, LODS), each element size bytes,
 * rSI, rDI and rCX used as wide as addr_size; rep: (E/R)CX times.
 *
 * The address of a ModRM operand is not decoded: VMX reports the
 * guest-linear and guest-physical address.
 */
struct mmio_insn {
	unsigned length;      /* the whole instruction: add it to RIP */
	unsigned size;        /* bytes of memory accessed: 1, 2, 4 or 8 (per element for strings) */
	unsigned reg_size;    /* bytes of the register operand (> size for MOVZX/MOVSX); 0 with an immediate */
	bool write;           /* memory is written */
	bool rmw;             /* memory is read and combined by op (then written when write) */
	enum alu_op op;       /* with rmw */
	int reg;              /* GPR index, SDM order RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15; -1: imm */
	bool high_byte;       /* reg 0-3 means AH, CH, DH, BH (an 8-bit operand 4-7 without REX) */
	uint64_t imm;         /* the immediate, sign-extended as the instruction does, truncated to size */
	enum mmio_ext extend; /* how a read of size bytes fills reg_size bytes */
	bool rip_relative;    /* 64-bit mode ModRM disp32 relative to the next instruction */
	/* String instructions only (else MMIO_STR_NONE, false, 0, SEG_ES): */
	enum mmio_string string;
	bool rep;           /* F3 or F2: for MOVS, STOS and LODS both repeat rCX times, ZF unread (REP) */
	unsigned addr_size; /* 2, 4 or 8: the address size, from the mode and 67 */
	enum x86_seg seg;   /* the source's segment: DS, or the override prefix's */
};

/*
 * Decode the instruction in bytes[0..len) (len: how many bytes the caller
 * could fetch; more than 15 are not looked at) for the given default mode.
 * Handles legacy prefixes (66, 67, segment overrides, F0 where LOCK is
 * allowed, F2/F3: REP on the string instructions, else ignored), REX in
 * 64-bit mode, and opcodes:
 *   MOV: 88, 89, 8A, 8B, C6 /0, C7 /0, A0-A3; 0F B6, 0F B7 (MOVZX), 0F BE, 0F BF (MOVSX);
 *   r/m op= r or imm: 00/01, 08/09, 10/11, 18/19, 20/21, 28/29, 30/31, 38/39, 80/81/83 /0-/7;
 *   TEST: 84, 85, F6 /0, F7 /0; NOT, NEG: F6/F7 /2, /3; INC, DEC: FE/FF /0, /1;
 *   strings: A4, A5 (MOVS), AA, AB (STOS), AC, AD (LODS).
 * Returns false, *out unspecified, for any other opcode, a register (not
 * memory) ModRM operand, LOCK where it is #UD (a MOV, CMP, TEST, a string
 * instruction), or a truncated stream.
 */
bool insn_decode_mmio(const uint8_t *bytes, unsigned len, enum cpu_mode mode, struct mmio_insn *out);

#endif
