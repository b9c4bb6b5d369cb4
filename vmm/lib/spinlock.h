/* spinlock.h: a ticket lock, fair between cores, that a panic can break. */
#ifndef VMM_LIB_SPINLOCK_H
#define VMM_LIB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	uint32_t next;    /* next ticket to hand out */
	uint32_t serving; /* ticket now holding the lock */
};

/* clang-format off */
#define SPINLOCK_INIT {0, 0}
/* clang-format on */

static inline void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		__builtin_ia32_pause();
}

static inline void spin_unlock(struct spinlock *l) { __atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE); }

/* Take the lock only if it is free and nobody waits: no ticket is taken otherwise. */
static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t serving = __atomic_load_n(&l->serving, __ATOMIC_ACQUIRE), want = serving;

	return __atomic_compare_exchange_n(&l->next, &want, serving + 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/*
 * For the panic path only: forget every holder and waiter. Safe only when no
 * holder will ever unlock (it is stuck or stopped): an unlock after a reset
 * moves serving past next, and the lock never opens again.
 */
static inline void spin_lock_reset(struct spinlock *l)
{
	__atomic_store_n(&l->serving, __atomic_load_n(&l->next, __ATOMIC_RELAXED), __ATOMIC_RELEASE);
}

#endif
