/*
 * hole_ops.c: the instructions beyond MOV that a guest uses where no device
 * answers (the VGA window, the option-ROM area), on the firmware area (a
 * ROM: writes dropped) and on its local APIC (docs/guest-platform.md): MOVS,
 * STOS and LODS at every width, both directions, with REP (and REPNE), into
 * and out of RAM, with a 16-bit address size and a segment override; the
 * read-modify-write forms (ADD to NEG) with the flags they leave. Each is
 * checked against the same instruction run by the CPU itself on RAM that
 * holds what the hole, the ROM or the register holds. Last, in 64-bit mode:
 * REP STOSQ, MOVSQ and LODSQ through the guest's own page tables, one page
 * of them mapped elsewhere, and a 32-bit address size.
 *
 * Options: fault=apic (REP STOSD onto the APIC's registers) and fault=movs
 * (in 64-bit mode, REP MOVSQ from the VGA window into a page that is not
 * present): the hypervisor must stop the guest there, saying why; the guest
 * must not reach its SUMMARY.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/array.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define ALL_ONES 0xffffffffu
#define PAGE 4096u
#define VGA_TEXT 0xb8000u       /* two pages of the VGA window: no device */
#define OPTION_ROM 0xc8000u     /* the option-ROM area: no device */
#define RAM_SCRATCH 0x00800000u /* 8 MiB: RAM the image does not use (the guest has 16 MiB) */
#define RAM_SCRATCH_SIZE 0x20000u
#define FIRMWARE_PROBE (GUEST_FIRMWARE_BASE + 0x800) /* inside the ACPI tables' area, past the RSDP */

/* The selectors of this guest's GDT: the library's two, then data segments based in the hole and in RAM. */
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_HOLE 0x18   /* data, base 0xb0000: a 64 KiB offset reaches the VGA window */
#define SEL_RAM 0x20    /* data, base RAM_SCRATCH: the same offsets in RAM */
#define SEL_CODE64 0x28 /* 64-bit code, for the last section */
#define HOLE_SEG_BASE 0xb0000u

#define FL_DF (1u << 10)
#define FL_ZF (1u << 6)
#define FL_CF (1u << 0)
#define FL_STATUS 0x8d5u /* CF, PF, AF, ZF, SF, OF */
#define FL_BASE 0x2u     /* bit 1 reads 1; IF stays clear */

/* A flat 4 GiB data descriptor with the given base (SDM Vol. 3, 3.4.5). */
#define DATA_DESC(base)                                                                      \
	(0x0000ffffull | ((uint64_t)(base)&0xffffff) << 16 | 0x92ull << 40 | 0xcfull << 48 | \
	 ((uint64_t)(base) >> 24) << 56)
static const uint64_t gdt[] __attribute__((aligned(8))) = {
        0,
        0x00cf9a000000ffffull, /* SEL_CODE32 */
        0x00cf92000000ffffull, /* SEL_DATA */
        DATA_DESC(HOLE_SEG_BASE),
        DATA_DESC(RAM_SCRATCH),
        0x00af9a000000ffffull, /* SEL_CODE64 */
};
static struct dtr gdtr = {sizeof(gdt) - 1, 0};

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }
static void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

static void fill(uint32_t a, uint8_t byte, uint32_t len) { memset((void *)a, byte, len); }

/* Every byte of [a, a + len) is byte. */
static bool all_bytes(uint32_t a, uint8_t byte, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (((volatile uint8_t *)a)[i] != byte)
			return false;
	return true;
}

/* ---- what an access cost: EPT violations, as in holes.c ---- */

static struct hc_exit_stats st_before, st_after;

static void snap(struct hc_exit_stats *s) { vmcall(HC_EXIT_STATS, (uint32_t)(uintptr_t)s, sizeof(*s), 0); }
static uint64_t ept_exits(void)
{
	return st_after.exits[EXIT_REASON_EPT_VIOLATION] - st_before.exits[EXIT_REASON_EPT_VIOLATION];
}

/* ---- string instructions in 32-bit mode ---- */

/* The registers a string instruction reads and leaves, EFLAGS with DF (and ZF for REPNE) going in. */
struct sregs {
	uint32_t esi, edi, ecx, eax, eflags;
};

/*
 * insn with the registers of *r, ES and FS loaded with es and fs (packed in
 * EBX: ES in bits 15:0, FS in 31:16), EFLAGS from r->eflags; back into *r.
 */
#define STRING_FN(name, insn)                                                                                          \
	static void name(struct sregs *r, uint32_t segs)                                                               \
	{                                                                                                              \
		__asm__ volatile("pushl %%es\n pushl %%fs\n movw %%bx, %%es\n shrl $16, %%ebx\n movw %%bx, %%fs\n"     \
		                 "pushl %%edx\n popfl\n" insn "\n pushfl\n popl %%edx\n cld\n"                         \
		                 "popl %%fs\n popl %%es\n"                                                             \
		                 : "+S"(r->esi), "+D"(r->edi), "+c"(r->ecx), "+a"(r->eax), "+d"(r->eflags), "+b"(segs) \
		                 :                                                                                     \
		                 : "memory", "cc");                                                                    \
	}

STRING_FN(rep_stosb, "rep stosb")
STRING_FN(rep_stosw, "rep stosw")
STRING_FN(rep_stosl, "rep stosl")
STRING_FN(repne_stosb, "repne stosb")
STRING_FN(stosl_once, "stosl")
STRING_FN(rep_movsb, "rep movsb")
STRING_FN(rep_movsw, "rep movsw")
STRING_FN(rep_movsl, "rep movsl")
STRING_FN(fs_rep_movsl, "rep movsl %%fs:(%%esi), %%es:(%%edi)")
STRING_FN(a16_rep_stosw, ".byte 0x67\n rep stosw")
STRING_FN(a16_fs_rep_movsb, "rep movsb %%fs:(%%si), %%es:(%%di)")
STRING_FN(rep_lodsl, "rep lodsl")
STRING_FN(lodsb_once, "lodsb")
STRING_FN(lodsw_once, "lodsw")

typedef void (*string_fn)(struct sregs *r, uint32_t segs);

#define FLAT_SEGS (SEL_DATA | SEL_DATA << 16)

/*
 * Run fn with the registers *hole (whose operands reach a device or the ROM)
 * and with *ram (the same count, flags and offsets, its operands in RAM):
 * the CPU runs the second itself. rSI, rDI and rCX must move alike, rAX and
 * EFLAGS end alike. Returns the EPT violations the first cost.
 */
static uint64_t run_both(const char *what, string_fn fn, struct sregs hole, uint32_t hole_segs, struct sregs ram,
                         uint32_t ram_segs)
{
	struct sregs h = hole, n = ram;

	snap(&st_before);
	fn(&h, hole_segs);
	snap(&st_after);
	fn(&n, ram_segs);
	expect_eqf(h.ecx, n.ecx, "%s: ECX ends as the CPU leaves it (%#x)", what, n.ecx);
	expect_eqf(h.esi - hole.esi, n.esi - ram.esi, "%s: ESI moves as the CPU moves it", what);
	expect_eqf(h.edi - hole.edi, n.edi - ram.edi, "%s: EDI moves as the CPU moves it", what);
	expect_eqf(h.eax, n.eax, "%s: EAX as the CPU leaves it", what);
	expect_eqf(h.eflags, n.eflags, "%s: EFLAGS as the CPU leaves them", what);
	return ept_exits();
}

static void check_stos(void)
{
	static const struct {
		const char *what;
		string_fn fn;
		unsigned size;
	} widths[] = {{"REP STOSB", rep_stosb, 1}, {"REP STOSW", rep_stosw, 2}, {"REP STOSD", rep_stosl, 4}};

	apic_section("REP STOS into the VGA window: every width, both directions (SDM Vol. 2, STOS, REP)");
	for (unsigned i = 0; i < ARRAY_LEN(widths); i++)
		for (unsigned df = 0; df < 2; df++) {
			char what[48];
			uint32_t count = 2 * PAGE / widths[i].size, last = 2 * PAGE - widths[i].size;
			struct sregs h = {.edi = VGA_TEXT + (df ? last : 0),
			                  .ecx = count,
			                  .eax = 0x41074107,
			                  .eflags = FL_BASE | (df ? FL_DF : 0)};
			struct sregs n = h;
			n.edi = RAM_SCRATCH + (df ? last : 0);
			hv_snprintf(what, sizeof(what), "%s, DF=%u, two pages", widths[i].what, df);
			fill(RAM_SCRATCH, 0, 2 * PAGE);
			uint64_t exits = run_both(what, widths[i].fn, h, FLAT_SEGS, n, FLAT_SEGS);
			expect_eqf(exits, 2, "%s: one EPT violation per page", what);
			expect_eqf(rd32(VGA_TEXT) & rd32(VGA_TEXT + 2 * PAGE - 4), ALL_ONES,
			           "%s: the window reads all ones", what);
			expect_eqf(rd32(RAM_SCRATCH + 2 * PAGE - 4), widths[i].size == 1 ? 0x07070707 : 0x41074107,
			           "%s: the CPU filled RAM", what);
		}
}

static void check_stos_across(void)
{
	struct sregs h = {.edi = GUEST_LEGACY_HOLE_BASE - 64, .ecx = 64, .eax = 0x5a5a5a5a, .eflags = FL_BASE}, n = h;

	apic_section("REP STOS across the edges: RAM into the hole, the hole into the firmware area, back down");
	fill(GUEST_LEGACY_HOLE_BASE - 64, 0, 64);
	n.edi = RAM_SCRATCH;
	run_both("REP STOSD from RAM below 640 KiB into the hole", rep_stosl, h, FLAT_SEGS, n, FLAT_SEGS);
	expect_true("RAM below 640 KiB took the value", all_bytes(GUEST_LEGACY_HOLE_BASE - 64, 0x5a, 64));
	expect_eq("the hole above it reads all ones", rd32(GUEST_LEGACY_HOLE_BASE + 188), ALL_ONES);

	uint32_t before = rd32(GUEST_FIRMWARE_BASE), before2 = rd32(GUEST_FIRMWARE_BASE + PAGE + 60);
	h = (struct sregs){
	        .edi = GUEST_FIRMWARE_BASE - 128, .ecx = (PAGE + 256) / 4, .eax = 0x12345678, .eflags = FL_BASE};
	n = h;
	n.edi = RAM_SCRATCH;
	uint64_t exits =
	        run_both("REP STOSD from the hole into the firmware area", rep_stosl, h, FLAT_SEGS, n, FLAT_SEGS);
	expect_eq("... one EPT violation in the hole, one per firmware page", exits, 3);
	expect_eq("the firmware area kept its RSDP", rd32(GUEST_FIRMWARE_BASE), before);
	expect_eq("... and its next page", rd32(GUEST_FIRMWARE_BASE + PAGE + 60), before2);

	h = (struct sregs){.edi = GUEST_LEGACY_HOLE_BASE + 60, .ecx = 32, .eax = 0x3c3c3c3c, .eflags = FL_BASE | FL_DF};
	n = h;
	n.edi = RAM_SCRATCH + 0x1000 + 60;
	fill(GUEST_LEGACY_HOLE_BASE - 64, 0, 64);
	run_both("STD; REP STOSD from the hole down into RAM", rep_stosl, h, FLAT_SEGS, n, FLAT_SEGS);
	expect_true("RAM below the hole took the value", all_bytes(GUEST_LEGACY_HOLE_BASE - 64, 0x3c, 64));
}

static void check_movs(void)
{
	struct sregs h = {.esi = VGA_TEXT, .edi = RAM_SCRATCH + 0x10000, .ecx = PAGE + 16, .eflags = FL_BASE}, n = h;

	apic_section("REP MOVS: from the hole into RAM (all ones), RAM into the hole, the hole to the hole");
	fill(RAM_SCRATCH + 0x10000, 0, 2 * PAGE);
	fill(RAM_SCRATCH, 0x77, 2 * PAGE);
	n.esi = RAM_SCRATCH;
	n.edi = RAM_SCRATCH + 0x8000;
	run_both("REP MOVSB, VGA window to RAM", rep_movsb, h, FLAT_SEGS, n, FLAT_SEGS);
	expect_true("RAM holds all ones: what the hole reads", all_bytes(RAM_SCRATCH + 0x10000, 0xff, PAGE + 16));
	expect_true("... and nothing past the count", all_bytes(RAM_SCRATCH + 0x10000 + PAGE + 16, 0, 16));

	h = (struct sregs){.esi = RAM_SCRATCH, .edi = VGA_TEXT + 2, .ecx = PAGE / 2, .eflags = FL_BASE};
	n = h;
	n.edi = RAM_SCRATCH + 0x8002;
	uint64_t exits = run_both("REP MOVSW, RAM to the VGA window", rep_movsw, h, FLAT_SEGS, n, FLAT_SEGS);
	expect_eq("... one EPT violation per page of the window", exits, 2);
	expect_eq("the window still reads all ones", rd32(VGA_TEXT + 0x100), ALL_ONES);
	expect_true("the source RAM is unchanged", all_bytes(RAM_SCRATCH, 0x77, PAGE));

	h = (struct sregs){.esi = VGA_TEXT + 2 * PAGE - 4,
	                   .edi = OPTION_ROM + 2 * PAGE - 4,
	                   .ecx = 2 * PAGE / 4,
	                   .eflags = FL_BASE | FL_DF};
	n = h;
	n.esi = RAM_SCRATCH + 2 * PAGE - 4;
	n.edi = RAM_SCRATCH + 0x8000 + 2 * PAGE - 4;
	run_both("STD; REP MOVSD, VGA window to the option-ROM area", rep_movsl, h, FLAT_SEGS, n, FLAT_SEGS);

	fill(RAM_SCRATCH + 0x10000, 0, PAGE);
	h = (struct sregs){.esi = VGA_TEXT - HOLE_SEG_BASE, .edi = RAM_SCRATCH + 0x10000, .ecx = 64, .eflags = FL_BASE};
	n = h;
	n.esi = 0;
	n.edi = RAM_SCRATCH + 0x10800;
	run_both("FS: REP MOVSD, FS based at 0xb0000, into RAM", fs_rep_movsl, h, SEL_DATA | SEL_HOLE << 16, n,
	         SEL_DATA | SEL_RAM << 16);
	expect_true("RAM holds all ones: the source was FS:ESI, not DS:ESI",
	            all_bytes(RAM_SCRATCH + 0x10000, 0xff, 256));
}

/* A 16-bit address size in 32-bit code: DI, SI and CX wrap at 64 KiB, their upper halves stay. */
static void check_addr16(void)
{
	struct sregs h = {.edi = 0x1234fffc, .ecx = 0xabcd0004, .eax = 0x5a5a, .eflags = FL_BASE};

	apic_section("a 16-bit address size (67): DI and CX wrap at 64 KiB, their upper halves stay");
	run_both("a16 REP STOSW, ES based at 0xb0000, DI wrapping", a16_rep_stosw, h, SEL_HOLE | SEL_DATA << 16, h,
	         SEL_RAM | SEL_DATA << 16);
	h = (struct sregs){.esi = 0x55550000 | (VGA_TEXT - HOLE_SEG_BASE),
	                   .edi = 0x66660008,
	                   .ecx = 0x77770010,
	                   .eflags = FL_BASE | FL_DF};
	run_both("a16 STD; REP MOVSB FS:SI to ES:DI, both in the window, DI wrapping below 0", a16_fs_rep_movsb, h,
	         SEL_HOLE | SEL_HOLE << 16, h, SEL_RAM | SEL_RAM << 16);
}

static void check_lods(void)
{
	struct sregs h = {.esi = VGA_TEXT + 16, .ecx = 8, .eflags = FL_BASE}, n = h;

	apic_section("LODS from the hole: all ones into AL, AX, EAX");
	n.esi = RAM_SCRATCH;
	fill(RAM_SCRATCH, 0xff, 64);
	run_both("REP LODSD", rep_lodsl, h, FLAT_SEGS, n, FLAT_SEGS);
	h = (struct sregs){.esi = OPTION_ROM, .eax = 0x12345678, .eflags = FL_BASE};
	n = h;
	n.esi = RAM_SCRATCH;
	run_both("LODSB", lodsb_once, h, FLAT_SEGS, n, FLAT_SEGS);
	h.eflags |= FL_DF;
	n.eflags |= FL_DF;
	run_both("STD; LODSW", lodsw_once, h, FLAT_SEGS, n, FLAT_SEGS);
}

/* REPNE on STOS repeats as REP does: ZF set or not, the count runs out (what the CPU does). */
static void check_repne(void)
{
	struct sregs h = {.edi = VGA_TEXT, .ecx = 100, .eflags = FL_BASE | FL_ZF}, n = h;

	apic_section("REPNE (F2) on STOS: a REP for the CPU too");
	n.edi = RAM_SCRATCH;
	run_both("REPNE STOSB with ZF set", repne_stosb, h, FLAT_SEGS, n, FLAT_SEGS);
	h.eflags = n.eflags = FL_BASE;
	run_both("REPNE STOSB with ZF clear", repne_stosb, h, FLAT_SEGS, n, FLAT_SEGS);
	h.ecx = n.ecx = 0x12345678;
	run_both("STOSD without REP: one element, ECX untouched", stosl_once, h, FLAT_SEGS, n, FLAT_SEGS);
}

/* ---- read-modify-write ---- */

/* insn on the memory at a with src (in a byte register, for the byte forms), EFLAGS going in; EFLAGS after. */
#define RMW_FN(name, insn)                                                             \
	static uint32_t name(uint32_t a, uint32_t src, uint32_t fl)                    \
	{                                                                              \
		__asm__ volatile("pushl %[f]\n popfl\n" insn "\n pushfl\n popl %[f]\n" \
		                 : [f] "+r"(fl)                                        \
		                 : [a] "r"(a), [s] "q"(src)                            \
		                 : "memory", "cc");                                    \
		return fl;                                                             \
	}

RMW_FN(add_l, "addl %[s], (%[a])")
RMW_FN(add_imm_b, "addb $0x81, (%[a])")
RMW_FN(or_l, "orl %[s], (%[a])")
RMW_FN(or_imm8_l, "orl $0x10, (%[a])")
RMW_FN(lock_or_l, "lock orl %[s], (%[a])")
RMW_FN(adc_l, "adcl %[s], (%[a])")
RMW_FN(adc_w, "adcw %w[s], (%[a])")
RMW_FN(sbb_b, "sbbb %b[s], (%[a])")
RMW_FN(and_l, "andl %[s], (%[a])")
RMW_FN(and_imm_w, "andw $0x8001, (%[a])")
RMW_FN(sub_l, "subl %[s], (%[a])")
RMW_FN(sub_imm8_l, "subl $-1, (%[a])")
RMW_FN(xor_b, "xorb %b[s], (%[a])")
RMW_FN(xor_l, "xorl %[s], (%[a])")
RMW_FN(cmp_l, "cmpl %[s], (%[a])")
RMW_FN(cmp_imm_l, "cmpl $0x30, (%[a])")
RMW_FN(test_l, "testl %[s], (%[a])")
RMW_FN(test_imm_l, "testl $0x100, (%[a])")
RMW_FN(test_imm_b, "testb $0x80, (%[a])")
RMW_FN(inc_l, "incl (%[a])")
RMW_FN(inc_w, "incw (%[a])")
RMW_FN(dec_b, "decb (%[a])")
RMW_FN(dec_l, "decl (%[a])")
RMW_FN(not_l, "notl (%[a])")
RMW_FN(neg_l, "negl (%[a])")
RMW_FN(neg_b, "negb (%[a])")

typedef uint32_t (*rmw_fn)(uint32_t a, uint32_t src, uint32_t fl);

static const struct rmw_case {
	const char *what;
	rmw_fn fn;
	unsigned size; /* bytes of memory */
	uint32_t src, flags;
} rmw_cases[] = {
        {"ADD r32", add_l, 4, 1, FL_BASE},
        {"ADD imm8, byte", add_imm_b, 1, 0, FL_BASE},
        {"OR r32", or_l, 4, 0x10, FL_BASE | FL_CF},
        {"OR imm8", or_imm8_l, 4, 0, FL_BASE},
        {"LOCK OR r32", lock_or_l, 4, 0x100, FL_BASE},
        {"ADC r32, CF set", adc_l, 4, 0, FL_BASE | FL_CF},
        {"ADC r16, CF clear", adc_w, 2, 0x8000, FL_BASE},
        {"SBB r8, CF set", sbb_b, 1, 0x7f, FL_BASE | FL_CF},
        {"AND r32", and_l, 4, 0x80000001, FL_BASE | FL_STATUS},
        {"AND imm16", and_imm_w, 2, 0, FL_BASE},
        {"SUB r32", sub_l, 4, 0x31, FL_BASE},
        {"SUB imm8 -1", sub_imm8_l, 4, 0, FL_BASE},
        {"XOR r8", xor_b, 1, 0x0f, FL_BASE},
        {"XOR r32", xor_l, 4, 0xffffffff, FL_BASE},
        {"CMP r32", cmp_l, 4, 0x30, FL_BASE},
        {"CMP imm8", cmp_imm_l, 4, 0, FL_BASE | FL_STATUS},
        {"TEST r32", test_l, 4, 0x10, FL_BASE | FL_CF},
        {"TEST imm32", test_imm_l, 4, 0, FL_BASE},
        {"TEST imm8, byte", test_imm_b, 1, 0, FL_BASE},
        {"INC, CF set stays", inc_l, 4, 0, FL_BASE | FL_CF},
        {"INC word", inc_w, 2, 0, FL_BASE},
        {"DEC byte, CF clear stays", dec_b, 1, 0, FL_BASE},
        {"DEC", dec_l, 4, 0, FL_BASE},
        {"NOT (no flag changes)", not_l, 4, 0, FL_BASE | FL_ZF | FL_CF},
        {"NEG", neg_l, 4, 0, FL_BASE},
        {"NEG byte", neg_b, 1, 0, FL_BASE},
};

/*
 * Each case on the device at a (read back through read) and on RAM that
 * holds what the device held before: the same EFLAGS; the device then reads
 * what expected() says of the CPU's result in RAM. On an APIC's registers
 * only the 32-bit forms (dwords_only), the ones the SDM defines (Vol. 3,
 * 11.4.1); the hostile guest's mmio attack takes the narrower ones.
 */
static void rmw_on(const char *where, uint32_t a, bool dwords_only, uint32_t (*read)(uint32_t a),
                   uint32_t (*expected)(uint32_t before, uint32_t ram_after), uint32_t (*reset)(uint32_t a))
{
	for (unsigned i = 0; i < ARRAY_LEN(rmw_cases); i++) {
		const struct rmw_case *c = &rmw_cases[i];
		if (dwords_only && c->size != 4)
			continue;
		uint32_t before = reset(a);
		wr32(RAM_SCRATCH, before);
		uint32_t got = c->fn(a, c->src, c->flags), want = c->fn(RAM_SCRATCH, c->src, c->flags);
		expect_eqf(got, want, "%s: %s leaves EFLAGS as the CPU does (%#x)", where, c->what, want);
		expect_eqf(read(a), expected(before, rd32(RAM_SCRATCH)), "%s: %s, then it reads", where, c->what);
	}
}

static uint32_t keep_ones(uint32_t a) { return (void)a, ALL_ONES; }
static uint32_t stays_ones(uint32_t before, uint32_t after) { return (void)before, (void)after, ALL_ONES; }
static uint32_t stays_before(uint32_t before, uint32_t after) { return (void)after, before; }

static uint32_t rom_value(uint32_t a) { return rd32(a); }

/* TPR: bits 7:0 (SDM Vol. 3, 11.8.3.1); each case starts from 0x20. */
static uint32_t tpr_reset(uint32_t a) { return wr32(a, 0x20), rd32(a); }
static uint32_t tpr_after(uint32_t before, uint32_t after) { return (void)before, after & 0xff; }

/* SVR: enabled, spurious vector 0xff; bits 7:0, 8, 9 and 12 writable (11.9, EOI-broadcast suppression offered). */
#define SVR_WRITABLE 0x13ffu
static uint32_t svr_reset(uint32_t a) { return wr32(a, APIC_SVR_ENABLE | SUITE_VEC_SPURIOUS), rd32(a); }
static uint32_t svr_after(uint32_t before, uint32_t after) { return (void)before, after & SVR_WRITABLE; }

static void check_rmw(void)
{
	apic_section("read-modify-write where no device answers: the flags of all ones, the write dropped");
	rmw_on("VGA window", VGA_TEXT + 0x40, false, rd32, stays_ones, keep_ones);
	rmw_on("option-ROM area", OPTION_ROM, false, rd32, stays_ones, keep_ones);
	apic_section("read-modify-write on the APIC: TPR and SVR as the CPU's APIC-register virtualization does it");
	rmw_on("TPR", suite.lapic_base + APIC_REG_TPR * 16, true, rd32, tpr_after, tpr_reset);
	uint32_t svr = rd32(suite.lapic_base + APIC_REG_SVR * 16);
	for (unsigned i = 0; i < ARRAY_LEN(rmw_cases); i++) {
		const struct rmw_case *c = &rmw_cases[i];
		if (c->fn != or_l && c->fn != or_imm8_l && c->fn != test_imm_l && c->fn != cmp_l && c->fn != lock_or_l)
			continue; /* keep the APIC enabled and the spurious vector legal */
		uint32_t a = suite.lapic_base + APIC_REG_SVR * 16, before = svr_reset(a);
		wr32(RAM_SCRATCH, before);
		uint32_t got = c->fn(a, c->src, c->flags), want = c->fn(RAM_SCRATCH, c->src, c->flags);
		expect_eqf(got, want, "SVR: %s leaves EFLAGS as the CPU does (%#x)", c->what, want);
		expect_eqf(rd32(a), svr_after(before, rd32(RAM_SCRATCH)), "SVR: %s, then it reads", c->what);
	}
	wr32(suite.lapic_base + APIC_REG_SVR * 16, svr);
	wr32(suite.lapic_base + APIC_REG_TPR * 16, 0);
}

/* ---- the firmware area: a ROM ---- */

static void check_rom(void)
{
	uint32_t a = FIRMWARE_PROBE, before = rd32(a), rsdp = rd32(GUEST_FIRMWARE_BASE);

	apic_section("the firmware area is a ROM: writes dropped, the instruction completed, reads ordinary");
	wr32(a, ~before);
	expect_eq("MOV dword: dropped", rd32(a), before);
	*(volatile uint8_t *)(a + 1) = 0;
	expect_eq("MOV byte: dropped", rd32(a), before);
	rmw_on("ROM", a, false, rom_value, stays_before, rom_value);
	struct sregs h = {.esi = RAM_SCRATCH, .edi = GUEST_FIRMWARE_BASE, .ecx = 64, .eflags = FL_BASE}, n = h;
	n.edi = RAM_SCRATCH + 0x8000;
	run_both("REP MOVSD, RAM to the ROM", rep_movsl, h, FLAT_SEGS, n, FLAT_SEGS);
	expect_eq("... the RSDP is still there", rd32(GUEST_FIRMWARE_BASE), rsdp);
	h = (struct sregs){.esi = GUEST_FIRMWARE_BASE, .edi = RAM_SCRATCH + 0x10000, .ecx = 8, .eflags = FL_BASE};
	n = h;
	n.esi = RAM_SCRATCH;
	fill(RAM_SCRATCH, 0, 64);
	memcpy((void *)RAM_SCRATCH, (const void *)GUEST_FIRMWARE_BASE, 32);
	run_both("REP MOVSD, the ROM to RAM (natively: no exit)", rep_movsl, h, FLAT_SEGS, n, FLAT_SEGS);
	expect_eq("... RAM holds the RSDP", rd32(RAM_SCRATCH + 0x10000), rsdp);
}

/* ---- the failures the hypervisor must report ---- */

static void fault_apic_string(void)
{
	struct sregs h = {.edi = suite.lapic_base + APIC_REG_TPR * 16, .ecx = 4, .eflags = FL_BASE};

	guest_printf("hole_ops: REP STOSD onto the APIC's TPR\n");
	rep_stosl(&h, FLAT_SEGS);
	expect_true("REP STOSD on the APIC stopped the guest", false);
}

/* ---- 64-bit mode ---- */

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull
#define ALIAS_LINEAR 0x00400000u /* its 2 MiB page maps ALIAS_PHYS */
#define ALIAS_PHYS 0x00c00000u
#define UNMAPPED_LINEAR 0x00600000u /* not present */

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

/* The registers of one 64-bit string instruction, in and out, at a 32-bit address the 64-bit code reaches. */
struct regs64 {
	uint64_t rsi, rdi, rcx, rax, rflags;
} __attribute__((packed));
volatile struct regs64 r64;

/*
 * 64-bit stubs, each called with LCALL from compatibility mode: load r64,
 * run one instruction, store r64, LRET (32-bit) back.
 */
#define STUB64(name, insn)                                                                                \
	__asm__(".code64\n" #name ":\n"                                                                   \
	        "  movl $r64, %ebx\n"                                                                     \
	        "  movq 0(%rbx), %rsi\n movq 8(%rbx), %rdi\n movq 16(%rbx), %rcx\n movq 24(%rbx), %rax\n" \
	        "  pushq 32(%rbx)\n popfq\n" insn "\n pushfq\n popq 32(%rbx)\n cld\n"                     \
	        "  movq %rsi, 0(%rbx)\n movq %rdi, 8(%rbx)\n movq %rcx, 16(%rbx)\n movq %rax, 24(%rbx)\n" \
	        "  lretl\n"                                                                               \
	        ".code32\n");                                                                             \
	extern char name[];

STUB64(stub_rep_stosq, "rep stosq")
STUB64(stub_rep_movsq, "rep movsq")
STUB64(stub_a32_rep_stosl, "addr32 rep stosl")
STUB64(stub_lodsq, "lodsq")
STUB64(stub_addq, "addq $1, (%rdi)")

static void call64(char *stub)
{
	uint32_t far[2] = {(uint32_t)stub, SEL_CODE64};

	__asm__ volatile("lcall *%0" : : "m"(far) : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
}

/* The 64-bit run_both: the stub on the device's registers, then on RAM's; the same moves and ends. */
static uint64_t run64(const char *what, char *stub, struct regs64 hole, struct regs64 ram)
{
	struct regs64 h, n;

	r64 = hole;
	snap(&st_before);
	call64(stub);
	snap(&st_after);
	h = r64;
	r64 = ram;
	call64(stub);
	n = r64;
	expect_eqf(h.rcx, n.rcx, "%s: RCX ends as the CPU leaves it (%#llx)", what, (unsigned long long)n.rcx);
	expect_eqf(h.rsi - hole.rsi, n.rsi - ram.rsi, "%s: RSI moves as the CPU moves it", what);
	expect_eqf(h.rdi - hole.rdi, n.rdi - ram.rdi, "%s: RDI moves as the CPU moves it", what);
	expect_eqf(h.rax, n.rax, "%s: RAX as the CPU leaves it", what);
	expect_eqf(h.rflags, n.rflags, "%s: RFLAGS as the CPU leaves them", what);
	return ept_exits();
}

/* IA-32e mode with the first GiB mapped by 2 MiB pages, but ALIAS_LINEAR elsewhere and UNMAPPED_LINEAR absent. */
static void enter_long_mode(void)
{
	for (unsigned i = 0; i < 512; i++)
		pd[i] = (uint64_t)i << 21 | PTE_P | PTE_W | PTE_PS;
	pd[ALIAS_LINEAR >> 21] = ALIAS_PHYS | PTE_P | PTE_W | PTE_PS;
	pd[UNMAPPED_LINEAR >> 21] = 0;
	pdpt[0] = (uint32_t)pd | PTE_P | PTE_W;
	pml4[0] = (uint32_t)pdpt | PTE_P | PTE_W;
	__asm__ volatile("movl %%cr4, %%eax\n"
	                 "orl $0x20, %%eax\n" /* CR4.PAE */
	                 "movl %%eax, %%cr4\n"
	                 "movl %0, %%cr3\n"
	                 "movl $0xc0000080, %%ecx\n" /* EFER.LME */
	                 "rdmsr\n"
	                 "orl $0x100, %%eax\n"
	                 "wrmsr\n"
	                 "movl %%cr0, %%eax\n"
	                 "orl $0x80000000, %%eax\n" /* CR0.PG: IA-32e mode, compatibility mode */
	                 "movl %%eax, %%cr0\n"
	                 :
	                 : "r"((uint32_t)pml4)
	                 : "eax", "ecx", "edx", "memory");
}

static void check_64bit(bool fault_movs)
{
	const uint64_t upper = 0xdead000000000000ull;
	struct regs64 h = {.rdi = VGA_TEXT, .rcx = 2 * PAGE / 8, .rax = 0x1122334455667788ull, .rflags = FL_BASE};
	struct regs64 n = h;

	apic_section("64-bit mode: REP STOSQ, MOVSQ, LODSQ through the guest's page tables");
	enter_long_mode(); /* no way back to the library's IDT: exceptions from here on end the guest */
	if (fault_movs) {
		guest_printf("hole_ops: REP MOVSQ from the VGA window into a page that is not present\n");
		r64 = (struct regs64){.rsi = VGA_TEXT, .rdi = UNMAPPED_LINEAR, .rcx = 4, .rflags = FL_BASE};
		call64(stub_rep_movsq);
		expect_true("a MOVSQ into a page that is not present stopped the guest", false);
		return;
	}
	n.rdi = RAM_SCRATCH;
	expect_eq("REP STOSQ, DF=0: one EPT violation per page", run64("REP STOSQ", stub_rep_stosq, h, n), 2);
	h.rdi = VGA_TEXT + 2 * PAGE - 8;
	n.rdi = RAM_SCRATCH + 2 * PAGE - 8;
	h.rflags = n.rflags = FL_BASE | FL_DF;
	expect_eq("REP STOSQ, DF=1: one EPT violation per page", run64("STD; REP STOSQ", stub_rep_stosq, h, n), 2);
	fill(ALIAS_PHYS, 0, PAGE + 64);
	h = (struct regs64){.rsi = VGA_TEXT, .rdi = ALIAS_LINEAR, .rcx = PAGE / 8, .rflags = FL_BASE};
	n = h;
	n.rsi = RAM_SCRATCH;
	n.rdi = RAM_SCRATCH + 0x10000;
	fill(RAM_SCRATCH, 0xff, PAGE);
	run64("REP MOVSQ, VGA window to a page mapped elsewhere", stub_rep_movsq, h, n);
	expect_true("... the page it maps holds all ones", all_bytes(ALIAS_PHYS, 0xff, PAGE));
	expect_true("... and nothing past the count", all_bytes(ALIAS_PHYS + PAGE, 0, 64));
	h = (struct regs64){.rdi = upper | VGA_TEXT, .rcx = upper | 16, .rax = 0x99, .rflags = FL_BASE};
	n = h;
	n.rdi = upper | RAM_SCRATCH;
	run64("a32 REP STOSD: EDI and ECX, written as 32-bit registers", stub_a32_rep_stosl, h, n);
	h = (struct regs64){.rsi = OPTION_ROM, .rax = 0x1234, .rflags = FL_BASE};
	n = h;
	n.rsi = RAM_SCRATCH;
	fill(RAM_SCRATCH, 0xff, 8);
	run64("LODSQ", stub_lodsq, h, n);
	h = (struct regs64){.rdi = VGA_TEXT, .rflags = FL_BASE};
	n = h;
	n.rdi = RAM_SCRATCH;
	fill(RAM_SCRATCH, 0xff, 8);
	run64("ADD qword 1: the flags of all ones plus one", stub_addq, h, n);
}

static bool option_is(const char *cmdline, const char *key, const char *want)
{
	size_t len;
	const char *v = cmdline_find(cmdline, key, &len);

	return v && len == hv_strlen(want) && hv_strncmp(v, want, len) == 0;
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmdline = guest_cmdline(mbi);

	(void)magic;
	apic_suite_start("hole_ops", "string and read-modify-write instructions on holes, the ROM and the APIC", mbi);
	apic_suite_setup();
	cli();
	gdtr.base = (uint32_t)gdt;
	__asm__ volatile("lgdt %0" : : "m"(gdtr)); /* the library's selectors mean what they meant */
	if (option_is(cmdline, "fault", "apic"))
		fault_apic_string();
	check_stos();
	check_stos_across();
	check_movs();
	check_addr16();
	check_lods();
	check_repne();
	check_rmw();
	check_rom();
	check_64bit(option_is(cmdline, "fault", "movs"));
	guest_finish();
}
