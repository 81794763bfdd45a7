/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The region cache of libgomem (internal): per-thread bins of regions the
 * session allocated and freed, handed out again with no system call.
 * Its logic knows nothing of the device: it allocates and frees through
 * two callbacks (the library's batch ioctls; a fake device in the native
 * test, tests/cache_test.c).  docs/libgomem.md ("The region cache") states
 * the rules; the reasons are in gomem_cache.c.
 */
#ifndef GOMEM_CACHE_H
#define GOMEM_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct gomem_cache_stats;

/**
 * struct gomem_cache_ops - how the cache reaches the device
 * @alloc: allocate @n regions of @size bytes each (granule-rounded),
 *         not zeroed, into @offs; return how many (0..@n), or a negative
 *         errno with none allocated
 * @free: free @n whole regions of @size bytes each at @offs; return 0 or
 *        a negative errno (the cache forgets them either way)
 */
struct gomem_cache_ops {
	int (*alloc)(void *ctx, uint64_t size, uint64_t *offs, unsigned int n);
	int (*free)(void *ctx, uint64_t size, const uint64_t *offs,
		    unsigned int n);
};

/* Regions up to this many bytes are cached; larger ones are not. */
#define GOMEM_CACHE_MAX_SIZE	(64u << 10)
/* Default bound of one thread's cache, in bytes. */
#define GOMEM_CACHE_DEFAULT_LIMIT	(4u << 20)

struct gomem_cache;

/*
 * A cache for an arena window of @map_size bytes with allocation unit
 * @granule, each thread's part holding at most @limit bytes.  NULL with
 * errno (ENOMEM; EINVAL a granule that is not a power of two).
 */
struct gomem_cache *gomem_cache_new(const struct gomem_cache_ops *ops,
				    void *ctx, uint64_t map_size,
				    uint64_t granule, uint64_t limit);

/* Drain every thread's part (ops->free) and free @c; NULL is allowed.
 * No other thread may use @c any more. */
void gomem_cache_destroy(struct gomem_cache *c);

/*
 * A region of @size bytes for the caller: from this thread's bin, or from
 * a refill through ops->alloc.  Not zeroed: the caller zeroes it unless it
 * was asked not to.  Return: 0 and *@off; -ENOENT not a size the cache
 * serves (the caller allocates by itself); else ops->alloc's errno.
 */
int gomem_cache_alloc(struct gomem_cache *c, uint64_t size, uint64_t *off);

/*
 * The caller frees [@off, @off + @size).  Return: 0 the cache took it
 * (the region was one it handed out, whole, and never shared); 1 the
 * caller must free it through the device: the cache has forgotten the
 * region the range starts in, so none of it will be handed out again;
 * -EINVAL the range starts inside a region the cache holds (freed
 * already: the device would see it allocated, the user must hear no).
 */
int gomem_cache_free(struct gomem_cache *c, uint64_t off, uint64_t size);

/*
 * A range starting at @off, inside one region of the device, is about to
 * be shared, held by reference, or freed by other means than
 * gomem_cache_free(): if the cache handed that region out, it never takes
 * it back.  Return: 0; -EINVAL @off is inside a region the cache holds
 * (free as far as the user knows: the caller refuses the operation).
 */
int gomem_cache_forget(struct gomem_cache *c, uint64_t off);

/* Give every thread's cached regions back through ops->free.  Return: the
 * regions given back. */
uint64_t gomem_cache_drain(struct gomem_cache *c);

/* Forget everything without freeing: the device freed it all (recycle). */
void gomem_cache_reset(struct gomem_cache *c);

/* Bound of one thread's part, in bytes (0: cache nothing). */
void gomem_cache_set_limit(struct gomem_cache *c, uint64_t limit);

/*
 * For tests: the cache's map agrees with itself (each block's count of
 * cells in use is its cells' in use).  Return: 0, or -EUCLEAN.  Call it
 * with no other thread inside the cache.
 */
int gomem_cache_check(struct gomem_cache *c);

/* What the cache holds and did, summed over its threads. */
void gomem_cache_get_stats(struct gomem_cache *c,
			   struct gomem_cache_stats *s);

/*
 * For tests: 1 the process's caches lock their threads' parts with the
 * membarrier protocol, 0 with the fallback (no membarrier(2), or
 * GOMEM_CACHE_NO_MEMBARRIER set when the first cache was made); see
 * gomem_cache.c ("Threads").  Not exported by the library.
 */
int gomem_cache_membarrier(void);

#endif /* GOMEM_CACHE_H */
