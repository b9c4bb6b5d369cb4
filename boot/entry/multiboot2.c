/* multiboot2.c: reading the information a multiboot2 loader hands over (Multiboot2 spec 3.6). */
#include "boot/entry/multiboot2.h"

#include <stdbool.h>

#include "vmm/lib/string.h"

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

#define MB2_INFO_MAX (1u << 20) /* a sanity bound: real ones are a few KiB */

const char *mb2_strerror(enum mb2_err e)
{
	switch (e) {
	case MB2_OK: return "ok";
	case MB2_ERR_MAGIC: return "not started by a multiboot2 loader (bad magic)";
	case MB2_ERR_SIZE: return "implausible information size";
	case MB2_ERR_TAG: return "a tag runs past the end of the information";
	case MB2_ERR_NO_MMAP: return "no memory map tag";
	case MB2_ERR_TOO_MANY: return "more memory ranges or modules than the hypervisor holds";
	}
	return "?";
}

static void copy_string(char *dst, size_t size, const struct mb2_tag *tag, uint32_t off)
{
	const char *s = (const char *)tag + off;
	size_t n = hv_strnlen(s, tag->size > off ? tag->size - off : 0);

	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static uint32_t mem_type(uint32_t t)
{
	switch (t) {
	case MB2_MEM_AVAILABLE: return BOOT_MEM_USABLE;
	case MB2_MEM_ACPI_RECLAIMABLE: return BOOT_MEM_ACPI_RECLAIM;
	case MB2_MEM_NVS: return BOOT_MEM_ACPI_NVS;
	case MB2_MEM_BADRAM: return BOOT_MEM_BAD;
	default: return BOOT_MEM_RESERVED;
	}
}

static enum mb2_err parse_mmap(const struct mb2_tag *tag, struct boot_info *bi)
{
	const uint8_t *p = (const uint8_t *)tag;
	uint32_t entry_size, off = 16;

	if (tag->size < 16)
		return MB2_ERR_TAG;
	memcpy(&entry_size, p + 8, 4);
	if (entry_size < 24 || entry_size % 8)
		return MB2_ERR_TAG;
	for (; (uint64_t)off + entry_size <= tag->size; off += entry_size) {
		uint64_t base, length;
		uint32_t type;
		memcpy(&base, p + off, 8);
		memcpy(&length, p + off + 8, 8);
		memcpy(&type, p + off + 16, 4);
		if (bi->mem_count == BOOT_MEM_MAX)
			return MB2_ERR_TOO_MANY;
		bi->mem[bi->mem_count++] = (struct boot_mem_range){base, length, mem_type(type), 0};
	}
	return MB2_OK;
}

static enum mb2_err parse_module(const struct mb2_tag *tag, struct boot_info *bi)
{
	uint32_t start, end;

	if (tag->size < 16)
		return MB2_ERR_TAG;
	if (bi->module_count == BOOT_MOD_MAX)
		return MB2_ERR_TOO_MANY;
	memcpy(&start, (const uint8_t *)tag + 8, 4);
	memcpy(&end, (const uint8_t *)tag + 12, 4);
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->base = start;
	m->size = end > start ? end - start : 0;
	copy_string(m->name, sizeof(m->name), tag, 16);
	return MB2_OK;
}

static void parse_acpi(const struct mb2_tag *tag, struct boot_info *bi)
{
	uint32_t n = tag->size - 8;

	/* The new (XSDT) tag wins over the old one, whichever comes first. */
	if (tag->type == MB2_TAG_ACPI_OLD && bi->rsdp_copy_len)
		return;
	if (n > sizeof(bi->rsdp_copy))
		n = sizeof(bi->rsdp_copy);
	memcpy(bi->rsdp_copy, (const uint8_t *)tag + 8, n);
	bi->rsdp_copy_len = n;
}

static enum mb2_err parse_tag(const struct mb2_tag *tag, struct boot_info *bi)
{
	switch (tag->type) {
	case MB2_TAG_CMDLINE: copy_string(bi->cmdline, sizeof(bi->cmdline), tag, 8); return MB2_OK;
	case MB2_TAG_LOADER_NAME: copy_string(bi->loader_name, sizeof(bi->loader_name), tag, 8); return MB2_OK;
	case MB2_TAG_MODULE: return parse_module(tag, bi);
	case MB2_TAG_MMAP: return parse_mmap(tag, bi);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW: parse_acpi(tag, bi); return MB2_OK;
	default: return MB2_OK;
	}
}

enum mb2_err mb2_parse(uint32_t magic, const void *info, uint64_t max_len, struct boot_info *bi)
{
	const uint8_t *base = info;
	uint32_t total;

	if (magic != MB2_BOOTLOADER_MAGIC)
		return MB2_ERR_MAGIC;
	if (max_len < 16)
		return MB2_ERR_SIZE;
	memcpy(&total, base, 4);
	if (total < 16 || total > MB2_INFO_MAX || total > max_len)
		return MB2_ERR_SIZE;
	bi->magic = BOOTINFO_MAGIC;
	bi->version = BOOTINFO_VERSION;
	bi->size = sizeof(*bi);
	bi->boot_path = BOOT_PATH_MULTIBOOT2;
	bool have_mmap = false;
	for (uint32_t off = 8; off + 8 <= total;) {
		struct mb2_tag tag;
		memcpy(&tag, base + off, sizeof(tag));
		if (tag.size < 8 || tag.size > total - off)
			return MB2_ERR_TAG;
		if (tag.type == MB2_TAG_END)
			break;
		enum mb2_err e = parse_tag((const struct mb2_tag *)(base + off), bi);
		if (e != MB2_OK)
			return e;
		have_mmap |= tag.type == MB2_TAG_MMAP;
		off += (tag.size + 7) & ~7u;
	}
	return have_mmap ? MB2_OK : MB2_ERR_NO_MMAP;
}
