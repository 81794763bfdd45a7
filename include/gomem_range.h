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

#include <linux/align.h>
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
 * @size_max: avl: the last node of root[1] (the longest tree block, highest
 *            start among equals), NULL when the trees are empty; lets a
 *            search that nothing in the tree can satisfy stop at once
 * @spare: recycled nodes, linked through their first child pointer
 * @nr_spare: number of nodes on @spare
 * @keep: nodes the allocator keeps whatever happens, in the trees or
 *        spare: a floor on @nr_blocks + @nr_spare that only
 *        gomem_range_keep() moves (see there); 0 for none
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
	struct gomem_node *size_max;
	struct gomem_node *spare;
	unsigned int nr_spare;
	u64 keep;
	gfp_t gfp;
	u32 seed;
};

int gomem_range_init(struct gomem_range *r, enum gomem_policy policy,
		     u64 size, u64 granule, gfp_t gfp);
void gomem_range_destroy(struct gomem_range *r);
int __gomem_range_alloc(struct gomem_range *r, u64 size, u64 align,
			u64 *offset);
int __gomem_range_free(struct gomem_range *r, u64 offset, u64 size);
int __gomem_range_find(const struct gomem_range *r, u64 size, u64 align,
		       u64 *offset);
int gomem_range_reset(struct gomem_range *r);
int gomem_range_reserve(struct gomem_range *r, unsigned int nr, gfp_t gfp);
int gomem_range_keep(struct gomem_range *r, u64 nr);
u64 gomem_range_kept(const struct gomem_range *r);
u64 gomem_range_free_bytes(const struct gomem_range *r);
u64 __gomem_range_largest(const struct gomem_range *r);
u64 gomem_range_nr_blocks(const struct gomem_range *r);
int gomem_range_walk(const struct gomem_range *r,
		     int (*fn)(void *arg, u64 offset, u64 len), void *arg);
int gomem_range_walk_from(const struct gomem_range *r, u64 from,
			  int (*fn)(void *arg, u64 offset, u64 len),
			  void *arg);
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

/*
 * Inline fast paths.  While no tree block exists (the space has not
 * fragmented), every byte below the top block is allocated and the top is
 * the only free block, so with the granule's alignment an allocation is
 * the front of the top and a free that ends at the top joins it: a few
 * compares, no call.  Everything else, including every error, goes to the
 * out-of-line __gomem_range_*() in gomem_core.c, which handle these cases
 * the same way.
 */
static inline bool gomem_range_fast(const struct gomem_range *r, u64 align)
{
	return !r->root[0] && gomem_is_pow2(align) && align <= r->granule;
}

/**
 * gomem_range_alloc() - allocate a range
 * @r: allocator
 * @size: bytes wanted, rounded up to the granule
 * @align: alignment of the returned offset, a power of two no larger than
 *         PAGE_SIZE (the granule is the minimum); relative to offset 0
 * @offset: set to the start of the allocated range on success
 *
 * The treap policy returns the lowest offset that fits, the avl policy the
 * lowest offset in the smallest free block that fits.  The call fails only
 * when no free block can hold the request.
 *
 * Context: the caller serialises calls on @r.  May sleep only if the
 * allocator's gfp allows it (a node is needed when a block is split and
 * the spare list is empty).
 * Return: 0; -EINVAL for a zero or oversized @size or a bad @align;
 * -ENOMEM if nothing fits or no node could be had.  On error nothing
 * changed.
 */
static inline int gomem_range_alloc(struct gomem_range *r, u64 size,
				    u64 align, u64 *offset)
{
	/* "size - 1 <" sends a zero size on to the checks out of line. */
	if (gomem_range_fast(r, align) && size - 1 < r->size - r->top) {
		*offset = r->top;
		size = ALIGN(size, r->granule);
		r->top += size;
		r->free_bytes -= size;
		return 0;
	}
	return __gomem_range_alloc(r, size, align, offset);
}

/**
 * gomem_range_free() - return a range to the allocator
 * @r: allocator
 * @offset: start of the range, a multiple of the granule
 * @size: length in bytes, rounded up to the granule
 *
 * Any allocated range may be freed: a whole allocation, its head, tail or
 * middle, or a span of several adjacent allocations.  The freed range is
 * coalesced with free neighbours.
 *
 * Context: the caller serialises calls on @r.  May sleep only if the
 * allocator's gfp allows it (a node is needed when the range touches no
 * free block and the spare list is empty).
 * Return: 0; -EINVAL if @size is zero, @offset is not granule-aligned, the
 * range runs past the end or any byte of it is already free; -ENOMEM if
 * no node could be had.  On error nothing changed.
 */
static inline int gomem_range_free(struct gomem_range *r, u64 offset,
				   u64 size)
{
	if (!r->root[0] && offset < r->top && size &&
	    IS_ALIGNED(offset, r->granule) &&
	    ALIGN(size, r->granule) == r->top - offset) {
		r->top = offset;
		r->free_bytes += ALIGN(size, r->granule);
		return 0;
	}
	return __gomem_range_free(r, offset, size);
}

/**
 * gomem_range_find() - where would an allocation go, without allocating
 * @r: allocator
 * @size: bytes, as for gomem_range_alloc()
 * @align: alignment, as for gomem_range_alloc()
 * @offset: set to the offset gomem_range_alloc() would return now
 *
 * Context: any context; does not sleep.  The answer holds only until the
 * next change to @r.
 * Return: 0, or the error gomem_range_alloc() would return (-EINVAL for
 * bad arguments, -ENOMEM if nothing fits).
 */
static inline int gomem_range_find(const struct gomem_range *r, u64 size,
				   u64 align, u64 *offset)
{
	if (gomem_range_fast(r, align) && size - 1 < r->size - r->top) {
		*offset = r->top;
		return 0;
	}
	return __gomem_range_find(r, size, align, offset);
}

/**
 * gomem_range_keep_more() - gomem_range_keep(@r, kept + 1), inline
 * @r: allocator
 *
 * The arena's reservation of one node per region (docs/arena.md) on
 * every allocation: most calls find the node at hand already.
 *
 * Context: as gomem_range_keep().
 * Return: as gomem_range_keep().
 */
static inline int gomem_range_keep_more(struct gomem_range *r)
{
	if (r->nr_blocks + r->nr_spare > r->keep) {
		r->keep++;
		return 0;
	}
	return gomem_range_keep(r, r->keep + 1);
}

/**
 * gomem_range_keep_less() - the floor of gomem_range_keep() one lower,
 * inline
 * @r: allocator
 *
 * The other half of gomem_range_keep_more(), when a piece goes: the floor
 * drops by one, or to zero once the whole space is free (a caller that
 * freed several pieces in one call counted more than it holds).
 *
 * Context: as gomem_range_keep().  Cannot fail: lowering the floor only
 * gives spare nodes back.
 */
static inline void gomem_range_keep_less(struct gomem_range *r)
{
	u64 nr = r->free_bytes == r->size ? 0 : r->keep - !!r->keep;

	if (r->nr_spare <= GOMEM_RANGE_SPARE_MAX) {
		r->keep = nr;
		return;
	}
	(void)gomem_range_keep(r, nr);	/* lowering: cannot fail */
}

/**
 * gomem_range_largest() - length of the longest free block
 * @r: allocator
 *
 * Context: any context.  O(1).
 * Return: the longest free block's length, 0 if the space is full.
 */
static inline u64 gomem_range_largest(const struct gomem_range *r)
{
	if (!r->root[0])
		return r->size - r->top;
	return __gomem_range_largest(r);
}

/* Module lifetime: the node cache behind every allocator. */
int gomem_range_cache_init(void);
void gomem_range_cache_exit(void);

#endif /* _GOMEM_RANGE_H */
