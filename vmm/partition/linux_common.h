/* linux_common.h: what the two Linux loaders share: refusals, the memory map, the initrd's place, the command line. */
#ifndef VMM_PARTITION_LINUX_COMMON_H
#define VMM_PARTITION_LINUX_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/partition/linux_load.h"

typedef unsigned long long ull; /* for %llx */

#define LINUX_PAGE 4096ull
#define LINUX_MEMMAP_ROWS 3

/* One range of the guest's memory map: E820 and the PVH memory map use the same types. */
struct linux_mem_range {
	uint64_t addr, size;
	uint32_t type;
};

/* Fill out->error; returns false. */
__attribute__((format(printf, 2, 3))) bool linux_refuse(struct linux_result *out, const char *fmt, ...);

/* RAM [0, 640 KiB), the firmware area reserved, RAM [1 MiB, g->size): guest_layout.h's map. */
void linux_memmap(const struct guest_ram *g, struct linux_mem_range rows[LINUX_MEMMAP_ROWS]);

/* Guest RAM large enough for a Linux guest and below 4 GiB; false with the reason. */
bool linux_check_ram(const struct guest_ram *g, struct linux_result *out);

/*
 * Where the initrd goes: the highest page-aligned address whose bytes all
 * lie below limit (the first address it may not touch) and at or above
 * floor (the end of what the kernel may occupy). Sets out->initrd_lo/hi;
 * false with the reason when it does not fit.
 */
bool linux_place_initrd(const struct guest_ram *g, const struct linux_args *a, uint64_t floor, uint64_t limit,
                        struct linux_result *out);

/* The command line fits in max bytes with its NUL; false with the reason. */
bool linux_check_cmdline(const char *cmdline, uint64_t max, struct linux_result *out);

/* Copy the initrd where linux_place_initrd put it, and the command line to GUEST_LINUX_CMDLINE. */
void linux_put_initrd_cmdline(const struct guest_ram *g, const struct linux_args *a, const struct linux_result *r);

#endif
