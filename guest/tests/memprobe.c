/* memprobe.c: an access outside guest RAM, which the hypervisor must stop (docs/guest-platform.md, memory). */
/*
 * Command line: probe=end (default) reads the first byte past the end of RAM;
 * probe=gap reads 0xfed00000, between the I/O APIC and the local APIC, where
 * no device of the platform sits. (The hole at 640 KiB is no such probe: it
 * reads all ones.) probe=firmware is the contrast: it writes into the
 * read-only firmware area, which drops the write as a ROM would, and the
 * guest goes on to its SUMMARY.
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

/* A ROM drops the write; the instruction completes and the guest goes on. */
static void probe_rom_write(uint32_t addr)
{
	uint32_t before = *(volatile uint32_t *)addr;

	guest_printf("memprobe: writing %#010x\n", addr);
	*(volatile uint32_t *)addr = ~before;
	expect_eq("a write into the firmware area is dropped", *(volatile uint32_t *)addr, before);
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
		probe_rom_write(GUEST_FIRMWARE_BASE);
	else if (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MBI_FLAG_MEM))
		probe_read(GUEST_HIGH_RAM_BASE + mbi->mem_upper * MBI_KIB);
	else
		expect_true("memprobe: the boot loader gave mem_upper", false);
	guest_finish();
}
