/* guest_acpi.c: the firmware tables a guest finds: RSDP, RSDT, MADT (ACPI 6.5, chapter 5). */
#include "vmm/partition/guest_acpi.h"

#include <stddef.h>

#include "arch/x86/acpi.h"
#include "arch/x86/madt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define GUEST_ACPI_OEM_ID "APICVR" /* 6 bytes, no terminator in the tables */
#define GUEST_ACPI_OEM_TABLE_ID "APICVISR"
#define GUEST_ACPI_CREATOR_ID "APCV"
#define GUEST_ACPI_REVISION 1 /* OEM and creator revisions */

#define ACPI_RSDP_V1_LEN 20 /* revision 0: up to and with rsdt_address (ACPI 5.2.5.3) */
#define ACPI_SDT_REVISION 1 /* the ACPI 1.0 layouts, which every entry below has */

/* MADT layout (ACPI 6.5, 5.2.12): header, then the structures of Tables 5.46 ff. */
#define MADT_HEADER_LEN 44
#define MADT_LAPIC_LEN 8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN 10
#define MADT_BUS_ISA 0
/* The PC's timer: ISA IRQ 0 arrives at I/O APIC input 2. */
#define ISA_IRQ_TIMER 0
#define GSI_TIMER 2

/* Where each table goes: one after the other, 16-byte aligned. */
#define ALIGN16(x) (((x) + 15) & ~15ull)
#define RSDT_LEN (sizeof(struct acpi_sdt_header) + 4) /* one entry: the MADT */
#define RSDT_GPA ALIGN16(GUEST_RSDP_GPA + ACPI_RSDP_V1_LEN)
#define MADT_GPA ALIGN16(RSDT_GPA + RSDT_LEN)
#define MADT_MAX_LEN (MADT_HEADER_LEN + GUEST_ACPI_MAX_VCPUS * MADT_LAPIC_LEN + MADT_IOAPIC_LEN + MADT_ISO_LEN)
_Static_assert(MADT_GPA + MADT_MAX_LEN <= GUEST_FIRMWARE_END, "the largest tables fit the firmware area");
_Static_assert(GUEST_ACPI_MAX_VCPUS <= 0xff, "APIC IDs fit the 8-bit Local APIC entry, 0xff excluded");

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static bool cfg_ok(const struct guest_acpi_cfg *cfg)
{
	uint32_t max = cfg->ioapic ? GUEST_ACPI_MAX_VCPUS - 1 : GUEST_ACPI_MAX_VCPUS;

	if (!cfg->vcpus || cfg->vcpus > max || cfg->lapic_base > UINT32_MAX)
		return false;
	return !cfg->ioapic || cfg->ioapic_base <= UINT32_MAX;
}

/* The header of a table whose len bytes are already in place at t, then its checksum. */
static void sdt_seal(uint8_t *t, const char sig[4], uint32_t len)
{
	struct acpi_sdt_header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.signature, sig, 4);
	h.length = len;
	h.revision = ACPI_SDT_REVISION;
	memcpy(h.oem_id, GUEST_ACPI_OEM_ID, sizeof(h.oem_id));
	memcpy(h.oem_table_id, GUEST_ACPI_OEM_TABLE_ID, sizeof(h.oem_table_id));
	h.oem_revision = GUEST_ACPI_REVISION;
	memcpy(&h.creator_id, GUEST_ACPI_CREATOR_ID, sizeof(h.creator_id));
	h.creator_revision = GUEST_ACPI_REVISION;
	memcpy(t, &h, sizeof(h));
	t[offsetof(struct acpi_sdt_header, checksum)] = (uint8_t)-acpi_checksum(t, len);
}

/* Local APICs with APIC ID = ACPI UID = index, then the I/O APIC and the timer's override. */
static uint32_t madt_body(uint8_t *t, const struct guest_acpi_cfg *cfg)
{
	uint32_t off = MADT_HEADER_LEN;

	put32(t + 36, (uint32_t)cfg->lapic_base);
	put32(t + 40, MADT_PCAT_COMPAT); /* dual 8259s present (masked, ignored) */
	for (uint32_t i = 0; i < cfg->vcpus; i++, off += MADT_LAPIC_LEN) {
		uint8_t *e = t + off;
		e[0] = MADT_TYPE_LOCAL_APIC;
		e[1] = MADT_LAPIC_LEN;
		e[2] = (uint8_t)i; /* ACPI processor UID */
		e[3] = (uint8_t)i; /* APIC ID */
		put32(e + 4, MADT_LAPIC_ENABLED);
	}
	if (!cfg->ioapic)
		return off;
	t[off] = MADT_TYPE_IO_APIC;
	t[off + 1] = MADT_IOAPIC_LEN;
	t[off + 2] = (uint8_t)cfg->vcpus; /* the first ID after the vCPUs' */
	t[off + 3] = 0;                   /* reserved */
	put32(t + off + 4, (uint32_t)cfg->ioapic_base);
	put32(t + off + 8, 0); /* GSI base */
	off += MADT_IOAPIC_LEN;
	t[off] = MADT_TYPE_INTERRUPT_OVERRIDE;
	t[off + 1] = MADT_ISO_LEN;
	t[off + 2] = MADT_BUS_ISA;
	t[off + 3] = ISA_IRQ_TIMER;
	put32(t + off + 4, GSI_TIMER);
	put16(t + off + 8, MADT_INTI_POLARITY_HIGH | MADT_INTI_TRIGGER_EDGE);
	return off + MADT_ISO_LEN;
}

static void rsdp_write(uint8_t *p, uint32_t rsdt)
{
	struct acpi_rsdp r;

	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", sizeof(r.signature));
	memcpy(r.oem_id, GUEST_ACPI_OEM_ID, sizeof(r.oem_id));
	r.revision = 0;
	r.rsdt_address = rsdt;
	r.checksum = (uint8_t)-acpi_checksum(&r, ACPI_RSDP_V1_LEN);
	memcpy(p, &r, ACPI_RSDP_V1_LEN);
}

bool guest_acpi_build(const struct guest_ram *g, const struct guest_acpi_cfg *cfg)
{
	if (!g->ram || g->size < GUEST_FIRMWARE_END || !cfg_ok(cfg))
		return false;
	uint8_t *ram = g->ram;
	/* Zeroed first: stale bytes could hold a signature an RSDP scan would find. */
	memset(ram + GUEST_FIRMWARE_BASE, 0, GUEST_FIRMWARE_END - GUEST_FIRMWARE_BASE);
	sdt_seal(ram + MADT_GPA, "APIC", madt_body(ram + MADT_GPA, cfg));
	put32(ram + RSDT_GPA + sizeof(struct acpi_sdt_header), MADT_GPA);
	sdt_seal(ram + RSDT_GPA, "RSDT", RSDT_LEN);
	rsdp_write(ram + GUEST_RSDP_GPA, RSDT_GPA);
	return true;
}
