// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A kernel-like slab for the "kshim" benchmark build: each kmem_cache
 * carves objects out of 64 KiB slabs, packed at their size, and recycles
 * freed objects through a LIFO free list, as SLUB's per-CPU fast path
 * does.  It replaces the harness's shim/slab.c (one malloc() per object,
 * made for ASan) to show how much that shim costs the benchmarks.
 * kmalloc() and vmalloc() stay plain malloc(), as in the harness shim.
 * No failure injection, no leak accounting.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/page.h>

#define KSHIM_SLAB_BYTES	(64 * 1024)

struct kshim_free {
	struct kshim_free *next;
};

struct kmem_cache {
	unsigned int size;		/* object stride */
	void (*ctor)(void *obj);
	struct kshim_free *free;	/* recycled objects, LIFO */
	char *cur, *end;		/* the slab being carved */
	void **slabs;			/* every slab, for destroy */
	size_t nr_slabs, cap_slabs;
};

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (flags & SLAB_HWCACHE_ALIGN && align < 64)
		align = 64;
	if (align < sizeof(void *))
		align = sizeof(void *);
	if (size < sizeof(struct kshim_free))
		size = sizeof(struct kshim_free);
	s->size = (size + align - 1) / align * align;
	s->ctor = ctor;
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr_slabs; i++)
		free(s->slabs[i]);
	free(s->slabs);
	free(s);
}

static void *kshim_slab_refill(struct kmem_cache *s)
{
	void *slab, **v;

	if (s->nr_slabs == s->cap_slabs) {
		size_t cap = s->cap_slabs ? 2 * s->cap_slabs : 16;

		v = realloc(s->slabs, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->slabs = v;
		s->cap_slabs = cap;
	}
	slab = aligned_alloc(PAGE_SIZE, KSHIM_SLAB_BYTES);
	if (!slab)
		return NULL;
	s->slabs[s->nr_slabs++] = slab;
	s->cur = slab;
	s->end = (char *)slab + KSHIM_SLAB_BYTES / s->size * s->size;
	return slab;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *obj;

	if (s->free) {
		obj = s->free;
		s->free = s->free->next;
	} else {
		if (s->cur == s->end && !kshim_slab_refill(s))
			return NULL;
		obj = s->cur;
		s->cur += s->size;
	}
	if (s->ctor)
		s->ctor(obj);
	else if (gfp & __GFP_ZERO)
		memset(obj, 0, s->size);
	return obj;
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	struct kshim_free *f = obj;

	if (!obj)
		return;
	f->next = s->free;
	s->free = f;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	void *p = malloc(size ? size : 1);

	if (p && gfp & __GFP_ZERO)
		memset(p, 0, size);
	return p;
}

/* No failure injection here: what the kernel would report is moot. */
void *shim_kmalloc_loud(size_t size, gfp_t gfp, bool loud)
{
	(void)loud;
	return kmalloc(size, gfp);
}

void kfree(const void *p)
{
	free((void *)p);
}

void *vmalloc(unsigned long size)
{
	if (!size)
		return NULL;
	return aligned_alloc(PAGE_SIZE, (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
}

void *vzalloc(unsigned long size)
{
	void *p = vmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *vmalloc_user(unsigned long size)
{
	return vzalloc(size);
}

void *__vmalloc(unsigned long size, gfp_t gfp)
{
	return gfp & __GFP_ZERO ? vzalloc(size) : vmalloc(size);
}

void vfree(const void *p)
{
	free((void *)p);
}
