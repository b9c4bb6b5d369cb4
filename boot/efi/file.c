/* file.c: reading files from the volume the loader itself was loaded from. */
#include "boot/efi/loader.h"

EFI_STATUS volume_open(struct loader *ld)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, ld->image_handle, &LoadedImageProtocol, (void **)&ld->self);
	if (EFI_ERROR(st))
		return fail(st, L"no LoadedImage protocol on the loader's own handle: %r", st);
	st = uefi_call_wrapper(BS->HandleProtocol, 3, ld->self->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return fail(st, L"the loader's boot device has no file system: %r", st);
	st = uefi_call_wrapper(fs->OpenVolume, 2, fs, &ld->root);
	if (EFI_ERROR(st))
		return fail(st, L"cannot open the loader's boot volume: %r", st);
	return EFI_SUCCESS;
}

/* Opens path for reading and returns its size; a directory is refused. */
static EFI_STATUS file_open(struct loader *ld, const CHAR16 *path, EFI_FILE_HANDLE *fh, UINT64 *size)
{
	EFI_STATUS st = uefi_call_wrapper(ld->root->Open, 5, ld->root, fh, (CHAR16 *)path, EFI_FILE_MODE_READ, 0ull);
	if (EFI_ERROR(st))
		return st;
	EFI_FILE_INFO *info = LibFileInfo(*fh);
	if (!info || (info->Attribute & EFI_FILE_DIRECTORY)) {
		st = info ? EFI_ACCESS_DENIED : EFI_DEVICE_ERROR;
		if (info)
			FreePool(info);
		uefi_call_wrapper((*fh)->Close, 1, *fh);
		return st;
	}
	*size = info->FileSize;
	FreePool(info);
	return EFI_SUCCESS;
}

/* Reads exactly size bytes (Read may return less than asked). */
static EFI_STATUS file_read(EFI_FILE_HANDLE fh, UINT8 *buf, UINT64 size)
{
	while (size > 0) {
		UINTN n = size;
		EFI_STATUS st = uefi_call_wrapper(fh->Read, 3, fh, &n, buf);
		if (EFI_ERROR(st))
			return st;
		if (n == 0)
			return EFI_END_OF_FILE; /* shorter than its directory entry said */
		buf += n;
		size -= n;
	}
	return EFI_SUCCESS;
}

EFI_STATUS file_load(struct loader *ld, const CHAR16 *path, BOOLEAN optional, UINT64 max, EFI_PHYSICAL_ADDRESS *pa,
                     UINT64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st = file_open(ld, path, &fh, size);

	if (st == EFI_NOT_FOUND && optional)
		return st;
	if (EFI_ERROR(st))
		return fail(st, L"cannot open %s: %r%s", path, st, st == EFI_ACCESS_DENIED ? L" (a directory?)" : L"");
	if (*size > max) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return fail(EFI_BAD_BUFFER_SIZE, L"%s is %ld bytes; the limit is %ld", path, *size, max);
	}
	st = pages_alloc(ld, *size, (CHAR16 *)path, pa);
	if (!EFI_ERROR(st)) {
		st = file_read(fh, (UINT8 *)(UINTN)*pa, *size);
		if (EFI_ERROR(st)) {
			pages_free(ld, *pa);
			fail(st, L"cannot read %s: %r", path, st);
		}
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	return st;
}
