/* sanitize.h: bytes from a guest as text a terminal shows and cannot act on: control bytes made visible. */
#ifndef VMM_LIB_SANITIZE_H
#define VMM_LIB_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The scheme (docs/serial-console.md): printable ASCII (0x20-0x7e) and tab
 * stay as they are; the other C0 controls are shown in caret notation, as
 * `cat -v` shows them (ESC as ^[, BEL as ^G, CR as ^M, NUL as ^@), DEL as
 * ^?; every byte from 0x80 up as \xNN with two lowercase hex digits. C1
 * controls (0x9b is a CSI on an 8-bit terminal) and UTF-8 are escaped alike:
 * a terminal that never sees a byte it could act on matters more here than
 * a guest's accented letters. The scheme is not reversible: a guest may
 * print "^[" itself, which looks the same and is as harmless.
 */
#define SANITIZE_MAX 4 /* the longest form of one byte: \xNN */

/* The form of c: 1 to SANITIZE_MAX characters written to out (no NUL); returns how many. */
size_t sanitize_byte(uint8_t c, char out[SANITIZE_MAX]);

/*
 * src[0..n) in that form into dst (size bytes, size > 0), NUL-terminated, as
 * many whole bytes as fit (a byte's form is never cut); returns how many
 * bytes of src were taken.
 */
size_t sanitize(char *dst, size_t size, const void *src, size_t n);

/*
 * A guest's console output, a line at a time. LF ends a line; a CR right
 * before an LF belongs to the line end and is dropped (what a terminal
 * driver sends for "\n"); any other CR is shown as ^M. A line longer than
 * SANITIZE_LINE_MAX - 1 characters (in the shown form) is cut into several.
 */
#define SANITIZE_LINE_MAX 200

struct sanitize_line {
	uint32_t len; /* characters in text */
	bool cr;      /* the last byte was a CR, not shown yet */
	char text[SANITIZE_LINE_MAX];
};

/* Called with each whole line, NUL-terminated, without its line end. */
typedef void (*sanitize_emit_fn)(void *ctx, const char *line);

/* Feed one byte of output; emit gets every line it completes (at most two). */
void sanitize_line_feed(struct sanitize_line *l, uint8_t c, sanitize_emit_fn emit, void *ctx);

#endif
