/* hvelf.c: checking hv.elf and finding its image header (ELF-64 spec, System V ABI). */
#include "boot/efi/hvelf.h"

/* The few ELF-64 definitions we need; <elf.h> is not part of a freestanding build. */
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF-64 header layout");

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF-64 program header layout");

#define SIZE_2M (1ull << 21)

/* The file buffer may be unaligned: copy bytes rather than cast. */
static void copy_bytes(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	while (n--)
		*d++ = *s++;
}

/* [off, off+size) lies inside a file of len bytes (without overflowing). */
static int inside(uint64_t off, uint64_t size, uint64_t len) { return off <= len && size <= len - off; }

static enum hvelf_err check_ehdr(const struct elf64_ehdr *eh, uint64_t len)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};

	for (int i = 0; i < 4; i++)
		if (eh->e_ident[i] != magic[i])
			return HVELF_ERR_NOT_ELF;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return HVELF_ERR_NOT_ELF64_LE;
	if (eh->e_type != ET_EXEC)
		return HVELF_ERR_NOT_EXEC;
	if (eh->e_machine != EM_X86_64)
		return HVELF_ERR_NOT_X86_64;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    !inside(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), len))
		return HVELF_ERR_PHDRS;
	return HVELF_OK;
}

/* Checks ph and inserts it into out->seg[], kept sorted by vaddr. */
static enum hvelf_err add_seg(struct hvelf_image *out, const struct elf64_phdr *ph, uint64_t len)
{
	if (!inside(ph->p_offset, ph->p_filesz, len))
		return HVELF_ERR_SEG_FILE;
	if (ph->p_filesz > ph->p_memsz || ph->p_memsz > HVELF_IMAGE_MAX)
		return HVELF_ERR_SEG_SIZE;
	if (out->seg_count == HVELF_SEG_MAX)
		return HVELF_ERR_TOO_MANY_SEGS;
	uint32_t i = out->seg_count++;
	while (i > 0 && out->seg[i - 1].vaddr > ph->p_vaddr) {
		out->seg[i] = out->seg[i - 1];
		i--;
	}
	out->seg[i] = (struct hvelf_seg){ph->p_offset, ph->p_vaddr, ph->p_filesz, ph->p_memsz};
	if (i == 0)
		out->preferred_phys = ph->p_paddr;
	return HVELF_OK;
}

static enum hvelf_err check_header(const struct hvelf_image *img)
{
	const struct hv_image_header *h = &img->hdr;

	if (h->magic != HV_IMAGE_MAGIC)
		return HVELF_ERR_NO_HEADER;
	if (h->virt_base % SIZE_2M || h->virt_base < HVELF_HIGHER_HALF || h->virt_base != img->seg[0].vaddr ||
	    h->image_size == 0 || h->image_size > HVELF_IMAGE_MAX || h->image_size > 0 - h->virt_base ||
	    h->entry_uefi < h->virt_base || h->entry_uefi - h->virt_base >= h->image_size)
		return HVELF_ERR_BAD_HEADER;
	return HVELF_OK;
}

enum hvelf_err hvelf_parse(const void *file, uint64_t len, struct hvelf_image *out)
{
	const uint8_t *f = file;
	struct elf64_ehdr eh;
	enum hvelf_err e;

	*out = (struct hvelf_image){0};
	if (len < sizeof(eh))
		return HVELF_ERR_TOO_SMALL;
	copy_bytes(&eh, f, sizeof(eh));
	if ((e = check_ehdr(&eh, len)) != HVELF_OK)
		return e;
	for (uint32_t i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		copy_bytes(&ph, f + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_vaddr >= HVELF_HIGHER_HALF && (e = add_seg(out, &ph, len)) != HVELF_OK)
			return e;
	}
	if (out->seg_count == 0)
		return HVELF_ERR_NO_IMAGE;
	if (out->seg[0].filesz < sizeof(out->hdr))
		return HVELF_ERR_NO_HEADER;
	copy_bytes(&out->hdr, f + out->seg[0].offset, sizeof(out->hdr));
	if ((e = check_header(out)) != HVELF_OK)
		return e;
	for (uint32_t i = 0; i < out->seg_count; i++) {
		const struct hvelf_seg *s = &out->seg[i];
		uint64_t rel = s->vaddr - out->hdr.virt_base; /* seg[0] is the lowest: no underflow */
		if (rel > out->hdr.image_size || s->memsz > out->hdr.image_size - rel) {
			out->bad_seg = i;
			return HVELF_ERR_SEG_OUTSIDE;
		}
	}
	return HVELF_OK;
}

const char *hvelf_strerror(enum hvelf_err e)
{
	switch (e) {
	case HVELF_OK: return "no error";
	case HVELF_ERR_TOO_SMALL: return "file too small for an ELF header";
	case HVELF_ERR_NOT_ELF: return "not an ELF file (bad magic)";
	case HVELF_ERR_NOT_ELF64_LE: return "not a 64-bit little-endian ELF file";
	case HVELF_ERR_NOT_EXEC: return "not an ELF executable (ET_EXEC)";
	case HVELF_ERR_NOT_X86_64: return "not an x86-64 ELF file";
	case HVELF_ERR_PHDRS: return "program headers missing or outside the file";
	case HVELF_ERR_SEG_FILE: return "a PT_LOAD segment's bytes lie outside the file";
	case HVELF_ERR_SEG_SIZE: return "a PT_LOAD segment has p_filesz > p_memsz or is too large";
	case HVELF_ERR_TOO_MANY_SEGS: return "too many higher-half PT_LOAD segments";
	case HVELF_ERR_NO_IMAGE: return "no higher-half PT_LOAD segment (no hypervisor image)";
	case HVELF_ERR_NO_HEADER: return "no hypervisor image header (bad magic) at the image start";
	case HVELF_ERR_BAD_HEADER: return "image header inconsistent (base, size or entry)";
	case HVELF_ERR_SEG_OUTSIDE: return "a higher-half segment lies outside [virt_base, virt_base+image_size)";
	}
	return "unknown error";
}
