/* memprobe.c: an access outside guest RAM, which the hypervisor must stop (docs/guest-platform.md, memory). */
/*
 * Command line: probe=end (default) reads the first byte past the end of RAM;
 * probe=gap reads 0xfed00000, between the I/O APIC and the local APIC, where
 * no device of the platform sits; probe=firmware writes into the read-only
 * firmware area. (The hole at 640 KiB is no such probe: it reads all ones.)
 */
#include "guest/lib/guest.h"

#include "vmm/partition/guest_layout.h"
#include "vmm/lib/string.h"

#define GUEST_GAP_PROBE 0xfed00000u /* between the I/O APIC's page and the local APIC's range: nothing */

static bool probe_is(const char *cmdline, const char *want)
{
	size_t len;
	const char *v = cmdline_find(cmdline, "probe", &len);

	return v && len == hv_strlen(want) && hv_strncmp(v, want, len) == 0;
}

static void probe_write(uint32_t addr, const char *what)
{
	guest_printf("memprobe: writing %#010x\n", addr);
	*(volatile uint32_t *)addr = 0;
	guest_printf("memprobe: FAIL: write into %s returned\n", what);
	expect_true("the write stopped the guest", false);
}

static void probe_read(uint32_t addr)
{
	uint32_t v;

	guest_printf("memprobe: reading %#010x\n", addr);
	v = *(volatile uint32_t *)addr;
	guest_printf("memprobe: FAIL: read outside RAM returned (%#x)\n", v);
	expect_true("the read stopped the guest", false);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmdline = magic == MULTIBOOT_BOOTLOADER_MAGIC ? guest_cmdline(mbi) : "";

	if (probe_is(cmdline, "gap"))
		probe_read(GUEST_GAP_PROBE);
	else if (probe_is(cmdline, "firmware"))
		probe_write(GUEST_FIRMWARE_BASE, "the firmware area");
	else if (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MBI_FLAG_MEM))
		probe_read(GUEST_HIGH_RAM_BASE + mbi->mem_upper * MBI_KIB);
	else
		expect_true("memprobe: the boot loader gave mem_upper", false);
	guest_finish();
}
