/* loader.h: the UEFI loader's parts and the state they share (firmware-facing code only). */
#ifndef BOOT_EFI_LOADER_H
#define BOOT_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>

#include "boot/bootinfo.h"
#include "boot/efi/hvelf.h"

#define LOADER_NAME "apicvisor UEFI loader"
#define HV_DIR_ASCII "\\apicvisor"
#define HV_ELF_PATH L"\\apicvisor\\hv.elf"
#define HV_CONF_PATH L"\\apicvisor\\hv.conf"
#define HV_CONF_MAX (1u << 20)
#define PATH_MAX16 (BOOT_NAME_MAX + 16)
#define SIZE_2M (1ull << 21)
#define SIZE_1G (1ull << 30)
#define SIZE_4G (1ull << 32)
#define ALLOC_MAX 48

/* Pages the loader took from the firmware, given back if it stops. */
struct alloc {
	EFI_PHYSICAL_ADDRESS base;
	UINTN pages;
};

struct loader {
	EFI_HANDLE image_handle;
	EFI_LOADED_IMAGE *self;
	EFI_FILE_HANDLE root;   /* the volume the loader came from */
	struct boot_info *bi;   /* in EfiLoaderData pages, identity-mapped */
	struct hvelf_image elf; /* hv.elf's image header and segments */
	UINT64 image_phys;      /* P: where the image sits, 2 MiB aligned */
	UINT64 pml4;            /* the hand-off page tables */
	UINT32 alloc_count;
	struct alloc allocs[ALLOC_MAX];
};

static inline UINT64 read_cr4(void)
{
	UINT64 v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* main.c: messages, all prefixed "apicvisor loader: ". */
void say(const CHAR16 *fmt, ...);
EFI_STATUS fail(EFI_STATUS st, const CHAR16 *fmt, ...); /* prints "ERROR: ...", returns st */

/* mem.c: EfiLoaderData pages; what names the use in the out-of-memory message. */
EFI_STATUS pages_alloc(struct loader *ld, UINT64 bytes, const CHAR16 *what, EFI_PHYSICAL_ADDRESS *pa);
EFI_STATUS pages_alloc_at(struct loader *ld, UINT64 bytes, EFI_PHYSICAL_ADDRESS pa);
void pages_free(struct loader *ld, EFI_PHYSICAL_ADDRESS pa);
void pages_free_all(struct loader *ld);
void zero(void *p, UINT64 n);
void copy(void *dst, const void *src, UINT64 n);

/* file.c: files on the loader's own volume. */
EFI_STATUS volume_open(struct loader *ld);
/*
 * Reads the file at path into new pages; returns EFI_NOT_FOUND silently when
 * optional and absent, else prints what went wrong. max: largest size allowed.
 */
EFI_STATUS file_load(struct loader *ld, const CHAR16 *path, BOOLEAN optional, UINT64 max, EFI_PHYSICAL_ADDRESS *pa,
                     UINT64 *size);

/* image.c, modules.c, cpus.c, pagetable.c, handoff.c: the steps, in order. */
EFI_STATUS image_load(struct loader *ld);
EFI_STATUS modules_load(struct loader *ld);
/* Fills boot_info.cpus[] from UEFI MP services; without them leaves cpu_count 0 (not an error). */
void cpus_fill(struct loader *ld);
EFI_STATUS pagetable_build(struct loader *ld);
EFI_STATUS handoff(struct loader *ld); /* returns only if it could not exit boot services */

#endif
