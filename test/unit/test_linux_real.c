/* sources: vmm/partition/linux_pvh.c vmm/partition/linux_bz.c vmm/partition/linux_common.c vmm/partition/kernel_kind.c vmm/partition/mbload.c vmm/lib/fmt.c vmm/lib/string.c */
/*
 * test_linux_real.c: the Linux loaders on Debian 12's real kernel, as
 * `make linux` builds it (test.mk names the files, LINUX_BZIMAGE and
 * LINUX_VMLINUX, and builds them before this test).
 */
#include "test/unit/linux_fixture.h"

#include "vmm/partition/kernel_kind.h"

#define RAM_SIZE (256 * MiB)
#define INITRD_SIZE (3 * MiB + 123)

static uint8_t *file;
static size_t file_size;
static struct linux_result res;

static void read_file(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("%s: cannot open it (make linux builds it)", path);
	fseek(f, 0, SEEK_END);
	file_size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	file = malloc(file_size);
	assert_non_null(file);
	assert_int_equal(fread(file, 1, file_size, f), file_size);
	fclose(f);
}

static int teardown(void **state)
{
	free(file);
	file = NULL;
	return ram_free(state);
}

static void test_real_bzimage(void **state)
{
	(void)state;
	read_file(LINUX_BZIMAGE);
	uint8_t *rd = calloc(1, INITRD_SIZE);
	assert_non_null(rd);
	ram_new(RAM_SIZE);
	assert_int_equal(kernel_kind(file, file_size), KERNEL_BZIMAGE);
	const struct linux_args a = {file, file_size, "console=ttyS0 earlyprintk=serial", rd, INITRD_SIZE};
	assert_true(linux_bz_load(&ram.g, &a, &res));
	const struct boot_params *zp = (const void *)(ram.g.ram + GUEST_LINUX_BOOT_INFO);
	/* Debian's kernel: protocol 2.15, loaded at its pref_address 16 MiB, init_size of room. */
	assert_true(zp->hdr.version >= 0x20f);
	assert_int_equal(res.entry.rip, zp->hdr.pref_address + 0x200);
	assert_int_equal(res.kernel_hi - res.kernel_lo, zp->hdr.init_size);
	assert_true(res.entry.long_mode);
	assert_int_equal(zp->hdr.type_of_loader, 0xff);
	assert_int_equal(zp->acpi_rsdp_addr, GUEST_RSDP_GPA);
	assert_int_equal(zp->hdr.ramdisk_image, (RAM_SIZE - INITRD_SIZE) & ~0xfffull);
	assert_true(zp->hdr.ramdisk_image >= res.kernel_hi);
	assert_string_equal((const char *)ram.g.ram + zp->hdr.cmd_line_ptr, "console=ttyS0 earlyprintk=serial");
	/* The payload as the file has it after the setup sectors. */
	size_t setup = (size_t)(zp->hdr.setup_sects + 1) * 512;
	assert_memory_equal(ram.g.ram + res.kernel_lo, file + setup, file_size - setup);
	free(rd);
}

static void test_real_vmlinux_pvh(void **state)
{
	(void)state;
	read_file(LINUX_VMLINUX);
	uint8_t *rd = calloc(1, INITRD_SIZE);
	assert_non_null(rd);
	ram_new(RAM_SIZE);
	assert_int_equal(kernel_kind(file, file_size), KERNEL_PVH);
	const struct linux_args a = {file, file_size, "console=ttyS0", rd, INITRD_SIZE};
	assert_true(linux_pvh_load(&ram.g, &a, &res));
	assert_false(res.entry.long_mode);
	/* vmlinux loads at its physical 16 MiB; pvh_start_xen lies in its text. */
	assert_int_equal(res.kernel_lo, 16 * MiB);
	assert_true(res.entry.rip > res.kernel_lo && res.entry.rip < res.kernel_hi);
	const struct hvm_start_info *si = (const void *)(ram.g.ram + res.entry.ebx);
	assert_int_equal(si->magic, HVM_START_MAGIC);
	assert_int_equal(si->nr_modules, 1);
	assert_int_equal(si->memmap_entries, 3);
	const struct hvm_modlist_entry *m = (const void *)(ram.g.ram + si->modlist_paddr);
	assert_true(m->paddr >= res.kernel_hi && m->paddr + m->size <= RAM_SIZE);
	free(rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_real_bzimage, teardown),
	        cmocka_unit_test_teardown(test_real_vmlinux_pvh, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
