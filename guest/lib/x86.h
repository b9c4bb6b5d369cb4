/* x86.h: the 32-bit guest's view of the CPU: named registers, MSRs, ports and one wrapper per instruction. */
#ifndef GUEST_LIB_X86_H
#define GUEST_LIB_X86_H

#include <stdint.h>

/* Control registers and EFLAGS (SDM Vol. 3, 2.5 and 2.3). */
#define CR0_PE (1u << 0)
#define CR0_ET (1u << 4)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define EFLAGS_RESERVED1 (1u << 1) /* always reads 1 */
#define EFLAGS_IF (1u << 9)

/* CPUID (SDM Vol. 2A, CPUID). */
#define CPUID_LEAF_FEATURES 0x1
#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EBX_APIC_ID_SHIFT 24
#define CPUID_LEAF_HV_BASE 0x40000000u /* EAX: highest hypervisor leaf; EBX:ECX:EDX: signature */
#define CPUID_LEAF_HV_VERSION 0x40000001u

/* MSRs (SDM Vol. 4), spelled as arch/x86/cpu.h and arch/x86/vmx_defs.h spell them. */
#define MSR_IA32_APICBASE 0x0000001b
#define APICBASE_BSP (1ull << 8)
#define APICBASE_ENABLE (1ull << 11)
#define APICBASE_ADDR_MASK 0xfffff000ull
#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define FEATURE_CONTROL_LOCKED (1ull << 0)
#define FEATURE_CONTROL_VMX_IN_SMX (1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define MSR_IA32_SYSENTER_CS 0x00000174
#define MSR_IA32_SYSENTER_ESP 0x00000175
#define MSR_IA32_SYSENTER_EIP 0x00000176
#define MSR_IA32_PAT 0x00000277
#define MSR_IA32_VMX_BASIC 0x00000480
#define MSR_EFER 0xc0000080
#define EFER_SCE (1ull << 0)
#define MSR_AMD_PERF_CTL0 0xc0010000 /* AMD only: never on the guest's allow-list */

/* Exception vectors (SDM Vol. 3, 6.15). */
#define X86_TRAP_DE 0
#define X86_TRAP_UD 6
#define X86_TRAP_DF 8
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14
#define X86_NR_EXCEPTIONS 32

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * RDTSC ordered against the code around it (SDM Vol. 2B, RDTSC): the LFENCE
 * before waits for every earlier instruction to finish, the one after keeps
 * later instructions (the ICR write being timed) from starting before it.
 * Without them an out-of-order core moves the read across what it brackets.
 */
static inline uint64_t rdtsc_fenced(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

static inline uint32_t read_cr0(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_eflags(void)
{
	uint32_t v;

	__asm__ volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

/* EAX = nr, EBX/ECX/EDX = arguments; the result comes back in EAX (vmm/exit/hypercall.h). */
static inline uint32_t vmcall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	__asm__ volatile("vmcall" : "+a"(nr) : "b"(a1), "c"(a2), "d"(a3) : "memory");
	return nr;
}

static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

/* GDTR/IDTR as SGDT/SIDT store them in 32-bit mode: limit, then base. */
struct dtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct dtr) == 6, "descriptor-table register image");

static inline void lidt(const struct dtr *d) { __asm__ volatile("lidt %0" ::"m"(*d)); }

#endif
