/* handoff.c: the last firmware call (ExitBootServices) and the jump into the hypervisor. */
#include "boot/efi/loader.h"
#include "boot/efi/memmap_conv.h"

#define EXIT_TRIES 8
#define MAP_SLACK_DESCS 64 /* room for the map to grow between sizing it and the last call */

/* Interrupts off, our page tables in, on to the image; boot_info in RDI. */
static __attribute__((noreturn)) void jump(UINT64 pml4, UINT64 entry, UINT64 boot_info)
{
	__asm__ volatile("cli\n\t"
	                 "mov %0, %%cr3\n\t"
	                 "jmp *%1"
	                 :
	                 : "r"(pml4), "r"(entry), "D"(boot_info)
	                 : "memory");
	__builtin_unreachable();
}

/*
 * Tries ExitBootServices until the map key is current. Between GetMemoryMap
 * and ExitBootServices only pure code runs (the map conversion), so that the
 * key stays valid; after a failed try only GetMemoryMap may be called again
 * (UEFI 2.10, 7.4 ExitBootServices). Too many ranges is an error on the first
 * try; on a later one we keep the first BOOT_MEM_MAX (the top of memory is
 * lost, which is safe) because we may no longer print.
 */
static EFI_STATUS exit_boot_services(struct loader *ld, void *map, UINTN cap, BOOLEAN *tried)
{
	struct boot_info *bi = ld->bi;
	UINTN size, key, dsize;
	UINT32 dver;
	EFI_STATUS st = EFI_SUCCESS;

	*tried = FALSE;
	for (int i = 0; i < EXIT_TRIES; i++) {
		size = cap;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, map, &key, &dsize, &dver);
		if (EFI_ERROR(st))
			return i == 0 ? fail(st, L"GetMemoryMap failed: %r", st) : st;
		if (dsize < sizeof(struct efi_mem_desc)) /* the same on every try: caught on the first */
			return fail(EFI_UNSUPPORTED, L"memory descriptors of %ld bytes are too small", (UINT64)dsize);
		UINT32 n = memmap_from_efi(map, size, dsize, bi->mem, BOOT_MEM_MAX);
		if (n > BOOT_MEM_MAX && i == 0)
			return fail(EFI_BUFFER_TOO_SMALL, L"the memory map has %d ranges after merging; at most %d fit",
			            n, BOOT_MEM_MAX);
		bi->mem_count = n > BOOT_MEM_MAX ? BOOT_MEM_MAX : n;
		*tried = TRUE;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, ld->image_handle, key);
		if (!EFI_ERROR(st))
			return EFI_SUCCESS;
	}
	return st;
}

EFI_STATUS handoff(struct loader *ld)
{
	UINTN size = 0, key, dsize;
	UINT32 dver;
	EFI_STATUS st;

	say(L"boot_info at 0x%lx; exiting boot services and jumping to 0x%lx", (UINT64)(UINTN)ld->bi,
	    ld->elf.hdr.entry_uefi);
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return fail(EFI_ERROR(st) ? st : EFI_DEVICE_ERROR, L"GetMemoryMap did not report its size: %r", st);
	UINTN cap = size + MAP_SLACK_DESCS * dsize;
	void *map = AllocatePool(cap);
	if (!map)
		return fail(EFI_OUT_OF_RESOURCES, L"out of memory: cannot allocate %ld bytes for the memory map", cap);
	BOOLEAN tried = FALSE;
	st = exit_boot_services(ld, map, cap, &tried);
	if (EFI_ERROR(st) && !tried)
		FreePool(map);  /* the error is printed already */
	else if (EFI_ERROR(st)) /* boot services may be partly gone: a best effort */
		fail(st, L"ExitBootServices failed %d times: %r", EXIT_TRIES, st);
	if (EFI_ERROR(st))
		return st;
	jump(ld->pml4, ld->elf.hdr.entry_uefi, (UINT64)(UINTN)ld->bi);
}
