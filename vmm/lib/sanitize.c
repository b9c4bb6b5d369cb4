/* sanitize.c: bytes from a guest as text a terminal shows and cannot act on: control bytes made visible. */
#include "vmm/lib/sanitize.h"

#include "vmm/lib/string.h"

#define ASCII_DEL 0x7f
#define ASCII_FIRST_PRINTABLE 0x20
#define CARET_OFFSET 0x40 /* ^@ is NUL, ^[ is ESC: the control's value plus 0x40 */

size_t sanitize_byte(uint8_t c, char out[SANITIZE_MAX])
{
	static const char hex[] = "0123456789abcdef";

	if ((c >= ASCII_FIRST_PRINTABLE && c < ASCII_DEL) || c == '\t') {
		out[0] = (char)c;
		return 1;
	}
	if (c < ASCII_FIRST_PRINTABLE || c == ASCII_DEL) {
		out[0] = '^';
		out[1] = c == ASCII_DEL ? '?' : (char)(c + CARET_OFFSET);
		return 2;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xf];
	return 4;
}

size_t sanitize(char *dst, size_t size, const void *src, size_t n)
{
	const uint8_t *s = src;
	size_t len = 0, i = 0;
	char form[SANITIZE_MAX];

	for (; i < n; i++) {
		size_t k = sanitize_byte(s[i], form);
		if (len + k > size - 1)
			break;
		memcpy(dst + len, form, k);
		len += k;
	}
	dst[len] = '\0';
	return i;
}

static void emit_line(struct sanitize_line *l, sanitize_emit_fn emit, void *ctx)
{
	l->text[l->len] = '\0';
	emit(ctx, l->text);
	l->len = 0;
}

/* Append c's form; a line that would overflow is emitted first, one that is then full right after. */
static void append(struct sanitize_line *l, uint8_t c, sanitize_emit_fn emit, void *ctx)
{
	char form[SANITIZE_MAX];
	size_t k = sanitize_byte(c, form);

	if (l->len + k > SANITIZE_LINE_MAX - 1)
		emit_line(l, emit, ctx);
	memcpy(l->text + l->len, form, k);
	l->len += (uint32_t)k;
	if (l->len == SANITIZE_LINE_MAX - 1)
		emit_line(l, emit, ctx);
}

void sanitize_line_feed(struct sanitize_line *l, uint8_t c, sanitize_emit_fn emit, void *ctx)
{
	bool cr_before = l->cr;

	l->cr = c == '\r';
	if (c == '\n') {
		emit_line(l, emit, ctx);
		return;
	}
	if (cr_before)
		append(l, '\r', emit, ctx);
	if (c != '\r')
		append(l, c, emit, ctx);
}
