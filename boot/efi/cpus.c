/* cpus.c: the processors from UEFI MP services, for firmware that gives the hypervisor no ACPI MADT. */
#include "boot/efi/loader.h"
#include "boot/efi/mp_services.h"

/* What the walk over the firmware's processors found. */
struct cpu_walk {
	UINT64 bsp_id;
	BOOLEAN have_bsp;
	UINT32 dropped; /* beyond BOOT_CPU_MAX */
};

static void cpu_say(UINTN n, const struct efi_processor_info *pi)
{
	UINT32 f = pi->status_flag;

	say(L"processor %ld: APIC ID %ld%s, %s, %s (package %d, core %d, thread %d)", (UINT64)n, pi->processor_id,
	    (f & EFI_PROCESSOR_AS_BSP_BIT) ? L", BSP" : L"", (f & EFI_PROCESSOR_ENABLED_BIT) ? L"enabled" : L"disabled",
	    (f & EFI_PROCESSOR_HEALTH_STATUS_BIT) ? L"healthy" : L"failed its self-test", pi->location.package,
	    pi->location.core, pi->location.thread);
}

/* Processor number n into boot_info.cpus[], printed if kept. */
static void cpu_one(struct loader *ld, struct efi_mp_services *mp, UINTN n, struct cpu_walk *w)
{
	union efi_cpu_info_buf buf;

	zero(&buf, sizeof(buf));
	EFI_STATUS st = uefi_call_wrapper(mp->GetProcessorInfo, 3, mp, n, &buf.info);
	if (EFI_ERROR(st)) {
		say(L"WARNING: processor %ld: GetProcessorInfo failed: %r; left out", (UINT64)n, st);
		return;
	}
	if (buf.info.status_flag & EFI_PROCESSOR_AS_BSP_BIT) {
		w->bsp_id = buf.info.processor_id;
		w->have_bsp = TRUE;
	}
	switch (cpu_list_add(ld->bi->cpus, &ld->bi->cpu_count, BOOT_CPU_MAX, &buf.info)) {
	case CPU_ADDED: cpu_say(n, &buf.info); break;
	case CPU_TABLE_FULL: w->dropped++; break;
	case CPU_BAD_ID:
		say(L"WARNING: processor %ld: ID 0x%lx is not an APIC ID; left out", (UINT64)n, buf.info.processor_id);
		break;
	}
}

void cpus_fill(struct loader *ld)
{
	static EFI_GUID mp_guid = EFI_MP_SERVICES_PROTOCOL_GUID;
	struct efi_mp_services *mp;
	UINTN total = 0, enabled = 0;
	struct cpu_walk w = {0};

	EFI_STATUS st = uefi_call_wrapper(BS->LocateProtocol, 3, &mp_guid, NULL, (void **)&mp);
	if (EFI_ERROR(st)) {
		say(L"no UEFI MP services (%r): processors left to the hypervisor (ACPI MADT)", st);
		return;
	}
	st = uefi_call_wrapper(mp->GetNumberOfProcessors, 3, mp, &total, &enabled);
	if (EFI_ERROR(st)) {
		say(L"WARNING: UEFI MP services cannot count the processors (%r): none listed", st);
		return;
	}
	for (UINTN n = 0; n < total; n++)
		cpu_one(ld, mp, n, &w);
	if (w.dropped)
		say(L"WARNING: the firmware reports %ld processors; only the first %d are passed on", (UINT64)total,
		    BOOT_CPU_MAX);
	if (w.have_bsp)
		say(L"%d processors from UEFI MP services (BSP APIC ID %ld)", ld->bi->cpu_count, w.bsp_id);
	else
		say(L"%d processors from UEFI MP services (WARNING: none is marked as the BSP)", ld->bi->cpu_count);
	if (enabled < total)
		say(L"%ld of the %ld processors are disabled by the firmware", (UINT64)(total - enabled),
		    (UINT64)total);
}
