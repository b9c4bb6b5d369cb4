/* sources: vmm/partition/linux_pvh.c vmm/partition/linux_bz.c vmm/partition/linux_common.c vmm/partition/kernel_kind.c vmm/partition/mbload.c vmm/lib/fmt.c vmm/lib/string.c */
/* fuzz_linux_load.c: libFuzzer harness: a guest image through kernel_kind and both Linux loaders (bzImage, PVH). */
#include "test/fuzz/fuzz.h"

#include "vmm/partition/bootparams.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/partition/kernel_kind.h"
#include "vmm/partition/linux_load.h"
#include "vmm/partition/pvh.h"

/*
 * Input: u16 RAM size (fz_ram_size), u16 initrd size (0: none), u8 command
 * line length, the command line, then the kernel image. Every loader sees
 * every image, whatever its kind: each must refuse it or load it.
 *
 * Checked on a load: the kernel inside high RAM, the entry inside it (and
 * below 4 GiB for PVH), the initrd page-aligned above the kernel with its
 * bytes, the zero page or start_info and the command line where
 * guest_layout.h puts them, and no byte written anywhere else
 * (fz_ram_touched_outside), none in the hole (ASan). On a refusal: a
 * message says why and guest RAM is untouched, as linux_load.h promises.
 */

static uint8_t initrd[65536];

/* What both loaders place the same way: the kernel, the initrd, the command line. */
static void check_common(const uint8_t *ram, uint64_t size, const struct linux_args *a, const struct linux_result *r,
                         const char *who)
{
	FZ_CHECK(r->error[0] == 0, "%s: loaded, yet error \"%s\"", who, r->error);
	FZ_CHECK(r->kernel_lo >= GUEST_HIGH_RAM_BASE && r->kernel_lo < r->kernel_hi && r->kernel_hi <= size,
	         "%s: kernel at %#llx-%#llx, RAM %#llx", who, (unsigned long long)r->kernel_lo,
	         (unsigned long long)r->kernel_hi, (unsigned long long)size);
	FZ_CHECK(r->entry.rip >= r->kernel_lo && r->entry.rip < r->kernel_hi, "%s: entry %#llx outside the kernel", who,
	         (unsigned long long)r->entry.rip);
	FZ_CHECK(r->boot_info == GUEST_LINUX_BOOT_INFO, "%s: boot info at %#llx", who,
	         (unsigned long long)r->boot_info);
	if (a->initrd) {
		FZ_CHECK(r->initrd_lo % FZ_PAGE == 0 && r->initrd_lo >= r->kernel_hi &&
		                 r->initrd_hi - r->initrd_lo == a->initrd_size && r->initrd_hi <= size,
		         "%s: initrd at %#llx-%#llx, kernel to %#llx", who, (unsigned long long)r->initrd_lo,
		         (unsigned long long)r->initrd_hi, (unsigned long long)r->kernel_hi);
		FZ_CHECK(memcmp(ram + r->initrd_lo, a->initrd, a->initrd_size) == 0, "%s: initrd bytes differ", who);
	} else {
		FZ_CHECK(r->initrd_lo == 0 && r->initrd_hi == 0, "%s: an initrd placed where none was given", who);
	}
	size_t n = strlen(a->cmdline) + 1;
	FZ_CHECK(memcmp(ram + GUEST_LINUX_CMDLINE, a->cmdline, n) == 0, "%s: command line differs", who);
	struct fz_range wrote[] = {
	        {GUEST_LINUX_GDT, GUEST_LINUX_PD + 4 * FZ_PAGE},                        /* bzImage only */
	        {GUEST_LINUX_BOOT_INFO, GUEST_LINUX_CMDLINE + GUEST_LINUX_CMDLINE_MAX}, /* both */
	        {r->kernel_lo, r->kernel_hi},
	        {r->initrd_lo, r->initrd_hi},
	};
	uint64_t at = fz_ram_touched_outside(ram, size, wrote, 4);
	FZ_CHECK(at == UINT64_MAX, "%s: page %#llx written, outside what the loader placed", who,
	         (unsigned long long)at);
}

static void check_bz(const uint8_t *ram, uint64_t size, const struct linux_args *a, const struct linux_result *r)
{
	struct boot_params zp;

	check_common(ram, size, a, r, "bzImage");
	FZ_CHECK(r->entry.long_mode && r->entry.rsi == GUEST_LINUX_BOOT_INFO && r->entry.cr3 == GUEST_LINUX_PML4,
	         "bzImage: entry state");
	memcpy(&zp, ram + GUEST_LINUX_BOOT_INFO, sizeof(zp));
	FZ_CHECK(zp.hdr.cmd_line_ptr == GUEST_LINUX_CMDLINE && zp.hdr.ramdisk_image == r->initrd_lo &&
	                 zp.hdr.ramdisk_size == r->initrd_hi - r->initrd_lo && zp.e820_entries == 3,
	         "bzImage: zero page: cmd_line_ptr %#x, ramdisk %#x+%#x, %u E820 entries", zp.hdr.cmd_line_ptr,
	         zp.hdr.ramdisk_image, zp.hdr.ramdisk_size, zp.e820_entries);
}

static void check_pvh(const uint8_t *ram, uint64_t size, const struct linux_args *a, const struct linux_result *r)
{
	struct hvm_start_info si;

	check_common(ram, size, a, r, "PVH");
	FZ_CHECK(!r->entry.long_mode && r->entry.rip < (1ull << 32) && r->entry.ebx == GUEST_LINUX_BOOT_INFO,
	         "PVH: entry state");
	memcpy(&si, ram + GUEST_LINUX_BOOT_INFO, sizeof(si));
	FZ_CHECK(si.magic == HVM_START_MAGIC && si.nr_modules == (a->initrd ? 1u : 0u) &&
	                 si.cmdline_paddr == GUEST_LINUX_CMDLINE && si.memmap_entries == 3,
	         "PVH: start_info: magic %#x, %u modules, command line at %#llx", si.magic, si.nr_modules,
	         (unsigned long long)si.cmdline_paddr);
}

/* One loader on the image: a load is checked, a refusal leaves RAM as it was. */
static void run(bool (*load)(const struct guest_ram *, const struct linux_args *, struct linux_result *),
                void (*check)(const uint8_t *, uint64_t, const struct linux_args *, const struct linux_result *),
                uint64_t size, const struct linux_args *a)
{
	struct linux_result r;
	uint8_t *ram = fz_ram(size);
	const struct guest_ram g = {ram, size};

	if (load(&g, a, &r)) {
		check(ram, size, a, &r);
	} else {
		FZ_CHECK(r.error[0] != 0, "refused without a reason");
		FZ_CHECK_STR(r.error);
		uint64_t at = fz_ram_touched_outside(ram, size, NULL, 0);
		FZ_CHECK(at == UINT64_MAX, "refused (\"%s\"), yet page %#llx was written", r.error,
		         (unsigned long long)at);
	}
	fz_ram_release(ram, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct linux_result why;
	char cmdline[256], msg[160];
	size_t got;

	if (!initrd[1])
		for (size_t k = 0; k < sizeof(initrd); k++)
			initrd[k] = (uint8_t)(k * 13 + (k >> 9));
	uint64_t ram_size = fz_ram_size(fz_u16(&f));
	uint16_t initrd_size = fz_u16(&f);
	const uint8_t *c = fz_bytes(&f, fz_u8(&f), &got);
	memcpy(cmdline, c, got);
	cmdline[got] = '\0';
	const struct linux_args a = {f.p, f.n, cmdline, initrd_size ? initrd : NULL, initrd_size};

	enum kernel_kind k = kernel_kind(a.image, a.size);
	FZ_CHECK(k <= KERNEL_UNKNOWN && (strcmp(kernel_kind_name(k), "unknown") == 0) == (k == KERNEL_UNKNOWN),
	         "kernel_kind %d named %s", k, kernel_kind_name(k));
	kernel_unknown_why(a.image, a.size, msg, sizeof(msg));
	FZ_CHECK(msg[0] != 0, "kernel_unknown_why said nothing");
	FZ_CHECK(linux_pvh_has_note(a.image, a.size, &why) || why.error[0] != 0, "no PVH note, no reason");
	run(linux_bz_load, check_bz, ram_size, &a);
	run(linux_pvh_load, check_pvh, ram_size, &a);
	return 0;
}
