/* sources: boot/entry/multiboot2.c vmm/mm/memmap.c vmm/lib/cmdline.c vmm/lib/parse.c vmm/lib/string.c */
/* fuzz_bootinfo.c: libFuzzer harness: the multiboot2 information GRUB hands over, and the memory map built from it. */
#include "test/fuzz/fuzz.h"

#include "boot/entry/multiboot2.h"
#include "vmm/lib/cmdline.h"
#include "vmm/mm/memmap.h"

/*
 * Input: a multiboot2 information block (total_size, reserved, then tags),
 * as at EBX when GRUB jumps to the hypervisor; max_len is the input's size.
 *
 * Checked: mb2_parse fills struct boot_info within its arrays, strings
 * terminated, the RSDP copy at most 36 bytes. On what it accepts, as the
 * hypervisor's boot does (vmm/mm/mm.c): memmap_build on the firmware's
 * ranges, every module carved out, then mem= from the command line. Each
 * map is sorted without overlaps, usable ranges whole pages; no usable
 * byte where the firmware said anything else or said nothing, none inside
 * a module once carved, none at or above the mem= limit.
 */

static uint64_t end_of(const struct boot_mem_range *r)
{
	uint64_t e = r->base + r->length;
	return e < r->base ? UINT64_MAX : e;
}

static bool overlaps(const struct boot_mem_range *r, uint64_t lo, uint64_t hi)
{
	return r->length && lo < end_of(r) && r->base < hi;
}

/* The map's own shape, and no usable range over a range of another type among the n given. */
static void check_map(const struct memmap *m, const struct boot_mem_range *in, uint32_t n, const char *when)
{
	FZ_CHECK(m->count <= MEMMAP_MAX, "%s: %u ranges", when, m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct boot_mem_range *r = &m->r[i];
		FZ_CHECK(r->length && r->base + r->length - 1 >= r->base, "%s: range %u: %#llx+%#llx", when, i,
		         (unsigned long long)r->base, (unsigned long long)r->length);
		FZ_CHECK(i == 0 || m->r[i - 1].base + m->r[i - 1].length <= r->base, "%s: ranges %u and %u overlap",
		         when, i - 1, i);
		FZ_CHECK(i == 0 || m->r[i - 1].type != r->type || end_of(&m->r[i - 1]) != r->base,
		         "%s: ranges %u and %u not merged", when, i - 1, i);
		if (r->type != BOOT_MEM_USABLE)
			continue;
		FZ_CHECK(r->base % PAGE_SIZE == 0 && r->length % PAGE_SIZE == 0, "%s: usable %#llx+%#llx not pages",
		         when, (unsigned long long)r->base, (unsigned long long)r->length);
		bool from_usable = false;
		for (uint32_t k = 0; k < n; k++) {
			if (in[k].type != BOOT_MEM_USABLE)
				FZ_CHECK(!overlaps(&in[k], r->base, end_of(r)),
				         "%s: usable %#llx+%#llx over type %u at %#llx+%#llx", when,
				         (unsigned long long)r->base, (unsigned long long)r->length, in[k].type,
				         (unsigned long long)in[k].base, (unsigned long long)in[k].length);
			else
				from_usable |= in[k].length && in[k].base <= r->base && r->base < end_of(&in[k]);
		}
		FZ_CHECK(from_usable, "%s: usable from %#llx, where the firmware said no such thing", when,
		         (unsigned long long)r->base);
	}
}

static void check_boot_info(const struct boot_info *bi)
{
	FZ_CHECK(bi->mem_count <= BOOT_MEM_MAX && bi->module_count <= BOOT_MOD_MAX && bi->rsdp_copy_len <= 36,
	         "%u ranges, %u modules, RSDP copy of %u bytes", bi->mem_count, bi->module_count, bi->rsdp_copy_len);
	FZ_CHECK_STR(bi->cmdline);
	FZ_CHECK_STR(bi->loader_name);
	for (uint32_t i = 0; i < bi->module_count; i++)
		FZ_CHECK_STR(bi->modules[i].name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	static struct memmap m;
	static struct boot_mem_range in[BOOT_MEM_MAX + BOOT_MOD_MAX + 1];
	char val[32];
	uint64_t limit = 0;

	memset(&bi, 0, sizeof(bi));
	FZ_CHECK(mb2_parse(0x2badb002, data, size, &bi) == MB2_ERR_MAGIC, "a multiboot1 magic taken");
	enum mb2_err e = mb2_parse(MB2_BOOTLOADER_MAGIC, data, size, &bi);
	FZ_CHECK(strcmp(mb2_strerror(e), "?") != 0, "error %d has no name", e);
	check_boot_info(&bi);
	if (e != MB2_OK)
		return 0;

	uint32_t n = bi.mem_count;
	memcpy(in, bi.mem, n * sizeof(in[0]));
	if (memmap_build(&m, in, n) != MEMMAP_OK)
		return 0;
	check_map(&m, in, n, "built");
	for (uint32_t i = 0; i < bi.module_count; i++) {
		const struct boot_module *mod = &bi.modules[i];
		/* What the map says now, plus the module: no usable byte may stay over it. */
		in[n] = (struct boot_mem_range){mod->base, mod->size, BOOT_MEM_HV_MODULE, 0};
		if (memmap_carve(&m, mod->base, mod->size, BOOT_MEM_HV_MODULE) != MEMMAP_OK)
			return 0;
		check_map(&m, in, n + 1, "carved");
		n++;
	}
	if (cmdline_get(bi.cmdline, "mem", val, sizeof(val)) && cmdline_parse_size(val, &limit) && limit) {
		if (memmap_limit_usable(&m, limit) != MEMMAP_OK)
			return 0;
		for (uint32_t i = 0; i < m.count; i++)
			FZ_CHECK(m.r[i].type != BOOT_MEM_USABLE || end_of(&m.r[i]) <= limit,
			         "usable to %#llx above mem=%#llx", (unsigned long long)end_of(&m.r[i]),
			         (unsigned long long)limit);
		check_map(&m, in, n, "limited");
	}
	memmap_total(&m, BOOT_MEM_USABLE);
	memmap_top_memory(&m);
	return 0;
}
