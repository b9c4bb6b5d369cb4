/* sources: arch/x86/cr.c */
/* test_cr.c: CR0, CR4, EFER and XCR0 writes against the SDM's rules: what #GPs, what enters or leaves IA-32e mode. */
#include "test/unit/unit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/cr.h"

/* A Skylake-like guest CPUID: no VMX, no SMX (the hypervisor hides them), PCID, XSAVE with AVX-512. */
static struct cr_caps caps(uint64_t xcr0)
{
	const struct cr_cpuid id = {
	        .leaf1_ecx = CPUID_1_ECX_PCID | CPUID_1_ECX_XSAVE,
	        .leaf1_edx = CPUID_1_EDX_VME | CPUID_1_EDX_DE | CPUID_1_EDX_PSE | CPUID_1_EDX_TSC | CPUID_1_EDX_PAE |
	                     CPUID_1_EDX_MCE | CPUID_1_EDX_PGE | CPUID_1_EDX_FXSR | CPUID_1_EDX_SSE,
	        .leaf7_ebx = CPUID_7_EBX_FSGSBASE | CPUID_7_EBX_SMEP | CPUID_7_EBX_SMAP,
	        .ext1_edx = CPUID_80000001_EDX_SYSCALL | CPUID_80000001_EDX_NX | CPUID_80000001_EDX_LM,
	        .xcr0 = xcr0,
	        .maxphyaddr = 39,
	};
	struct cr_caps c;

	cr_caps_from_cpuid(&id, &c);
	return c;
}

static const uint64_t PROT = CR0_PE | CR0_ET | CR0_NE;           /* protected mode, paging off */
static const uint64_t PAGED = CR0_PE | CR0_ET | CR0_NE | CR0_PG; /* and paging on */

static void test_caps_follow_cpuid(void **state)
{
	struct cr_caps c = caps(XCR0_X87 | XCR0_SSE);

	(void)state;
	assert_false(c.cr4 & CR4_VMXE); /* VMX hidden: CR4.VMXE is reserved to the guest */
	assert_false(c.cr4 & CR4_SMXE);
	assert_false(c.cr4 & (CR4_LA57 | CR4_PKE | CR4_CET | CR4_PKS | CR4_UMIP));
	assert_true(c.cr4 & CR4_PCIDE);
	assert_true(c.cr4 & CR4_OSXSAVE);
	assert_true(c.cr4 & CR4_PAE);
	assert_int_equal(c.efer, EFER_SCE | EFER_LME | EFER_NX);
	assert_int_equal(c.xcr0, XCR0_X87 | XCR0_SSE);
	struct cr_cpuid none = {0};
	cr_caps_from_cpuid(&none, &c);
	assert_int_equal(c.cr4, CR4_PCE); /* a CPU with no feature bits: only PCE */
	assert_int_equal(c.efer, 0);
	assert_int_equal(c.xcr0, 0); /* no XSAVE: no XCR0 */
	assert_int_equal(c.maxphyaddr, 36);
}

static void test_cr0_combinations(void **state)
{
	struct cr_caps c = caps(0);
	struct cr_state cur = {.cr0 = PROT}, next;
	unsigned fx;

	(void)state;
	assert_false(cr_mov_to_cr0(&c, &cur, CR0_PG | CR0_ET, &next, &fx)); /* PG without PE */
	assert_false(cr_mov_to_cr0(&c, &cur, PROT | CR0_NW, &next, &fx));   /* NW without CD */
	assert_true(cr_mov_to_cr0(&c, &cur, PROT | CR0_NW | CR0_CD, &next, &fx));
	assert_true(cr_mov_to_cr0(&c, &cur, CR0_PE | (1ull << 7) | (1ull << 20), &next, &fx));
	assert_int_equal(next.cr0, CR0_PE | CR0_ET); /* reserved bits 31:0 ignored, ET reads 1 */
	assert_true(cr_mov_to_cr0(&c, &cur, PROT | (1ull << 40), &next, &fx));
	assert_int_equal(next.cr0, PROT); /* outside 64-bit mode the operand is 32 bits */
	assert_true(cr_mov_to_cr0(&c, &cur, 0, &next, &fx));
	assert_int_equal(next.cr0, CR0_ET); /* back to real mode */
	assert_int_equal(fx, 0);
}

static void test_cr0_enters_and_leaves_ia32e_mode(void **state)
{
	struct cr_caps c = caps(0);
	struct cr_state cur = {.cr0 = PROT, .cr4 = CR4_PAE, .efer = EFER_LME}, next;
	unsigned fx;

	(void)state;
	/* Linux's way: one MOV sets PG (and NE, which exits): IA-32e mode, compatibility mode. */
	assert_true(cr_mov_to_cr0(&c, &cur, PAGED | CR0_WP, &next, &fx));
	assert_true(next.efer & EFER_LMA);
	assert_true(fx & CR_FX_LMA);
	assert_false(fx & CR_FX_PDPTES); /* IA-32e paging has no PDPTE registers */
	struct cr_state nopae = cur;
	nopae.cr4 = 0;
	assert_false(cr_mov_to_cr0(&c, &nopae, PAGED, &next, &fx)); /* IA-32e mode needs PAE */
	struct cr_state l64 = cur;
	l64.cs_l = true;
	assert_false(cr_mov_to_cr0(&c, &l64, PAGED, &next, &fx)); /* a 64-bit CS cannot run before */

	struct cr_state lm = {.cr0 = PAGED, .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA, .cs_l = true};
	assert_false(cr_mov_to_cr0(&c, &lm, PROT, &next, &fx));                 /* 64-bit mode cannot turn paging off */
	assert_false(cr_mov_to_cr0(&c, &lm, PAGED | (1ull << 32), &next, &fx)); /* CR0[63:32] reserved */
	lm.cs_l = false;                                                        /* compatibility mode can */
	assert_true(cr_mov_to_cr0(&c, &lm, PROT, &next, &fx));
	assert_false(next.efer & EFER_LMA);
	assert_true(next.efer & EFER_LME);
	assert_int_equal(fx, CR_FX_LMA | CR_FX_FLUSH_TLB);
	lm.cr4 |= CR4_PCIDE;
	assert_false(cr_mov_to_cr0(&c, &lm, PROT, &next, &fx)); /* not with PCIDs on */
}

static void test_cr0_pae_paging_loads_pdptes(void **state)
{
	struct cr_caps c = caps(0);
	struct cr_state cur = {.cr0 = PROT, .cr4 = CR4_PAE}, next;
	unsigned fx;

	(void)state;
	assert_true(cr_mov_to_cr0(&c, &cur, PAGED, &next, &fx));
	assert_int_equal(fx, CR_FX_PDPTES);
	assert_false(next.efer & EFER_LMA);
	cur = next;
	assert_true(cr_mov_to_cr0(&c, &cur, PAGED | CR0_CD, &next, &fx));
	assert_int_equal(fx, CR_FX_PDPTES); /* CD changed under PAE paging */
	assert_true(cr_mov_to_cr0(&c, &cur, PAGED | CR0_WP, &next, &fx));
	assert_int_equal(fx, 0); /* WP does not reload them */
}

static void test_lmsw_and_clts(void **state)
{
	struct cr_caps c = caps(0);
	struct cr_state cur = {.cr0 = PROT | CR0_TS | CR0_MP}, next;
	unsigned fx;

	(void)state;
	assert_true(cr_lmsw(&c, &cur, 0, &next, &fx));
	assert_int_equal(next.cr0, PROT); /* MP and TS cleared, PE kept: LMSW cannot clear PE */
	assert_true(cr_lmsw(&c, &cur, 0xffff, &next, &fx));
	assert_int_equal(next.cr0, PROT | CR0_MP | CR0_EM | CR0_TS);
	struct cr_state real = {.cr0 = CR0_ET};
	assert_true(cr_lmsw(&c, &real, CR0_PE, &next, &fx));
	assert_int_equal(next.cr0, CR0_ET | CR0_PE); /* but can set it */
	assert_true(cr_clts(&c, &cur, &next, &fx));
	assert_int_equal(next.cr0, PROT | CR0_MP);
}

static void test_cr4_rules(void **state)
{
	struct cr_caps c = caps(0);
	struct cr_state cur = {.cr0 = PROT}, next;
	unsigned fx;

	(void)state;
	assert_false(cr_mov_to_cr4(&c, &cur, CR4_VMXE, &next, &fx));
	assert_false(cr_mov_to_cr4(&c, &cur, CR4_SMXE, &next, &fx));
	assert_false(cr_mov_to_cr4(&c, &cur, 1ull << 31, &next, &fx));
	assert_false(cr_mov_to_cr4(&c, &cur, CR4_LA57, &next, &fx)); /* not offered */
	assert_true(cr_mov_to_cr4(&c, &cur, CR4_PAE | CR4_PSE | CR4_OSFXSR, &next, &fx));
	assert_false(cr_mov_to_cr4(&c, &cur, CR4_PCIDE, &next, &fx)); /* PCIDs only in IA-32e mode */

	struct cr_state lm = {.cr0 = PAGED, .cr3 = 0x1000, .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA, .cs_l = true};
	assert_false(cr_mov_to_cr4(&c, &lm, 0, &next, &fx)); /* PAE cannot go in IA-32e mode */
	assert_false(cr_mov_to_cr4(&c, &lm, CR4_PAE | (1ull << 32), &next, &fx));
	assert_true(cr_mov_to_cr4(&c, &lm, CR4_PAE | CR4_PCIDE, &next, &fx));
	assert_int_equal(fx, 0);
	lm.cr3 = 0x1005;
	assert_false(cr_mov_to_cr4(&c, &lm, CR4_PAE | CR4_PCIDE, &next, &fx)); /* PCID 5 current */
}

static void test_cr4_flushes(void **state)
{
	struct cr_caps c = caps(0);
	struct cr_state lm = {.cr0 = PAGED, .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA}, next;
	unsigned fx;

	(void)state;
	assert_true(cr_mov_to_cr4(&c, &lm, CR4_PAE | CR4_PGE, &next, &fx));
	assert_int_equal(fx, CR_FX_FLUSH_TLB);
	assert_true(cr_mov_to_cr4(&c, &lm, CR4_PAE | CR4_SMEP, &next, &fx));
	assert_int_equal(fx, CR_FX_FLUSH_TLB);
	lm.cr4 |= CR4_SMEP | CR4_PCIDE;
	assert_true(cr_mov_to_cr4(&c, &lm, CR4_PAE | CR4_PCIDE, &next, &fx));
	assert_int_equal(fx, 0); /* SMEP from 1 to 0 invalidates nothing */
	assert_true(cr_mov_to_cr4(&c, &lm, CR4_PAE | CR4_SMEP, &next, &fx));
	assert_int_equal(fx, CR_FX_FLUSH_TLB); /* PCIDE from 1 to 0 */
	struct cr_state pae = {.cr0 = PAGED, .cr4 = CR4_PAE};
	assert_true(cr_mov_to_cr4(&c, &pae, CR4_PAE | CR4_PSE, &next, &fx));
	assert_int_equal(fx, CR_FX_PDPTES);
}

static void test_efer_rules(void **state)
{
	struct cr_caps c = caps(0);
	struct cr_state cur = {.cr0 = PROT}, next;

	(void)state;
	assert_true(cr_wrmsr_efer(&c, &cur, EFER_SCE | EFER_LME | EFER_NX, &next));
	assert_false(cr_wrmsr_efer(&c, &cur, 1ull << 1, &next)); /* reserved */
	assert_false(cr_wrmsr_efer(&c, &cur, 1ull << 14, &next));
	assert_true(cr_wrmsr_efer(&c, &cur, EFER_LMA, &next));
	assert_int_equal(next.efer, 0); /* LMA is the CPU's */
	struct cr_state paged = {.cr0 = PAGED};
	assert_false(cr_wrmsr_efer(&c, &paged, EFER_LME, &next)); /* LME cannot change under paging */
	assert_true(cr_wrmsr_efer(&c, &paged, EFER_NX, &next));
	struct cr_cpuid old = {.ext1_edx = CPUID_80000001_EDX_LM};
	struct cr_caps no_nx;
	cr_caps_from_cpuid(&old, &no_nx);
	assert_false(cr_wrmsr_efer(&no_nx, &cur, EFER_NX, &next)); /* no NX offered */
	assert_false(cr_wrmsr_efer(&no_nx, &cur, EFER_SCE, &next));
	assert_true(cr_wrmsr_efer(&no_nx, &cur, EFER_LME, &next));
}

static void test_pdpte_reserved_bits(void **state)
{
	(void)state;
	assert_false(cr_pdpte_reserved(0x12345001ull, 36));
	assert_false(cr_pdpte_reserved(0xffffffffffffff06ull, 36)); /* not present: anything goes */
	assert_true(cr_pdpte_reserved(0x1003ull, 36));              /* bit 1 */
	assert_true(cr_pdpte_reserved(0x1081ull, 36));              /* bit 7 */
	assert_true(cr_pdpte_reserved(0x1001ull | 1ull << 63, 36)); /* XD is reserved in a PDPTE */
	assert_true(cr_pdpte_reserved(0x1000000001ull, 36));        /* beyond MAXPHYADDR */
	assert_false(cr_pdpte_reserved(0x1000000001ull, 39));
}

static void test_xcr0_rules(void **state)
{
	const uint64_t all = XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | XCR0_AVX512 | XCR0_PKRU | XCR0_AMX;
	struct cr_caps c = caps(all);
	static const struct {
		uint64_t value;
		bool ok;
	} cases[] = {
	        {XCR0_X87, true},
	        {XCR0_X87 | XCR0_SSE, true},
	        {XCR0_X87 | XCR0_SSE | XCR0_AVX, true},
	        {0, false},                   /* x87 always */
	        {XCR0_SSE, false},            /* x87 always */
	        {XCR0_X87 | XCR0_AVX, false}, /* AVX without SSE */
	        {0x23, false},                /* one AVX-512 component, no AVX */
	        {0x63, false},                /* two of three */
	        {0xa3, false},
	        {0xe3, false},                    /* all three, but no AVX */
	        {0xe7, true},                     /* all three with AVX */
	        {0x67, false},                    /* with AVX, but not all three */
	        {XCR0_X87 | XCR0_BNDREGS, false}, /* MPX: both or neither */
	        {XCR0_X87 | XCR0_MPX, true},
	        {XCR0_X87 | XCR0_SSE | XCR0_XTILECFG, false}, /* AMX: both or neither */
	        {XCR0_X87 | XCR0_SSE | XCR0_AMX, true},
	        {XCR0_X87 | XCR0_PKRU, true},
	        {XCR0_X87 | (1ull << 8), false}, /* a supervisor component (PT) is never in XCR0 */
	        {XCR0_X87 | (1ull << 62), false},
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		if (cr_xcr0_valid(&c, cases[i].value) != cases[i].ok)
			fail_msg("XCR0 %#llx: expected %s", (unsigned long long)cases[i].value,
			         cases[i].ok ? "valid" : "#GP");
	}
	struct cr_caps sse_only = caps(XCR0_X87 | XCR0_SSE);
	assert_false(cr_xcr0_valid(&sse_only, XCR0_X87 | XCR0_SSE | XCR0_AVX)); /* not supported */
	struct cr_caps none = caps(0);
	assert_false(cr_xcr0_valid(&none, XCR0_X87)); /* no XSAVE at all */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_caps_follow_cpuid),
	        cmocka_unit_test(test_cr0_combinations),
	        cmocka_unit_test(test_cr0_enters_and_leaves_ia32e_mode),
	        cmocka_unit_test(test_cr0_pae_paging_loads_pdptes),
	        cmocka_unit_test(test_lmsw_and_clts),
	        cmocka_unit_test(test_cr4_rules),
	        cmocka_unit_test(test_cr4_flushes),
	        cmocka_unit_test(test_efer_rules),
	        cmocka_unit_test(test_pdpte_reserved_bits),
	        cmocka_unit_test(test_xcr0_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
