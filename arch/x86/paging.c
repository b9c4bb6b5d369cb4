/* paging.c: the hypervisor's own page tables (4-level, SDM Vol. 3, 4.5). */
#include "arch/x86/paging.h"

#include "arch/x86/cpu.h"
#include "vmm/lib/log.h"
#include "vmm/mm/mm.h"

#define PT_ENTRIES 512
#define SIZE_2M (1ull << 21)
#define SIZE_1G (1ull << 30)
#define SIZE_4G (1ull << 32)

extern const char __image_start[], __text_end[], __rodata_end[], __data_end[], __image_end[];

static uint64_t nx_bit; /* PTE_NX where EFER.NXE could be set, else 0 */
static uint64_t *root;

static uint64_t *table_alloc(void)
{
	uint64_t p = page_alloc(1);
	return p ? phys_to_virt(p) : 0;
}

/* The next-level table under entry e, created on demand; NULL when out of memory. */
static uint64_t *next_table(uint64_t *e)
{
	if (!(*e & PTE_P)) {
		uint64_t *t = table_alloc();
		if (!t)
			return 0;
		*e = virt_to_phys_identity(t) | PTE_P | PTE_W;
	}
	return phys_to_virt(*e & PTE_ADDR_MASK);
}

static unsigned idx(uint64_t va, int level) { return (va >> (12 + 9 * level)) & (PT_ENTRIES - 1); }

static bool map_identity(uint64_t *pml4, uint64_t top)
{
	for (uint64_t pa = 0; pa < top; pa += SIZE_2M) {
		uint64_t *pdpt = next_table(&pml4[idx(pa, 3)]);
		uint64_t *pd = pdpt ? next_table(&pdpt[idx(pa, 2)]) : 0;
		if (!pd)
			return false;
		pd[idx(pa, 1)] = pa | PTE_P | PTE_W | PTE_PS | nx_bit;
	}
	return true;
}

static bool map_4k(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pdpt = next_table(&pml4[idx(va, 3)]);
	uint64_t *pd = pdpt ? next_table(&pdpt[idx(va, 2)]) : 0;
	uint64_t *pt = pd ? next_table(&pd[idx(va, 1)]) : 0;

	if (!pt)
		return false;
	pt[idx(va, 0)] = pa | flags;
	return true;
}

/* Permissions of the image page at va, from the linker's section bounds. */
static uint64_t image_flags(uint64_t va)
{
	if (va < (uint64_t)__text_end)
		return PTE_P | PTE_G;
	if (va < (uint64_t)__rodata_end)
		return PTE_P | PTE_G | nx_bit;
	if (va < (uint64_t)__data_end)
		return PTE_P | PTE_W | PTE_G | nx_bit;
	return PTE_P | PTE_G | nx_bit; /* .ksyms */
}

static void enable_nx(void)
{
	if (cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_NX)) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NX);
		nx_bit = PTE_NX;
	}
}

bool paging_init(uint64_t phys_top)
{
	enable_nx();
	uint64_t *pml4 = table_alloc();
	uint64_t top = phys_top < SIZE_4G ? SIZE_4G : (phys_top + SIZE_1G - 1) & ~(SIZE_1G - 1);

	if (!pml4 || !map_identity(pml4, top))
		return false;
	for (uint64_t va = (uint64_t)__image_start; va < (uint64_t)__image_end; va += 4096)
		if (!map_4k(pml4, va, image_virt_to_phys((const void *)va), image_flags(va)))
			return false;
	/* Read-only means read-only in ring 0 too (WP). Caches on: some firmware leaves CD/NW set,
	 * and VM entry does not load them, so guests would run uncached too (SDM Vol. 3, 27.3.2.1). */
	write_cr0((read_cr0() | CR0_WP) & ~(CR0_CD | CR0_NW));
	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(virt_to_phys_identity(pml4));
	root = pml4;
	pr_info("paging: identity map 0-%llu GiB (2 MiB pages%s), image at %p with W^X 4 KiB pages",
	        (unsigned long long)(top >> 30), nx_bit ? ", no-execute" : "", (const void *)__image_start);
	return true;
}

uint64_t paging_root(void) { return virt_to_phys_identity(root); }
uint64_t paging_nx_bit(void) { return nx_bit; }

/* Replace the 2 MiB identity page at *pde by a table of 512 4 KiB pages with the same flags. */
static bool split_2m(uint64_t *pde)
{
	uint64_t *pt = table_alloc();

	if (!pt)
		return false;
	uint64_t base = *pde & PTE_ADDR_MASK & ~(SIZE_2M - 1);
	uint64_t flags = *pde & (PTE_P | PTE_W | PTE_PWT | PTE_PCD | PTE_NX);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		pt[i] = (base + i * 4096) | flags;
	*pde = virt_to_phys_identity(pt) | PTE_P | PTE_W;
	return true;
}

bool paging_identity_page(uint64_t pa, uint64_t flags)
{
	uint64_t *pdpt = next_table(&root[idx(pa, 3)]);
	uint64_t *pd = pdpt ? next_table(&pdpt[idx(pa, 2)]) : 0;

	if (!pd)
		return false;
	uint64_t *pde = &pd[idx(pa, 1)];
	if ((*pde & PTE_P) && (*pde & PTE_PS) && !split_2m(pde))
		return false;
	uint64_t *pt = next_table(pde);
	if (!pt)
		return false;
	pt[idx(pa, 0)] = (pa & PTE_ADDR_MASK) | (flags & (nx_bit | ~PTE_NX));
	write_cr3(read_cr3()); /* flush: the 2 MiB translation may be cached */
	return true;
}
