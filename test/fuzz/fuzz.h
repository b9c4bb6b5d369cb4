/* fuzz.h: what the libFuzzer harnesses share: the input read as fields, checks that stop on a finding, guest RAM. */
#ifndef TEST_FUZZ_FUZZ_H
#define TEST_FUZZ_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* MAP_ANONYMOUS, MAP_32BIT and mincore under -std=c11 */
#endif

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sanitizer/asan_interface.h>

/* libFuzzer's entry: one input, exactly size bytes in a buffer of their own (ASan sees a read past them). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the input as a stream of fields ---- */

/* Little-endian fields taken from the front; once it is used up, every field reads 0. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fz_uint(struct fz *f, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && f->n; i++, f->p++, f->n--)
		v |= (uint64_t)*f->p << (8 * i);
	return v;
}

static inline uint8_t fz_u8(struct fz *f) { return (uint8_t)fz_uint(f, 1); }
static inline uint16_t fz_u16(struct fz *f) { return (uint16_t)fz_uint(f, 2); }
static inline uint32_t fz_u32(struct fz *f) { return (uint32_t)fz_uint(f, 4); }
static inline uint64_t fz_u64(struct fz *f) { return fz_uint(f, 8); }

/* Up to n bytes of the input as they are (fewer at its end); *got says how many. */
static inline const uint8_t *fz_bytes(struct fz *f, size_t n, size_t *got)
{
	const uint8_t *p = f->p;

	*got = n < f->n ? n : f->n;
	f->p += *got;
	f->n -= *got;
	return p;
}

/* ---- findings ---- */

/* An invariant broke: say which and where, then abort(), which libFuzzer reports with the input saved. */
__attribute__((noreturn, format(printf, 4, 5))) static inline void fz_fail(const char *file, int line, const char *cond,
                                                                           const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\nFUZZ FINDING at %s:%d: %s\n  ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define FZ_CHECK(cond, ...)                                              \
	do {                                                             \
		if (!(cond))                                             \
			fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* A string field holds its NUL within its array. */
#define FZ_CHECK_STR(arr) FZ_CHECK(memchr((arr), 0, sizeof(arr)) != NULL, "%s is not NUL-terminated", #arr)

/* ---- guest RAM for the loaders ---- */

#define FZ_PAGE 4096ull
#define FZ_RAM_MAX (32ull << 20) /* the default guest memory of hv.conf */
#define FZ_HOLE_LO 0xa0000ull    /* GUEST_LOW_RAM_END: nothing may be loaded from here... */
#define FZ_HOLE_HI 0x100000ull   /* ...up to GUEST_HIGH_RAM_BASE */

/*
 * Guest RAM of size bytes (a multiple of 4 KiB, at most FZ_RAM_MAX) that
 * ends right before an inaccessible page, so a write past it faults; the
 * hole [640 KiB, 1 MiB) is poisoned, so ASan reports a write into it. Its
 * pages start out not resident, which is how fz_ram_touched_outside() tells what
 * was written. One at a time: fz_ram_release() before the next.
 */
static inline uint8_t *fz_ram(uint64_t size)
{
	static uint8_t *map;

	if (!map) {
		map = mmap(NULL, FZ_RAM_MAX + FZ_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED || mprotect(map + FZ_RAM_MAX, FZ_PAGE, PROT_NONE) != 0)
			abort();
	}
	uint8_t *ram = map + FZ_RAM_MAX - size;
	if (size > FZ_HOLE_LO)
		ASAN_POISON_MEMORY_REGION(ram + FZ_HOLE_LO, (size < FZ_HOLE_HI ? size : FZ_HOLE_HI) - FZ_HOLE_LO);
	return ram;
}

/* A range of guest-physical addresses [lo, hi). */
struct fz_range {
	uint64_t lo, hi;
};

/*
 * The first page written (or read: the loaders never read guest RAM) that
 * lies wholly outside the n ranges, or UINT64_MAX if none: with n = 0,
 * whether the RAM is untouched.
 */
static inline uint64_t fz_ram_touched_outside(const uint8_t *ram, uint64_t size, const struct fz_range *r, unsigned n)
{
	static unsigned char vec[FZ_RAM_MAX / FZ_PAGE];

	if (size && mincore((void *)ram, size, vec) != 0)
		abort();
	for (uint64_t i = 0; i < size / FZ_PAGE; i++) {
		bool inside = false;
		for (unsigned k = 0; k < n && !inside; k++)
			inside = i * FZ_PAGE < r[k].hi && r[k].lo < (i + 1) * FZ_PAGE;
		if ((vec[i] & 1) && !inside)
			return i * FZ_PAGE;
	}
	return UINT64_MAX;
}

/* Back to fresh pages, the hole unpoisoned. */
static inline void fz_ram_release(uint8_t *ram, uint64_t size)
{
	if (size > FZ_HOLE_LO)
		ASAN_UNPOISON_MEMORY_REGION(ram + FZ_HOLE_LO, (size < FZ_HOLE_HI ? size : FZ_HOLE_HI) - FZ_HOLE_LO);
	if (size && madvise(ram, size, MADV_DONTNEED) != 0)
		abort();
}

/* RAM sizes from a 16-bit field: 4 KiB steps up to FZ_RAM_MAX, 0 included (refused by every loader). */
static inline uint64_t fz_ram_size(uint16_t v) { return (v % (FZ_RAM_MAX / FZ_PAGE + 1)) * FZ_PAGE; }

#endif
