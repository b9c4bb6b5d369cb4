/* guest_acpi.c: the firmware tables a guest finds: RSDP, XSDT, RSDT, FADT, MADT, DSDT (ACPI 6.5, chapter 5). */
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

#define ACPI_RSDP_V1_LEN 20             /* up to and with rsdt_address: what the first checksum covers (ACPI 5.2.5.3) */
#define ACPI_RSDP_REVISION 2            /* ACPI 2.0 and later: the XSDT and the extended checksum */
#define ACPI_SDT_REVISION 1             /* RSDT, XSDT and MADT: the revision of their layouts here */
#define GUEST_ACPI_HV_VENDOR "APICVISR" /* the FADT's hypervisor vendor identity, 8 bytes */

/* MADT layout (ACPI 6.5, 5.2.12): header, then the structures of Tables 5.46 ff. */
#define MADT_HEADER_LEN 44
#define MADT_LAPIC_LEN 8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN 10
#define MADT_BUS_ISA 0
/* The PC's timer: ISA IRQ 0 arrives at I/O APIC input 2. */
#define ISA_IRQ_TIMER 0
#define GSI_TIMER 2

/* Where each table goes: one after the other, 16-byte aligned; the DSDT last, as long as it is. */
#define ALIGN16(x) (((x) + 15) & ~15ull)
#define ROOT_ENTRIES 2 /* the FADT, then the MADT */
#define XSDT_LEN (sizeof(struct acpi_sdt_header) + 8 * ROOT_ENTRIES)
#define RSDT_LEN (sizeof(struct acpi_sdt_header) + 4 * ROOT_ENTRIES)
#define XSDT_GPA ALIGN16(GUEST_RSDP_GPA + sizeof(struct acpi_rsdp))
#define RSDT_GPA ALIGN16(XSDT_GPA + XSDT_LEN)
#define FADT_GPA ALIGN16(RSDT_GPA + RSDT_LEN)
#define MADT_GPA ALIGN16(FADT_GPA + sizeof(struct acpi_fadt))
#define MADT_MAX_LEN (MADT_HEADER_LEN + GUEST_ACPI_MAX_VCPUS * MADT_LAPIC_LEN + MADT_IOAPIC_LEN + MADT_ISO_LEN)
#define DSDT_GPA ALIGN16(MADT_GPA + MADT_MAX_LEN)
_Static_assert(DSDT_GPA + sizeof(struct acpi_sdt_header) <= GUEST_RESET_VECTOR, "the largest tables fit the area");
_Static_assert(GUEST_ACPI_MAX_VCPUS <= 0xff, "APIC IDs fit the 8-bit Local APIC entry, 0xff excluded");

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* A whole, checked DSDT (iasl wrote its header and checksum) that fits the area after the MADT. */
static bool dsdt_ok(const uint8_t *aml, uint32_t len)
{
	struct acpi_sdt_header h;

	if (!aml || len < sizeof(h) || len > GUEST_RESET_VECTOR - DSDT_GPA)
		return false;
	memcpy(&h, aml, sizeof(h));
	return memcmp(h.signature, "DSDT", 4) == 0 && h.length == len && acpi_checksum(aml, len) == 0;
}

static bool cfg_ok(const struct guest_acpi_cfg *cfg)
{
	uint32_t max = cfg->ioapic ? GUEST_ACPI_MAX_VCPUS - 1 : GUEST_ACPI_MAX_VCPUS;

	if (!cfg->vcpus || cfg->vcpus > max || cfg->lapic_base > UINT32_MAX)
		return false;
	if (cfg->ioapic && cfg->ioapic_base > UINT32_MAX)
		return false;
	return dsdt_ok(cfg->dsdt, cfg->dsdt_len);
}

/* The header of a table whose len bytes are already in place at t, then its checksum. */
static void sdt_seal(uint8_t *t, const char sig[4], uint8_t revision, uint32_t len)
{
	struct acpi_sdt_header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.signature, sig, 4);
	h.length = len;
	h.revision = revision;
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

/*
 * Hardware-reduced ACPI (ACPI 6.5, 4.1): no PM1 blocks, PM timer, GPEs, SCI
 * or FACS; sleep through the sleep control and status registers, reset
 * through RESET_REG, all in I/O space (guest_layout.h). IAPC_BOOT_ARCH: COM1
 * is the one legacy device; no 8042, VGA, CMOS RTC or MSI (no PCI bus).
 */
static void fadt_write(uint8_t *t)
{
	const struct acpi_gas sleep_ctl = {ACPI_GAS_SYSTEM_IO, 8, 0, 1, GUEST_ACPI_SLEEP_CONTROL_PORT};
	const struct acpi_gas sleep_sts = {ACPI_GAS_SYSTEM_IO, 8, 0, 1, GUEST_ACPI_SLEEP_STATUS_PORT};
	const struct acpi_gas reset = {ACPI_GAS_SYSTEM_IO, 8, 0, 1, GUEST_ACPI_RESET_PORT};
	struct acpi_fadt f;

	memset(&f, 0, sizeof(f));
	f.dsdt = (uint32_t)DSDT_GPA;
	f.x_dsdt = DSDT_GPA;
	f.iapc_boot_arch = FADT_IAPC_LEGACY_DEVICES | FADT_IAPC_VGA_NOT_PRESENT | FADT_IAPC_MSI_NOT_SUPPORTED |
	                   FADT_IAPC_CMOS_RTC_NOT_PRESENT;
	f.flags = FADT_FLAG_WBINVD | FADT_FLAG_PROC_C1 | FADT_FLAG_PWR_BUTTON | FADT_FLAG_SLP_BUTTON |
	          FADT_FLAG_FIX_RTC | FADT_FLAG_RESET_REG_SUP | FADT_FLAG_HEADLESS | FADT_FLAG_HW_REDUCED_ACPI;
	f.reset_reg = reset;
	f.reset_value = GUEST_ACPI_RESET_VALUE;
	f.minor_version = ACPI_FADT_MINOR_VERSION;
	f.sleep_control_reg = sleep_ctl;
	f.sleep_status_reg = sleep_sts;
	memcpy(&f.hypervisor_vendor_identity, GUEST_ACPI_HV_VENDOR, 8);
	memcpy(t, &f, sizeof(f));
	sdt_seal(t, "FACP", ACPI_FADT_REVISION, sizeof(f));
}

/* The XSDT's 64-bit and the RSDT's 32-bit entries name the same tables. */
static void roots_write(uint8_t *ram)
{
	const uint64_t entry[ROOT_ENTRIES] = {FADT_GPA, MADT_GPA};

	for (unsigned i = 0; i < ROOT_ENTRIES; i++) {
		put64(ram + XSDT_GPA + sizeof(struct acpi_sdt_header) + 8 * i, entry[i]);
		put32(ram + RSDT_GPA + sizeof(struct acpi_sdt_header) + 4 * i, (uint32_t)entry[i]);
	}
	sdt_seal(ram + XSDT_GPA, "XSDT", ACPI_SDT_REVISION, XSDT_LEN);
	sdt_seal(ram + RSDT_GPA, "RSDT", ACPI_SDT_REVISION, RSDT_LEN);
}

static void rsdp_write(uint8_t *p)
{
	struct acpi_rsdp r;

	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", sizeof(r.signature));
	memcpy(r.oem_id, GUEST_ACPI_OEM_ID, sizeof(r.oem_id));
	r.revision = ACPI_RSDP_REVISION;
	r.rsdt_address = (uint32_t)RSDT_GPA;
	r.length = sizeof(r);
	r.xsdt_address = XSDT_GPA;
	r.checksum = (uint8_t)-acpi_checksum(&r, ACPI_RSDP_V1_LEN);
	r.extended_checksum = (uint8_t)-acpi_checksum(&r, sizeof(r));
	memcpy(p, &r, sizeof(r));
}

/*
 * The reset vector's stub, real-mode code (a PC enters the BIOS there):
 * MOV AL, RESET_VALUE; MOV DX, RESET_REG; OUT DX, AL; then HLT for ever,
 * should the write not reset.
 */
static void reset_vector_write(uint8_t *ram)
{
	const uint8_t stub[] = {
	        0xb0,
	        GUEST_ACPI_RESET_VALUE, /* mov al, imm8 */
	        0xba,
	        GUEST_ACPI_RESET_PORT & 0xff,
	        GUEST_ACPI_RESET_PORT >> 8, /* mov dx, imm16 */
	        0xee,                       /* out dx, al */
	        0xf4,                       /* 1: hlt */
	        0xeb,
	        0xfd, /* jmp 1b */
	};
	_Static_assert(GUEST_RESET_VECTOR + sizeof(stub) <= GUEST_FIRMWARE_END, "the stub fits below 1 MiB");

	memcpy(ram + GUEST_RESET_VECTOR, stub, sizeof(stub));
}

bool guest_acpi_build(const struct guest_ram *g, const struct guest_acpi_cfg *cfg)
{
	if (!g->ram || g->size < GUEST_FIRMWARE_END || !cfg_ok(cfg))
		return false;
	uint8_t *ram = g->ram;
	/* Zeroed first: stale bytes could hold a signature an RSDP scan would find. */
	memset(ram + GUEST_FIRMWARE_BASE, 0, GUEST_FIRMWARE_END - GUEST_FIRMWARE_BASE);
	reset_vector_write(ram);
	memcpy(ram + DSDT_GPA, cfg->dsdt, cfg->dsdt_len);
	sdt_seal(ram + MADT_GPA, "APIC", ACPI_SDT_REVISION, madt_body(ram + MADT_GPA, cfg));
	fadt_write(ram + FADT_GPA);
	roots_write(ram);
	rsdp_write(ram + GUEST_RSDP_GPA);
	return true;
}
