/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gomem range allocators: hand out sub-ranges of an offset space [0, size).
 *
 * A range allocator knows offsets and lengths only: no pages, no locks, no
 * users.  Two policies share one API and are chosen at init time:
 *
 *  - GOMEM_POLICY_TREAP (GoMem's "single tree"): one treap ordered by
 *    offset, heap-ordered by random priority, each node augmented with the
 *    largest free length in its subtree.  Allocation returns the
 *    lowest-offset placement that fits.
 *  - GOMEM_POLICY_AVL (GoMem's "two tree"): one AVL tree ordered by
 *    (length, offset) for best fit and one ordered by offset for finding
 *    neighbours.  Allocation returns the placement in the smallest free
 *    block that fits (lowest offset among equals).
 *
 * Both coalesce on free, accept partial frees of any granule-aligned
 * sub-range of allocated space, and refuse (-EINVAL, nothing changed) a free
 * that overlaps free space or runs out of bounds.
 *
 * Locking: none inside.  The caller serialises all calls on one allocator;
 * read-only queries may run concurrently with each other.  Tree nodes live
 * out of band (a kmem_cache), never in the managed space.
 */
#ifndef _GOMEM_RANGE_H
#define _GOMEM_RANGE_H

#include <linux/types.h>
#include <asm/page.h>

/**
 * enum gomem_policy - placement policy of a range allocator
 * @GOMEM_POLICY_TREAP: lowest-offset fit, one treap, O(log n) expected
 * @GOMEM_POLICY_AVL: best fit, two AVL trees, O(log n) worst case
 */
enum gomem_policy {
	GOMEM_POLICY_TREAP = 0,
	GOMEM_POLICY_AVL = 1,
};

/* Default allocation granule in bytes: sizes are rounded up to it. */
#define GOMEM_RANGE_DEFAULT_GRANULE	8

/* Spare nodes an allocator keeps for reuse; the rest go back to the cache. */
#define GOMEM_RANGE_SPARE_MAX		64

struct gomem_node;

/**
 * struct gomem_range - a range allocator over the offset space [0, @size)
 * @policy: placement policy; gomem_core.c calls its functions directly
 * @size: size of the managed space in bytes, a multiple of @granule
 * @granule: allocation unit in bytes, a power of two
 * @free_bytes: sum of the lengths of all free blocks
 * @top: start of the top block [@top, @size): the free block that ends the
 *       space, kept out of the trees (dlmalloc's "top chunk"); @size when
 *       the end of the space is allocated.  A new or reset allocator is
 *       one top block, so on a space that is mostly free an allocation and
 *       its free touch no tree at all.
 * @nr_blocks: number of free blocks in the trees (tree nodes in use)
 * @root: tree roots; the treap uses root[0], avl uses root[0] (by offset)
 *        and root[1] (by length, offset)
 * @spare: recycled nodes, linked through their first child pointer
 * @nr_spare: number of nodes on @spare
 * @gfp: allocation flags for tree nodes, fixed at init; pass GFP_NOWAIT
 *       (and call gomem_range_reserve() outside the lock) if the allocator
 *       is used under a spinlock
 * @seed: state of the treap's priority generator
 *
 * Fields are private to the allocator; read them through the accessors.
 */
struct gomem_range {
	enum gomem_policy policy;
	u64 size;
	u64 granule;
	u64 free_bytes;
	u64 top;
	u64 nr_blocks;
	struct gomem_node *root[2];
	struct gomem_node *spare;
	unsigned int nr_spare;
	gfp_t gfp;
	u32 seed;
};

int gomem_range_init(struct gomem_range *r, enum gomem_policy policy,
		     u64 size, u64 granule, gfp_t gfp);
void gomem_range_destroy(struct gomem_range *r);
int gomem_range_alloc(struct gomem_range *r, u64 size, u64 align,
		      u64 *offset);
int gomem_range_free(struct gomem_range *r, u64 offset, u64 size);
int gomem_range_find(const struct gomem_range *r, u64 size, u64 align,
		     u64 *offset);
int gomem_range_reset(struct gomem_range *r);
int gomem_range_reserve(struct gomem_range *r, unsigned int nr, gfp_t gfp);
u64 gomem_range_free_bytes(const struct gomem_range *r);
u64 gomem_range_largest(const struct gomem_range *r);
u64 gomem_range_nr_blocks(const struct gomem_range *r);
int gomem_range_walk(const struct gomem_range *r,
		     int (*fn)(void *arg, u64 offset, u64 len), void *arg);
int gomem_range_check(const struct gomem_range *r);
const char *gomem_policy_name(enum gomem_policy policy);

/* A power of two, for u64 (the kernel's is_power_of_2() takes a long). */
static inline bool gomem_is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

/*
 * An alignment every gomem layer accepts (range, arena, device): a power
 * of two no larger than a page.
 */
static inline bool gomem_valid_align(u64 align)
{
	return gomem_is_pow2(align) && align <= PAGE_SIZE;
}

/* Module lifetime: the node cache behind every allocator. */
int gomem_range_cache_init(void);
void gomem_range_cache_exit(void);

#endif /* _GOMEM_RANGE_H */
