/* libc_mem.c: memcpy, memmove, memset and memcmp, which the compiler may call; only in the hypervisor image
 * (host unit tests use the C library's, and test_libc_mem.c these under other names). */
#include <stdint.h>

#include "vmm/lib/string.h"

/*
 * A guest's RAM (up to gigabytes) is zeroed at each start and its kernel and
 * initramfs copied in: byte loops made that billions of instructions, seconds
 * under an emulator. So the bulk goes 8 bytes at a time once the destination
 * is aligned (the build has no SSE, -mgeneral-regs-only, and no string
 * instructions outside arch/x86). `word` may alias anything: the stores and
 * loads below go to memory of any type.
 */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_u; /* a word at any address */
typedef uint64_t __attribute__((may_alias)) word;
#define WORD sizeof(word)

static size_t to_alignment(const void *p) { return (WORD - ((uintptr_t)p & (WORD - 1))) & (WORD - 1); }

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (size_t head = to_alignment(d); head && n; head--, n--)
		*d++ = *s++;
	for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
		*(word *)d = *(const word_u *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

/* Overlapping with dst above src: from the end down, so that nothing is read after it was overwritten. */
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if ((uintptr_t)d < (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
		return memcpy(dst, src, n);
	d += n;
	s += n;
	for (size_t tail = (uintptr_t)d & (WORD - 1); tail && n; tail--, n--)
		*--d = *--s;
	for (; n >= WORD; n -= WORD) {
		d -= WORD;
		s -= WORD;
		*(word *)d = *(const word_u *)s;
	}
	while (n--)
		*--d = *--s;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word fill = (unsigned char)c * 0x0101010101010101ull;

	for (size_t head = to_alignment(d); head && n; head--, n--)
		*d++ = (unsigned char)c;
	for (; n >= WORD; n -= WORD, d += WORD)
		*(word *)d = fill;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
