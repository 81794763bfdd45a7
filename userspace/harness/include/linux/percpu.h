/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: per-CPU data.  The harness has SHIM_NR_CPUS "CPUs"; each thread
 * is given one, round robin, the first time it asks (shim/percpu.c), and
 * keeps it, so that threads sharing a CPU contend for its data as tasks
 * preempted on one CPU do.  A per-CPU object is an array, one element per
 * CPU, from kcalloc().
 */
#ifndef _SHIM_LINUX_PERCPU_H
#define _SHIM_LINUX_PERCPU_H

#include <linux/slab.h>

#define SHIM_NR_CPUS	4
#define __percpu

extern unsigned int nr_cpu_ids;

unsigned int shim_this_cpu(void);

/* From the slab shim: failure injection and leak counts apply. */
#define alloc_percpu_gfp(type, gfp)	\
	((type *)shim_kmalloc_loud(SHIM_NR_CPUS * sizeof(type),	\
				   (gfp) | __GFP_ZERO, true))
#define alloc_percpu(type)		alloc_percpu_gfp(type, GFP_KERNEL)
#define free_percpu(p)			kfree(p)
#define per_cpu_ptr(p, cpu)		(&(p)[cpu])
#define raw_cpu_ptr(p)			per_cpu_ptr(p, shim_this_cpu())
#define for_each_possible_cpu(cpu)	\
	for ((cpu) = 0; (cpu) < SHIM_NR_CPUS; (cpu)++)

#endif /* _SHIM_LINUX_PERCPU_H */
