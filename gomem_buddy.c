// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem buddy allocator: blocks of 2^k units, aligned to their size, out of
 * a pool of 2^order units, with GoMem's "longest free run" array.
 *
 * The pool is the implicit complete binary tree of include/gomem_buddy.h:
 * node 0 is the whole pool (order @order), the children of node i are its
 * two halves at 2i + 1 and 2i + 2, and the 2^order leaves, from index
 * 2^order - 1 on, are the units.  longest[i] of a node of order k is
 *
 *   k + 1    the node is wholly free ("full");
 *   0        the node is an allocated block, or both halves are 0;
 *   m + 1    otherwise: m is the order of the longest free run below.
 *
 * Invariants (gomem_buddy_check() verifies exactly these):
 *  1. A leaf holds 0 (allocated, as a block of one unit) or 1 (free); no
 *     node of order k holds more than k + 1.
 *  2. A node whose halves are both full holds k + 1 (free: buddies are
 *     always merged) or 0 (an allocated block of order k).
 *  3. Any other node holds the larger of its halves' values.
 *  4. Every node below an allocated block holds its full value, as it did
 *     when the block was taken; so no block is nested inside another (by 2
 *     and 3, a 0 whose halves are not both full must have halves 0).
 *  5. @free_units is the number of units in no allocated block.
 *
 * Rule 4 is what lets a free find its block without any other record: the
 * first 0 on the way up from a unit's leaf is the block holding that unit,
 * and a free unit has none.  It costs nothing to keep: a block is taken
 * only when it is wholly free, and its subtree is left as it was.
 *
 * Allocation descends from the root towards the left half whenever the
 * left half holds a long enough run, so it returns the lowest-index free
 * block of the wanted order.  Allocation, free and block lookup are O(order)
 * = O(log n) and never allocate memory; the checker is O(n).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include "gomem_buddy.h"

static u64 gomem_buddy_parent(u64 node)
{
	return (node - 1) / 2;
}

/* Index of the first node of order @k: the tree's level order - @k. */
static u64 gomem_buddy_level(const struct gomem_buddy *b, unsigned int k)
{
	return (1ULL << (b->order - k)) - 1;
}

/* What a node of order @k >= 1 holds, given its halves' values. */
static u8 gomem_buddy_merge(u8 left, u8 right, unsigned int k)
{
	/* A half of order k - 1 is full when it holds k. */
	if (left == k && right == k)
		return k + 1;
	return max(left, right);
}

/*
 * Recompute the ancestors of @node (of order @k) after it changed to @v.
 * The new value climbs in a register and each step reads only the
 * sibling, which this update never writes: no step waits for the store
 * of the step before it, which reading both halves back would.
 */
static void gomem_buddy_update(struct gomem_buddy *b, u64 node,
			       unsigned int k, u8 v)
{
	u8 *longest = b->longest;
	u8 sib;

	while (node) {
		/* The children of i are 2i + 1 (odd) and 2i + 2 (even). */
		sib = longest[node & 1 ? node + 1 : node - 1];
		node = gomem_buddy_parent(node);
		k++;
		v = gomem_buddy_merge(v, sib, k);
		/* An unchanged node leaves everything above it unchanged. */
		if (longest[node] == v)
			break;
		longest[node] = v;
	}
}

/*
 * The allocated block that starts at @unit: its node and order.  False if
 * @unit is out of range, free, or inside a block that starts elsewhere.
 */
static bool gomem_buddy_find_block(const struct gomem_buddy *b, u64 unit,
				   u64 *node, unsigned int *order)
{
	unsigned int k = 0;
	u64 i;

	if (unit >= gomem_buddy_size(b))
		return false;
	/* Invariant 4: the first 0 above the leaf is the block, if any. */
	i = gomem_buddy_level(b, 0) + unit;
	while (b->longest[i]) {
		/*
		 * A block of order k + 1 or more starts at @unit only if
		 * @unit is a multiple of 2^(k + 1); at the root, no block
		 * holds @unit: it is free.
		 */
		if (k == b->order || unit & (1ULL << k))
			return false;
		i = gomem_buddy_parent(i);
		k++;
	}
	*node = i;
	*order = k;
	return true;
}

/**
 * gomem_buddy_init() - set up a buddy allocator over 2^@order units
 * @b: allocator to initialise (caller-owned memory)
 * @order: log2 of the pool size in units, at most %GOMEM_BUDDY_MAX_ORDER
 * @gfp: allocation flags for the metadata (2^(@order + 1) - 1 bytes,
 *       kvmalloc'd: vmalloc backs it if kmalloc cannot, when @gfp allows)
 *
 * Afterwards every unit is free.  This is the only call that allocates.
 *
 * Context: may sleep if @gfp allows it.
 * Return: 0; -EINVAL if @order is above %GOMEM_BUDDY_MAX_ORDER; -ENOMEM if
 * the metadata could not be allocated.  On error @b is left as it was.
 */
int gomem_buddy_init(struct gomem_buddy *b, unsigned int order, gfp_t gfp)
{
	unsigned int d;
	u8 *longest;
	u64 i;

	if (order > GOMEM_BUDDY_MAX_ORDER)
		return -EINVAL;
	longest = kvcalloc((2ULL << order) - 1, sizeof(*longest), gfp);
	if (!longest)
		return -ENOMEM;
	/* Level d holds the 2^d nodes of order - d, each wholly free. */
	for (d = 0; d <= order; d++)
		for (i = (1ULL << d) - 1; i < (2ULL << d) - 1; i++)
			longest[i] = order - d + 1;
	*b = (struct gomem_buddy) {
		.order = order,
		.free_units = 1ULL << order,
		.longest = longest,
	};
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_buddy_init);

/**
 * gomem_buddy_destroy() - release an allocator's metadata
 * @b: allocator set up by gomem_buddy_init()
 *
 * Blocks still allocated need not be freed first: the allocator holds no
 * record of them beyond its metadata.  @b must be initialised again before
 * reuse.
 *
 * Context: may sleep (the metadata may be vmalloc'd).
 */
void gomem_buddy_destroy(struct gomem_buddy *b)
{
	kvfree(b->longest);
	b->longest = NULL;
	b->free_units = 0;
}
EXPORT_SYMBOL_GPL(gomem_buddy_destroy);

/**
 * gomem_buddy_alloc() - allocate a block of at least @nr units
 * @b: allocator
 * @nr: units wanted, rounded up to a power of two
 * @unit: set to the block's first unit on success
 *
 * The block is aligned to its size (a multiple of the rounded @nr), and it
 * is the lowest-index free block of that size: allocation never splits a
 * larger free block while a smaller one fits, never skips a lower one, and
 * fails only when no free run of that size exists.  O(log n).
 *
 * Context: any context; never sleeps and never allocates memory.  The
 * caller serialises calls on @b.
 * Return: 0; -EINVAL if @nr is 0 or larger than the pool; -ENOMEM if no
 * free run of the rounded size exists.  On error nothing changed.
 */
int gomem_buddy_alloc(struct gomem_buddy *b, u64 nr, u64 *unit)
{
	unsigned int k, j;
	u64 i = 0;

	if (!nr || nr > gomem_buddy_size(b))
		return -EINVAL;
	k = nr > 1 ? ilog2(nr - 1) + 1 : 0;
	if (b->longest[0] < k + 1)
		return -ENOMEM;
	/* Left whenever the left half has a run of order k: lowest index. */
	for (j = b->order; j > k; j--) {
		i = 2 * i + 1;
		if (b->longest[i] < k + 1)
			i++;
	}
	b->longest[i] = 0;
	b->free_units -= 1ULL << k;
	gomem_buddy_update(b, i, k, 0);
	*unit = (i - gomem_buddy_level(b, k)) << k;
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_buddy_alloc);

/**
 * gomem_buddy_free() - return an allocated block
 * @b: allocator
 * @unit: the first unit of a block returned by gomem_buddy_alloc()
 *
 * The whole block is freed, and merged with its buddy (and so on up) when
 * the buddy is free too.  O(log n).
 *
 * Context: any context; never sleeps and never allocates memory.  The
 * caller serialises calls on @b.
 * Return: 0; -EINVAL if @unit is not the first unit of an allocated block:
 * out of the pool, a free unit (which includes a double free), or a unit
 * inside a block that starts elsewhere.  On error nothing changed.
 */
int gomem_buddy_free(struct gomem_buddy *b, u64 unit)
{
	unsigned int k;
	u64 i;

	if (!gomem_buddy_find_block(b, unit, &i, &k))
		return -EINVAL;
	b->longest[i] = k + 1;
	b->free_units += 1ULL << k;
	gomem_buddy_update(b, i, k, k + 1);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_buddy_free);

/**
 * gomem_buddy_block_units() - size of the allocated block at @unit
 * @b: allocator
 * @unit: a unit index
 *
 * Context: any context; never sleeps.  O(log n).
 * Return: the number of units of the allocated block that starts at @unit,
 * or 0 if no allocated block starts there (out of the pool, a free unit,
 * or a unit inside a block).
 */
u64 gomem_buddy_block_units(const struct gomem_buddy *b, u64 unit)
{
	unsigned int k;
	u64 i;

	if (!gomem_buddy_find_block(b, unit, &i, &k))
		return 0;
	return 1ULL << k;
}
EXPORT_SYMBOL_GPL(gomem_buddy_block_units);

/**
 * gomem_buddy_size() - size of the pool
 * @b: allocator
 *
 * Context: any context.
 * Return: 2^order, the number of units in the pool.
 */
u64 gomem_buddy_size(const struct gomem_buddy *b)
{
	return 1ULL << b->order;
}
EXPORT_SYMBOL_GPL(gomem_buddy_size);

/**
 * gomem_buddy_free_units() - units not in any allocated block
 * @b: allocator
 *
 * Context: any context.
 * Return: the number of free units.
 */
u64 gomem_buddy_free_units(const struct gomem_buddy *b)
{
	return b->free_units;
}
EXPORT_SYMBOL_GPL(gomem_buddy_free_units);

/**
 * gomem_buddy_largest() - the largest block an allocation can get now
 * @b: allocator
 *
 * Context: any context.  O(1).
 * Return: the size in units of the largest free block (the largest @nr
 * for which gomem_buddy_alloc() succeeds), 0 if no unit is free.
 */
u64 gomem_buddy_largest(const struct gomem_buddy *b)
{
	u8 v = b->longest[0];

	return v ? 1ULL << (v - 1) : 0;
}
EXPORT_SYMBOL_GPL(gomem_buddy_largest);

#define gomem_buddy_broken(fmt, ...) \
	({ pr_err("buddy invariant broken: " fmt "\n", ##__VA_ARGS__); -EUCLEAN; })

/* Which of rules 1-4 node @i, of order @k, breaks; NULL if none. */
static const char *gomem_buddy_bad_node(const struct gomem_buddy *b, u64 i,
					unsigned int k)
{
	u8 v = b->longest[i], l, r;

	if (v > k + 1)
		return "more than a wholly free node holds";
	if (!k)
		return NULL;
	l = b->longest[2 * i + 1];
	r = b->longest[2 * i + 2];
	if (l == k && r == k) {
		if (v && v != k + 1)
			return "both halves are free: it must be free or an allocated block";
		return NULL;
	}
	if (!v && (l || r))
		return "an allocated block with a block nested inside it";
	if (v != max(l, r))
		return "not the larger of its halves' values";
	return NULL;
}

/**
 * gomem_buddy_check() - verify every invariant of an allocator
 * @b: allocator
 *
 * Checks each node against its halves (rules 1-4 at the top of this file)
 * and recounts the free units (rule 5).  O(n): for tests and debugging.
 *
 * Context: any context; does not sleep.  The caller serialises calls on @b.
 * Return: 0 if every invariant holds, else -EUCLEAN after a pr_err() naming
 * the broken one at the lowest node that breaks it.
 */
int gomem_buddy_check(const struct gomem_buddy *b)
{
	unsigned int d, k;
	const char *why;
	u64 i, end, free;
	u8 l, r;

	if (b->order > GOMEM_BUDDY_MAX_ORDER || !b->longest)
		return gomem_buddy_broken("no pool (order %u%s)", b->order,
					  b->longest ? "" : ", no metadata");
	/* The root is the only node that no parent counts. */
	free = b->longest[0] == b->order + 1 ? gomem_buddy_size(b) : 0;
	/* Bottom up, so that the first node reported is the lowest bad one. */
	for (d = b->order + 1; d-- > 0;) {
		k = b->order - d;
		end = (2ULL << d) - 1;
		for (i = (1ULL << d) - 1; i < end; i++) {
			why = gomem_buddy_bad_node(b, i, k);
			if (why)
				return gomem_buddy_broken("node %llu (order %u) holds %u: %s",
							  i, k, b->longest[i], why);
			if (!k)
				continue;
			l = b->longest[2 * i + 1];
			r = b->longest[2 * i + 2];
			/* Under a split node, each free half is a free run. */
			if (l == k && r != k)
				free += 1ULL << (k - 1);
			if (r == k && l != k)
				free += 1ULL << (k - 1);
		}
	}
	if (free != b->free_units)
		return gomem_buddy_broken("free_units is %llu, the tree holds %llu free units",
					  b->free_units, free);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_buddy_check);
