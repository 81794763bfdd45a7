/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Private to the range allocators (gomem_core.c, gomem_treap.c, gomem_avl.c).
 */
#ifndef _GOMEM_RANGE_INTERNAL_H
#define _GOMEM_RANGE_INTERNAL_H

#include <linux/align.h>

#include "gomem_range.h"

/**
 * struct gomem_link - a node's place in one binary tree
 * @child: left (0) and right (1) subtrees
 * @height: AVL height, 1 + the larger child height (a missing child counts
 *          0); unused by the treap
 */
struct gomem_link {
	struct gomem_node *child[2];
	int height;
};

/**
 * struct gomem_node - one free block [@start, @start + @len)
 * @start: offset of the block, a multiple of the granule
 * @len: length of the block, a non-zero multiple of the granule
 * @off: place in the tree ordered by @start: the treap itself, or the avl
 *       policy's offset tree.  The core walks this tree for both policies
 *       (neighbour lookup, walk, drain).
 * @next: link in the allocator's spare list while the node is unused
 * @treap: treap augmentation (%GOMEM_POLICY_TREAP)
 * @treap.cmax: largest @len in the left (0) and right (1) subtree, 0 if
 *              that subtree is empty
 * @treap.prio: random priority; a parent's is >= its children's
 * @size: place in the avl policy's tree ordered by (@len, @start)
 *
 * Nodes are allocated from a kmem_cache, never from the managed space.
 */
struct gomem_node {
	u64 start;
	u64 len;
	struct gomem_link off;
	union {
		struct gomem_node *next;
		struct {
			u64 cmax[2];
			u32 prio;
		} treap;
		struct gomem_link size;
	};
};

/*
 * What a placement policy implements; gomem_core.c calls the one matching
 * r->policy directly (no function pointers: indirect calls cost a
 * retpoline each in the kernel).
 *
 * find: locate the placement of @size bytes aligned to @align (both
 *       already rounded to the granule); return the free block holding it
 *       and set *@offset, or return NULL when nothing fits.
 * take: remove [@offset, @offset + @size) from free block @n; the core
 *       guarantees one spare node if the block is split in two.
 * give: return [@offset, @offset + @size), which lies between @pred and
 *       @succ (its neighbours in offset order, or NULL) and overlaps
 *       neither, to free space, coalescing with the ones it touches; the
 *       core guarantees one spare node if it touches neither.
 * insert: add a detached node as a free block (no coalescing).
 * largest: length of the longest free block, 0 if none.
 * check: verify the policy's structural invariants; -EUCLEAN if broken.
 */
/*
 * Ancestors a treap removal remembers on its way down, to fix their maxima
 * bottom up; below that depth (rare: the expected depth is about 2 ln n)
 * it recomputes the whole path from the root.
 */
#define GOMEM_TREAP_PATH	40

struct gomem_node *gomem_treap_find(const struct gomem_range *r, u64 size,
				    u64 align, u64 *offset);
void gomem_treap_take(struct gomem_range *r, struct gomem_node *n, u64 offset,
		      u64 size);
void gomem_treap_give(struct gomem_range *r, u64 offset, u64 size,
		      struct gomem_node *pred, struct gomem_node *succ);
void gomem_treap_insert(struct gomem_range *r, struct gomem_node *n);
u64 gomem_treap_largest(const struct gomem_range *r);
int gomem_treap_check(const struct gomem_range *r);

struct gomem_node *gomem_avl_find(const struct gomem_range *r, u64 size,
				  u64 align, u64 *offset);
void gomem_avl_take(struct gomem_range *r, struct gomem_node *n, u64 offset,
		    u64 size);
void gomem_avl_give(struct gomem_range *r, u64 offset, u64 size,
		    struct gomem_node *pred, struct gomem_node *succ);
void gomem_avl_insert(struct gomem_range *r, struct gomem_node *n);
u64 gomem_avl_largest(const struct gomem_range *r);
int gomem_avl_check(const struct gomem_range *r);

struct gomem_node *gomem_node_get(struct gomem_range *r);
void gomem_node_put(struct gomem_range *r, struct gomem_node *n);
u32 gomem_range_random(struct gomem_range *r);

/**
 * gomem_block_fits() - place @size bytes aligned to @align in a block
 * @n: free block
 * @size: request, a multiple of the granule
 * @align: power of two, at least the granule
 * @offset: set to the lowest aligned placement inside @n on success
 *
 * Return: true if [*@offset, *@offset + @size) lies inside @n.
 */
static inline bool gomem_block_fits(const struct gomem_node *n, u64 size,
				    u64 align, u64 *offset)
{
	u64 p = ALIGN(n->start, align);
	u64 pad = p - n->start;

	if (pad > n->len || n->len - pad < size)
		return false;
	*offset = p;
	return true;
}

#endif /* _GOMEM_RANGE_INTERNAL_H */
