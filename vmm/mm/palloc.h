/* palloc.h: the physical page allocator: a bitmap over one span of page frames. */
#ifndef VMM_MM_PALLOC_H
#define VMM_MM_PALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One bit per 4 KiB frame in [base_pfn, base_pfn + npages), set = free. Pure
 * logic with no locking (the hypervisor wraps it in mm.c). Frame 0 is never
 * handed out, so a return value of 0 means "no memory".
 */
struct palloc {
	uint64_t *bitmap;
	uint64_t base_pfn;
	uint64_t npages;
	uint64_t free_pages;
	uint64_t hint; /* frame index where the next search starts */
};

/* Bytes of bitmap needed for npages frames. */
size_t palloc_bitmap_bytes(uint64_t npages);
/* Start with every frame in use; bitmap must hold palloc_bitmap_bytes(npages). */
void palloc_init(struct palloc *pa, uint64_t *bitmap, uint64_t base_pfn, uint64_t npages);
/* Hand the whole pages inside [base, base+length) to the allocator. */
void palloc_add_range(struct palloc *pa, uint64_t base, uint64_t length);
/* npages contiguous frames starting at a multiple of align_pages (a power of two). */
uint64_t palloc_alloc(struct palloc *pa, uint64_t npages, uint64_t align_pages);
/* Give frames back; false (and no change) if any of them is outside or already free. */
bool palloc_free(struct palloc *pa, uint64_t phys, uint64_t npages);

#endif
