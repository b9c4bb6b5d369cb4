/* cpu.h: one inline wrapper per privileged instruction, and the register bits they use. */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include <stdbool.h>
#include <stdint.h>

/* Control registers (SDM Vol. 3, 2.5). */
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_VME (1ull << 0)
#define CR4_PVI (1ull << 1)
#define CR4_TSD (1ull << 2)
#define CR4_DE (1ull << 3)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_MCE (1ull << 6)
#define CR4_PGE (1ull << 7)
#define CR4_PCE (1ull << 8)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP (1ull << 11)
#define CR4_LA57 (1ull << 12)
#define CR4_VMXE (1ull << 13)
#define CR4_SMXE (1ull << 14)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_PCIDE (1ull << 17)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define CR4_PKE (1ull << 22)
#define CR4_CET (1ull << 23)
#define CR4_PKS (1ull << 24)

/* RFLAGS (SDM Vol. 1, 3.4.3). */
#define RFLAGS_CF (1ull << 0)
#define RFLAGS_PF (1ull << 2)
#define RFLAGS_AF (1ull << 4)
#define RFLAGS_ZF (1ull << 6)
#define RFLAGS_SF (1ull << 7)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_OF (1ull << 11)
#define RFLAGS_IOPL_SHIFT 12
#define RFLAGS_IOPL_MASK (3ull << RFLAGS_IOPL_SHIFT)
#define RFLAGS_NT (1ull << 14)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_VM (1ull << 17)
#define RFLAGS_AC (1ull << 18)
#define RFLAGS_VIF (1ull << 19)
#define RFLAGS_VIP (1ull << 20)
#define RFLAGS_ID (1ull << 21)

/* Model-specific registers (SDM Vol. 4), spelled as Linux spells them. */
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_APICBASE 0x0000001b
#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define MSR_IA32_BIOS_SIGN_ID 0x0000008b /* the microcode revision, EDX after WRMSR 0 and CPUID.1 */
#define MSR_IA32_PAT 0x00000277

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NX (1ull << 11)

/* CPUID feature bits this code tests (SDM Vol. 2A, CPUID); many decide which CR4, EFER and XCR0 bits exist. */
#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_EDX_VME (1u << 1)
#define CPUID_1_EDX_DE (1u << 2)
#define CPUID_1_EDX_PSE (1u << 3)
#define CPUID_1_EDX_TSC (1u << 4)
#define CPUID_1_EDX_PAE (1u << 6)
#define CPUID_1_EDX_MCE (1u << 7)
#define CPUID_1_EDX_PGE (1u << 13)
#define CPUID_1_EDX_FXSR (1u << 24)
#define CPUID_1_EDX_SSE (1u << 25)
#define CPUID_1_ECX_SMX (1u << 6)
#define CPUID_1_ECX_PCID (1u << 17)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_7_EBX_FSGSBASE (1u << 0)
#define CPUID_7_EBX_SMEP (1u << 7)
#define CPUID_7_EBX_SMAP (1u << 20)
#define CPUID_7_ECX_UMIP (1u << 2)
#define CPUID_7_ECX_PKU (1u << 3)
#define CPUID_7_ECX_LA57 (1u << 16)
#define CPUID_80000001_EDX_SYSCALL (1u << 11)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_80000001_EDX_NX (1u << 20)
#define CPUID_80000001_EDX_LM (1u << 29)

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/*
 * Instructions that root mode runs with a value a guest chose run as *_safe:
 * a #GP or #UD there is not a hypervisor fault but an answer. Each leaves an
 * entry {instruction, where to resume} in .extable; trap_dispatch
 * (arch/x86/trap.c) resumes there, skipping the instruction that says it
 * succeeded. The caller has checked the value by the SDM's rules already:
 * this is the second line, so that a rule it missed can never panic the host.
 */
#define EXTABLE_ENTRY(insn, resume) ".pushsection .extable, \"a\"\n.balign 8\n.quad " insn ", " resume "\n.popsection\n"

/* XSETBV; false if the CPU refused it. */
static inline bool xsetbv_safe(uint32_t xcr, uint64_t value)
{
	uint8_t ok;

	__asm__ volatile("movb $0, %0\n"
	                 "1: xsetbv\n"
	                 "movb $1, %0\n"
	                 "2:\n" EXTABLE_ENTRY("1b", "2b")
	                 : "=&q"(ok)
	                 : "c"(xcr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
	                 : "memory");
	return ok;
}

/* WRMSR; false if the CPU refused it (#GP). */
static inline bool wrmsr_safe(uint32_t msr, uint64_t value)
{
	uint8_t ok;

	__asm__ volatile("movb $0, %0\n"
	                 "1: wrmsr\n"
	                 "movb $1, %0\n"
	                 "2:\n" EXTABLE_ENTRY("1b", "2b")
	                 : "=&q"(ok)
	                 : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
	                 : "memory");
	return ok;
}

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

#define DEFINE_CR_ACCESSORS(n)                                    \
	static inline uint64_t read_cr##n(void)                   \
	{                                                         \
		uint64_t v;                                       \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); \
		return v;                                         \
	}                                                         \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

/* Stop this CPU for good: interrupts off, halt forever. */
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

#endif
