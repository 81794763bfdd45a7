// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Plain (not error-checking) pthread mutexes for the "kshim" benchmark
 * build, closer to the kernel mutex's uncontended fast path than the
 * harness's shim/mutex.c, which checks every lock and unlock.  Adaptive:
 * a contended lock spins a while before sleeping, as the kernel's mutex
 * spins while the owner runs (CONFIG_MUTEX_SPIN_ON_OWNER) instead of
 * going to sleep at once.
 */
#include <linux/mutex.h>

void mutex_init(struct mutex *lock)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&lock->m, &attr);
	pthread_mutexattr_destroy(&attr);
}

void mutex_destroy(struct mutex *lock)
{
	pthread_mutex_destroy(&lock->m);
}

void mutex_lock(struct mutex *lock)
{
	pthread_mutex_lock(&lock->m);
}

void mutex_unlock(struct mutex *lock)
{
	pthread_mutex_unlock(&lock->m);
}

bool mutex_is_locked(struct mutex *lock)
{
	if (pthread_mutex_trylock(&lock->m))
		return true;
	pthread_mutex_unlock(&lock->m);
	return false;
}
