/* unit.h: what every host unit test includes (cmocka needs its headers in this order). */
#ifndef TEST_UNIT_UNIT_H
#define TEST_UNIT_UNIT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sigaction, sigsetjmp, MAP_ANONYMOUS under -std=c11 */
#endif

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "vmm/lib/array.h"

/* A heap copy of exactly n bytes, so ASan catches any access past them. */
static inline void *unit_dup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	assert_non_null(q);
	memcpy(q, p, n);
	return q;
}

/*
 * A copy of n bytes that ends right before an inaccessible page: reading one
 * byte past it faults. Use with unit_faults() where an over-read must make one
 * test fail rather than abort the whole binary (as an ASan report would).
 */
static inline void *unit_guarded_dup(const void *p, size_t n)
{
	size_t pages = (n + 4095) / 4096 + 1;
	uint8_t *m = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + (pages - 1) * 4096, 4096, PROT_NONE), 0);
	memcpy(m + (pages - 1) * 4096 - n, p, n);
	return m + (pages - 1) * 4096 - n;
}

static inline void unit_guarded_free(void *p, size_t n)
{
	size_t pages = (n + 4095) / 4096 + 1;

	munmap((uint8_t *)p + n - (pages - 1) * 4096, pages * 4096);
}

static sigjmp_buf unit_fault_jmp __attribute__((unused));

static inline void unit_on_fault(int sig)
{
	(void)sig;
	siglongjmp(unit_fault_jmp, 1);
}

/* Run fn(arg); true if it faulted (SIGSEGV or SIGBUS). */
static inline bool unit_faults(void (*fn)(void *), void *arg)
{
	struct sigaction sa, old_segv, old_bus;
	volatile bool faulted = false;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = unit_on_fault;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(unit_fault_jmp, 1))
		faulted = true;
	else
		fn(arg);
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return faulted;
}

#endif
