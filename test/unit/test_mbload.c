/* sources: vmm/partition/mbload.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_mbload.c: mb_load over ELF32, ELF64 and a.out-kludge multiboot kernels built in memory. */
#include "test/unit/guest_ram_fixture.h"
#include "test/unit/unit.h"

#include <elf.h> /* the host's ELF layouts: an independent check of mbload.c's own */

#include "vmm/partition/guest_layout.h"
#include "vmm/partition/mbload.h"
#include "vmm/partition/multiboot1.h"

#define MB_AT 0x400
#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

/* ---- building images ---- */

static uint8_t img[0x10000];
static size_t img_size;

static uint8_t pattern(uint64_t off) { return (uint8_t)(off * 13 + 7); }

struct seg_spec {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* A multiboot header at at: magic, flags, checksum; the address fields stay as they are. */
static void mb_header(size_t at, uint32_t flags)
{
	uint32_t w[3] = {MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags)};

	memcpy(img + at, w, sizeof(w));
}

static void begin(size_t size)
{
	assert_true(size <= sizeof(img));
	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = pattern(i);
	img_size = size;
}

static Elf32_Phdr *ph32(unsigned i) { return (Elf32_Phdr *)(img + sizeof(Elf32_Ehdr) + i * sizeof(Elf32_Phdr)); }
static Elf64_Phdr *ph64(unsigned i) { return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr)); }
static Elf32_Ehdr *eh32(void) { return (Elf32_Ehdr *)img; }
static Elf64_Ehdr *eh64(void) { return (Elf64_Ehdr *)img; }

static void ident(unsigned char *e, int class)
{
	memcpy(e, ELFMAG, SELFMAG);
	e[EI_CLASS] = (unsigned char)class;
	e[EI_DATA] = ELFDATA2LSB;
	e[EI_VERSION] = EV_CURRENT;
	memset(e + EI_OSABI, 0, EI_NIDENT - EI_OSABI);
}

/* An ELF32 kernel: program headers right after the ELF header, a multiboot header at MB_AT. */
static void elf32(size_t size, uint32_t entry, const struct seg_spec *s, unsigned n)
{
	begin(size);
	Elf32_Ehdr *e = eh32();
	memset(e, 0, sizeof(*e));
	ident(e->e_ident, ELFCLASS32);
	e->e_type = ET_EXEC;
	e->e_machine = EM_386;
	e->e_version = EV_CURRENT;
	e->e_entry = entry;
	e->e_phoff = sizeof(Elf32_Ehdr);
	e->e_ehsize = sizeof(Elf32_Ehdr);
	e->e_phentsize = sizeof(Elf32_Phdr);
	e->e_phnum = (Elf32_Half)n;
	for (unsigned i = 0; i < n; i++)
		*ph32(i) = (Elf32_Phdr){.p_type = s[i].type,
		                        .p_offset = (Elf32_Off)s[i].offset,
		                        .p_vaddr = (Elf32_Addr)s[i].vaddr,
		                        .p_paddr = (Elf32_Addr)s[i].paddr,
		                        .p_filesz = (Elf32_Word)s[i].filesz,
		                        .p_memsz = (Elf32_Word)s[i].memsz,
		                        .p_flags = PF_R | PF_W | PF_X,
		                        .p_align = 4096};
	mb_header(MB_AT, MB_FLAGS);
}

static void elf64(size_t size, uint64_t entry, const struct seg_spec *s, unsigned n)
{
	begin(size);
	Elf64_Ehdr *e = eh64();
	memset(e, 0, sizeof(*e));
	ident(e->e_ident, ELFCLASS64);
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = entry;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = (Elf64_Half)n;
	for (unsigned i = 0; i < n; i++)
		*ph64(i) = (Elf64_Phdr){.p_type = s[i].type,
		                        .p_offset = s[i].offset,
		                        .p_vaddr = s[i].vaddr,
		                        .p_paddr = s[i].paddr,
		                        .p_filesz = s[i].filesz,
		                        .p_memsz = s[i].memsz,
		                        .p_flags = PF_R | PF_W | PF_X,
		                        .p_align = 4096};
	mb_header(MB_AT, MB_FLAGS);
}

/* Text 0x100000-0x100fff, data 0x101000 (0x800 from the file) with BSS to 0x102fff, a note and an empty load. */
static const struct seg_spec std_segs[] = {
        {PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000},
        {PT_LOAD, 0x2000, 0x101000, 0x101000, 0x800, 0x2000},
        {PT_NOTE, 0x800, 0, 0, 0x10, 0x10},
        {PT_LOAD, 0, 0, 0, 0, 0},
};
#define STD_SIZE 0x2800
#define STD_ENTRY 0x10000c

static void std_elf32(void) { elf32(STD_SIZE, STD_ENTRY, std_segs, ARRAY_LEN(std_segs)); }
static void std_elf64(void) { elf64(STD_SIZE, STD_ENTRY, std_segs, ARRAY_LEN(std_segs)); }

/* An a.out-kludge kernel: header at MB_AT loaded at header_addr; the rest of the header's fields as given. */
static void aout(size_t size, uint32_t header_addr, uint32_t load_addr, uint32_t load_end, uint32_t bss_end,
                 uint32_t entry)
{
	begin(size);
	uint32_t w[8] = {MULTIBOOT_HEADER_MAGIC,
	                 MB_FLAGS | MULTIBOOT_AOUT_KLUDGE,
	                 -(MULTIBOOT_HEADER_MAGIC + (MB_FLAGS | MULTIBOOT_AOUT_KLUDGE)),
	                 header_addr,
	                 load_addr,
	                 load_end,
	                 bss_end,
	                 entry};
	memcpy(img + MB_AT, w, sizeof(w));
}

/* ---- calling mb_load: an access outside the image or guest RAM faults and fails the test ---- */

static struct mb_result res;

static struct call {
	const void *image;
	size_t size;
	const char *cmdline;
	const struct mb_module *mods;
	unsigned nmods;
	bool ok;
} call;

static void run_call(void *arg)
{
	struct call *c = arg;

	c->ok = mb_load(&ram.g, c->image, c->size, c->cmdline, c->mods, c->nmods, &res);
}

static bool load_mods(const char *cmdline, const struct mb_module *mods, unsigned nmods)
{
	void *copy = unit_guarded_dup(img, img_size);

	memset(&res, 0x5a, sizeof(res));
	call = (struct call){copy, img_size, cmdline, mods, nmods, false};
	bool faulted = unit_faults(run_call, &call);
	unit_guarded_free(copy, img_size);
	if (faulted)
		fail_msg("mb_load read or wrote outside the image or guest RAM");
	return call.ok;
}

static bool load(void) { return load_mods("", NULL, 0); }

/* Refused with exactly this message, and guest RAM untouched: everything is checked before anything is written. */
#define EXPECT_REFUSED(ok, msg)                                  \
	do {                                                     \
		assert_false(ok);                                \
		assert_string_equal(res.error, (msg));           \
		assert_true(ram_untouched_range(0, ram.g.size)); \
	} while (0)

/* ---- reading what was loaded ---- */

static struct multiboot_info mbi(void)
{
	struct multiboot_info m;

	assert_true(res.mbi + sizeof(m) <= ram.g.size);
	memcpy(&m, ram.g.ram + res.mbi, sizeof(m));
	return m;
}

/* The NUL-terminated string at gpa, which must lie in [res.mbi, res.free_lo). */
static const char *guest_str(uint32_t gpa)
{
	assert_true(gpa >= res.mbi && gpa < res.free_lo);
	assert_non_null(memchr(ram.g.ram + gpa, 0, res.free_lo - gpa));
	return (const char *)ram.g.ram + gpa;
}

static void expect_copied(uint64_t gpa, uint64_t offset, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (ram.g.ram[gpa + i] != img[offset + i]) {
			print_error("guest byte %#llx: %#x, want file byte %#llx\n", (unsigned long long)(gpa + i),
			            ram.g.ram[gpa + i], (unsigned long long)(offset + i));
			fail();
		}
}

static void expect_zero(uint64_t gpa, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(ram.g.ram[gpa + i], 0);
}

static void expect_mmap(const struct multiboot_info *m)
{
	const uint64_t rows[3][3] = {
	        {0, GUEST_LOW_RAM_END, MULTIBOOT_MEMORY_AVAILABLE},
	        {GUEST_FIRMWARE_BASE, GUEST_FIRMWARE_END - GUEST_FIRMWARE_BASE, MULTIBOOT_MEMORY_RESERVED},
	        {GUEST_HIGH_RAM_BASE, ram.g.size - GUEST_HIGH_RAM_BASE, MULTIBOOT_MEMORY_AVAILABLE},
	};

	assert_true(m->flags & MULTIBOOT_INFO_MEM_MAP);
	assert_int_equal(m->mmap_length, 3 * 24);
	assert_true(m->mmap_addr >= res.mbi && m->mmap_addr + m->mmap_length <= res.free_lo);
	/* Walked as the specification says: size, then size more bytes. */
	uint32_t at = m->mmap_addr;
	for (int i = 0; i < 3; i++) {
		uint32_t size, type;
		uint64_t base, len;
		memcpy(&size, ram.g.ram + at, 4);
		memcpy(&base, ram.g.ram + at + 4, 8);
		memcpy(&len, ram.g.ram + at + 12, 8);
		memcpy(&type, ram.g.ram + at + 20, 4);
		assert_int_equal(size, 20);
		assert_int_equal(base, rows[i][0]);
		assert_int_equal(len, rows[i][1]);
		assert_int_equal(type, rows[i][2]);
		at += size + 4;
	}
	assert_int_equal(at, m->mmap_addr + m->mmap_length);
}

/* What every good load gives: the fixed fields, the map, the strings, nothing written below 1 MiB or past free_lo. */
static void expect_common(const char *cmdline)
{
	struct multiboot_info m = mbi();

	assert_true(m.flags & MULTIBOOT_INFO_MEMORY);
	assert_int_equal(m.mem_lower, 640);
	assert_int_equal(m.mem_upper, (ram.g.size - MiB) / 1024);
	assert_true(m.flags & MULTIBOOT_INFO_CMDLINE);
	assert_string_equal(guest_str(m.cmdline), cmdline);
	assert_true(m.flags & MULTIBOOT_INFO_BOOT_LOADER_NAME);
	assert_string_equal(guest_str(m.boot_loader_name), "apicvisor");
	assert_int_equal(m.flags & ~(MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
	                             MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME),
	                 0);
	expect_mmap(&m);
	assert_true(res.load_lo >= GUEST_HIGH_RAM_BASE);
	assert_true(res.mbi >= res.load_hi);
	assert_true(res.free_lo > res.mbi && res.free_lo <= ram.g.size);
	assert_true(ram_untouched_range(0, GUEST_HIGH_RAM_BASE));
	assert_true(ram_untouched_range(res.free_lo, ram.g.size));
}

/* ---- good loads ---- */

static void expect_std_loaded(void)
{
	assert_int_equal(res.error[0], '\0');
	assert_int_equal(res.entry, STD_ENTRY);
	assert_int_equal(res.load_lo, 0x100000);
	assert_int_equal(res.load_hi, 0x103000);
	expect_copied(0x100000, 0x1000, 0x1000);
	expect_copied(0x101000, 0x2000, 0x800);
	expect_zero(0x101800, 0x1800); /* BSS */
	assert_int_equal(res.mbi, 0x103000);
	expect_common("console=com1 x=\"y z\"");
	struct multiboot_info m = mbi();
	assert_false(m.flags & MULTIBOOT_INFO_MODS);
	assert_int_equal(m.mods_count, 0);
}

static void test_elf32_good(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	assert_true(load_mods("console=com1 x=\"y z\"", NULL, 0));
	expect_std_loaded();
}

static void test_elf64_good(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf64();
	assert_true(load_mods("console=com1 x=\"y z\"", NULL, 0));
	expect_std_loaded();
}

/* A higher-half kernel: loaded by p_paddr, its virtual entry point translated as GRUB does. */
static void test_elf64_higher_half_entry(void **state)
{
	(void)state;
	const uint64_t kva = 0xffffffff80000000ull;
	const struct seg_spec s[] = {
	        {PT_LOAD, 0x1000, kva + 0x200000, 0x200000, 0x1000, 0x1000},
	        {PT_LOAD, 0x2000, kva + 0x300000, 0x300000, 0x100, 0x100},
	};

	ram_new(4 * MiB);
	elf64(0x2100, kva + 0x300010, s, 2);
	assert_true(load());
	assert_int_equal(res.entry, 0x300010);
	assert_int_equal(res.load_lo, 0x200000);
	assert_int_equal(res.load_hi, 0x300100);
	assert_int_equal(res.mbi, 0x301000);
	assert_true(ram_untouched_range(0x201000, 0x300000)); /* between the segments */
	expect_copied(0x300000, 0x2000, 0x100);
	expect_common("");
}

/* The header may end exactly at byte 8192, and bits 16-31 the loader does not know are ignored. */
static void test_header_placement_and_optional_flags(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	elf32(0x3000, STD_ENTRY, std_segs, 2);
	memset(img + MB_AT, 0, 12);
	mb_header(8192 - 12, MB_FLAGS | (1u << 17) | (1u << 31));
	assert_true(load());
	assert_int_equal(res.entry, STD_ENTRY);

	/* No flags at all: fine too (memory information is given anyway). */
	ram_free(NULL);
	ram_new(4 * MiB);
	std_elf32();
	mb_header(MB_AT, 0);
	assert_true(load());
}

static void test_null_cmdline(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	assert_true(load_mods(NULL, NULL, 0));
	expect_common("");
}

static void test_modules(void **state)
{
	(void)state;
	static uint8_t a[5000], b[1], c[4096];
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 7);
	b[0] = 0x42;
	memset(c, 0x99, sizeof(c));
	struct mb_module mods[] = {
	        {unit_guarded_dup(a, sizeof(a)), sizeof(a), "initrd.img root=/dev/ram"},
	        {unit_guarded_dup(b, sizeof(b)), sizeof(b), NULL},
	        {unit_guarded_dup(b, 0), 0, "empty"},
	        {unit_guarded_dup(c, sizeof(c)), sizeof(c), "page"},
	};
	const uint32_t want_start[] = {0x103000, 0x105000, 0x106000, 0x106000};

	ram_new(4 * MiB);
	std_elf32();
	assert_true(load_mods("k", mods, ARRAY_LEN(mods)));
	expect_common("k");
	struct multiboot_info m = mbi();
	assert_true(m.flags & MULTIBOOT_INFO_MODS);
	assert_int_equal(m.mods_count, ARRAY_LEN(mods));
	assert_true(m.mods_addr >= res.mbi && m.mods_addr + ARRAY_LEN(mods) * 16 <= res.free_lo);
	assert_int_equal(res.mbi, 0x107000); /* after the last module, page-aligned */
	for (unsigned i = 0; i < ARRAY_LEN(mods); i++) {
		struct multiboot_mod_list e;
		memcpy(&e, ram.g.ram + m.mods_addr + i * sizeof(e), sizeof(e));
		assert_int_equal(e.mod_start, want_start[i]);
		assert_int_equal(e.mod_start % 4096, 0);
		assert_int_equal(e.mod_end - e.mod_start, mods[i].size);
		assert_memory_equal(ram.g.ram + e.mod_start, mods[i].data, mods[i].size);
		assert_string_equal(guest_str(e.cmdline), mods[i].cmdline ? mods[i].cmdline : "");
	}
	assert_true(ram_untouched_range(0x103000 + sizeof(a), 0x105000)); /* alignment padding */
	for (unsigned i = 0; i < ARRAY_LEN(mods); i++)
		unit_guarded_free((void *)mods[i].data, mods[i].size);
}

static void test_aout_good(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	/* File offset 0 at 0x100000 (the header at 0x400 lands at 0x100400); 0x1800 bytes, BSS to 0x103000. */
	aout(0x2000, 0x100400, 0x100000, 0x101800, 0x103000, 0x100420);
	assert_true(load_mods("a.out", NULL, 0));
	assert_int_equal(res.entry, 0x100420);
	assert_int_equal(res.load_lo, 0x100000);
	assert_int_equal(res.load_hi, 0x103000);
	expect_copied(0x100000, 0, 0x1800); /* the multiboot header with the rest */
	expect_zero(0x101800, 0x1800);
	assert_true(ram_untouched_range(0x103000, res.mbi));
	expect_common("a.out");
}

/* load_end_addr 0: the rest of the file; bss_end_addr 0: no BSS; text starting inside the file. */
static void test_aout_whole_file(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	aout(0x1234, 0x200100, 0x200000, 0, 0, 0x200000);
	assert_true(load());
	assert_int_equal(res.load_lo, 0x200000);
	assert_int_equal(res.load_hi, 0x200000 + 0x1234 - 0x300);
	expect_copied(0x200000, 0x300, 0x1234 - 0x300);
	assert_true(ram_untouched_range(GUEST_HIGH_RAM_BASE, 0x200000));
	assert_int_equal(res.mbi, 0x201000);
}

/* The a.out kludge wins over ELF when flag 16 is set (the ELF headers are then just bytes). */
static void test_aout_over_elf(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	uint32_t w[8] = {MULTIBOOT_HEADER_MAGIC,
	                 MULTIBOOT_AOUT_KLUDGE,
	                 -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_AOUT_KLUDGE),
	                 0x180400,
	                 0x180000,
	                 0,
	                 0,
	                 0x180000};
	memcpy(img + MB_AT, w, sizeof(w));
	assert_true(load());
	assert_int_equal(res.entry, 0x180000);
	assert_int_equal(res.load_lo, 0x180000);
	expect_copied(0x180000, 0, STD_SIZE);
}

/* ---- refusals: the multiboot header ---- */

static void test_no_header(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	begin(8);
	EXPECT_REFUSED(load(), "no multiboot header in the first 8192 bytes");
	begin(0);
	EXPECT_REFUSED(load(), "no multiboot header in the first 8192 bytes");

	/* Beyond 8 KiB, or not wholly inside the first 8192 bytes, or not 4-byte aligned: not found. */
	std_elf32();
	img_size = 0x3000;
	memset(img + MB_AT, 0, 12);
	mb_header(8192, MB_FLAGS);
	EXPECT_REFUSED(load(), "no multiboot header in the first 8192 bytes");
	memset(img + 8192, 0, 12);
	mb_header(8192 - 8, MB_FLAGS);
	EXPECT_REFUSED(load(), "no multiboot header in the first 8192 bytes");
	memset(img + 8192 - 8, 0, 12);
	mb_header(MB_AT + 2, MB_FLAGS);
	EXPECT_REFUSED(load(), "no multiboot header in the first 8192 bytes");

	/* The header cut by the end of the file. */
	std_elf32();
	img_size = MB_AT + 8;
	EXPECT_REFUSED(load(), "no multiboot header in the first 8192 bytes");
}

static void test_bad_checksum(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	uint32_t sum;
	memcpy(&sum, img + MB_AT + 8, 4);
	sum += 1;
	memcpy(img + MB_AT + 8, &sum, 4);
	EXPECT_REFUSED(load(), "multiboot header at offset 0x400 has a bad checksum (magic+flags+checksum = 0x1)");

	/* A good header after a bad one is found. */
	mb_header(MB_AT + 0x100, MB_FLAGS);
	assert_true(load());
}

static void test_required_flags(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	mb_header(MB_AT, MB_FLAGS | MULTIBOOT_VIDEO_MODE);
	EXPECT_REFUSED(load(), "kernel requires video mode information (flag 2), which apicvisor does not provide");
	mb_header(MB_AT, MB_FLAGS | (1u << 5) | (1u << 9));
	EXPECT_REFUSED(load(), "kernel requires multiboot feature flag 5, which apicvisor does not provide");
	mb_header(MB_AT, 1u << 15);
	EXPECT_REFUSED(load(), "kernel requires multiboot feature flag 15, which apicvisor does not provide");
}

static void test_not_elf_without_flag_16(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	begin(0x1000);
	mb_header(0, MB_FLAGS);
	EXPECT_REFUSED(load(), "kernel is neither ELF nor gives its load addresses (multiboot flag 16)");
}

/* ---- refusals: ELF ---- */

static void test_elf_header_refusals(void **state)
{
	(void)state;
	ram_new(4 * MiB);

	/* The ELF64 header (64 bytes) cut: the multiboot header fits in the first 48. */
	std_elf64();
	mb_header(0x20, MB_FLAGS);
	img_size = 48;
	EXPECT_REFUSED(load(), "ELF header cut short by the end of the file (48 bytes)");

	std_elf32();
	eh32()->e_type = ET_DYN;
	EXPECT_REFUSED(load(), "ELF kernel is not an executable (e_type 3, expected ET_EXEC)");
	std_elf32();
	eh32()->e_machine = EM_X86_64;
	EXPECT_REFUSED(load(), "ELF32 kernel is for machine 62 (expected EM_386)");
	std_elf64();
	eh64()->e_machine = EM_386;
	EXPECT_REFUSED(load(), "ELF64 kernel is for machine 3 (expected EM_X86_64)");
	std_elf32();
	eh32()->e_ident[EI_CLASS] = 3;
	EXPECT_REFUSED(load(), "ELF class 3 is neither 32-bit (1) nor 64-bit (2)");
	std_elf32();
	eh32()->e_ident[EI_DATA] = ELFDATA2MSB;
	EXPECT_REFUSED(load(), "ELF kernel is not little-endian");
	std_elf32();
	eh32()->e_phnum = 0;
	EXPECT_REFUSED(load(), "ELF kernel has no program headers");
	std_elf64();
	eh64()->e_phentsize = 32;
	EXPECT_REFUSED(load(), "ELF program header size 32 (expected 56)");
}

static void test_truncated_program_headers(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	img_size = MB_AT + 12;
	eh32()->e_phoff = MB_AT + 12 - 3 * sizeof(Elf32_Phdr);
	EXPECT_REFUSED(load(), "ELF program headers (4 at offset 0x3ac) end past the file (1036 bytes)");
	std_elf64();
	eh64()->e_phoff = 0xfffffffffffffff0ull; /* offset + size wraps */
	EXPECT_REFUSED(load(), "ELF program headers (4 at offset 0xfffffffffffffff0) end past the file (10240 bytes)");
	std_elf64();
	eh64()->e_phnum = 0xffff;
	EXPECT_REFUSED(load(), "ELF program headers (65535 at offset 0x40) end past the file (10240 bytes)");
}

static void test_segment_outside_file(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	img_size = 0x2400; /* the data segment's 0x800 file bytes are cut */
	EXPECT_REFUSED(load(), "segment 1 (file offset 0x2000+0x800) ends past the file (9216 bytes)");
	std_elf32();
	ph32(0)->p_offset = 0x3000;
	EXPECT_REFUSED(load(), "segment 0 (file offset 0x3000+0x1000) ends past the file (10240 bytes)");
	std_elf64();
	ph64(1)->p_offset = 0xfffffffffffff000ull; /* offset + filesz wraps */
	EXPECT_REFUSED(load(), "segment 1 (file offset 0xfffffffffffff000+0x800) ends past the file (10240 bytes)");
}

static void test_segment_outside_ram(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	ph32(1)->p_paddr = 0x3ff000;
	EXPECT_REFUSED(load(), "segment 1 (0x3ff000+0x2000) ends past guest RAM (0x400000 bytes)");
	std_elf32();
	ph32(0)->p_paddr = 0x400000;
	EXPECT_REFUSED(load(), "segment 0 (0x400000+0x1000) ends past guest RAM (0x400000 bytes)");
	std_elf64();
	ph64(1)->p_paddr = 0x100000000ull;
	EXPECT_REFUSED(load(), "segment 1 at 0x100000000 lies above 4 GiB");
}

static void test_segment_in_hole_or_low(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	ph32(0)->p_paddr = 0xa0000;
	EXPECT_REFUSED(load(), "segment 0 at 0xa0000 lies in the hole 0xa0000-0xfffff");
	std_elf32();
	ph32(1)->p_paddr = 0xe0000; /* the firmware area */
	EXPECT_REFUSED(load(), "segment 1 at 0xe0000 lies in the hole 0xa0000-0xfffff");
	std_elf32();
	ph32(1)->p_paddr = 0xff000;
	EXPECT_REFUSED(load(), "segment 1 at 0xff000 lies in the hole 0xa0000-0xfffff");
	std_elf32();
	ph32(0)->p_paddr = 0x9f800;
	EXPECT_REFUSED(load(), "segment 0 (0x9f800+0x1000) reaches into the hole 0xa0000-0xfffff");
	std_elf32();
	ph32(0)->p_paddr = 0x10000;
	EXPECT_REFUSED(load(), "segment 0 at 0x10000 lies below 1 MiB (kernels load at 0x100000 or above)");
	std_elf32();
	ph32(0)->p_paddr = 0;
	EXPECT_REFUSED(load(), "segment 0 at 0 lies below 1 MiB (kernels load at 0x100000 or above)");
}

static void test_overlapping_segments(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	ph32(1)->p_paddr = 0x100800;
	EXPECT_REFUSED(load(), "segments 0 (0x100000+0x1000) and 1 (0x100800+0x2000) overlap");
	/* Overlap in the BSS only counts too; touching does not. */
	std_elf32();
	ph32(0)->p_paddr = 0x102fff;
	EXPECT_REFUSED(load(), "segments 0 (0x102fff+0x1000) and 1 (0x101000+0x2000) overlap");
	std_elf32();
	ph32(0)->p_paddr = 0x103000;
	ph32(0)->p_vaddr = 0x103000;
	eh32()->e_entry = 0x103000;
	assert_true(load());
}

static void test_memsz_below_filesz(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	ph32(1)->p_memsz = 0x7ff;
	EXPECT_REFUSED(load(), "segment 1: memsz 0x7ff is smaller than filesz 0x800");
}

static void test_huge_sizes(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	/* 32 bits: paddr + memsz overflows a uint32_t. */
	std_elf32();
	ph32(1)->p_memsz = 0xfff00000;
	EXPECT_REFUSED(load(), "segment 1 (0x101000+0xfff00000) ends past guest RAM (0x400000 bytes)");
	/* 64 bits: paddr + memsz overflows a uint64_t. */
	std_elf64();
	ph64(1)->p_memsz = 0xffffffffffffff00ull;
	EXPECT_REFUSED(load(), "segment 1 (0x101000+0xffffffffffffff00) wraps around the address space");
	std_elf64();
	ph64(1)->p_filesz = 0xffffffffffffff00ull;
	ph64(1)->p_memsz = 0xffffffffffffff00ull;
	EXPECT_REFUSED(load(), "segment 1 (file offset 0x2000+0xffffffffffffff00) ends past the file (10240 bytes)");
}

static void test_entry_outside_segments(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	std_elf32();
	eh32()->e_entry = 0x103000; /* one past the BSS */
	EXPECT_REFUSED(load(), "entry point 0x103000 is outside every loaded segment");
	std_elf64();
	eh64()->e_entry = 0x0;
	EXPECT_REFUSED(load(), "entry point 0 is outside every loaded segment");
	/* In the BSS is inside. */
	std_elf32();
	eh32()->e_entry = 0x102ffc;
	assert_true(load());
	assert_int_equal(res.entry, 0x102ffc);
}

static void test_no_or_too_many_load_segments(void **state)
{
	(void)state;
	struct seg_spec s[17];

	ram_new(4 * MiB);
	std_elf32();
	ph32(0)->p_type = PT_NOTE;
	ph32(1)->p_type = PT_DYNAMIC;
	EXPECT_REFUSED(load(), "ELF kernel has no loadable segment");

	for (unsigned i = 0; i < 17; i++)
		s[i] = (struct seg_spec){PT_LOAD, 0x1000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000, 0x10, 0x10};
	elf64(0x2000, 0x100000, s, 16);
	assert_true(load());
	ram_free(NULL);
	ram_new(4 * MiB);
	elf64(0x2000, 0x100000, s, 17);
	EXPECT_REFUSED(load(), "more than 16 loadable segments");
}

/* ---- refusals: the a.out kludge ---- */

static void test_aout_refusals(void **state)
{
	(void)state;
	ram_new(4 * MiB);
	aout(0x2000, 0x100400, 0x100500, 0, 0, 0x100500);
	EXPECT_REFUSED(load(), "load_addr 0x100500 is above header_addr 0x100400");
	aout(0x2000, 0x100400, 0xff000, 0, 0, 0x100000);
	EXPECT_REFUSED(load(),
	               "load_addr 0xff000 lies before the start of the file (header at offset 0x400, at 0x100400)");
	aout(0x2000, 0x100400, 0x100000, 0x100000, 0, 0x100000);
	EXPECT_REFUSED(load(), "load_end_addr 0x100000 is not above load_addr 0x100000");
	aout(0x2000, 0x100400, 0x100000, 0x101000, 0x100fff, 0x100000);
	EXPECT_REFUSED(load(), "bss_end_addr 0x100fff is below the end of the loaded data 0x101000");
	aout(0x2000, 0x100400, 0x100000, 0x102001, 0, 0x100000);
	EXPECT_REFUSED(load(), "the load range (file offset 0+0x2001) ends past the file (8192 bytes)");
	aout(0x2000, 0x400, 0, 0, 0, 0);
	EXPECT_REFUSED(load(), "the load range at 0 lies below 1 MiB (kernels load at 0x100000 or above)");
	aout(0x2000, 0xa0400, 0xa0000, 0, 0, 0xa0000);
	EXPECT_REFUSED(load(), "the load range at 0xa0000 lies in the hole 0xa0000-0xfffff");
	aout(0x2000, 0x3ff400, 0x3ff000, 0, 0, 0x3ff000);
	EXPECT_REFUSED(load(), "the load range (0x3ff000+0x2000) ends past guest RAM (0x400000 bytes)");
	aout(0x2000, 0x100400, 0x100000, 0, 0xffffffff, 0x100000);
	EXPECT_REFUSED(load(), "the load range (0x100000+0xffefffff) ends past guest RAM (0x400000 bytes)");
	aout(0x2000, 0x100400, 0x100000, 0, 0, 0x102000);
	EXPECT_REFUSED(load(), "entry point 0x102000 is outside every loaded segment");

	/* The header's address fields cut by the end of the file, or past byte 8192. */
	aout(0x2000, 0x100400, 0x100000, 0, 0, 0x100000);
	img_size = MB_AT + 20;
	EXPECT_REFUSED(load(), "multiboot header at offset 0x400 is cut short by the end of the file (1044 bytes)");
	begin(0x3000);
	uint32_t w[3] = {MULTIBOOT_HEADER_MAGIC, MULTIBOOT_AOUT_KLUDGE,
	                 -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_AOUT_KLUDGE)};
	memcpy(img + 8192 - 16, w, sizeof(w));
	EXPECT_REFUSED(load(), "multiboot header at offset 0x1ff0 ends past the first 8192 bytes");
}

/* ---- refusals: modules and the information block ---- */

static void test_modules_do_not_fit(void **state)
{
	(void)state;
	static uint8_t one[1];
	void *d = unit_guarded_dup(one, 1);
	/* 2 MiB of RAM: the kernel ends at 0x103000, RAM at 0x200000. */
	struct mb_module m[2] = {{d, 0x200000 - 0x103000 + 1, "big"}, {d, 1, "x"}};

	ram_new(GUEST_MIN_MEMORY);
	std_elf32();
	EXPECT_REFUSED(load_mods("", m, 1),
	               "module 0 (1036289 bytes) does not fit in guest RAM (0x200000 bytes) at 0x103000");
	/* The first exactly to the end of RAM: the second does not fit anywhere. */
	m[0].size = 0x200000 - 0x103000;
	EXPECT_REFUSED(load_mods("", m, 2),
	               "module 1 (1 bytes) does not fit in guest RAM (0x200000 bytes) at 0x200000");
	/* Modules fit, the information block does not. */
	m[0].size = 0x200000 - 0x103000 - 0x10;
	EXPECT_REFUSED(load_mods("", m, 1),
	               "the multiboot information (191 bytes) does not fit in guest RAM (0x200000 bytes) at 0x200000");
	/* A size near 2^64 does not wrap. */
	m[0].size = UINT64_MAX;
	EXPECT_REFUSED(load_mods("", m, 1),
	               "module 0 (18446744073709551615 bytes) does not fit in guest RAM (0x200000 bytes) at 0x103000");
	/* Room for both and the block: a module of 0xfb000 real bytes, then one. */
	static uint8_t big[0x200000 - 0x103000 - 0x2000];
	memset(big, 0x77, sizeof(big));
	m[0] = (struct mb_module){unit_guarded_dup(big, sizeof(big)), sizeof(big), "big"};
	assert_true(load_mods("", m, 2));
	assert_int_equal(res.mbi, 0x1ff000);
	assert_memory_equal(ram.g.ram + 0x103000, big, sizeof(big));
	assert_int_equal(ram.g.ram[0x1fe000], one[0]);
	expect_common("");
	unit_guarded_free((void *)m[0].data, sizeof(big));
	unit_guarded_free(d, 1);
}

/* The information block too large for the RAM left after the kernel: a huge command line. */
static void test_mbi_does_not_fit(void **state)
{
	(void)state;
	static char cmdline[0x10000];

	memset(cmdline, 'c', sizeof(cmdline) - 1);
	ram_new(GUEST_MIN_MEMORY);
	elf32(0x2000, 0x1f0000, (struct seg_spec[]){{PT_LOAD, 0x1000, 0x1f0000, 0x1f0000, 0x1000, 0x1000}}, 1);
	EXPECT_REFUSED(
	        load_mods(cmdline, NULL, 0),
	        "the multiboot information (65706 bytes) does not fit in guest RAM (0x200000 bytes) at 0x1f1000");
	cmdline[0xe000] = '\0';
	assert_true(load_mods(cmdline, NULL, 0));
	assert_true(res.free_lo <= 0x200000);
}

static void test_ram_size(void **state)
{
	(void)state;
	ram_new(MiB);
	std_elf32();
	EXPECT_REFUSED(load(), "guest RAM of 0x100000 bytes: expected more than 1 MiB, less than 4 GiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_elf32_good, ram_free),
	        cmocka_unit_test_teardown(test_elf64_good, ram_free),
	        cmocka_unit_test_teardown(test_elf64_higher_half_entry, ram_free),
	        cmocka_unit_test_teardown(test_header_placement_and_optional_flags, ram_free),
	        cmocka_unit_test_teardown(test_null_cmdline, ram_free),
	        cmocka_unit_test_teardown(test_modules, ram_free),
	        cmocka_unit_test_teardown(test_aout_good, ram_free),
	        cmocka_unit_test_teardown(test_aout_whole_file, ram_free),
	        cmocka_unit_test_teardown(test_aout_over_elf, ram_free),
	        cmocka_unit_test_teardown(test_no_header, ram_free),
	        cmocka_unit_test_teardown(test_bad_checksum, ram_free),
	        cmocka_unit_test_teardown(test_required_flags, ram_free),
	        cmocka_unit_test_teardown(test_not_elf_without_flag_16, ram_free),
	        cmocka_unit_test_teardown(test_elf_header_refusals, ram_free),
	        cmocka_unit_test_teardown(test_truncated_program_headers, ram_free),
	        cmocka_unit_test_teardown(test_segment_outside_file, ram_free),
	        cmocka_unit_test_teardown(test_segment_outside_ram, ram_free),
	        cmocka_unit_test_teardown(test_segment_in_hole_or_low, ram_free),
	        cmocka_unit_test_teardown(test_overlapping_segments, ram_free),
	        cmocka_unit_test_teardown(test_memsz_below_filesz, ram_free),
	        cmocka_unit_test_teardown(test_huge_sizes, ram_free),
	        cmocka_unit_test_teardown(test_entry_outside_segments, ram_free),
	        cmocka_unit_test_teardown(test_no_or_too_many_load_segments, ram_free),
	        cmocka_unit_test_teardown(test_aout_refusals, ram_free),
	        cmocka_unit_test_teardown(test_modules_do_not_fit, ram_free),
	        cmocka_unit_test_teardown(test_mbi_does_not_fit, ram_free),
	        cmocka_unit_test_teardown(test_ram_size, ram_free),
	};

	return cmocka_run_group_tests_name("mbload", tests, NULL, NULL);
}
