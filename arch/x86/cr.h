/* cr.h: CR0, CR4, EFER and XCR0 as the SDM defines them: which writes the CPU takes, and what else they change (pure).
 */
#ifndef ARCH_X86_CR_H
#define ARCH_X86_CR_H

#include <stdbool.h>
#include <stdint.h>

/* XCR0's state components (SDM Vol. 1, 13.1 and 13.3). */
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_BNDREGS (1ull << 3)
#define XCR0_BNDCSR (1ull << 4)
#define XCR0_OPMASK (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM (1ull << 7)
#define XCR0_PKRU (1ull << 9)
#define XCR0_XTILECFG (1ull << 17)
#define XCR0_XTILEDATA (1ull << 18)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_MPX (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AMX (XCR0_XTILECFG | XCR0_XTILEDATA)

/* What a processor's CPUID offers, as far as the control registers care. */
struct cr_cpuid {
	uint32_t leaf1_ecx, leaf1_edx;
	uint32_t leaf7_ebx, leaf7_ecx; /* CPUID.(EAX=07H,ECX=0) */
	uint32_t ext1_edx;             /* CPUID.80000001H */
	uint64_t xcr0;                 /* CPUID.(EAX=0DH,ECX=0):EDX:EAX: the XCR0 bits it supports */
	unsigned maxphyaddr;           /* CPUID.80000008H:EAX[7:0] */
};

/* The bits a guest may set, from the CPUID it sees (cr_caps_from_cpuid). */
struct cr_caps {
	uint64_t cr4;
	uint64_t efer; /* LMA is not among them: the CPU sets it */
	uint64_t xcr0;
	unsigned maxphyaddr;
};

/* A guest's control registers as the guest sees them, and whether it runs 64-bit code (CS.L, with EFER.LMA). */
struct cr_state {
	uint64_t cr0, cr3, cr4, efer;
	bool cs_l;
};

/* What a write did besides changing the register, for the caller to carry out. */
#define CR_FX_FLUSH_TLB (1u << 0) /* invalidate the vCPU's TLB entries, global ones too (SDM Vol. 3, 4.10.4.1) */
#define CR_FX_PDPTES (1u << 1)    /* PAE paging is in use: load the four PDPTEs from CR3 again (4.4.1) */
#define CR_FX_LMA (1u << 2)       /* EFER.LMA changed: IA-32e mode was entered or left (9.8.5) */

/* CR4, EFER and XCR0 bits a CPU with this CPUID has. */
void cr_caps_from_cpuid(const struct cr_cpuid *id, struct cr_caps *caps);

/*
 * MOV to CR0, CR4; WRMSR IA32_EFER; LMSW; CLTS (SDM Vol. 2B, MOV CR, LMSW,
 * CLTS; Vol. 4, IA32_EFER; Vol. 3, 2.5, 4.1.1, 9.8.5). False: the CPU raises
 * #GP(0) and nothing changes. Else *next is the state after the instruction
 * and *fx (CR_FX_*) what else it did. Values are as the instruction's operand
 * gives them (64 bits in 64-bit mode, else the low 32 bits are used).
 */
bool cr_mov_to_cr0(const struct cr_caps *c, const struct cr_state *cur, uint64_t value, struct cr_state *next,
                   unsigned *fx);
bool cr_mov_to_cr4(const struct cr_caps *c, const struct cr_state *cur, uint64_t value, struct cr_state *next,
                   unsigned *fx);
bool cr_wrmsr_efer(const struct cr_caps *c, const struct cr_state *cur, uint64_t value, struct cr_state *next);
bool cr_lmsw(const struct cr_caps *c, const struct cr_state *cur, uint16_t source, struct cr_state *next, unsigned *fx);
bool cr_clts(const struct cr_caps *c, const struct cr_state *cur, struct cr_state *next, unsigned *fx);

/* PAE paging: CR0.PG, CR4.PAE and not IA-32e mode, the one mode whose PDPTEs are registers (4.4.1). */
bool cr_pae_paging(const struct cr_state *s);
/* A PDPTE that loading would refuse with #GP: present, with a reserved bit set (4.4.1, Table 4-8). */
bool cr_pdpte_reserved(uint64_t pdpte, unsigned maxphyaddr);

/* XSETBV of XCR0: the SDM's rules (Vol. 1, 13.3; Vol. 2C, XSETBV). False: #GP(0). */
bool cr_xcr0_valid(const struct cr_caps *c, uint64_t value);

#endif
