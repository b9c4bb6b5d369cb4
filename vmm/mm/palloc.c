/* palloc.c: the physical page allocator: a bitmap over one span of page frames. */
#include "vmm/mm/palloc.h"

#include "vmm/lib/string.h"

#define PAGE_SHIFT 12

static bool test_free(const struct palloc *pa, uint64_t i) { return pa->bitmap[i / 64] >> (i % 64) & 1; }
static void set_free(struct palloc *pa, uint64_t i) { pa->bitmap[i / 64] |= 1ull << (i % 64); }
static void set_used(struct palloc *pa, uint64_t i) { pa->bitmap[i / 64] &= ~(1ull << (i % 64)); }

size_t palloc_bitmap_bytes(uint64_t npages) { return (size_t)((npages + 63) / 64 * 8); }

void palloc_init(struct palloc *pa, uint64_t *bitmap, uint64_t base_pfn, uint64_t npages)
{
	pa->bitmap = bitmap;
	pa->base_pfn = base_pfn;
	pa->npages = npages;
	pa->free_pages = 0;
	pa->hint = 0;
	memset(bitmap, 0, palloc_bitmap_bytes(npages));
}

void palloc_add_range(struct palloc *pa, uint64_t base, uint64_t length)
{
	uint64_t first = (base + (1ull << PAGE_SHIFT) - 1) >> PAGE_SHIFT;
	uint64_t end = (base + length) >> PAGE_SHIFT;

	if (first == 0)
		first = 1; /* frame 0 is the failure value */
	if (first < pa->base_pfn)
		first = pa->base_pfn;
	if (end > pa->base_pfn + pa->npages)
		end = pa->base_pfn + pa->npages;
	for (uint64_t pfn = first; pfn < end; pfn++) {
		uint64_t i = pfn - pa->base_pfn;
		if (!test_free(pa, i)) {
			set_free(pa, i);
			pa->free_pages++;
		}
	}
}

/* Index range [i, i+n) of phys, or false if it leaves the span. */
static bool span_index(const struct palloc *pa, uint64_t phys, uint64_t n, uint64_t *i)
{
	uint64_t pfn = phys >> PAGE_SHIFT;

	if ((phys & ((1ull << PAGE_SHIFT) - 1)) || pfn < pa->base_pfn || n > pa->npages ||
	    pfn - pa->base_pfn > pa->npages - n)
		return false;
	*i = pfn - pa->base_pfn;
	return true;
}

/* Length of the free run starting at index i, counting at most want frames. */
static uint64_t free_run(const struct palloc *pa, uint64_t i, uint64_t want)
{
	uint64_t n = 0;

	while (n < want && i + n < pa->npages && test_free(pa, i + n))
		n++;
	return n;
}

static uint64_t search(struct palloc *pa, uint64_t from, uint64_t to, uint64_t npages, uint64_t align)
{
	for (uint64_t i = from; i < to && i + npages <= pa->npages;) {
		uint64_t pfn = pa->base_pfn + i;
		uint64_t mis = pfn & (align - 1);
		if (mis) {
			i += align - mis;
			continue;
		}
		uint64_t run = free_run(pa, i, npages);
		if (run == npages)
			return i;
		i += run + 1;
	}
	return UINT64_MAX;
}

uint64_t palloc_alloc(struct palloc *pa, uint64_t npages, uint64_t align_pages)
{
	if (npages == 0 || npages > pa->free_pages || align_pages == 0 || (align_pages & (align_pages - 1)))
		return 0;
	uint64_t i = search(pa, pa->hint, pa->npages, npages, align_pages);
	if (i == UINT64_MAX)
		i = search(pa, 0, pa->hint + npages, npages, align_pages);
	if (i == UINT64_MAX)
		return 0;
	for (uint64_t k = 0; k < npages; k++)
		set_used(pa, i + k);
	pa->free_pages -= npages;
	pa->hint = i + npages;
	return (pa->base_pfn + i) << PAGE_SHIFT;
}

bool palloc_free(struct palloc *pa, uint64_t phys, uint64_t npages)
{
	uint64_t i;

	if (phys == 0 || !span_index(pa, phys, npages, &i))
		return false; /* frame 0 is never handed out, so never given back */
	for (uint64_t k = 0; k < npages; k++)
		if (test_free(pa, i + k))
			return false;
	for (uint64_t k = 0; k < npages; k++)
		set_free(pa, i + k);
	pa->free_pages += npages;
	return true;
}
