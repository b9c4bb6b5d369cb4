/* sources: lapic/vioapic.c vmm/lib/string.c */
/* test_vioapic.c: the virtual I/O APIC: registers, edge and level pins, remote IRR, EOI, delivery modes. */
#include "test/unit/unit.h"

#include "lapic/vioapic.h"

static struct vioapic io;
static struct vioapic_msg msgs[VIOAPIC_MAX_MSGS];
static unsigned n;

static void write_reg(uint32_t reg, uint32_t v)
{
	vioapic_write(&io, IOAPIC_MMIO_IOREGSEL, reg, msgs, &n);
	vioapic_write(&io, IOAPIC_MMIO_IOWIN, v, msgs, &n);
}

static uint32_t read_reg(uint32_t reg)
{
	vioapic_write(&io, IOAPIC_MMIO_IOREGSEL, reg, msgs, &n);
	return vioapic_read(&io, IOAPIC_MMIO_IOWIN);
}

/* Program pin: low word (vector, flags) and destination. */
static void route(unsigned pin, uint32_t low, uint8_t dest)
{
	write_reg(IOAPIC_REG_REDTBL_BASE + 2 * pin + 1, (uint32_t)dest << 24);
	write_reg(IOAPIC_REG_REDTBL_BASE + 2 * pin, low);
}

static int setup(void **state)
{
	(void)state;
	vioapic_reset(&io, 4);
	return 0;
}

static void test_identity_registers(void **state)
{
	(void)state;
	assert_int_equal(read_reg(IOAPIC_REG_ID), 4u << 24);
	assert_int_equal(read_reg(IOAPIC_REG_VERSION), 0x170020);
	write_reg(IOAPIC_REG_ID, 7u << 24);
	assert_int_equal(read_reg(IOAPIC_REG_ID), 7u << 24);
	assert_int_equal(vioapic_read(&io, IOAPIC_MMIO_IOREGSEL), IOAPIC_REG_ID);
	assert_int_equal(read_reg(0x80), 0); /* beyond the table */
}

static void test_reset_masks_everything(void **state)
{
	(void)state;
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		assert_int_equal(read_reg(IOAPIC_REG_REDTBL_BASE + 2 * pin), IOAPIC_RTE_MASKED);
	struct vioapic_msg m;
	assert_false(vioapic_set_line(&io, 3, true, &m)); /* masked edge: lost */
}

static void test_edge_sends_on_rising_edge_only(void **state)
{
	struct vioapic_msg m;
	(void)state;
	route(4, 0x34, 1);
	assert_true(vioapic_set_line(&io, 4, true, &m));
	assert_int_equal(m.vector, 0x34);
	assert_int_equal(m.dest, 1);
	assert_false(m.level);
	assert_int_equal(m.pin, 4);
	assert_false(vioapic_set_line(&io, 4, true, &m)); /* still high: no new edge */
	assert_false(vioapic_set_line(&io, 4, false, &m));
	assert_true(vioapic_set_line(&io, 4, true, &m));
	assert_false(vioapic_set_line(&io, VIOAPIC_PINS, true, &m));
}

static void test_level_remote_irr_and_eoi(void **state)
{
	struct vioapic_msg m;
	(void)state;
	route(9, 0x49 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_DEST_LOGICAL | (1u << 8), 0x3);
	assert_true(vioapic_set_line(&io, 9, true, &m));
	assert_true(m.level && m.dest_logical);
	assert_int_equal(m.delivery_mode, 1);
	assert_true(read_reg(IOAPIC_REG_REDTBL_BASE + 18) & IOAPIC_RTE_REMOTE_IRR);
	assert_false(vioapic_set_line(&io, 9, true, &m)); /* awaiting EOI */
	vioapic_eoi(&io, 0x48, msgs, &n);                 /* another vector: nothing */
	assert_int_equal(n, 0);
	vioapic_eoi(&io, 0x49, msgs, &n); /* still asserted: sent again */
	assert_int_equal(n, 1);
	assert_int_equal(msgs[0].vector, 0x49);
	vioapic_set_line(&io, 9, false, &m);
	vioapic_eoi(&io, 0x49, msgs, &n); /* deasserted now: remote IRR clears, nothing sent */
	assert_int_equal(n, 0);
	assert_false(read_reg(IOAPIC_REG_REDTBL_BASE + 18) & IOAPIC_RTE_REMOTE_IRR);
}

static void test_eoi_register(void **state)
{
	struct vioapic_msg m;
	(void)state;
	route(2, 0x50 | IOAPIC_RTE_LEVEL, 0);
	assert_true(vioapic_set_line(&io, 2, true, &m));
	vioapic_write(&io, IOAPIC_MMIO_EOI, 0x50, msgs, &n);
	assert_int_equal(n, 1);
}

static void test_unmasking_asserted_level_pin_delivers(void **state)
{
	struct vioapic_msg m;
	(void)state;
	route(5, 0x60 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED, 0);
	assert_false(vioapic_set_line(&io, 5, true, &m));
	write_reg(IOAPIC_REG_REDTBL_BASE + 10, 0x60 | IOAPIC_RTE_LEVEL);
	assert_int_equal(n, 1);
	assert_int_equal(msgs[0].vector, 0x60);
}

static void test_readonly_bits_are_kept(void **state)
{
	struct vioapic_msg m;
	(void)state;
	route(7, 0x70 | IOAPIC_RTE_LEVEL, 0);
	assert_true(vioapic_set_line(&io, 7, true, &m));
	/* The guest cannot clear remote IRR by writing the entry, nor set delivery status. */
	write_reg(IOAPIC_REG_REDTBL_BASE + 14, 0x70 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_DELIVERY_STATUS);
	uint32_t low = read_reg(IOAPIC_REG_REDTBL_BASE + 14);
	assert_true(low & IOAPIC_RTE_REMOTE_IRR);
	assert_false(low & IOAPIC_RTE_DELIVERY_STATUS);
	/* Switching the entry to edge drops remote IRR. */
	write_reg(IOAPIC_REG_REDTBL_BASE + 14, 0x70);
	assert_false(read_reg(IOAPIC_REG_REDTBL_BASE + 14) & IOAPIC_RTE_REMOTE_IRR);
}

static void test_high_word_is_destination(void **state)
{
	(void)state;
	route(1, 0x31, 0xab);
	assert_int_equal(read_reg(IOAPIC_REG_REDTBL_BASE + 3), 0xabu << 24);
	assert_int_equal(read_reg(IOAPIC_REG_REDTBL_BASE + 2), 0x31);
}

/*
 * NMI, INIT, SMI and ExtINT are edge-triggered whatever bit 15 says (82093AA
 * datasheet, 3.2.4): a message per rising edge, the mode in it, no remote IRR.
 */
static void test_edge_only_modes(void **state)
{
	static const uint32_t modes[] = {IOAPIC_DM_SMI, IOAPIC_DM_NMI, IOAPIC_DM_INIT, IOAPIC_DM_EXTINT};
	struct vioapic_msg m;
	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		unsigned pin = 10 + i;
		route(pin, 0x42 | modes[i] << IOAPIC_RTE_DELIVERY_SHIFT | IOAPIC_RTE_LEVEL, 1);
		assert_false(vioapic_rte_level(IOAPIC_RTE_LEVEL | (uint64_t)modes[i] << IOAPIC_RTE_DELIVERY_SHIFT));
		assert_true(vioapic_set_line(&io, pin, true, &m));
		assert_int_equal(m.delivery_mode, modes[i]);
		assert_false(m.level);
		assert_false(read_reg(IOAPIC_REG_REDTBL_BASE + 2 * pin) & IOAPIC_RTE_REMOTE_IRR);
		assert_false(vioapic_set_line(&io, pin, true, &m)); /* still high: no new edge, no level resend */
		vioapic_eoi(&io, 0x42, msgs, &n);
		assert_int_equal(n, 0); /* nothing waits for an EOI */
		vioapic_set_line(&io, pin, false, &m);
		assert_true(vioapic_set_line(&io, pin, true, &m));
		vioapic_set_line(&io, pin, false, &m);
	}
	assert_true(vioapic_rte_level(IOAPIC_RTE_LEVEL | (uint64_t)IOAPIC_DM_LOWEST << IOAPIC_RTE_DELIVERY_SHIFT));
	assert_true(vioapic_rte_level(IOAPIC_RTE_LEVEL));
}

/* `first` marks a pin's first message since its entry changed: a caller says something once per entry. */
static void test_first_message_per_entry(void **state)
{
	struct vioapic_msg m;
	(void)state;
	route(3, 0x33 | IOAPIC_DM_EXTINT << IOAPIC_RTE_DELIVERY_SHIFT, 0);
	assert_true(vioapic_set_line(&io, 3, true, &m));
	assert_true(m.first);
	vioapic_set_line(&io, 3, false, &m);
	assert_true(vioapic_set_line(&io, 3, true, &m));
	assert_false(m.first);
	vioapic_set_line(&io, 3, false, &m);
	write_reg(IOAPIC_REG_REDTBL_BASE + 6, 0x33 | IOAPIC_DM_EXTINT << IOAPIC_RTE_DELIVERY_SHIFT); /* unchanged */
	assert_true(vioapic_set_line(&io, 3, true, &m));
	assert_false(m.first);
	vioapic_set_line(&io, 3, false, &m);
	write_reg(IOAPIC_REG_REDTBL_BASE + 6, 0x33 | IOAPIC_DM_SMI << IOAPIC_RTE_DELIVERY_SHIFT); /* a new mode */
	assert_true(vioapic_set_line(&io, 3, true, &m));
	assert_true(m.first);
	assert_int_equal(m.delivery_mode, IOAPIC_DM_SMI);
	/* A level pin's resend after EOI is not a first message. */
	route(8, 0x58 | IOAPIC_RTE_LEVEL, 0);
	assert_true(vioapic_set_line(&io, 8, true, &m));
	assert_true(m.first && m.level);
	vioapic_eoi(&io, 0x58, msgs, &n);
	assert_int_equal(n, 1);
	assert_false(msgs[0].first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_identity_registers, setup),
	        cmocka_unit_test_setup(test_reset_masks_everything, setup),
	        cmocka_unit_test_setup(test_edge_sends_on_rising_edge_only, setup),
	        cmocka_unit_test_setup(test_level_remote_irr_and_eoi, setup),
	        cmocka_unit_test_setup(test_eoi_register, setup),
	        cmocka_unit_test_setup(test_unmasking_asserted_level_pin_delivers, setup),
	        cmocka_unit_test_setup(test_readonly_bits_are_kept, setup),
	        cmocka_unit_test_setup(test_high_word_is_destination, setup),
	        cmocka_unit_test_setup(test_edge_only_modes, setup),
	        cmocka_unit_test_setup(test_first_message_per_entry, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
