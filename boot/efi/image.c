/* image.c: loading hv.elf's higher-half image at a 2 MiB-aligned physical address. */
#include "boot/efi/loader.h"

static UINT64 align_up(UINT64 x, UINT64 a) { return (x + a - 1) & ~(a - 1); }

/* A 2 MiB-aligned place for the image: the ELF's own p_paddr if free, else anywhere. */
static EFI_STATUS image_place(struct loader *ld)
{
	UINT64 span = align_up(ld->elf.hdr.image_size, SIZE_2M);
	UINT64 pref = ld->elf.preferred_phys;
	EFI_PHYSICAL_ADDRESS any;
	EFI_STATUS st = EFI_INVALID_PARAMETER; /* an unaligned p_paddr cannot be used */

	if (pref % SIZE_2M == 0 && pref != 0)
		st = pages_alloc_at(ld, span, pref);
	if (!EFI_ERROR(st)) {
		ld->image_phys = pref;
		say(L"image: %ld KiB at physical 0x%lx (its preferred address)", span / 1024, pref);
		return EFI_SUCCESS;
	}
	st = pages_alloc(ld, span + SIZE_2M, L"the hypervisor image", &any);
	if (EFI_ERROR(st))
		return st;
	ld->image_phys = align_up(any, SIZE_2M);
	say(L"image: preferred physical 0x%lx is taken or unusable; placed the %ld KiB at 0x%lx instead", pref,
	    span / 1024, ld->image_phys);
	return EFI_SUCCESS;
}

/* Copies each segment to P + (vaddr - virt_base) and zeroes the rest of the span (bss). */
static void image_copy(struct loader *ld, const UINT8 *file)
{
	UINT8 *dst = (UINT8 *)(UINTN)ld->image_phys;

	zero(dst, align_up(ld->elf.hdr.image_size, SIZE_2M));
	for (UINT32 i = 0; i < ld->elf.seg_count; i++) {
		const struct hvelf_seg *s = &ld->elf.seg[i];
		copy(dst + (s->vaddr - ld->elf.hdr.virt_base), file + s->offset, s->filesz);
	}
}

static EFI_STATUS elf_error(struct loader *ld, enum hvelf_err e)
{
	if (e == HVELF_ERR_SEG_OUTSIDE) {
		const struct hvelf_seg *s = &ld->elf.seg[ld->elf.bad_seg];
		return fail(EFI_LOAD_ERROR, L"%s: segment at 0x%lx (%ld bytes) lies outside the image [0x%lx, +0x%lx)",
		            HV_ELF_PATH, s->vaddr, s->memsz, ld->elf.hdr.virt_base, ld->elf.hdr.image_size);
	}
	return fail(EFI_LOAD_ERROR, L"%s is not a usable hypervisor image: %a", HV_ELF_PATH, hvelf_strerror(e));
}

EFI_STATUS image_load(struct loader *ld)
{
	EFI_PHYSICAL_ADDRESS file;
	UINT64 size;
	EFI_STATUS st;

	say(L"loading %s", HV_ELF_PATH);
	st = file_load(ld, HV_ELF_PATH, FALSE, HVELF_IMAGE_MAX, &file, &size);
	if (EFI_ERROR(st))
		return st;
	enum hvelf_err e = hvelf_parse((const void *)(UINTN)file, size, &ld->elf);
	if (e != HVELF_OK) {
		pages_free(ld, file);
		return elf_error(ld, e);
	}
	say(L"hv.elf: %ld bytes, image %ld KiB linked at 0x%lx, UEFI entry 0x%lx", size, ld->elf.hdr.image_size / 1024,
	    ld->elf.hdr.virt_base, ld->elf.hdr.entry_uefi);
	st = image_place(ld);
	if (!EFI_ERROR(st))
		image_copy(ld, (const UINT8 *)(UINTN)file);
	pages_free(ld, file);
	return st;
}
