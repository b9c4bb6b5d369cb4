/* sources: vmm/debug/conin_esc.c */
/* test_conin_esc.c: the console switch's Ctrl-] filter: pass-through, every command, and the reset after each. */
#include "test/unit/unit.h"

#include "vmm/debug/conin_esc.h"

#define UNSET 0xa5 /* what the outputs hold before a feed, to see that they are left alone */

static uint8_t byte_out;
static unsigned guest_out;

static enum conin_esc_action feed(struct conin_esc *s, uint8_t byte)
{
	byte_out = UNSET;
	guest_out = UNSET;
	return conin_esc_feed(s, byte, &byte_out, &guest_out);
}

/* Ctrl-] then cmd: the action, and the filter passes bytes through again after it. */
static enum conin_esc_action command(struct conin_esc *s, uint8_t cmd)
{
	assert_int_equal(feed(s, CONIN_ESC_CHAR), CONIN_ESC_PENDING);
	assert_true(s->pending);
	assert_int_equal(byte_out, UNSET);
	enum conin_esc_action a = feed(s, cmd);
	assert_false(s->pending);
	return a;
}

static void assert_passes(struct conin_esc *s, uint8_t byte)
{
	assert_int_equal(feed(s, byte), CONIN_ESC_DELIVER);
	assert_int_equal(byte_out, byte);
	assert_int_equal(guest_out, UNSET);
}

/* Every byte but Ctrl-] passes, commands letters included. */
static void test_pass_through(void **state)
{
	(void)state;
	struct conin_esc s = {0};

	for (unsigned b = 0; b <= 0xff; b++)
		if (b != CONIN_ESC_CHAR)
			assert_passes(&s, (uint8_t)b);
	assert_false(s.pending);
}

static void test_literal(void **state)
{
	(void)state;
	struct conin_esc s = {0};

	assert_int_equal(command(&s, CONIN_ESC_CHAR), CONIN_ESC_DELIVER);
	assert_int_equal(byte_out, CONIN_ESC_CHAR);
	assert_int_equal(guest_out, UNSET);
	/* Three in a row: one literal, then a new escape. */
	assert_int_equal(command(&s, CONIN_ESC_CHAR), CONIN_ESC_DELIVER);
	assert_int_equal(feed(&s, CONIN_ESC_CHAR), CONIN_ESC_PENDING);
	assert_int_equal(feed(&s, 'n'), CONIN_ESC_NEXT);
}

static void test_commands(void **state)
{
	(void)state;
	struct conin_esc s = {0};

	assert_int_equal(command(&s, 'h'), CONIN_ESC_SHELL);
	assert_passes(&s, 'h');
	assert_int_equal(command(&s, 's'), CONIN_ESC_SHELL);
	assert_passes(&s, 's');
	assert_int_equal(command(&s, 'n'), CONIN_ESC_NEXT);
	assert_passes(&s, 'n');
	assert_int_equal(command(&s, '?'), CONIN_ESC_HELP);
	assert_passes(&s, '?');
	for (unsigned g = 0; g <= 9; g++) {
		assert_int_equal(command(&s, (uint8_t)('0' + g)), CONIN_ESC_GUEST);
		assert_int_equal(guest_out, g);
		assert_int_equal(byte_out, UNSET);
		assert_passes(&s, (uint8_t)('0' + g));
	}
}

/* Anything else after Ctrl-] is dropped with it, and the next byte passes. */
static void test_unknown(void **state)
{
	(void)state;
	struct conin_esc s = {0};
	static const uint8_t unknown[] = {0x00, 'a', 'H', 'S', 'N', 'q', '/', ':', '\r', 0x1b, 0x7f, 0xff};

	for (unsigned i = 0; i < ARRAY_LEN(unknown); i++) {
		assert_int_equal(command(&s, unknown[i]), CONIN_ESC_UNKNOWN);
		assert_int_equal(byte_out, UNSET);
		assert_int_equal(guest_out, UNSET);
		assert_passes(&s, unknown[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_pass_through),
	        cmocka_unit_test(test_literal),
	        cmocka_unit_test(test_commands),
	        cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
