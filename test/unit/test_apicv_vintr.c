/* sources: apicv/vintr.c lapic/vlapic.c lapic/vlapic_irq.c lapic/vlapic_timer.c */
/* test_apicv_vintr.c: posted vectors merged into VIRR (and TMR), and RVI/SVI/VPPR written from the page. */
#include "test/unit/vlapic_fixture.h"

#include "apicv/vintr.h"

static bool page_bit(unsigned first_reg, uint8_t v) { return vlapic_reg(&L, first_reg + v / 32) >> (v % 32) & 1; }

static int setup(void **state)
{
	(void)state;
	fixture_open(1, 0);
	assert_int_equal(vlapic_write(&L, APIC_REG_SVR, 0x1ff, false, 0, &fx), VLAPIC_OK); /* software-enabled */
	return 0;
}

static void test_merge_sets_irr_and_trigger_mode(void **state)
{
	(void)state;
	const uint64_t edge[4] = {1ull << 0x31, 0, 1ull << (0x80 - 128), 0}, level[4] = {0, 1ull << (0x45 - 64), 0, 0};

	assert_int_equal(apicv_merge_posted(&L, edge, level), 3);
	assert_true(page_bit(APIC_REG_IRR0, 0x31) && page_bit(APIC_REG_IRR0, 0x45) && page_bit(APIC_REG_IRR0, 0x80));
	assert_true(page_bit(APIC_REG_TMR0, 0x45));
	assert_false(page_bit(APIC_REG_TMR0, 0x31) || page_bit(APIC_REG_TMR0, 0x80));
}

/* A vector already requested stays one request (SDM Vol. 3, 11.8.4); an edge one clears a stale TMR bit. */
static void test_merge_onto_pending(void **state)
{
	(void)state;
	const uint64_t none[4] = {0}, edge[4] = {1ull << 0x31, 0, 0, 0}, level[4] = {1ull << 0x31, 0, 0, 0};

	assert_int_equal(apicv_merge_posted(&L, none, level), 1);
	assert_true(page_bit(APIC_REG_TMR0, 0x31));
	vlapic_ack(&L, 0x31);
	assert_int_equal(apicv_merge_posted(&L, edge, none), 1);
	assert_int_equal(apicv_merge_posted(&L, edge, none), 1);
	assert_true(page_bit(APIC_REG_IRR0, 0x31) && page_bit(APIC_REG_ISR0, 0x31));
	assert_false(page_bit(APIC_REG_TMR0, 0x31));
	assert_int_equal(vlapic_highest_irr(&L), 0x31);
	assert_int_equal(apicv_merge_posted(&L, none, none), 0);
}

static void test_intr_status_from_the_page(void **state)
{
	(void)state;
	const uint64_t none[4] = {0}, edge[4] = {1ull << 0x31, 0, 1ull << (0x80 - 128), 0};

	assert_int_equal(apicv_intr_status(&L), 0);
	apicv_merge_posted(&L, edge, none);
	assert_int_equal(apicv_intr_status(&L), 0x0080); /* RVI 0x80, SVI 0 */
	vlapic_ack(&L, 0x80);                            /* what virtual-interrupt delivery does (SDM 30.2.2) */
	assert_int_equal(apicv_intr_status(&L), 0x8031);
	assert_int_equal(vlapic_reg(&L, APIC_REG_PPR), 0x80); /* VPPR: the class in service */
	assert_int_equal(vlapic_write(&L, APIC_REG_TPR, 0x95, false, 0, &fx), VLAPIC_OK);
	assert_int_equal(apicv_intr_status(&L), 0x8031); /* RVI ignores TPR: the CPU compares it with VPPR */
	assert_int_equal(vlapic_reg(&L, APIC_REG_PPR), 0x95);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_merge_sets_irr_and_trigger_mode, setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(test_merge_onto_pending, setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(test_intr_status_from_the_page, setup, fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
