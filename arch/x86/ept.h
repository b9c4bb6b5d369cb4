/* ept.h: extended page tables: building one guest's map (SDM Vol. 3, 29.3.2). */
#ifndef ARCH_X86_EPT_H
#define ARCH_X86_EPT_H

#include <stdbool.h>
#include <stdint.h>

/* EPT paging-structure entry bits (SDM Vol. 3, Tables 29-1 to 29-6). */
#define EPT_READ (1ull << 0)
#define EPT_WRITE (1ull << 1)
#define EPT_EXEC (1ull << 2)
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT 3 /* leaf entries: bits 5:3 */
#define EPT_MEMTYPE_UC (0ull << EPT_MEMTYPE_SHIFT)
#define EPT_MEMTYPE_WB (6ull << EPT_MEMTYPE_SHIFT)
#define EPT_MEMTYPE_MASK (7ull << EPT_MEMTYPE_SHIFT)
#define EPT_IGNORE_PAT (1ull << 6)
#define EPT_LARGE_PAGE (1ull << 7)
#define EPT_ADDR_MASK 0x000ffffffffff000ull

/* EPTP (SDM Vol. 3, 25.6.11): memory type WB, 4-level walk. */
#define EPTP_MEMTYPE_WB 6ull
#define EPTP_WALK_4 (3ull << 3)

/* Where EPT tables come from: the hypervisor's page allocator, or a test's. */
struct ept_ops {
	uint64_t (*alloc_page)(void *ctx);          /* a zeroed 4 KiB page's physical address; 0 if none */
	void *(*to_virt)(void *ctx, uint64_t phys); /* a pointer to it */
	void *ctx;
};

struct ept {
	struct ept_ops ops;
	uint64_t pml4;  /* physical */
	uint64_t pages; /* table pages allocated, for the log and tests */
};

/* An empty map. False if the root table cannot be allocated. */
bool ept_init(struct ept *e, const struct ept_ops *ops);
/*
 * Map guest-physical [gpa, gpa+size) onto host-physical [hpa, hpa+size) with
 * the given permission and memory-type bits (EPT_RWX | EPT_MEMTYPE_WB, ...).
 * All three 4 KiB aligned; 2 MiB pages where both addresses and the rest of
 * the range allow. Refused (false, map unchanged): misaligned arguments,
 * size 0, a guest range beyond 48 bits (host range beyond 52), flags without
 * EPT_READ, with a reserved memory type or with bits other than permissions,
 * memory type and EPT_IGNORE_PAT, and a range that overlaps an existing
 * mapping. When a table page cannot be allocated the call fails with the map
 * as before, but the table pages allocated so far stay (empty; reused later).
 */
bool ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags);
/*
 * Remove the 4 KiB pages of guest-physical [gpa, gpa+size) from the map
 * (those not mapped stay so; the table pages stay, empty). Refused (false,
 * map unchanged): misaligned arguments, size 0, a range beyond 48 bits, or
 * one that covers part of a 2 MiB page. The CPUs that run with this map may
 * still hold translations of the pages: INVEPT on each before it enters
 * again (SDM Vol. 3, 29.4.3.1).
 */
bool ept_unmap(struct ept *e, uint64_t gpa, uint64_t size);
/*
 * Walk the map: true if gpa is mapped, with *hpa and *flags: the leaf's bits
 * outside its address (permissions, memory type, EPT_IGNORE_PAT, and
 * EPT_LARGE_PAGE for a 2 MiB page).
 */
bool ept_translate(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *flags);
/* The EPTP to put in the VMCS. */
uint64_t ept_pointer(const struct ept *e);

#endif
