/* sources: arch/x86/madt.c vmm/lib/string.c */
/* test_madt.c: the MADT parser on good tables and on truncated, zero-length and overlapping entries. */
#include "test/unit/unit.h"

#include "arch/x86/madt.h"

/* A MADT under construction: header, then entries appended by the helpers. */
struct table {
	uint8_t buf[1024];
	uint32_t len;
};

static void begin(struct table *t, uint32_t lapic_address, uint32_t flags)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->buf, "APIC", 4);
	memcpy(t->buf + 36, &lapic_address, 4);
	memcpy(t->buf + 40, &flags, 4);
	t->len = 44;
}

static void put(struct table *t, const void *entry, uint8_t len)
{
	memcpy(t->buf + t->len, entry, len);
	t->len += len;
}

static void lapic(struct table *t, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	uint8_t e[8] = {MADT_TYPE_LOCAL_APIC, 8, uid, apic_id};
	memcpy(e + 4, &flags, 4);
	put(t, e, sizeof(e));
}

static void x2apic(struct table *t, uint32_t apic_id, uint32_t flags, uint32_t uid)
{
	uint8_t e[16] = {MADT_TYPE_LOCAL_X2APIC, 16};
	memcpy(e + 4, &apic_id, 4);
	memcpy(e + 8, &flags, 4);
	memcpy(e + 12, &uid, 4);
	put(t, e, sizeof(e));
}

static void ioapic(struct table *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t e[12] = {MADT_TYPE_IO_APIC, 12, id};
	memcpy(e + 4, &addr, 4);
	memcpy(e + 8, &gsi, 4);
	put(t, e, sizeof(e));
}

static void override(struct table *t, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t e[10] = {MADT_TYPE_INTERRUPT_OVERRIDE, 10, bus, irq};
	memcpy(e + 4, &gsi, 4);
	memcpy(e + 8, &flags, 2);
	put(t, e, sizeof(e));
}

/* Seal the length and hand the parser an exact-size heap copy (ASan sees any over-read). */
static enum acpi_err parse(struct table *t, struct madt_info *out)
{
	memcpy(t->buf + 4, &t->len, 4);
	struct acpi_sdt_header *h = unit_dup(t->buf, t->len);
	enum acpi_err e = madt_parse(h, out);
	free(h);
	return e;
}

static struct madt_info info;

static void test_qemu_like_table(void **state)
{
	struct table t;
	(void)state;
	begin(&t, 0xfee00000, MADT_PCAT_COMPAT);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	lapic(&t, 1, 1, MADT_LAPIC_ENABLED);
	ioapic(&t, 0, 0xfec00000, 0);
	uint8_t iso[10] = {MADT_TYPE_INTERRUPT_OVERRIDE, 10, 0, 0, 2};
	put(&t, iso, sizeof(iso));
	uint8_t nmi[6] = {MADT_TYPE_LOCAL_APIC_NMI, 6, 0xff, 0, 0, 1};
	put(&t, nmi, sizeof(nmi));
	assert_int_equal(parse(&t, &info), ACPI_OK);
	assert_int_equal(info.lapic_address, 0xfee00000);
	assert_int_equal(info.flags, MADT_PCAT_COMPAT);
	assert_int_equal(info.cpu_count, 2);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_int_equal(info.cpus[1].apic_id, 1);
	assert_false(info.cpus[1].x2apic_entry);
	assert_int_equal(info.ioapic_count, 1);
	assert_int_equal(info.ioapics[0].address, 0xfec00000);
}

static void test_x2apic_entries_and_disabled(void **state)
{
	struct table t;
	(void)state;
	begin(&t, 0xfee00000, 0);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	lapic(&t, 1, 2, 0);                         /* disabled, not online-capable */
	lapic(&t, 2, 4, MADT_LAPIC_ONLINE_CAPABLE); /* hot-pluggable: not started */
	x2apic(&t, 300, MADT_LAPIC_ENABLED, 7);
	x2apic(&t, 0, MADT_LAPIC_ENABLED, 8); /* APIC ID 0 again: a duplicate */
	assert_int_equal(parse(&t, &info), ACPI_OK);
	assert_int_equal(info.cpu_count, 2);
	assert_int_equal(info.cpus[1].apic_id, 300);
	assert_int_equal(info.cpus[1].acpi_uid, 7);
	assert_true(info.cpus[1].x2apic_entry);
	assert_int_equal(info.disabled_count, 2);
	assert_int_equal(info.duplicate_count, 1);
}

static void test_lapic_address_override(void **state)
{
	struct table t;
	uint8_t e[12] = {MADT_TYPE_LOCAL_APIC_OVERRIDE, 12};
	uint64_t addr = 0x1234567000ull;
	(void)state;
	begin(&t, 0xfee00000, 0);
	memcpy(e + 4, &addr, 8);
	put(&t, e, sizeof(e));
	assert_int_equal(parse(&t, &info), ACPI_OK);
	assert_int_equal(info.lapic_address, addr);
}

static void test_header_only_and_too_short(void **state)
{
	struct table t;
	(void)state;
	begin(&t, 0xfee00000, 0);
	assert_int_equal(parse(&t, &info), ACPI_OK);
	assert_int_equal(info.cpu_count, 0);
	t.len = 40; /* no room for the flags */
	assert_int_equal(parse(&t, &info), ACPI_ERR_LENGTH);
}

static void test_bad_signature(void **state)
{
	struct table t;
	(void)state;
	begin(&t, 0xfee00000, 0);
	memcpy(t.buf, "FACP", 4);
	assert_int_equal(parse(&t, &info), ACPI_ERR_SIGNATURE);
}

static void test_zero_length_entry(void **state)
{
	struct table t;
	uint8_t e[8] = {MADT_TYPE_LOCAL_APIC, 0};
	(void)state;
	begin(&t, 0xfee00000, 0);
	put(&t, e, sizeof(e)); /* a parser that trusted it would loop forever */
	assert_int_equal(parse(&t, &info), ACPI_ERR_MALFORMED);
}

static void test_entry_shorter_than_its_type(void **state)
{
	struct table t;
	uint8_t e[6] = {MADT_TYPE_LOCAL_X2APIC, 6}; /* an x2APIC entry needs 16 bytes */
	(void)state;
	begin(&t, 0xfee00000, 0);
	put(&t, e, sizeof(e));
	assert_int_equal(parse(&t, &info), ACPI_ERR_MALFORMED);
}

static void test_truncated_entry(void **state)
{
	struct table t;
	(void)state;
	begin(&t, 0xfee00000, 0);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	t.len -= 3; /* the last entry runs past the table's end */
	assert_int_equal(parse(&t, &info), ACPI_ERR_MALFORMED);
	begin(&t, 0xfee00000, 0);
	uint8_t stub = MADT_TYPE_LOCAL_APIC; /* one lone byte: no room for a length */
	put(&t, &stub, 1);
	assert_int_equal(parse(&t, &info), ACPI_ERR_MALFORMED);
}

static void test_overlapping_entry_length(void **state)
{
	struct table t;
	(void)state;
	begin(&t, 0xfee00000, 0);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	lapic(&t, 1, 1, MADT_LAPIC_ENABLED);
	t.buf[44 + 1] = 12; /* the first entry claims 4 bytes of the second */
	assert_int_equal(parse(&t, &info), ACPI_ERR_MALFORMED);
}

static void test_unknown_types_are_skipped(void **state)
{
	struct table t;
	uint8_t gicc[20] = {0x0b, 20};
	(void)state;
	begin(&t, 0xfee00000, 0);
	put(&t, gicc, sizeof(gicc));
	lapic(&t, 0, 5, MADT_LAPIC_ENABLED);
	assert_int_equal(parse(&t, &info), ACPI_OK);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.cpus[0].apic_id, 5);
}

/* ISA IRQs map to the same GSI, edge and active high, unless an override moves them (ACPI 6.5, 5.2.12.5). */
static void test_isa_irq_overrides(void **state)
{
	struct table t;
	(void)state;
	begin(&t, 0xfee00000, 0);
	ioapic(&t, 0, 0xfec00000, 0);
	override(&t, 0, 0, 2, 0);                                                  /* PIT: conforms to the bus */
	override(&t, 0, 9, 9, MADT_INTI_POLARITY_HIGH | MADT_INTI_TRIGGER_LEVEL);  /* ACPI SCI */
	override(&t, 0, 4, 20, MADT_INTI_POLARITY_LOW | MADT_INTI_TRIGGER_EDGE);   /* a moved COM1 */
	override(&t, 1, 3, 30, MADT_INTI_POLARITY_LOW | MADT_INTI_TRIGGER_LEVEL);  /* not ISA: ignored */
	override(&t, 0, 16, 40, MADT_INTI_POLARITY_LOW | MADT_INTI_TRIGGER_LEVEL); /* not an ISA IRQ */
	assert_int_equal(parse(&t, &info), ACPI_OK);
	assert_int_equal(info.isa[0].gsi, 2);
	assert_false(info.isa[0].level);
	assert_false(info.isa[0].active_low);
	assert_int_equal(info.isa[9].gsi, 9);
	assert_true(info.isa[9].level);
	assert_false(info.isa[9].active_low);
	assert_int_equal(info.isa[4].gsi, 20);
	assert_false(info.isa[4].level);
	assert_true(info.isa[4].active_low);
	assert_int_equal(info.isa[3].gsi, 3);
	assert_false(info.isa[3].level);
	assert_false(info.isa[3].active_low);
	for (uint32_t irq = 5; irq < MADT_ISA_IRQS; irq++)
		if (irq != 9)
			assert_int_equal(info.isa[irq].gsi, irq);
}

static void test_short_override_is_malformed(void **state)
{
	struct table t;
	(void)state;
	begin(&t, 0xfee00000, 0);
	uint8_t e[8] = {MADT_TYPE_INTERRUPT_OVERRIDE, 8, 0, 4, 20};
	put(&t, e, sizeof(e));
	assert_int_equal(parse(&t, &info), ACPI_ERR_MALFORMED);
}

static void test_more_cpus_than_fit(void **state)
{
	(void)state;
	/* Enough x2APIC entries to overflow MADT_MAX_CPUS needs a larger buffer than struct table. */
	uint32_t n = MADT_MAX_CPUS + 3, len = 44 + n * 16;
	uint8_t *buf = calloc(1, len);
	assert_non_null(buf);
	memcpy(buf, "APIC", 4);
	memcpy(buf + 4, &len, 4);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = buf + 44 + i * 16;
		uint32_t flags = MADT_LAPIC_ENABLED;
		e[0] = MADT_TYPE_LOCAL_X2APIC;
		e[1] = 16;
		memcpy(e + 4, &i, 4);
		memcpy(e + 8, &flags, 4);
	}
	assert_int_equal(madt_parse((struct acpi_sdt_header *)buf, &info), ACPI_OK);
	assert_int_equal(info.cpu_count, MADT_MAX_CPUS);
	assert_int_equal(info.overflow_count, 3);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_qemu_like_table),
	        cmocka_unit_test(test_x2apic_entries_and_disabled),
	        cmocka_unit_test(test_lapic_address_override),
	        cmocka_unit_test(test_header_only_and_too_short),
	        cmocka_unit_test(test_bad_signature),
	        cmocka_unit_test(test_zero_length_entry),
	        cmocka_unit_test(test_entry_shorter_than_its_type),
	        cmocka_unit_test(test_truncated_entry),
	        cmocka_unit_test(test_overlapping_entry_length),
	        cmocka_unit_test(test_unknown_types_are_skipped),
	        cmocka_unit_test(test_more_cpus_than_fit),
	        cmocka_unit_test(test_isa_irq_overrides),
	        cmocka_unit_test(test_short_override_is_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
