/* main.c: the apicvisor UEFI loader: loads hv.elf and its modules, then hands over. */
#include "boot/efi/loadopt.h"
#include "boot/efi/loader.h"

#define STOP_SECONDS 10
#define SELF_NAME_MAX 64

void say(const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	Print(L"apicvisor loader: ");
	VPrint(fmt, args);
	Print(L"\n");
	va_end(args);
}

EFI_STATUS fail(EFI_STATUS st, const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	Print(L"apicvisor loader: ERROR: ");
	VPrint(fmt, args);
	Print(L"\n");
	va_end(args);
	return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
}

_Static_assert(sizeof(LOADER_NAME) <= BOOT_NAME_MAX, "loader name fits boot_info.loader_name");

static EFI_STATUS bootinfo_alloc(struct loader *ld)
{
	EFI_PHYSICAL_ADDRESS pa;
	EFI_STATUS st = pages_alloc(ld, sizeof(struct boot_info), L"boot_info", &pa);

	if (EFI_ERROR(st))
		return st;
	ld->bi = (struct boot_info *)(UINTN)pa;
	zero(ld->bi, sizeof(*ld->bi));
	ld->bi->magic = BOOTINFO_MAGIC;
	ld->bi->version = BOOTINFO_VERSION;
	ld->bi->size = sizeof(struct boot_info);
	ld->bi->boot_path = BOOT_PATH_UEFI;
	copy(ld->bi->loader_name, LOADER_NAME, sizeof(LOADER_NAME));
	return EFI_SUCCESS;
}

/* The loader's own file name, ASCII, from its device path ("BOOTX64.EFI"), or "". */
static void self_name(struct loader *ld, char *out)
{
	CHAR16 *p = ld->self->FilePath ? DevicePathToStr(ld->self->FilePath) : NULL;
	UINTN b = 0, i = 0;

	out[0] = '\0';
	if (!p)
		return;
	for (UINTN k = 0; p[k]; k++)
		if (p[k] == '\\' || p[k] == '/')
			b = k + 1;
	for (; p[b + i] && i + 1 < SELF_NAME_MAX; i++)
		out[i] = p[b + i] < 0x80 ? (char)p[b + i] : '?';
	out[i] = '\0';
	FreePool(p);
}

static void cmdline_fill(struct loader *ld)
{
	char self[SELF_NAME_MAX];

	self_name(ld, self);
	switch (loadopt_to_cmdline(ld->self->LoadOptions, ld->self->LoadOptionsSize, self, ld->bi->cmdline,
	                           BOOT_CMDLINE_MAX)) {
	case LOADOPT_NOT_TEXT: say(L"load options are not text (boot entry data): command line left empty"); break;
	case LOADOPT_TRUNCATED: say(L"WARNING: command line cut to %d characters", BOOT_CMDLINE_MAX - 1); break;
	case LOADOPT_OK: break;
	}
	say(L"command line: \"%a\"", ld->bi->cmdline);
}

/* The RSDP from the configuration table: ACPI 2.0 first, else ACPI 1.0. */
static void acpi_fill(struct loader *ld)
{
	static EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	EFI_GUID *want[] = {&acpi20, &acpi10};

	for (int w = 0; w < 2 && !ld->bi->rsdp_phys; w++)
		for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
			if (!CompareGuid(&ST->ConfigurationTable[i].VendorGuid, want[w]))
				ld->bi->rsdp_phys = (UINT64)(UINTN)ST->ConfigurationTable[i].VendorTable;
	if (ld->bi->rsdp_phys)
		say(L"ACPI RSDP at 0x%lx", ld->bi->rsdp_phys);
	else
		say(L"WARNING: the firmware gives no ACPI RSDP");
}

/* Waits STOP_SECONDS or for a key, whichever comes first. */
static void stop_wait(void)
{
	EFI_EVENT ev[2];
	UINTN which;
	EFI_INPUT_KEY key;

	Print(L"apicvisor loader: stopped. Returning to the firmware in %d seconds (press a key to return now).\n",
	      STOP_SECONDS);
	if (EFI_ERROR(uefi_call_wrapper(BS->CreateEvent, 5, EVT_TIMER, 0, NULL, NULL, &ev[0]))) {
		uefi_call_wrapper(BS->Stall, 1, STOP_SECONDS * 1000000ull);
		return;
	}
	uefi_call_wrapper(BS->SetTimer, 3, ev[0], TimerRelative, STOP_SECONDS * 10000000ull);
	uefi_call_wrapper(ST->ConIn->Reset, 2, ST->ConIn, FALSE);
	ev[1] = ST->ConIn->WaitForKey;
	if (!EFI_ERROR(uefi_call_wrapper(BS->WaitForEvent, 3, 2, ev, &which)) && which == 1)
		uefi_call_wrapper(ST->ConIn->ReadKeyStroke, 2, ST->ConIn, &key);
	uefi_call_wrapper(BS->CloseEvent, 1, ev[0]);
}

/* Every step in order; returns only on an error, which it has printed. */
static EFI_STATUS run(struct loader *ld)
{
	EFI_STATUS st;

	if (EFI_ERROR((st = volume_open(ld))) || EFI_ERROR((st = bootinfo_alloc(ld))) ||
	    EFI_ERROR((st = image_load(ld))) || EFI_ERROR((st = modules_load(ld))))
		return st;
	ld->bi->image_phys_base = ld->image_phys;
	ld->bi->image_phys_size = ld->elf.hdr.image_size;
	cmdline_fill(ld);
	acpi_fill(ld);
	cpus_fill(ld);
	if (EFI_ERROR((st = pagetable_build(ld))))
		return st;
	return handoff(ld);
}

static struct loader loader;

/* Called by gnu-efi's crt0 (System V ABI) after it has applied the relocations. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image, systab);
	loader.image_handle = image;
	Print(L"\n%a\n", LOADER_NAME);
	EFI_STATUS st = run(&loader);
	if (loader.root)
		uefi_call_wrapper(loader.root->Close, 1, loader.root);
	pages_free_all(&loader);
	stop_wait();
	return st;
}
