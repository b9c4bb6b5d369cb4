/* spinlock.h: a ticket lock that remembers its owner, so a panic can break it. */
#ifndef VMM_SPINLOCK_H
#define VMM_SPINLOCK_H

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

/* For the panic path only: forget every holder and waiter. */
static inline void spin_lock_reset(struct spinlock *l)
{
	l->owner = -1;
	__atomic_store_n(&l->serving, __atomic_load_n(&l->next, __ATOMIC_RELAXED), __ATOMIC_RELEASE);
}

#endif
