/* sources: arch/x86/insn_decode.c arch/x86/alu.c */
/* fuzz_insn_decode.c: libFuzzer harness: the MMIO instruction decoder on guest bytes, and its ALU against the CPU. */
#include "test/fuzz/fuzz.h"

#include "arch/x86/insn_decode.h"

/*
 * Input: u8 mode (mod 3: 16-, 32-, 64-bit), u64 the memory operand's value,
 * u64 the register operand's value, u8 status flags, then the bytes at the
 * guest's RIP, as many as it could fetch (the decoder sees at most 15).
 *
 * Checked: no read past the bytes given (ASan: they sit at the end of the
 * input buffer). A decoded instruction is 1 to 15 bytes and no longer than
 * what was given; decoding just those bytes gives the same result, one
 * byte fewer fails; its fields are in range (sizes 1, 2, 4 or 8, a GPR
 * 0-15 or the immediate, AH-BH only as byte registers without REX, the
 * immediate within the operand size, a widening read only of a byte or
 * word, LOCK only on a written read-modify-write, string fields only on
 * string instructions); a plain read names its register. A
 * read-modify-write's operation, run by alu_run on the two values, gives
 * the result and the status flags this host CPU gives for the same
 * instruction (the flags the SDM leaves undefined excepted).
 */

#define STATUS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)
#define RFLAGS_FIXED 0x2ull /* bit 1 reads as 1 */

static uint64_t mask_of(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

/* ---- the host CPU as the oracle of alu_run ---- */

/*
 * One instruction between POPFQ and PUSHFQ. Below the stack pointer lies the
 * red zone, where the compiler may keep locals: step over it first.
 */
#define HOST(text, ...)                                                                                         \
	__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[fl]\n\tpopfq\n\t" text "\n\tpushfq\n\tpop %[fl]\n\t" \
	                 "lea 128(%%rsp), %%rsp"                                                                \
	                 : [d] "+q"(d), [fl] "+r"(fl)                                                           \
	                 : __VA_ARGS__                                                                          \
	                 : "cc", "memory")
#define HOST2(mn)                                                      \
	do {                                                           \
		switch (size) {                                        \
		case 1: HOST(mn "b %b[s], %b[d]", [s] "q"(s)); break;  \
		case 2: HOST(mn "w %w[s], %w[d]", [s] "q"(s)); break;  \
		case 4: HOST(mn "l %k[s], %k[d]", [s] "q"(s)); break;  \
		default: HOST(mn "q %q[s], %q[d]", [s] "q"(s)); break; \
		}                                                      \
	} while (0)
#define HOST1(mn)                                               \
	do {                                                    \
		switch (size) {                                 \
		case 1: HOST(mn "b %b[d]", [s] "q"(s)); break;  \
		case 2: HOST(mn "w %w[d]", [s] "q"(s)); break;  \
		case 4: HOST(mn "l %k[d]", [s] "q"(s)); break;  \
		default: HOST(mn "q %q[d]", [s] "q"(s)); break; \
		}                                               \
	} while (0)

/* dst op src on this CPU: the result and RFLAGS. */
static uint64_t host_alu(enum alu_op op, unsigned size, uint64_t d, uint64_t s, uint64_t *rflags)
{
	uint64_t fl = (*rflags & STATUS) | RFLAGS_FIXED;

	switch (op) {
	case ALU_ADD: HOST2("add"); break;
	case ALU_OR: HOST2("or"); break;
	case ALU_ADC: HOST2("adc"); break;
	case ALU_SBB: HOST2("sbb"); break;
	case ALU_AND: HOST2("and"); break;
	case ALU_SUB: HOST2("sub"); break;
	case ALU_XOR: HOST2("xor"); break;
	case ALU_CMP: HOST2("cmp"); break;
	case ALU_TEST: HOST2("test"); break;
	case ALU_INC: HOST1("inc"); break;
	case ALU_DEC: HOST1("dec"); break;
	case ALU_NOT: HOST1("not"); break;
	case ALU_NEG: HOST1("neg"); break;
	}
	*rflags = fl;
	return d & mask_of(size);
}

static void check_alu(const struct mmio_insn *in, uint64_t mem, uint64_t reg, uint8_t flags)
{
	uint64_t src = in->reg < 0 ? in->imm : (in->high_byte ? reg >> 8 : reg);
	uint64_t fl_in = ((uint64_t)flags & STATUS) | RFLAGS_FIXED | (1ull << 21) /* ID: not a status flag */;
	uint64_t ours = fl_in, theirs = fl_in;
	uint64_t r = alu_run(in->op, in->size, mem, src, &ours);
	uint64_t h = host_alu(in->op, in->size, mem & mask_of(in->size), src & mask_of(in->size), &theirs);
	/* AF after AND, OR, XOR and TEST is undefined (SDM Vol. 2, each): alu.h clears it, a CPU may not. */
	bool logic = in->op == ALU_OR || in->op == ALU_AND || in->op == ALU_XOR || in->op == ALU_TEST;
	uint64_t compare = STATUS & ~(logic ? RFLAGS_AF : 0);

	FZ_CHECK(r == (r & mask_of(in->size)), "alu op %d size %u: result %#llx wider than the operand", in->op,
	         in->size, (unsigned long long)r);
	FZ_CHECK((ours & ~STATUS) == (fl_in & ~STATUS), "alu op %d changed a flag that is not a status flag", in->op);
	if (alu_writes(in->op))
		FZ_CHECK(r == h, "alu op %d size %u: %#llx op %#llx = %#llx, the CPU says %#llx", in->op, in->size,
		         (unsigned long long)mem, (unsigned long long)src, (unsigned long long)r,
		         (unsigned long long)h);
	FZ_CHECK((ours & compare) == (theirs & compare),
	         "alu op %d size %u: %#llx op %#llx, flags in %#llx: ours %#llx, the CPU's %#llx", in->op, in->size,
	         (unsigned long long)mem, (unsigned long long)src, (unsigned long long)fl_in,
	         (unsigned long long)(ours & compare), (unsigned long long)(theirs & compare));
}

/* ---- the decoder ---- */

static bool is_size(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8; }

static void check_fields(const struct mmio_insn *in, enum cpu_mode mode)
{
	FZ_CHECK(is_size(in->size), "size %u", in->size);
	FZ_CHECK(in->reg >= -1 && in->reg <= 15, "reg %d", in->reg);
	FZ_CHECK(in->reg < 0 ? in->reg_size == 0 : is_size(in->reg_size) && in->reg_size >= in->size,
	         "reg %d of %u bytes for %u bytes of memory", in->reg, in->reg_size, in->size);
	FZ_CHECK(!in->high_byte || (in->reg >= 0 && in->reg <= 3 && in->size == 1 && in->reg_size == 1),
	         "high byte register %d, size %u", in->reg, in->size);
	FZ_CHECK(in->reg >= 0 || in->imm == (in->imm & mask_of(in->size)), "immediate %#llx wider than %u bytes",
	         (unsigned long long)in->imm, in->size);
	FZ_CHECK(in->extend == MMIO_EXT_NONE ||
	                 (!in->write && !in->rmw && in->size <= 2 && in->reg_size >= in->size && in->reg >= 0),
	         "extending read of %u into %u bytes", in->size, in->reg_size);
	FZ_CHECK(!in->rip_relative || mode == CPU_MODE_64, "RIP-relative outside 64-bit mode");
	FZ_CHECK(in->rmw ? in->op <= ALU_NEG && in->write == alu_writes(in->op) && in->string == MMIO_STR_NONE
	                 : in->op == 0,
	         "rmw %d op %d write %d", in->rmw, in->op, in->write);
	if (in->string == MMIO_STR_NONE) {
		FZ_CHECK(!in->rep && in->addr_size == 0 && in->seg == SEG_ES, "string fields on a non-string");
		FZ_CHECK(in->write || in->rmw || in->reg >= 0, "a read into no register");
		return;
	}
	FZ_CHECK(in->string <= MMIO_STR_LODS && in->seg <= SEG_GS, "string %d, segment %d", in->string, in->seg);
	FZ_CHECK(mode == CPU_MODE_64 ? in->addr_size == 4 || in->addr_size == 8
	                             : in->addr_size == 2 || in->addr_size == 4,
	         "address size %u in mode %d", in->addr_size, mode);
	FZ_CHECK(in->write == (in->string != MMIO_STR_LODS) && in->extend == MMIO_EXT_NONE, "string %d writes %d",
	         in->string, in->write);
	FZ_CHECK(in->string == MMIO_STR_MOVS ? in->reg == -1 : in->reg == 0, "string %d uses reg %d", in->string,
	         in->reg);
}

static bool same(const struct mmio_insn *a, const struct mmio_insn *b)
{
	return a->length == b->length && a->size == b->size && a->reg_size == b->reg_size && a->write == b->write &&
	       a->rmw == b->rmw && a->op == b->op && a->reg == b->reg && a->high_byte == b->high_byte &&
	       a->imm == b->imm && a->extend == b->extend && a->rip_relative == b->rip_relative &&
	       a->string == b->string && a->rep == b->rep && a->addr_size == b->addr_size && a->seg == b->seg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct mmio_insn in, again;

	enum cpu_mode mode = (enum cpu_mode)(fz_u8(&f) % 3);
	uint64_t mem = fz_u64(&f), reg = fz_u64(&f);
	uint8_t flags = fz_u8(&f);
	const uint8_t *bytes = f.p; /* the rest of the input: ASan sees a read past its end */
	unsigned len = (unsigned)f.n;

	if (!insn_decode_mmio(bytes, len, mode, &in))
		return 0;
	FZ_CHECK(in.length >= 1 && in.length <= INSN_MAX_LEN && in.length <= len, "length %u of %u bytes", in.length,
	         len);
	check_fields(&in, mode);
	FZ_CHECK(insn_decode_mmio(bytes, in.length, mode, &again) && same(&in, &again),
	         "decoding its own %u bytes differs", in.length);
	FZ_CHECK(!insn_decode_mmio(bytes, in.length - 1, mode, &again), "decodes with its last byte missing");
	if (in.rmw)
		check_alu(&in, mem, reg, flags);
	return 0;
}
