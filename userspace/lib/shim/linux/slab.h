/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgomem's own <linux/slab.h>: the kmalloc family on top of malloc, as
 * static inline functions so that the library defines no kmalloc or kfree
 * symbol of its own.  It comes before userspace/harness/include/ on the
 * include path when ../../gomem_reader.c is compiled into the library; every
 * other kernel header that file includes is the harness's (they are header
 * only).  No failure injection, no accounting: that is the harness's job.
 */
#ifndef _GOMEM_LIB_SHIM_SLAB_H
#define _GOMEM_LIB_SHIM_SLAB_H

#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/types.h>

static inline void *kmalloc(size_t size, gfp_t gfp)
{
	if (gfp & __GFP_ZERO)
		return calloc(1, size ? size : 1);
	return malloc(size ? size : 1);
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, gfp);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

#endif /* _GOMEM_LIB_SHIM_SLAB_H */
