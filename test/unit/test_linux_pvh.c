/* sources: vmm/partition/linux_pvh.c vmm/partition/linux_bz.c vmm/partition/linux_common.c vmm/partition/kernel_kind.c vmm/partition/mbload.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_linux_pvh.c: linux_pvh_load over ELF64 images built in memory, and kernel_kind's choice of loader. */
#include "test/unit/linux_fixture.h"

#include "vmm/partition/kernel_kind.h"
#include "vmm/partition/multiboot1.h"

#define RAM_SIZE (64 * MiB)
#define INITRD_SIZE 0x2345

static uint8_t initrd[INITRD_SIZE];
static struct linux_result res;

static bool load_with(const char *cmdline, const void *rd, uint64_t rd_size, size_t image_size)
{
	const struct linux_args a = {pvh, image_size, cmdline, rd, rd_size};

	return linux_pvh_load(&ram.g, &a, &res);
}

static bool load(void) { return load_with("console=ttyS0", initrd, INITRD_SIZE, PVH_SIZE); }

static int setup(void **state)
{
	(void)state;
	ram_new(RAM_SIZE);
	pvh_build(true);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 5 + 3);
	return 0;
}

static const struct hvm_start_info *start_info(void)
{
	return (const struct hvm_start_info *)(ram.g.ram + GUEST_LINUX_BOOT_INFO);
}

static void test_pvh_entry_and_segments(void **state)
{
	(void)state;
	assert_true(load());
	/* pvh.pandoc: 32-bit flat protected mode, paging off, EBX the start_info. */
	assert_false(res.entry.long_mode);
	assert_int_equal(res.entry.rip, PVH_ENTRY);
	assert_int_equal(res.entry.ebx, GUEST_LINUX_BOOT_INFO);
	assert_int_equal(res.entry.code_sel, GUEST_SEL_CODE);
	assert_int_equal(res.entry.data_sel, GUEST_SEL_DATA);
	assert_int_equal(res.kernel_lo, 16 * MiB);
	assert_int_equal(res.kernel_hi, 18 * MiB + 0x3000);
	/* At p_paddr, not p_vaddr; the BSS part zeroed; nothing past p_memsz. */
	assert_memory_equal(ram.g.ram + 16 * MiB, pvh + PVH_SEG0, 0x1000);
	assert_memory_equal(ram.g.ram + 18 * MiB, pvh + PVH_SEG1, 0x2000);
	for (unsigned i = 0; i < 0x1000; i++)
		assert_int_equal(ram.g.ram[18 * MiB + 0x2000 + i], 0);
	assert_int_equal(ram.g.ram[18 * MiB + 0x3000], FILL);
	assert_int_equal(ram.g.ram[16 * MiB + 0x1000], FILL);
}

static void test_pvh_start_info(void **state)
{
	(void)state;
	assert_true(load());
	const struct hvm_start_info *si = start_info();
	assert_int_equal(si->magic, 0x336ec578);
	assert_int_equal(si->version, 1);
	assert_int_equal(si->flags, 0);
	assert_int_equal(si->rsdp_paddr, GUEST_RSDP_GPA);
	assert_int_equal(si->reserved, 0);
	/* The command line. */
	assert_int_equal(si->cmdline_paddr, GUEST_LINUX_CMDLINE);
	assert_string_equal((const char *)ram.g.ram + si->cmdline_paddr, "console=ttyS0");
	/* The initrd: module 0, at the top of RAM, page-aligned, with no command line of its own. */
	assert_int_equal(si->nr_modules, 1);
	const struct hvm_modlist_entry *m = (const void *)(ram.g.ram + si->modlist_paddr);
	uint64_t at = (RAM_SIZE - INITRD_SIZE) & ~0xfffull;
	assert_int_equal(m->paddr, at);
	assert_int_equal(m->size, INITRD_SIZE);
	assert_int_equal(m->cmdline_paddr, 0);
	assert_int_equal(m->reserved, 0);
	assert_memory_equal(ram.g.ram + at, initrd, INITRD_SIZE);
	/* The memory map: the same three ranges as the e820 of a bzImage. */
	assert_int_equal(si->memmap_entries, 3);
	const struct hvm_memmap_entry *mm = (const void *)(ram.g.ram + si->memmap_paddr);
	const struct hvm_memmap_entry want[] = {
	        {0, 0xa0000, 1, 0}, {0xe0000, 0x20000, 2, 0}, {MiB, RAM_SIZE - MiB, 1, 0}};
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(mm[i].addr, want[i].addr);
		assert_int_equal(mm[i].size, want[i].size);
		assert_int_equal(mm[i].type, want[i].type);
		assert_int_equal(mm[i].reserved, 0);
	}
	/* Everything in low RAM, below the command line. */
	assert_true(si->memmap_paddr + 3 * sizeof(*mm) <= GUEST_LINUX_CMDLINE);
}

static void test_pvh_no_initrd(void **state)
{
	(void)state;
	assert_true(load_with(NULL, NULL, 0, PVH_SIZE));
	assert_int_equal(start_info()->nr_modules, 0);
	assert_int_equal(start_info()->modlist_paddr, 0);
	assert_string_equal((const char *)ram.g.ram + GUEST_LINUX_CMDLINE, "");
}

static void test_pvh_note_of_4_bytes(void **state)
{
	(void)state;
	/* A 32-bit kernel's note holds a 4-byte value. */
	uint32_t entry = 0x1000040;
	size_t end = put_note(PVH_NOTES, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 4);
	pvh_phdr(0)->p_filesz = end - PVH_NOTES;
	assert_true(load());
	assert_int_equal(res.entry.rip, 0x1000040);
}

static void test_pvh_refusals_elf(void **state)
{
	(void)state;
	pvh_build(false);
	EXPECT_REFUSED(load(), res, "ELF kernel has no PVH entry note (Xen's XEN_ELFNOTE_PHYS32_ENTRY)");
	pvh_build(true);
	pvh[EI_CLASS] = ELFCLASS32;
	EXPECT_REFUSED(load(), res, "ELF kernel is not 64-bit little-endian (class 1, data 1)");
	pvh_build(true);
	EXPECT_REFUSED(load_with("", NULL, 0, 40), res, "not an ELF file, or its header is cut short (40 bytes)");
	((struct elf64_ehdr *)pvh)->e_machine = EM_386;
	EXPECT_REFUSED(load(), res, "ELF kernel is not an x86-64 executable (e_type 2, e_machine 3)");
	pvh_build(true);
	((struct elf64_ehdr *)pvh)->e_phnum = 300;
	EXPECT_REFUSED(load(), res, "ELF program headers (300 at offset 0x40) end past the file (16384 bytes)");
	pvh_build(true);
	/* The note segment cut short by the file: no note found. */
	pvh_phdr(0)->p_offset = PVH_SIZE - 8;
	EXPECT_REFUSED(load(), res, "ELF kernel has no PVH entry note (Xen's XEN_ELFNOTE_PHYS32_ENTRY)");
}

static void test_pvh_refusals_segments(void **state)
{
	(void)state;
	pvh_phdr(2)->p_filesz = 0x4000;
	EXPECT_REFUSED(load(), res, "segment 2: memsz 0x3000 is smaller than filesz 0x4000");
	pvh_build(true);
	pvh_phdr(2)->p_offset = PVH_SIZE - 0x1000;
	EXPECT_REFUSED(load(), res, "segment 2 (file offset 0x3000+0x2000) ends past the file (16384 bytes)");
	pvh_build(true);
	pvh_phdr(1)->p_paddr = 0xe0000;
	EXPECT_REFUSED(load(), res,
	               "segment 1 at 0xe0000 lies below 1 MiB (the boot structures and the firmware area are there)");
	pvh_build(true);
	pvh_phdr(2)->p_paddr = RAM_SIZE - 0x2000;
	EXPECT_REFUSED(load(), res, "segment 2 (0x3ffe000+0x3000) ends past guest RAM (0x4000000 bytes)");
	pvh_build(true);
	pvh_phdr(2)->p_paddr = 16 * MiB + 0x800;
	EXPECT_REFUSED(load(), res, "segment 2 (0x1000800+0x3000) overlaps an earlier one (0x1000000+0x1000)");
	pvh_build(true);
	uint64_t entry = 20 * MiB;
	size_t end = put_note(PVH_NOTES, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 8);
	pvh_phdr(0)->p_filesz = end - PVH_NOTES;
	EXPECT_REFUSED(load(), res, "PVH entry point 0x1400000 is outside every loaded segment");
}

static void test_pvh_refusals_memory(void **state)
{
	(void)state;
	EXPECT_REFUSED(load_with("", initrd, RAM_SIZE - 18 * MiB - 0x3000 + 1, PVH_SIZE), res,
	               "the initrd (48222209 bytes) does not fit between the kernel's end 0x1203000 and 0x4000000 "
	               "(guest RAM 0x4000000 bytes)");
	char longline[GUEST_LINUX_CMDLINE_MAX + 1];
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	EXPECT_REFUSED(load_with(longline, NULL, 0, PVH_SIZE), res,
	               "the command line (4096 characters) is longer than the kernel takes (4095)");
}

/* ---- choosing the loader ---- */

static void test_kernel_kind(void **state)
{
	(void)state;
	char why[160];

	assert_int_equal(kernel_kind(pvh, PVH_SIZE), KERNEL_PVH);
	bz_build();
	assert_int_equal(kernel_kind(bz, BZ_SIZE), KERNEL_BZIMAGE);
	/* A multiboot magic wins, even in an ELF with the PVH note. */
	uint32_t magic = MULTIBOOT_HEADER_MAGIC;
	memcpy(pvh + 0x1000, &magic, 4);
	assert_int_equal(kernel_kind(pvh, PVH_SIZE), KERNEL_MULTIBOOT);
	assert_string_equal(kernel_kind_name(KERNEL_MULTIBOOT), "multiboot");
	/* An ELF with neither: what the PVH loader misses. */
	pvh_build(false);
	assert_int_equal(kernel_kind(pvh, PVH_SIZE), KERNEL_UNKNOWN);
	kernel_unknown_why(pvh, PVH_SIZE, why, sizeof(why));
	assert_string_equal(why, "no multiboot header in the first 8192 bytes, and ELF kernel has no PVH entry note "
	                         "(Xen's XEN_ELFNOTE_PHYS32_ENTRY)");
	uint8_t elf_zeros[4000] = {0x7f, 'E', 'L', 'F'};
	assert_int_equal(kernel_kind(elf_zeros, sizeof(elf_zeros)), KERNEL_UNKNOWN);
	kernel_unknown_why(elf_zeros, sizeof(elf_zeros), why, sizeof(why));
	assert_string_equal(why, "no multiboot header in the first 8192 bytes, and ELF kernel is not 64-bit "
	                         "little-endian (class 0, data 0)");
	static const uint8_t text[] = "#!/bin/sh\necho not a kernel\n";
	assert_int_equal(kernel_kind(text, sizeof(text)), KERNEL_UNKNOWN);
	kernel_unknown_why(text, sizeof(text), why, sizeof(why));
	assert_string_equal(why,
	                    "not a kernel: no multiboot header in the first 8192 bytes, no bzImage header, not ELF");
	assert_int_equal(kernel_kind(text, 0), KERNEL_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_pvh_entry_and_segments, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_pvh_start_info, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_pvh_no_initrd, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_pvh_note_of_4_bytes, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_pvh_refusals_elf, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_pvh_refusals_segments, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_pvh_refusals_memory, setup, ram_free),
	        cmocka_unit_test_setup_teardown(test_kernel_kind, setup, ram_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
