/* insn_decode.h: decoding the memory-operand MOV forms (and a few read-modify-write ones) guests use for MMIO. */
#ifndef ARCH_X86_INSN_DECODE_H
#define ARCH_X86_INSN_DECODE_H

#include <stdbool.h>
#include <stdint.h>

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

/* What the instruction does with the memory operand. */
enum mmio_op {
	MMIO_OP_MOV,
	MMIO_OP_ADD,
	MMIO_OP_OR,
	MMIO_OP_AND,
	MMIO_OP_SUB,
	MMIO_OP_XOR,
};

/*
 * One decoded instruction whose single memory operand is the MMIO access.
 * A read (write = false) goes to register reg; a write stores register reg,
 * or imm when reg is -1. A read-modify-write (rmw: ADD/OR/AND/SUB/XOR with
 * a memory destination) reads the location, applies op with reg or imm, and
 * writes it back (write = true); the caller updates RFLAGS. Writing a
 * 4-byte register in 64-bit mode clears its bits 63:32; 1- and 2-byte
 * writes keep the rest (SDM Vol. 1, 3.4.1.1). The segment and the address
 * are not decoded: VMX reports the guest-linear and guest-physical address.
 */
struct mmio_insn {
	unsigned length;      /* the whole instruction: add it to RIP */
	unsigned size;        /* bytes of memory accessed: 1, 2, 4 or 8 */
	unsigned reg_size;    /* bytes of the register operand (> size for MOVZX/MOVSX); 0 with an immediate */
	bool write;           /* memory is written */
	bool rmw;             /* memory is read, combined by op, then written */
	enum mmio_op op;      /* MMIO_OP_MOV unless rmw */
	int reg;              /* GPR index, SDM order RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15; -1: imm */
	bool high_byte;       /* reg 0-3 means AH, CH, DH, BH (an 8-bit operand 4-7 without REX) */
	uint64_t imm;         /* the immediate, sign-extended as the instruction does, truncated to size */
	enum mmio_ext extend; /* how a read of size bytes fills reg_size bytes */
	bool rip_relative;    /* 64-bit mode ModRM disp32 relative to the next instruction */
};

/*
 * Decode the instruction in bytes[0..len) (len: how many bytes the caller
 * could fetch; more than 15 are not looked at) for the given default mode.
 * Handles legacy prefixes (66, 67, segment overrides, F0 on read-modify-write
 * forms only, F2/F3 ignored), REX in 64-bit mode, and opcodes 88, 89, 8A, 8B,
 * C6 /0, C7 /0, A0-A3, 0F B6, 0F B7, 0F BE, 0F BF, and the read-modify-write
 * forms 00/01, 08/09, 20/21, 28/29, 30/31, 80/81/83 /0 /1 /4 /5 /6.
 * Returns false, *out unspecified, for any other opcode, a register (not
 * memory) ModRM operand, LOCK on a plain MOV (#UD), or a truncated stream.
 */
bool insn_decode_mmio(const uint8_t *bytes, unsigned len, enum cpu_mode mode, struct mmio_insn *out);

#endif
