/* acpi_boot.c: locating the firmware's ACPI tables at boot and keeping what was found. */
#include "arch/x86/acpi.h"
#include "vmm/lib/log.h"
#include "vmm/lib/string.h"
#include "vmm/mm/mm.h"

static struct {
	bool ready;
	const struct acpi_rsdp *rsdp;
	const struct acpi_sdt_header *root;
	bool is_xsdt;
	char oem_id[7];
	struct acpi_power_info power;
} acpi;

/* Legacy BIOS search (ACPI 5.2.5.1): first KiB of the EBDA, then 0xe0000-0xfffff. */
static uint64_t bios_find_rsdp(void)
{
	uint64_t ebda = (uint64_t) * (const uint16_t *)phys_to_virt(0x40e) << 4;
	uint64_t areas[2][2] = {{ebda, ebda + 1024}, {0xe0000, 0x100000}};

	for (int a = 0; a < 2; a++) {
		if (areas[a][0] < 0x400 || areas[a][1] > 0x100000)
			continue;
		for (uint64_t p = areas[a][0]; p + sizeof(struct acpi_rsdp) <= areas[a][1]; p += 16)
			if (memcmp(phys_to_virt(p), "RSD PTR ", 8) == 0 && acpi_checksum(phys_to_virt(p), 20) == 0)
				return p;
	}
	return 0;
}

enum acpi_err acpi_init(const struct acpi_rsdp *rsdp, const char *origin)
{
	enum acpi_err e;

	if (!rsdp) {
		uint64_t p = bios_find_rsdp();
		if (!p) {
			pr_warn("acpi: no RSDP from the boot loader or in the BIOS areas: this machine has no ACPI");
			return ACPI_ERR_NOT_FOUND;
		}
		rsdp = phys_to_virt(p);
		origin = "found in the BIOS area";
	}
	acpi.rsdp = rsdp;
	e = acpi_rsdp_check(rsdp);
	if (e != ACPI_OK) {
		pr_err("acpi: the RSDP (%s, at %p) has a %s: the firmware's tables cannot be trusted", origin,
		       (const void *)rsdp, acpi_strerror(e));
		return e;
	}
	memcpy(acpi.oem_id, rsdp->oem_id, 6);
	e = acpi_root(rsdp, &acpi.root, &acpi.is_xsdt);
	if (e != ACPI_OK) {
		pr_err("acpi: the %s named by the RSDP has a %s: the firmware's tables cannot be trusted",
		       acpi.is_xsdt ? "XSDT" : "RSDT", acpi_strerror(e));
		return e;
	}
	acpi.ready = true;
	pr_info("acpi: RSDP (%s): revision %u, OEM \"%s\", %s at %p with %u tables", origin, rsdp->revision,
	        acpi.oem_id, acpi.is_xsdt ? "XSDT" : "RSDT", (const void *)acpi.root,
	        (acpi.root->length - 36) / (acpi.is_xsdt ? 8 : 4));
	const struct acpi_sdt_header *fadt = acpi_table("FACP");
	if (fadt) {
		acpi_parse_fadt(fadt, &acpi.power);
		pr_info("acpi: FADT: PM1a_CNT %#x PM1b_CNT %#x, S5 %s, reset register %s", acpi.power.pm1a_cnt,
		        acpi.power.pm1b_cnt, acpi.power.s5_valid ? "found" : "not found",
		        acpi.power.reset_valid ? "present" : "absent");
	} else {
		pr_warn("acpi: no valid FADT: power-off falls back to emulator ports and reset");
	}
	return ACPI_OK;
}

const struct acpi_sdt_header *acpi_table(const char sig[4])
{
	const struct acpi_sdt_header *t = 0;

	if (!acpi.ready)
		return 0;
	enum acpi_err e = acpi_find(acpi.root, acpi.is_xsdt, sig, &t);
	if (e != ACPI_OK && e != ACPI_ERR_NOT_FOUND)
		pr_warn("acpi: table %.4s has a %s: ignored", sig, acpi_strerror(e));
	return e == ACPI_OK ? t : 0;
}

const struct acpi_power_info *acpi_power(void) { return acpi.ready ? &acpi.power : 0; }

const char *acpi_oem_id(void) { return acpi.oem_id; }
