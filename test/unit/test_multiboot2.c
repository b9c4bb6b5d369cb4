/* sources: boot/entry/multiboot2.c vmm/lib/string.c */
/* test_multiboot2.c: mb2_parse over multiboot2 information blocks built in a buffer. */
#include "test/unit/unit.h"

#include "boot/entry/multiboot2.h"

/* ---- building an information block ---- */

struct mb {
	uint8_t buf[16384];
	uint32_t len;
};

static struct mb mb;
static struct boot_info bi;

static void put32(uint32_t off, uint32_t v) { memcpy(mb.buf + off, &v, 4); }
static void put64(uint32_t off, uint64_t v) { memcpy(mb.buf + off, &v, 8); }

static void begin(void)
{
	memset(mb.buf, 0, sizeof(mb.buf));
	mb.len = 8; /* total_size, reserved */
}

/* Start a tag of the given size; returns its offset. Padding to 8 is filled with 'X'. */
static uint32_t tag(uint32_t type, uint32_t size)
{
	uint32_t off = mb.len;

	assert_true(off + size + 8 <= sizeof(mb.buf));
	put32(off, type);
	put32(off + 4, size);
	mb.len += (size + 7) & ~7u;
	memset(mb.buf + off + size, 'X', mb.len - off - size);
	return off;
}

static void tag_string(uint32_t type, const char *s)
{
	uint32_t off = tag(type, 8 + (uint32_t)strlen(s) + 1);
	memcpy(mb.buf + off + 8, s, strlen(s) + 1);
}

static void tag_module(uint32_t start, uint32_t end, const char *name)
{
	uint32_t off = tag(MB2_TAG_MODULE, 16 + (uint32_t)strlen(name) + 1);
	put32(off + 8, start);
	put32(off + 12, end);
	memcpy(mb.buf + off + 16, name, strlen(name) + 1);
}

struct e820 {
	uint64_t base, length;
	uint32_t type;
};

static void tag_mmap_sized(const struct e820 *e, uint32_t n, uint32_t entry_size)
{
	uint32_t off = tag(MB2_TAG_MMAP, 16 + n * entry_size);
	put32(off + 8, entry_size);
	put32(off + 12, 0);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t o = off + 16 + i * entry_size;
		memset(mb.buf + o, 0xee, entry_size); /* reserved fields and any extension */
		put64(o, e[i].base);
		put64(o + 8, e[i].length);
		put32(o + 16, e[i].type);
	}
}
static void tag_mmap(const struct e820 *e, uint32_t n) { tag_mmap_sized(e, n, 24); }

static void tag_bytes(uint32_t type, const void *p, uint32_t n)
{
	uint32_t off = tag(type, 8 + n);
	memcpy(mb.buf + off + 8, p, n);
}

static void end(void)
{
	tag(MB2_TAG_END, 8);
	put32(0, mb.len);
}

/* Parse a heap copy of exactly total_size bytes, so ASan sees any read past it. */
static enum mb2_err parse(void)
{
	void *copy = unit_dup(mb.buf, mb.len);

	memset(&bi, 0, sizeof(bi));
	enum mb2_err e = mb2_parse(MB2_BOOTLOADER_MAGIC, copy, mb.len, &bi);
	free(copy);
	return e;
}

static const struct e820 qemu_map[] = {
        {0x0, 0x9fc00, 1},        {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},    {0x100000, 0x7fee0000, 1},
        {0x7ffe0000, 0x20000, 3}, {0xfed1c000, 0x4000, 4}, {0xfffc0000, 0x40000, 5}, {0x100000000, 0x80000000, 9},
};

static void rsdp_bytes(uint8_t *p, size_t n, uint8_t fill)
{
	memset(p, fill, n);
	memcpy(p, "RSD PTR ", 8);
}

/* ---- tests ---- */

static void test_full_info(void **state)
{
	(void)state;
	uint8_t rsdp[36];

	rsdp_bytes(rsdp, sizeof(rsdp), 0x42);
	begin();
	tag_string(MB2_TAG_CMDLINE, "loglevel=debug console=com1");
	tag_string(MB2_TAG_LOADER_NAME, "GRUB 2.06");
	tag_module(0x200000, 0x201234, "hv.conf");
	tag_module(0x300000, 0x500000, "/boot/guest/linux.efi");
	tag(0x1234, 20); /* an unknown tag is skipped */
	tag_mmap(qemu_map, ARRAY_LEN(qemu_map));
	tag_bytes(MB2_TAG_ACPI_NEW, rsdp, sizeof(rsdp));
	end();

	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.magic, BOOTINFO_MAGIC);
	assert_int_equal(bi.version, BOOTINFO_VERSION);
	assert_int_equal(bi.size, sizeof(struct boot_info));
	assert_int_equal(bi.boot_path, BOOT_PATH_MULTIBOOT2);
	assert_string_equal(bi.cmdline, "loglevel=debug console=com1");
	assert_string_equal(bi.loader_name, "GRUB 2.06");

	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].base, 0x200000);
	assert_int_equal(bi.modules[0].size, 0x1234);
	assert_string_equal(bi.modules[0].name, "hv.conf");
	assert_int_equal(bi.modules[1].base, 0x300000);
	assert_int_equal(bi.modules[1].size, 0x200000);
	assert_string_equal(bi.modules[1].name, "/boot/guest/linux.efi");

	static const uint32_t want_types[] = {BOOT_MEM_USABLE, BOOT_MEM_RESERVED,     BOOT_MEM_RESERVED,
	                                      BOOT_MEM_USABLE, BOOT_MEM_ACPI_RECLAIM, BOOT_MEM_ACPI_NVS,
	                                      BOOT_MEM_BAD,    BOOT_MEM_RESERVED};
	assert_int_equal(bi.mem_count, ARRAY_LEN(qemu_map));
	for (size_t i = 0; i < ARRAY_LEN(qemu_map); i++) {
		assert_int_equal(bi.mem[i].base, qemu_map[i].base);
		assert_int_equal(bi.mem[i].length, qemu_map[i].length);
		assert_int_equal(bi.mem[i].type, want_types[i]);
	}
	assert_int_equal(bi.rsdp_copy_len, 36);
	assert_memory_equal(bi.rsdp_copy, rsdp, 36);
	assert_int_equal(bi.rsdp_phys, 0);
}

static void test_minimal(void **state)
{
	(void)state;
	begin();
	tag_mmap(qemu_map, 1);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.mem_count, 1);
	assert_int_equal(bi.module_count, 0);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.rsdp_copy_len, 0);

	/* An empty memory map is still a memory map. */
	begin();
	tag_mmap(qemu_map, 0);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.mem_count, 0);
}

static void test_bad_magic(void **state)
{
	(void)state;
	begin();
	tag_mmap(qemu_map, 2);
	end();
	memset(&bi, 0, sizeof(bi));
	assert_int_equal(mb2_parse(0x2badb002, mb.buf, mb.len, &bi), MB2_ERR_MAGIC); /* multiboot1's */
	assert_int_equal(mb2_parse(0, mb.buf, mb.len, &bi), MB2_ERR_MAGIC);
	assert_int_equal(bi.mem_count, 0);
}

static void test_bad_total_size(void **state)
{
	(void)state;
	begin();
	tag_mmap(qemu_map, 2);
	end();
	uint32_t good = mb.len;

	memset(&bi, 0, sizeof(bi));
	put32(0, 0);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, mb.buf, sizeof(mb.buf), &bi), MB2_ERR_SIZE);
	put32(0, 15);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, mb.buf, sizeof(mb.buf), &bi), MB2_ERR_SIZE);
	put32(0, good);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, mb.buf, good - 1, &bi), MB2_ERR_SIZE); /* > max_len */
	put32(0, 2u << 20);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, mb.buf, UINT64_MAX, &bi), MB2_ERR_SIZE); /* implausible */
	put32(0, UINT32_MAX);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, mb.buf, UINT64_MAX, &bi), MB2_ERR_SIZE);
	put32(0, good);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, mb.buf, good, &bi), MB2_OK);

	/* 16 bytes: header and end tag only; parsed, but there is no memory map. */
	begin();
	end();
	assert_int_equal(mb.len, 16);
	assert_int_equal(parse(), MB2_ERR_NO_MMAP);
}

/* With max_len below 4 not even total_size may be read. */
static struct {
	const void *info;
	uint64_t max_len;
	enum mb2_err e;
} short_call;

static void run_short(void *arg)
{
	(void)arg;
	memset(&bi, 0, sizeof(bi));
	short_call.e = mb2_parse(MB2_BOOTLOADER_MAGIC, short_call.info, short_call.max_len, &bi);
}

static void test_max_len_below_4(void **state)
{
	(void)state;
	const uint8_t bytes[4] = {16, 0, 0, 0};

	for (uint64_t n = 0; n < 4; n++) {
		void *p = unit_guarded_dup(bytes, n);
		short_call.info = p;
		short_call.max_len = n;
		bool faulted = unit_faults(run_short, NULL);
		unit_guarded_free(p, n);
		if (faulted) {
			print_error("max_len %llu: read past the %llu readable bytes\n", (unsigned long long)n,
			            (unsigned long long)n);
			fail();
		}
		assert_int_equal(short_call.e, MB2_ERR_SIZE);
	}
}

static void test_tag_past_end(void **state)
{
	(void)state;
	begin();
	tag_mmap(qemu_map, 2);
	uint32_t off = mb.len;
	tag_string(MB2_TAG_CMDLINE, "abc");
	end();
	put32(off + 4, mb.len - off + 1); /* one byte past total_size */
	assert_int_equal(parse(), MB2_ERR_TAG);
	put32(off + 4, UINT32_MAX);
	assert_int_equal(parse(), MB2_ERR_TAG);
	put32(off + 4, mb.len - off); /* exactly up to the end: fine (the end tag is swallowed) */
	assert_int_equal(parse(), MB2_OK);
}

static void test_tag_too_small(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {0, 4, 7};

	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		begin();
		tag_mmap(qemu_map, 2);
		uint32_t off = tag(0x77, 8);
		end();
		put32(off + 4, sizes[i]);
		assert_int_equal(parse(), MB2_ERR_TAG);
	}
	/* A module tag without its start/end fields, and a memory map tag without its header. */
	begin();
	tag_mmap(qemu_map, 1);
	tag(MB2_TAG_MODULE, 12);
	end();
	assert_int_equal(parse(), MB2_ERR_TAG);
	begin();
	tag(MB2_TAG_MMAP, 12);
	end();
	assert_int_equal(parse(), MB2_ERR_TAG);
}

static void test_no_mmap(void **state)
{
	(void)state;
	begin();
	tag_string(MB2_TAG_CMDLINE, "quiet");
	tag_module(0x1000, 0x2000, "m");
	end();
	assert_int_equal(parse(), MB2_ERR_NO_MMAP);

	/* A memory map after the end tag does not count. */
	begin();
	end();
	uint32_t total = mb.len;
	tag_mmap(qemu_map, 2);
	put32(0, mb.len);
	put32(total - 8, MB2_TAG_END);
	assert_int_equal(parse(), MB2_ERR_NO_MMAP);
}

static void test_module_limits(void **state)
{
	(void)state;
	begin();
	tag_mmap(qemu_map, 1);
	for (int i = 0; i < BOOT_MOD_MAX; i++)
		tag_module(0x100000 * (uint32_t)(i + 1), 0x100000 * (uint32_t)(i + 1) + 0x1000, "mod");
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.module_count, BOOT_MOD_MAX);
	assert_int_equal(bi.modules[BOOT_MOD_MAX - 1].base, 0x100000u * BOOT_MOD_MAX);

	begin();
	tag_mmap(qemu_map, 1);
	for (int i = 0; i < BOOT_MOD_MAX + 1; i++)
		tag_module(0x100000, 0x101000, "mod");
	end();
	assert_int_equal(parse(), MB2_ERR_TOO_MANY);
}

static void test_module_end_before_start(void **state)
{
	(void)state;
	begin();
	tag_mmap(qemu_map, 1);
	tag_module(0x200000, 0x100000, "backwards");
	tag_module(0x200000, 0x200000, "empty");
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.modules[0].size, 0);
	assert_int_equal(bi.modules[1].size, 0);
	assert_string_equal(bi.modules[1].name, "empty");
}

static void test_mem_limits(void **state)
{
	(void)state;
	static struct e820 many[BOOT_MEM_MAX + 1];

	for (uint32_t i = 0; i < ARRAY_LEN(many); i++)
		many[i] = (struct e820){(uint64_t)i << 20, 0x1000, 1};
	begin();
	tag_mmap(many, BOOT_MEM_MAX);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.mem_count, BOOT_MEM_MAX);
	assert_int_equal(bi.mem[BOOT_MEM_MAX - 1].base, (uint64_t)(BOOT_MEM_MAX - 1) << 20);

	begin();
	tag_mmap(many, BOOT_MEM_MAX + 1);
	end();
	assert_int_equal(parse(), MB2_ERR_TOO_MANY);

	/* Two map tags add up. */
	begin();
	tag_mmap(many, BOOT_MEM_MAX / 2);
	tag_mmap(many, BOOT_MEM_MAX / 2 + 1);
	end();
	assert_int_equal(parse(), MB2_ERR_TOO_MANY);
}

static void test_mmap_entry_size(void **state)
{
	(void)state;
	static const uint32_t bad[] = {0, 8, 16, 20};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		begin();
		uint32_t off = tag(MB2_TAG_MMAP, 16 + 48);
		put32(off + 8, bad[i]);
		end();
		assert_int_equal(parse(), MB2_ERR_TAG);
	}
	/* Larger entries (a later spec revision) are walked with their own stride. */
	begin();
	tag_mmap_sized(qemu_map, 3, 32);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.mem_count, 3);
	assert_int_equal(bi.mem[2].base, 0xf0000);
	assert_int_equal(bi.mem[2].length, 0x10000);
	assert_int_equal(bi.mem[2].type, BOOT_MEM_RESERVED);
	/* A partial trailing entry is ignored. */
	begin();
	uint32_t off = tag(MB2_TAG_MMAP, 16 + 24 + 20);
	put32(off + 8, 24);
	put64(off + 16, 0x1000);
	put64(off + 24, 0x2000);
	put32(off + 32, 1);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.mem_count, 1);
	assert_int_equal(bi.mem[0].base, 0x1000);
}

/*
 * An absurd entry_size makes off + entry_size wrap in 32 bits: no entry fits
 * in the tag, so none may be produced (and no byte outside the tag read).
 * The buffer has slack after total_size so a wrong read shows as data, not a crash.
 */
static void test_mmap_entry_size_wraps(void **state)
{
	(void)state;
	begin();
	uint32_t off = tag(MB2_TAG_MMAP, 24);
	put32(off + 8, 0xfffffff8u);
	put64(off + 16, 0x1111111111111111ull);
	end();
	memset(mb.buf + mb.len, 0x77, 64);
	memset(&bi, 0, sizeof(bi));
	enum mb2_err e = mb2_parse(MB2_BOOTLOADER_MAGIC, mb.buf, mb.len, &bi);
	if (e == MB2_OK && bi.mem_count != 0) {
		print_error("entry_size 0xfffffff8 in a 24-byte tag: %u entries, first [%#llx +%#llx] type %u\n",
		            bi.mem_count, (unsigned long long)bi.mem[0].base, (unsigned long long)bi.mem[0].length,
		            bi.mem[0].type);
		fail();
	}
}

static void test_acpi_new_wins(void **state)
{
	(void)state;
	uint8_t old[20], new[36];

	rsdp_bytes(old, sizeof(old), 0x01);
	rsdp_bytes(new, sizeof(new), 0x02);
	for (int order = 0; order < 2; order++) {
		begin();
		tag_mmap(qemu_map, 1);
		if (order == 0) {
			tag_bytes(MB2_TAG_ACPI_OLD, old, sizeof(old));
			tag_bytes(MB2_TAG_ACPI_NEW, new, sizeof(new));
		} else {
			tag_bytes(MB2_TAG_ACPI_NEW, new, sizeof(new));
			tag_bytes(MB2_TAG_ACPI_OLD, old, sizeof(old));
		}
		end();
		assert_int_equal(parse(), MB2_OK);
		assert_int_equal(bi.rsdp_copy_len, 36);
		assert_memory_equal(bi.rsdp_copy, new, 36);
	}
	/* The old one alone. */
	begin();
	tag_bytes(MB2_TAG_ACPI_OLD, old, sizeof(old));
	tag_mmap(qemu_map, 1);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.rsdp_copy_len, 20);
	assert_memory_equal(bi.rsdp_copy, old, 20);
}

static void test_acpi_copy_bounded(void **state)
{
	(void)state;
	uint8_t big[64];

	rsdp_bytes(big, sizeof(big), 0x33);
	begin();
	tag_mmap(qemu_map, 1);
	tag_bytes(MB2_TAG_ACPI_NEW, big, sizeof(big));
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(bi.rsdp_copy_len, sizeof(bi.rsdp_copy));
	assert_memory_equal(bi.rsdp_copy, big, sizeof(bi.rsdp_copy));
	assert_int_equal(bi.image_phys_base, 0); /* the field after it is untouched */
}

static void test_unterminated_strings(void **state)
{
	(void)state;
	begin();
	tag_mmap(qemu_map, 1);
	uint32_t off = tag(MB2_TAG_CMDLINE, 8 + 5);
	memcpy(mb.buf + off + 8, "abcde", 5); /* no NUL: the padding after it is 'X' */
	off = tag(MB2_TAG_LOADER_NAME, 8 + 3);
	memcpy(mb.buf + off + 8, "ldr", 3);
	off = tag(MB2_TAG_MODULE, 16 + 4);
	put32(off + 8, 0x1000);
	put32(off + 12, 0x2000);
	memcpy(mb.buf + off + 16, "name", 4);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_string_equal(bi.cmdline, "abcde");
	assert_string_equal(bi.loader_name, "ldr");
	assert_string_equal(bi.modules[0].name, "name");

	/* An empty string tag (no bytes at all). */
	begin();
	tag_mmap(qemu_map, 1);
	tag(MB2_TAG_CMDLINE, 8);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_string_equal(bi.cmdline, "");

	/* The last tag before total_size, unterminated, with no end tag after it. */
	begin();
	tag_mmap(qemu_map, 1);
	off = tag(MB2_TAG_CMDLINE, 16);
	memcpy(mb.buf + off + 8, "12345678", 8);
	put32(0, mb.len);
	assert_int_equal(parse(), MB2_OK);
	assert_string_equal(bi.cmdline, "12345678");
}

static void test_long_strings_truncated(void **state)
{
	(void)state;
	char longs[2000];

	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	longs[0] = 'S';
	begin();
	tag_mmap(qemu_map, 1);
	tag_string(MB2_TAG_CMDLINE, longs);
	tag_string(MB2_TAG_LOADER_NAME, longs);
	tag_module(0x1000, 0x2000, longs);
	end();
	assert_int_equal(parse(), MB2_OK);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(bi.cmdline[0], 'S');
	assert_int_equal(strlen(bi.loader_name), BOOT_NAME_MAX - 1);
	assert_int_equal(strlen(bi.modules[0].name), BOOT_NAME_MAX - 1);
}

static void test_strerror(void **state)
{
	(void)state;
	static const enum mb2_err all[] = {MB2_OK,      MB2_ERR_MAGIC,   MB2_ERR_SIZE,
	                                   MB2_ERR_TAG, MB2_ERR_NO_MMAP, MB2_ERR_TOO_MANY};

	assert_string_equal(mb2_strerror(MB2_OK), "ok");
	for (size_t i = 0; i < ARRAY_LEN(all); i++) {
		assert_non_null(mb2_strerror(all[i]));
		assert_string_not_equal(mb2_strerror(all[i]), "?");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(mb2_strerror(all[i]), mb2_strerror(all[j]));
	}
	assert_string_equal(mb2_strerror((enum mb2_err)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_full_info),
	        cmocka_unit_test(test_minimal),
	        cmocka_unit_test(test_bad_magic),
	        cmocka_unit_test(test_bad_total_size),
	        cmocka_unit_test(test_max_len_below_4),
	        cmocka_unit_test(test_tag_past_end),
	        cmocka_unit_test(test_tag_too_small),
	        cmocka_unit_test(test_no_mmap),
	        cmocka_unit_test(test_module_limits),
	        cmocka_unit_test(test_module_end_before_start),
	        cmocka_unit_test(test_mem_limits),
	        cmocka_unit_test(test_mmap_entry_size),
	        cmocka_unit_test(test_mmap_entry_size_wraps),
	        cmocka_unit_test(test_acpi_new_wins),
	        cmocka_unit_test(test_acpi_copy_bounded),
	        cmocka_unit_test(test_unterminated_strings),
	        cmocka_unit_test(test_long_strings_truncated),
	        cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
