/* fmt.c: printf-style formatting into a bounded buffer (C11 7.21.6 subset). */
#include "vmm/lib/fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* what the output would be, even past size */
};

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while ((sp->prec < 0 || len < sp->prec) && s[len])
		len++;
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

/* Format one integer: magnitude v, its sign separately ('+' and ' ' apply to signed conversions only). */
static void put_num(struct out *o, const struct spec *sp, uint64_t v, bool is_signed, bool neg, unsigned base,
                    bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	const char *prefix = "";

	while (v) {
		// cppcheck-suppress zerodivcond ; base is 8, 10 or 16
		tmp[n++] = digits[v % base];
		v /= base;
	}
	int ndigits = n;
	int prec = sp->prec < 0 ? 1 : sp->prec;
	int zeros = prec > ndigits ? prec - ndigits : 0;

	if (neg)
		prefix = "-";
	else if (sp->plus && is_signed)
		prefix = "+";
	else if (sp->space && is_signed)
		prefix = " ";
	else if (sp->alt && base == 16 && ndigits)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && zeros == 0)
		zeros = 1;

	int plen = 0;
	while (prefix[plen])
		plen++;
	int total = plen + zeros + ndigits;
	/* '0' pads between prefix and digits, unless a precision was given. */
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += sp->width > total ? sp->width - total : 0;
		total = plen + zeros + ndigits;
	}
	if (!sp->left)
		pad(o, ' ', sp->width - total);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n--)
		put(o, tmp[n]);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

static const char *parse_flags(const char *f, struct spec *sp)
{
	for (;; f++) {
		switch (*f) {
		case '-': sp->left = true; break;
		case '0': sp->zero = true; break;
		case '+': sp->plus = true; break;
		case ' ': sp->space = true; break;
		case '#': sp->alt = true; break;
		default: return f;
		}
	}
}

static const char *parse_int(const char *f, int *out, va_list *ap)
{
	if (*f == '*') {
		*out = va_arg(*ap, int);
		return f + 1;
	}
	int v = 0;
	while (*f >= '0' && *f <= '9')
		v = v * 10 + (*f++ - '0');
	*out = v;
	return f;
}

enum len_mod { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static const char *parse_len(const char *f, enum len_mod *len)
{
	*len = LEN_INT;
	if (f[0] == 'h' && f[1] == 'h')
		return *len = LEN_CHAR, f + 2;
	if (f[0] == 'l' && f[1] == 'l')
		return *len = LEN_LLONG, f + 2;
	switch (*f) {
	case 'h': *len = LEN_SHORT; return f + 1;
	case 'l': *len = LEN_LONG; return f + 1;
	case 'j': *len = LEN_LLONG; return f + 1;
	case 'z':
	case 't': *len = LEN_SIZE; return f + 1;
	default: return f;
	}
}

static int64_t arg_signed(enum len_mod len, va_list *ap)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(enum len_mod len, va_list *ap)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned);
	}
}

/* Format one conversion; f points at its conversion character. */
static void convert(struct out *o, struct spec *sp, enum len_mod len, char c, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(len, ap);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		put_num(o, sp, mag, true, v < 0, 10, false);
		break;
	}
	case 'u': put_num(o, sp, arg_unsigned(len, ap), false, false, 10, false); break;
	case 'x': put_num(o, sp, arg_unsigned(len, ap), false, false, 16, false); break;
	case 'X': put_num(o, sp, arg_unsigned(len, ap), false, false, 16, true); break;
	case 'o': put_num(o, sp, arg_unsigned(len, ap), false, false, 8, false); break;
	case 'p':
		sp->alt = true;
		put_num(o, sp, (uintptr_t)va_arg(*ap, void *), false, false, 16, false);
		break;
	case 'c': {
		char s[2] = {(char)va_arg(*ap, int), 0};
		sp->prec = -1;
		if (!s[0]) { /* a NUL character still counts as one */
			if (!sp->left)
				pad(o, ' ', sp->width - 1);
			put(o, 0);
			if (sp->left)
				pad(o, ' ', sp->width - 1);
			break;
		}
		put_str(o, sp, s);
		break;
	}
	case 's': put_str(o, sp, va_arg(*ap, const char *)); break;
	case '%': put(o, '%'); break;
	default: /* unknown conversion: print it as written */
		put(o, '%');
		put(o, c);
		break;
	}
}

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = {buf, size, 0};
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		struct spec sp = {.prec = -1};
		enum len_mod len;
		fmt = parse_flags(fmt, &sp);
		fmt = parse_int(fmt, &sp.width, &ap);
		if (sp.width < 0) {
			sp.left = true;
			sp.width = -sp.width;
		}
		if (*fmt == '.') {
			fmt = parse_int(fmt + 1, &sp.prec, &ap);
			if (sp.prec < 0)
				sp.prec = -1;
		}
		fmt = parse_len(fmt, &len);
		if (!*fmt)
			break;
		convert(&o, &sp, len, *fmt++, &ap);
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
