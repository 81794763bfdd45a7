/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shim: a harness thread keeps its "CPU" (linux/percpu.h): nothing to do. */
#ifndef _SHIM_LINUX_PREEMPT_H
#define _SHIM_LINUX_PREEMPT_H

static inline void migrate_disable(void)
{
}

static inline void migrate_enable(void)
{
}

#endif /* _SHIM_LINUX_PREEMPT_H */
