/* sources: apicv/eoi_bitmap.c lapic/vlapic.c lapic/vlapic_irq.c lapic/vlapic_timer.c lapic/vioapic.c vmm/lib/string.c */
/* test_apicv_eoi_bitmap.c: the EOI-exit bitmap: level entries that address this APIC, and its TMR. */
#include "test/unit/vlapic_fixture.h"

#include "apicv/eoi_bitmap.h"

static struct vioapic io;

static bool bit(const uint64_t b[4], uint8_t v) { return b[v / 64] >> (v % 64) & 1; }

static void route(unsigned pin, uint8_t vector, bool level, bool logical, uint8_t dest)
{
	io.rte[pin] = vector | (level ? IOAPIC_RTE_LEVEL : 0) | (logical ? IOAPIC_RTE_DEST_LOGICAL : 0) |
	              IOAPIC_RTE_MASKED | (uint64_t)dest << IOAPIC_RTE_DEST_SHIFT;
}

static int setup(void **state)
{
	(void)state;
	fixture_open(1, 1); /* APIC ID 1 */
	vioapic_reset(&io, 8);
	return 0;
}

static void test_reset_state_is_empty(void **state)
{
	uint64_t b[4];
	(void)state;
	apicv_eoi_exit_bitmap(&io, &L, b);
	assert_true(b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0);
}

static void test_level_entries_for_this_apic_only(void **state)
{
	uint64_t b[4];
	(void)state;
	route(1, 0x41, true, false, 1);    /* level, physical ID 1: this APIC */
	route(2, 0x52, true, false, 2);    /* level, another APIC */
	route(3, 0x63, false, false, 1);   /* edge: hardware may finish its EOI */
	route(4, 0xf4, true, false, 0xff); /* level, broadcast */
	apicv_eoi_exit_bitmap(&io, &L, b);
	assert_true(bit(b, 0x41));
	assert_false(bit(b, 0x52));
	assert_false(bit(b, 0x63));
	assert_true(bit(b, 0xf4));
	/* Logical flat: LDR bit 0 set makes this APIC match destination 0x01. */
	vlapic_set_reg(&L, APIC_REG_LDR, 0x01000000);
	route(5, 0x85, true, true, 0x01);
	route(6, 0x96, true, true, 0x02);
	apicv_eoi_exit_bitmap(&io, &L, b);
	assert_true(bit(b, 0x85));
	assert_false(bit(b, 0x96));
	/* An NMI entry programmed level is edge (82093AA datasheet, 3.2.4): no EOI comes for it. */
	route(7, 0xa7, true, false, 1);
	io.rte[7] |= (uint64_t)IOAPIC_DM_NMI << IOAPIC_RTE_DELIVERY_SHIFT;
	apicv_eoi_exit_bitmap(&io, &L, b);
	assert_false(bit(b, 0xa7));
}

static void test_tmr_vectors_stay(void **state)
{
	uint64_t b[4];
	(void)state;
	struct vlapic_effect fx;
	assert_int_equal(vlapic_write(&L, APIC_REG_SVR, 0x1ff, false, 0, &fx), VLAPIC_OK); /* software-enable */
	assert_true(vlapic_accept(&L, 0x7a, true)); /* level-triggered: TMR bit set */
	assert_true(vlapic_accept(&L, 0xb3, true));
	assert_true(vlapic_accept(&L, 0x5c, false)); /* edge: not in TMR */
	apicv_eoi_exit_bitmap(&io, &L, b);           /* no I/O APIC entry routes any of them */
	for (unsigned v = 0; v < 256; v++)
		assert_int_equal(bit(b, (uint8_t)v), v == 0x7a || v == 0xb3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_reset_state_is_empty, setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(test_level_entries_for_this_apic_only, setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(test_tmr_vectors_stay, setup, fixture_teardown),
	};
	return cmocka_run_group_tests_name("apicv_eoi_bitmap", tests, NULL, NULL);
}
