/* sources: arch/x86/acpi.c vmm/lib/string.c */
/* test_acpi.c: RSDP, root table, table search, \_S5 in AML and the FADT, on tables built in memory. */
#define _GNU_SOURCE /* MAP_32BIT */
#include "test/unit/unit.h"

#include <sys/mman.h>

#include "arch/x86/acpi.h"

/*
 * Tables are reached through their addresses. 64-bit fields (XSDT entries,
 * X_DSDT) point at heap blocks of exactly the table's size, so ASan sees any
 * read past them. 32-bit fields (RSDT and its entries, the FADT's DSDT) need
 * an address below 4 GiB: those tables are mapped with MAP_32BIT and end
 * right before a PROT_NONE page, so a read past them faults.
 */
#define MAX_BLOCKS 64
static struct block {
	void *p;
	size_t maplen; /* 0: from malloc */
} blocks[MAX_BLOCKS];
static int nblocks;

static void *alloc_block(size_t n, bool low)
{
	assert_true(nblocks < MAX_BLOCKS);
	if (!low) {
		void *p = malloc(n);
		assert_non_null(p);
		memset(p, 0, n);
		blocks[nblocks++] = (struct block){p, 0};
		return p;
	}
	size_t pages = (n + 4095) / 4096 + 1;
	uint8_t *m = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_true((uintptr_t)m + pages * 4096 <= UINT32_MAX);
	assert_int_equal(mprotect(m + (pages - 1) * 4096, 4096, PROT_NONE), 0);
	blocks[nblocks++] = (struct block){m, pages * 4096};
	return m + (pages - 1) * 4096 - n;
}

static int free_blocks(void **state)
{
	(void)state;
	while (nblocks) {
		struct block *b = &blocks[--nblocks];
		if (b->maplen)
			munmap(b->p, b->maplen);
		else
			free(b->p);
	}
	return 0;
}

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static uint64_t addr(const void *p) { return (uint64_t)(uintptr_t)p; }
static uint32_t addr32(const void *p)
{
	assert_true(addr(p) <= UINT32_MAX);
	return (uint32_t)addr(p);
}

static void fix(struct acpi_sdt_header *h)
{
	h->checksum = 0;
	h->checksum = (uint8_t)(0 - sum(h, h->length));
}

/* A table of alloc_len bytes whose header says length, checksum fixed when length fits. */
static struct acpi_sdt_header *table_sized(const char *sig, uint32_t length, size_t alloc_len, bool low)
{
	struct acpi_sdt_header *h = alloc_block(alloc_len, low);

	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = 1;
	memcpy(h->oem_id, "BOCHS ", 6);
	memcpy(h->oem_table_id, "BXPC    ", 8);
	if (length <= alloc_len)
		fix(h);
	return h;
}
static struct acpi_sdt_header *table(const char *sig, uint32_t length, bool low)
{
	return table_sized(sig, length, length, low);
}

static uint8_t *body(struct acpi_sdt_header *h) { return (uint8_t *)(h + 1); }

static struct acpi_sdt_header *xsdt(const struct acpi_sdt_header *const *t, uint32_t n)
{
	struct acpi_sdt_header *h = table("XSDT", 36 + 8 * n, false);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = t[i] ? addr(t[i]) : 0;
		memcpy(body(h) + 8 * i, &a, 8);
	}
	fix(h);
	return h;
}

static struct acpi_sdt_header *rsdt(const struct acpi_sdt_header *const *t, uint32_t n)
{
	struct acpi_sdt_header *h = table("RSDT", 36 + 4 * n, true);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = t[i] ? addr32(t[i]) : 0;
		memcpy(body(h) + 4 * i, &a, 4);
	}
	fix(h);
	return h;
}

/* An RSDP of alloc_len bytes (20 for revision 0 is all there is). */
static struct acpi_rsdp *rsdp(uint8_t revision, uint32_t rsdt_addr, uint64_t xsdt_addr, size_t alloc_len)
{
	struct acpi_rsdp *r = alloc_block(alloc_len, false);

	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, "BOCHS ", 6);
	r->revision = revision;
	r->rsdt_address = rsdt_addr;
	r->checksum = (uint8_t)(0 - sum(r, 20));
	if (alloc_len >= sizeof(*r)) {
		r->length = (uint32_t)alloc_len;
		r->xsdt_address = xsdt_addr;
		r->extended_checksum = (uint8_t)(0 - sum(r, alloc_len));
	}
	return r;
}

static void fix_rsdp(struct acpi_rsdp *r)
{
	r->checksum = 0;
	r->checksum = (uint8_t)(0 - sum(r, 20));
	r->extended_checksum = 0;
	r->extended_checksum = (uint8_t)(0 - sum(r, r->length));
}

/* ---- acpi_checksum, acpi_strerror ---- */

static void test_checksum(void **state)
{
	(void)state;
	const uint8_t a[] = {1, 2, 3}, b[] = {0xff, 0x02}, c[] = {0x80, 0x80};
	uint8_t big[1000];

	assert_int_equal(acpi_checksum(a, 0), 0);
	assert_int_equal(acpi_checksum(a, 3), 6);
	assert_int_equal(acpi_checksum(a, 2), 3);
	assert_int_equal(acpi_checksum(b, 2), 1);
	assert_int_equal(acpi_checksum(c, 2), 0);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(acpi_checksum(big, sizeof(big)), sum(big, sizeof(big)));
	big[0] = (uint8_t)(big[0] - acpi_checksum(big, sizeof(big)));
	assert_int_equal(acpi_checksum(big, sizeof(big)), 0);
}

static void test_strerror(void **state)
{
	(void)state;
	static const enum acpi_err all[] = {ACPI_OK,         ACPI_ERR_SIGNATURE, ACPI_ERR_CHECKSUM,
	                                    ACPI_ERR_LENGTH, ACPI_ERR_NOT_FOUND, ACPI_ERR_MALFORMED};

	assert_string_equal(acpi_strerror(ACPI_OK), "ok");
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(acpi_strerror(all[i]), acpi_strerror(all[j]));
	assert_string_equal(acpi_strerror((enum acpi_err)42), "?");
}

/* ---- acpi_rsdp_check ---- */

static void test_rsdp_good(void **state)
{
	(void)state;
	/* Revision 0 is 20 bytes: nothing after them may be read. */
	assert_int_equal(acpi_rsdp_check(rsdp(0, 0x7ffe1000, 0, 20)), ACPI_OK);
	assert_int_equal(acpi_rsdp_check(rsdp(1, 0x7ffe1000, 0, 20)), ACPI_OK);
	assert_int_equal(acpi_rsdp_check(rsdp(2, 0x7ffe1000, 0x7ffe2000, 36)), ACPI_OK);
	assert_int_equal(acpi_rsdp_check(rsdp(2, 0, 0x7ffe2000, 40)), ACPI_OK); /* a longer one */
}

static void test_rsdp_bad_signature(void **state)
{
	(void)state;
	struct acpi_rsdp *r = rsdp(2, 0x1000, 0x2000, 36);

	memcpy(r->signature, "RSD PTR_", 8);
	fix_rsdp(r);
	assert_int_equal(acpi_rsdp_check(r), ACPI_ERR_SIGNATURE);
	memcpy(r->signature, "rsd ptr ", 8);
	fix_rsdp(r);
	assert_int_equal(acpi_rsdp_check(r), ACPI_ERR_SIGNATURE);
}

static void test_rsdp_bad_checksum(void **state)
{
	(void)state;
	struct acpi_rsdp *r = rsdp(0, 0x1000, 0, 20);

	r->oem_id[0]++;
	assert_int_equal(acpi_rsdp_check(r), ACPI_ERR_CHECKSUM);

	/* The 20-byte checksum is wrong even though the extended one is right. */
	r = rsdp(2, 0x1000, 0x2000, 36);
	r->checksum++;
	r->extended_checksum--;
	assert_int_equal(sum(r, 36), 0);
	assert_int_equal(acpi_rsdp_check(r), ACPI_ERR_CHECKSUM);
}

static void test_rsdp_bad_extended_checksum(void **state)
{
	(void)state;
	struct acpi_rsdp *r = rsdp(2, 0x1000, 0x2000, 36);

	r->reserved[1] = 0x55; /* outside the first 20 bytes */
	assert_int_equal(acpi_rsdp_check(r), ACPI_ERR_CHECKSUM);
	r = rsdp(2, 0x1000, 0x2000, 36);
	r->xsdt_address ^= 0x100;
	assert_int_equal(acpi_rsdp_check(r), ACPI_ERR_CHECKSUM);
	/* Revision 0 does not have one: a wrong byte there does not matter. */
	r = rsdp(0, 0x1000, 0, 36);
	r->extended_checksum = 0x99;
	assert_int_equal(acpi_rsdp_check(r), ACPI_OK);
}

static void test_rsdp_bad_length(void **state)
{
	(void)state;
	static const uint32_t bad[] = {0, 20, 35, 4097, 0x10000000, UINT32_MAX};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct acpi_rsdp *r = rsdp(2, 0x1000, 0x2000, 36);
		r->length = bad[i];
		r->checksum = 0;
		r->checksum = (uint8_t)(0 - sum(r, 20));
		assert_int_equal(acpi_rsdp_check(r), ACPI_ERR_LENGTH);
	}
}

/* ---- acpi_sdt_check ---- */

static void test_sdt_check(void **state)
{
	(void)state;
	struct acpi_sdt_header *h = table("APIC", 100, false);

	assert_int_equal(acpi_sdt_check(h, 36, 1000), ACPI_OK);
	assert_int_equal(acpi_sdt_check(h, 100, 100), ACPI_OK);
	assert_int_equal(acpi_sdt_check(h, 101, 1000), ACPI_ERR_LENGTH);
	assert_int_equal(acpi_sdt_check(h, 36, 99), ACPI_ERR_LENGTH);
	body(h)[10] ^= 1;
	assert_int_equal(acpi_sdt_check(h, 36, 1000), ACPI_ERR_CHECKSUM);

	h = table_sized("APIC", 35, 36, false);
	fix(h);
	assert_int_equal(acpi_sdt_check(h, 0, 1000), ACPI_ERR_LENGTH); /* shorter than its own header */
}

/* ---- acpi_root ---- */

static void test_root_prefers_xsdt(void **state)
{
	(void)state;
	struct acpi_sdt_header *x = xsdt(NULL, 0), *r = rsdt(NULL, 0);
	const struct acpi_sdt_header *root = NULL;
	bool is_xsdt = false;

	assert_int_equal(acpi_root(rsdp(2, addr32(r), addr(x), 36), &root, &is_xsdt), ACPI_OK);
	assert_ptr_equal(root, x);
	assert_true(is_xsdt);

	/* Revision 2 without an XSDT: the RSDT. */
	assert_int_equal(acpi_root(rsdp(2, addr32(r), 0, 36), &root, &is_xsdt), ACPI_OK);
	assert_ptr_equal(root, r);
	assert_false(is_xsdt);
}

static void test_root_rsdt_for_revision_0(void **state)
{
	(void)state;
	struct acpi_sdt_header *r = rsdt(NULL, 0);
	const struct acpi_sdt_header *root = NULL;
	bool is_xsdt = true;

	/* A 20-byte RSDP: the XSDT field does not exist and must not be read. */
	assert_int_equal(acpi_root(rsdp(0, addr32(r), 0, 20), &root, &is_xsdt), ACPI_OK);
	assert_ptr_equal(root, r);
	assert_false(is_xsdt);

	/* Garbage where a revision 2 RSDP has its XSDT address is ignored. */
	struct acpi_rsdp *p = rsdp(0, addr32(r), 0, 36);
	p->xsdt_address = 0xdeadbeef000;
	assert_int_equal(acpi_root(p, &root, &is_xsdt), ACPI_OK);
	assert_ptr_equal(root, r);
	assert_false(is_xsdt);
}

static void test_root_missing(void **state)
{
	(void)state;
	const struct acpi_sdt_header *root = NULL;
	bool is_xsdt;

	assert_int_equal(acpi_root(rsdp(2, 0, 0, 36), &root, &is_xsdt), ACPI_ERR_NOT_FOUND);
	assert_int_equal(acpi_root(rsdp(0, 0, 0, 20), &root, &is_xsdt), ACPI_ERR_NOT_FOUND);
}

static void test_root_wrong_signature(void **state)
{
	(void)state;
	const struct acpi_sdt_header *root;
	bool is_xsdt;
	struct acpi_sdt_header *r = rsdt(NULL, 0);
	struct acpi_sdt_header *x_named_r = table("RSDT", 36, false);
	struct acpi_sdt_header *r_named_x = table("XSDT", 36, true);

	assert_int_equal(acpi_root(rsdp(2, addr32(r), addr(x_named_r), 36), &root, &is_xsdt), ACPI_ERR_SIGNATURE);
	assert_int_equal(acpi_root(rsdp(0, addr32(r_named_x), 0, 20), &root, &is_xsdt), ACPI_ERR_SIGNATURE);
	assert_int_equal(acpi_root(rsdp(0, addr32(table("FACP", 36, true)), 0, 20), &root, &is_xsdt),
	                 ACPI_ERR_SIGNATURE);
}

static void test_root_bad_checksum(void **state)
{
	(void)state;
	const struct acpi_sdt_header *root;
	bool is_xsdt;
	struct acpi_sdt_header *a = table("APIC", 44, false);
	struct acpi_sdt_header *x = xsdt((const struct acpi_sdt_header *[]){a}, 1);

	x->oem_revision++;
	assert_int_equal(acpi_root(rsdp(2, 0, addr(x), 36), &root, &is_xsdt), ACPI_ERR_CHECKSUM);
	struct acpi_sdt_header *r = rsdt(NULL, 0);
	r->creator_id = 0x12345678;
	assert_int_equal(acpi_root(rsdp(0, addr32(r), 0, 20), &root, &is_xsdt), ACPI_ERR_CHECKSUM);
}

static void test_root_bad_length(void **state)
{
	(void)state;
	const struct acpi_sdt_header *root;
	bool is_xsdt;
	static const uint32_t short_lengths[] = {0, 1, 35};

	for (size_t i = 0; i < ARRAY_LEN(short_lengths); i++) {
		struct acpi_sdt_header *x = table_sized("XSDT", short_lengths[i], 36, false);
		fix(x);
		assert_int_equal(acpi_root(rsdp(2, 0, addr(x), 36), &root, &is_xsdt), ACPI_ERR_LENGTH);
		struct acpi_sdt_header *r = table_sized("RSDT", short_lengths[i], 36, true);
		fix(r);
		assert_int_equal(acpi_root(rsdp(0, addr32(r), 0, 20), &root, &is_xsdt), ACPI_ERR_LENGTH);
	}
	/* Implausibly large. */
	struct acpi_sdt_header *huge = table_sized("XSDT", 0x40000000, 36, false);
	assert_int_equal(acpi_root(rsdp(2, 0, addr(huge), 36), &root, &is_xsdt), ACPI_ERR_LENGTH);

	/* A body that is not a whole number of entries. */
	assert_int_equal(acpi_root(rsdp(2, 0, addr(table("XSDT", 36 + 12, false)), 36), &root, &is_xsdt),
	                 ACPI_ERR_LENGTH);
	assert_int_equal(acpi_root(rsdp(2, 0, addr(table("XSDT", 36 + 4, false)), 36), &root, &is_xsdt),
	                 ACPI_ERR_LENGTH);
	assert_int_equal(acpi_root(rsdp(0, addr32(table("RSDT", 36 + 6, true)), 0, 20), &root, &is_xsdt),
	                 ACPI_ERR_LENGTH);
	assert_int_equal(acpi_root(rsdp(0, addr32(table("RSDT", 36 + 8, true)), 0, 20), &root, &is_xsdt), ACPI_OK);
	assert_int_equal(acpi_root(rsdp(2, 0, addr(table("XSDT", 36 + 16, false)), 36), &root, &is_xsdt), ACPI_OK);
}

/* ---- acpi_find ---- */

static void test_find_xsdt(void **state)
{
	(void)state;
	struct acpi_sdt_header *facp = table("FACP", 244, false), *apic = table("APIC", 120, false),
	                       *hpet = table("HPET", 56, false);
	const struct acpi_sdt_header *list[] = {facp, apic, hpet};
	struct acpi_sdt_header *x = xsdt(list, 3);
	const struct acpi_sdt_header *out = NULL;

	assert_int_equal(acpi_find(x, true, "APIC", &out), ACPI_OK);
	assert_ptr_equal(out, apic);
	assert_int_equal(acpi_find(x, true, "FACP", &out), ACPI_OK);
	assert_ptr_equal(out, facp);
	assert_int_equal(acpi_find(x, true, "HPET", &out), ACPI_OK);
	assert_ptr_equal(out, hpet);
	out = NULL;
	assert_int_equal(acpi_find(x, true, "SSDT", &out), ACPI_ERR_NOT_FOUND);
	assert_null(out);
	assert_int_equal(acpi_find(x, true, "APIc", &out), ACPI_ERR_NOT_FOUND);
}

static void test_find_rsdt(void **state)
{
	(void)state;
	struct acpi_sdt_header *facp = table("FACP", 116, true), *apic = table("APIC", 120, true);
	const struct acpi_sdt_header *list[] = {facp, apic};
	struct acpi_sdt_header *r = rsdt(list, 2);
	const struct acpi_sdt_header *out = NULL;

	assert_int_equal(acpi_find(r, false, "APIC", &out), ACPI_OK);
	assert_ptr_equal(out, apic);
	assert_int_equal(acpi_find(r, false, "FACP", &out), ACPI_OK);
	assert_ptr_equal(out, facp);
	assert_int_equal(acpi_find(r, false, "MCFG", &out), ACPI_ERR_NOT_FOUND);
}

static void test_find_empty_root_and_zero_entries(void **state)
{
	(void)state;
	const struct acpi_sdt_header *out = NULL;
	struct acpi_sdt_header *apic = table("APIC", 44, false);

	assert_int_equal(acpi_find(xsdt(NULL, 0), true, "APIC", &out), ACPI_ERR_NOT_FOUND);
	const struct acpi_sdt_header *list[] = {NULL, NULL, apic, NULL};
	assert_int_equal(acpi_find(xsdt(list, 4), true, "APIC", &out), ACPI_OK);
	assert_ptr_equal(out, apic);
	const struct acpi_sdt_header *zeros[] = {NULL, NULL};
	assert_int_equal(acpi_find(xsdt(zeros, 2), true, "APIC", &out), ACPI_ERR_NOT_FOUND);
}

static void test_find_skips_bad_copies(void **state)
{
	(void)state;
	const struct acpi_sdt_header *out = NULL;
	struct acpi_sdt_header *bad = table("APIC", 60, false), *good = table("APIC", 60, false);

	body(bad)[3] = 0x42; /* checksum now wrong */
	const struct acpi_sdt_header *list[] = {bad, good};
	assert_int_equal(acpi_find(xsdt(list, 2), true, "APIC", &out), ACPI_OK);
	assert_ptr_equal(out, good);

	/* Only bad copies: the error is reported, out is not set. */
	out = NULL;
	const struct acpi_sdt_header *only_bad[] = {bad};
	assert_int_equal(acpi_find(xsdt(only_bad, 1), true, "APIC", &out), ACPI_ERR_CHECKSUM);
	assert_null(out);
	struct acpi_sdt_header *short_one = table_sized("APIC", 20, 36, false);
	const struct acpi_sdt_header *only_short[] = {short_one};
	assert_int_equal(acpi_find(xsdt(only_short, 1), true, "APIC", &out), ACPI_ERR_LENGTH);
	assert_null(out);
	/* A bad copy of another table does not make a missing one an error. */
	struct acpi_sdt_header *bad_hpet = table("HPET", 56, false);
	bad_hpet->checksum++;
	const struct acpi_sdt_header *other[] = {bad_hpet};
	assert_int_equal(acpi_find(xsdt(other, 1), true, "APIC", &out), ACPI_ERR_NOT_FOUND);
}

static void test_find_overlapping_entries(void **state)
{
	(void)state;
	const struct acpi_sdt_header *out = NULL;
	struct acpi_sdt_header *apic = table("APIC", 80, false), *facp = table("FACP", 244, false);

	const struct acpi_sdt_header *list[] = {apic, facp, apic, facp};
	struct acpi_sdt_header *x = xsdt(list, 4);
	assert_int_equal(acpi_find(x, true, "APIC", &out), ACPI_OK);
	assert_ptr_equal(out, apic);
	assert_int_equal(acpi_find(x, true, "FACP", &out), ACPI_OK);
	assert_ptr_equal(out, facp);

	/* Both entries pointing at one bad table. */
	apic->checksum ^= 0xff;
	out = NULL;
	assert_int_equal(acpi_find(x, true, "APIC", &out), ACPI_ERR_CHECKSUM);
	assert_null(out);
}

/* ---- acpi_aml_find_s5 ---- */

static enum acpi_err s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *copy = unit_dup(aml, len); /* exactly len bytes */

	*a = *b = 0xee;
	enum acpi_err e = acpi_aml_find_s5(copy, len, a, b);
	free(copy);
	return e;
}
#define S5(arr, a, b) s5((arr), sizeof(arr), (a), (b))

static void test_s5_found(void **state)
{
	(void)state;
	uint8_t a, b;
	/* QEMU: Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) somewhere after other AML. */
	const uint8_t qemu[] = {0x10, 0x1c, 0x5c, 0x2e, 0x5f, 0x53, 0x42, 0x5f, 0x08, '_',  'S',
	                        '5',  '_',  0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa4, 0x00};
	assert_int_equal(S5(qemu, &a, &b), ACPI_OK);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);

	/* BytePrefix values. */
	const uint8_t bytes[] = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00};
	assert_int_equal(S5(bytes, &a, &b), ACPI_OK);
	assert_int_equal(a, 5);
	assert_int_equal(b, 7);

	/* With the root prefix; Zero and One. */
	const uint8_t root[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x01, 0x00, 0x00, 0x00};
	assert_int_equal(S5(root, &a, &b), ACPI_OK);
	assert_int_equal(a, 1);
	assert_int_equal(b, 0);

	/* Word and DWord prefixes (the low byte is the value). */
	const uint8_t wide[] = {0x08, '_', 'S', '5', '_', 0x12, 0x0b, 0x02, 0x0b, 0x06, 0x00, 0x0c, 0x03, 0, 0, 0};
	assert_int_equal(S5(wide, &a, &b), ACPI_OK);
	assert_int_equal(a, 6);
	assert_int_equal(b, 3);

	/* A two-byte PkgLength. */
	const uint8_t pkg2[] = {0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02, 0x0a, 0x02, 0x01};
	assert_int_equal(S5(pkg2, &a, &b), ACPI_OK);
	assert_int_equal(a, 2);
	assert_int_equal(b, 1);

	/* Only SLP_TYPa present at the end of the AML: SLP_TYPb is 0. */
	const uint8_t one[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a, 0x05};
	assert_int_equal(S5(one, &a, &b), ACPI_OK);
	assert_int_equal(a, 5);
	assert_int_equal(b, 0);
}

static void test_s5_truncated(void **state)
{
	(void)state;
	uint8_t a, b;
	const uint8_t no_pkglen[] = {0x08, '_', 'S', '5', '_', 0x12};
	const uint8_t no_count[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06};
	const uint8_t no_elems[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04};
	const uint8_t half_byte[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a};
	const uint8_t half_word[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0b, 0x01};
	const uint8_t half_dword[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0c, 0x01, 0x00, 0x00};
	const uint8_t short_pkglen[] = {0x08, '_', 'S', '5', '_', 0x12, 0xc0, 0x01}; /* 4-byte PkgLength cut */
	const uint8_t not_int[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0d, 'a', 0x00};

	assert_int_equal(S5(no_pkglen, &a, &b), ACPI_ERR_MALFORMED);
	assert_int_equal(S5(no_count, &a, &b), ACPI_ERR_MALFORMED);
	assert_int_equal(S5(no_elems, &a, &b), ACPI_ERR_MALFORMED);
	assert_int_equal(S5(half_byte, &a, &b), ACPI_ERR_MALFORMED);
	assert_int_equal(S5(half_word, &a, &b), ACPI_ERR_MALFORMED);
	assert_int_equal(S5(half_dword, &a, &b), ACPI_ERR_MALFORMED);
	assert_int_equal(S5(short_pkglen, &a, &b), ACPI_ERR_MALFORMED);
	assert_int_equal(S5(not_int, &a, &b), ACPI_ERR_MALFORMED);
}

static void test_s5_not_a_name(void **state)
{
	(void)state;
	uint8_t a, b;
	/* "_S5_" as a reference (after a ReturnOp), then the real definition. */
	const uint8_t ref_then_def[] = {0xa4, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x01, 0x0a, 0x01,
	                                0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x05, 0x0a, 0x06};
	assert_int_equal(S5(ref_then_def, &a, &b), ACPI_OK);
	assert_int_equal(a, 5);
	assert_int_equal(b, 6);

	/* At the very start there is no NameOp before it. */
	const uint8_t at_start[] = {'_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x01, 0x0a, 0x01};
	assert_int_equal(S5(at_start, &a, &b), ACPI_ERR_NOT_FOUND);

	/* A root prefix without NameOp before it. */
	const uint8_t prefix_only[] = {0x70, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x01, 0x0a, 0x01};
	assert_int_equal(S5(prefix_only, &a, &b), ACPI_ERR_NOT_FOUND);

	/* A name that is not a package (Name (_S5_, 5)). */
	const uint8_t not_pkg[] = {0x08, '_', 'S', '5', '_', 0x0a, 0x05, 0x00, 0x00};
	assert_int_equal(S5(not_pkg, &a, &b), ACPI_ERR_NOT_FOUND);
}

static void test_s5_not_found(void **state)
{
	(void)state;
	uint8_t a, b;
	const uint8_t s4[] = {0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0x0a, 0x01, 0x0a, 0x01, 0x00};
	const uint8_t cut[] = {0x08, '_', 'S', '5'};
	const uint8_t name_only[] = {0x08, '_', 'S', '5', '_'};

	assert_int_equal(S5(s4, &a, &b), ACPI_ERR_NOT_FOUND);
	assert_int_equal(S5(cut, &a, &b), ACPI_ERR_NOT_FOUND);
	assert_int_equal(S5(name_only, &a, &b), ACPI_ERR_NOT_FOUND);
	assert_int_equal(s5(s4, 0, &a, &b), ACPI_ERR_NOT_FOUND);
	assert_int_equal(s5(s4, 1, &a, &b), ACPI_ERR_NOT_FOUND);
}

/* ---- acpi_parse_fadt ---- */

static const uint8_t s5_aml_5_6[] = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00};
static const uint8_t s5_aml_3_4[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x03, 0x0a, 0x04, 0, 0};

static struct acpi_sdt_header *dsdt(const uint8_t *aml, size_t n, bool low)
{
	struct acpi_sdt_header *d = table("DSDT", (uint32_t)(36 + n), low);
	memcpy(body(d), aml, n);
	fix(d);
	return d;
}

static void put_u32(struct acpi_sdt_header *t, uint32_t off, uint32_t v) { memcpy((uint8_t *)t + off, &v, 4); }
static void put_u64(struct acpi_sdt_header *t, uint32_t off, uint64_t v) { memcpy((uint8_t *)t + off, &v, 8); }
static void put_gas(struct acpi_sdt_header *t, uint32_t off, uint8_t space, uint8_t width, uint64_t address)
{
	struct acpi_gas g = {space, width, 0, space == ACPI_GAS_SYSTEM_IO ? 1 : 3, address};
	memcpy((uint8_t *)t + off, &g, sizeof(g));
}

static struct acpi_sdt_header *fadt(uint32_t length) { return table("FACP", length, false); }

static void test_fadt_legacy_ports(void **state)
{
	(void)state;
	struct acpi_power_info pi;
	struct acpi_sdt_header *f = fadt(244);

	put_u32(f, FADT_OFF_PM1A_CNT_BLK, 0x604);
	put_u32(f, FADT_OFF_PM1B_CNT_BLK, 0x804);
	put_gas(f, FADT_OFF_X_PM1A_CNT_BLK, ACPI_GAS_SYSTEM_IO, 16, 0xb004); /* the legacy field wins */
	put_u64(f, FADT_OFF_X_DSDT, addr(dsdt(s5_aml_5_6, sizeof(s5_aml_5_6), false)));
	fix(f);
	memset(&pi, 0xcc, sizeof(pi));
	acpi_parse_fadt(f, &pi);
	assert_int_equal(pi.pm1a_cnt, 0x604);
	assert_int_equal(pi.pm1b_cnt, 0x804);
	assert_true(pi.s5_valid);
	assert_int_equal(pi.slp_typ_a, 5);
	assert_int_equal(pi.slp_typ_b, 6);
	assert_false(pi.reset_valid);
	assert_int_equal(pi.reset_value, 0);
}

static void test_fadt_extended_ports(void **state)
{
	(void)state;
	struct acpi_power_info pi;
	struct acpi_sdt_header *f = fadt(276);

	put_gas(f, FADT_OFF_X_PM1A_CNT_BLK, ACPI_GAS_SYSTEM_IO, 16, 0xb004);
	put_gas(f, FADT_OFF_X_PM1B_CNT_BLK, ACPI_GAS_SYSTEM_MEMORY, 16, 0xfee00000); /* not an I/O port */
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_int_equal(pi.pm1a_cnt, 0xb004);
	assert_int_equal(pi.pm1b_cnt, 0);
	assert_false(pi.s5_valid); /* no DSDT at all */

	put_gas(f, FADT_OFF_X_PM1A_CNT_BLK, ACPI_GAS_SYSTEM_IO, 16, 0x10000); /* not a 16-bit port */
	put_gas(f, FADT_OFF_X_PM1B_CNT_BLK, ACPI_GAS_SYSTEM_IO, 16, 0xffff);
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_int_equal(pi.pm1a_cnt, 0);
	assert_int_equal(pi.pm1b_cnt, 0xffff);
}

static void test_fadt_reset_register(void **state)
{
	(void)state;
	struct acpi_power_info pi;
	struct acpi_sdt_header *f = fadt(244);

	put_gas(f, FADT_OFF_RESET_REG, ACPI_GAS_SYSTEM_IO, 8, 0xcf9);
	((uint8_t *)f)[FADT_OFF_RESET_VALUE] = 0x06;
	fix(f);
	acpi_parse_fadt(f, &pi); /* without RESET_REG_SUP */
	assert_false(pi.reset_valid);
	assert_int_equal(pi.reset_reg.address, 0);
	assert_int_equal(pi.reset_value, 0);

	put_u32(f, FADT_OFF_FLAGS, FADT_FLAG_RESET_REG_SUP | 0x1);
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_true(pi.reset_valid);
	assert_int_equal(pi.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(pi.reset_reg.bit_width, 8);
	assert_int_equal(pi.reset_reg.address, 0xcf9);
	assert_int_equal(pi.reset_value, 6);

	/* The flag, but no register. */
	put_gas(f, FADT_OFF_RESET_REG, ACPI_GAS_SYSTEM_IO, 8, 0);
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_false(pi.reset_valid);
}

static void test_fadt_x_dsdt_preferred(void **state)
{
	(void)state;
	struct acpi_power_info pi;
	struct acpi_sdt_header *f = fadt(244);

	put_u32(f, FADT_OFF_DSDT, addr32(dsdt(s5_aml_3_4, sizeof(s5_aml_3_4), true)));
	put_u64(f, FADT_OFF_X_DSDT, addr(dsdt(s5_aml_5_6, sizeof(s5_aml_5_6), false)));
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_true(pi.s5_valid);
	assert_int_equal(pi.slp_typ_a, 5);
	assert_int_equal(pi.slp_typ_b, 6);

	/* No X_DSDT: the 32-bit one. */
	put_u64(f, FADT_OFF_X_DSDT, 0);
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_true(pi.s5_valid);
	assert_int_equal(pi.slp_typ_a, 3);
	assert_int_equal(pi.slp_typ_b, 4);
}

static void test_fadt_bad_dsdt(void **state)
{
	(void)state;
	struct acpi_power_info pi;
	struct acpi_sdt_header *f = fadt(244), *d = dsdt(s5_aml_5_6, sizeof(s5_aml_5_6), false);

	put_u32(f, FADT_OFF_PM1A_CNT_BLK, 0x604);
	put_u64(f, FADT_OFF_X_DSDT, addr(d));
	fix(f);
	d->oem_revision ^= 1; /* checksum now wrong */
	acpi_parse_fadt(f, &pi);
	assert_false(pi.s5_valid);
	assert_int_equal(pi.pm1a_cnt, 0x604); /* the rest is still read */

	/* Wrong signature, right checksum. */
	memcpy(d->signature, "SSDT", 4);
	fix(d);
	acpi_parse_fadt(f, &pi);
	assert_false(pi.s5_valid);

	/* A good DSDT without \_S5. */
	const uint8_t no_s5[] = {0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0x0a, 0x01, 0x0a, 0x01};
	put_u64(f, FADT_OFF_X_DSDT, addr(dsdt(no_s5, sizeof(no_s5), false)));
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_false(pi.s5_valid);

	/* A DSDT with a malformed \_S5. */
	const uint8_t cut[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04};
	put_u64(f, FADT_OFF_X_DSDT, addr(dsdt(cut, sizeof(cut), false)));
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_false(pi.s5_valid);
}

/* An ACPI 1.0 FADT: 116 bytes, no reset register, no X_ fields. Nothing past it may be read. */
static void test_fadt_short_revision_1(void **state)
{
	(void)state;
	struct acpi_power_info pi;
	struct acpi_sdt_header *f = fadt(116);

	f->revision = 1;
	put_u32(f, FADT_OFF_DSDT, addr32(dsdt(s5_aml_3_4, sizeof(s5_aml_3_4), true)));
	put_u32(f, FADT_OFF_PM1A_CNT_BLK, 0x4004);
	put_u32(f, FADT_OFF_FLAGS, FADT_FLAG_RESET_REG_SUP); /* claims a register it does not have */
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_int_equal(pi.pm1a_cnt, 0x4004);
	assert_int_equal(pi.pm1b_cnt, 0);
	assert_false(pi.reset_valid);
	assert_true(pi.s5_valid);
	assert_int_equal(pi.slp_typ_a, 3);
	assert_int_equal(pi.slp_typ_b, 4);

	/* Shorter still: the flags field itself is cut off. */
	f = fadt(112);
	put_u32(f, FADT_OFF_PM1A_CNT_BLK, 0x4004);
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_int_equal(pi.pm1a_cnt, 0x4004);
	assert_false(pi.reset_valid);
	assert_false(pi.s5_valid);

	/* Long enough for the reset register but not for X_DSDT or the X_PM1 blocks. */
	f = fadt(132);
	put_u32(f, FADT_OFF_FLAGS, FADT_FLAG_RESET_REG_SUP);
	put_gas(f, FADT_OFF_RESET_REG, ACPI_GAS_SYSTEM_IO, 8, 0xcf9);
	((uint8_t *)f)[FADT_OFF_RESET_VALUE] = 0x0e;
	fix(f);
	acpi_parse_fadt(f, &pi);
	assert_true(pi.reset_valid);
	assert_int_equal(pi.reset_value, 0x0e);
	assert_int_equal(pi.pm1a_cnt, 0);
}

#define T(f) cmocka_unit_test_teardown(f, free_blocks)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_checksum),
	        T(test_strerror),
	        T(test_rsdp_good),
	        T(test_rsdp_bad_signature),
	        T(test_rsdp_bad_checksum),
	        T(test_rsdp_bad_extended_checksum),
	        T(test_rsdp_bad_length),
	        T(test_sdt_check),
	        T(test_root_prefers_xsdt),
	        T(test_root_rsdt_for_revision_0),
	        T(test_root_missing),
	        T(test_root_wrong_signature),
	        T(test_root_bad_checksum),
	        T(test_root_bad_length),
	        T(test_find_xsdt),
	        T(test_find_rsdt),
	        T(test_find_empty_root_and_zero_entries),
	        T(test_find_skips_bad_copies),
	        T(test_find_overlapping_entries),
	        T(test_s5_found),
	        T(test_s5_truncated),
	        T(test_s5_not_a_name),
	        T(test_s5_not_found),
	        T(test_fadt_legacy_ports),
	        T(test_fadt_extended_ports),
	        T(test_fadt_reset_register),
	        T(test_fadt_x_dsdt_preferred),
	        T(test_fadt_bad_dsdt),
	        T(test_fadt_short_revision_1),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
