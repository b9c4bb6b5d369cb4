/* sources: vmm/partition/mbload.c vmm/lib/fmt.c vmm/lib/string.c */
/* fuzz_mbload.c: libFuzzer harness: a multiboot (v1) kernel image, with modules and a command line, into guest RAM. */
#include "test/fuzz/fuzz.h"

#include "vmm/partition/mbload.h"
#include "vmm/partition/multiboot1.h"

/*
 * Input: u16 RAM size (fz_ram_size), u8 module count (mod 4), u8 command
 * line length, the command line, one u16 size per module, then the kernel
 * image (ELF32, ELF64 or the a.out kludge: mb_load decides).
 *
 * Checked on a load: the kernel within [1 MiB, RAM) and the entry inside
 * it; the modules after it, page-aligned, their bytes and strings as given;
 * the information block after them, its fields, strings and memory map
 * inside [mbi, free_lo); no byte written outside the kernel, the modules
 * and the block (fz_ram_touched_outside), none in the hole (ASan). On a
 * refusal: a message says why.
 */

#define MAX_MODS 3
#define MiB (1ull << 20)

static const char *const mod_names[MAX_MODS] = {"initrd.img", "", "mod2 arg=1"};

/* The bytes of module i: a pattern that tells the modules apart. */
static uint8_t mod_data[MAX_MODS][65536];

static void fill_modules(void)
{
	for (unsigned i = 0; i < MAX_MODS; i++)
		for (size_t k = 0; k < sizeof(mod_data[i]); k++)
			mod_data[i][k] = (uint8_t)(k * 7 + i * 131 + (k >> 8));
}

/* A string in guest RAM at gpa that lies, NUL included, inside [lo, hi); equal to want. */
static void check_string(const uint8_t *ram, uint32_t gpa, uint64_t lo, uint64_t hi, const char *want)
{
	size_t n = strlen(want) + 1;

	FZ_CHECK(gpa >= lo && gpa + n <= hi, "string \"%s\" at %#x outside [%#llx, %#llx)", want, gpa,
	         (unsigned long long)lo, (unsigned long long)hi);
	FZ_CHECK(memcmp(ram + gpa, want, n) == 0, "string at %#x is not \"%s\"", gpa, want);
}

static void check_modules(const uint8_t *ram, const struct mb_result *r, const struct multiboot_info *mbi,
                          const struct mb_module *mods, unsigned n)
{
	uint64_t prev_end = r->load_hi;

	FZ_CHECK(mbi->mods_count == n, "mods_count %u, %u modules given", mbi->mods_count, n);
	if (!n)
		return;
	FZ_CHECK((mbi->flags & MULTIBOOT_INFO_MODS) && mbi->mods_addr >= r->mbi &&
	                 mbi->mods_addr + n * sizeof(struct multiboot_mod_list) <= r->free_lo,
	         "module list at %#x", mbi->mods_addr);
	for (unsigned i = 0; i < n; i++) {
		struct multiboot_mod_list m;
		memcpy(&m, ram + mbi->mods_addr + i * sizeof(m), sizeof(m));
		FZ_CHECK(m.mod_start % FZ_PAGE == 0 && m.mod_start >= prev_end && m.mod_end >= m.mod_start,
		         "module %u at %#x-%#x after %#llx", i, m.mod_start, m.mod_end, (unsigned long long)prev_end);
		FZ_CHECK(m.mod_end - m.mod_start == mods[i].size && m.mod_end <= r->mbi,
		         "module %u: %#x-%#x for %llu bytes, block at %#x", i, m.mod_start, m.mod_end,
		         (unsigned long long)mods[i].size, r->mbi);
		FZ_CHECK(memcmp(ram + m.mod_start, mods[i].data, mods[i].size) == 0, "module %u bytes differ", i);
		check_string(ram, m.cmdline, r->mbi, r->free_lo, mods[i].cmdline);
		prev_end = m.mod_end;
	}
}

static void check_load(const uint8_t *ram, uint64_t size, const struct mb_result *r, const char *cmdline,
                       const struct mb_module *mods, unsigned n)
{
	struct multiboot_info mbi;

	FZ_CHECK(r->error[0] == 0, "loaded, yet error \"%s\"", r->error);
	FZ_CHECK(r->load_lo >= MiB && r->load_lo < r->load_hi && r->load_hi <= size, "kernel at %#x-%#x, RAM %#llx",
	         r->load_lo, r->load_hi, (unsigned long long)size);
	FZ_CHECK(r->entry >= r->load_lo && r->entry < r->load_hi, "entry %#x outside the kernel %#x-%#x", r->entry,
	         r->load_lo, r->load_hi);
	FZ_CHECK(r->mbi >= r->load_hi && r->mbi + sizeof(mbi) <= r->free_lo && r->free_lo <= size,
	         "information block at %#x, free from %#x, kernel to %#x", r->mbi, r->free_lo, r->load_hi);
	memcpy(&mbi, ram + r->mbi, sizeof(mbi));
	uint32_t want = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MEM_MAP |
	                MULTIBOOT_INFO_BOOT_LOADER_NAME;
	FZ_CHECK((mbi.flags & want) == want, "information flags %#x", mbi.flags);
	FZ_CHECK(mbi.mem_lower == 640 && mbi.mem_upper == (size - MiB) / 1024, "mem_lower %u, mem_upper %u",
	         mbi.mem_lower, mbi.mem_upper);
	FZ_CHECK(mbi.mmap_addr >= r->mbi && mbi.mmap_length == 3 * sizeof(struct multiboot_mmap_entry) &&
	                 mbi.mmap_addr + mbi.mmap_length <= r->free_lo,
	         "memory map at %#x, %u bytes", mbi.mmap_addr, mbi.mmap_length);
	check_string(ram, mbi.cmdline, r->mbi, r->free_lo, cmdline);
	check_string(ram, mbi.boot_loader_name, r->mbi, r->free_lo, "apicvisor");
	check_modules(ram, r, &mbi, mods, n);
	struct fz_range wrote[] = {{r->load_lo, r->load_hi}, {r->load_hi, r->free_lo}};
	uint64_t at = fz_ram_touched_outside(ram, size, wrote, 2);
	FZ_CHECK(at == UINT64_MAX, "page %#llx written, outside kernel %#x-%#x and what follows to %#x",
	         (unsigned long long)at, r->load_lo, r->load_hi, r->free_lo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool filled;
	struct fz f = {data, size};
	struct mb_module mods[MAX_MODS];
	struct mb_result r;
	char cmdline[256];
	size_t got;

	if (!filled) {
		fill_modules();
		filled = true;
	}
	uint64_t ram_size = fz_ram_size(fz_u16(&f));
	unsigned n = fz_u8(&f) % (MAX_MODS + 1);
	const uint8_t *c = fz_bytes(&f, fz_u8(&f), &got);
	memcpy(cmdline, c, got);
	cmdline[got] = '\0';
	for (unsigned i = 0; i < n; i++)
		mods[i] = (struct mb_module){mod_data[i], fz_u16(&f), mod_names[i]};

	uint8_t *ram = fz_ram(ram_size);
	const struct guest_ram g = {ram, ram_size};
	if (mb_load(&g, f.p, f.n, cmdline, mods, n, &r)) {
		check_load(ram, ram_size, &r, cmdline, mods, n);
	} else {
		FZ_CHECK(r.error[0] != 0, "refused without a reason");
		FZ_CHECK_STR(r.error);
	}
	mb_has_magic(f.p, f.n);
	fz_ram_release(ram, ram_size);
	return 0;
}
