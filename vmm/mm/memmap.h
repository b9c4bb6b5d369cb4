/* memmap.h: the physical memory map: sanitized, carved, summarized. */
#ifndef VMM_MM_MEMMAP_H
#define VMM_MM_MEMMAP_H

#include <stdint.h>

#include "boot/bootinfo.h"

#define MEMMAP_MAX 512
#define PAGE_SIZE 4096ull

struct memmap {
	uint32_t count;
	struct boot_mem_range r[MEMMAP_MAX];
};

enum memmap_err {
	MEMMAP_OK = 0,
	MEMMAP_FULL = -1, /* more distinct ranges than MEMMAP_MAX */
};

/*
 * Build a clean map from a firmware's list: sorted, no overlaps (where ranges
 * overlap the more restrictive type wins, so RAM is never claimed over a
 * reserved range), adjacent equal types merged, usable ranges shrunk to whole
 * pages, empty ranges dropped.
 */
int memmap_build(struct memmap *m, const struct boot_mem_range *in, uint32_t n);
/* Mark [base, base+length) as type (a BOOT_MEM_HV_* type), whatever it was. */
int memmap_carve(struct memmap *m, uint64_t base, uint64_t length, uint32_t type);
/* Turn usable memory at or above limit into BOOT_MEM_UNUSED (the mem= option). */
int memmap_limit_usable(struct memmap *m, uint64_t limit);
/* Bytes of the given type. */
uint64_t memmap_total(const struct memmap *m, uint32_t type);
/* One past the highest address any range covers. */
uint64_t memmap_top(const struct memmap *m);
/* One past the highest address of memory (any type but plain reserved, which
 * on many machines includes huge address holes far above RAM). */
uint64_t memmap_top_memory(const struct memmap *m);
/* A short human name for a type ("usable", "ACPI NVS", ...). */
const char *memmap_type_name(uint32_t type);

#endif
