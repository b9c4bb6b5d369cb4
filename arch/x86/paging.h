/* paging.h: the hypervisor's own page tables (4-level, SDM Vol. 3, 4.5). */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

/* Page-table entry bits (SDM Vol. 3, Table 4-15 to 4-20). */
#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/*
 * Replace the boot page tables with the hypervisor's own: physical memory
 * identity-mapped up to phys_top (at least 4 GiB) with 2 MiB pages, writable
 * and not executable, and the image at its link address with 4 KiB pages:
 * text read-only and executable, rodata read-only, data and bss writable.
 * Returns false if page tables could not be allocated.
 */
bool paging_init(uint64_t phys_top);

/*
 * Give one 4 KiB page of the identity map its own flags (PTE_* bits; e.g.
 * PTE_PCD | PTE_PWT for an MMIO page, no PTE_NX for code that must run
 * there), splitting its 2 MiB page first. Boot CPU only, before other CPUs
 * run (no TLB shootdown). False if a page table could not be allocated.
 */
bool paging_identity_page(uint64_t pa, uint64_t flags);
/* The PML4 every CPU loads. */
uint64_t paging_root(void);
/* PTE_NX where the CPU has it, else 0. */
uint64_t paging_nx_bit(void);

#endif
