// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Shim mutexes: error-checking pthread mutexes; misuse is a problem. */
#include <errno.h>
#include <string.h>

#include <linux/mutex.h>

#include "shim.h"

/* Mutexes the calling thread holds, for shim_mutexes_held(). */
static __thread unsigned int held;

unsigned int shim_mutexes_held(void)
{
	return held;
}

void mutex_init(struct mutex *lock)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&lock->m, &attr);
	pthread_mutexattr_destroy(&attr);
}

void mutex_destroy(struct mutex *lock)
{
	int err = pthread_mutex_destroy(&lock->m);

	if (err)
		shim_problem("mutex_destroy: %s", strerror(err));
}

void mutex_lock(struct mutex *lock)
{
	int err = pthread_mutex_lock(&lock->m);

	if (err)
		shim_problem("mutex_lock: %s", strerror(err));
	else
		held++;
}

void mutex_unlock(struct mutex *lock)
{
	int err = pthread_mutex_unlock(&lock->m);

	if (err)
		shim_problem("mutex_unlock: %s", strerror(err));
	else
		held--;
}

bool mutex_is_locked(struct mutex *lock)
{
	if (pthread_mutex_trylock(&lock->m))
		return true;
	pthread_mutex_unlock(&lock->m);
	return false;
}
