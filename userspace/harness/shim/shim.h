/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the harness programs (not the kernel files) use to steer and
 * inspect the kernel-header shim: slab failure injection and accounting,
 * the problem counter (WARNs, leaks, failed module_init), the seed of
 * get_random_u32(), and module exit.
 */
#ifndef _SHIM_SHIM_H
#define _SHIM_SHIM_H

#include <linux/compiler.h>
#include <linux/types.h>

/*
 * Slab failure injection; it applies to kmem_cache_alloc() and the kmalloc
 * family alike.  fail_next(n): the next n allocations fail, later ones
 * succeed.  fail_after(n): n more succeed, then every one fails until
 * shim_slab_fail_reset().
 */
void shim_slab_fail_next(unsigned long n);
void shim_slab_fail_after(unsigned long n);
void shim_slab_fail_reset(void);
/* Allocations refused by injection since the program started. */
unsigned long shim_slab_refused(void);
/* Live objects of the cache called @name, or -1 if there is none. */
long shim_slab_live(const char *name);
/* The flags the cache called @name was created with, or -1. */
long shim_slab_flags(const char *name);
/* Live objects of every cache plus live kmalloc blocks. */
unsigned long shim_slab_live_total(void);

/* Mutexes the calling thread holds now. */
unsigned int shim_mutexes_held(void);
/* vmalloc() calls so far, and those made while holding a mutex. */
unsigned long shim_vmalloc_calls(void);
unsigned long shim_vmalloc_under_lock(void);
/* vmalloc() calls made without __GFP_NOWARN (vmalloc(), vmalloc_user()). */
unsigned long shim_vmalloc_warning(void);
/*
 * Injected failures of allocations the kernel would report with a stack
 * dump (vmalloc, kvmalloc above a page, kmalloc above the slab caches,
 * per-CPU memory) that had no __GFP_NOWARN.
 */
unsigned long shim_slab_loud_failures(void);

/*
 * Problems are everything that must fail a test program although no
 * expectation saw it: WARNs, objects left in a destroyed cache, a failed
 * module_init.  Each is printed when it happens.
 */
__printf(1, 2) void shim_problem(const char *fmt, ...);
unsigned long shim_problems(void);

/* get_random_u32() and friends: a fixed default seed, changeable. */
void shim_random_seed(u64 seed);
u64 shim_random_initial_seed(void);

/*
 * Run the module_exit() functions (once; later calls do nothing).  A
 * program that does not call it gets them run at exit().
 */
void shim_module_exit_all(void);

#endif /* _SHIM_SHIM_H */
