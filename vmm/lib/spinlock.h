/* spinlock.h: a ticket lock that remembers its owner, so a panic can break it. */
#ifndef VMM_LIB_SPINLOCK_H
#define VMM_LIB_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	uint32_t next;    /* next ticket to hand out */
	uint32_t serving; /* ticket now holding the lock */
	int32_t owner;    /* CPU id of the holder, -1 when free */
};

/* clang-format off */
#define SPINLOCK_INIT {0, 0, -1}
/* clang-format on */

static inline void spin_lock(struct spinlock *l, int32_t cpu)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		__builtin_ia32_pause();
	l->owner = cpu;
}

static inline void spin_unlock(struct spinlock *l)
{
	l->owner = -1;
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

/* Take the lock only if it is free and nobody waits: no ticket is taken otherwise. */
static inline int spin_trylock(struct spinlock *l, int32_t cpu)
{
	uint32_t serving = __atomic_load_n(&l->serving, __ATOMIC_ACQUIRE), want = serving;

	if (!__atomic_compare_exchange_n(&l->next, &want, serving + 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	l->owner = cpu;
	return 1;
}

/*
 * For the panic path only: forget every holder and waiter. Safe only when no
 * holder will ever unlock (it is stuck or stopped): an unlock after a reset
 * moves serving past next, and the lock never opens again.
 */
static inline void spin_lock_reset(struct spinlock *l)
{
	l->owner = -1;
	__atomic_store_n(&l->serving, __atomic_load_n(&l->next, __ATOMIC_RELAXED), __ATOMIC_RELEASE);
}

#endif
