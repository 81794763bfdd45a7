// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem treap policy (GoMem's "single tree"): lowest-offset fit.
 *
 * One treap holds the free blocks: a binary search tree by start offset
 * that is also a max-heap by random priority, which keeps its expected
 * depth logarithmic.  Each node is augmented with the largest block length
 * in each of its two subtrees (the free vmap area tree in mm/vmalloc.c
 * keeps one such maximum per subtree; keeping it in the parent instead
 * lets a search choose its direction without loading either child), so a
 * search skips every subtree too small for the request and finds the
 * lowest-offset block that fits, instead of GoMem's heuristic walk that
 * can miss one.
 *
 * Invariants (checked by gomem_treap_check()):
 *  - in-order traversal gives strictly increasing starts;
 *  - a parent's priority is >= each child's;
 *  - each node's cmax[dir] is the largest len in its subtree on side dir
 *    (0 for an empty one).
 * The block-level invariants (no overlap, no two blocks touching, totals)
 * are checked by the core.
 *
 * Recursion depth is the depth of a node, O(log n) expected.  The hot
 * paths are loops: a search with the granule's alignment, a block growing
 * in place, an insertion (top down, splitting the small subtree it lands
 * on) and a removal (bottom up, stopping where the maxima stop changing).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/printk.h>

#include "gomem_range_internal.h"

/* Largest block length in the subtree rooted at @n, 0 if empty. */
static u64 treap_submax(const struct gomem_node *n)
{
	if (!n)
		return 0;
	return max3(n->len, n->treap.cmax[0], n->treap.cmax[1]);
}

/*
 * Split the subtree @t by @key into the nodes before it (*@l) and after it
 * (*@r), keeping every maximum.  Only the two spines that the key
 * separates are walked: for a new node's place, about two nodes expected
 * (as many as an insertion by rotations would rotate).
 */
static void treap_split(struct gomem_node *t, u64 key, struct gomem_node **l,
			struct gomem_node **r)
{
	if (!t) {
		*l = NULL;
		*r = NULL;
	} else if (t->start < key) {
		treap_split(t->off.child[1], key, &t->off.child[1], r);
		t->treap.cmax[1] = treap_submax(t->off.child[1]);
		*l = t;
	} else {
		treap_split(t->off.child[0], key, l, &t->off.child[0]);
		t->treap.cmax[0] = treap_submax(t->off.child[0]);
		*r = t;
	}
}

/*
 * Insert @n top down: walk while the nodes on the way outrank it, raising
 * their maxima towards it, then put @n in the place where it outranks the
 * node there, which it splits into its two children.
 */
static void treap_insert(struct gomem_range *r, struct gomem_node *n)
{
	struct gomem_node **link = &r->root[0], *p;
	int dir;

	while ((p = *link) && p->treap.prio >= n->treap.prio) {
		dir = n->start > p->start;
		if (p->treap.cmax[dir] < n->len)
			p->treap.cmax[dir] = n->len;
		link = &p->off.child[dir];
	}
	treap_split(p, n->start, &n->off.child[0], &n->off.child[1]);
	n->treap.cmax[0] = treap_submax(n->off.child[0]);
	n->treap.cmax[1] = treap_submax(n->off.child[1]);
	*link = n;
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
		l->treap.cmax[1] = treap_submax(l->off.child[1]);
		return l;
	}
	r->off.child[0] = treap_join(l, r->off.child[0]);
	r->treap.cmax[0] = treap_submax(r->off.child[0]);
	return r;
}

/*
 * Recompute the maxima on the path from @p towards @key, down to @stop
 * (a node on that path, or NULL for its end); returns @p's subtree
 * maximum.
 */
static u64 treap_refresh(struct gomem_node *p, u64 key,
			 const struct gomem_node *stop)
{
	int dir;

	if (p == stop)
		return treap_submax(p);
	dir = key > p->start;
	p->treap.cmax[dir] = treap_refresh(p->off.child[dir], key, stop);
	return treap_submax(p);
}

/*
 * Remove @n, a node of the tree: its two subtrees are joined in its place,
 * then the maxima are recomputed bottom up, stopping at the first that
 * does not change (nothing above it can).  Past GOMEM_TREAP_PATH ancestors the
 * whole path is recomputed from the root instead.
 */
static void treap_remove(struct gomem_range *r, struct gomem_node *n)
{
	struct gomem_node **link = &r->root[0], *path[GOMEM_TREAP_PATH], *p;
	unsigned int depth = 0;
	u64 sub;
	int dir;

	while ((p = *link) != n) {
		if (depth < GOMEM_TREAP_PATH)
			path[depth] = p;
		depth++;
		link = &p->off.child[n->start > p->start];
	}
	*link = treap_join(n->off.child[0], n->off.child[1]);
	if (depth > GOMEM_TREAP_PATH) {
		treap_refresh(r->root[0], n->start, *link);
		return;
	}
	sub = treap_submax(*link);
	while (depth--) {
		p = path[depth];
		dir = n->start > p->start;
		if (p->treap.cmax[dir] == sub)
			return;
		p->treap.cmax[dir] = sub;
		sub = treap_submax(p);
	}
}

/*
 * @n (already in the tree) got shorter; it was @old bytes long.  An
 * ancestor whose maximum on @n's side exceeds @old owes it to another
 * block and keeps it; from the first one whose maximum is @old down to
 * @n, every maximum on the path is @old and is recomputed.
 */
static void treap_shrunk(struct gomem_range *r, const struct gomem_node *n,
			 u64 old)
{
	struct gomem_node *p = r->root[0];
	int dir;

	while (p != n) {
		dir = n->start > p->start;
		if (p->treap.cmax[dir] <= old) {
			treap_refresh(p, n->start, n);
			return;
		}
		p = p->off.child[dir];
	}
}

/* @n (already in the tree) got longer: raise the maxima on its path. */
static void treap_grown(struct gomem_range *r, const struct gomem_node *n)
{
	struct gomem_node *p = r->root[0];
	int dir;

	while (p != n) {
		dir = n->start > p->start;
		if (p->treap.cmax[dir] < n->len)
			p->treap.cmax[dir] = n->len;
		p = p->off.child[dir];
	}
}

static void treap_add(struct gomem_range *r, struct gomem_node *n, u64 start,
		      u64 len)
{
	n->start = start;
	n->len = len;
	n->off.child[0] = NULL;
	n->off.child[1] = NULL;
	n->treap.cmax[0] = 0;
	n->treap.cmax[1] = 0;
	n->treap.prio = gomem_range_random(r);
	treap_insert(r, n);
}

/*
 * In-order search pruned by the subtree maxima, for an alignment above the
 * granule, which can reject a long-enough block: the search then moves on
 * to the next candidate in offset order, so it never misses a fit.
 */
static struct gomem_node *treap_lowest(struct gomem_node *n, u64 size,
				       u64 align, u64 *offset)
{
	struct gomem_node *hit;

	if (n->treap.cmax[0] >= size) {
		hit = treap_lowest(n->off.child[0], size, align, offset);
		if (hit)
			return hit;
	}
	if (n->len >= size && gomem_block_fits(n, size, align, offset))
		return n;
	if (n->treap.cmax[1] >= size)
		return treap_lowest(n->off.child[1], size, align, offset);
	return NULL;
}

struct gomem_node *gomem_treap_find(const struct gomem_range *r, u64 size,
				    u64 align, u64 *offset)
{
	struct gomem_node *n = r->root[0];

	if (treap_submax(n) < size)
		return NULL;
	if (align > r->granule)
		return treap_lowest(n, size, align, offset);
	/*
	 * With the granule's alignment every block of at least @size fits,
	 * so the first subtree (in offset order) whose maximum is large
	 * enough holds the answer: one walk down, no backtracking.
	 */
	for (;;) {
		if (n->treap.cmax[0] >= size) {
			n = n->off.child[0];
			continue;
		}
		if (n->len >= size) {
			*offset = n->start;
			return n;
		}
		n = n->off.child[1];
	}
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
	u64 old = n->len;

	if (!head && !tail) {
		treap_remove(r, n);
		gomem_node_put(r, n);
	} else if (!head) {
		n->start = offset + size;
		n->len = tail;
		treap_shrunk(r, n, old);
	} else {
		n->len = head;
		treap_shrunk(r, n, old);
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
		treap_remove(r, succ);
		gomem_node_put(r, succ);
		treap_grown(r, pred);
	} else if (merge_pred) {
		pred->len += size;
		treap_grown(r, pred);
	} else if (merge_succ) {
		/* Grows to the front; its place in the order is unchanged. */
		succ->start = offset;
		succ->len += size;
		treap_grown(r, succ);
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
	return treap_submax(r->root[0]);
}

/*
 * Starts in @n's subtree must lie strictly between *@lo and *@hi (if set).
 * Sets *@max to the subtree's largest length.
 */
static int treap_check_subtree(const struct gomem_node *n, const u64 *lo,
			       const u64 *hi, u64 *max)
{
	const struct gomem_node *c;
	u64 sub[2];
	int dir, err;

	*max = 0;
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
	err = treap_check_subtree(n->off.child[0], lo, &n->start, &sub[0]);
	if (err)
		return err;
	err = treap_check_subtree(n->off.child[1], &n->start, hi, &sub[1]);
	if (err)
		return err;
	for (dir = 0; dir < 2; dir++) {
		if (n->treap.cmax[dir] != sub[dir]) {
			pr_err("invariant broken: treap node %llu cmax[%d] %llu, subtree max %llu\n",
			       n->start, dir, n->treap.cmax[dir], sub[dir]);
			return -EUCLEAN;
		}
	}
	*max = max3(n->len, sub[0], sub[1]);
	return 0;
}

int gomem_treap_check(const struct gomem_range *r)
{
	u64 max;

	return treap_check_subtree(r->root[0], NULL, NULL, &max);
}
