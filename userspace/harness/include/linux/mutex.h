/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: a kernel mutex is an error-checking pthread mutex, so that locking
 * it twice, or unlocking it from a thread that does not hold it, is
 * reported as a problem (and fails the test program) instead of hanging.
 */
#ifndef _SHIM_LINUX_MUTEX_H
#define _SHIM_LINUX_MUTEX_H

#include <pthread.h>

#include <linux/types.h>

struct mutex {
	pthread_mutex_t m;
};

void mutex_init(struct mutex *lock);
void mutex_destroy(struct mutex *lock);
void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
bool mutex_is_locked(struct mutex *lock);

#define lockdep_assert_held(lock)	((void)(lock))

#endif /* _SHIM_LINUX_MUTEX_H */
