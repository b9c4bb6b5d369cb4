/* cr.c: CR0, CR4, EFER and XCR0 as the SDM defines them: which writes the CPU takes, and what else they change (pure).
 */
#include "arch/x86/cr.h"

#include "arch/x86/cpu.h"

/* The CR0 bits that exist; writes to the others are ignored and ET reads 1 (SDM Vol. 3, 2.5). */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)
/* The bits a change of which makes a MOV to CR0 reload the PDPTEs under PAE paging (4.4.1). */
#define CR0_PDPTE_BITS (CR0_PG | CR0_CD | CR0_NW)
/* The same for CR4 (4.4.1: PGE, PAE, PSE and SMEP). */
#define CR4_PDPTE_BITS (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP)
#define CR3_PCID_MASK 0xfffull
/* PAE-paging PDPTE: P, and the bits that must be 0 when it is present: 2:1, 8:5, 63:MAXPHYADDR (Table 4-8). */
#define PDPTE_P (1ull << 0)
#define PDPTE_RESERVED_LOW 0x1e6ull
#define LMSW_BITS (CR0_PE | CR0_MP | CR0_EM | CR0_TS)

void cr_caps_from_cpuid(const struct cr_cpuid *id, struct cr_caps *caps)
{
	const uint32_t e1 = id->leaf1_edx, c1 = id->leaf1_ecx, b7 = id->leaf7_ebx, c7 = id->leaf7_ecx;
	uint64_t cr4 = CR4_PCE; /* Table 2-1 and CPUID: each CR4 bit and the feature that brings it; PCE needs none */

	cr4 |= e1 & CPUID_1_EDX_VME ? CR4_VME | CR4_PVI : 0;
	cr4 |= e1 & CPUID_1_EDX_DE ? CR4_DE : 0;
	cr4 |= e1 & CPUID_1_EDX_PSE ? CR4_PSE : 0;
	cr4 |= e1 & CPUID_1_EDX_TSC ? CR4_TSD : 0;
	cr4 |= e1 & CPUID_1_EDX_PAE ? CR4_PAE : 0;
	cr4 |= e1 & CPUID_1_EDX_MCE ? CR4_MCE : 0;
	cr4 |= e1 & CPUID_1_EDX_PGE ? CR4_PGE : 0;
	cr4 |= e1 & CPUID_1_EDX_FXSR ? CR4_OSFXSR : 0;
	cr4 |= e1 & CPUID_1_EDX_SSE ? CR4_OSXMMEXCPT : 0;
	cr4 |= c1 & CPUID_1_ECX_VMX ? CR4_VMXE : 0;
	cr4 |= c1 & CPUID_1_ECX_SMX ? CR4_SMXE : 0;
	cr4 |= c1 & CPUID_1_ECX_PCID ? CR4_PCIDE : 0;
	cr4 |= c1 & CPUID_1_ECX_XSAVE ? CR4_OSXSAVE : 0;
	cr4 |= b7 & CPUID_7_EBX_FSGSBASE ? CR4_FSGSBASE : 0;
	cr4 |= b7 & CPUID_7_EBX_SMEP ? CR4_SMEP : 0;
	cr4 |= b7 & CPUID_7_EBX_SMAP ? CR4_SMAP : 0;
	cr4 |= c7 & CPUID_7_ECX_UMIP ? CR4_UMIP : 0;
	cr4 |= c7 & CPUID_7_ECX_PKU ? CR4_PKE : 0;
	cr4 |= c7 & CPUID_7_ECX_LA57 ? CR4_LA57 : 0;
	caps->cr4 = cr4;
	caps->efer = (id->ext1_edx & CPUID_80000001_EDX_SYSCALL ? EFER_SCE : 0) |
	             (id->ext1_edx & CPUID_80000001_EDX_LM ? EFER_LME : 0) |
	             (id->ext1_edx & CPUID_80000001_EDX_NX ? EFER_NX : 0);
	caps->xcr0 = c1 & CPUID_1_ECX_XSAVE ? id->xcr0 : 0;
	caps->maxphyaddr = id->maxphyaddr ? id->maxphyaddr : 36;
}

static bool long_mode(const struct cr_state *s) { return (s->efer & EFER_LMA) != 0; }
static bool mode_64bit(const struct cr_state *s) { return long_mode(s) && s->cs_l; }

/* Outside 64-bit mode MOV to CR uses the low 32 bits; in it, bits 63:32 of CR0 and CR4 are reserved: #GP. */
static bool operand(const struct cr_state *s, uint64_t *value)
{
	if (!mode_64bit(s)) {
		*value = (uint32_t)*value;
		return true;
	}
	return (*value >> 32) == 0;
}

bool cr_pae_paging(const struct cr_state *s) { return (s->cr0 & CR0_PG) && (s->cr4 & CR4_PAE) && !long_mode(s); }

bool cr_pdpte_reserved(uint64_t pdpte, unsigned maxphyaddr)
{
	uint64_t above = maxphyaddr >= 64 ? 0 : ~0ull << maxphyaddr;

	return (pdpte & PDPTE_P) && (pdpte & (PDPTE_RESERVED_LOW | above));
}

/* The CR0 a guest gets after writing v: reserved bits as they were, ET set (2.5). */
static uint64_t cr0_value(const struct cr_state *cur, uint64_t v)
{
	return (v & CR0_DEFINED) | (cur->cr0 & ~CR0_DEFINED) | CR0_ET;
}

/* The common part of every CR0 change (MOV, LMSW, CLTS): the checks of 2.5, 9.8.5 and MOV CR, then IA-32e mode. */
static bool cr0_change(const struct cr_state *cur, uint64_t v, struct cr_state *next, unsigned *fx)
{
	bool pg_on = !(cur->cr0 & CR0_PG) && (v & CR0_PG), pg_off = (cur->cr0 & CR0_PG) && !(v & CR0_PG);

	if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
		return false;
	*next = *cur;
	next->cr0 = v;
	*fx = 0;
	if (pg_on && (cur->efer & EFER_LME)) {
		/* Activating IA-32e mode needs PAE, and compatibility mode: a 64-bit CS cannot be running yet (9.8.5).
		 */
		if (!(cur->cr4 & CR4_PAE) || cur->cs_l)
			return false;
		next->efer |= EFER_LMA;
		*fx |= CR_FX_LMA;
	}
	if (pg_off) {
		/* 64-bit mode cannot turn paging off, nor can any mode while PCIDs are on (MOV CR, 4.10.1). */
		if (mode_64bit(cur) || (cur->cr4 & CR4_PCIDE))
			return false;
		if (long_mode(cur)) {
			next->efer &= ~EFER_LMA;
			*fx |= CR_FX_LMA;
		}
		*fx |= CR_FX_FLUSH_TLB; /* 4.10.4.1: PG from 1 to 0 invalidates every entry */
	}
	if (cr_pae_paging(next) && (pg_on || ((cur->cr0 ^ v) & CR0_PDPTE_BITS)))
		*fx |= CR_FX_PDPTES;
	return true;
}

bool cr_mov_to_cr0(const struct cr_caps *c, const struct cr_state *cur, uint64_t value, struct cr_state *next,
                   unsigned *fx)
{
	(void)c;
	if (!operand(cur, &value))
		return false;
	return cr0_change(cur, cr0_value(cur, value), next, fx);
}

/* LMSW loads CR0[3:0] but can only set PE, never clear it (Vol. 2A, LMSW). */
bool cr_lmsw(const struct cr_caps *c, const struct cr_state *cur, uint16_t source, struct cr_state *next, unsigned *fx)
{
	uint64_t v = (cur->cr0 & ~(uint64_t)LMSW_BITS) | (source & LMSW_BITS) | (cur->cr0 & CR0_PE);

	(void)c;
	return cr0_change(cur, v, next, fx);
}

bool cr_clts(const struct cr_caps *c, const struct cr_state *cur, struct cr_state *next, unsigned *fx)
{
	(void)c;
	return cr0_change(cur, cur->cr0 & ~CR0_TS, next, fx);
}

bool cr_mov_to_cr4(const struct cr_caps *c, const struct cr_state *cur, uint64_t value, struct cr_state *next,
                   unsigned *fx)
{
	uint64_t changed;

	if (!operand(cur, &value) || (value & ~c->cr4))
		return false; /* a bit the processor does not have is reserved (2.5) */
	changed = cur->cr4 ^ value;
	if (long_mode(cur) && (!(value & CR4_PAE) || (changed & CR4_LA57)))
		return false; /* IA-32e mode needs PAE; its paging depth cannot change under it (MOV CR) */
	if ((changed & CR4_PCIDE) && (value & CR4_PCIDE) && (!long_mode(cur) || (cur->cr3 & CR3_PCID_MASK)))
		return false; /* PCIDs come on only in IA-32e mode with PCID 0 current (4.10.1) */
	*next = *cur;
	next->cr4 = value;
	*fx = 0;
	/* 4.10.4.1: PGE, PCIDE 1 -> 0 flush everything; PAE or SMEP 0 -> 1 the current PCID's (here: everything). */
	if ((changed & (CR4_PGE | CR4_PAE)) || (changed & cur->cr4 & CR4_PCIDE) || (changed & value & CR4_SMEP))
		*fx |= CR_FX_FLUSH_TLB;
	if (cr_pae_paging(next) && (changed & CR4_PDPTE_BITS))
		*fx |= CR_FX_PDPTES;
	return true;
}

bool cr_wrmsr_efer(const struct cr_caps *c, const struct cr_state *cur, uint64_t value, struct cr_state *next)
{
	/* LMA is the CPU's: a write of it is ignored (Vol. 4, IA32_EFER); LME cannot change under paging (9.8.5). */
	value = (value & ~EFER_LMA) | (cur->efer & EFER_LMA);
	if ((value & ~(c->efer | EFER_LMA)) || ((cur->cr0 & CR0_PG) && ((value ^ cur->efer) & EFER_LME)))
		return false;
	*next = *cur;
	next->efer = value;
	return true;
}

/*
 * XCR0 (Vol. 1, 13.3): x87 always; only components the processor supports;
 * AVX only with SSE; the AVX-512 components all or none, and only with AVX;
 * the two MPX components together; the two AMX components together.
 */
bool cr_xcr0_valid(const struct cr_caps *c, uint64_t v)
{
	uint64_t avx512 = v & XCR0_AVX512, mpx = v & XCR0_MPX, amx = v & XCR0_AMX;

	return (v & XCR0_X87) && !(v & ~c->xcr0) && (!(v & XCR0_AVX) || (v & XCR0_SSE)) &&
	       (!avx512 || (avx512 == XCR0_AVX512 && (v & XCR0_AVX))) && (!mpx || mpx == XCR0_MPX) &&
	       (!amx || amx == XCR0_AMX);
}
