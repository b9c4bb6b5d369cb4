/* mem.c: the loader's page allocations, tracked so that a stop gives them back. */
#include "boot/efi/loader.h"

static void track(struct loader *ld, EFI_PHYSICAL_ADDRESS pa, UINTN pages)
{
	/* ALLOC_MAX exceeds the loader's needs; an untracked allocation only leaks on a stop. */
	if (ld->alloc_count < ALLOC_MAX)
		ld->allocs[ld->alloc_count++] = (struct alloc){pa, pages};
}

EFI_STATUS pages_alloc(struct loader *ld, UINT64 bytes, const CHAR16 *what, EFI_PHYSICAL_ADDRESS *pa)
{
	UINTN pages = EFI_SIZE_TO_PAGES(bytes ? bytes : 1);
	EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, pages, pa);

	if (EFI_ERROR(st))
		return fail(st, L"out of memory: cannot allocate %ld KiB for %s: %r", (UINT64)pages * 4, what, st);
	track(ld, *pa, pages);
	return EFI_SUCCESS;
}

/* Silent: the caller decides whether a taken address is an error. */
EFI_STATUS pages_alloc_at(struct loader *ld, UINT64 bytes, EFI_PHYSICAL_ADDRESS pa)
{
	UINTN pages = EFI_SIZE_TO_PAGES(bytes);
	EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData, pages, &pa);

	if (!EFI_ERROR(st))
		track(ld, pa, pages);
	return st;
}

void pages_free(struct loader *ld, EFI_PHYSICAL_ADDRESS pa)
{
	for (UINT32 i = 0; i < ld->alloc_count; i++) {
		if (ld->allocs[i].base != pa)
			continue;
		uefi_call_wrapper(BS->FreePages, 2, pa, ld->allocs[i].pages);
		ld->allocs[i] = ld->allocs[--ld->alloc_count];
		return;
	}
}

void pages_free_all(struct loader *ld)
{
	while (ld->alloc_count)
		pages_free(ld, ld->allocs[ld->alloc_count - 1].base);
}

void zero(void *p, UINT64 n)
{
	UINT8 *b = p;
	while (n--)
		*b++ = 0;
}

void copy(void *dst, const void *src, UINT64 n)
{
	UINT8 *d = dst;
	const UINT8 *s = src;
	while (n--)
		*d++ = *s++;
}
