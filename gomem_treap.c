// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem treap policy (GoMem's "single tree"): lowest-offset fit.
 *
 * One treap holds the free blocks: a binary search tree by start offset
 * that is also a max-heap by random priority, which keeps its expected
 * depth logarithmic.  Each node is augmented with the largest block length
 * in its subtree (like the free vmap area tree in mm/vmalloc.c), so that a
 * search can skip every subtree too small for the request and find the
 * lowest-offset block that fits, instead of GoMem's heuristic walk that
 * can miss one.
 *
 * Invariants (checked by gomem_treap_check()):
 *  - in-order traversal gives strictly increasing starts;
 *  - a parent's priority is >= each child's;
 *  - each node's max is max(len, left max, right max).
 * The block-level invariants (no overlap, no two blocks touching, totals)
 * are checked by the core.
 *
 * Recursion depth is the depth of a node, O(log n) expected.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/printk.h>

#include "gomem_range_internal.h"

static u64 treap_max(const struct gomem_node *n)
{
	return n ? n->treap.max : 0;
}

static void treap_update(struct gomem_node *n)
{
	n->treap.max = max3(n->len, treap_max(n->off.child[0]),
			    treap_max(n->off.child[1]));
}

/* Lift n's child on side @dir into n's place. */
static struct gomem_node *treap_rotate(struct gomem_node *n, int dir)
{
	struct gomem_node *c = n->off.child[dir];

	n->off.child[dir] = c->off.child[!dir];
	c->off.child[!dir] = n;
	treap_update(n);
	treap_update(c);
	return c;
}

static struct gomem_node *treap_insert(struct gomem_node *root,
				       struct gomem_node *n)
{
	int dir;

	if (!root)
		return n;
	dir = n->start > root->start;
	root->off.child[dir] = treap_insert(root->off.child[dir], n);
	if (root->off.child[dir]->treap.prio > root->treap.prio)
		return treap_rotate(root, dir);
	treap_update(root);
	return root;
}

/* Merge two treaps where every start in @l precedes every start in @r. */
static struct gomem_node *treap_join(struct gomem_node *l,
				     struct gomem_node *r)
{
	if (!l)
		return r;
	if (!r)
		return l;
	if (l->treap.prio > r->treap.prio) {
		l->off.child[1] = treap_join(l->off.child[1], r);
		treap_update(l);
		return l;
	}
	r->off.child[0] = treap_join(l, r->off.child[0]);
	treap_update(r);
	return r;
}

static struct gomem_node *treap_remove(struct gomem_node *root, u64 start)
{
	int dir;

	if (root->start == start)
		return treap_join(root->off.child[0], root->off.child[1]);
	dir = start > root->start;
	root->off.child[dir] = treap_remove(root->off.child[dir], start);
	treap_update(root);
	return root;
}

/* Recompute the maxima on the path to the node starting at @start. */
static void treap_refresh(struct gomem_node *root, u64 start)
{
	if (root->start != start)
		treap_refresh(root->off.child[start > root->start], start);
	treap_update(root);
}

static void treap_add(struct gomem_range *r, struct gomem_node *n, u64 start,
		      u64 len)
{
	n->start = start;
	n->len = len;
	n->off.child[0] = NULL;
	n->off.child[1] = NULL;
	n->treap.max = len;
	n->treap.prio = gomem_range_random(r);
	r->root[0] = treap_insert(r->root[0], n);
}

/*
 * In-order search pruned by the subtree maxima.  When @align is the
 * granule, every block of at least @size fits, so the first subtree whose
 * max is large enough holds the answer and no backtracking happens.  A
 * larger alignment can reject a long-enough block; the search then moves on
 * to the next candidate in offset order, so it never misses a fit.
 */
static struct gomem_node *treap_lowest(struct gomem_node *n, u64 size,
				       u64 align, u64 *offset)
{
	struct gomem_node *hit;

	if (!n || n->treap.max < size)
		return NULL;
	hit = treap_lowest(n->off.child[0], size, align, offset);
	if (hit)
		return hit;
	if (n->len >= size && gomem_block_fits(n, size, align, offset))
		return n;
	return treap_lowest(n->off.child[1], size, align, offset);
}

struct gomem_node *gomem_treap_find(const struct gomem_range *r, u64 size,
				    u64 align, u64 *offset)
{
	return treap_lowest(r->root[0], size, align, offset);
}

/*
 * Carve [offset, offset + size) out of block n = [s, e):
 *
 *   |<- head ->|<-- size -->|<- tail ->|
 *   s        offset                     e
 *
 * A block that shrinks from the front keeps its place in the tree: the
 * bytes it no longer covers are allocated, so no other block lies between
 * its old and its new start.
 */
void gomem_treap_take(struct gomem_range *r, struct gomem_node *n,
		      u64 offset, u64 size)
{
	u64 head = offset - n->start;
	u64 tail = n->len - head - size;

	if (!head && !tail) {
		r->root[0] = treap_remove(r->root[0], n->start);
		gomem_node_put(r, n);
	} else if (!head) {
		n->start = offset + size;
		n->len = tail;
		treap_refresh(r->root[0], n->start);
	} else {
		n->len = head;
		treap_refresh(r->root[0], n->start);
		if (tail)
			treap_add(r, gomem_node_get(r), offset + size, tail);
	}
}

void gomem_treap_give(struct gomem_range *r, u64 offset, u64 size,
		      struct gomem_node *pred, struct gomem_node *succ)
{
	u64 end = offset + size;
	bool merge_pred, merge_succ;

	merge_pred = pred && pred->start + pred->len == offset;
	merge_succ = succ && succ->start == end;
	if (merge_pred && merge_succ) {
		pred->len += size + succ->len;
		r->root[0] = treap_remove(r->root[0], succ->start);
		gomem_node_put(r, succ);
		treap_refresh(r->root[0], pred->start);
	} else if (merge_pred) {
		pred->len += size;
		treap_refresh(r->root[0], pred->start);
	} else if (merge_succ) {
		/* Grows to the front; its place in the order is unchanged. */
		succ->start = offset;
		succ->len += size;
		treap_refresh(r->root[0], succ->start);
	} else {
		treap_add(r, gomem_node_get(r), offset, size);
	}
}

void gomem_treap_insert(struct gomem_range *r, struct gomem_node *n)
{
	treap_add(r, n, n->start, n->len);
}

u64 gomem_treap_largest(const struct gomem_range *r)
{
	return treap_max(r->root[0]);
}

/* Starts in @n's subtree must lie strictly between *@lo and *@hi (if set). */
static int treap_check_subtree(const struct gomem_node *n, const u64 *lo,
			       const u64 *hi)
{
	const struct gomem_node *c;
	u64 want;
	int dir, err;

	if (!n)
		return 0;
	if ((lo && n->start <= *lo) || (hi && n->start >= *hi)) {
		pr_err("invariant broken: treap node %llu out of search order\n",
		       n->start);
		return -EUCLEAN;
	}
	for (dir = 0; dir < 2; dir++) {
		c = n->off.child[dir];
		if (c && c->treap.prio > n->treap.prio) {
			pr_err("invariant broken: treap node %llu has priority %u above its parent's %u\n",
			       c->start, c->treap.prio, n->treap.prio);
			return -EUCLEAN;
		}
	}
	want = max3(n->len, treap_max(n->off.child[0]),
		    treap_max(n->off.child[1]));
	if (n->treap.max != want) {
		pr_err("invariant broken: treap node %llu max %llu, subtree max %llu\n",
		       n->start, n->treap.max, want);
		return -EUCLEAN;
	}
	err = treap_check_subtree(n->off.child[0], lo, &n->start);
	if (err)
		return err;
	return treap_check_subtree(n->off.child[1], &n->start, hi);
}

int gomem_treap_check(const struct gomem_range *r)
{
	return treap_check_subtree(r->root[0], NULL, NULL);
}
