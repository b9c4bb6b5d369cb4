/* mm.c: the hypervisor's physical memory: the map it booted with and its page allocator. */
#include "vmm/mm/mm.h"

#include "vmm/lib/log.h"
#include "vmm/lib/panic.h"
#include "vmm/lib/spinlock.h"
#include "vmm/lib/string.h"
#include "vmm/mm/palloc.h"

#define LOW_MEMORY_END 0x100000ull /* kept for the AP trampoline and firmware areas */
#define MIB (1024ull * 1024)
#define AP_TRAMPOLINE_LIMIT 0x9f000ull /* below the EBDA on every PC */

extern const char __image_start[];

static struct memmap map;
static struct palloc pa;
static struct spinlock pa_lock = SPINLOCK_INIT;
static uint64_t image_phys;
static uint64_t trampoline_phys;

uint64_t image_virt_to_phys(const void *va) { return (uint64_t)va - (uint64_t)__image_start + image_phys; }

const struct memmap *mm_map(void) { return &map; }

static void print_map(void)
{
	pr_info("mem: physical memory map (%u ranges):", map.count);
	for (uint32_t i = 0; i < map.count; i++) {
		const struct boot_mem_range *r = &map.r[i];
		pr_info("mem:   %016llx-%016llx %8llu KiB  %s", (unsigned long long)r->base,
		        (unsigned long long)(r->base + r->length - 1), (unsigned long long)(r->length / 1024),
		        memmap_type_name(r->type));
	}
}

/*
 * The AP trampoline needs pages below 1 MiB that the firmware left usable
 * (the SIPI vector is a page number below 0x100). Take the highest ones below
 * the EBDA's usual start, so that the BIOS data area at 0 stays untouched.
 */
static uint64_t find_low_pages(uint64_t npages)
{
	uint64_t best = 0;

	for (uint32_t i = 0; i < map.count; i++) {
		const struct boot_mem_range *r = &map.r[i];
		uint64_t end = r->base + r->length < AP_TRAMPOLINE_LIMIT ? r->base + r->length : AP_TRAMPOLINE_LIMIT;
		if (r->type != BOOT_MEM_USABLE || end < r->base + npages * PAGE_SIZE)
			continue;
		uint64_t base = end - npages * PAGE_SIZE;
		if (base >= PAGE_SIZE && base > best)
			best = base;
	}
	return best;
}

/* Carve what must never be handed out; false if the map overflowed. */
static bool carve_boot_ranges(const struct boot_info *bi)
{
	int err = memmap_carve(&map, bi->image_phys_base, bi->image_phys_size, BOOT_MEM_HV_IMAGE);

	for (uint32_t i = 0; i < bi->module_count; i++)
		err |= memmap_carve(&map, bi->modules[i].base, bi->modules[i].size, BOOT_MEM_HV_MODULE);
	for (uint32_t i = 0; i < bi->reserved_count; i++)
		err |= memmap_carve(&map, bi->reserved[i].base, bi->reserved[i].length, BOOT_MEM_HV_BOOT);
	trampoline_phys = find_low_pages(AP_TRAMPOLINE_PAGES);
	if (trampoline_phys)
		err |= memmap_carve(&map, trampoline_phys, AP_TRAMPOLINE_PAGES * PAGE_SIZE, BOOT_MEM_HV_BOOT);
	err |= memmap_carve(&map, 0, LOW_MEMORY_END, BOOT_MEM_LOW);
	return err == MEMMAP_OK;
}

uint64_t mm_ap_trampoline(void) { return trampoline_phys; }

/* The frame span the allocator covers: lowest to highest usable page. */
static void usable_span(uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (uint32_t i = 0; i < map.count; i++) {
		if (map.r[i].type != BOOT_MEM_USABLE)
			continue;
		if (map.r[i].base < *lo)
			*lo = map.r[i].base;
		if (map.r[i].base + map.r[i].length > *hi)
			*hi = map.r[i].base + map.r[i].length;
	}
}

/* Place the allocator's bitmap in the first usable range that holds it. */
static uint64_t *place_bitmap(size_t bytes)
{
	uint64_t need = (bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	for (uint32_t i = 0; i < map.count; i++) {
		if (map.r[i].type != BOOT_MEM_USABLE || map.r[i].length < need)
			continue;
		uint64_t base = map.r[i].base;
		if (memmap_carve(&map, base, need, BOOT_MEM_HV_BOOT) != MEMMAP_OK)
			return NULL;
		return phys_to_virt(base);
	}
	return NULL;
}

bool mm_init(const struct boot_info *bi, uint64_t mem_limit)
{
	uint64_t lo, hi;

	image_phys = bi->image_phys_base;
	if (memmap_build(&map, bi->mem, bi->mem_count) != MEMMAP_OK || !carve_boot_ranges(bi) ||
	    (mem_limit && memmap_limit_usable(&map, mem_limit) != MEMMAP_OK)) {
		pr_err("mem: the firmware memory map has more than %u distinct ranges", MEMMAP_MAX);
		return false;
	}
	usable_span(&lo, &hi);
	if (hi <= lo) {
		print_map();
		pr_err("mem: no usable RAM above 1 MiB is left once the image and modules are carved out");
		return false;
	}
	uint64_t npages = (hi - lo) / PAGE_SIZE;
	uint64_t *bitmap = place_bitmap(palloc_bitmap_bytes(npages));
	if (!bitmap) {
		print_map();
		pr_err("mem: no usable range can hold the page allocator's %llu KiB bitmap",
		       (unsigned long long)(palloc_bitmap_bytes(npages) / 1024));
		return false;
	}
	palloc_init(&pa, bitmap, lo / PAGE_SIZE, npages);
	for (uint32_t i = 0; i < map.count; i++)
		if (map.r[i].type == BOOT_MEM_USABLE)
			palloc_add_range(&pa, map.r[i].base, map.r[i].length);
	print_map();
	pr_info("mem: summary: %llu MiB usable, memory up to %#llx, hypervisor image %llu KiB, %u boot modules, "
	        "%llu free pages",
	        (unsigned long long)(memmap_total(&map, BOOT_MEM_USABLE) / MIB),
	        (unsigned long long)memmap_top_memory(&map), (unsigned long long)(bi->image_phys_size / 1024),
	        bi->module_count, (unsigned long long)pa.free_pages);
	return true;
}

uint64_t page_alloc(uint64_t npages) { return page_alloc_aligned(npages, 1); }

uint64_t page_alloc_aligned(uint64_t npages, uint64_t align_pages)
{
	spin_lock(&pa_lock);
	uint64_t p = palloc_alloc(&pa, npages, align_pages);
	spin_unlock(&pa_lock);
	if (p)
		memset(phys_to_virt(p), 0, npages * PAGE_SIZE);
	return p;
}

void page_free(uint64_t phys, uint64_t npages)
{
	spin_lock(&pa_lock);
	bool ok = palloc_free(&pa, phys, npages);
	spin_unlock(&pa_lock);
	if (!ok)
		panic("page_free(%#llx, %llu): pages not allocated", (unsigned long long)phys,
		      (unsigned long long)npages);
}
