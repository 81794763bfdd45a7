/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: a kthread is a detached pthread.  Only kthread_run() is provided;
 * tests wait for their threads with a completion.
 */
#ifndef _SHIM_LINUX_KTHREAD_H
#define _SHIM_LINUX_KTHREAD_H

#include <linux/err.h>

struct task_struct;

struct task_struct *shim_kthread_run(int (*fn)(void *data), void *data);

#define kthread_run(fn, data, namefmt, ...)	shim_kthread_run(fn, data)

#endif /* _SHIM_LINUX_KTHREAD_H */
