/* sources: vmm/partition/linux_bz.c vmm/partition/linux_common.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_linux_bz.c: linux_bz_load over bzImages built in memory: the zero page, the entry state, every refusal. */
#include "test/unit/linux_fixture.h"

#define RAM_SIZE (64 * MiB)
#define INITRD_SIZE 0x1801 /* not a page multiple: the start is rounded down */

static uint8_t initrd[INITRD_SIZE];
static struct linux_result res;

static bool load_with(const char *cmdline, const void *rd, uint64_t rd_size, size_t image_size)
{
	const struct linux_args a = {bz, image_size, cmdline, rd, rd_size};

	return linux_bz_load(&ram.g, &a, &res);
}

static bool load(void) { return load_with("console=ttyS0 root=/dev/ram0", initrd, INITRD_SIZE, BZ_SIZE); }

static int setup(void **state)
{
	(void)state;
	ram_new(RAM_SIZE);
	bz_build();
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 7 + 1);
	return 0;
}

static const struct boot_params *zero_page(void)
{
	return (const struct boot_params *)(ram.g.ram + GUEST_LINUX_BOOT_INFO);
}

static void test_bz_entry_state(void **state)
{
	(void)state;
	assert_true(load());
	assert_true(res.entry.long_mode);
	assert_int_equal(res.entry.rip, BZ_PREF + 0x200); /* boot.rst: the 64-bit entry at load + 0x200 */
	assert_int_equal(res.entry.rsi, GUEST_LINUX_BOOT_INFO);
	assert_int_equal(res.entry.cr3, GUEST_LINUX_PML4);
	assert_int_equal(res.entry.code_sel, 0x10);
	assert_int_equal(res.entry.data_sel, 0x18);
	assert_int_equal(res.entry.gdt_base, GUEST_LINUX_GDT);
	assert_int_equal(res.entry.gdt_limit, 0x1f);
	assert_int_equal(res.kernel_lo, BZ_PREF);
	assert_int_equal(res.kernel_hi, BZ_PREF + BZ_INIT_SIZE);
	/* The protected-mode kernel at pref_address, byte for byte; nothing of the setup sectors. */
	assert_memory_equal(ram.g.ram + BZ_PREF, bz + BZ_PM_OFF, BZ_PM_SIZE);
	assert_int_equal(ram.g.ram[BZ_PREF + BZ_PM_SIZE], FILL);
}

static void test_bz_gdt_and_identity_map(void **state)
{
	(void)state;
	assert_true(load());
	const uint64_t *gdt = (const uint64_t *)(ram.g.ram + GUEST_LINUX_GDT);
	assert_int_equal(gdt[0], 0);
	/* __BOOT_CS: present, DPL 0, execute/read, L=1, D=0, G; __BOOT_DS: read/write, B=1, G. */
	assert_int_equal(gdt[2] >> 40 & 0xff, 0x9b);
	assert_int_equal(gdt[2] >> 52 & 0xf, 0xa);
	assert_int_equal(gdt[3] >> 40 & 0xff, 0x93);
	assert_int_equal(gdt[3] >> 52 & 0xf, 0xc);
	const uint64_t *pml4 = (const uint64_t *)(ram.g.ram + GUEST_LINUX_PML4);
	const uint64_t *pdpt = (const uint64_t *)(ram.g.ram + GUEST_LINUX_PDPT);
	assert_int_equal(pml4[0], GUEST_LINUX_PDPT | 3);
	assert_int_equal(pml4[1], 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pdpt[i], (GUEST_LINUX_PD + i * 0x1000) | 3);
	assert_int_equal(pdpt[4], 0);
	/* Walk two addresses by hand: the kernel's entry and the local APIC's page. */
	uint64_t addrs[] = {BZ_PREF + 0x200, GUEST_LAPIC_BASE};
	for (unsigned i = 0; i < 2; i++) {
		uint64_t pdpte = pdpt[addrs[i] >> 30 & 511];
		const uint64_t *pd = (const uint64_t *)(ram.g.ram + (pdpte & ~0xfffull));
		uint64_t pde = pd[addrs[i] >> 21 & 511];
		assert_int_equal(pde & 0x83, 0x83); /* present, writable, 2 MiB */
		assert_int_equal((pde & ~0x1fffffull) | (addrs[i] & 0x1fffff), addrs[i]);
	}
	assert_true(GUEST_LINUX_PD + 4 * 0x1000 <= GUEST_LINUX_BOOT_INFO); /* below the zero page */
}

static void test_bz_zero_page(void **state)
{
	(void)state;
	assert_true(load());
	const struct boot_params *zp = zero_page();
	/* The setup header as the image has it, but for what the loader fills in. */
	assert_int_equal(zp->hdr.version, 0x20f);
	assert_int_equal(zp->hdr.init_size, BZ_INIT_SIZE);
	assert_int_equal(zp->hdr.pref_address, BZ_PREF);
	assert_int_equal(zp->hdr.xloadflags, 0x7f);
	assert_int_equal(zp->hdr.boot_flag, 0xaa55);
	assert_int_equal(zp->hdr.type_of_loader, 0xff);
	assert_int_equal(zp->hdr.loadflags & (LOADED_HIGH | CAN_USE_HEAP), LOADED_HIGH);
	assert_int_equal(zp->hdr.hardware_subarch, 0);
	assert_int_equal(zp->acpi_rsdp_addr, GUEST_RSDP_GPA);
	assert_int_equal(zp->sentinel, 0);
	/* The command line. */
	assert_int_equal(zp->hdr.cmd_line_ptr, GUEST_LINUX_CMDLINE);
	assert_string_equal((const char *)ram.g.ram + GUEST_LINUX_CMDLINE, "console=ttyS0 root=/dev/ram0");
	/* The e820 map: RAM, the firmware area reserved, RAM above 1 MiB. */
	assert_int_equal(zp->e820_entries, 3);
	const struct boot_e820_entry want[] = {{0, 0xa0000, 1}, {0xe0000, 0x20000, 2}, {MiB, RAM_SIZE - MiB, 1}};
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(zp->e820_table[i].addr, want[i].addr);
		assert_int_equal(zp->e820_table[i].size, want[i].size);
		assert_int_equal(zp->e820_table[i].type, want[i].type);
	}
	assert_int_equal(zp->e820_table[3].size, 0);
}

static void test_bz_initrd_at_the_top(void **state)
{
	(void)state;
	assert_true(load());
	const struct boot_params *zp = zero_page();
	uint64_t at = (RAM_SIZE - INITRD_SIZE) & ~0xfffull;
	assert_int_equal(zp->hdr.ramdisk_image, at);
	assert_int_equal(zp->hdr.ramdisk_size, INITRD_SIZE);
	assert_int_equal(res.initrd_lo, at);
	assert_int_equal(res.initrd_hi, at + INITRD_SIZE);
	assert_memory_equal(ram.g.ram + at, initrd, INITRD_SIZE);
	/* Below initrd_addr_max when that is lower than the end of RAM: its last byte at most at it. */
	ram_free(NULL);
	ram_new(RAM_SIZE);
	bz_hdr()->initrd_addr_max = 40 * MiB - 1;
	assert_true(load());
	assert_int_equal(zero_page()->hdr.ramdisk_image, (40 * MiB - INITRD_SIZE) & ~0xfffull);
	/* No initrd: no ramdisk fields. */
	ram_free(NULL);
	ram_new(RAM_SIZE);
	assert_true(load_with("", NULL, 0, BZ_SIZE));
	assert_int_equal(zero_page()->hdr.ramdisk_image, 0);
	assert_int_equal(zero_page()->hdr.ramdisk_size, 0);
	assert_string_equal((const char *)ram.g.ram + GUEST_LINUX_CMDLINE, "");
}

static void test_bz_relocation(void **state)
{
	(void)state;
	/* pref_address not aligned: a relocatable kernel goes to the first aligned address at 1 MiB or above. */
	bz_hdr()->pref_address = BZ_PREF + 0x1000;
	assert_true(load());
	assert_int_equal(res.entry.rip, 2 * MiB + 0x200);
	assert_int_equal(zero_page()->hdr.code32_start, 2 * MiB);
	/* A kernel that is not relocatable loads at pref_address, aligned or not. */
	ram_free(NULL);
	ram_new(RAM_SIZE);
	bz_hdr()->relocatable_kernel = 0;
	assert_true(load());
	assert_int_equal(res.entry.rip, BZ_PREF + 0x1200);
}

static void test_bz_refusals_header(void **state)
{
	(void)state;
	EXPECT_REFUSED(load_with("", NULL, 0, 0x1f0), res, "not a bzImage (no 0xaa55 at 0x1fe and \"HdrS\" at 0x202)");
	EXPECT_REFUSED(load_with("", NULL, 0, 0x240), res,
	               "bzImage setup header (to 0x26c) cut short by the end of the file (576 bytes)");
	bz_hdr()->version = 0x20b;
	EXPECT_REFUSED(load(), res, "bzImage boot protocol 2.11 is older than 2.12: no 64-bit entry");
	bz_hdr()->version = 0x20f;
	bz_hdr()->xloadflags = 0x7e;
	EXPECT_REFUSED(load(), res, "bzImage has no 64-bit entry (XLF_KERNEL_64 not set in xloadflags 0x7e)");
	bz_hdr()->xloadflags = 0x7f;
	bz_hdr()->loadflags = 0;
	EXPECT_REFUSED(load(), res, "not a bzImage: a zImage (LOADED_HIGH not set) loads below 1 MiB");
	bz_hdr()->loadflags = LOADED_HIGH;
	bz_hdr()->jump = 0x50eb; /* the header ends at 0x252, before init_size */
	EXPECT_REFUSED(load(), res, "bzImage setup header ends at 0x252, before init_size");
}

static void test_bz_refusals_payload(void **state)
{
	(void)state;
	bz_hdr()->syssize = BZ_PM_SIZE / 16 + 1;
	EXPECT_REFUSED(load(), res,
	               "bzImage protected-mode kernel (syssize 0x201 paragraphs) from 0x400 ends past the file (9216 "
	               "bytes)");
	bz_hdr()->syssize = 0;
	EXPECT_REFUSED(
	        load(), res,
	        "bzImage protected-mode kernel (syssize 0 paragraphs) from 0x400 ends past the file (9216 bytes)");
	bz_hdr()->syssize = BZ_PM_SIZE / 16;
	bz_hdr()->setup_sects = 17;
	EXPECT_REFUSED(load(), res, "bzImage setup (17 sectors) ends at 0x2400, past the file (9216 bytes)");
	bz_hdr()->setup_sects = BZ_SETUP_SECTS;
	/* Found by test/fuzz/fuzz_linux_load.c's check that the entry lies inside the kernel it loads. */
	bz_hdr()->syssize = SETUP_ENTRY_64 / 16;
	bz_hdr()->init_size = 0;
	EXPECT_REFUSED(load_with("", NULL, 0, BZ_PM_OFF + SETUP_ENTRY_64), res,
	               "bzImage protected-mode kernel (0x200 bytes) ends before its 64-bit entry at +0x200");
	bz_hdr()->syssize = SETUP_ENTRY_64 / 16 + 1;
	assert_true(load_with("", NULL, 0, BZ_PM_OFF + SETUP_ENTRY_64 + 16));
	assert_true(res.entry.rip < res.kernel_hi);
	ram_free(NULL);
	ram_new(RAM_SIZE);
	bz_hdr()->syssize = BZ_PM_SIZE / 16;
	bz_hdr()->init_size = BZ_INIT_SIZE;
	EXPECT_REFUSED(load_with("", NULL, 0, BZ_SIZE - 1), res,
	               "bzImage protected-mode kernel (syssize 0x200 paragraphs) from 0x400 ends past the file (9215 "
	               "bytes)");
}

static void test_bz_refusals_memory(void **state)
{
	(void)state;
	bz_hdr()->init_size = 48 * MiB + 1;
	EXPECT_REFUSED(load(), res,
	               "the kernel needs 0x3000001 bytes (init_size) from 0x1000000, past guest RAM (0x4000000 bytes)");
	bz_hdr()->init_size = BZ_INIT_SIZE;
	EXPECT_REFUSED(load_with("", initrd, 44 * MiB + 1, BZ_SIZE), res,
	               "the initrd (46137345 bytes) does not fit between the kernel's end 0x1400000 and 0x4000000 "
	               "(guest RAM 0x4000000 bytes)");
	bz_hdr()->relocatable_kernel = 0;
	bz_hdr()->pref_address = 0x90000;
	EXPECT_REFUSED(load(), res, "bzImage is not relocatable and its pref_address 0x90000 is outside high RAM");
	bz_hdr()->relocatable_kernel = 1;
	bz_hdr()->kernel_alignment = 0x3000;
	EXPECT_REFUSED(load(), res, "bzImage kernel_alignment 0x3000 is not a power of two of 4 KiB or more");
	bz_hdr()->kernel_alignment = 0x200000;
	bz_hdr()->pref_address = BZ_PREF;
	bz_hdr()->cmdline_size = 8;
	EXPECT_REFUSED(load_with("123456789", NULL, 0, BZ_SIZE), res,
	               "the command line (9 characters) is longer than the kernel takes (8)");
	assert_true(load_with("12345678", NULL, 0, BZ_SIZE));
}

static void test_bz_small_ram(void **state)
{
	(void)state;
	ram_free(NULL);
	ram_new(MiB);
	EXPECT_REFUSED(load(), res, "guest RAM of 0x100000 bytes: expected more than 1 MiB, less than 4 GiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_bz_entry_state, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_bz_gdt_and_identity_map, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_bz_zero_page, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_bz_initrd_at_the_top, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_bz_relocation, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_bz_refusals_header, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_bz_refusals_payload, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_bz_refusals_memory, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_bz_small_ram, setup, ram_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
