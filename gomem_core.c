// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem range allocator core: argument checking, node recycling, policy
 * dispatch and the policy-independent half of the invariant checker.
 *
 * The policies (gomem_treap.c, gomem_avl.c) only move nodes between trees;
 * everything a caller can get wrong is refused here, before a policy runs,
 * and every node an operation may need is obtained before anything changes,
 * so that each error leaves the allocator exactly as it was.
 *
 * The free block that ends the space, if any, is the "top" block
 * [r->top, r->size) and is never in a tree (dlmalloc's top chunk).  Every
 * tree block ends strictly before r->top.  Placement stays exact: for the
 * treap the top is the highest-offset block, so it is used only when no
 * tree block fits; for avl it is compared by length with the tree's best
 * fit.  A new space is one top block, so GoMem's workloads (alloc and free
 * on a mostly free space) never touch a tree, and a region freed next to
 * the top merges into it without a node.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <asm/page.h>

#include "gomem_range_internal.h"

static struct kmem_cache *gomem_node_cache;

/* Node accounting: a node taken from the spare list becomes a free block. */
struct gomem_node *gomem_node_get(struct gomem_range *r)
{
	struct gomem_node *n = r->spare;

	/* The core reserves before calling a policy; running dry is a bug. */
	if (WARN_ON_ONCE(!n))
		return NULL;
	r->spare = n->next;
	r->nr_spare--;
	r->nr_blocks++;
	return n;
}

/*
 * Keep @n as a spare, unless enough are spare already and the nodes left
 * still cover r->keep (@n is counted in neither nr_blocks nor nr_spare).
 */
static void gomem_node_recycle(struct gomem_range *r, struct gomem_node *n)
{
	if (r->nr_spare >= GOMEM_RANGE_SPARE_MAX &&
	    r->nr_blocks + r->nr_spare >= r->keep) {
		kmem_cache_free(gomem_node_cache, n);
		return;
	}
	n->next = r->spare;
	r->spare = n;
	r->nr_spare++;
}

void gomem_node_put(struct gomem_range *r, struct gomem_node *n)
{
	r->nr_blocks--;
	gomem_node_recycle(r, n);
}

/* xorshift32: treap priorities need to be cheap and spread, not secret. */
u32 gomem_range_random(struct gomem_range *r)
{
	u32 x = r->seed;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	r->seed = x;
	return x;
}

/*
 * Policy dispatch: a direct call chosen by r->policy, which init checked
 * is one of the two, rather than through a table of function pointers.
 */
static bool gomem_is_avl(const struct gomem_range *r)
{
	return r->policy == GOMEM_POLICY_AVL;
}

static void gomem_take(struct gomem_range *r, struct gomem_node *n,
		       u64 offset, u64 size)
{
	if (gomem_is_avl(r))
		gomem_avl_take(r, n, offset, size);
	else
		gomem_treap_take(r, n, offset, size);
}

static void gomem_give(struct gomem_range *r, u64 offset, u64 size,
		       struct gomem_node *pred, struct gomem_node *succ)
{
	if (gomem_is_avl(r))
		gomem_avl_give(r, offset, size, pred, succ);
	else
		gomem_treap_give(r, offset, size, pred, succ);
}

static void gomem_insert(struct gomem_range *r, struct gomem_node *n)
{
	if (gomem_is_avl(r))
		gomem_avl_insert(r, n);
	else
		gomem_treap_insert(r, n);
}

/* Where @size bytes aligned to @align would go in the top block. */
static bool gomem_top_fits(const struct gomem_range *r, u64 size, u64 align,
			   u64 *offset)
{
	u64 p = ALIGN(r->top, align);

	if (p > r->size || r->size - p < size)
		return false;
	*offset = p;
	return true;
}

/*
 * The placement of a request (size and align already rounded): in tree
 * block *@np, or in the top block if *@np is NULL.  The treap takes the
 * lowest offset, and the top lies above every tree block; avl takes the
 * shortest block, the top losing ties (its start is the highest).
 */
static int gomem_place(const struct gomem_range *r, u64 size, u64 align,
		       struct gomem_node **np, u64 *offset)
{
	struct gomem_node *n;
	u64 off;

	if (gomem_is_avl(r)) {
		n = gomem_avl_find(r, size, align, &off);
		if ((!n || r->size - r->top < n->len) &&
		    gomem_top_fits(r, size, align, offset)) {
			*np = NULL;
			return 0;
		}
	} else {
		n = gomem_treap_find(r, size, align, &off);
		if (!n && gomem_top_fits(r, size, align, offset)) {
			*np = NULL;
			return 0;
		}
	}
	if (!n)
		return -ENOMEM;
	*np = n;
	*offset = off;
	return 0;
}

static int gomem_spare_fill(struct gomem_range *r, unsigned int nr, gfp_t gfp)
{
	struct gomem_node *n;

	nr = min_t(unsigned int, nr, GOMEM_RANGE_SPARE_MAX);
	while (r->nr_spare < nr) {
		n = kmem_cache_alloc(gomem_node_cache, gfp);
		if (!n)
			return -ENOMEM;
		gomem_node_recycle(r, n);
	}
	return 0;
}

/* Give spare nodes back to the cache beyond what the allocator keeps. */
static void gomem_spare_trim(struct gomem_range *r)
{
	struct gomem_node *n;

	while (r->nr_spare > GOMEM_RANGE_SPARE_MAX &&
	       r->nr_blocks + r->nr_spare > r->keep) {
		n = r->spare;
		r->spare = n->next;
		r->nr_spare--;
		kmem_cache_free(gomem_node_cache, n);
	}
}

static void gomem_spare_release(struct gomem_range *r)
{
	struct gomem_node *n;

	while ((n = r->spare)) {
		r->spare = n->next;
		kmem_cache_free(gomem_node_cache, n);
	}
	r->nr_spare = 0;
}

/*
 * Both policies keep every free block in one tree ordered by start, linked
 * through node->off from root[0]: the treap itself, or avl's offset tree.
 * What needs only that order lives here.
 */

/* The last block starting at or before @offset, and the first after it. */
static void gomem_neighbours(const struct gomem_range *r, u64 offset,
			     struct gomem_node **pred, struct gomem_node **succ)
{
	struct gomem_node *n = r->root[0];

	*pred = NULL;
	*succ = NULL;
	while (n) {
		if (n->start <= offset) {
			*pred = n;
			n = n->off.child[1];
		} else {
			*succ = n;
			n = n->off.child[0];
		}
	}
}

static int gomem_walk_subtree(const struct gomem_node *n,
			      int (*fn)(void *arg, u64 offset, u64 len),
			      void *arg)
{
	int ret;

	if (!n)
		return 0;
	ret = gomem_walk_subtree(n->off.child[0], fn, arg);
	if (ret)
		return ret;
	ret = fn(arg, n->start, n->len);
	if (ret)
		return ret;
	return gomem_walk_subtree(n->off.child[1], fn, arg);
}

/* gomem_walk_subtree() of the blocks of @n's subtree starting at >= @from. */
static int gomem_walk_from_subtree(const struct gomem_node *n, u64 from,
				   int (*fn)(void *arg, u64 offset, u64 len),
				   void *arg)
{
	int ret;

	/* A block below @from has its whole left subtree below it too. */
	while (n && n->start < from)
		n = n->off.child[1];
	if (!n)
		return 0;
	ret = gomem_walk_from_subtree(n->off.child[0], from, fn, arg);
	if (ret)
		return ret;
	ret = fn(arg, n->start, n->len);
	if (ret)
		return ret;
	return gomem_walk_subtree(n->off.child[1], fn, arg);
}

static void gomem_drain_subtree(struct gomem_range *r, struct gomem_node *n,
				void (*put)(struct gomem_range *r,
					    struct gomem_node *n))
{
	struct gomem_node *left, *right;

	if (!n)
		return;
	left = n->off.child[0];
	right = n->off.child[1];
	put(r, n);
	gomem_drain_subtree(r, left, put);
	gomem_drain_subtree(r, right, put);
}

/* Detach every block, handing each node to @put. */
static void gomem_drain(struct gomem_range *r,
			void (*put)(struct gomem_range *r, struct gomem_node *n))
{
	struct gomem_node *root = r->root[0];

	r->root[0] = NULL;
	r->root[1] = NULL;
	r->size_max = NULL;
	gomem_drain_subtree(r, root, put);
}

/* Validate and round an allocation request; see docs/range-allocator.md. */
static int gomem_request(const struct gomem_range *r, u64 *size, u64 *align)
{
	if (!*size || *size > r->size)
		return -EINVAL;
	if (!gomem_valid_align(*align))
		return -EINVAL;
	/* r->size is a multiple of the granule, so this cannot overflow. */
	*size = ALIGN(*size, r->granule);
	*align = max(*align, r->granule);
	return 0;
}

/* Put the whole space back as one free block: the top block. */
static void gomem_range_fill(struct gomem_range *r)
{
	r->top = 0;
	r->free_bytes = r->size;
}

/**
 * gomem_range_init() - set up a range allocator over [0, @size)
 * @r: allocator to initialise (caller-owned memory)
 * @policy: %GOMEM_POLICY_TREAP (lowest-offset fit) or %GOMEM_POLICY_AVL
 *          (best fit)
 * @size: size of the space in bytes, a non-zero multiple of @granule
 * @granule: allocation unit, a power of two no larger than PAGE_SIZE
 * @gfp: flags for every tree node this allocator allocates from now on
 *
 * Afterwards the whole space is one free block.  Nothing is allocated
 * here: the first tree node is needed only when the space fragments.
 *
 * Context: any context.
 * Return: 0, or -EINVAL for a bad argument.
 */
int gomem_range_init(struct gomem_range *r, enum gomem_policy policy,
		     u64 size, u64 granule, gfp_t gfp)
{
	if (policy != GOMEM_POLICY_TREAP && policy != GOMEM_POLICY_AVL)
		return -EINVAL;
	if (!gomem_valid_align(granule))
		return -EINVAL;
	if (!size || !IS_ALIGNED(size, granule))
		return -EINVAL;

	*r = (struct gomem_range) {
		.policy = policy,
		.size = size,
		.granule = granule,
		.gfp = gfp,
		.seed = get_random_u32() | 1,
	};
	gomem_range_fill(r);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_range_init);

static void gomem_node_free(struct gomem_range *r, struct gomem_node *n)
{
	r->nr_blocks--;
	kmem_cache_free(gomem_node_cache, n);
}

/**
 * gomem_range_destroy() - release every node of an allocator
 * @r: allocator set up by gomem_range_init()
 *
 * Outstanding allocations need not be freed first: the allocator holds no
 * record of them.  @r must be initialised again before reuse.
 *
 * Context: any context; does not sleep.
 */
void gomem_range_destroy(struct gomem_range *r)
{
	gomem_drain(r, gomem_node_free);
	WARN_ON_ONCE(r->nr_blocks);
	gomem_spare_release(r);
	r->keep = 0;
	r->free_bytes = 0;
}
EXPORT_SYMBOL_GPL(gomem_range_destroy);

/**
 * __gomem_range_alloc() - gomem_range_alloc() past its inline fast path
 * @r: allocator
 * @size: bytes wanted
 * @align: alignment of the returned offset
 * @offset: set to the start of the allocated range on success
 *
 * Context: as gomem_range_alloc(), which callers use instead.
 * Return: as gomem_range_alloc().
 */
int __gomem_range_alloc(struct gomem_range *r, u64 size, u64 align,
			u64 *offset)
{
	struct gomem_node *n;
	u64 off;
	int err;

	err = gomem_request(r, &size, &align);
	if (err)
		return err;
	err = gomem_place(r, size, align, &n, &off);
	if (err)
		return err;
	if (!n) {
		/* From the top; an alignment gap below it becomes a block. */
		if (off != r->top) {
			err = gomem_spare_fill(r, 1, r->gfp);
			if (err)
				return err;
			n = gomem_node_get(r);
			n->start = r->top;
			n->len = off - r->top;
			gomem_insert(r, n);
		}
		r->top = off + size;
		r->free_bytes -= size;
		*offset = off;
		return 0;
	}
	/* A node is needed only if free space remains on both sides. */
	if (off != n->start && off + size != n->start + n->len) {
		err = gomem_spare_fill(r, 1, r->gfp);
		if (err)
			return err;
	}
	gomem_take(r, n, off, size);
	r->free_bytes -= size;
	*offset = off;
	return 0;
}
EXPORT_SYMBOL_GPL(__gomem_range_alloc);

/**
 * __gomem_range_free() - gomem_range_free() past its inline fast path
 * @r: allocator
 * @offset: start of the range
 * @size: length in bytes
 *
 * Context: as gomem_range_free(), which callers use instead.
 * Return: as gomem_range_free().
 */
int __gomem_range_free(struct gomem_range *r, u64 offset, u64 size)
{
	struct gomem_node *pred, *succ;
	u64 end;
	int err;

	if (!size || size > r->size || !IS_ALIGNED(offset, r->granule))
		return -EINVAL;
	size = ALIGN(size, r->granule);
	if (offset > r->size - size)
		return -EINVAL;
	end = offset + size;
	/* Overlaps the top block. */
	if (end > r->top)
		return -EINVAL;

	gomem_neighbours(r, offset, &pred, &succ);
	if (pred && pred->start + pred->len > offset)
		return -EINVAL;
	if (succ && succ->start < end)
		return -EINVAL;
	if (end == r->top) {
		/* Joins the top, with the tree block below if it touches. */
		r->top = offset;
		if (pred && pred->start + pred->len == offset) {
			r->top = pred->start;
			gomem_take(r, pred, pred->start, pred->len);
		}
		r->free_bytes += size;
		return 0;
	}
	/* A node is needed only if the range touches no free block. */
	if ((!pred || pred->start + pred->len != offset) &&
	    (!succ || succ->start != end)) {
		err = gomem_spare_fill(r, 1, r->gfp);
		if (err)
			return err;
	}
	gomem_give(r, offset, size, pred, succ);
	r->free_bytes += size;
	return 0;
}
EXPORT_SYMBOL_GPL(__gomem_range_free);

/**
 * __gomem_range_find() - gomem_range_find() past its inline fast path
 * @r: allocator
 * @size: bytes
 * @align: alignment
 * @offset: set to the offset gomem_range_alloc() would return now
 *
 * Context: as gomem_range_find(), which callers use instead.
 * Return: as gomem_range_find().
 */
int __gomem_range_find(const struct gomem_range *r, u64 size, u64 align,
		       u64 *offset)
{
	struct gomem_node *n;
	u64 off;
	int err;

	err = gomem_request(r, &size, &align);
	if (err)
		return err;
	err = gomem_place(r, size, align, &n, &off);
	if (err)
		return err;
	*offset = off;
	return 0;
}
EXPORT_SYMBOL_GPL(__gomem_range_find);

/**
 * gomem_range_reset() - free everything at once
 * @r: allocator
 *
 * Context: the caller serialises calls on @r.  Does not sleep.
 * Return: 0 (the int is kept for callers written when a reset could need
 * a node).
 */
int gomem_range_reset(struct gomem_range *r)
{
	gomem_drain(r, gomem_node_put);
	WARN_ON_ONCE(r->nr_blocks);
	gomem_range_fill(r);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_range_reset);

/**
 * gomem_range_reserve() - stock spare nodes ahead of time
 * @r: allocator
 * @nr: spare nodes wanted (at most %GOMEM_RANGE_SPARE_MAX are kept)
 * @gfp: allocation flags for this call
 *
 * Each alloc or free needs at most one new node.  A caller that uses the
 * allocator under a spinlock (with a non-sleeping gfp) can call this
 * before taking the lock, so that the operations under it do not fail.
 *
 * Context: the caller serialises calls on @r; may sleep if @gfp allows.
 * Return: 0, or -ENOMEM (the nodes obtained so far are kept).
 */
int gomem_range_reserve(struct gomem_range *r, unsigned int nr, gfp_t gfp)
{
	return gomem_spare_fill(r, nr, gfp);
}
EXPORT_SYMBOL_GPL(gomem_range_reserve);

/**
 * gomem_range_keep() - set how many nodes the allocator keeps at hand
 * @r: allocator
 * @nr: nodes to keep, in the trees or spare, whatever happens from now on
 *
 * A free needs a node only when it leaves a free block touching no other,
 * and the free blocks in the trees can never outnumber the allocated runs
 * between them.  So a caller that keeps @nr at least the number of
 * separately freeable pieces it holds (regions, one per allocation, one
 * more per split) can free any of them whole, or any head or tail of one,
 * without a node from the cache: such a free cannot fail with -ENOMEM.
 * Raising @nr allocates the missing nodes now (with the allocator's gfp);
 * lowering it gives spare nodes beyond %GOMEM_RANGE_SPARE_MAX back.
 * gomem_range_reset() leaves @nr as it is; gomem_range_destroy() drops it.
 *
 * Context: the caller serialises calls on @r; may sleep if the
 * allocator's gfp allows it.
 * Return: 0, or -ENOMEM with nothing changed.
 */
int gomem_range_keep(struct gomem_range *r, u64 nr)
{
	unsigned int got = 0;
	struct gomem_node *n;

	while (r->nr_blocks + r->nr_spare < nr) {
		n = kmem_cache_alloc(gomem_node_cache, r->gfp);
		if (!n) {
			/* Give back what this call took: nothing changed. */
			for (; got; got--) {
				n = r->spare;
				r->spare = n->next;
				r->nr_spare--;
				kmem_cache_free(gomem_node_cache, n);
			}
			return -ENOMEM;
		}
		n->next = r->spare;
		r->spare = n;
		r->nr_spare++;
		got++;
	}
	r->keep = nr;
	gomem_spare_trim(r);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_range_keep);

/**
 * gomem_range_kept() - the floor set by gomem_range_keep()
 * @r: allocator
 *
 * Context: any context.
 * Return: the number of nodes @r keeps at hand.
 */
u64 gomem_range_kept(const struct gomem_range *r)
{
	return r->keep;
}
EXPORT_SYMBOL_GPL(gomem_range_kept);

/**
 * gomem_range_free_bytes() - total free bytes
 * @r: allocator
 *
 * Context: any context.
 * Return: the sum of the lengths of all free blocks.
 */
u64 gomem_range_free_bytes(const struct gomem_range *r)
{
	return r->free_bytes;
}
EXPORT_SYMBOL_GPL(gomem_range_free_bytes);

/**
 * __gomem_range_largest() - gomem_range_largest() past its inline fast path
 * @r: allocator
 *
 * Context: as gomem_range_largest(), which callers use instead.
 * Return: as gomem_range_largest().
 */
u64 __gomem_range_largest(const struct gomem_range *r)
{
	u64 tree = gomem_is_avl(r) ? gomem_avl_largest(r) :
				     gomem_treap_largest(r);

	return max(tree, r->size - r->top);
}
EXPORT_SYMBOL_GPL(__gomem_range_largest);

/**
 * gomem_range_nr_blocks() - number of free blocks
 * @r: allocator
 *
 * Context: any context.
 * Return: how many separate free blocks there are.
 */
u64 gomem_range_nr_blocks(const struct gomem_range *r)
{
	return r->nr_blocks + (r->top < r->size);
}
EXPORT_SYMBOL_GPL(gomem_range_nr_blocks);

/**
 * gomem_range_walk() - visit every free block in increasing offset order
 * @r: allocator
 * @fn: called with @arg and each block's offset and length; a non-zero
 *      return stops the walk
 * @arg: passed to @fn
 *
 * Context: @fn must not change @r.  Does not sleep unless @fn does.
 * Return: the first non-zero value @fn returned, else 0.
 */
int gomem_range_walk(const struct gomem_range *r,
		     int (*fn)(void *arg, u64 offset, u64 len), void *arg)
{
	return gomem_range_walk_from(r, 0, fn, arg);
}
EXPORT_SYMBOL_GPL(gomem_range_walk);

/**
 * gomem_range_walk_from() - visit the free blocks from an offset on
 * @r: allocator
 * @from: the first block visited is the first starting at or after @from
 * @fn: called with @arg and each block's offset and length, in increasing
 *      offset order; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Lets a caller walk a fragmented space in pieces, letting go of its lock
 * in between: stop after some blocks, then resume from the end of the last
 * one seen.  Finding the first block costs O(log n) (treap: expected),
 * each further block O(1) amortised, for both policies.
 *
 * Context: @fn must not change @r.  Does not sleep unless @fn does.
 * Return: the first non-zero value @fn returned, else 0.
 */
int gomem_range_walk_from(const struct gomem_range *r, u64 from,
			  int (*fn)(void *arg, u64 offset, u64 len),
			  void *arg)
{
	int ret = gomem_walk_from_subtree(r->root[0], from, fn, arg);

	if (ret || r->top == r->size || r->top < from)
		return ret;
	return fn(arg, r->top, r->size - r->top);
}
EXPORT_SYMBOL_GPL(gomem_range_walk_from);

struct gomem_check_state {
	const struct gomem_range *r;
	u64 next_min;	/* lowest offset the next block may start at */
	u64 count;
	u64 total;
};

#define gomem_broken(fmt, ...) \
	({ pr_err("invariant broken: " fmt "\n", ##__VA_ARGS__); -EUCLEAN; })

static int gomem_check_block(void *arg, u64 offset, u64 len)
{
	struct gomem_check_state *st = arg;
	const struct gomem_range *r = st->r;

	if (!len)
		return gomem_broken("empty block at %llu", offset);
	if (!IS_ALIGNED(offset, r->granule) || !IS_ALIGNED(len, r->granule))
		return gomem_broken("block [%llu, +%llu) not granule-aligned",
				    offset, len);
	if (offset > r->size || len > r->size - offset)
		return gomem_broken("block [%llu, +%llu) outside [0, %llu)",
				    offset, len, r->size);
	if (st->count && offset < st->next_min)
		return gomem_broken("block at %llu overlaps or touches the one before",
				    offset);
	/* A free neighbour must have been coalesced: demand a used gap. */
	st->next_min = offset + len + 1;
	st->count++;
	st->total += len;
	return 0;
}

/**
 * gomem_range_check() - verify every invariant of an allocator
 * @r: allocator
 *
 * Checks the policy's tree structure (order, heap or AVL balance,
 * augmented maxima, both AVL trees holding the same nodes) and, walking the
 * blocks, that each is non-empty, granule-aligned and in bounds, that no
 * two blocks overlap or touch, and that the count and total match the
 * allocator's counters.  Meant for tests; O(n) for the treap, O(n log n)
 * for avl.
 *
 * Context: the caller serialises calls on @r.  Does not sleep.
 * Return: 0, or -EUCLEAN after logging the first broken invariant.
 */
int gomem_range_check(const struct gomem_range *r)
{
	struct gomem_check_state st = { .r = r };
	const struct gomem_node *n;
	unsigned int spare = 0;
	int err;

	err = gomem_is_avl(r) ? gomem_avl_check(r) : gomem_treap_check(r);
	if (err)
		return err;
	err = gomem_walk_subtree(r->root[0], gomem_check_block, &st);
	if (err)
		return err;
	if (st.count != r->nr_blocks)
		return gomem_broken("%llu blocks in the tree, counter says %llu",
				    st.count, r->nr_blocks);
	/* The free block that ends the space is the top, never a tree's. */
	if (r->top > r->size || (st.count && st.next_min > r->top))
		return gomem_broken("tree block ends at %llu, top block at %llu of %llu",
				    st.next_min - 1, r->top, r->size);
	if (r->top < r->size) {
		err = gomem_check_block(&st, r->top, r->size - r->top);
		if (err)
			return err;
	}
	if (st.total != r->free_bytes)
		return gomem_broken("%llu bytes free in the blocks, counter says %llu",
				    st.total, r->free_bytes);
	for (n = r->spare; n; n = n->next)
		spare++;
	if (spare != r->nr_spare)
		return gomem_broken("%u spare nodes listed, counter says %u",
				    spare, r->nr_spare);
	if (r->nr_blocks + spare < r->keep)
		return gomem_broken("%llu blocks and %u spare nodes, %llu kept",
				    r->nr_blocks, spare, r->keep);
	if (spare > GOMEM_RANGE_SPARE_MAX && r->nr_blocks + spare > r->keep)
		return gomem_broken("%u spare nodes, more than needed for %llu kept",
				    spare, r->keep);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_range_check);

/**
 * gomem_policy_name() - printable name of a policy
 * @policy: a policy
 *
 * Context: any context.
 * Return: "treap", "avl" or "unknown".
 */
const char *gomem_policy_name(enum gomem_policy policy)
{
	switch (policy) {
	case GOMEM_POLICY_TREAP:
		return "treap";
	case GOMEM_POLICY_AVL:
		return "avl";
	}
	return "unknown";
}
EXPORT_SYMBOL_GPL(gomem_policy_name);

/**
 * gomem_range_cache_init() - create the node cache every allocator uses
 *
 * Called once from module init, before any allocator is created.
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gomem_range_cache_init(void)
{
	/*
	 * SLAB_ACCOUNT: a node is charged to the memory cgroup of the task
	 * whose allocation or free needed it, so that the metadata a user
	 * causes counts against that user's limit.
	 */
	gomem_node_cache = kmem_cache_create("gomem_node",
					     sizeof(struct gomem_node), 0,
					     SLAB_ACCOUNT, NULL);
	return gomem_node_cache ? 0 : -ENOMEM;
}

/**
 * gomem_range_cache_exit() - destroy the node cache
 *
 * Called from module exit, after every allocator is destroyed.
 *
 * Context: process context; may sleep.
 */
void gomem_range_cache_exit(void)
{
	kmem_cache_destroy(gomem_node_cache);
}
