/* ipi.c: the workloads whose cost is an IPI: a futex token between two CPUs, and TLB shootdowns. */
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lxbench.h"

#define WARMUP 8     /* rounds not recorded: page faults, first wake-ups */
#define TLB_PAGES 16 /* the mapping each mprotect changes */
#define PAGE 4096u
#define SETTLE_NS 300000 /* after CPU 1 blocks: time for it to reach its idle HLT */

static _Atomic uint32_t token, asleep;
static _Atomic int stop, touching;
static int rounds;

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w) { syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

/*
 * A thread born on CPU 1: created from a thread pinned to CPU 0, it would
 * otherwise start there and wait for CPU 0's busy loop to let it move.
 */
static void start_on_cpu1(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	if (pthread_attr_init(&attr) || pthread_attr_setaffinity_np(&attr, sizeof(one), &one) ||
	    pthread_create(t, &attr, fn, arg))
		lx_die("cannot start a thread on CPU 1");
	pthread_attr_destroy(&attr);
}

/* Sleep in the kernel until *w == want: each wait that blocks leaves the CPU idle (HLT), so waking it is an IPI. */
static void wait_for(_Atomic uint32_t *w, uint32_t want)
{
	uint32_t v;

	while ((v = atomic_load(w)) != want)
		futex_wait(w, v);
}

/* CPU 1's side: answers each odd token with the next even one. */
static void *pong(void *arg)
{
	(void)arg;
	lx_pin(1);
	for (uint32_t i = 0; i < (uint32_t)rounds; i++) {
		atomic_store(&asleep, i + 1);
		wait_for(&token, 2 * i + 1);
		atomic_store(&token, 2 * i + 2);
		futex_wake(&token);
	}
	return NULL;
}

/* Spin (untimed) until CPU 1's thread has said it blocks, and then long enough for its CPU to go idle. */
static void settle(uint32_t round)
{
	uint64_t end;

	while (atomic_load(&asleep) != round + 1)
		;
	end = rdtsc() + (uint64_t)SETTLE_NS * lx_tsc_khz() / 1000000u;
	while (rdtsc() < end)
		;
}

/*
 * ipi_pingpong: CPU 0 passes the token to a thread blocked on CPU 1 and waits
 * for it to come back; a sample is one round trip: two wake-ups of a sleeping
 * CPU, each a reschedule IPI, and two returns from idle. Each round starts
 * once CPU 1 sleeps: two threads that happen to be awake at once would pass
 * the token without either sleeping, a different (and much shorter) path.
 */
void wl_ipi_pingpong(int n, struct result *r)
{
	struct samples s;
	pthread_t t;

	samples_init(&s, n);
	rounds = n + WARMUP;
	atomic_store(&token, 0);
	atomic_store(&asleep, 0);
	lx_pin(0);
	start_on_cpu1(&t, pong, NULL);
	for (uint32_t i = 0; i < (uint32_t)rounds; i++) {
		settle(i);
		uint64_t t0 = rdtsc();

		atomic_store(&token, 2 * i + 1);
		futex_wake(&token);
		wait_for(&token, 2 * i + 2);
		if (i >= WARMUP)
			s.v[s.n++] = rdtsc() - t0;
	}
	pthread_join(t, NULL);
	r->s = s;
}

/* CPU 1's side: keeps reading the mapping, so that its TLB holds it and its CPU stays in the mm. */
static void *toucher(void *arg)
{
	volatile const uint8_t *p = arg;
	unsigned sum = 0;

	lx_pin(1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (unsigned i = 0; i < TLB_PAGES; i++)
			sum += p[i * PAGE];
		atomic_store_explicit(&touching, 1, memory_order_relaxed);
	}
	return (void *)(uintptr_t)sum;
}

/*
 * tlb_shootdown: CPU 0 takes write permission away from pages CPU 1 is
 * reading; a sample is one mprotect(PROT_READ), which must flush CPU 1's TLB
 * through a function-call IPI and wait for it. The pages are made writable
 * (untimed, but also a shootdown: an operation's exits count two) and written
 * again between samples, so that each call changes their entries.
 */
void wl_tlb_shootdown(int n, struct result *r)
{
	size_t len = TLB_PAGES * PAGE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct samples s;
	pthread_t t;

	if (p == MAP_FAILED)
		lx_die("mmap: %m");
	memset(p, 1, len);
	samples_init(&s, n);
	atomic_store(&stop, 0);
	atomic_store(&touching, 0);
	lx_pin(0);
	start_on_cpu1(&t, toucher, p);
	while (!atomic_load(&touching)) /* every sample with CPU 1 in the mm, its TLB holding the pages */
		sched_yield();
	for (int i = 0; i < n + WARMUP; i++) {
		uint64_t t0 = rdtsc();

		if (mprotect(p, len, PROT_READ) < 0)
			lx_die("mprotect: %m");
		uint64_t t1 = rdtsc();

		if (mprotect(p, len, PROT_READ | PROT_WRITE) < 0)
			lx_die("mprotect: %m");
		for (unsigned k = 0; k < TLB_PAGES; k++)
			p[k * PAGE] = (uint8_t)i;
		if (i >= WARMUP)
			s.v[s.n++] = t1 - t0;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	munmap(p, len);
	r->s = s;
}
