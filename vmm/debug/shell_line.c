/* shell_line.c: the serial debug shell's line editor: editing keys, history, and what to echo (no I/O). */
#include "vmm/debug/shell_line.h"

#include "vmm/lib/string.h"

#define KEY_CTRL_C 0x03
#define KEY_BS 0x08 /* Ctrl-H: what some terminals send for Backspace */
#define KEY_LF 0x0a
#define KEY_CR 0x0d
#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f /* what most terminals send for Backspace */
#define KEY_FIRST_PRINTABLE 0x20
#define KEY_LAST_PRINTABLE 0x7e

/* Escape sequences: ESC, then '[' (CSI) or 'O' (SS3, arrows in application cursor mode), then the final byte. */
#define ESC_NONE 0
#define ESC_SEEN 1
#define ESC_SEQ 2
#define ESC_LAST_PARAM 0x3f /* CSI parameter and intermediate bytes are 0x20..0x3f; the final byte follows */
#define ESC_UP 'A'
#define ESC_DOWN 'B'

#define ECHO_BACKSPACE "\b \b" /* back, blank the character, back again */
#define ECHO_BELL "\a"
#define ECHO_REDRAW "\x1b[2K\r" /* erase the whole line, to column 0: the caller reprints prompt and line */
#define ECHO_ABANDON "^C\r\n"
#define ECHO_ENTER "\r\n"

void shell_line_init(struct shell_line *l)
{
	memset(l, 0, sizeof(*l));
	l->browse = -1;
}

const char *shell_line_history(const struct shell_line *l, unsigned k)
{
	if (k >= l->hist_count)
		return NULL;
	return l->history[(l->hist_next + SHELL_HISTORY - 1 - k) % SHELL_HISTORY];
}

void shell_line_commit(struct shell_line *l)
{
	const char *newest = shell_line_history(l, 0);

	/* Repeating a command should not push the older ones out. */
	if (l->len && !(newest && !hv_strcmp(newest, l->buf))) {
		memcpy(l->history[l->hist_next], l->buf, l->len + 1);
		l->hist_next = (l->hist_next + 1) % SHELL_HISTORY;
		if (l->hist_count < SHELL_HISTORY)
			l->hist_count++;
	}
	l->len = 0;
	l->buf[0] = '\0';
	l->browse = -1;
}

/* Replace the line with s (history can only hold what fits) and say to redraw it. */
static enum shell_key set_line(struct shell_line *l, const char *s, int browse, char *out, size_t out_size)
{
	l->len = (unsigned)hv_strlcpy(l->buf, s, sizeof(l->buf));
	l->browse = browse;
	hv_strlcpy(out, ECHO_REDRAW, out_size);
	return SHELL_KEY_REDRAW;
}

/* Up (older) or Down (newer); past the newest is a new, empty line; past the oldest stays there. */
static enum shell_key recall(struct shell_line *l, int step, char *out, size_t out_size)
{
	int to = l->browse + step;

	if (to < -1 || to >= (int)l->hist_count)
		return SHELL_KEY_NONE;
	return set_line(l, to < 0 ? "" : shell_line_history(l, (unsigned)to), to, out, out_size);
}

/* Inside an escape sequence: true if the byte was part of it. */
static bool escape(struct shell_line *l, uint8_t byte, enum shell_key *key, char *out, size_t out_size)
{
	/* A control byte cannot be part of a sequence: a lone ESC must not swallow the Enter typed after it. */
	if (byte < KEY_FIRST_PRINTABLE || byte > KEY_LAST_PRINTABLE) {
		l->esc = ESC_NONE;
		return false;
	}
	if (l->esc == ESC_SEEN) {
		l->esc = byte == '[' || byte == 'O' ? ESC_SEQ : ESC_NONE; /* Alt-x (ESC x) is dropped whole */
	} else if (byte > ESC_LAST_PARAM) {
		l->esc = ESC_NONE;
		if (byte == ESC_UP)
			*key = recall(l, 1, out, out_size);
		else if (byte == ESC_DOWN)
			*key = recall(l, -1, out, out_size);
	}
	return true;
}

enum shell_key shell_line_feed(struct shell_line *l, uint8_t byte, char *out, size_t out_size)
{
	enum shell_key key = SHELL_KEY_NONE;
	bool after_cr = l->after_cr;

	hv_strlcpy(out, "", out_size);
	l->after_cr = byte == KEY_CR;
	if (l->esc != ESC_NONE && escape(l, byte, &key, out, out_size))
		return key;
	if (byte >= KEY_FIRST_PRINTABLE && byte <= KEY_LAST_PRINTABLE) {
		if (l->len == SHELL_LINE_MAX) {
			hv_strlcpy(out, ECHO_BELL, out_size);
			return SHELL_KEY_ECHO;
		}
		l->buf[l->len++] = (char)byte;
		l->buf[l->len] = '\0';
		hv_strlcpy(out, l->buf + l->len - 1, out_size);
		return SHELL_KEY_ECHO;
	}
	if (byte == KEY_CR || byte == KEY_LF) {
		if (byte == KEY_LF && after_cr)
			return SHELL_KEY_NONE; /* the LF of a CR LF */
		hv_strlcpy(out, ECHO_ENTER, out_size);
		return SHELL_KEY_ENTER;
	}
	if (byte == KEY_ESC) {
		l->esc = ESC_SEEN;
		return SHELL_KEY_NONE;
	}
	switch (byte) {
	case KEY_DEL:
	case KEY_BS:
		if (!l->len)
			return SHELL_KEY_NONE;
		l->buf[--l->len] = '\0';
		hv_strlcpy(out, ECHO_BACKSPACE, out_size);
		return SHELL_KEY_ECHO;
	case KEY_CTRL_U: return set_line(l, "", -1, out, out_size);
	case KEY_CTRL_C:
		set_line(l, "", -1, out, out_size);
		hv_strlcpy(out, ECHO_ABANDON, out_size);
		return SHELL_KEY_REDRAW;
	default: return SHELL_KEY_NONE; /* Tab, other control bytes, bytes from 0x80 on */
	}
}
