/* sources: boot/efi/hvelf.c */
/* fuzz_hvelf.c: libFuzzer harness: hv.elf as the UEFI loader checks it before loading (hvelf_parse). */
#include "test/fuzz/fuzz.h"

#include "boot/efi/hvelf.h"

/*
 * Input: the ELF file, as read from the boot medium.
 *
 * Checked on success: 1 to HVELF_SEG_MAX segments, sorted by address, each
 * inside the file (offset + filesz) with filesz <= memsz, and inside the
 * image the header describes ([virt_base, virt_base + image_size), 2 MiB
 * aligned, in the higher half), the entry too; so the loader's copies stay
 * in the allocation it makes of image_size bytes. On a refusal: an error
 * with a name, and bad_seg a real segment when it names one.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvelf_image img;

	enum hvelf_err e = hvelf_parse(data, size, &img);
	FZ_CHECK(strcmp(hvelf_strerror(e), "unknown error") != 0, "error %d has no name", e);
	if (e == HVELF_ERR_SEG_OUTSIDE)
		FZ_CHECK(img.bad_seg < img.seg_count, "bad_seg %u of %u", img.bad_seg, img.seg_count);
	if (e != HVELF_OK)
		return 0;
	const struct hv_image_header *h = &img.hdr;
	FZ_CHECK(img.seg_count >= 1 && img.seg_count <= HVELF_SEG_MAX, "%u segments", img.seg_count);
	FZ_CHECK(h->magic == HV_IMAGE_MAGIC && h->virt_base % (2u << 20) == 0 && h->virt_base >= HVELF_HIGHER_HALF,
	         "image header: magic %#llx, base %#llx", (unsigned long long)h->magic,
	         (unsigned long long)h->virt_base);
	FZ_CHECK(h->image_size && h->image_size <= HVELF_IMAGE_MAX && h->image_size - 1 <= UINT64_MAX - h->virt_base,
	         "image size %#llx at %#llx", (unsigned long long)h->image_size, (unsigned long long)h->virt_base);
	FZ_CHECK(h->entry_uefi >= h->virt_base && h->entry_uefi - h->virt_base < h->image_size, "entry %#llx",
	         (unsigned long long)h->entry_uefi);
	for (uint32_t i = 0; i < img.seg_count; i++) {
		const struct hvelf_seg *s = &img.seg[i];
		FZ_CHECK(s->offset <= size && s->filesz <= size - s->offset && s->filesz <= s->memsz,
		         "segment %u: file %#llx+%#llx of %zu bytes, memsz %#llx", i, (unsigned long long)s->offset,
		         (unsigned long long)s->filesz, size, (unsigned long long)s->memsz);
		FZ_CHECK(s->vaddr >= h->virt_base && s->vaddr - h->virt_base <= h->image_size &&
		                 s->memsz <= h->image_size - (s->vaddr - h->virt_base),
		         "segment %u at %#llx+%#llx outside the image", i, (unsigned long long)s->vaddr,
		         (unsigned long long)s->memsz);
		FZ_CHECK(i == 0 || img.seg[i - 1].vaddr <= s->vaddr, "segments %u and %u out of order", i - 1, i);
	}
	FZ_CHECK(img.seg[0].vaddr == h->virt_base && img.seg[0].filesz >= sizeof(*h), "the header's segment");
	return 0;
}
