/* acpi.c: finding and checking the firmware's ACPI tables (ACPI 6.5, chapter 5). */
#include "arch/x86/acpi.h"

#include "vmm/lib/string.h"

/* No real table is this large; a bigger length is treated as corruption. */
#define ACPI_TABLE_MAX_LEN (16u * 1024 * 1024)

const char *acpi_strerror(enum acpi_err e)
{
	switch (e) {
	case ACPI_OK: return "ok";
	case ACPI_ERR_SIGNATURE: return "bad signature";
	case ACPI_ERR_CHECKSUM: return "bad checksum";
	case ACPI_ERR_LENGTH: return "bad length";
	case ACPI_ERR_NOT_FOUND: return "not found";
	case ACPI_ERR_MALFORMED: return "malformed";
	}
	return "?";
}

uint8_t acpi_checksum(const void *p, uint64_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

enum acpi_err acpi_rsdp_check(const struct acpi_rsdp *rsdp)
{
	if (memcmp(rsdp->signature, "RSD PTR ", 8) != 0)
		return ACPI_ERR_SIGNATURE;
	if (acpi_checksum(rsdp, 20) != 0)
		return ACPI_ERR_CHECKSUM;
	if (rsdp->revision < 2)
		return ACPI_OK;
	if (rsdp->length < sizeof(*rsdp) || rsdp->length > 4096)
		return ACPI_ERR_LENGTH;
	if (acpi_checksum(rsdp, rsdp->length) != 0)
		return ACPI_ERR_CHECKSUM;
	return ACPI_OK;
}

enum acpi_err acpi_sdt_check(const struct acpi_sdt_header *h, uint32_t min_len, uint32_t max_len)
{
	if (h->length < sizeof(*h) || h->length < min_len || h->length > max_len)
		return ACPI_ERR_LENGTH;
	if (acpi_checksum(h, h->length) != 0)
		return ACPI_ERR_CHECKSUM;
	return ACPI_OK;
}

enum acpi_err acpi_root(const struct acpi_rsdp *rsdp, const struct acpi_sdt_header **root, bool *is_xsdt)
{
	*is_xsdt = rsdp->revision >= 2 && rsdp->xsdt_address;
	uint64_t addr = *is_xsdt ? rsdp->xsdt_address : rsdp->rsdt_address;
	if (!addr)
		return ACPI_ERR_NOT_FOUND;
	const struct acpi_sdt_header *h = (const void *)(uintptr_t)addr;
	if (memcmp(h->signature, *is_xsdt ? "XSDT" : "RSDT", 4) != 0)
		return ACPI_ERR_SIGNATURE;
	enum acpi_err e = acpi_sdt_check(h, sizeof(*h), ACPI_TABLE_MAX_LEN);
	if (e == ACPI_OK && (h->length - sizeof(*h)) % (*is_xsdt ? 8 : 4) != 0)
		e = ACPI_ERR_LENGTH;
	*root = h;
	return e;
}

static uint64_t root_entry(const struct acpi_sdt_header *root, bool is_xsdt, uint32_t i)
{
	const uint8_t *body = (const uint8_t *)(root + 1);
	uint64_t v = 0;

	memcpy(&v, body + (uint64_t)i * (is_xsdt ? 8 : 4), is_xsdt ? 8 : 4);
	return v;
}

enum acpi_err acpi_find(const struct acpi_sdt_header *root, bool is_xsdt, const char sig[4],
                        const struct acpi_sdt_header **out)
{
	uint32_t n = (root->length - sizeof(*root)) / (is_xsdt ? 8 : 4);
	enum acpi_err last = ACPI_ERR_NOT_FOUND;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = root_entry(root, is_xsdt, i);
		if (!addr)
			continue;
		const struct acpi_sdt_header *h = (const void *)(uintptr_t)addr;
		if (memcmp(h->signature, sig, 4) != 0)
			continue;
		last = acpi_sdt_check(h, sizeof(*h), ACPI_TABLE_MAX_LEN);
		if (last == ACPI_OK) {
			*out = h;
			return ACPI_OK;
		}
	}
	return last;
}

/* AML PkgLength (ACPI 20.2.4): returns bytes it occupies, 0 if malformed. */
static unsigned aml_pkg_length(const uint8_t *p, uint64_t avail)
{
	if (avail == 0)
		return 0;
	unsigned follow = p[0] >> 6;
	return follow + 1 <= avail ? follow + 1 : 0;
}

/* One integer element of a package: returns bytes used, 0 if not an integer. */
static unsigned aml_integer(const uint8_t *p, uint64_t avail, uint8_t *v)
{
	if (avail < 1)
		return 0;
	switch (p[0]) {
	case 0x00: *v = 0; return 1; /* ZeroOp */
	case 0x01: *v = 1; return 1; /* OneOp */
	case 0x0a:                   /* BytePrefix */
		if (avail < 2)
			return 0;
		*v = p[1];
		return 2;
	case 0x0b: /* WordPrefix: SLP_TYP is 3 bits, so the low byte suffices */
		if (avail < 3)
			return 0;
		*v = p[1];
		return 3;
	case 0x0c: /* DWordPrefix */
		if (avail < 5)
			return 0;
		*v = p[1];
		return 5;
	default: return 0;
	}
}

enum acpi_err acpi_aml_find_s5(const uint8_t *aml, uint64_t len, uint8_t *slp_a, uint8_t *slp_b)
{
	/* Look for NameOp, (optional root prefix), "_S5_", PackageOp. */
	for (uint64_t i = 1; i + 5 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		bool named = aml[i - 1] == 0x08 || (i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == 0x08);
		if (!named || aml[i + 4] != 0x12)
			continue;
		const uint8_t *p = aml + i + 5;
		uint64_t avail = len - (i + 5);
		unsigned n = aml_pkg_length(p, avail);
		if (!n || avail < n + 1)
			return ACPI_ERR_MALFORMED;
		p += n + 1; /* PkgLength, then NumElements */
		avail -= n + 1;
		unsigned a = aml_integer(p, avail, slp_a);
		unsigned b = a ? aml_integer(p + a, avail - a, slp_b) : 0;
		if (!a)
			return ACPI_ERR_MALFORMED;
		if (!b)
			*slp_b = 0;
		return ACPI_OK;
	}
	return ACPI_ERR_NOT_FOUND;
}

static uint32_t rd32(const struct acpi_sdt_header *t, uint32_t off)
{
	uint32_t v = 0;
	if (off + 4 <= t->length)
		memcpy(&v, (const uint8_t *)t + off, 4);
	return v;
}

static uint64_t rd64(const struct acpi_sdt_header *t, uint32_t off)
{
	uint64_t v = 0;
	if (off + 8 <= t->length)
		memcpy(&v, (const uint8_t *)t + off, 8);
	return v;
}

/* A fixed-hardware port: the legacy field, else the extended GAS if it is in I/O space. */
static uint16_t pm1_port(const struct acpi_sdt_header *fadt, uint32_t legacy_off, uint32_t gas_off)
{
	uint32_t port = rd32(fadt, legacy_off);
	struct acpi_gas gas;

	if (port)
		return (uint16_t)port;
	if (gas_off + sizeof(gas) > fadt->length)
		return 0;
	memcpy(&gas, (const uint8_t *)fadt + gas_off, sizeof(gas));
	return gas.space_id == ACPI_GAS_SYSTEM_IO && gas.address <= 0xffff ? (uint16_t)gas.address : 0;
}

void acpi_parse_fadt(const struct acpi_sdt_header *fadt, struct acpi_power_info *out)
{
	memset(out, 0, sizeof(*out));
	out->pm1a_cnt = pm1_port(fadt, FADT_OFF_PM1A_CNT_BLK, FADT_OFF_X_PM1A_CNT_BLK);
	out->pm1b_cnt = pm1_port(fadt, FADT_OFF_PM1B_CNT_BLK, FADT_OFF_X_PM1B_CNT_BLK);
	out->pm_tmr = pm1_port(fadt, FADT_OFF_PM_TMR_BLK, FADT_OFF_X_PM_TMR_BLK);
	uint32_t flags = rd32(fadt, FADT_OFF_FLAGS);
	out->pm_tmr_32bit = (flags & FADT_FLAG_TMR_VAL_EXT) != 0;
	if ((flags & FADT_FLAG_RESET_REG_SUP) && fadt->length >= FADT_OFF_RESET_VALUE + 1) {
		memcpy(&out->reset_reg, (const uint8_t *)fadt + FADT_OFF_RESET_REG, sizeof(out->reset_reg));
		out->reset_value = ((const uint8_t *)fadt)[FADT_OFF_RESET_VALUE];
		out->reset_valid = out->reset_reg.address != 0;
	}
	uint64_t dsdt = rd64(fadt, FADT_OFF_X_DSDT);
	if (!dsdt)
		dsdt = rd32(fadt, FADT_OFF_DSDT);
	if (!dsdt)
		return;
	const struct acpi_sdt_header *d = (const void *)(uintptr_t)dsdt;
	if (memcmp(d->signature, "DSDT", 4) != 0 || acpi_sdt_check(d, sizeof(*d), ACPI_TABLE_MAX_LEN) != ACPI_OK)
		return;
	out->s5_valid = acpi_aml_find_s5((const uint8_t *)(d + 1), d->length - sizeof(*d), &out->slp_typ_a,
	                                 &out->slp_typ_b) == ACPI_OK;
}
