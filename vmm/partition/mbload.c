/* mbload.c: loading a multiboot (version 1) kernel into guest RAM, as QEMU's -kernel does. */
#include "vmm/partition/mbload.h"

#include <stdarg.h>

#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/elf.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/partition/multiboot1.h"

#define MB_PAGE 4096ull
#define MB_MAX_SEGMENTS 16 /* loadable segments; kernels have a handful */
#define MB_4G (1ull << 32)
#define MB_LOADER_NAME "apicvisor"
#define MB_MEM_LOWER_KB (GUEST_LOW_RAM_END / 1024)
#define MB_MMAP_ROWS 3

typedef unsigned long long ull; /* for %llx */

/* One range to load: ELF PT_LOAD or the a.out kludge's addresses (then index is -1). */
struct seg {
	uint64_t paddr, vaddr, offset, filesz, memsz;
	int index; /* program header number, as readelf counts them (from 0) */
};

struct loader {
	const struct guest_ram *g;
	const uint8_t *image;
	uint64_t size;
	struct mb_result *out;
	struct seg seg[MB_MAX_SEGMENTS];
	unsigned nseg;
	uint64_t entry; /* virtual (ELF e_entry) until translated */
};

__attribute__((format(printf, 2, 3))) static bool refuse(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(ld->out->error, sizeof(ld->out->error), fmt, ap);
	va_end(ap);
	return false;
}

static uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) & ~(a - 1); }

/* "segment 2" or "the load range" (a.out kludge), for messages. */
static const char *seg_name(const struct seg *s, char *buf, size_t size)
{
	if (s->index < 0)
		return "the load range";
	hv_snprintf(buf, size, "segment %d", s->index);
	return buf;
}

/* ---- the multiboot header ---- */

/* The first header with a good checksum in the first 8192 bytes; its offset in *at. */
static bool find_header(struct loader *ld, uint64_t *at, struct multiboot_header *h)
{
	uint64_t end = ld->size < MULTIBOOT_SEARCH ? ld->size : MULTIBOOT_SEARCH;
	uint64_t bad_at = 0;
	uint32_t bad_sum = 0;

	for (uint64_t off = 0; off + MULTIBOOT_HEADER_MIN <= end; off += MULTIBOOT_HEADER_ALIGN) {
		uint32_t w[3];
		memcpy(w, ld->image + off, sizeof(w));
		if (w[0] != MULTIBOOT_HEADER_MAGIC)
			continue;
		if (w[0] + w[1] + w[2] == 0) {
			memset(h, 0, sizeof(*h));
			memcpy(h, w, sizeof(w));
			*at = off;
			return true;
		}
		if (!bad_sum) {
			bad_at = off;
			bad_sum = w[0] + w[1] + w[2];
		}
	}
	if (bad_sum)
		return refuse(ld, "multiboot header at offset %#llx has a bad checksum (magic+flags+checksum = %#x)",
		              (ull)bad_at, bad_sum);
	return refuse(ld, "no multiboot header in the first 8192 bytes");
}

/*
 * Bits 0-15 are requirements (3.1.2): page-aligned modules (always done) and
 * memory information (always given) are met; anything else is not.
 */
static bool check_flags(struct loader *ld, uint32_t flags)
{
	uint32_t missing = flags & MULTIBOOT_REQUIRED_FLAGS & ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);

	if (missing & MULTIBOOT_VIDEO_MODE)
		return refuse(ld, "kernel requires video mode information (flag 2), which apicvisor does not provide");
	if (missing)
		return refuse(ld, "kernel requires multiboot feature flag %d, which apicvisor does not provide",
		              __builtin_ctz(missing));
	return true;
}

bool mb_has_magic(const void *image, uint64_t size)
{
	uint64_t end = size < MULTIBOOT_SEARCH ? size : MULTIBOOT_SEARCH;

	for (uint64_t off = 0; off + sizeof(uint32_t) <= end; off += MULTIBOOT_HEADER_ALIGN) {
		uint32_t w;
		memcpy(&w, (const uint8_t *)image + off, sizeof(w));
		if (w == MULTIBOOT_HEADER_MAGIC)
			return true;
	}
	return false;
}

/* Flag 16: one range from the header's address fields; the header at file offset at. */
static bool aout_segment(struct loader *ld, uint64_t at, struct multiboot_header *h)
{
	if (at + MULTIBOOT_HEADER_AOUT > ld->size)
		return refuse(ld, "multiboot header at offset %#llx is cut short by the end of the file (%llu bytes)",
		              (ull)at, (ull)ld->size);
	if (at + MULTIBOOT_HEADER_AOUT > MULTIBOOT_SEARCH)
		return refuse(ld, "multiboot header at offset %#llx ends past the first 8192 bytes", (ull)at);
	memcpy(h, ld->image + at, MULTIBOOT_HEADER_AOUT);
	if (h->load_addr > h->header_addr)
		return refuse(ld, "load_addr %#x is above header_addr %#x", h->load_addr, h->header_addr);
	uint64_t lead = (uint64_t)h->header_addr - h->load_addr;
	if (lead > at)
		return refuse(ld, "load_addr %#x lies before the start of the file (header at offset %#llx, at %#x)",
		              h->load_addr, (ull)at, h->header_addr);
	if (h->load_end_addr && h->load_end_addr <= h->load_addr)
		return refuse(ld, "load_end_addr %#x is not above load_addr %#x", h->load_end_addr, h->load_addr);

	struct seg *s = &ld->seg[0];
	s->index = -1;
	s->paddr = s->vaddr = h->load_addr;
	s->offset = at - lead;
	s->filesz = h->load_end_addr ? (uint64_t)h->load_end_addr - h->load_addr : ld->size - s->offset;
	s->memsz = s->filesz;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < s->paddr + s->filesz)
			return refuse(ld, "bss_end_addr %#x is below the end of the loaded data %#llx", h->bss_end_addr,
			              (ull)(s->paddr + s->filesz));
		s->memsz = (uint64_t)h->bss_end_addr - h->load_addr;
	}
	ld->nseg = 1;
	ld->entry = h->entry_addr;
	return true;
}

/* ---- ELF ---- */

struct elf_info {
	unsigned bits;
	uint16_t type, machine, phentsize, phnum;
	uint64_t entry, phoff;
};

static bool elf_header(struct loader *ld, struct elf_info *e)
{
	unsigned class = ld->image[EI_CLASS];
	uint16_t want_machine = class == ELFCLASS32 ? EM_386 : EM_X86_64;
	uint16_t want_phentsize = class == ELFCLASS32 ? sizeof(struct elf32_phdr) : sizeof(struct elf64_phdr);

	if (class != ELFCLASS32 && class != ELFCLASS64)
		return refuse(ld, "ELF class %u is neither 32-bit (1) nor 64-bit (2)", class);
	if (ld->image[EI_DATA] != ELFDATA2LSB)
		return refuse(ld, "ELF kernel is not little-endian");
	size_t hsize = class == ELFCLASS32 ? sizeof(struct elf32_ehdr) : sizeof(struct elf64_ehdr);
	if (ld->size < hsize)
		return refuse(ld, "ELF header cut short by the end of the file (%llu bytes)", (ull)ld->size);
	if (class == ELFCLASS32) {
		struct elf32_ehdr h;
		memcpy(&h, ld->image, sizeof(h));
		*e = (struct elf_info){32, h.e_type, h.e_machine, h.e_phentsize, h.e_phnum, h.e_entry, h.e_phoff};
	} else {
		struct elf64_ehdr h;
		memcpy(&h, ld->image, sizeof(h));
		*e = (struct elf_info){64, h.e_type, h.e_machine, h.e_phentsize, h.e_phnum, h.e_entry, h.e_phoff};
	}
	if (e->type != ET_EXEC)
		return refuse(ld, "ELF kernel is not an executable (e_type %u, expected ET_EXEC)", e->type);
	if (e->machine != want_machine)
		return refuse(ld, "ELF%u kernel is for machine %u (expected %s)", e->bits, e->machine,
		              class == ELFCLASS32 ? "EM_386" : "EM_X86_64");
	if (e->phnum == 0)
		return refuse(ld, "ELF kernel has no program headers");
	if (e->phentsize != want_phentsize)
		return refuse(ld, "ELF program header size %u (expected %u)", e->phentsize, want_phentsize);
	if (e->phoff > ld->size || (uint64_t)e->phnum * e->phentsize > ld->size - e->phoff)
		return refuse(ld, "ELF program headers (%u at offset %#llx) end past the file (%llu bytes)", e->phnum,
		              (ull)e->phoff, (ull)ld->size);
	return true;
}

/* Program header i as a seg; its p_type in *type. */
static void elf_phdr(const struct loader *ld, const struct elf_info *e, unsigned i, uint32_t *type, struct seg *s)
{
	const uint8_t *p = ld->image + e->phoff + (uint64_t)i * e->phentsize;

	if (e->bits == 32) {
		struct elf32_phdr ph;
		memcpy(&ph, p, sizeof(ph));
		*type = ph.p_type;
		*s = (struct seg){ph.p_paddr, ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, (int)i};
	} else {
		struct elf64_phdr ph;
		memcpy(&ph, p, sizeof(ph));
		*type = ph.p_type;
		*s = (struct seg){ph.p_paddr, ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, (int)i};
	}
}

static bool check_segment(struct loader *ld, const struct seg *s);

/* Every PT_LOAD with bytes in memory, checked, into ld->seg[]. */
static bool elf_segments(struct loader *ld)
{
	struct elf_info e = {0};

	if (!elf_header(ld, &e))
		return false;
	for (unsigned i = 0; i < e.phnum; i++) {
		struct seg s;
		uint32_t type;
		elf_phdr(ld, &e, i, &type, &s);
		if (type != PT_LOAD)
			continue;
		if (!check_segment(ld, &s))
			return false;
		if (s.memsz == 0)
			continue;
		if (ld->nseg == MB_MAX_SEGMENTS)
			return refuse(ld, "more than %d loadable segments", MB_MAX_SEGMENTS);
		ld->seg[ld->nseg++] = s;
	}
	if (ld->nseg == 0)
		return refuse(ld, "ELF kernel has no loadable segment");
	ld->entry = e.entry;
	return true;
}

/* ---- checks common to both ---- */

/* s inside the file, inside RAM at 1 MiB or above, sizes that add up. */
static bool check_segment(struct loader *ld, const struct seg *s)
{
	char nb[24];
	const char *n = seg_name(s, nb, sizeof(nb));

	if (s->memsz < s->filesz)
		return refuse(ld, "%s: memsz %#llx is smaller than filesz %#llx", n, (ull)s->memsz, (ull)s->filesz);
	if (s->offset > ld->size || s->filesz > ld->size - s->offset)
		return refuse(ld, "%s (file offset %#llx+%#llx) ends past the file (%llu bytes)", n, (ull)s->offset,
		              (ull)s->filesz, (ull)ld->size);
	if (s->memsz == 0)
		return true; /* nothing to place */
	if (s->memsz > UINT64_MAX - s->paddr)
		return refuse(ld, "%s (%#llx+%#llx) wraps around the address space", n, (ull)s->paddr, (ull)s->memsz);
	if (s->paddr >= MB_4G)
		return refuse(ld, "%s at %#llx lies above 4 GiB", n, (ull)s->paddr);
	uint64_t end = s->paddr + s->memsz;
	if (s->paddr >= GUEST_LOW_RAM_END && s->paddr < GUEST_HIGH_RAM_BASE)
		return refuse(ld, "%s at %#llx lies in the hole %#llx-%#llx", n, (ull)s->paddr, GUEST_LOW_RAM_END,
		              GUEST_HIGH_RAM_BASE - 1);
	if (s->paddr < GUEST_LOW_RAM_END && end > GUEST_LOW_RAM_END)
		return refuse(ld, "%s (%#llx+%#llx) reaches into the hole %#llx-%#llx", n, (ull)s->paddr, (ull)s->memsz,
		              GUEST_LOW_RAM_END, GUEST_HIGH_RAM_BASE - 1);
	if (s->paddr < GUEST_HIGH_RAM_BASE)
		return refuse(ld, "%s at %#llx lies below 1 MiB (kernels load at %#llx or above)", n, (ull)s->paddr,
		              GUEST_HIGH_RAM_BASE);
	if (end > ld->g->size)
		return refuse(ld, "%s (%#llx+%#llx) ends past guest RAM (%#llx bytes)", n, (ull)s->paddr, (ull)s->memsz,
		              (ull)ld->g->size);
	return true;
}

static bool check_overlaps(struct loader *ld)
{
	for (unsigned i = 0; i < ld->nseg; i++)
		for (unsigned j = i + 1; j < ld->nseg; j++) {
			const struct seg *a = &ld->seg[i], *b = &ld->seg[j];
			if (a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz)
				return refuse(ld, "segments %d (%#llx+%#llx) and %d (%#llx+%#llx) overlap", a->index,
				              (ull)a->paddr, (ull)a->memsz, b->index, (ull)b->paddr, (ull)b->memsz);
		}
	return true;
}

/*
 * The entry point is a virtual address in ELF: translate it through the
 * segment that holds it, as GRUB does (identity for most kernels).
 */
static bool translate_entry(struct loader *ld)
{
	for (unsigned i = 0; i < ld->nseg; i++) {
		const struct seg *s = &ld->seg[i];
		if (ld->entry >= s->vaddr && ld->entry - s->vaddr < s->memsz) {
			ld->entry = s->paddr + (ld->entry - s->vaddr);
			return true;
		}
	}
	return refuse(ld, "entry point %#llx is outside every loaded segment", (ull)ld->entry);
}

/* ---- placing it all ---- */

/* Where the modules and the information block go, worked out before anything is written. */
struct layout {
	uint64_t load_lo, load_hi;
	uint64_t mods;    /* the first module */
	uint64_t mbi;     /* the information block */
	uint64_t mbi_len; /* with its tables and strings */
};

static const char *mod_string(const struct mb_module *m) { return m->cmdline ? m->cmdline : ""; }

static bool plan(struct loader *ld, const char *cmdline, const struct mb_module *mods, unsigned nmods,
                 struct layout *lay)
{
	uint64_t ram = ld->g->size;

	lay->load_lo = UINT64_MAX;
	lay->load_hi = 0;
	for (unsigned i = 0; i < ld->nseg; i++) {
		const struct seg *s = &ld->seg[i];
		lay->load_lo = s->paddr < lay->load_lo ? s->paddr : lay->load_lo;
		lay->load_hi = s->paddr + s->memsz > lay->load_hi ? s->paddr + s->memsz : lay->load_hi;
	}
	uint64_t at = lay->mods = align_up(lay->load_hi, MB_PAGE);
	for (unsigned i = 0; i < nmods; i++) {
		if (at > ram || mods[i].size > ram - at)
			return refuse(ld, "module %u (%llu bytes) does not fit in guest RAM (%#llx bytes) at %#llx", i,
			              (ull)mods[i].size, (ull)ram, (ull)at);
		at = align_up(at + mods[i].size, MB_PAGE);
	}
	lay->mbi = at;
	lay->mbi_len = sizeof(struct multiboot_info) + (uint64_t)nmods * sizeof(struct multiboot_mod_list) +
	               MB_MMAP_ROWS * sizeof(struct multiboot_mmap_entry) + hv_strlen(cmdline) + 1 +
	               sizeof(MB_LOADER_NAME);
	for (unsigned i = 0; i < nmods; i++)
		lay->mbi_len += hv_strlen(mod_string(&mods[i])) + 1;
	if (at > ram || lay->mbi_len > ram - at)
		return refuse(ld,
		              "the multiboot information (%llu bytes) does not fit in guest RAM (%#llx bytes) at %#llx",
		              (ull)lay->mbi_len, (ull)ram, (ull)at);
	return true;
}

static void load_segments(struct loader *ld)
{
	for (unsigned i = 0; i < ld->nseg; i++) {
		const struct seg *s = &ld->seg[i];
		memcpy(ld->g->ram + s->paddr, ld->image + s->offset, s->filesz);
		memset(ld->g->ram + s->paddr + s->filesz, 0, s->memsz - s->filesz); /* BSS */
	}
}

/* Copy n bytes to guest address *at and move *at past them; returns where they went. */
static uint32_t put(struct loader *ld, uint64_t *at, const void *src, size_t n)
{
	uint32_t gpa = (uint32_t)*at;

	memcpy(ld->g->ram + *at, src, n);
	*at += n;
	return gpa;
}

static void put_mmap_row(struct loader *ld, uint64_t *at, uint64_t base, uint64_t end, uint32_t type)
{
	struct multiboot_mmap_entry e = {
	        .size = sizeof(e) - sizeof(e.size),
	        .base_addr_low = (uint32_t)base,
	        .base_addr_high = (uint32_t)(base >> 32),
	        .length_low = (uint32_t)(end - base),
	        .length_high = (uint32_t)((end - base) >> 32),
	        .type = type,
	};
	put(ld, at, &e, sizeof(e));
}

/* The modules, then the information block with its tables and strings, as planned. */
static void build_mbi(struct loader *ld, const char *cmdline, const struct mb_module *mods, unsigned nmods,
                      const struct layout *lay)
{
	struct multiboot_info mbi = {0};
	uint64_t at = lay->mods;
	uint64_t p = lay->mbi + sizeof(mbi);
	uint64_t strings = p + (uint64_t)nmods * sizeof(struct multiboot_mod_list) +
	                   MB_MMAP_ROWS * sizeof(struct multiboot_mmap_entry);

	for (unsigned i = 0; i < nmods; i++) {
		struct multiboot_mod_list m = {0};
		const char *s = mod_string(&mods[i]);
		m.mod_start = put(ld, &at, mods[i].data, mods[i].size);
		m.mod_end = (uint32_t)at;
		m.cmdline = put(ld, &strings, s, hv_strlen(s) + 1);
		at = align_up(at, MB_PAGE);
		put(ld, &p, &m, sizeof(m));
	}
	mbi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MEM_MAP |
	            MULTIBOOT_INFO_BOOT_LOADER_NAME | (nmods ? MULTIBOOT_INFO_MODS : 0);
	mbi.mem_lower = MB_MEM_LOWER_KB;
	mbi.mem_upper = (uint32_t)((ld->g->size - GUEST_HIGH_RAM_BASE) / 1024);
	mbi.mods_count = nmods;
	mbi.mods_addr = nmods ? (uint32_t)(lay->mbi + sizeof(mbi)) : 0;
	mbi.mmap_addr = (uint32_t)p;
	put_mmap_row(ld, &p, 0, GUEST_LOW_RAM_END, MULTIBOOT_MEMORY_AVAILABLE);
	put_mmap_row(ld, &p, GUEST_FIRMWARE_BASE, GUEST_FIRMWARE_END, MULTIBOOT_MEMORY_RESERVED);
	put_mmap_row(ld, &p, GUEST_HIGH_RAM_BASE, ld->g->size, MULTIBOOT_MEMORY_AVAILABLE);
	mbi.mmap_length = (uint32_t)(p - mbi.mmap_addr);
	mbi.cmdline = put(ld, &strings, cmdline, hv_strlen(cmdline) + 1);
	mbi.boot_loader_name = put(ld, &strings, MB_LOADER_NAME, sizeof(MB_LOADER_NAME));
	at = lay->mbi;
	put(ld, &at, &mbi, sizeof(mbi));
}

bool mb_load(const struct guest_ram *g, const void *image, uint64_t size, const char *cmdline,
             const struct mb_module *mods, unsigned nmods, struct mb_result *out)
{
	struct loader ld = {.g = g, .image = image, .size = size, .out = out};
	struct multiboot_header h = {0};
	struct layout lay = {0};
	uint64_t at = 0;

	memset(out, 0, sizeof(*out));
	if (!cmdline)
		cmdline = "";
	if (g->size <= GUEST_HIGH_RAM_BASE || g->size >= MB_4G)
		return refuse(&ld, "guest RAM of %#llx bytes: expected more than 1 MiB, less than 4 GiB", (ull)g->size);
	if (!find_header(&ld, &at, &h) || !check_flags(&ld, h.flags))
		return false;
	if (h.flags & MULTIBOOT_AOUT_KLUDGE) {
		if (!aout_segment(&ld, at, &h) || !check_segment(&ld, &ld.seg[0]))
			return false;
		if (ld.seg[0].memsz == 0)
			return refuse(&ld, "the load range is empty");
	} else if (size < EI_NIDENT || memcmp(image, "\177ELF", 4) != 0) {
		return refuse(&ld, "kernel is neither ELF nor gives its load addresses (multiboot flag 16)");
	} else if (!elf_segments(&ld)) {
		return false;
	}
	if (!check_overlaps(&ld) || !translate_entry(&ld) || !plan(&ld, cmdline, mods, nmods, &lay))
		return false;

	/* Everything checked: only now is guest RAM written. */
	load_segments(&ld);
	build_mbi(&ld, cmdline, mods, nmods, &lay);
	out->entry = (uint32_t)ld.entry;
	out->mbi = (uint32_t)lay.mbi;
	out->load_lo = (uint32_t)lay.load_lo;
	out->load_hi = (uint32_t)lay.load_hi;
	out->free_lo = (uint32_t)(lay.mbi + lay.mbi_len);
	return true;
}
