/* sources: vmm/partition/guest_acpi.c arch/x86/acpi.c arch/x86/madt.c vmm/lib/string.c */
/* test_guest_acpi.c: the guest's ACPI tables, read back with the hypervisor's own ACPI and MADT checkers. */
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
	const struct guest_acpi_cfg cfg = {vcpus, GUEST_LAPIC_BASE, ioapic, GUEST_IOAPIC_BASE};

	return guest_acpi_build(&g, &cfg);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void expect_pattern(uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		if (ram[i] != PATTERN)
			fail_msg("byte %#llx written", (unsigned long long)i);
}

/* A table at a guest-physical address: inside the firmware area, header and all. */
static const struct acpi_sdt_header *table_at(uint64_t gpa)
{
	const struct acpi_sdt_header *h = (const void *)(ram + gpa);

	assert_true(gpa >= GUEST_FIRMWARE_BASE && gpa % 16 == 0);
	assert_true(gpa + sizeof(*h) <= GUEST_FIRMWARE_END && gpa + h->length <= GUEST_FIRMWARE_END);
	assert_memory_equal(h->oem_id, "APICVR", 6);
	assert_memory_equal(h->oem_table_id, "APICVISR", 8);
	assert_memory_equal((const uint8_t *)h + offsetof(struct acpi_sdt_header, creator_id), "APCV", 4);
	assert_int_equal(acpi_sdt_check(h, sizeof(*h), FW_SIZE), ACPI_OK);
	return h;
}

/*
 * The checkers follow table addresses as pointers; the tables hold
 * guest-physical ones. Copy the firmware area to host memory below 2 GiB
 * (MAP_32BIT: the RSDT's entries are 32 bits) and rewrite the two addresses,
 * adjusting each checksum by the change so that a wrong one stays wrong.
 */
static uint8_t *low;

static uint32_t to_low(uint32_t gpa)
{
	assert_true(gpa >= GUEST_FIRMWARE_BASE && gpa < GUEST_FIRMWARE_END);
	return (uint32_t)(uintptr_t)(low + (gpa - GUEST_FIRMWARE_BASE));
}

static void patch32(uint8_t *field, uint8_t *checksum, uint32_t v)
{
	uint8_t old = acpi_checksum(field, 4);
	memcpy(field, &v, 4);
	*checksum -= (uint8_t)(acpi_checksum(field, 4) - old);
}

static const struct acpi_rsdp *relocate(void)
{
	low = mmap(NULL, FW_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(low != MAP_FAILED);
	memcpy(low, ram + GUEST_FIRMWARE_BASE, FW_SIZE);
	struct acpi_rsdp *rsdp = (void *)(low + (GUEST_RSDP_GPA - GUEST_FIRMWARE_BASE));
	uint32_t rsdt_gpa = rsdp->rsdt_address;
	patch32((uint8_t *)rsdp + offsetof(struct acpi_rsdp, rsdt_address), &rsdp->checksum, to_low(rsdt_gpa));
	struct acpi_sdt_header *rsdt = (void *)(uintptr_t)rsdp->rsdt_address;
	uint8_t *entry = (uint8_t *)(rsdt + 1);
	patch32(entry, &rsdt->checksum, to_low(rd32(entry)));
	return rsdp;
}

/* What a guest OS does: RSDP, root table, find "APIC", parse it. */
static void read_back(void)
{
	const struct acpi_sdt_header *root, *madt;
	bool is_xsdt;
	const struct acpi_rsdp *rsdp = relocate();

	assert_int_equal(acpi_rsdp_check(rsdp), ACPI_OK);
	assert_int_equal(acpi_root(rsdp, &root, &is_xsdt), ACPI_OK);
	assert_false(is_xsdt);
	assert_int_equal(acpi_find(root, is_xsdt, "APIC", &madt), ACPI_OK);
	assert_int_equal(madt_parse(madt, &info), ACPI_OK);
	munmap(low, FW_SIZE);
}

/* The tables in place, at their guest-physical addresses; returns the MADT. */
static const struct acpi_sdt_header *check_in_place(void)
{
	const struct acpi_rsdp *rsdp = (const void *)(ram + GUEST_RSDP_GPA);

	assert_memory_equal(rsdp->signature, "RSD PTR ", 8);
	assert_int_equal(acpi_checksum(rsdp, 20), 0);
	assert_int_equal(rsdp->revision, 0);
	assert_memory_equal(rsdp->oem_id, "APICVR", 6);
	assert_int_equal(acpi_rsdp_check(rsdp), ACPI_OK);
	const struct acpi_sdt_header *rsdt = table_at(rsdp->rsdt_address);
	assert_memory_equal(rsdt->signature, "RSDT", 4);
	assert_int_equal(rsdt->length, sizeof(*rsdt) + 4); /* one entry */
	assert_true(rsdp->rsdt_address >= GUEST_RSDP_GPA + 20);
	uint32_t madt_gpa = rd32((const uint8_t *)(rsdt + 1));
	assert_true(madt_gpa >= rsdp->rsdt_address + rsdt->length);
	const struct acpi_sdt_header *madt = table_at(madt_gpa);
	assert_memory_equal(madt->signature, "APIC", 4);
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

static void test_refusals_write_nothing(void **state)
{
	struct guest_ram g = {ram, RAM_SIZE};
	struct guest_acpi_cfg cfg = {2, GUEST_LAPIC_BASE, true, GUEST_IOAPIC_BASE};

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
	const struct guest_acpi_cfg cfg = {GUEST_ACPI_MAX_VCPUS - 1, GUEST_LAPIC_BASE, true, GUEST_IOAPIC_BASE};

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
	        cmocka_unit_test_setup_teardown(test_refusals_write_nothing, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_smallest_buffer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
