/* sources: vmm/partition/guest_acpi.c arch/x86/acpi.c arch/x86/madt.c vmm/lib/string.c */
/* test_guest_acpi.c: the guest's ACPI tables (with the DSDT iasl built), read back with the hypervisor's ACPI and MADT
 * checkers. */
#include "test/unit/unit.h"

#include "arch/x86/acpi.h"
#include "arch/x86/madt.h"
#include "vmm/partition/guest_acpi.h"
#include "vmm/partition/guest_layout.h"

#define FW_SIZE (GUEST_FIRMWARE_END - GUEST_FIRMWARE_BASE)
#define RAM_SIZE (GUEST_FIRMWARE_END + 4096)
#define PATTERN 0xa5

static uint8_t *ram;
static struct madt_info info;
static struct acpi_power_info power;
static uint8_t *dsdt; /* GUEST_DSDT_AML, read once */
static uint32_t dsdt_len;

static int load_dsdt(void **state)
{
	FILE *f = fopen(GUEST_DSDT_AML, "rb");
	static uint8_t buf[64 * 1024];

	(void)state;
	assert_non_null(f);
	dsdt_len = (uint32_t)fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(dsdt_len > 36 && dsdt_len < sizeof(buf));
	dsdt = unit_dup(buf, dsdt_len);
	return 0;
}

static int free_dsdt(void **state)
{
	(void)state;
	free(dsdt);
	return 0;
}

/* Guest RAM as an exact-size heap block (ASan sees any write past it), filled with a pattern. */
static int setup(void **state)
{
	(void)state;
	ram = malloc(RAM_SIZE);
	assert_non_null(ram);
	memset(ram, PATTERN, RAM_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static bool build(uint32_t vcpus, bool ioapic)
{
	const struct guest_ram g = {ram, RAM_SIZE};
	const struct guest_acpi_cfg cfg = {vcpus, GUEST_LAPIC_BASE, ioapic, GUEST_IOAPIC_BASE, dsdt, dsdt_len};

	return guest_acpi_build(&g, &cfg);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void expect_pattern(uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		if (ram[i] != PATTERN)
			fail_msg("byte %#llx written", (unsigned long long)i);
}

/* A table at a guest-physical address: inside the firmware area, header and all; creator "APCV" or iasl's "INTL". */
static const struct acpi_sdt_header *table_at(uint64_t gpa, const char sig[4], const char creator[4])
{
	const struct acpi_sdt_header *h = (const void *)(ram + gpa);

	assert_true(gpa >= GUEST_FIRMWARE_BASE && gpa % 16 == 0);
	assert_true(gpa + sizeof(*h) <= GUEST_FIRMWARE_END && gpa + h->length <= GUEST_FIRMWARE_END);
	assert_memory_equal(h->signature, sig, 4);
	assert_memory_equal(h->oem_id, "APICVR", 6);
	assert_memory_equal(h->oem_table_id, "APICVISR", 8);
	assert_memory_equal((const uint8_t *)h + offsetof(struct acpi_sdt_header, creator_id), creator, 4);
	assert_int_equal(acpi_sdt_check(h, sizeof(*h), FW_SIZE), ACPI_OK);
	return h;
}

/*
 * The checkers follow table addresses as pointers; the tables hold
 * guest-physical ones. Copy the firmware area to host memory below 2 GiB
 * (MAP_32BIT: the RSDT's entries are 32 bits) and rewrite the addresses the
 * walk follows (RSDP -> XSDT -> FADT, MADT; FADT -> DSDT), adjusting each
 * checksum by the change so that a wrong one stays wrong.
 */
static uint8_t *low;

static uint64_t to_low(uint64_t gpa)
{
	assert_true(gpa >= GUEST_FIRMWARE_BASE && gpa < GUEST_FIRMWARE_END);
	return (uint64_t)(uintptr_t)(low + (gpa - GUEST_FIRMWARE_BASE));
}

static void patch(uint8_t *field, unsigned width, uint8_t *checksum)
{
	uint64_t v = 0;
	uint8_t old = acpi_checksum(field, width);

	memcpy(&v, field, width);
	v = to_low(v);
	memcpy(field, &v, width);
	*checksum -= (uint8_t)(acpi_checksum(field, width) - old);
}

static const struct acpi_rsdp *relocate(void)
{
	low = mmap(NULL, FW_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(low != MAP_FAILED);
	memcpy(low, ram + GUEST_FIRMWARE_BASE, FW_SIZE);
	struct acpi_rsdp *rsdp = (void *)(low + (GUEST_RSDP_GPA - GUEST_FIRMWARE_BASE));
	/* The extended checksum covers the first one too: fixing that one keeps it for rsdt_address. */
	patch((uint8_t *)&rsdp->rsdt_address, 4, &rsdp->checksum);
	patch((uint8_t *)&rsdp->xsdt_address, 8, &rsdp->extended_checksum);
	struct acpi_sdt_header *rsdt = (void *)(uintptr_t)rsdp->rsdt_address;
	struct acpi_sdt_header *xsdt = (void *)(uintptr_t)rsdp->xsdt_address;
	for (uint32_t i = 0; i < (rsdt->length - sizeof(*rsdt)) / 4; i++)
		patch((uint8_t *)(rsdt + 1) + 4 * i, 4, &rsdt->checksum);
	for (uint32_t i = 0; i < (xsdt->length - sizeof(*xsdt)) / 8; i++)
		patch((uint8_t *)(xsdt + 1) + 8 * i, 8, &xsdt->checksum);
	struct acpi_fadt *fadt = (void *)(uintptr_t)rd64((uint8_t *)(xsdt + 1));
	patch((uint8_t *)&fadt->dsdt, 4, &fadt->header.checksum);
	patch((uint8_t *)&fadt->x_dsdt, 8, &fadt->header.checksum);
	return rsdp;
}

/* What a guest OS does: RSDP, root table (the XSDT, then the RSDT), find "APIC" and "FACP", parse them. */
static void read_back(void)
{
	const struct acpi_sdt_header *root, *madt, *fadt, *rsdt_madt;
	bool is_xsdt;
	const struct acpi_rsdp *rsdp = relocate();

	assert_int_equal(acpi_rsdp_check(rsdp), ACPI_OK);
	assert_int_equal(acpi_root(rsdp, &root, &is_xsdt), ACPI_OK);
	assert_true(is_xsdt);
	assert_int_equal(acpi_find(root, is_xsdt, "APIC", &madt), ACPI_OK);
	assert_int_equal(madt_parse(madt, &info), ACPI_OK);
	assert_int_equal(acpi_find(root, is_xsdt, "FACP", &fadt), ACPI_OK);
	acpi_parse_fadt(fadt, &power);
	/* An ACPI 1.0 OS reads the RSDT and finds the same MADT. */
	assert_int_equal(acpi_find((const void *)(uintptr_t)rsdp->rsdt_address, false, "APIC", &rsdt_madt), ACPI_OK);
	assert_ptr_equal(rsdt_madt, madt);
	munmap(low, FW_SIZE);
}

static void expect_gas_io(const struct acpi_gas *g, uint16_t port)
{
	assert_int_equal(g->space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(g->bit_width, 8);
	assert_int_equal(g->bit_offset, 0);
	assert_int_equal(g->access_size, 1); /* byte access */
	assert_int_equal(g->address, port);
}

/* The FADT of a hardware-reduced platform (ACPI 6.5, 5.2.9, 4.1), with the ports of guest_layout.h. */
static void check_fadt(const struct acpi_fadt *f, uint64_t dsdt_gpa)
{
	struct acpi_gas zero;

	memset(&zero, 0, sizeof(zero));
	assert_int_equal(f->header.length, 276);
	assert_int_equal(f->header.revision, 6);
	assert_int_equal(f->minor_version & 0xf, 5);
	assert_int_equal(f->dsdt, dsdt_gpa);
	assert_int_equal(f->x_dsdt, dsdt_gpa);
	assert_int_equal(f->firmware_ctrl, 0);
	assert_int_equal(f->x_firmware_ctrl, 0);
	assert_true(f->flags & FADT_FLAG_HW_REDUCED_ACPI);
	assert_true(f->flags & FADT_FLAG_RESET_REG_SUP);
	assert_true(f->flags & FADT_FLAG_WBINVD);
	assert_false(f->flags & FADT_FLAG_TMR_VAL_EXT);
	assert_int_equal(f->iapc_boot_arch, FADT_IAPC_LEGACY_DEVICES | FADT_IAPC_VGA_NOT_PRESENT |
	                                            FADT_IAPC_MSI_NOT_SUPPORTED | FADT_IAPC_CMOS_RTC_NOT_PRESENT);
	assert_false(f->iapc_boot_arch & FADT_IAPC_8042);
	/* Hardware-reduced: no fixed hardware blocks, no SCI, no SMI command port. */
	assert_int_equal(f->sci_int, 0);
	assert_int_equal(f->smi_cmd, 0);
	assert_int_equal(f->pm1a_evt_blk | f->pm1a_cnt_blk | f->pm_tmr_blk | f->gpe0_blk, 0);
	assert_memory_equal(&f->x_pm1a_cnt_blk, &zero, sizeof(zero));
	assert_memory_equal(&f->x_pm_tmr_blk, &zero, sizeof(zero));
	expect_gas_io(&f->sleep_control_reg, GUEST_ACPI_SLEEP_CONTROL_PORT);
	expect_gas_io(&f->sleep_status_reg, GUEST_ACPI_SLEEP_STATUS_PORT);
	expect_gas_io(&f->reset_reg, GUEST_ACPI_RESET_PORT);
	assert_int_equal(f->reset_value, GUEST_ACPI_RESET_VALUE);
	assert_memory_equal(&f->hypervisor_vendor_identity, "APICVISR", 8);
}

/* The DSDT as iasl built it, with \_S5 giving the sleep type the sleep control register decodes. */
static void check_dsdt(uint64_t gpa)
{
	const struct acpi_sdt_header *d = table_at(gpa, "DSDT", "INTL");
	uint8_t a = 0xff, b = 0xff;

	assert_int_equal(d->length, dsdt_len);
	assert_memory_equal(d, dsdt, dsdt_len);
	assert_int_equal(d->revision, 2); /* 64-bit integers */
	assert_int_equal(acpi_aml_find_s5((const uint8_t *)(d + 1), d->length - sizeof(*d), &a, &b), ACPI_OK);
	assert_int_equal(a, GUEST_ACPI_SLP_TYP_S5);
	assert_non_null(memmem(d, d->length, "COM1", 4));
	assert_non_null(memmem(d, d->length, "\x41\xd0\x05\x01", 4)); /* EisaId ("PNP0501") */
}

/* The tables in place, at their guest-physical addresses; returns the MADT. */
static const struct acpi_sdt_header *check_in_place(void)
{
	const struct acpi_rsdp *rsdp = (const void *)(ram + GUEST_RSDP_GPA);

	assert_memory_equal(rsdp->signature, "RSD PTR ", 8);
	assert_int_equal(acpi_checksum(rsdp, 20), 0);
	assert_int_equal(rsdp->revision, 2);
	assert_int_equal(rsdp->length, 36);
	assert_int_equal(acpi_checksum(rsdp, 36), 0);
	assert_memory_equal(rsdp->oem_id, "APICVR", 6);
	assert_int_equal(acpi_rsdp_check(rsdp), ACPI_OK);
	assert_true(rsdp->xsdt_address >= GUEST_RSDP_GPA + 36);
	const struct acpi_sdt_header *xsdt = table_at(rsdp->xsdt_address, "XSDT", "APCV");
	const struct acpi_sdt_header *rsdt = table_at(rsdp->rsdt_address, "RSDT", "APCV");
	assert_int_equal(xsdt->length, sizeof(*xsdt) + 2 * 8); /* the FADT, the MADT */
	assert_int_equal(rsdt->length, sizeof(*rsdt) + 2 * 4);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(rd64((const uint8_t *)(xsdt + 1) + 8 * i), rd32((const uint8_t *)(rsdt + 1) + 4 * i));
	const struct acpi_fadt *fadt = (const void *)table_at(rd64((const uint8_t *)(xsdt + 1)), "FACP", "APCV");
	check_fadt(fadt, fadt->x_dsdt);
	check_dsdt(fadt->x_dsdt);
	const struct acpi_sdt_header *madt = table_at(rd64((const uint8_t *)(xsdt + 1) + 8), "APIC", "APCV");
	assert_int_equal(madt->revision, 1);
	return madt;
}

/* The MADT's entries of one type, counted; the last one in *last. */
static unsigned entries(const struct acpi_sdt_header *madt, uint8_t type, const uint8_t **last)
{
	const uint8_t *t = (const uint8_t *)madt;
	unsigned n = 0;

	for (uint32_t off = 44; off < madt->length; off += t[off + 1]) {
		assert_true(t[off + 1] >= 2);
		if (t[off] == type) {
			n++;
			*last = t + off;
		}
	}
	return n;
}

static void expect_cpus(uint32_t n)
{
	assert_int_equal(info.cpu_count, n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(info.cpus[i].apic_id, i);
		assert_int_equal(info.cpus[i].acpi_uid, i);
		assert_false(info.cpus[i].x2apic_entry);
	}
	assert_int_equal(info.disabled_count, 0);
	assert_int_equal(info.duplicate_count, 0);
	assert_int_equal(info.overflow_count, 0);
	assert_int_equal(info.lapic_address, GUEST_LAPIC_BASE);
	assert_int_equal(info.flags, MADT_PCAT_COMPAT);
	/* What the hypervisor's own FADT reader takes for power-off and reset. */
	assert_true(power.s5_valid);
	assert_int_equal(power.slp_typ_a, GUEST_ACPI_SLP_TYP_S5);
	assert_true(power.reset_valid);
	assert_int_equal(power.reset_reg.address, GUEST_ACPI_RESET_PORT);
	assert_int_equal(power.reset_value, GUEST_ACPI_RESET_VALUE);
	assert_int_equal(power.pm1a_cnt, 0);
	assert_int_equal(power.pm_tmr, 0);
}

static void test_four_vcpus_with_ioapic(void **state)
{
	const uint8_t *iso = NULL;

	(void)state;
	assert_true(build(4, true));
	const struct acpi_sdt_header *madt = check_in_place();
	assert_int_equal(madt->length, 44 + 4 * 8 + 12 + 10);
	read_back();
	expect_cpus(4);
	assert_int_equal(info.ioapic_count, 1);
	assert_int_equal(info.ioapics[0].id, 4);
	assert_int_equal(info.ioapics[0].address, GUEST_IOAPIC_BASE);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	/* ISA IRQ 0 -> GSI 2, edge-triggered, active high (MPS INTI flags 0101b). */
	assert_int_equal(entries(madt, MADT_TYPE_INTERRUPT_OVERRIDE, &iso), 1);
	assert_int_equal(iso[1], 10);
	assert_int_equal(iso[2], 0);
	assert_int_equal(iso[3], 0);
	assert_int_equal(rd32(iso + 4), 2);
	assert_int_equal(iso[8] | iso[9] << 8, 0x5);
	expect_pattern(0, GUEST_FIRMWARE_BASE);
	expect_pattern(GUEST_FIRMWARE_END, RAM_SIZE);
}

static void test_one_vcpu_without_ioapic(void **state)
{
	const uint8_t *e = NULL;

	(void)state;
	assert_true(build(1, false));
	const struct acpi_sdt_header *madt = check_in_place();
	assert_int_equal(madt->length, 44 + 8);
	assert_int_equal(entries(madt, MADT_TYPE_LOCAL_APIC, &e), 1);
	assert_int_equal(rd32(e + 4), MADT_LAPIC_ENABLED);
	assert_int_equal(entries(madt, MADT_TYPE_INTERRUPT_OVERRIDE, &e), 0);
	read_back();
	expect_cpus(1);
	assert_int_equal(info.ioapic_count, 0);
}

static void test_most_vcpus_that_fit(void **state)
{
	(void)state;
	assert_true(build(GUEST_ACPI_MAX_VCPUS, false));
	check_in_place();
	read_back();
	expect_cpus(GUEST_ACPI_MAX_VCPUS);
	assert_int_equal(info.cpus[GUEST_ACPI_MAX_VCPUS - 1].apic_id, 0xfe); /* never the broadcast ID */
	assert_true(build(GUEST_ACPI_MAX_VCPUS - 1, true));
	check_in_place();
	read_back();
	expect_cpus(GUEST_ACPI_MAX_VCPUS - 1);
	assert_int_equal(info.ioapics[0].id, 0xfe);
	expect_pattern(0, GUEST_FIRMWARE_BASE);
	expect_pattern(GUEST_FIRMWARE_END, RAM_SIZE);
}

static void test_rsdp_found_by_bios_scan(void **state)
{
	(void)state;
	memset(ram + GUEST_FIRMWARE_BASE, 0, FW_SIZE);
	memcpy(ram + 0xf0000, "RSD PTR ", 8); /* a stale signature from before must not survive */
	assert_true(build(2, true));
	/* ACPI 6.5, 5.2.5.1: 16-byte boundaries of 0xe0000-0xfffff; exactly one RSDP, the first. */
	unsigned found = 0;
	for (uint64_t a = GUEST_FIRMWARE_BASE; a < GUEST_FIRMWARE_END; a += 16) {
		if (memcmp(ram + a, "RSD PTR ", 8) == 0) {
			assert_int_equal(a, GUEST_RSDP_GPA);
			found++;
		}
	}
	assert_int_equal(found, 1);
}

/*
 * The reset vector F000:FFF0 holds real-mode code that writes RESET_VALUE to
 * RESET_REG, as the FADT names them: decoded here byte by byte, and past the
 * end of every table.
 */
static void test_reset_vector_writes_the_reset_register(void **state)
{
	const uint8_t *p = ram + GUEST_RESET_VECTOR;

	(void)state;
	assert_true(build(4, true));
	assert_int_equal(p[0], 0xb0); /* mov al, imm8 */
	assert_int_equal(p[1], GUEST_ACPI_RESET_VALUE);
	assert_int_equal(p[2], 0xba); /* mov dx, imm16 */
	assert_int_equal(p[3] | p[4] << 8, GUEST_ACPI_RESET_PORT);
	assert_int_equal(p[5], 0xee); /* out dx, al */
	assert_int_equal(p[6], 0xf4); /* hlt */
	assert_int_equal(p[7], 0xeb); /* jmp back to the hlt */
	assert_int_equal((int8_t)p[8], -3);
	/* Every table ends before it: the RSDT, the tables it lists, and the FADT's DSDT (ACPI 6.5, 5.2.7, 5.2.9). */
	uint32_t rsdt = rd32(ram + GUEST_RSDP_GPA + 16), tables[4], n = 0;
	tables[n++] = rsdt;
	for (uint32_t off = sizeof(struct acpi_sdt_header); off < rd32(ram + rsdt + 4); off += 4)
		tables[n++] = rd32(ram + rsdt + off);
	for (uint32_t i = 1; i < n; i++)
		if (!memcmp(ram + tables[i], "FACP", 4))
			tables[n++] = rd32(ram + tables[i] + 40); /* its DSDT */
	assert_int_equal(n, 4);
	for (uint32_t i = 0; i < n; i++)
		assert_true(tables[i] + rd32(ram + tables[i] + 4) <= GUEST_RESET_VECTOR);
	for (uint64_t a = GUEST_RESET_VECTOR + 9; a < GUEST_FIRMWARE_END; a++)
		assert_int_equal(ram[a], 0);
}

static void test_refusals_write_nothing(void **state)
{
	struct guest_ram g = {ram, RAM_SIZE};
	struct guest_acpi_cfg cfg = {2, GUEST_LAPIC_BASE, true, GUEST_IOAPIC_BASE, dsdt, dsdt_len};
	uint8_t *bad = unit_dup(dsdt, dsdt_len);

	(void)state;
	assert_false(build(0, false));
	assert_false(build(0, true));
	assert_false(build(GUEST_ACPI_MAX_VCPUS + 1, false));
	assert_false(build(GUEST_ACPI_MAX_VCPUS, true)); /* the I/O APIC would get ID 0xff */
	assert_false(build(UINT32_MAX, false));
	cfg.lapic_base = 1ull << 32;
	assert_false(guest_acpi_build(&g, &cfg));
	cfg.lapic_base = GUEST_LAPIC_BASE;
	cfg.ioapic_base = 1ull << 32;
	assert_false(guest_acpi_build(&g, &cfg));
	cfg.ioapic_base = GUEST_IOAPIC_BASE;
	cfg.dsdt = NULL;
	assert_false(guest_acpi_build(&g, &cfg)); /* no DSDT */
	cfg.dsdt = bad;
	bad[dsdt_len - 1] ^= 1;
	assert_false(guest_acpi_build(&g, &cfg)); /* its checksum */
	bad[dsdt_len - 1] ^= 1;
	cfg.dsdt_len = dsdt_len - 1;
	assert_false(guest_acpi_build(&g, &cfg)); /* shorter than its header says */
	cfg.dsdt_len = dsdt_len;
	bad[0] = 'X';
	assert_false(guest_acpi_build(&g, &cfg)); /* not a DSDT */
	free(bad);
	cfg.dsdt = dsdt;
	g.size = GUEST_FIRMWARE_END - 1;
	assert_false(guest_acpi_build(&g, &cfg));
	g.ram = NULL;
	g.size = RAM_SIZE;
	assert_false(guest_acpi_build(&g, &cfg));
	expect_pattern(0, RAM_SIZE);
}

/* Exactly GUEST_FIRMWARE_END bytes are enough, and ASan watches the end. */
static void test_smallest_buffer(void **state)
{
	uint8_t *small = malloc(GUEST_FIRMWARE_END);
	struct guest_ram g = {small, GUEST_FIRMWARE_END};
	const struct guest_acpi_cfg cfg = {
	        GUEST_ACPI_MAX_VCPUS - 1, GUEST_LAPIC_BASE, true, GUEST_IOAPIC_BASE, dsdt, dsdt_len};

	(void)state;
	assert_non_null(small);
	assert_true(guest_acpi_build(&g, &cfg));
	assert_int_equal(acpi_rsdp_check((const void *)(small + GUEST_RSDP_GPA)), ACPI_OK);
	free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_four_vcpus_with_ioapic, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_one_vcpu_without_ioapic, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_most_vcpus_that_fit, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rsdp_found_by_bios_scan, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_reset_vector_writes_the_reset_register, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_refusals_write_nothing, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_smallest_buffer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, load_dsdt, free_dsdt);
}
