/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: a spinlock is a word taken with an atomic exchange (acquire) and
 * let go with a plain release store, as the kernel's queued spinlock's
 * uncontended path (one locked instruction to take, none to release).
 * A waiter yields while it spins: test threads outnumber the CPUs, and a
 * holder may be preempted, which the kernel's spinlocks never are.
 */
#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H

#include <sched.h>

typedef struct {
	int locked;
} spinlock_t;

static inline void spin_lock_init(spinlock_t *l)
{
	l->locked = 0;
}

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			sched_yield();
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#define lockdep_assert_held_spin(l)	((void)(l))

#endif /* _SHIM_LINUX_SPINLOCK_H */
