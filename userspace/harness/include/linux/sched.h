/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: scheduling.  A test program is never asked to give up the CPU, so
 * need_resched() is false and a long operation lets go of its lock only
 * at its fixed slices: what the tests count is deterministic.
 */
#ifndef _SHIM_LINUX_SCHED_H
#define _SHIM_LINUX_SCHED_H

#include <linux/kernel.h>
#include <linux/types.h>

static inline bool need_resched(void)
{
	return false;
}

#endif /* _SHIM_LINUX_SCHED_H */
