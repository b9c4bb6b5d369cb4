/* guest_walk.h: guest-linear to guest-physical through the guest's own page tables (SDM Vol. 3, chapter 4). */
#ifndef ARCH_X86_GUEST_WALK_H
#define ARCH_X86_GUEST_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu.h"

/* Control-register bits the walk needs beyond those in cpu.h (SDM Vol. 3, 2.5, Figure 2-7). */

enum walk_result {
	WALK_OK,
	WALK_NOT_PRESENT,   /* an entry on the way has P = 0 */
	WALK_RESERVED,      /* an entry has a reserved bit set (SDM Vol. 3, 4.3, 4.4.2, 4.5.4) */
	WALK_PROTECTION,    /* a supervisor write to a read-only page with CR0.WP, or a fetch from an XD page */
	WALK_BAD_GPA,       /* a paging structure outside guest RAM: read_gpa failed */
	WALK_NON_CANONICAL, /* IA-32e: the linear address is not canonical (a #GP, not a #PF) */
};

/* The guest's paging state, and how to read its physical memory. */
struct guest_walk_ctx {
	uint64_t cr0, cr3, cr4, efer;
	/* Read len bytes of guest-physical memory at gpa; false if any of them is not guest RAM. */
	bool (*read_gpa)(void *opaque, uint64_t gpa, void *buf, unsigned len);
	void *opaque;
	/* The guest's physical-address width (CPUID 80000008H EAX[7:0]); 0 means 52. */
	unsigned maxphyaddr;
	/*
	 * PAE paging only: the four PDPTEs the CPU holds (with EPT, the VMCS
	 * GUEST_PDPTR0-3 fields; SDM Vol. 3, 4.4.1), or NULL to read them from
	 * the table at CR3, which the guest may have changed since loading CR3.
	 */
	const uint64_t *pdptes;
};

/*
 * Translate a guest-linear address as a supervisor-mode access (CPL < 3):
 * a data read, a write (write), or an instruction fetch (fetch). The paging
 * mode comes from ctx: CR0.PG = 0 (linear is physical, 32 bits), 32-bit
 * paging, PAE, 4-level or, with CR4.LA57, 5-level paging. On WALK_OK *gpa
 * is the guest-physical address; otherwise *gpa is unchanged.
 *
 * Only peeks: accessed and dirty bits are never set, so a walk leaves the
 * guest's tables exactly as they were. Not modelled: SMEP, SMAP,
 * protection keys, LAM, and user-mode accesses. 1 GiB pages are taken as
 * supported (CPUID 80000001H EDX[26]).
 */
enum walk_result guest_walk(const struct guest_walk_ctx *ctx, uint64_t linear, bool write, bool fetch, uint64_t *gpa);

/*
 * Read len bytes at a guest-linear address as a supervisor data read, one
 * walk per page touched (so a read may cross a page boundary). False if any
 * walk fails or a page is not guest RAM; buf may then be partly written.
 */
bool guest_read_linear(const struct guest_walk_ctx *ctx, uint64_t linear, void *buf, unsigned len);

#endif
