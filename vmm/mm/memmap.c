/* memmap.c: the physical memory map: sanitized, carved, summarized. */
#include "vmm/mm/memmap.h"

#include <stdbool.h>
#include <stddef.h>

/* Which type wins where ranges overlap: higher is more restrictive. */
static int type_rank(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE: return 0;
	case BOOT_MEM_ACPI_RECLAIM: return 1;
	case BOOT_MEM_PERSISTENT: return 2;
	case BOOT_MEM_ACPI_NVS: return 3;
	case BOOT_MEM_FIRMWARE: return 4;
	case BOOT_MEM_RESERVED: return 5;
	case BOOT_MEM_BAD: return 6;
	case BOOT_MEM_UNUSED: return 7;
	case BOOT_MEM_LOW: return 10;
	case BOOT_MEM_HV_BOOT: return 11;
	case BOOT_MEM_HV_MODULE: return 12;
	case BOOT_MEM_HV_IMAGE: return 13;
	default: return 5; /* unknown firmware types are treated as reserved */
	}
}

static uint32_t normalize_type(uint32_t type) { return type_rank(type) == 5 ? BOOT_MEM_RESERVED : type; }

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE: return "usable";
	case BOOT_MEM_RESERVED: return "reserved";
	case BOOT_MEM_ACPI_RECLAIM: return "ACPI tables";
	case BOOT_MEM_ACPI_NVS: return "ACPI NVS";
	case BOOT_MEM_BAD: return "bad memory";
	case BOOT_MEM_FIRMWARE: return "firmware runtime";
	case BOOT_MEM_PERSISTENT: return "persistent";
	case BOOT_MEM_HV_IMAGE: return "hypervisor image";
	case BOOT_MEM_HV_MODULE: return "boot module";
	case BOOT_MEM_HV_BOOT: return "hypervisor boot data";
	case BOOT_MEM_LOW: return "low memory (kept)";
	case BOOT_MEM_UNUSED: return "usable, above mem= (unused)";
	default: return "unknown";
	}
}

static uint64_t range_end(const struct boot_mem_range *r)
{
	uint64_t end = r->base + r->length;
	return end < r->base ? UINT64_MAX : end; /* clip a range that wraps */
}

/* Insertion sort of boundary points; n is small (at most 2 * MEMMAP_MAX). */
static void sort_u64(uint64_t *a, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint64_t v = a[i];
		uint32_t j = i;
		for (; j && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* The type covering [lo, hi) in the input, or 0 if none does. */
static uint32_t type_at(const struct boot_mem_range *in, uint32_t n, uint64_t lo)
{
	uint32_t best = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (in[i].length == 0 || lo < in[i].base || lo >= range_end(&in[i]))
			continue;
		uint32_t t = normalize_type(in[i].type);
		if (!best || type_rank(t) > type_rank(best))
			best = t;
	}
	return best;
}

static int push(struct memmap *m, uint64_t base, uint64_t end, uint32_t type)
{
	if (m->count && m->r[m->count - 1].type == type && range_end(&m->r[m->count - 1]) == base) {
		m->r[m->count - 1].length = end - m->r[m->count - 1].base;
		return MEMMAP_OK;
	}
	if (m->count == MEMMAP_MAX)
		return MEMMAP_FULL;
	m->r[m->count++] = (struct boot_mem_range){.base = base, .length = end - base, .type = type};
	return MEMMAP_OK;
}

/* Shrink usable ranges to whole pages; drop what becomes empty. */
static void align_usable(struct memmap *m)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < m->count; i++) {
		struct boot_mem_range r = m->r[i];
		if (r.type == BOOT_MEM_USABLE) {
			uint64_t base = (r.base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
			uint64_t end = range_end(&r) & ~(PAGE_SIZE - 1);
			if (base < r.base || end <= base)
				continue;
			r.base = base;
			r.length = end - base;
		}
		m->r[out++] = r;
	}
	m->count = out;
}

int memmap_build(struct memmap *m, const struct boot_mem_range *in, uint32_t n)
{
	static uint64_t points[2 * MEMMAP_MAX + 2];
	uint32_t np = 0;

	if (n > MEMMAP_MAX)
		return MEMMAP_FULL;
	for (uint32_t i = 0; i < n; i++) {
		if (in[i].length == 0)
			continue;
		points[np++] = in[i].base;
		points[np++] = range_end(&in[i]);
	}
	sort_u64(points, np);
	m->count = 0;
	for (uint32_t i = 0; i + 1 < np; i++) {
		if (points[i] == points[i + 1])
			continue;
		uint32_t t = type_at(in, n, points[i]);
		if (t && push(m, points[i], points[i + 1], t) != MEMMAP_OK)
			return MEMMAP_FULL;
	}
	align_usable(m);
	return MEMMAP_OK;
}

int memmap_carve(struct memmap *m, uint64_t base, uint64_t length, uint32_t type)
{
	static struct boot_mem_range tmp[MEMMAP_MAX];
	uint32_t n = m->count;

	if (length == 0)
		return MEMMAP_OK;
	if (n == MEMMAP_MAX)
		return MEMMAP_FULL;
	for (uint32_t i = 0; i < n; i++)
		tmp[i] = m->r[i];
	tmp[n++] = (struct boot_mem_range){.base = base, .length = length, .type = type};
	return memmap_build(m, tmp, n);
}

/* The first usable range that reaches above limit, or NULL. */
static const struct boot_mem_range *usable_above(const struct memmap *m, uint64_t limit)
{
	for (uint32_t i = 0; i < m->count; i++)
		if (m->r[i].type == BOOT_MEM_USABLE && range_end(&m->r[i]) > limit)
			return &m->r[i];
	return NULL;
}

int memmap_limit_usable(struct memmap *m, uint64_t limit)
{
	const struct boot_mem_range *r;

	/* Each carve rebuilds the map and removes one usable tail. */
	while ((r = usable_above(m, limit)) != NULL) {
		uint64_t from = r->base > limit ? r->base : limit;
		if (memmap_carve(m, from, range_end(r) - from, BOOT_MEM_UNUSED) != MEMMAP_OK)
			return MEMMAP_FULL;
	}
	return MEMMAP_OK;
}

uint64_t memmap_total(const struct memmap *m, uint32_t type)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < m->count; i++)
		if (m->r[i].type == type)
			sum += m->r[i].length;
	return sum;
}

uint64_t memmap_top(const struct memmap *m)
{
	uint64_t top = 0;

	for (uint32_t i = 0; i < m->count; i++)
		if (range_end(&m->r[i]) > top)
			top = range_end(&m->r[i]);
	return top;
}

uint64_t memmap_top_memory(const struct memmap *m)
{
	uint64_t top = 0;

	for (uint32_t i = 0; i < m->count; i++)
		if (m->r[i].type != BOOT_MEM_RESERVED && range_end(&m->r[i]) > top)
			top = range_end(&m->r[i]);
	return top;
}
