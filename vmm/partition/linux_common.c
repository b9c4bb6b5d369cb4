/* linux_common.c: what the two Linux loaders share: refusals, the memory map, the initrd's place, the command line. */
#include "vmm/partition/linux_common.h"

#include <stdarg.h>

#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/bootparams.h"
#include "vmm/partition/guest_layout.h"

#define LINUX_4G (1ull << 32)

bool linux_refuse(struct linux_result *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	return false;
}

void linux_memmap(const struct guest_ram *g, struct linux_mem_range rows[LINUX_MEMMAP_ROWS])
{
	rows[0] = (struct linux_mem_range){0, GUEST_LOW_RAM_END, E820_TYPE_RAM};
	rows[1] = (struct linux_mem_range){GUEST_FIRMWARE_BASE, GUEST_FIRMWARE_END - GUEST_FIRMWARE_BASE,
	                                   E820_TYPE_RESERVED};
	rows[2] = (struct linux_mem_range){GUEST_HIGH_RAM_BASE, g->size - GUEST_HIGH_RAM_BASE, E820_TYPE_RAM};
}

bool linux_check_ram(const struct guest_ram *g, struct linux_result *out)
{
	if (g->size <= GUEST_HIGH_RAM_BASE || g->size >= LINUX_4G)
		return linux_refuse(out, "guest RAM of %#llx bytes: expected more than 1 MiB, less than 4 GiB",
		                    (ull)g->size);
	return true;
}

bool linux_place_initrd(const struct guest_ram *g, const struct linux_args *a, uint64_t floor, uint64_t limit,
                        struct linux_result *out)
{
	out->initrd_lo = out->initrd_hi = 0;
	if (!a->initrd)
		return true;
	if (limit > g->size)
		limit = g->size;
	uint64_t lo = limit >= a->initrd_size ? (limit - a->initrd_size) & ~(LINUX_PAGE - 1) : 0;
	if (a->initrd_size > limit || lo < floor)
		return linux_refuse(out,
		                    "the initrd (%llu bytes) does not fit between the kernel's end %#llx and %#llx "
		                    "(guest RAM %#llx bytes)",
		                    (ull)a->initrd_size, (ull)floor, (ull)limit, (ull)g->size);
	out->initrd_lo = lo;
	out->initrd_hi = lo + a->initrd_size;
	return true;
}

bool linux_check_cmdline(const char *cmdline, uint64_t max, struct linux_result *out)
{
	uint64_t len = cmdline ? hv_strlen(cmdline) : 0;

	if (len + 1 > max)
		return linux_refuse(out, "the command line (%llu characters) is longer than the kernel takes (%llu)",
		                    (ull)len, (ull)(max - 1));
	return true;
}

void linux_put_initrd_cmdline(const struct guest_ram *g, const struct linux_args *a, const struct linux_result *r)
{
	const char *c = a->cmdline ? a->cmdline : "";

	if (a->initrd)
		memcpy(g->ram + r->initrd_lo, a->initrd, a->initrd_size);
	memcpy(g->ram + GUEST_LINUX_CMDLINE, c, hv_strlen(c) + 1);
}
