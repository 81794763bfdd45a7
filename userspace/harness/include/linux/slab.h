/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: slab caches and kmalloc on top of malloc, one malloc per object so
 * that ASan sees every use after free.  Every cache counts its live
 * objects; kmem_cache_destroy() of a cache that still has some reports a
 * leak, which fails the test program.  Allocations can be made to fail on
 * purpose (shim/shim.h: shim_slab_fail_next(), shim_slab_fail_after()).
 */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <linux/gfp.h>
#include <linux/types.h>
#include <asm/page.h>

#define SLAB_HWCACHE_ALIGN	0x00002000u
#define SLAB_PANIC		0x00040000u
#define SLAB_ACCOUNT		0x04000000u

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);
/*
 * All or nothing, as the kernel's: @size objects into @p and returns
 * @size, or returns 0 with none taken.  Each object is one
 * kmem_cache_alloc(), so failure injection counts every one; inline, so
 * that every slab of the shim (the harness's, bench/kshim's) has them.
 */
static inline void kmem_cache_free_bulk(struct kmem_cache *s, size_t size,
					void **p)
{
	size_t i;

	for (i = 0; i < size; i++)
		kmem_cache_free(s, p[i]);
}

static inline int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp,
					size_t size, void **p)
{
	size_t i;

	for (i = 0; i < size; i++) {
		p[i] = kmem_cache_alloc(s, gfp);
		if (!p[i]) {
			kmem_cache_free_bulk(s, i, p);
			return 0;
		}
	}
	return (int)size;
}

static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

#define KMEM_CACHE(__struct, __flags)					\
	kmem_cache_create(#__struct, sizeof(struct __struct),		\
			  __alignof__(struct __struct), (__flags), NULL)

void *kmalloc(size_t size, gfp_t gfp);
void kfree(const void *p);
/*
 * kmalloc() whose failure the kernel would report with a stack dump
 * unless __GFP_NOWARN (@loud: vmalloc, the page allocator, per-CPU
 * memory); an injected failure of one without __GFP_NOWARN is counted
 * (shim_slab_loud_failures()).
 */
void *shim_kmalloc_loud(size_t size, gfp_t gfp, bool loud);
/* The kernel's KMALLOC_MAX_CACHE_SIZE (SLUB): above it, the page allocator. */
#define SHIM_KMALLOC_MAX_CACHE	8192

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

/*
 * No vmalloc fallback to model: kvmalloc is kmalloc here, but its failure
 * above a page is the kernel's vmalloc failure, reported unless
 * __GFP_NOWARN.
 */
static inline void *kvmalloc(size_t size, gfp_t gfp)
{
	return shim_kmalloc_loud(size, gfp, size > PAGE_SIZE);
}

static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kvmalloc(bytes, gfp);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void kvfree(const void *p)
{
	kfree(p);
}

#endif /* _SHIM_LINUX_SLAB_H */
