/* shell_line.h: the serial debug shell's line editor: editing keys, history, and what to echo (no I/O). */
#ifndef VMM_DEBUG_SHELL_LINE_H
#define VMM_DEBUG_SHELL_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHELL_LINE_MAX 128 /* bytes in a line, without the NUL */
#define SHELL_HISTORY 8    /* lines kept */
#define SHELL_ECHO_MAX 8   /* size of the echo buffer to pass, NUL included: every echo fits */

struct shell_line {
	char buf[SHELL_LINE_MAX + 1];
	unsigned len;
	char history[SHELL_HISTORY][SHELL_LINE_MAX + 1];
	unsigned hist_count; /* lines stored, up to SHELL_HISTORY */
	unsigned hist_next;  /* ring index of the next slot */
	int browse;          /* -1: editing a new line; else how far back in history (0 = newest) */
	unsigned esc;        /* escape-sequence state: 0 none, 1 after ESC, 2 after ESC [ or ESC O */
	bool after_cr;       /* the last byte was a CR: a LF now is the rest of the same Enter */
};

/*
 * What one input byte did. shell_line_feed always writes an echo to out
 * (NUL-terminated, possibly empty; truncated if out_size < SHELL_ECHO_MAX),
 * and the caller always prints it. Then:
 *   NONE    nothing else (out is empty);
 *   ECHO    nothing else: out is the typed character, "\b \b" for a
 *           backspace, or "\a" (BEL) for a character that does not fit;
 *   REDRAW  the caller prints its prompt and then l->buf. out is
 *           "\x1b[2K\r" (erase the terminal's line, back to column 0) for
 *           Ctrl-U and history recall, "^C\r\n" (abandon, on a fresh line)
 *           for Ctrl-C;
 *   ENTER   out is "\r\n"; the line is in l->buf (NUL-terminated, blanks
 *           kept as typed). The caller runs it, then must call
 *           shell_line_commit before feeding the next byte, then prints
 *           its prompt.
 */
enum shell_key { SHELL_KEY_NONE, SHELL_KEY_ECHO, SHELL_KEY_REDRAW, SHELL_KEY_ENTER };

void shell_line_init(struct shell_line *l);
/*
 * Keys: printable ASCII 0x20..0x7e appends; CR or LF is Enter (a LF right
 * after a CR is swallowed, so CR LF is one Enter); DEL or BS erases the last
 * character; Ctrl-U clears the line; Ctrl-C abandons it; Up and Down (ESC [ A,
 * ESC [ B, or ESC O A, ESC O B) walk the history, replacing whatever was typed.
 * Other escape sequences, control bytes and bytes from 0x80 on are ignored.
 */
enum shell_key shell_line_feed(struct shell_line *l, uint8_t byte, char *out, size_t out_size);
/* After SHELL_KEY_ENTER: keep l->buf in history (unless empty or equal to the newest entry) and clear it. */
void shell_line_commit(struct shell_line *l);
/* The k-th newest history entry (0 = newest) or NULL. */
const char *shell_line_history(const struct shell_line *l, unsigned k);

#endif
