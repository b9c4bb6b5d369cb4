/* sources: boot/efi/memmap_conv.c boot/efi/conf_scan.c boot/efi/loadopt.c boot/efi/hvelf.c vmm/partition/config.c vmm/lib/cmdline.c vmm/lib/parse.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_efi_memmap.c: host tests of the UEFI loader's pure parts (memory map, hv.conf, LoadOptions, hv.elf, CPUs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot/efi/conf_scan.h"
#include "boot/efi/cpu_list.h"
#include "boot/efi/hvelf.h"
#include "boot/efi/loadopt.h"
#include "boot/efi/memmap_conv.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/array.h"

/* ---- memory map ---- */

#define DESC_SIZE 48 /* what OVMF reports: larger than the struct, as UEFI allows */

struct map {
	unsigned char bytes[64 * DESC_SIZE];
	size_t size;
};

static void add(struct map *m, uint32_t type, uint64_t base, uint64_t pages)
{
	struct efi_mem_desc d = {type, 0, base, 0, pages, 0};
	memset(m->bytes + m->size, 0xa5, DESC_SIZE); /* the padding must be ignored */
	memcpy(m->bytes + m->size, &d, sizeof(d));
	m->size += DESC_SIZE;
}

static void test_type_conversion(void **state)
{
	(void)state;
	static const uint32_t want[] = {
	        [EFI_MT_RESERVED] = BOOT_MEM_RESERVED,
	        [EFI_MT_LOADER_CODE] = BOOT_MEM_USABLE,
	        [EFI_MT_LOADER_DATA] = BOOT_MEM_USABLE,
	        [EFI_MT_BOOT_SERVICES_CODE] = BOOT_MEM_USABLE,
	        [EFI_MT_BOOT_SERVICES_DATA] = BOOT_MEM_USABLE,
	        [EFI_MT_RUNTIME_SERVICES_CODE] = BOOT_MEM_FIRMWARE,
	        [EFI_MT_RUNTIME_SERVICES_DATA] = BOOT_MEM_FIRMWARE,
	        [EFI_MT_CONVENTIONAL] = BOOT_MEM_USABLE,
	        [EFI_MT_UNUSABLE] = BOOT_MEM_BAD,
	        [EFI_MT_ACPI_RECLAIM] = BOOT_MEM_ACPI_RECLAIM,
	        [EFI_MT_ACPI_NVS] = BOOT_MEM_ACPI_NVS,
	        [EFI_MT_MMIO] = BOOT_MEM_RESERVED,
	        [EFI_MT_MMIO_PORT_SPACE] = BOOT_MEM_RESERVED,
	        [EFI_MT_PAL_CODE] = BOOT_MEM_RESERVED,
	        [EFI_MT_PERSISTENT] = BOOT_MEM_PERSISTENT,
	};
	for (uint32_t t = 0; t < ARRAY_LEN(want); t++)
		assert_int_equal(memmap_type_from_efi(t), want[t]);
	assert_int_equal(memmap_type_from_efi(15), BOOT_MEM_RESERVED);          /* unaccepted memory, unknown to us */
	assert_int_equal(memmap_type_from_efi(0x80000000u), BOOT_MEM_RESERVED); /* OEM range */
}

static void test_merge_and_sort(void **state)
{
	(void)state;
	struct map m = {0};
	struct boot_mem_range out[8];

	add(&m, EFI_MT_BOOT_SERVICES_DATA, 0x100000, 16); /* out of order on purpose */
	add(&m, EFI_MT_CONVENTIONAL, 0x0, 160);
	add(&m, EFI_MT_LOADER_DATA, 0x110000, 0x10);
	add(&m, EFI_MT_ACPI_NVS, 0x120000, 1);
	add(&m, EFI_MT_ACPI_NVS, 0x121000, 1);
	add(&m, EFI_MT_CONVENTIONAL, 0x200000, 0); /* empty: dropped */
	add(&m, EFI_MT_RUNTIME_SERVICES_CODE, 0x122000, 2);
	add(&m, EFI_MT_CONVENTIONAL, 0x124000, 4);
	add(&m, EFI_MT_CONVENTIONAL, 0x130000, 4); /* a hole before it: not merged */

	uint32_t n = memmap_from_efi(m.bytes, m.size, DESC_SIZE, out, 8);
	assert_int_equal(n, 6);
	const struct boot_mem_range want[] = {
	        {0x0, 0xa0000, BOOT_MEM_USABLE, 0},       {0x100000, 0x20000, BOOT_MEM_USABLE, 0},
	        {0x120000, 0x2000, BOOT_MEM_ACPI_NVS, 0}, {0x122000, 0x2000, BOOT_MEM_FIRMWARE, 0},
	        {0x124000, 0x4000, BOOT_MEM_USABLE, 0},   {0x130000, 0x4000, BOOT_MEM_USABLE, 0},
	};
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(out[i].base, want[i].base);
		assert_int_equal(out[i].length, want[i].length);
		assert_int_equal(out[i].type, want[i].type);
	}
}

static void test_overflow_reports_need(void **state)
{
	(void)state;
	struct map m = {0};
	struct boot_mem_range out[4];

	for (uint64_t i = 0; i < 10; i++) /* alternating types: nothing merges */
		add(&m, i % 2 ? EFI_MT_ACPI_NVS : EFI_MT_CONVENTIONAL, i * 0x1000, 1);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(memmap_from_efi(m.bytes, m.size, DESC_SIZE, out, 4), 10);
	assert_int_equal(out[3].base, 0x3000); /* the first four kept, nothing written past */

	/* Ranges that merge into the last kept entry still extend it. */
	struct map m2 = {0};
	add(&m2, EFI_MT_CONVENTIONAL, 0x0, 1);
	add(&m2, EFI_MT_ACPI_NVS, 0x1000, 1);
	add(&m2, EFI_MT_CONVENTIONAL, 0x2000, 1);
	add(&m2, EFI_MT_LOADER_DATA, 0x3000, 1);
	add(&m2, EFI_MT_ACPI_NVS, 0x4000, 1);
	struct boot_mem_range o2[3];
	assert_int_equal(memmap_from_efi(m2.bytes, m2.size, DESC_SIZE, o2, 3), 4);
	assert_int_equal(o2[2].length, 0x2000);
}

static void test_top(void **state)
{
	(void)state;
	struct map m = {0};

	add(&m, EFI_MT_CONVENTIONAL, 0x100000000ull, 0x40000); /* 4 GiB + 1 GiB */
	add(&m, EFI_MT_MMIO, 0xfd00000000ull, 16);             /* MMIO does not count */
	add(&m, EFI_MT_RESERVED, 0x1000, 1);
	assert_int_equal(memmap_efi_top(m.bytes, m.size, DESC_SIZE), 0x140000000ull);
}

/* ---- hv.conf ---- */

static enum conf_err scan(const char *text, struct conf_path *out, uint32_t max, uint32_t *n, struct cfg_error *err)
{
	return conf_scan(text, strlen(text), out, max, n, err);
}

static void assert_path(const struct conf_path *p, const char *path, uint32_t line, uint32_t col)
{
	assert_string_equal(p->path, path);
	assert_int_equal(p->line, line);
	assert_int_equal(p->col, col);
}

static void test_conf_words(void **state)
{
	(void)state;
	struct conf_path p[8];
	uint32_t n;
	struct cfg_error err;
	const char *text = "# image=commented/out.elf\n"
	                   "hypervisor cmdline=\"loglevel=info image=not/a/file\"\n"
	                   "guest name=g0 image=guests/g0.elf module=\"initrd with space.img\"  # image=no.elf\n"
	                   "\tguest image=a/b/c.bin\r\n"
	                   "guest xmodule=nope myimage=nope Image=nope module_=nope initrds=nope\n"
	                   "\n"
	                   "anything module=last.bin initrd=boot/initrd.img";
	assert_int_equal(scan(text, p, 8, &n, &err), CONF_OK);
	assert_int_equal(n, 5);
	assert_path(&p[0], "guests/g0.elf", 3, 21);
	assert_path(&p[1], "initrd with space.img", 3, 43);
	assert_path(&p[2], "a/b/c.bin", 4, 14); /* the CR is the line ending's, not the value's */
	assert_path(&p[3], "last.bin", 7, 17);
	assert_path(&p[4], "boot/initrd.img", 7, 33); /* the initrd is a file to load too */

	assert_int_equal(scan("", p, 8, &n, &err), CONF_OK);
	assert_int_equal(n, 0);
	assert_int_equal(scan("# only a comment\n\n  \t\n", p, 8, &n, &err), CONF_OK);
	assert_int_equal(n, 0);
}

static void assert_conf_err(const char *text, uint32_t max, enum conf_err want, unsigned line, unsigned col,
                            const char *msg)
{
	struct conf_path p[4];
	uint32_t n;
	struct cfg_error err;

	assert_int_equal(conf_scan(text, strlen(text), p, max, &n, &err), want);
	assert_int_equal(err.line, line);
	assert_int_equal(err.col, col);
	assert_string_equal(err.msg, msg);
}

static void test_conf_errors(void **state)
{
	(void)state;
	char longp[200] = "guest image=";
	struct conf_path p[2];
	uint32_t n;
	struct cfg_error err;

	/* Syntax: cfg_parse's own line, column and message. */
	assert_conf_err("\n\nguest module=\"open quote\n", 2, CONF_ERR_SYNTAX, 3, 14, "unterminated quoted value");
	assert_conf_err("image=x.elf\n", 2, CONF_ERR_SYNTAX, 1, 6, "expected a blank after the directive name");
	assert_conf_err("guest image=a\x01.elf", 2, CONF_ERR_SYNTAX, 1, 14, "control character in the file");
	assert_int_equal(conf_scan("guest a=b\0image=x.elf", 21, p, 2, &n, &err), CONF_ERR_SYNTAX); /* NUL: not text */
	assert_int_equal(err.col, 10);
	/* Paths: the value's column and conf_strerror's text. */
	assert_conf_err("guest image=", 2, CONF_ERR_EMPTY, 1, 13, conf_strerror(CONF_ERR_EMPTY));
	assert_conf_err("guest module=\"\"", 2, CONF_ERR_EMPTY, 1, 15, conf_strerror(CONF_ERR_EMPTY));
	assert_conf_err("guest image=/abs.elf", 2, CONF_ERR_ABSOLUTE, 1, 13, conf_strerror(CONF_ERR_ABSOLUTE));
	assert_conf_err("guest image=\\abs.elf", 2, CONF_ERR_ABSOLUTE, 1, 13, conf_strerror(CONF_ERR_ABSOLUTE));
	assert_conf_err("guest image=a\x7f.elf", 2, CONF_ERR_CHAR, 1, 13, conf_strerror(CONF_ERR_CHAR));
	assert_conf_err("guest image=\"\xc3\xa9.elf\"", 2, CONF_ERR_CHAR, 1, 14, conf_strerror(CONF_ERR_CHAR));
	assert_conf_err("guest image=a image=b\nguest  image=c", 2, CONF_ERR_TOO_MANY, 2, 8,
	                conf_strerror(CONF_ERR_TOO_MANY));
	memset(longp + 12, 'x', BOOT_NAME_MAX - 1);
	assert_conf_err(longp, 2, CONF_OK, 0, 0, ""); /* 63 characters fit */
	longp[12 + BOOT_NAME_MAX - 1] = 'x';
	assert_conf_err(longp, 2, CONF_ERR_TOO_LONG, 1, 13, conf_strerror(CONF_ERR_TOO_LONG));
}

/* No-op line callback: cfg_parse alone, as the hypervisor runs it before its directives. */
static bool any_line(const struct cfg_line *l, void *ctx, struct cfg_error *err)
{
	(void)l;
	(void)ctx;
	(void)err;
	return true;
}

/* The loader refuses exactly the files the hypervisor's tokenizer refuses, with the same words. */
static void test_conf_agrees_with_hypervisor(void **state)
{
	(void)state;
	static const char *const texts[] = {
	        "guest image=a.elf\n",
	        "guest image=\"a.elf\n",
	        "guest image=a\"b\n",
	        "guest image=a.elf# c\n",
	        "guest image=\"a\"b\n",
	        "guest image\n",
	        "=x\n",
	        "guest image=a.elf\r\n\x02",
	        "guest\timage=a\tmodule=b",
	        "\xef\xbb\xbfguest\n",
	        "guest image==a\n",
	        "g! image=a\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		struct conf_path p[4];
		uint32_t n;
		struct cfg_error a, b;
		size_t len = strlen(texts[i]);
		bool hv_ok = cfg_parse(texts[i], len, any_line, NULL, &b);
		enum conf_err e = conf_scan(texts[i], len, p, 4, &n, &a);
		assert_int_equal(e == CONF_ERR_SYNTAX, !hv_ok);
		if (!hv_ok) {
			assert_int_equal(a.line, b.line);
			assert_int_equal(a.col, b.col);
			assert_string_equal(a.msg, b.msg);
		}
	}
}

static void test_conf_volume_path(void **state)
{
	(void)state;
	uint16_t out[32];
	const char *want = "\\apicvisor\\guests\\g0.elf";

	assert_true(conf_volume_path("\\apicvisor", "guests/g0.elf", out, 32));
	for (size_t i = 0; i <= strlen(want); i++)
		assert_int_equal(out[i], (uint16_t)want[i]);
	assert_false(conf_volume_path("\\apicvisor", "guests/g0.elf", out, strlen(want)));
	assert_true(conf_volume_path("\\apicvisor", "guests/g0.elf", out, strlen(want) + 1));
}

/* ---- LoadOptions ---- */

static size_t ucs2(const char *s, uint16_t *out)
{
	size_t n = 0;
	for (; s[n]; n++)
		out[n] = (unsigned char)s[n];
	out[n] = 0;
	return (n + 1) * 2;
}

static void test_loadopt(void **state)
{
	(void)state;
	uint16_t u[128];
	char out[32];
	size_t sz;

	sz = ucs2("fs0:\\EFI\\BOOT\\BOOTX64.EFI loglevel=debug  onpanic=reboot ", u);
	assert_int_equal(loadopt_to_cmdline(u, sz, "BOOTX64.EFI", out, sizeof(out)), LOADOPT_OK);
	assert_string_equal(out, "loglevel=debug  onpanic=reboot");
	sz = ucs2("bootx64 a=1", u);
	assert_int_equal(loadopt_to_cmdline(u, sz, "BOOTX64.EFI", out, sizeof(out)), LOADOPT_OK);
	assert_string_equal(out, "a=1");
	sz = ucs2("other.efi\ta=1", u);
	loadopt_to_cmdline(u, sz, NULL, out, sizeof(out));
	assert_string_equal(out, "a=1");
	sz = ucs2("nosmp a=1", u); /* not the program's name: kept */
	loadopt_to_cmdline(u, sz, "BOOTX64.EFI", out, sizeof(out));
	assert_string_equal(out, "nosmp a=1");
	sz = ucs2("BOOTX64.EFI", u);
	assert_int_equal(loadopt_to_cmdline(u, sz, "BOOTX64.EFI", out, sizeof(out)), LOADOPT_OK);
	assert_string_equal(out, "");
	assert_int_equal(loadopt_to_cmdline(NULL, 0, "BOOTX64.EFI", out, sizeof(out)), LOADOPT_OK);
	assert_string_equal(out, "");

	sz = ucs2("x.efi a=\xe9", u);
	u[8] = 0x263a; /* non-ASCII becomes '?' */
	loadopt_to_cmdline(u, sz, NULL, out, sizeof(out));
	assert_string_equal(out, "a=?");

	sz = ucs2("x.efi 0123456789012345678901234567890123456789", u);
	assert_int_equal(loadopt_to_cmdline(u, sz, NULL, out, sizeof(out)), LOADOPT_TRUNCATED);
	assert_int_equal(strlen(out), sizeof(out) - 1);

	const uint16_t binary[] = {0x0001, 0x0203, 0x0004};
	assert_int_equal(loadopt_to_cmdline(binary, sizeof(binary), NULL, out, sizeof(out)), LOADOPT_NOT_TEXT);
	assert_string_equal(out, "");
}

/* ---- hv.elf ---- */

struct fake_elf {
	unsigned char b[0x3000];
};

static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }

static void phdr(struct fake_elf *f, int i, uint64_t off, uint64_t va, uint64_t pa, uint64_t filesz, uint64_t memsz)
{
	unsigned char *p = f->b + 64 + i * 56;
	put32(p, 1); /* PT_LOAD */
	put64(p + 8, off);
	put64(p + 16, va);
	put64(p + 24, pa);
	put64(p + 32, filesz);
	put64(p + 40, memsz);
}

/* Like hv.elf: a low multiboot2 stub, then two higher-half segments (listed high first). */
static void make_elf(struct fake_elf *f)
{
	const uint64_t base = 0xffffffff80400000ull;
	memset(f, 0, sizeof(*f));
	memcpy(f->b,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	put16(f->b + 16, 2);  /* ET_EXEC */
	put16(f->b + 18, 62); /* EM_X86_64 */
	put64(f->b + 32, 64); /* e_phoff */
	put16(f->b + 54, 56);
	put16(f->b + 56, 3);
	phdr(f, 0, 0x1000, 0x200000, 0x200000, 0x100, 0x2000);
	phdr(f, 1, 0x2000, base + 0x1000, 0x401000, 0x100, 0x3000);
	phdr(f, 2, 0x1800, base, 0x400000, 0x800, 0x800);
	put64(f->b + 0x1800, HV_IMAGE_MAGIC);
	put64(f->b + 0x1808, base);
	put64(f->b + 0x1810, base + 0x20);
	put64(f->b + 0x1818, 0x4000);
}

static void test_hvelf_good(void **state)
{
	(void)state;
	struct fake_elf f;
	struct hvelf_image img;

	make_elf(&f);
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_OK);
	assert_int_equal(img.seg_count, 2);
	assert_int_equal(img.seg[0].vaddr, 0xffffffff80400000ull);
	assert_int_equal(img.seg[1].memsz, 0x3000);
	assert_int_equal(img.preferred_phys, 0x400000);
	assert_int_equal(img.hdr.entry_uefi, 0xffffffff80400020ull);
	assert_int_equal(img.hdr.image_size, 0x4000);
}

static void test_hvelf_bad(void **state)
{
	(void)state;
	struct fake_elf f;
	struct hvelf_image img;
	const char text[] = "this is not an ELF file\n";

	assert_int_equal(hvelf_parse(text, sizeof(text), &img), HVELF_ERR_TOO_SMALL);
	make_elf(&f);
	f.b[1] = 'X';
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_NOT_ELF);
	make_elf(&f);
	f.b[4] = 1;
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_NOT_ELF64_LE);
	make_elf(&f);
	put16(f.b + 16, 3); /* ET_DYN */
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_NOT_EXEC);
	make_elf(&f);
	put16(f.b + 18, 3); /* EM_386 */
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_NOT_X86_64);
	make_elf(&f);
	put64(f.b + 32, sizeof(f.b) - 100); /* program headers past the end */
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_PHDRS);
	make_elf(&f);
	assert_int_equal(hvelf_parse(f.b, 0x2050, &img), HVELF_ERR_SEG_FILE); /* truncated file */
	make_elf(&f);
	put16(f.b + 56, 1); /* only the low stub */
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_NO_IMAGE);
	make_elf(&f);
	put64(f.b + 0x1800, 0x1234);
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_NO_HEADER);
	make_elf(&f);
	put64(f.b + 0x1810, 0xffffffff80500000ull); /* entry outside the image */
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_BAD_HEADER);
	make_elf(&f);
	put64(f.b + 0x1818, 0x3000); /* image too small for segment 1's bss */
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_SEG_OUTSIDE);
	assert_int_equal(img.bad_seg, 1);
	make_elf(&f);
	phdr(&f, 1, 0x2000, 0xffffffff80401000ull, 0x401000, 0x200, 0x100); /* filesz > memsz */
	assert_int_equal(hvelf_parse(f.b, sizeof(f.b), &img), HVELF_ERR_SEG_SIZE);
}

/* ---- processors (UEFI MP services) ---- */

static void test_cpu_flags(void **state)
{
	(void)state;
	assert_int_equal(cpu_flags_from_efi(0), 0);
	assert_int_equal(cpu_flags_from_efi(EFI_PROCESSOR_AS_BSP_BIT), BOOT_CPU_BSP);
	assert_int_equal(cpu_flags_from_efi(EFI_PROCESSOR_ENABLED_BIT), BOOT_CPU_ENABLED);
	assert_int_equal(cpu_flags_from_efi(EFI_PROCESSOR_HEALTH_STATUS_BIT), 0);
	assert_int_equal(cpu_flags_from_efi(0x7), BOOT_CPU_BSP | BOOT_CPU_ENABLED);
	assert_int_equal(sizeof(union efi_cpu_info_buf), EFI_CPU_INFO_BUF);
}

static void test_cpu_list(void **state)
{
	(void)state;
	struct boot_cpu cpus[3] = {{0}};
	uint32_t n = 0;
	struct efi_processor_info bsp = {0, 0x7, {0, 0, 0}}, ap = {5, 0x6, {0, 1, 0}}, off = {6, 0x4, {0, 2, 0}};
	struct efi_processor_info wide = {0x100000000ull, 0x6, {0, 0, 0}};

	assert_int_equal(cpu_list_add(cpus, &n, 2, &bsp), CPU_ADDED);
	assert_int_equal(cpu_list_add(cpus, &n, 2, &wide), CPU_BAD_ID);
	assert_int_equal(n, 1);
	assert_int_equal(cpu_list_add(cpus, &n, 2, &ap), CPU_ADDED);
	assert_int_equal(cpu_list_add(cpus, &n, 2, &off), CPU_TABLE_FULL); /* the first max are kept */
	assert_int_equal(n, 2);
	assert_int_equal(cpus[0].apic_id, 0);
	assert_int_equal(cpus[0].flags, BOOT_CPU_BSP | BOOT_CPU_ENABLED);
	assert_int_equal(cpus[1].apic_id, 5);
	assert_int_equal(cpus[1].flags, BOOT_CPU_ENABLED);
	assert_int_equal(cpus[2].apic_id, 0); /* untouched */
	assert_int_equal(cpu_list_add(cpus, &n, 3, &off), CPU_ADDED);
	assert_int_equal(cpus[2].flags, 0); /* disabled: listed, without BOOT_CPU_ENABLED */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_type_conversion),
	        cmocka_unit_test(test_merge_and_sort),
	        cmocka_unit_test(test_overflow_reports_need),
	        cmocka_unit_test(test_top),
	        cmocka_unit_test(test_conf_words),
	        cmocka_unit_test(test_conf_errors),
	        cmocka_unit_test(test_conf_agrees_with_hypervisor),
	        cmocka_unit_test(test_conf_volume_path),
	        cmocka_unit_test(test_loadopt),
	        cmocka_unit_test(test_hvelf_good),
	        cmocka_unit_test(test_hvelf_bad),
	        cmocka_unit_test(test_cpu_flags),
	        cmocka_unit_test(test_cpu_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
