/* cr8.c: CR8 is the TPR's priority class, seen from 64-bit mode (SDM Vol. 3, 11.8.6.1). */
#include "guest/lib/guest.h"

#include "vmm/partition/guest_layout.h"

/*
 * The library runs in 32-bit protected mode, where CR8 does not exist. This
 * guest builds an identity map of the first GiB and the APIC's 2 MiB page, enters IA-32e mode, runs
 * the CR8 checks in 64-bit code, and comes back to compatibility mode (still
 * IA-32e, paging on: the 32-bit library code runs there unchanged as long as
 * nothing raises an exception, since the library's IDT is a 32-bit one).
 */
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PCD 0x10ull
#define PTE_PS 0x80ull
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18
#define APIC_TPR_GPA (GUEST_LAPIC_BASE + 0x80)

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pd_top[512] __attribute__((aligned(4096))); /* 3-4 GiB: the local APIC's page */
static const uint64_t gdt64[] __attribute__((aligned(8))) = {
        0, 0x00af9a000000ffffull, /* SEL_CODE64: 64-bit code */
        0x00cf92000000ffffull,    /* SEL_DATA */
        0x00cf9a000000ffffull,    /* SEL_CODE32: 32-bit code, for compatibility mode */
};
static struct {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed)) gdtr = {sizeof(gdt64) - 1, 0};

/* What the 64-bit code found: TPR after CR8 = 5; CR8 after TPR = 0x70; CR8 after TPR = 0x7f. */
volatile uint32_t cr8_results[3];

/* Runs in 64-bit mode; returns to SEL_CODE32 with a far return. Clobbers RAX, RCX, RDX (the caller declares them). */
__asm__(".code64\n"
        "cr8_checks64:\n"
        "  movl $cr8_results, %edx\n"
        "  movl $0xfee00080, %ecx\n" /* the TPR; a disp32 would be sign-extended in 64-bit mode */
        "  movq $5, %rax\n"
        "  .byte 0x44, 0x0f, 0x22, 0xc0\n" /* mov cr8, rax: REX.R, which a 32-bit assembler will not emit */
        "  movl (%rcx), %eax\n"
        "  movl %eax, (%rdx)\n"
        "  movl $0x70, (%rcx)\n"
        "  .byte 0x44, 0x0f, 0x20, 0xc0\n" /* mov rax, cr8 */
        "  movl %eax, 4(%rdx)\n"
        "  movl $0x7f, (%rcx)\n"
        "  .byte 0x44, 0x0f, 0x20, 0xc0\n" /* mov rax, cr8 */
        "  movl %eax, 8(%rdx)\n"
        "  xorl %eax, %eax\n"
        "  .byte 0x44, 0x0f, 0x22, 0xc0\n" /* mov cr8, rax */
        "  pushq $0x18\n"
        "  leaq cr8_back32(%rip), %rax\n"
        "  pushq %rax\n"
        "  lretq\n"
        ".code32\n");

static void enter_long_mode_and_check(void)
{
	for (unsigned i = 0; i < 512; i++)
		pd[i] = (uint64_t)i << 21 | PTE_P | PTE_W | PTE_PS;
	pdpt[0] = (uint32_t)pd | PTE_P | PTE_W;
	pd_top[(GUEST_LAPIC_BASE >> 21) & 511] = (GUEST_LAPIC_BASE & ~0x1fffffull) | PTE_P | PTE_W | PTE_PS | PTE_PCD;
	pdpt[3] = (uint32_t)pd_top | PTE_P | PTE_W;
	pml4[0] = (uint32_t)pdpt | PTE_P | PTE_W;
	gdtr.base = (uint32_t)gdt64;
	__asm__ volatile("cli\n"
	                 "lgdt %0\n"
	                 "movl %%cr4, %%eax\n"
	                 "orl $0x20, %%eax\n" /* CR4.PAE */
	                 "movl %%eax, %%cr4\n"
	                 "movl %1, %%eax\n"
	                 "movl %%eax, %%cr3\n"
	                 "movl $0xc0000080, %%ecx\n" /* EFER.LME */
	                 "rdmsr\n"
	                 "orl $0x100, %%eax\n"
	                 "wrmsr\n"
	                 "movl %%cr0, %%eax\n"
	                 "orl $0x80000000, %%eax\n" /* CR0.PG: IA-32e mode, compatibility mode for now */
	                 "movl %%eax, %%cr0\n"
	                 "ljmp $0x08, $cr8_checks64\n"
	                 "cr8_back32:\n"
	                 :
	                 : "m"(gdtr), "r"((uint32_t)pml4)
	                 : "eax", "ecx", "edx", "memory");
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)mbi;
	guest_printf("cr8: CR8 and the TPR from 64-bit mode\n");
	expect_eq("entered by a multiboot loader", magic, MULTIBOOT_BOOTLOADER_MAGIC);
	enter_long_mode_and_check();
	expect_eq("MOV to CR8 5: TPR reads 0x50", cr8_results[0], 0x50);
	expect_eq("TPR 0x70: CR8 reads 7", cr8_results[1], 7);
	expect_eq("TPR 0x7f: CR8 reads its class, 7", cr8_results[2], 7);
	guest_finish();
}
