/* fmt.h: printf-style formatting into a bounded buffer. */
#ifndef VMM_LIB_FMT_H
#define VMM_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Supports %d %i %u %x %X %o %p %s %c %% with flags '-', '0', '+', ' ', '#',
 * a width and a precision (either may be '*'), and the length modifiers
 * hh h l ll z j t. Always NUL-terminates when size > 0 and returns the
 * length the full output would have had, as C11 vsnprintf does.
 */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
