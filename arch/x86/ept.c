/* ept.c: extended page tables: building one guest's map (SDM Vol. 3, 29.3.2). */
#include "arch/x86/ept.h"

#include <stddef.h>

#define EPT_ENTRIES 512
#define EPT_LEVELS 4 /* level 3: PML4, 2: PDPT, 1: PD, 0: PT */
#define SIZE_4K (1ull << 12)
#define SIZE_2M (1ull << 21)
#define EPT_GPA_LIMIT (1ull << 48) /* a 4-level walk translates 48 bits */
#define EPT_HPA_LIMIT (EPT_ADDR_MASK + SIZE_4K)
#define EPT_LEAF_FLAGS (EPT_RWX | EPT_MEMTYPE_MASK | EPT_IGNORE_PAT)

/* Bits 2:0 all clear: not present (SDM Vol. 3, 29.3.2). */
static bool present(uint64_t ent) { return (ent & EPT_RWX) != 0; }

static unsigned idx(uint64_t gpa, int level) { return (gpa >> (12 + 9 * level)) & (EPT_ENTRIES - 1); }

static uint64_t span(int level) { return 1ull << (12 + 9 * level); }

static uint64_t *table(const struct ept *e, uint64_t phys) { return e->ops.to_virt(e->ops.ctx, phys); }

/* A leaf: any PT entry, or a PD/PDPT entry with bit 7 (Tables 29-3, 29-5). */
static bool is_leaf(uint64_t ent, int level) { return level == 0 || (ent & EPT_LARGE_PAGE); }

/*
 * Memory types 2, 3 and 7 are reserved; write without read is a
 * misconfiguration and execute-only needs a capability, so read is required
 * (SDM Vol. 3, 29.3.3.1).
 */
static bool flags_ok(uint64_t flags)
{
	uint64_t type = (flags & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT;

	return !(flags & ~EPT_LEAF_FLAGS) && (flags & EPT_READ) && type != 2 && type != 3 && type != 7;
}

static uint64_t table_alloc(struct ept *e)
{
	uint64_t p = e->ops.alloc_page(e->ops.ctx);

	if (p)
		e->pages++;
	return p;
}

/*
 * The entry for gpa in the table at the given level, creating the tables
 * above it when alloc is set. NULL if a table is missing (and not created)
 * or a leaf sits above that level.
 */
static uint64_t *walk(struct ept *e, uint64_t gpa, int level, bool alloc)
{
	uint64_t *t = table(e, e->pml4);

	for (int l = EPT_LEVELS - 1; l > level; l--) {
		uint64_t *ent = &t[idx(gpa, l)];
		if (!present(*ent)) {
			uint64_t p = alloc ? table_alloc(e) : 0;
			if (!p)
				return NULL;
			*ent = p | EPT_RWX; /* permissions live in the leaves */
		} else if (is_leaf(*ent, l)) {
			return NULL;
		}
		t = table(e, *ent & EPT_ADDR_MASK);
	}
	return &t[idx(gpa, level)];
}

/*
 * Whether any leaf maps part of [start, end) under the table at phys, which
 * sits at level and starts at guest-physical base. With clear, every such
 * leaf is removed (the whole leaf: callers pass ranges made of whole leaves).
 */
static bool visit(const struct ept *e, uint64_t phys, int level, uint64_t base, uint64_t start, uint64_t end,
                  bool clear)
{
	uint64_t *t = table(e, phys);
	bool found = false;

	for (unsigned i = idx(start, level); i <= idx(end - 1, level); i++) {
		uint64_t lo = base + i * span(level), hi = lo + span(level);
		if (!present(t[i]))
			continue;
		if (is_leaf(t[i], level))
			found = true;
		else
			found |= visit(e, t[i] & EPT_ADDR_MASK, level - 1, lo, start > lo ? start : lo,
			               end < hi ? end : hi, clear);
		if (found && !clear)
			return true;
		if (clear && is_leaf(t[i], level))
			t[i] = 0;
	}
	return found;
}

/*
 * The slot for the next leaf at gpa, tables created. A 2 MiB slot that holds
 * an (empty, after the overlap check) page table left by a failed call is
 * filled with 4 KiB pages instead: *big tells the caller which.
 */
static uint64_t *leaf_slot(struct ept *e, uint64_t gpa, bool *big)
{
	if (*big) {
		uint64_t *pde = walk(e, gpa, 1, true);
		if (!pde || !present(*pde))
			return pde;
		*big = false;
	}
	return walk(e, gpa, 0, true);
}

bool ept_init(struct ept *e, const struct ept_ops *ops)
{
	e->ops = *ops;
	e->pages = 0;
	e->pml4 = table_alloc(e);
	return e->pml4 != 0;
}

bool ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags)
{
	if (((gpa | hpa | size) & (SIZE_4K - 1)) || !size || !flags_ok(flags))
		return false;
	if (gpa >= EPT_GPA_LIMIT || size > EPT_GPA_LIMIT - gpa || hpa >= EPT_HPA_LIMIT || size > EPT_HPA_LIMIT - hpa)
		return false;
	if (visit(e, e->pml4, EPT_LEVELS - 1, 0, gpa, gpa + size, false))
		return false;
	for (uint64_t done = 0; done < size;) {
		uint64_t g = gpa + done, h = hpa + done;
		bool big = !((g | h) & (SIZE_2M - 1)) && size - done >= SIZE_2M;
		uint64_t *slot = leaf_slot(e, g, &big);
		if (!slot) {
			/* Nothing was mapped here before the call: remove what it added. */
			if (done)
				visit(e, e->pml4, EPT_LEVELS - 1, 0, gpa, g, true);
			return false;
		}
		*slot = h | flags | (big ? EPT_LARGE_PAGE : 0);
		done += big ? SIZE_2M : SIZE_4K;
	}
	return true;
}

bool ept_unmap(struct ept *e, uint64_t gpa, uint64_t size)
{
	uint64_t hpa, flags;

	if (((gpa | size) & (SIZE_4K - 1)) || !size || gpa >= EPT_GPA_LIMIT || size > EPT_GPA_LIMIT - gpa)
		return false;
	/* First the refusal, so that a refused call changes nothing. */
	for (uint64_t g = gpa; g < gpa + size; g += SIZE_4K)
		if (ept_translate(e, g, &hpa, &flags) && (flags & EPT_LARGE_PAGE))
			return false;
	for (uint64_t g = gpa; g < gpa + size; g += SIZE_4K) {
		uint64_t *pte = walk(e, g, 0, false);
		if (pte)
			__atomic_store_n(pte, 0, __ATOMIC_RELEASE); /* other CPUs may walk the map meanwhile */
	}
	return true;
}

bool ept_translate(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *flags)
{
	const uint64_t *t = table(e, e->pml4);

	if (gpa >= EPT_GPA_LIMIT)
		return false;
	for (int l = EPT_LEVELS - 1; l >= 0; l--) {
		uint64_t ent = t[idx(gpa, l)];
		if (!present(ent))
			return false;
		if (l < EPT_LEVELS - 1 && is_leaf(ent, l)) {
			uint64_t off = gpa & (span(l) - 1);
			*hpa = (ent & EPT_ADDR_MASK & ~(span(l) - 1)) + off;
			*flags = ent & ~EPT_ADDR_MASK;
			return true;
		}
		t = table(e, ent & EPT_ADDR_MASK);
	}
	return false; /* not reached: level 0 entries are leaves */
}

uint64_t ept_pointer(const struct ept *e) { return e->pml4 | EPTP_MEMTYPE_WB | EPTP_WALK_4; }
