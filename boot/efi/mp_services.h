/* mp_services.h: EFI_MP_SERVICES_PROTOCOL (PI spec vol. 2, 13.4), which gnu-efi does not define. */
#ifndef BOOT_EFI_MP_SERVICES_H
#define BOOT_EFI_MP_SERVICES_H

#include <efi.h>

#include "boot/efi/cpu_list.h"

#define EFI_MP_SERVICES_PROTOCOL_GUID                                                          \
	{                                                                                      \
		0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } \
	}

/* The members in the specification's order; those the loader does not call are left untyped. */
struct efi_mp_services {
	EFI_STATUS(EFIAPI *GetNumberOfProcessors)
	(struct efi_mp_services *self, UINTN *processors, UINTN *enabled);
	EFI_STATUS(EFIAPI *GetProcessorInfo)
	(struct efi_mp_services *self, UINTN processor, struct efi_processor_info *info);
	void *StartupAllAPs;
	void *StartupThisAP;
	void *SwitchBSP;
	void *EnableDisableAP;
	void *WhoAmI;
};

#endif
