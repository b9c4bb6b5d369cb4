/* sources: vmm/lib/ksyms.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_ksyms.c: symbol lookup for backtraces, in a given table and in a stand-in image. */
#include "test/unit/unit.h"

#include "vmm/lib/ksyms.h"

#define KSYM_MAX_SPAN 0x200000 /* as in vmm/lib/ksyms.c: no symbol is believed to span more */

/*
 * The image symbols ksyms.c refers to. A stand-in image: text in the first
 * 4 KiB, then a gap, then the boot section; the names are symbols at offsets
 * into it, set with .set so they are addresses only (never read).
 */
__attribute__((aligned(4096))) const char fake_image[0x4000];
__asm__(".globl __image_start\n.set __image_start, fake_image\n"
        ".globl __text_end\n.set __text_end, fake_image + 0x1000\n"
        ".globl __boot_start\n.set __boot_start, fake_image + 0x2000\n"
        ".globl __boot_end\n.set __boot_end, fake_image + 0x2800\n");

#define IMG(off) ((uint64_t)(uintptr_t)(fake_image + (off)))

const uint64_t ksyms_count = 4;
const struct ksym ksyms_entries[] = {
        {(uint64_t)(uintptr_t)(fake_image + 0x100), 0},   /* hv_main */
        {(uint64_t)(uintptr_t)(fake_image + 0x400), 8},   /* panic */
        {(uint64_t)(uintptr_t)(fake_image + 0x2000), 14}, /* boot_entry */
        {(uint64_t)(uintptr_t)(fake_image + 0x2400), 25}, /* boot_tail */
};
const char ksyms_names[] = "hv_main\0panic\0boot_entry\0boot_tail";

/* ---- ksyms_lookup_in ---- */

static const struct ksym small_syms[] = {
        {0x1000, 0},
        {0x1100, 6},
        {0x1200, 11},
        {0x800000, 17},
};
static const char small_names[] = "alpha\0beta\0gamma\0delta";
static const struct ksym_table small = {4, small_syms, small_names};

static void expect_sym(const struct ksym_table *t, uint64_t addr, const char *name, uint64_t off)
{
	uint64_t got = 0xdead;
	const char *s = ksyms_lookup_in(t, addr, &got);

	if (!s || strcmp(s, name) != 0 || got != off) {
		print_error("%#llx: got %s+%#llx, want %s+%#llx\n", (unsigned long long)addr, s ? s : "NULL",
		            (unsigned long long)got, name, (unsigned long long)off);
		fail();
	}
}

static void expect_none(const struct ksym_table *t, uint64_t addr)
{
	uint64_t off;
	const char *s = ksyms_lookup_in(t, addr, &off);

	if (s) {
		print_error("%#llx: got %s, want no symbol\n", (unsigned long long)addr, s);
		fail();
	}
}

static void test_before_first(void **state)
{
	(void)state;
	expect_none(&small, 0);
	expect_none(&small, 0xfff);
}

static void test_exact_hits(void **state)
{
	(void)state;
	expect_sym(&small, 0x1000, "alpha", 0);
	expect_sym(&small, 0x1100, "beta", 0);
	expect_sym(&small, 0x1200, "gamma", 0);
	expect_sym(&small, 0x800000, "delta", 0);
}

static void test_between_symbols(void **state)
{
	(void)state;
	expect_sym(&small, 0x1001, "alpha", 1);
	expect_sym(&small, 0x10ff, "alpha", 0xff);
	expect_sym(&small, 0x1180, "beta", 0x80);
	expect_sym(&small, 0x1200 + KSYM_MAX_SPAN - 1, "gamma", KSYM_MAX_SPAN - 1);
	/* A gap wider than the span: far from gamma, still before delta. */
	expect_none(&small, 0x1200 + KSYM_MAX_SPAN);
	expect_none(&small, 0x7fffff);
}

static void test_past_last(void **state)
{
	(void)state;
	expect_sym(&small, 0x800000 + 0x1234, "delta", 0x1234);
	expect_sym(&small, 0x800000 + KSYM_MAX_SPAN - 1, "delta", KSYM_MAX_SPAN - 1);
	expect_none(&small, 0x800000 + KSYM_MAX_SPAN);
	expect_none(&small, UINT64_MAX);
}

static void test_empty_and_single(void **state)
{
	(void)state;
	const struct ksym_table empty = {0, small_syms, small_names};
	const struct ksym_table one = {1, small_syms, small_names};

	expect_none(&empty, 0);
	expect_none(&empty, 0x1000);
	expect_none(&one, 0xfff);
	expect_sym(&one, 0x1000, "alpha", 0);
	expect_sym(&one, 0x1200, "alpha", 0x200); /* the others are not in this table */
}

static void test_top_of_address_space(void **state)
{
	(void)state;
	static const struct ksym top_syms[] = {{0xffffffff80000000ull, 0}, {UINT64_MAX - 0x10, 5}};
	const struct ksym_table top = {2, top_syms, "text\0last"};

	expect_sym(&top, 0xffffffff80001000ull, "text", 0x1000);
	expect_sym(&top, UINT64_MAX, "last", 0x10);
	expect_sym(&top, 0xffffffff80000000ull + KSYM_MAX_SPAN - 1, "text", KSYM_MAX_SPAN - 1);
	expect_none(&top, UINT64_MAX - 0x11); /* far past text, just before last */
	expect_none(&top, 0xffffffff7fffffffull);
}

/* A large table: the binary search agrees with a linear scan everywhere. */
static void test_large_table(void **state)
{
	(void)state;
	enum { N = 1000 };
	static struct ksym syms[N];
	static char names[N * 8];
	uint64_t a = 0xffffffff80100000ull;
	uint32_t seed = 99;

	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		a += 1 + (seed >> 8) % 0x3000;
		syms[i] = (struct ksym){a, (uint64_t)i * 8};
		snprintf(names + i * 8, 8, "f%u", (unsigned)i % 1000u);
	}
	const struct ksym_table t = {N, syms, names};
	for (int k = 0; k < 20000; k++) {
		seed = seed * 1103515245u + 12345u;
		uint64_t addr = syms[0].addr - 0x100 + (seed >> 4) % (a - syms[0].addr + 0x400);
		int want = -1;
		for (int i = 0; i < N && syms[i].addr <= addr; i++)
			want = i;
		if (want < 0)
			expect_none(&t, addr);
		else
			expect_sym(&t, addr, names + want * 8, addr - syms[want].addr);
	}
}

/* ---- ksyms_format, over the stand-in image ---- */

static void expect_format(uint64_t addr, const char *want)
{
	char buf[64];

	memset(buf, '#', sizeof(buf));
	ksyms_format(addr, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	(void)state;
	expect_format(IMG(0x100), "<hv_main+0x0>");
	expect_format(IMG(0x1ab), "<hv_main+0xab>");
	expect_format(IMG(0xfff), "<panic+0xbff>");     /* last byte of text */
	expect_format(IMG(0x2000), "<boot_entry+0x0>"); /* the boot section */
	expect_format(IMG(0x27ff), "<boot_tail+0x3ff>");
}

static void test_format_outside(void **state)
{
	(void)state;
	expect_format(IMG(0x0), "<?>"); /* text, before the first symbol */
	expect_format(IMG(0xff), "<?>");
	expect_format(IMG(0x1000), "<?>"); /* between text and boot: no name, though panic is below */
	expect_format(IMG(0x1800), "<?>");
	expect_format(IMG(0x2800), "<?>"); /* past the boot section */
	expect_format(0, "<?>");
	expect_format(UINT64_MAX, "<?>");
}

static void test_format_truncates(void **state)
{
	(void)state;
	char buf[8];

	memset(buf, '#', sizeof(buf));
	ksyms_format(IMG(0x123), buf, 6);
	assert_string_equal(buf, "<hv_m");
	assert_int_equal(buf[6], '#');
	ksyms_format(IMG(0x0), buf, 3);
	assert_string_equal(buf, "<?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_before_first),     cmocka_unit_test(test_exact_hits),
	        cmocka_unit_test(test_between_symbols),  cmocka_unit_test(test_past_last),
	        cmocka_unit_test(test_empty_and_single), cmocka_unit_test(test_top_of_address_space),
	        cmocka_unit_test(test_large_table),      cmocka_unit_test(test_format),
	        cmocka_unit_test(test_format_outside),   cmocka_unit_test(test_format_truncates),
	};

	return cmocka_run_group_tests_name("ksyms", tests, NULL, NULL);
}
