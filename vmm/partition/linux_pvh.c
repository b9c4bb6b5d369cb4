/* linux_pvh.c: loading an ELF64 vmlinux for the PVH entry (Xen's docs/misc/pvh.pandoc). */
#include "vmm/lib/string.h"
#include "vmm/partition/elf.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/partition/linux_common.h"
#include "vmm/partition/pvh.h"

#define PVH_MAX_SEGMENTS 16 /* loadable segments; vmlinux has four */
#define NOTE_ALIGN 4
#define PVH_4G (1ull << 32)
#define NO_NOTE "ELF kernel has no PVH entry note (Xen's XEN_ELFNOTE_PHYS32_ENTRY)"

/* start_info, then the module list, then the memory map, in one page at GUEST_LINUX_BOOT_INFO. */
#define PVH_MODLIST (GUEST_LINUX_BOOT_INFO + sizeof(struct hvm_start_info))
#define PVH_MEMMAP (PVH_MODLIST + sizeof(struct hvm_modlist_entry))
_Static_assert(PVH_MEMMAP + LINUX_MEMMAP_ROWS * sizeof(struct hvm_memmap_entry) <= GUEST_LINUX_CMDLINE,
               "start_info and its tables fit below the command line");

struct pvh {
	struct elf64_ehdr eh;
	struct elf64_phdr seg[PVH_MAX_SEGMENTS]; /* the PT_LOADs with bytes in memory */
	unsigned nseg;
	uint64_t entry;
};

static uint64_t align4(uint64_t x) { return (x + NOTE_ALIGN - 1) & ~(uint64_t)(NOTE_ALIGN - 1); }

/* ELF64, little-endian, x86-64 executable, program headers inside the file. */
static bool elf64_header(const uint8_t *p, uint64_t size, struct elf64_ehdr *eh, struct linux_result *out)
{
	if (size < sizeof(*eh) || memcmp(p, "\177ELF", 4) != 0)
		return linux_refuse(out, "not an ELF file, or its header is cut short (%llu bytes)", (ull)size);
	memcpy(eh, p, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return linux_refuse(out, "ELF kernel is not 64-bit little-endian (class %u, data %u)",
		                    eh->e_ident[EI_CLASS], eh->e_ident[EI_DATA]);
	if (eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64)
		return linux_refuse(out, "ELF kernel is not an x86-64 executable (e_type %u, e_machine %u)", eh->e_type,
		                    eh->e_machine);
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0)
		return linux_refuse(out, "ELF program headers: %u of %u bytes (expected some of %u)", eh->e_phnum,
		                    eh->e_phentsize, (unsigned)sizeof(struct elf64_phdr));
	if (eh->e_phoff > size || (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr) > size - eh->e_phoff)
		return linux_refuse(out, "ELF program headers (%u at offset %#llx) end past the file (%llu bytes)",
		                    eh->e_phnum, (ull)eh->e_phoff, (ull)size);
	return true;
}

static void phdr(const uint8_t *p, const struct elf64_ehdr *eh, unsigned i, struct elf64_phdr *ph)
{
	memcpy(ph, p + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

/* The PHYS32_ENTRY note in one PT_NOTE's bytes [off, end): true and *entry if there. */
static bool find_entry_note(const uint8_t *p, uint64_t off, uint64_t end, uint64_t *entry)
{
	while (end - off >= sizeof(struct elf_note)) {
		struct elf_note n;
		memcpy(&n, p + off, sizeof(n));
		uint64_t name = off + sizeof(n), desc = name + align4(n.n_namesz);
		if (align4(n.n_namesz) > end - name || align4(n.n_descsz) > end - desc)
			return false; /* a note cut short ends the search */
		if (n.n_type == XEN_ELFNOTE_PHYS32_ENTRY && n.n_namesz == sizeof(PVH_NOTE_NAME) &&
		    memcmp(p + name, PVH_NOTE_NAME, sizeof(PVH_NOTE_NAME)) == 0 &&
		    (n.n_descsz == 4 || n.n_descsz == 8)) {
			uint64_t v = 0;
			memcpy(&v, p + desc, n.n_descsz); /* little-endian: a 4-byte value is the low half */
			*entry = v;
			return true;
		}
		off = desc + align4(n.n_descsz);
	}
	return false;
}

/* The entry note among the PT_NOTE segments (those inside the file). */
static bool pvh_entry(const uint8_t *p, uint64_t size, const struct elf64_ehdr *eh, uint64_t *entry)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;
		phdr(p, eh, i, &ph);
		if (ph.p_type == PT_NOTE && ph.p_offset <= size && ph.p_filesz <= size - ph.p_offset &&
		    find_entry_note(p, ph.p_offset, ph.p_offset + ph.p_filesz, entry))
			return true;
	}
	return false;
}

bool linux_pvh_has_note(const void *image, uint64_t size, struct linux_result *why)
{
	struct linux_result scratch;
	struct elf64_ehdr eh;
	uint64_t entry;

	if (!why)
		why = &scratch;
	if (!elf64_header(image, size, &eh, why))
		return false;
	if (!pvh_entry(image, size, &eh, &entry))
		return linux_refuse(why, NO_NOTE);
	return true;
}

/* A PT_LOAD: sizes that add up, inside the file, in high RAM below 4 GiB. */
static bool check_segment(const struct guest_ram *g, const struct linux_args *a, unsigned i, const struct elf64_phdr *s,
                          struct linux_result *out)
{
	if (s->p_memsz < s->p_filesz)
		return linux_refuse(out, "segment %u: memsz %#llx is smaller than filesz %#llx", i, (ull)s->p_memsz,
		                    (ull)s->p_filesz);
	if (s->p_offset > a->size || s->p_filesz > a->size - s->p_offset)
		return linux_refuse(out, "segment %u (file offset %#llx+%#llx) ends past the file (%llu bytes)", i,
		                    (ull)s->p_offset, (ull)s->p_filesz, (ull)a->size);
	if (s->p_memsz == 0)
		return true;
	if (s->p_paddr < GUEST_HIGH_RAM_BASE)
		return linux_refuse(out,
		                    "segment %u at %#llx lies below 1 MiB (the boot structures and the firmware area "
		                    "are there)",
		                    i, (ull)s->p_paddr);
	if (s->p_paddr >= g->size || s->p_memsz > g->size - s->p_paddr)
		return linux_refuse(out, "segment %u (%#llx+%#llx) ends past guest RAM (%#llx bytes)", i,
		                    (ull)s->p_paddr, (ull)s->p_memsz, (ull)g->size);
	return true;
}

static bool load_segments(const struct guest_ram *g, const struct linux_args *a, struct pvh *v,
                          struct linux_result *out)
{
	out->kernel_lo = UINT64_MAX;
	for (unsigned i = 0; i < v->eh.e_phnum; i++) {
		struct elf64_phdr s;
		phdr(a->image, &v->eh, i, &s);
		if (s.p_type != PT_LOAD)
			continue;
		if (!check_segment(g, a, i, &s, out))
			return false;
		if (s.p_memsz == 0)
			continue;
		if (v->nseg == PVH_MAX_SEGMENTS)
			return linux_refuse(out, "more than %d loadable segments", PVH_MAX_SEGMENTS);
		for (unsigned j = 0; j < v->nseg; j++) {
			const struct elf64_phdr *o = &v->seg[j];
			if (s.p_paddr < o->p_paddr + o->p_memsz && o->p_paddr < s.p_paddr + s.p_memsz)
				return linux_refuse(out,
				                    "segment %u (%#llx+%#llx) overlaps an earlier one (%#llx+%#llx)", i,
				                    (ull)s.p_paddr, (ull)s.p_memsz, (ull)o->p_paddr, (ull)o->p_memsz);
		}
		v->seg[v->nseg++] = s;
		out->kernel_lo = s.p_paddr < out->kernel_lo ? s.p_paddr : out->kernel_lo;
		out->kernel_hi = s.p_paddr + s.p_memsz > out->kernel_hi ? s.p_paddr + s.p_memsz : out->kernel_hi;
	}
	if (v->nseg == 0)
		return linux_refuse(out, "ELF kernel has no loadable segment");
	return true;
}

/* start_info, the initrd as module 0 (no command line of its own), the memory map. */
static void put_start_info(const struct guest_ram *g, const struct linux_result *r)
{
	struct hvm_start_info si = {
	        .magic = HVM_START_MAGIC,
	        .version = HVM_START_VERSION,
	        .nr_modules = r->initrd_hi ? 1 : 0,
	        .modlist_paddr = r->initrd_hi ? PVH_MODLIST : 0,
	        .cmdline_paddr = GUEST_LINUX_CMDLINE,
	        .rsdp_paddr = GUEST_RSDP_GPA,
	        .memmap_paddr = PVH_MEMMAP,
	        .memmap_entries = LINUX_MEMMAP_ROWS,
	};
	struct hvm_modlist_entry mod = {.paddr = r->initrd_lo, .size = r->initrd_hi - r->initrd_lo};
	struct linux_mem_range rows[LINUX_MEMMAP_ROWS];

	memset(g->ram + GUEST_LINUX_BOOT_INFO, 0, LINUX_PAGE);
	memcpy(g->ram + GUEST_LINUX_BOOT_INFO, &si, sizeof(si));
	if (r->initrd_hi)
		memcpy(g->ram + PVH_MODLIST, &mod, sizeof(mod));
	linux_memmap(g, rows);
	for (unsigned i = 0; i < LINUX_MEMMAP_ROWS; i++) {
		struct hvm_memmap_entry e = {rows[i].addr, rows[i].size, rows[i].type, 0};
		memcpy(g->ram + PVH_MEMMAP + i * sizeof(e), &e, sizeof(e));
	}
}

bool linux_pvh_load(const struct guest_ram *g, const struct linux_args *a, struct linux_result *out)
{
	struct pvh v = {0};

	memset(out, 0, sizeof(*out));
	if (!linux_check_ram(g, out) || !elf64_header(a->image, a->size, &v.eh, out))
		return false;
	if (!pvh_entry(a->image, a->size, &v.eh, &v.entry))
		return linux_refuse(out, NO_NOTE);
	if (!load_segments(g, a, &v, out))
		return false;
	bool in_kernel = false;
	for (unsigned i = 0; i < v.nseg; i++)
		in_kernel |= v.entry >= v.seg[i].p_paddr && v.entry - v.seg[i].p_paddr < v.seg[i].p_filesz;
	if (!in_kernel || v.entry >= PVH_4G)
		return linux_refuse(out, "PVH entry point %#llx is outside every loaded segment", (ull)v.entry);
	if (!linux_check_cmdline(a->cmdline, GUEST_LINUX_CMDLINE_MAX, out) ||
	    !linux_place_initrd(g, a, (out->kernel_hi + LINUX_PAGE - 1) & ~(LINUX_PAGE - 1), g->size, out))
		return false;

	/* Everything checked: only now is guest RAM written. */
	for (unsigned i = 0; i < v.nseg; i++) {
		const struct elf64_phdr *s = &v.seg[i];
		memcpy(g->ram + s->p_paddr, (const uint8_t *)a->image + s->p_offset, s->p_filesz);
		memset(g->ram + s->p_paddr + s->p_filesz, 0, s->p_memsz - s->p_filesz); /* BSS */
	}
	put_start_info(g, out);
	linux_put_initrd_cmdline(g, a, out);
	out->boot_info = GUEST_LINUX_BOOT_INFO;
	out->entry = (struct linux_entry){
	        .rip = v.entry,
	        .ebx = (uint32_t)GUEST_LINUX_BOOT_INFO,
	        .code_sel = GUEST_SEL_CODE,
	        .data_sel = GUEST_SEL_DATA,
	};
	return true;
}
