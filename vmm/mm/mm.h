/* mm.h: the hypervisor's physical memory: the map it booted with and its page allocator. */
#ifndef VMM_MM_MM_H
#define VMM_MM_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/bootinfo.h"
#include "vmm/mm/memmap.h"

/*
 * Physical memory is identity-mapped, so a physical address is its own
 * pointer. The empty asm hides the constant from the compiler, which would
 * otherwise treat a small fixed address as a null-pointer dereference.
 */
static inline void *phys_to_virt(uint64_t pa)
{
	void *p;

	__asm__("" : "=r"(p) : "0"(pa));
	return p;
}
static inline uint64_t virt_to_phys_identity(const void *va) { return (uint64_t)va; }
/* Physical address of anything inside the hypervisor image. */
uint64_t image_virt_to_phys(const void *va);

/*
 * Build the memory map from boot info, carve out the image, modules, loader
 * data and low memory, leave usable memory at or above mem_limit unused
 * (0: no limit), print the map and a summary, and start the page allocator.
 * Returns false (after saying why) if no usable memory is left.
 */
bool mm_init(const struct boot_info *bi, uint64_t mem_limit);
const struct memmap *mm_map(void);

/* Pages for the AP trampoline (AP_TRAMPOLINE_PAGES below 1 MiB), or 0 if none were usable. */
#define AP_TRAMPOLINE_PAGES 2
uint64_t mm_ap_trampoline(void);

/* npages zeroed, contiguous pages (identity-mapped); 0 when memory runs out. */
uint64_t page_alloc(uint64_t npages);
/* The same, starting at a multiple of align_pages (a power of two). */
uint64_t page_alloc_aligned(uint64_t npages, uint64_t align_pages);
void page_free(uint64_t phys, uint64_t npages);

#endif
