/* pagetable.c: the 4-level page tables the hypervisor starts on (SDM Vol. 3, 4.5). */
#include "boot/efi/loader.h"
#include "boot/efi/memmap_conv.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PT_ENTRIES 512
#define SIZE_512G (1ull << 39)
#define IDENTITY_MAX (1ull << 47) /* the lower half of a 4-level address space */
#define CR4_LA57 (1ull << 12)

/* The table pages, carved in order from one allocation. */
struct pt_pool {
	UINT64 next;
	UINT64 end;
};

static UINT64 align_up(UINT64 x, UINT64 a) { return (x + a - 1) & ~(a - 1); }

/* Distinct aligned blocks of the given size that [va, va+len) touches. */
static UINT64 blocks(UINT64 va, UINT64 len, UINT64 block) { return ((va + len - 1) / block) - (va / block) + 1; }

static UINT64 *next_table(struct pt_pool *pool, UINT64 *e)
{
	if (!(*e & PTE_P)) {
		if (pool->next == pool->end)
			return NULL; /* cannot happen: the pool was sized by table_pages() */
		*e = pool->next | PTE_P | PTE_W;
		pool->next += EFI_PAGE_SIZE;
	}
	return (UINT64 *)(UINTN)(*e & PTE_ADDR_MASK);
}

static unsigned idx(UINT64 va, int level) { return (va >> (12 + 9 * level)) & (PT_ENTRIES - 1); }

static BOOLEAN map_2m(struct pt_pool *pool, UINT64 *pml4, UINT64 va, UINT64 pa)
{
	UINT64 *pdpt = next_table(pool, &pml4[idx(va, 3)]);
	UINT64 *pd = pdpt ? next_table(pool, &pdpt[idx(va, 2)]) : NULL;

	if (!pd)
		return FALSE;
	pd[idx(va, 1)] = pa | PTE_P | PTE_W | PTE_PS;
	return TRUE;
}

/* Highest end of RAM, firmware and ACPI ranges, from a throw-away memory map. */
static EFI_STATUS memory_top(UINT64 *top)
{
	UINTN entries, key, dsize;
	UINT32 dver;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &dsize, &dver);

	if (!map)
		return fail(EFI_OUT_OF_RESOURCES, L"cannot read the firmware memory map");
	*top = memmap_efi_top(map, entries * dsize, dsize);
	FreePool(map);
	return EFI_SUCCESS;
}

static UINT64 table_pages(UINT64 id_top, UINT64 va, UINT64 win)
{
	return 1 + blocks(0, id_top, SIZE_512G) + id_top / SIZE_1G + blocks(va, win, SIZE_512G) +
	       blocks(va, win, SIZE_1G);
}

EFI_STATUS pagetable_build(struct loader *ld)
{
	UINT64 top = 0, va = ld->elf.hdr.virt_base, win = align_up(ld->elf.hdr.image_size, SIZE_2M);
	EFI_PHYSICAL_ADDRESS base;

	if (read_cr4() & CR4_LA57)
		return fail(EFI_UNSUPPORTED,
		            L"the firmware runs 5-level paging (CR4.LA57); the hypervisor needs 4-level");
	EFI_STATUS st = memory_top(&top);
	if (EFI_ERROR(st))
		return st;
	UINT64 id_top = top < SIZE_4G ? SIZE_4G : align_up(top, SIZE_1G);
	if (id_top > IDENTITY_MAX)
		return fail(EFI_UNSUPPORTED, L"memory reaches 0x%lx, beyond what the identity map can cover", top);
	UINT64 pages = table_pages(id_top, va, win);
	if (EFI_ERROR((st = pages_alloc(ld, pages * EFI_PAGE_SIZE, L"the boot page tables", &base))))
		return st;
	zero((void *)(UINTN)base, pages * EFI_PAGE_SIZE);
	struct pt_pool pool = {base + EFI_PAGE_SIZE, base + pages * EFI_PAGE_SIZE};
	UINT64 *pml4 = (UINT64 *)(UINTN)base;
	for (UINT64 pa = 0; pa < id_top; pa += SIZE_2M)
		if (!map_2m(&pool, pml4, pa, pa))
			return fail(EFI_OUT_OF_RESOURCES, L"page table pool exhausted (loader bug)");
	for (UINT64 off = 0; off < win; off += SIZE_2M)
		if (!map_2m(&pool, pml4, va + off, ld->image_phys + off))
			return fail(EFI_OUT_OF_RESOURCES, L"page table pool exhausted (loader bug)");
	ld->pml4 = base;
	ld->bi->reserved[ld->bi->reserved_count++] = (struct boot_reserved){base, pages * EFI_PAGE_SIZE};
	say(L"page tables: %ld KiB at 0x%lx: identity map of 0-%ld GiB, image window at 0x%lx", pages * 4, base,
	    id_top / SIZE_1G, va);
	return EFI_SUCCESS;
}
