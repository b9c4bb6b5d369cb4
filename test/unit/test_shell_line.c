/* sources: vmm/debug/shell_line.c vmm/lib/string.c */
/* test_shell_line.c: the shell's line editor: keys, echoes, CR LF, escape sequences and the history ring. */
#include "test/unit/unit.h"

#include "vmm/debug/shell_line.h"

#define CTRL_C 0x03
#define BS 0x08
#define CTRL_U 0x15
#define DEL 0x7f
#define UP "\x1b[A"
#define DOWN "\x1b[B"

static char echo[SHELL_ECHO_MAX];

/* Feed one byte; the echo it gives is left in echo. */
static enum shell_key feed(struct shell_line *l, uint8_t byte)
{
	memset(echo, 'X', sizeof(echo)); /* so that a missing NUL shows */
	return shell_line_feed(l, byte, echo, sizeof(echo));
}

/* Feed every byte of s; the key of the last one. */
static enum shell_key feed_str(struct shell_line *l, const char *s)
{
	enum shell_key key = SHELL_KEY_NONE;

	while (*s)
		key = feed(l, (uint8_t)*s++);
	return key;
}

/* Type s, Enter, commit. */
static void enter(struct shell_line *l, const char *s)
{
	feed_str(l, s);
	assert_int_equal(feed(l, '\r'), SHELL_KEY_ENTER);
	assert_string_equal(l->buf, s);
	shell_line_commit(l);
	assert_int_equal(l->len, 0);
	assert_string_equal(l->buf, "");
}

static void test_typing_echoes(void **state)
{
	(void)state;
	struct shell_line l;

	shell_line_init(&l);
	assert_int_equal(l.browse, -1);
	assert_int_equal(feed(&l, 'a'), SHELL_KEY_ECHO);
	assert_string_equal(echo, "a");
	assert_int_equal(feed(&l, ' '), SHELL_KEY_ECHO);
	assert_string_equal(echo, " ");
	assert_int_equal(feed(&l, '~'), SHELL_KEY_ECHO);
	assert_string_equal(echo, "~");
	assert_string_equal(l.buf, "a ~");
	assert_int_equal(l.len, 3);
	assert_int_equal(feed(&l, '\r'), SHELL_KEY_ENTER);
	assert_string_equal(echo, "\r\n");
	assert_string_equal(l.buf, "a ~");
}

/* Leading and trailing blanks are the caller's business. */
static void test_blanks_kept_as_typed(void **state)
{
	(void)state;
	struct shell_line l;

	shell_line_init(&l);
	assert_int_equal(feed_str(&l, "  x  \n"), SHELL_KEY_ENTER);
	assert_string_equal(l.buf, "  x  ");
}

static void test_cr_lf_and_crlf_each_one_enter(void **state)
{
	(void)state;
	struct shell_line l;

	shell_line_init(&l);
	assert_int_equal(feed(&l, '\n'), SHELL_KEY_ENTER); /* LF alone: from a pipe */
	assert_string_equal(echo, "\r\n");
	shell_line_commit(&l);
	assert_int_equal(feed(&l, '\r'), SHELL_KEY_ENTER);
	shell_line_commit(&l);
	assert_int_equal(feed(&l, '\n'), SHELL_KEY_NONE); /* CR LF is one Enter */
	assert_string_equal(echo, "");
	assert_int_equal(feed(&l, '\n'), SHELL_KEY_ENTER); /* but a second LF is another */
	shell_line_commit(&l);
	assert_int_equal(feed(&l, '\r'), SHELL_KEY_ENTER);
	shell_line_commit(&l);
	assert_int_equal(feed(&l, '\r'), SHELL_KEY_ENTER); /* CR CR: two */
	shell_line_commit(&l);
	assert_int_equal(feed_str(&l, "ab\r\nc"), SHELL_KEY_ECHO); /* a LF only right after the CR is swallowed */
	assert_string_equal(l.buf, "abc");
	assert_int_equal(feed(&l, '\n'), SHELL_KEY_ENTER);
}

static void test_backspace(void **state)
{
	(void)state;
	struct shell_line l;

	shell_line_init(&l);
	assert_int_equal(feed(&l, DEL), SHELL_KEY_NONE); /* nothing to erase */
	assert_string_equal(echo, "");
	assert_int_equal(feed(&l, BS), SHELL_KEY_NONE);
	feed_str(&l, "abc");
	assert_int_equal(feed(&l, DEL), SHELL_KEY_ECHO);
	assert_string_equal(echo, "\b \b");
	assert_string_equal(l.buf, "ab");
	assert_int_equal(feed(&l, BS), SHELL_KEY_ECHO);
	assert_string_equal(echo, "\b \b");
	assert_string_equal(l.buf, "a");
	feed(&l, DEL);
	assert_int_equal(l.len, 0);
	assert_int_equal(feed(&l, DEL), SHELL_KEY_NONE);
	assert_string_equal(l.buf, "");
}

static void test_full_line_rings_the_bell(void **state)
{
	(void)state;
	struct shell_line l;
	char want[SHELL_LINE_MAX + 1];

	shell_line_init(&l);
	memset(want, 'x', SHELL_LINE_MAX);
	want[SHELL_LINE_MAX] = '\0';
	for (unsigned i = 0; i < SHELL_LINE_MAX; i++)
		assert_int_equal(feed(&l, 'x'), SHELL_KEY_ECHO);
	assert_int_equal(feed(&l, 'y'), SHELL_KEY_ECHO);
	assert_string_equal(echo, "\a");
	assert_int_equal(l.len, SHELL_LINE_MAX);
	assert_string_equal(l.buf, want);
	feed(&l, DEL); /* room again */
	assert_int_equal(feed(&l, 'z'), SHELL_KEY_ECHO);
	assert_string_equal(echo, "z");
	assert_int_equal(l.len, SHELL_LINE_MAX);
	assert_int_equal(l.buf[SHELL_LINE_MAX - 1], 'z');
	assert_int_equal(feed(&l, '\r'), SHELL_KEY_ENTER);
	shell_line_commit(&l);
	want[SHELL_LINE_MAX - 1] = 'z';
	assert_string_equal(shell_line_history(&l, 0), want); /* a full line fits in history */
}

static void test_ctrl_u_clears_ctrl_c_abandons(void **state)
{
	(void)state;
	struct shell_line l;

	shell_line_init(&l);
	feed_str(&l, "abc");
	assert_int_equal(feed(&l, CTRL_U), SHELL_KEY_REDRAW);
	assert_string_equal(echo, "\x1b[2K\r");
	assert_string_equal(l.buf, "");
	assert_int_equal(l.len, 0);
	feed_str(&l, "de");
	assert_int_equal(feed(&l, CTRL_C), SHELL_KEY_REDRAW);
	assert_string_equal(echo, "^C\r\n");
	assert_string_equal(l.buf, "");
	assert_null(shell_line_history(&l, 0));               /* abandoned, not kept */
	assert_int_equal(feed(&l, CTRL_C), SHELL_KEY_REDRAW); /* on an empty line too: a fresh prompt */
	feed_str(&l, "f");
	assert_string_equal(l.buf, "f");
}

/* Other control bytes and non-ASCII bytes do nothing. */
static void test_other_bytes_ignored(void **state)
{
	(void)state;
	struct shell_line l;
	static const uint8_t ignored[] = {0x00, 0x01, 0x02, 0x07, '\t', 0x0b, 0x0c, 0x1c, 0x1f, 0x80, 0xc3, 0xff};

	shell_line_init(&l);
	feed_str(&l, "ab");
	for (unsigned i = 0; i < ARRAY_LEN(ignored); i++) {
		assert_int_equal(feed(&l, ignored[i]), SHELL_KEY_NONE);
		assert_string_equal(echo, "");
	}
	assert_string_equal(l.buf, "ab");
}

static void test_escape_sequences(void **state)
{
	(void)state;
	struct shell_line l;

	shell_line_init(&l);
	enter(&l, "one");
	feed_str(&l, "ab");
	assert_int_equal(feed_str(&l, "\x1b[C"), SHELL_KEY_NONE);    /* Right */
	assert_int_equal(feed_str(&l, "\x1b[D"), SHELL_KEY_NONE);    /* Left */
	assert_int_equal(feed_str(&l, "\x1b[3~"), SHELL_KEY_NONE);   /* Delete: parameters, then the final byte */
	assert_int_equal(feed_str(&l, "\x1b[1;5C"), SHELL_KEY_NONE); /* Ctrl-Right */
	assert_int_equal(feed_str(&l, "\x1bx"), SHELL_KEY_NONE);     /* Alt-x */
	assert_int_equal(feed_str(&l, "\x1bOH"), SHELL_KEY_NONE);    /* Home, application mode */
	assert_string_equal(l.buf, "ab");
	assert_int_equal(l.esc, 0);
	/* A control byte ends a sequence and does its own work: ESC then Enter is Enter. */
	feed(&l, 0x1b);
	assert_int_equal(feed(&l, '\r'), SHELL_KEY_ENTER);
	shell_line_commit(&l);
	feed_str(&l, "\x1b[");
	assert_int_equal(feed(&l, DEL), SHELL_KEY_NONE); /* nothing to erase, and the sequence is gone */
	assert_int_equal(feed(&l, 'A'), SHELL_KEY_ECHO);
	assert_string_equal(l.buf, "A");
	/* ESC ESC [ A: the second ESC starts over. */
	assert_int_equal(feed_str(&l, "\x1b\x1b[A"), SHELL_KEY_REDRAW);
	assert_string_equal(l.buf, "ab");
	/* Arrows in application cursor mode. */
	assert_int_equal(feed_str(&l, "\x1bOA"), SHELL_KEY_REDRAW);
	assert_string_equal(l.buf, "one");
	assert_int_equal(feed_str(&l, "\x1bOB"), SHELL_KEY_REDRAW);
	assert_string_equal(l.buf, "ab");
}

static void test_up_down_recall(void **state)
{
	(void)state;
	struct shell_line l;

	shell_line_init(&l);
	assert_int_equal(feed_str(&l, UP), SHELL_KEY_NONE); /* no history */
	assert_int_equal(feed_str(&l, DOWN), SHELL_KEY_NONE);
	enter(&l, "first");
	enter(&l, "second");
	enter(&l, "third");
	feed_str(&l, "draft");
	assert_int_equal(feed_str(&l, UP), SHELL_KEY_REDRAW);
	assert_string_equal(echo, "\x1b[2K\r");
	assert_string_equal(l.buf, "third");
	assert_int_equal(l.len, 5);
	assert_int_equal(l.browse, 0);
	feed_str(&l, UP);
	assert_string_equal(l.buf, "second");
	feed_str(&l, UP);
	assert_string_equal(l.buf, "first");
	assert_int_equal(feed_str(&l, UP), SHELL_KEY_NONE); /* past the oldest: stays */
	assert_string_equal(echo, "");
	assert_string_equal(l.buf, "first");
	assert_int_equal(feed_str(&l, DOWN), SHELL_KEY_REDRAW);
	assert_string_equal(l.buf, "second");
	feed_str(&l, DOWN);
	assert_string_equal(l.buf, "third");
	assert_int_equal(feed_str(&l, DOWN), SHELL_KEY_REDRAW); /* past the newest: an empty line */
	assert_string_equal(echo, "\x1b[2K\r");
	assert_string_equal(l.buf, "");
	assert_int_equal(l.len, 0);
	assert_int_equal(l.browse, -1);
	assert_int_equal(feed_str(&l, DOWN), SHELL_KEY_NONE);
	/* A recalled line can be edited and entered. */
	feed_str(&l, UP UP);
	feed(&l, DEL);
	feed_str(&l, "D\r");
	assert_string_equal(l.buf, "seconD");
	shell_line_commit(&l);
	assert_int_equal(l.browse, -1);
	assert_string_equal(shell_line_history(&l, 0), "seconD");
	assert_string_equal(shell_line_history(&l, 1), "third");
	/* Ctrl-U leaves browsing: Up starts from the newest again. */
	feed_str(&l, UP UP);
	feed(&l, CTRL_U);
	assert_int_equal(l.browse, -1);
	feed_str(&l, UP);
	assert_string_equal(l.buf, "seconD");
}

static void test_empty_and_repeats_not_kept(void **state)
{
	(void)state;
	struct shell_line l;

	shell_line_init(&l);
	assert_null(shell_line_history(&l, 0));
	enter(&l, "");
	assert_null(shell_line_history(&l, 0)); /* empty lines are not kept */
	enter(&l, "a");
	enter(&l, "a");
	assert_string_equal(shell_line_history(&l, 0), "a");
	assert_null(shell_line_history(&l, 1)); /* nor a repeat of the newest */
	enter(&l, "b");
	enter(&l, "a");
	assert_string_equal(shell_line_history(&l, 0), "a"); /* but an older one again is */
	assert_string_equal(shell_line_history(&l, 1), "b");
	assert_string_equal(shell_line_history(&l, 2), "a");
	assert_null(shell_line_history(&l, 3));
	enter(&l, " ");
	assert_string_equal(shell_line_history(&l, 0), " "); /* blanks are not empty */
}

static void test_history_ring_wraps(void **state)
{
	(void)state;
	struct shell_line l;
	char line[8];

	shell_line_init(&l);
	for (unsigned i = 0; i < SHELL_HISTORY + 3; i++) {
		snprintf(line, sizeof(line), "cmd%u", i);
		enter(&l, line);
	}
	assert_int_equal(l.hist_count, SHELL_HISTORY);
	for (unsigned k = 0; k < SHELL_HISTORY; k++) {
		snprintf(line, sizeof(line), "cmd%u", SHELL_HISTORY + 2 - k);
		assert_string_equal(shell_line_history(&l, k), line);
	}
	assert_null(shell_line_history(&l, SHELL_HISTORY));
	assert_null(shell_line_history(&l, ~0u));
	/* Up walks back exactly SHELL_HISTORY entries, oldest last. */
	for (unsigned k = 0; k < SHELL_HISTORY; k++)
		assert_int_equal(feed_str(&l, UP), SHELL_KEY_REDRAW);
	assert_string_equal(l.buf, "cmd3");
	assert_int_equal(feed_str(&l, UP), SHELL_KEY_NONE);
	assert_string_equal(l.buf, "cmd3");
}

/* A smaller echo buffer truncates but still terminates; none at all is allowed. */
static void test_small_echo_buffer(void **state)
{
	(void)state;
	struct shell_line l;
	char small[3];

	shell_line_init(&l);
	feed(&l, 'a');
	assert_int_equal(shell_line_feed(&l, DEL, small, sizeof(small)), SHELL_KEY_ECHO);
	assert_string_equal(small, "\b ");
	assert_int_equal(shell_line_feed(&l, 'b', NULL, 0), SHELL_KEY_ECHO);
	assert_string_equal(l.buf, "b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_typing_echoes),
	        cmocka_unit_test(test_blanks_kept_as_typed),
	        cmocka_unit_test(test_cr_lf_and_crlf_each_one_enter),
	        cmocka_unit_test(test_backspace),
	        cmocka_unit_test(test_full_line_rings_the_bell),
	        cmocka_unit_test(test_ctrl_u_clears_ctrl_c_abandons),
	        cmocka_unit_test(test_other_bytes_ignored),
	        cmocka_unit_test(test_escape_sequences),
	        cmocka_unit_test(test_up_down_recall),
	        cmocka_unit_test(test_empty_and_repeats_not_kept),
	        cmocka_unit_test(test_history_ring_wraps),
	        cmocka_unit_test(test_small_echo_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
