/*
 * acpi_power.c: the firmware tables and power paths as an ACPI OS finds them: the RSDP by the BIOS scan, every
 * checksum and length, XSDT -> FADT -> DSDT and its \_S5, the MADT against CPUID's topology, CPUID 0x15/0x16
 * against the hypervisor's TSC rate; then S5 through the sleep control register, or with reset=1 the reset
 * register first, and S5 once restarted (docs/guest-platform.md).
 */
#include "arch/x86/acpi.h"
#include "guest/lib/guest.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define BIOS_AREA_BASE 0xe0000u /* ACPI 6.5, 5.2.5.1: 16-byte boundaries up to 0xfffff */
#define BIOS_AREA_END 0x100000u
#define AML_NAME_OP 0x08
#define AML_PACKAGE_OP 0x12
#define AML_BYTE_PREFIX 0x0a

static uint8_t sum(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

static const struct acpi_rsdp *find_rsdp(void)
{
	for (uint32_t a = BIOS_AREA_BASE; a < BIOS_AREA_END; a += 16) {
		const struct acpi_rsdp *r = (const void *)(uintptr_t)a;
		if (memcmp(r->signature, "RSD PTR ", 8) == 0 && sum(r, 20) == 0)
			return r;
	}
	return NULL;
}

/* A table where a pointer says: below 4 GiB, its signature, a sane length, checksum 0. */
static const struct acpi_sdt_header *table(uint64_t addr, const char sig[4])
{
	if (!addr || addr >= BIOS_AREA_END)
		return NULL;
	const struct acpi_sdt_header *h = (const void *)(uintptr_t)addr;
	bool ok = memcmp(h->signature, sig, 4) == 0 && h->length >= sizeof(*h) && addr + h->length <= BIOS_AREA_END;
	expect_true(ok ? "table signature and length" : sig, ok);
	if (!ok)
		return NULL;
	expect_eq("table checksum", sum(h, h->length), 0);
	return h;
}

/* The XSDT's entry with signature sig. */
static const struct acpi_sdt_header *xsdt_find(const struct acpi_sdt_header *xsdt, const char sig[4])
{
	const uint8_t *e = (const uint8_t *)(xsdt + 1);

	for (uint32_t i = 0; i < (xsdt->length - sizeof(*xsdt)) / 8; i++) {
		uint64_t a;
		memcpy(&a, e + 8 * i, 8);
		const struct acpi_sdt_header *h = (const void *)(uintptr_t)a;
		if (a < BIOS_AREA_END && memcmp(h->signature, sig, 4) == 0)
			return table(a, sig);
	}
	return NULL;
}

/* \_S5's first package element (Name (_S5, Package { SLP_TYPa, ... })), or -1. */
static int s5_type(const struct acpi_sdt_header *dsdt)
{
	const uint8_t *a = (const uint8_t *)dsdt;

	for (uint32_t i = sizeof(*dsdt); i + 9 <= dsdt->length; i++) {
		if (a[i - 1] != AML_NAME_OP || memcmp(a + i, "_S5_", 4) != 0 || a[i + 4] != AML_PACKAGE_OP)
			continue;
		const uint8_t *el = a + i + 5 + 1 + 1; /* PackageOp, a one-byte PkgLength, NumElements */
		return el[0] == AML_BYTE_PREFIX ? el[1] : el[0] <= 1 ? el[0] : -1;
	}
	return -1;
}

static void check_fadt(const struct acpi_fadt *f)
{
	EXPECT_EQ(f->header.revision, ACPI_FADT_REVISION);
	EXPECT_EQ(f->header.length, sizeof(*f));
	EXPECT_TRUE((f->flags & FADT_FLAG_HW_REDUCED_ACPI) != 0);
	EXPECT_TRUE((f->flags & FADT_FLAG_RESET_REG_SUP) != 0);
	EXPECT_EQ(f->iapc_boot_arch & FADT_IAPC_8042, 0);
	EXPECT_TRUE((f->iapc_boot_arch & FADT_IAPC_CMOS_RTC_NOT_PRESENT) != 0);
	EXPECT_EQ(f->pm1a_cnt_blk | f->pm_tmr_blk | f->sci_int, 0);
	EXPECT_EQ(f->sleep_control_reg.space_id, ACPI_GAS_SYSTEM_IO);
	EXPECT_EQ(f->sleep_control_reg.address, GUEST_ACPI_SLEEP_CONTROL_PORT);
	EXPECT_EQ(f->sleep_status_reg.address, GUEST_ACPI_SLEEP_STATUS_PORT);
	EXPECT_EQ(f->reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	EXPECT_EQ(f->reset_reg.address, GUEST_ACPI_RESET_PORT);
	EXPECT_EQ(f->x_dsdt, f->dsdt);
}

/* Local APIC entries: their count, and each APIC ID = UID = index. */
static uint32_t madt_cpus(const struct acpi_sdt_header *madt)
{
	const uint8_t *t = (const uint8_t *)madt;
	uint32_t n = 0;

	for (uint32_t off = 44; off + 2 <= madt->length && t[off + 1] >= 2; off += t[off + 1]) {
		if (t[off] != 0) /* Processor Local APIC */
			continue;
		expect_true("Local APIC entry: APIC ID = UID = index", t[off + 2] == n && t[off + 3] == n);
		n++;
	}
	return n;
}

static void check_cpuid(uint32_t madt_n)
{
	static struct hc_root_cycles rc;
	uint32_t r[4], l15[4], l16[4];

	cpuid(0, 0, r);
	EXPECT_TRUE(r[0] >= 0x16);
	cpuid(1, 0, r);
	EXPECT_EQ(r[1] >> 24, 0);              /* the BSP, vCPU 0 */
	EXPECT_TRUE((r[2] & (1u << 31)) != 0); /* hypervisor */
	EXPECT_TRUE((r[2] & (1u << 24)) != 0); /* TSC-deadline */
	EXPECT_TRUE((r[2] & (1u << 21)) != 0); /* x2APIC */
	cpuid(0xb, 1, r);
	EXPECT_EQ(r[1], madt_n); /* cores = the MADT's processors */
	EXPECT_EQ((r[2] >> 8) & 0xff, 2);
	EXPECT_EQ(vmcall(HC_ROOT_CYCLES, (uint32_t)(uintptr_t)&rc, sizeof(rc), 0), 0);
	cpuid(0x15, 0, l15);
	cpuid(0x16, 0, l16);
	EXPECT_TRUE(l15[0] != 0 && l15[1] != 0 && l15[2] != 0);
	uint64_t khz = (uint64_t)(l15[2] / 1000) * l15[1] / (l15[0] ? l15[0] : 1);
	guest_printf("# CPUID 0x15: %u Hz x %u / %u = %u kHz; hypervisor: %u kHz; 0x16: %u MHz\n", l15[2], l15[1],
	             l15[0], (uint32_t)khz, (uint32_t)rc.tsc_khz, l16[0]);
	EXPECT_TRUE(khz + 1 >= rc.tsc_khz && khz <= rc.tsc_khz + 1);
	EXPECT_EQ(l16[0], (uint32_t)(rc.tsc_khz / 1000));
}

/* A sleep type the platform lacks is ignored and reads as an immediate wake; WAK_STS clears on a 1. */
static void check_other_sleep_type(void)
{
	EXPECT_EQ(inb(GUEST_ACPI_SLEEP_STATUS_PORT), 0);
	outb(GUEST_ACPI_SLEEP_CONTROL_PORT, 1 << ACPI_SLEEP_CTL_SLP_TYP_SHIFT | ACPI_SLEEP_CTL_SLP_EN);
	EXPECT_EQ(inb(GUEST_ACPI_SLEEP_STATUS_PORT), ACPI_SLEEP_STS_WAK_STS);
	outb(GUEST_ACPI_SLEEP_STATUS_PORT, ACPI_SLEEP_STS_WAK_STS);
	EXPECT_EQ(inb(GUEST_ACPI_SLEEP_STATUS_PORT), 0);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cl = magic == MULTIBOOT_BOOTLOADER_MAGIC ? guest_cmdline(mbi) : "";
	uint32_t starts = vmcall(HC_START_COUNT, 0, 0, 0);
	const struct acpi_rsdp *rsdp = find_rsdp();
	const struct acpi_sdt_header *xsdt, *madt = NULL;
	const struct acpi_fadt *fadt = NULL;
	int s5 = -1;

	guest_printf("acpi_power: start %u\n", starts + 1);
	EXPECT_EQ((uintptr_t)rsdp, GUEST_RSDP_GPA);
	if (rsdp) {
		EXPECT_EQ(rsdp->revision, 2);
		EXPECT_EQ(rsdp->length, sizeof(*rsdp));
		EXPECT_EQ(sum(rsdp, rsdp->length), 0);
		EXPECT_TRUE(table(rsdp->rsdt_address, "RSDT") != NULL);
	}
	xsdt = rsdp ? table(rsdp->xsdt_address, "XSDT") : NULL;
	if (xsdt) {
		fadt = (const void *)xsdt_find(xsdt, "FACP");
		madt = xsdt_find(xsdt, "APIC");
	}
	EXPECT_TRUE(fadt != NULL && madt != NULL);
	if (fadt) {
		check_fadt(fadt);
		const struct acpi_sdt_header *dsdt = table(fadt->x_dsdt, "DSDT");
		s5 = dsdt ? s5_type(dsdt) : -1;
		EXPECT_EQ(s5, GUEST_ACPI_SLP_TYP_S5);
	}
	check_cpuid(madt ? madt_cpus(madt) : 0);
	check_other_sleep_type();
	if (cmdline_uint(cl, "reset", 0) && starts == 0 && fadt) {
		guest_puts("acpi_power: writing the reset register\n");
		outb((uint16_t)fadt->reset_reg.address, fadt->reset_value);
		expect_true("the reset register reboots the guest", false);
	}
	EXPECT_EQ(starts, cmdline_uint(cl, "reset", 0) ? 1 : 0);
	guest_printf("SUMMARY: %u tests, %u failures\n", guest_tests_run(), guest_tests_failed());
	if (s5 >= 0 && fadt)
		outb((uint16_t)fadt->sleep_control_reg.address,
		     (uint8_t)(s5 << ACPI_SLEEP_CTL_SLP_TYP_SHIFT | ACPI_SLEEP_CTL_SLP_EN));
	guest_puts("acpi_power: still running after S5\n");
	guest_exit(1);
}
