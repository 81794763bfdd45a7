/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: RCU for the harness.  No harness program reads the arena without
 * its lock while another thread changes it, so a read-side section is
 * nothing, a grace period is over at once and a deferred free is a free.
 * The pointer accessors keep the kernel's release/acquire ordering.
 */
#ifndef _SHIM_LINUX_RCUPDATE_H
#define _SHIM_LINUX_RCUPDATE_H

#include <linux/compiler.h>
#include <linux/slab.h>

struct rcu_head {
	void *next;
};

#define __rcu

static inline void rcu_read_lock(void)
{
}

static inline void rcu_read_unlock(void)
{
}

static inline void synchronize_rcu(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#define rcu_dereference(p)	__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_protected(p, c)	((void)(c), (p))
#define rcu_assign_pointer(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v)	((p) = (v))

#define kfree_rcu(ptr, field)	kfree(ptr)
#define kvfree_rcu(ptr, field)	kvfree(ptr)

#endif /* _SHIM_LINUX_RCUPDATE_H */
