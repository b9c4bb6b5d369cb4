/* sources: arch/x86/alu.c */
/* test_alu.c: each ALU operation at each size against the host CPU running the same instruction on the same values. */
#include "test/unit/unit.h"

#include "arch/x86/alu.h"

/* The host's RFLAGS after one instruction: the status flags set from `in`, the instruction, PUSHF. */
typedef uint64_t (*host_fn)(uint64_t d, uint64_t s, uint64_t in, uint64_t *flags);

/*
 * Each runs on registers of the operand's width (the flags of the memory
 * form are the same, SDM Vol. 2). 128 bytes below RSP are skipped first: the
 * compiler may keep data in the red zone that PUSH would overwrite.
 */
#define FLAGS_IN "sub $128, %%rsp\n push %[f]\n popfq\n"
#define FLAGS_OUT "pushfq\n pop %[f]\n add $128, %%rsp\n"

#define HOST2(name, insn, type)                                                    \
	static uint64_t name(uint64_t d, uint64_t s, uint64_t in, uint64_t *flags) \
	{                                                                          \
		type a = (type)d, b = (type)s;                                     \
		uint64_t f = in;                                                   \
		__asm__ volatile(FLAGS_IN insn " %[b], %[a]\n" FLAGS_OUT           \
		                 : [a] "+r"(a), [f] "+r"(f)                        \
		                 : [b] "r"(b)                                      \
		                 : "cc", "memory");                                \
		*flags = f;                                                        \
		return a;                                                          \
	}
#define HOST1(name, insn, type)                                                                                    \
	static uint64_t name(uint64_t d, uint64_t s, uint64_t in, uint64_t *flags)                                 \
	{                                                                                                          \
		type a = (type)d;                                                                                  \
		uint64_t f = in;                                                                                   \
		(void)s;                                                                                           \
		__asm__ volatile(FLAGS_IN insn " %[a]\n" FLAGS_OUT : [a] "+r"(a), [f] "+r"(f) : : "cc", "memory"); \
		*flags = f;                                                                                        \
		return a;                                                                                          \
	}

/* One instruction at the four sizes: name_1, name_2, name_4, name_8. */
#define HOST2_ALL(n, insn)           \
	HOST2(n##_1, insn, uint8_t)  \
	HOST2(n##_2, insn, uint16_t) \
	HOST2(n##_4, insn, uint32_t) \
	HOST2(n##_8, insn, uint64_t)
#define HOST1_ALL(n, insn)           \
	HOST1(n##_1, insn, uint8_t)  \
	HOST1(n##_2, insn, uint16_t) \
	HOST1(n##_4, insn, uint32_t) \
	HOST1(n##_8, insn, uint64_t)

HOST2_ALL(h_add, "add")
HOST2_ALL(h_or, "or")
HOST2_ALL(h_adc, "adc")
HOST2_ALL(h_sbb, "sbb")
HOST2_ALL(h_and, "and")
HOST2_ALL(h_sub, "sub")
HOST2_ALL(h_xor, "xor")
HOST2_ALL(h_cmp, "cmp")
HOST2_ALL(h_test, "test")
HOST1_ALL(h_inc, "inc")
HOST1_ALL(h_dec, "dec")
HOST1_ALL(h_not, "not")
HOST1_ALL(h_neg, "neg")

#define ROW(op, n)                                     \
	{                                              \
		op, #n, { n##_1, n##_2, n##_4, n##_8 } \
	}

static const struct {
	enum alu_op op;
	const char *name;
	host_fn host[4]; /* sizes 1, 2, 4, 8 */
} ops[] = {
        ROW(ALU_ADD, h_add), ROW(ALU_OR, h_or),   ROW(ALU_ADC, h_adc), ROW(ALU_SBB, h_sbb),   ROW(ALU_AND, h_and),
        ROW(ALU_SUB, h_sub), ROW(ALU_XOR, h_xor), ROW(ALU_CMP, h_cmp), ROW(ALU_TEST, h_test), ROW(ALU_INC, h_inc),
        ROW(ALU_DEC, h_dec), ROW(ALU_NOT, h_not), ROW(ALU_NEG, h_neg),
};

static const unsigned sizes[] = {1, 2, 4, 8};

/* Where the flags turn: 0, 1, the sign bits and their neighbours at each size, all ones, nibble edges. */
static const uint64_t edges[] = {
        0,
        1,
        2,
        0x0f,
        0x10,
        0x7f,
        0x80,
        0x81,
        0xff,
        0x100,
        0x7fff,
        0x8000,
        0x8001,
        0xffff,
        0x10000,
        0x7fffffff,
        0x80000000,
        0x80000001,
        0xffffffff,
        0x100000000ull,
        0x7fffffffffffffffull,
        0x8000000000000000ull,
        0x8000000000000001ull,
        0xfffffffffffffffeull,
        0xffffffffffffffffull,
        0x123456789abcdef0ull,
};

/* What the SDM leaves undefined is not compared: AF after the logic instructions. */
static uint64_t defined_flags(enum alu_op op)
{
	bool logic = op == ALU_AND || op == ALU_OR || op == ALU_XOR || op == ALU_TEST;
	return RFLAGS_STATUS & ~(logic ? RFLAGS_AF : 0);
}

static unsigned checked;

/* One case: the same result, and the same defined flags, as the host. */
static void check(unsigned k, unsigned si, uint64_t d, uint64_t s, uint64_t in)
{
	uint64_t hf, ef = in, mask = sizes[si] == 8 ? ~0ull : (1ull << (8 * sizes[si])) - 1;
	uint64_t want = ops[k].host[si](d, s, in, &hf) & mask;
	uint64_t got = alu_run(ops[k].op, sizes[si], d, s, &ef);
	uint64_t defined = defined_flags(ops[k].op);

	if (alu_writes(ops[k].op) && got != want) {
		print_message("%s size %u: %#llx, %#llx: result %#llx, host %#llx\n", ops[k].name, sizes[si],
		              (unsigned long long)d, (unsigned long long)s, (unsigned long long)got,
		              (unsigned long long)want);
		fail();
	}
	if ((ef & defined) != (hf & defined) || (ef & ~RFLAGS_STATUS) != (in & ~RFLAGS_STATUS)) {
		print_message("%s size %u: %#llx, %#llx, flags in %#llx: flags %#llx, host %#llx\n", ops[k].name,
		              sizes[si], (unsigned long long)d, (unsigned long long)s, (unsigned long long)in,
		              (unsigned long long)ef, (unsigned long long)hf);
		fail();
	}
	checked++;
}

/* The status flags going in: none, all, and CF alone (ADC, SBB, INC, DEC read or keep it). */
static const uint64_t flags_in[] = {0x2, 0x2 | RFLAGS_STATUS, 0x2 | RFLAGS_CF};

static void test_edges_against_host(void **state)
{
	(void)state;
	for (unsigned k = 0; k < ARRAY_LEN(ops); k++)
		for (unsigned si = 0; si < ARRAY_LEN(sizes); si++)
			for (unsigned i = 0; i < ARRAY_LEN(edges); i++)
				for (unsigned j = 0; j < ARRAY_LEN(edges); j++)
					for (unsigned f = 0; f < ARRAY_LEN(flags_in); f++)
						check(k, si, edges[i], edges[j], flags_in[f]);
	assert_true(checked > 10000);
}

/* A fixed xorshift sequence: the same cases on every run. */
static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_random_against_host(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	(void)state;
	for (unsigned n = 0; n < 20000; n++) {
		uint64_t d = next_random(&x), s = next_random(&x), r = next_random(&x);
		check((unsigned)(r % ARRAY_LEN(ops)), (unsigned)((r >> 8) % ARRAY_LEN(sizes)), d, s,
		      0x2 | (r >> 16 & RFLAGS_STATUS));
	}
}

/* The choice where the SDM leaves AF undefined: cleared. Bits outside the status flags never change. */
static void test_undefined_af_and_other_bits(void **state)
{
	const enum alu_op logic[] = {ALU_AND, ALU_OR, ALU_XOR, ALU_TEST};
	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(logic); i++) {
		uint64_t f = 0x2 | RFLAGS_AF | RFLAGS_DF | RFLAGS_IF;
		alu_run(logic[i], 4, 0x0f, 0x01, &f);
		assert_int_equal(f & RFLAGS_AF, 0);
		assert_int_equal(f & (RFLAGS_DF | RFLAGS_IF | 0x2), RFLAGS_DF | RFLAGS_IF | 0x2);
	}
}

/* NOT changes no flag; CMP and TEST do not write. */
static void test_not_and_compares(void **state)
{
	uint64_t f = 0x2 | RFLAGS_CF | RFLAGS_ZF;
	(void)state;
	assert_int_equal(alu_run(ALU_NOT, 2, 0x12345678, 0, &f), 0xa987);
	assert_int_equal(f, 0x2 | RFLAGS_CF | RFLAGS_ZF);
	assert_false(alu_writes(ALU_CMP));
	assert_false(alu_writes(ALU_TEST));
	assert_true(alu_writes(ALU_ADD));
	assert_true(alu_writes(ALU_NOT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_edges_against_host),
	        cmocka_unit_test(test_random_against_host),
	        cmocka_unit_test(test_undefined_af_and_other_bits),
	        cmocka_unit_test(test_not_and_compares),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
