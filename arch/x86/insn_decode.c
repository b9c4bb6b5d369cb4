/* insn_decode.c: decoding the instructions guests use for MMIO: MOV forms, read-modify-write forms, MOVS, STOS, LODS.
 */
#include "arch/x86/insn_decode.h"

/* Legacy prefixes (SDM Vol. 2, 2.1.1). */
#define PFX_LOCK 0xf0
#define PFX_REPNE 0xf2
#define PFX_REP 0xf3
#define PFX_ES 0x26
#define PFX_CS 0x2e
#define PFX_SS 0x36
#define PFX_DS 0x3e
#define PFX_FS 0x64
#define PFX_GS 0x65
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67

/* REX prefix, 64-bit mode only: 0100WRXB (SDM Vol. 2, 2.2.1). */
#define REX_MASK 0xf0
#define REX_BASE 0x40
#define REX_W 0x08 /* 64-bit operand size */
#define REX_R 0x04 /* extends ModRM.reg */

/* Opcodes (SDM Vol. 2, Table ). */
#define OP_MOV_RM8_R8 0x88
#define OP_MOV_RM_R 0x89
#define OP_MOV_R8_RM8 0x8a
#define OP_MOV_R_RM 0x8b
#define OP_MOV_AL_MOFFS 0xa0
#define OP_MOV_AX_MOFFS 0xa1
#define OP_MOV_MOFFS_AL 0xa2
#define OP_MOV_MOFFS_AX 0xa3
#define OP_MOV_RM8_IMM8 0xc6
#define OP_MOV_RM_IMM 0xc7
#define OP_GRP1_RM8_IMM8 0x80
#define OP_GRP1_RM_IMM 0x81
#define OP_GRP1_RM_IMM8 0x83
#define OP_TEST_RM8_R8 0x84
#define OP_TEST_RM_R 0x85
#define OP_GRP3_RM8 0xf6 /* /0 TEST imm8, /2 NOT, /3 NEG (and MUL, IMUL, DIV, IDIV) */
#define OP_GRP3_RM 0xf7
#define OP_GRP4_RM8 0xfe /* /0 INC, /1 DEC */
#define OP_GRP5_RM 0xff  /* /0 INC, /1 DEC (and CALL, JMP, PUSH) */
#define OP_MOVSB 0xa4
#define OP_MOVS 0xa5
#define OP_STOSB 0xaa
#define OP_STOS 0xab
#define OP_LODSB 0xac
#define OP_LODS 0xad
#define OP_TWO_BYTE 0x0f
#define OP2_MOVZX_R_RM8 0xb6
#define OP2_MOVZX_R_RM16 0xb7
#define OP2_MOVSX_R_RM8 0xbe
#define OP2_MOVSX_R_RM16 0xbf
/* ALU ops with a memory destination: base + 0 is r/m8, r8; base + 1 is r/m, r. */
#define OP_ALU_BASE_MASK 0xc7
#define OP_ALU_RM8_R8 0x00
#define OP_ALU_RM_R 0x01
#define OP_ALU_KIND_SHIFT 3 /* opcode bits 5:3 pick the operation, as ModRM.reg does for group 1 */

/* ModRM and SIB (SDM Vol. 2, 2.1.5, Tables 2-1 to 2-3). */
#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m) ((m)&7)
#define MOD_NO_DISP 0
#define MOD_DISP8 1
#define MOD_REGISTER 3
#define RM_SIB 4
#define RM_DISP32 5   /* mod 00: disp32 (RIP-relative in 64-bit mode) */
#define RM16_DISP16 6 /* 16-bit addressing, mod 00: disp16 */
#define SIB_BASE(s) ((s)&7)
#define SIB_BASE_NONE 5 /* with mod 00: no base, disp32 */

/* ModRM.reg of groups 3, 4 and 5 (SDM Vol. 2, Table A-6). */
#define GRP3_TEST 0
#define GRP3_NOT 2
#define GRP3_NEG 3
#define GRP45_INC 0
#define GRP45_DEC 1

#define GPR_HIGH_BYTE_FIRST 4 /* without REX, byte registers 4-7 are AH, CH, DH, BH */

struct cursor {
	const uint8_t *b;
	unsigned len, pos;
};

struct prefixes {
	bool opsize, addrsize, lock, rep;
	uint8_t rex; /* 0: none */
	enum cpu_mode mode;
	enum x86_seg seg; /* the last segment override, or DS */
};

static bool next(struct cursor *c, uint8_t *v)
{
	if (c->pos >= c->len)
		return false;
	*v = c->b[c->pos++];
	return true;
}

/* An n-byte little-endian value, sign-extended to 64 bits. */
static bool read_signed(struct cursor *c, unsigned n, uint64_t *v)
{
	uint64_t x = 0;

	if (c->len - c->pos < n)
		return false;
	for (unsigned i = 0; i < n; i++)
		x |= (uint64_t)c->b[c->pos + i] << (8 * i);
	c->pos += n;
	if (n > 0 && n < 8 && (x >> (8 * n - 1)) & 1)
		x |= ~0ull << (8 * n);
	*v = x;
	return true;
}

static uint64_t trunc_to_size(uint64_t v, unsigned size) { return size >= 8 ? v : v & ((1ull << (8 * size)) - 1); }

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case PFX_LOCK:
	case PFX_REPNE:
	case PFX_REP:
	case PFX_ES:
	case PFX_CS:
	case PFX_SS:
	case PFX_DS:
	case PFX_FS:
	case PFX_GS:
	case PFX_OPSIZE:
	case PFX_ADDRSIZE: return true;
	default: return false;
	}
}

/* A segment override: the last one counts (the SDM leaves several of one group unpredictable, Vol. 2, 2.1.1). */
static void segment_override(struct prefixes *p, uint8_t b)
{
	switch (b) {
	case PFX_ES: p->seg = SEG_ES; break;
	case PFX_CS: p->seg = SEG_CS; break;
	case PFX_SS: p->seg = SEG_SS; break;
	case PFX_DS: p->seg = SEG_DS; break;
	case PFX_FS: p->seg = SEG_FS; break;
	case PFX_GS: p->seg = SEG_GS; break;
	default: break;
	}
}

/* Prefixes, then the opcode byte. A REX not right before the opcode is ignored (SDM Vol. 2, 2.2.1). */
static bool read_prefixes(struct cursor *c, struct prefixes *p, uint8_t *op)
{
	for (;;) {
		uint8_t b;
		if (!next(c, &b))
			return false;
		if (p->mode == CPU_MODE_64 && (b & REX_MASK) == REX_BASE) {
			p->rex = b;
			continue;
		}
		if (!is_legacy_prefix(b)) {
			*op = b;
			return true;
		}
		p->rex = 0;
		p->opsize |= b == PFX_OPSIZE;
		p->addrsize |= b == PFX_ADDRSIZE;
		p->lock |= b == PFX_LOCK;
		p->rep |= b == PFX_REP || b == PFX_REPNE;
		segment_override(p, b);
	}
}

/* The size of a non-byte operand (SDM Vol. 1, 3.6, Table 3-4; Vol. 2, 2.2.1.2). */
static unsigned operand_size(const struct prefixes *p)
{
	if (p->mode == CPU_MODE_64 && (p->rex & REX_W))
		return 8;
	if (p->mode == CPU_MODE_16)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

static unsigned address_size(const struct prefixes *p)
{
	switch (p->mode) {
	case CPU_MODE_16: return p->addrsize ? 4 : 2;
	case CPU_MODE_32: return p->addrsize ? 2 : 4;
	default: return p->addrsize ? 4 : 8;
	}
}

/* ModRM (which must name memory), then SIB and displacement; returns ModRM. */
static bool read_modrm_mem(struct cursor *c, const struct prefixes *p, uint8_t *modrm, struct mmio_insn *out)
{
	unsigned mod, rm, disp;
	uint64_t ignored;
	uint8_t sib;

	if (!next(c, modrm) || MODRM_MOD(*modrm) == MOD_REGISTER)
		return false;
	mod = MODRM_MOD(*modrm);
	rm = MODRM_RM(*modrm);
	if (address_size(p) == 2) {
		disp = mod == MOD_DISP8 ? 1 : (mod != MOD_NO_DISP || rm == RM16_DISP16) ? 2 : 0;
		return read_signed(c, disp, &ignored);
	}
	disp = mod == MOD_DISP8 ? 1 : mod == MOD_NO_DISP ? 0 : 4;
	if (rm == RM_SIB) {
		if (!next(c, &sib))
			return false;
		if (mod == MOD_NO_DISP && SIB_BASE(sib) == SIB_BASE_NONE)
			disp = 4;
	} else if (mod == MOD_NO_DISP && rm == RM_DISP32) {
		disp = 4;
		out->rip_relative = p->mode == CPU_MODE_64;
	}
	return read_signed(c, disp, &ignored);
}

/* The register in ModRM.reg, for an operand of size bytes. */
static void set_reg(struct mmio_insn *out, const struct prefixes *p, uint8_t modrm, unsigned size)
{
	int reg = MODRM_REG(modrm) | ((p->rex & REX_R) ? 8 : 0);

	if (size == 1 && !p->rex && reg >= GPR_HIGH_BYTE_FIRST) {
		reg -= GPR_HIGH_BYTE_FIRST;
		out->high_byte = true;
	}
	out->reg = reg;
	out->reg_size = size;
}

/* An immediate of imm_len bytes, sign-extended and truncated to the operand. */
static bool set_imm(struct cursor *c, struct mmio_insn *out, unsigned imm_len)
{
	uint64_t v;

	if (!read_signed(c, imm_len, &v))
		return false;
	out->imm = trunc_to_size(v, out->size);
	out->reg = -1;
	return true;
}

/* 88, 89 (MOV r/m, r: a write) and 8A, 8B (MOV r, r/m: a read). */
static bool decode_mov_reg(struct cursor *c, const struct prefixes *p, uint8_t op, struct mmio_insn *out)
{
	uint8_t modrm;
	bool byte = op == OP_MOV_RM8_R8 || op == OP_MOV_R8_RM8;

	if (!read_modrm_mem(c, p, &modrm, out))
		return false;
	out->size = byte ? 1 : operand_size(p);
	out->write = op == OP_MOV_RM8_R8 || op == OP_MOV_RM_R;
	set_reg(out, p, modrm, out->size);
	return true;
}

/* C6 /0 ib, C7 /0 iw or id (sign-extended with REX.W). */
static bool decode_mov_imm(struct cursor *c, const struct prefixes *p, uint8_t op, struct mmio_insn *out)
{
	uint8_t modrm;

	if (!read_modrm_mem(c, p, &modrm, out) || MODRM_REG(modrm) != 0)
		return false;
	out->size = op == OP_MOV_RM8_IMM8 ? 1 : operand_size(p);
	out->write = true;
	return set_imm(c, out, out->size > 4 ? 4 : out->size);
}

/* A0-A3: MOV between AL/eAX and a memory offset as wide as the address size. */
static bool decode_moffs(struct cursor *c, const struct prefixes *p, uint8_t op, struct mmio_insn *out)
{
	uint64_t ignored;

	out->size = (op == OP_MOV_AL_MOFFS || op == OP_MOV_MOFFS_AL) ? 1 : operand_size(p);
	out->write = op == OP_MOV_MOFFS_AL || op == OP_MOV_MOFFS_AX;
	out->reg = 0;
	out->reg_size = out->size;
	return read_signed(c, address_size(p), &ignored);
}

/* 0F B6/B7 (MOVZX) and 0F BE/BF (MOVSX): a byte or word read into a wider register. */
static bool decode_movx(struct cursor *c, const struct prefixes *p, struct mmio_insn *out)
{
	uint8_t op2, modrm;

	if (!next(c, &op2))
		return false;
	if (op2 != OP2_MOVZX_R_RM8 && op2 != OP2_MOVZX_R_RM16 && op2 != OP2_MOVSX_R_RM8 && op2 != OP2_MOVSX_R_RM16)
		return false;
	if (!read_modrm_mem(c, p, &modrm, out))
		return false;
	set_reg(out, p, modrm, operand_size(p));
	out->size = (op2 == OP2_MOVZX_R_RM8 || op2 == OP2_MOVSX_R_RM8) ? 1 : 2;
	out->extend = (op2 == OP2_MOVZX_R_RM8 || op2 == OP2_MOVZX_R_RM16) ? MMIO_EXT_ZERO : MMIO_EXT_SIGN;
	return true;
}

/* A read-modify-write of the memory operand: CMP and TEST only read it. */
static void set_rmw(struct mmio_insn *out, enum alu_op op, unsigned size)
{
	out->rmw = true;
	out->op = op;
	out->size = size;
	out->write = alu_writes(op);
}

/* 80 /n ib, 81 /n iw or id, 83 /n ib: r/m op= immediate (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP by n). */
static bool decode_grp1(struct cursor *c, const struct prefixes *p, uint8_t op, struct mmio_insn *out)
{
	uint8_t modrm;

	if (!read_modrm_mem(c, p, &modrm, out))
		return false;
	set_rmw(out, (enum alu_op)MODRM_REG(modrm), op == OP_GRP1_RM8_IMM8 ? 1 : operand_size(p));
	if (op == OP_GRP1_RM_IMM)
		return set_imm(c, out, out->size > 4 ? 4 : out->size);
	return set_imm(c, out, 1);
}

/* 00/01, 08/09, ... 38/39: r/m op= r, the operation in opcode bits 5:3; 84/85: TEST r/m, r. */
static bool decode_alu_reg(struct cursor *c, const struct prefixes *p, uint8_t op, enum alu_op alu,
                           struct mmio_insn *out)
{
	uint8_t modrm;
	bool byte = (op & OP_ALU_BASE_MASK) == OP_ALU_RM8_R8 || op == OP_TEST_RM8_R8;

	if (!read_modrm_mem(c, p, &modrm, out))
		return false;
	set_rmw(out, alu, byte ? 1 : operand_size(p));
	set_reg(out, p, modrm, out->size);
	return true;
}

/* F6/F7: /0 TEST r/m, imm; /2 NOT; /3 NEG. MUL, IMUL, DIV, IDIV and the undocumented /1 are refused. */
static bool decode_grp3(struct cursor *c, const struct prefixes *p, uint8_t op, struct mmio_insn *out)
{
	uint8_t modrm;
	unsigned size = op == OP_GRP3_RM8 ? 1 : operand_size(p);

	if (!read_modrm_mem(c, p, &modrm, out))
		return false;
	switch (MODRM_REG(modrm)) {
	case GRP3_TEST: set_rmw(out, ALU_TEST, size); return set_imm(c, out, size > 4 ? 4 : size);
	case GRP3_NOT: set_rmw(out, ALU_NOT, size); return true;
	case GRP3_NEG: set_rmw(out, ALU_NEG, size); return true;
	default: return false;
	}
}

/* FE /0, /1 and FF /0, /1: INC and DEC r/m. The other forms of FF (CALL, JMP, PUSH) are refused. */
static bool decode_inc_dec(struct cursor *c, const struct prefixes *p, uint8_t op, struct mmio_insn *out)
{
	uint8_t modrm;
	unsigned size = op == OP_GRP4_RM8 ? 1 : operand_size(p);

	if (!read_modrm_mem(c, p, &modrm, out))
		return false;
	switch (MODRM_REG(modrm)) {
	case GRP45_INC: set_rmw(out, ALU_INC, size); return true;
	case GRP45_DEC: set_rmw(out, ALU_DEC, size); return true;
	default: return false;
	}
}

/*
 * A4/A5 MOVS, AA/AB STOS, AC/AD LODS (SDM Vol. 2, each; Vol. 1, 7.3.9).
 * The destination is always ES:rDI; the source's segment may be overridden.
 */
static void decode_string(const struct prefixes *p, uint8_t op, struct mmio_insn *out)
{
	out->size = (op == OP_MOVSB || op == OP_STOSB || op == OP_LODSB) ? 1 : operand_size(p);
	out->string = (op == OP_MOVSB || op == OP_MOVS)   ? MMIO_STR_MOVS
	              : (op == OP_STOSB || op == OP_STOS) ? MMIO_STR_STOS
	                                                  : MMIO_STR_LODS;
	out->write = out->string != MMIO_STR_LODS;
	if (out->string != MMIO_STR_MOVS) {
		out->reg = 0; /* rAX */
		out->reg_size = out->size;
	}
	out->rep = p->rep;
	out->addr_size = address_size(p);
	out->seg = p->seg;
}

static bool decode_opcode(struct cursor *c, const struct prefixes *p, uint8_t op, struct mmio_insn *out)
{
	switch (op) {
	case OP_MOV_RM8_R8:
	case OP_MOV_RM_R:
	case OP_MOV_R8_RM8:
	case OP_MOV_R_RM: return decode_mov_reg(c, p, op, out);
	case OP_MOV_RM8_IMM8:
	case OP_MOV_RM_IMM: return decode_mov_imm(c, p, op, out);
	case OP_MOV_AL_MOFFS:
	case OP_MOV_AX_MOFFS:
	case OP_MOV_MOFFS_AL:
	case OP_MOV_MOFFS_AX: return decode_moffs(c, p, op, out);
	case OP_TWO_BYTE: return decode_movx(c, p, out);
	case OP_GRP1_RM8_IMM8:
	case OP_GRP1_RM_IMM:
	case OP_GRP1_RM_IMM8: return decode_grp1(c, p, op, out);
	case OP_TEST_RM8_R8:
	case OP_TEST_RM_R: return decode_alu_reg(c, p, op, ALU_TEST, out);
	case OP_GRP3_RM8:
	case OP_GRP3_RM: return decode_grp3(c, p, op, out);
	case OP_GRP4_RM8:
	case OP_GRP5_RM: return decode_inc_dec(c, p, op, out);
	case OP_MOVSB:
	case OP_MOVS:
	case OP_STOSB:
	case OP_STOS:
	case OP_LODSB:
	case OP_LODS: decode_string(p, op, out); return true;
	default:
		if ((op & OP_ALU_BASE_MASK) == OP_ALU_RM8_R8 || (op & OP_ALU_BASE_MASK) == OP_ALU_RM_R)
			return decode_alu_reg(c, p, op, (enum alu_op)(op >> OP_ALU_KIND_SHIFT), out);
		return false;
	}
}

bool insn_decode_mmio(const uint8_t *bytes, unsigned len, enum cpu_mode mode, struct mmio_insn *out)
{
	struct cursor c = {.b = bytes, .len = len > INSN_MAX_LEN ? INSN_MAX_LEN : len};
	struct prefixes p = {.mode = mode, .seg = SEG_DS};
	uint8_t op;

	*out = (struct mmio_insn){.reg = -1, .extend = MMIO_EXT_NONE, .string = MMIO_STR_NONE};
	if (!read_prefixes(&c, &p, &op) || !decode_opcode(&c, &p, op, out))
		return false;
	if (p.lock && !(out->rmw && out->write))
		return false; /* LOCK is #UD but on a memory destination that is written: not MOV, CMP, TEST, strings */
	out->length = c.pos;
	return true;
}
