// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shim slab: every object is its own malloc() block, so ASan catches use
 * after free and overflows of a node; caches only count what is live.
 * Allocation failures can be injected (see shim.h).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/page.h>

#include "shim.h"

struct kmem_cache {
	const char *name;
	unsigned int size;
	unsigned int align;
	void (*ctor)(void *obj);
	slab_flags_t flags;
	unsigned long live;
	struct kmem_cache *next;
};

static struct kmem_cache *caches;
static unsigned long kmalloc_live;
static unsigned long vmalloc_live;

static unsigned long fail_next_left;	/* allocations still to refuse */
static long pass_left = -1;		/* fail_after: passes left; -1: off */
static unsigned long refused;
static unsigned long vmallocs, vmallocs_locked, vmallocs_warning;
static unsigned long loud_failures;	/* shim_kmalloc_loud() */

/*
 * The counters are touched by the threads of concurrent tests (a growth
 * vmallocs with the arena lock dropped while another thread's trim
 * vfrees): atomically, or a lost update reads as a leak or as "more frees
 * than allocations".
 */
static void count_up(unsigned long *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* One less, unless it is 0 already: then false. */
static bool count_down(unsigned long *c)
{
	unsigned long v = __atomic_load_n(c, __ATOMIC_RELAXED);

	do {
		if (!v)
			return false;
	} while (!__atomic_compare_exchange_n(c, &v, v - 1, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

unsigned long shim_vmalloc_calls(void)
{
	return vmallocs;
}

unsigned long shim_vmalloc_under_lock(void)
{
	return vmallocs_locked;
}

unsigned long shim_vmalloc_warning(void)
{
	return vmallocs_warning;
}

void shim_slab_fail_next(unsigned long n)
{
	fail_next_left = n;
	pass_left = -1;
}

void shim_slab_fail_after(unsigned long n)
{
	fail_next_left = 0;
	pass_left = (long)n;
}

void shim_slab_fail_reset(void)
{
	fail_next_left = 0;
	pass_left = -1;
}

unsigned long shim_slab_refused(void)
{
	return refused;
}

static bool shim_slab_should_fail(void)
{
	if (fail_next_left) {
		fail_next_left--;
		refused++;
		return true;
	}
	if (pass_left == 0) {
		refused++;
		return true;
	}
	if (pass_left > 0)
		pass_left--;
	return false;
}

long shim_slab_flags(const char *name)
{
	struct kmem_cache *s;

	for (s = caches; s; s = s->next)
		if (!strcmp(s->name, name))
			return (long)s->flags;
	return -1;
}

long shim_slab_live(const char *name)
{
	struct kmem_cache *s;

	for (s = caches; s; s = s->next)
		if (!strcmp(s->name, name))
			return (long)s->live;
	return -1;
}

unsigned long shim_slab_live_total(void)
{
	unsigned long total = kmalloc_live + vmalloc_live;
	struct kmem_cache *s;

	for (s = caches; s; s = s->next)
		total += s->live;
	return total;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (flags & SLAB_HWCACHE_ALIGN && align < 64)
		align = 64;
	s->name = name;
	s->size = size ? size : 1;
	s->align = align;
	s->ctor = ctor;
	s->flags = flags;
	s->next = caches;
	caches = s;
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	struct kmem_cache **p;

	if (!s)
		return;
	if (s->live)
		shim_problem("kmem_cache_destroy(%s): %lu objects still allocated",
			     s->name, s->live);
	for (p = &caches; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	free(s);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *obj;

	if (shim_slab_should_fail())
		return NULL;
	if (s->align > 16)
		obj = aligned_alloc(s->align,
				    (s->size + s->align - 1) / s->align * s->align);
	else
		obj = malloc(s->size);
	if (!obj)
		return NULL;
	if (s->ctor)
		s->ctor(obj);
	else if (gfp & __GFP_ZERO)
		memset(obj, 0, s->size);
	count_up(&s->live);
	return obj;
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	if (!obj)
		return;
	if (!count_down(&s->live))
		shim_problem("kmem_cache_free(%s): more frees than allocations",
			     s->name);
	free(obj);
}

unsigned long shim_slab_loud_failures(void)
{
	return loud_failures;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return shim_kmalloc_loud(size, gfp, size > SHIM_KMALLOC_MAX_CACHE);
}

void *shim_kmalloc_loud(size_t size, gfp_t gfp, bool loud)
{
	void *p;

	if (shim_slab_should_fail()) {
		if (loud && !(gfp & __GFP_NOWARN))
			count_up(&loud_failures);
		return NULL;
	}
	p = malloc(size ? size : 1);
	if (!p)
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(p, 0, size);
	count_up(&kmalloc_live);
	return p;
}

void kfree(const void *p)
{
	if (!p)
		return;
	if (!count_down(&kmalloc_live))
		shim_problem("kfree(%p): more frees than allocations", p);
	free((void *)p);
}

static void *shim_vmalloc(unsigned long size, gfp_t gfp)
{
	unsigned long bytes = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	void *p;

	count_up(&vmallocs);
	if (!(gfp & __GFP_NOWARN))
		count_up(&vmallocs_warning);
	if (shim_mutexes_held())
		count_up(&vmallocs_locked);
	if (!size)
		return NULL;
	if (shim_slab_should_fail()) {
		if (!(gfp & __GFP_NOWARN))
			count_up(&loud_failures);
		return NULL;
	}
	p = aligned_alloc(PAGE_SIZE, bytes);
	if (!p)
		return NULL;
	count_up(&vmalloc_live);
	return p;
}

/* The kernel's __vmalloc(): like vmalloc(), zeroed for __GFP_ZERO. */
void *__vmalloc(unsigned long size, gfp_t gfp)
{
	void *p = shim_vmalloc(size, gfp);

	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

void *vmalloc(unsigned long size)
{
	return shim_vmalloc(size, GFP_KERNEL);
}

void *vzalloc(unsigned long size)
{
	void *p = vmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* Like the kernel's: zeroed and page-aligned, fit to map to userspace. */
void *vmalloc_user(unsigned long size)
{
	return vzalloc(size);
}

void vfree(const void *p)
{
	if (!p)
		return;
	if (!count_down(&vmalloc_live))
		shim_problem("vfree(%p): more frees than allocations", p);
	free((void *)p);
}
