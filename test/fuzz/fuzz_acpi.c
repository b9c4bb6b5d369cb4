/* sources: arch/x86/acpi.c arch/x86/acpi_boot.c arch/x86/madt.c vmm/lib/string.c */
/* fuzz_acpi.c: libFuzzer harness: the firmware's ACPI tables as the hypervisor finds them at boot. */
#include "test/fuzz/fuzz.h"

#include "arch/x86/acpi.h"
#include "arch/x86/madt.h"
#include "vmm/lib/log.h"

/*
 * Input: a flags byte, the RSDP (36 bytes), then tables, each an SDT
 * header and its body, one after the other, each as long as its header's
 * length field says (cut to the bytes left: on a machine every byte a
 * length covers is readable, here only the given ones are, so a table ends
 * where its bytes end and ASan reports a read past it).
 *
 * Tables point at each other by physical address; here such a field (the
 * RSDP's RSDT and XSDT addresses, the root table's entries, the FADT's
 * DSDT and X_DSDT) holds a table number, 1 for the first table (0: none),
 * which the harness turns into the table's address. With flag bit 0 the
 * harness then sets every checksum right, so that the parsers see past
 * them; without it the checksums stay as given. An RSDP whose length field
 * claims more than its 36 bytes (up to the 4096 acpi_rsdp_check takes) is
 * cut to 36, as a table is.
 *
 * Run: acpi_init (the boot glue: RSDP, root table, FADT, \_S5), then
 * acpi_table for the tables the hypervisor asks for and madt_parse on the
 * MADT, and, on every table whatever its signature, \_S5 in its body and
 * madt_parse. Checked: no read outside a table (ASan), the RSDP's 36 bytes
 * only unless it claims more, and what madt_parse returns within its
 * limits (CPUs, I/O APICs, ISA IRQs, no APIC ID twice).
 */

#define MAX_TABLES 64
#define ARENA (1u << 20)
#define REDZONE 64
#define HDR sizeof(struct acpi_sdt_header)
#define FLAG_FIX_CHECKSUMS 1u

/* acpi_boot.c logs; nothing to see here. */
void hv_log(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

/* Tables must lie below 4 GiB (RSDT entries are 32-bit): one arena, mapped low, poisoned but for the tables. */
static uint8_t *arena;
static size_t used;

static uint8_t *place(const uint8_t *src, size_t n)
{
	if (used + n + REDZONE > ARENA)
		return NULL;
	uint8_t *p = arena + used;
	ASAN_UNPOISON_MEMORY_REGION(p, n);
	memcpy(p, src, n);
	used += (n + REDZONE + 15) & ~(size_t)15;
	return p;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* A table number to the table's address (0 stays 0; numbers past the last wrap around). */
static uint64_t addr_of(uint64_t number, uint8_t *const *t, unsigned n)
{
	return number && n ? (uint64_t)(uintptr_t)t[(number - 1) % n] : 0;
}

static void link32(uint8_t *field, uint8_t *const *t, unsigned n)
{
	uint32_t a = (uint32_t)addr_of(rd32(field), t, n);
	memcpy(field, &a, 4);
}

static void link64(uint8_t *field, uint8_t *const *t, unsigned n)
{
	uint64_t a = addr_of(rd64(field), t, n);
	memcpy(field, &a, 8);
}

/* The pointer fields of one table, from numbers to addresses. */
static void link_table(uint8_t *h, uint8_t *const *t, unsigned n)
{
	uint32_t len = rd32(h + 4);

	if (memcmp(h, "RSDT", 4) == 0 || memcmp(h, "XSDT", 4) == 0) {
		unsigned w = h[0] == 'X' ? 8 : 4;
		for (uint32_t off = HDR; len >= HDR && off + w <= len; off += w)
			w == 8 ? link64(h + off, t, n) : link32(h + off, t, n);
	} else if (memcmp(h, "FACP", 4) == 0) {
		if (len >= FADT_OFF_DSDT + 4)
			link32(h + FADT_OFF_DSDT, t, n);
		if (len >= FADT_OFF_X_DSDT + 8)
			link64(h + FADT_OFF_X_DSDT, t, n);
	}
}

static void fix_checksum(uint8_t *p, uint64_t len, unsigned at)
{
	p[at] = 0;
	p[at] = (uint8_t)-acpi_checksum(p, len);
}

static void check_madt(const struct acpi_sdt_header *t)
{
	static struct madt_info m;

	if (madt_parse(t, &m) != ACPI_OK)
		return;
	FZ_CHECK(m.cpu_count <= MADT_MAX_CPUS && m.ioapic_count <= MADT_MAX_IOAPICS, "MADT: %u CPUs, %u I/O APICs",
	         m.cpu_count, m.ioapic_count);
	FZ_CHECK(m.overflow_count == 0 || m.cpu_count == MADT_MAX_CPUS, "MADT: %u dropped with room left",
	         m.overflow_count);
	for (uint32_t i = 0; i < m.cpu_count; i++)
		for (uint32_t j = 0; j < i; j++)
			FZ_CHECK(m.cpus[i].apic_id != m.cpus[j].apic_id, "MADT: APIC ID %u listed twice",
			         m.cpus[i].apic_id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint8_t *t[MAX_TABLES];
	unsigned n = 0;
	size_t got;

	if (!arena) {
		arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (arena == MAP_FAILED)
			abort();
	}
	ASAN_POISON_MEMORY_REGION(arena, ARENA);
	used = 0;
	unsigned flags = fz_u8(&f);
	uint8_t rsdp_bytes[sizeof(struct acpi_rsdp)] = {0};
	const uint8_t *r = fz_bytes(&f, sizeof(rsdp_bytes), &got);
	memcpy(rsdp_bytes, r, got);
	while (f.n >= HDR && n < MAX_TABLES) {
		uint32_t len = rd32(f.p + 4);
		const uint8_t *b = fz_bytes(&f, len < HDR ? HDR : len, &got);
		if (!(t[n] = place(b, got)))
			break;
		if (len > got) /* cut to what the input holds */
			memcpy(t[n] + 4, &(uint32_t){(uint32_t)got}, 4);
		n++;
	}

	struct acpi_rsdp *rsdp = (struct acpi_rsdp *)place(rsdp_bytes, sizeof(rsdp_bytes));
	if (!rsdp)
		abort(); /* the arena holds far more than the longest input */
	if (rsdp->length > sizeof(*rsdp) && rsdp->length <= 4096)
		rsdp->length = sizeof(*rsdp);
	rsdp->rsdt_address = (uint32_t)addr_of(rsdp->rsdt_address, t, n);
	rsdp->xsdt_address = addr_of(rsdp->xsdt_address, t, n);
	for (unsigned i = 0; i < n; i++)
		link_table(t[i], t, n);
	if (flags & FLAG_FIX_CHECKSUMS) {
		fix_checksum((uint8_t *)rsdp, 20, offsetof(struct acpi_rsdp, checksum));
		if (rsdp->length == sizeof(*rsdp))
			fix_checksum((uint8_t *)rsdp, rsdp->length, offsetof(struct acpi_rsdp, extended_checksum));
		for (unsigned i = 0; i < n; i++)
			if (rd32(t[i] + 4) >= HDR)
				fix_checksum(t[i], rd32(t[i] + 4), offsetof(struct acpi_sdt_header, checksum));
	}

	if (acpi_init(rsdp, "the fuzzer") == ACPI_OK) {
		static const char *const sigs[] = {"FACP", "APIC", "HPET", "MCFG", "DSDT", "SSDT"};
		for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			const struct acpi_sdt_header *h = acpi_table(sigs[i]);
			FZ_CHECK(!h || memcmp(h->signature, sigs[i], 4) == 0, "acpi_table(%s) gave another table",
			         sigs[i]);
			if (h && i == 1)
				check_madt(h);
		}
		acpi_power();
		FZ_CHECK(strnlen(acpi_oem_id(), 7) <= 6, "OEM id not terminated");
	}
	for (unsigned i = 0; i < n; i++) {
		const struct acpi_sdt_header *h = (const void *)t[i];
		uint8_t a, b;
		if (h->length >= HDR)
			acpi_aml_find_s5(t[i] + HDR, h->length - HDR, &a, &b);
		check_madt(h);
	}
	return 0;
}
