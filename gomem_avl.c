// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem avl policy (GoMem's "two tree"): best fit.
 *
 * Every free block is one node linked into two AVL trees:
 *  - GOMEM_AVL_BY_OFFSET, ordered by start, to find a range's neighbours
 *    when it is freed and coalesce;
 *  - GOMEM_AVL_BY_SIZE, ordered by (len, start), to find the smallest block
 *    that fits, lowest start among equals.
 * Both are height-balanced, so every operation is O(log n) worst case.
 * Insertion and removal are loops that keep the path on the stack;
 * rebalancing stops climbing at the first subtree whose height did not
 * change, so only the nodes near a change load their other child.
 *
 * Invariants (checked by gomem_avl_check()): in each tree, in-order traversal is
 * strictly increasing in that tree's key, every height is 1 + the larger
 * child height, and the two child heights differ by at most one; both
 * trees hold exactly the same nodes.
 *
 * A node's key in the size tree changes whenever its length or start does,
 * so the node leaves that tree before the change and re-enters after it.
 * Its key in the offset tree changes only when a block grows or shrinks at
 * the front, which never moves it past another block: it stays in place.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/printk.h>

#include "gomem_range_internal.h"

/* The two trees a node is linked into. */
#define OFF	0
#define SZ	1

static int avl_cmp(int t, u64 alen, u64 astart, const struct gomem_node *b)
{
	if (t == SZ && alen != b->len)
		return alen < b->len ? -1 : 1;
	if (astart != b->start)
		return astart < b->start ? -1 : 1;
	return 0;
}

static struct gomem_link *avl_link(struct gomem_node *n, int t)
{
	return t == SZ ? &n->size : &n->off;
}

static const struct gomem_link *avl_clink(const struct gomem_node *n, int t)
{
	return t == SZ ? &n->size : &n->off;
}

static int avl_height(const struct gomem_node *n, int t)
{
	return n ? avl_clink(n, t)->height : 0;
}

static void avl_update(struct gomem_node *n, int t)
{
	struct gomem_link *l = avl_link(n, t);

	l->height = 1 + max(avl_height(l->child[0], t),
			    avl_height(l->child[1], t));
}

/* Lift n's child on side @dir into n's place. */
static struct gomem_node *avl_rotate(struct gomem_node *n, int t, int dir)
{
	struct gomem_node *c = avl_link(n, t)->child[dir];

	avl_link(n, t)->child[dir] = avl_link(c, t)->child[!dir];
	avl_link(c, t)->child[!dir] = n;
	avl_update(n, t);
	avl_update(c, t);
	return c;
}

static struct gomem_node *avl_balance(struct gomem_node *n, int t)
{
	struct gomem_link *l = avl_link(n, t);
	struct gomem_link *cl;
	int dir, skew;

	avl_update(n, t);
	skew = avl_height(l->child[1], t) - avl_height(l->child[0], t);
	if (skew >= -1 && skew <= 1)
		return n;
	dir = skew > 0;
	cl = avl_link(l->child[dir], t);
	/* Inner grandchild heavier: double rotation. */
	if (avl_height(cl->child[!dir], t) > avl_height(cl->child[dir], t))
		l->child[dir] = avl_rotate(l->child[dir], t, !dir);
	return avl_rotate(n, t, dir);
}

/*
 * Most links on a path from a root to a leaf.  An AVL tree of height h
 * holds at least F(h + 2) - 1 nodes (F: Fibonacci); height 66 would take
 * F(68) - 1 > 7 * 10^13 nodes of 64 bytes, more than 2^52 bytes, the most
 * physical memory a 64-bit machine can address.  So no path here is
 * longer, and the walks below keep it on the stack (a loop instead of
 * recursion, and rebalancing that stops where heights stop changing).
 */
#define AVL_PATH	66

/*
 * Rebalance bottom up along the links in @path[0 .. @depth), stopping at
 * the first subtree whose height the change did not alter.
 */
static void avl_rebalance(struct gomem_node **path[], unsigned int depth,
			  int t)
{
	struct gomem_node **link, *p;
	int h;

	while (depth--) {
		link = path[depth];
		p = *link;
		h = avl_link(p, t)->height;
		*link = avl_balance(p, t);
		if (avl_link(*link, t)->height == h)
			return;
	}
}

static void avl_insert(struct gomem_node **root, struct gomem_node *n, int t)
{
	struct gomem_node **path[AVL_PATH], **link = root, *p;
	struct gomem_link *l = avl_link(n, t);
	unsigned int depth = 0;

	while ((p = *link)) {
		path[depth++] = link;
		link = &avl_link(p, t)->child[avl_cmp(t, n->len, n->start, p) > 0];
	}
	l->child[0] = NULL;
	l->child[1] = NULL;
	l->height = 1;
	*link = n;
	avl_rebalance(path, depth, t);
}

/*
 * Unlink @n, which is in tree @t under its current key.  A node with two
 * children is replaced by its successor, the leftmost node of its right
 * subtree, whose own place is taken by its right child.
 */
static void avl_remove(struct gomem_node **root, struct gomem_node *n, int t)
{
	struct gomem_node **path[AVL_PATH], **link = root, **ml, *p, *min;
	struct gomem_link *nl = avl_link(n, t), *minl;
	unsigned int depth = 0, at;

	while ((p = *link) != n) {
		path[depth++] = link;
		link = &avl_link(p, t)->child[avl_cmp(t, n->len, n->start, p) > 0];
	}
	if (!nl->child[0] || !nl->child[1]) {
		*link = nl->child[0] ? nl->child[0] : nl->child[1];
		avl_rebalance(path, depth, t);
		return;
	}
	at = depth;
	path[depth++] = link;
	ml = &nl->child[1];
	while (avl_link(*ml, t)->child[0]) {
		path[depth++] = ml;
		ml = &avl_link(*ml, t)->child[0];
	}
	min = *ml;
	minl = avl_link(min, t);
	*ml = minl->child[1];
	minl->child[0] = nl->child[0];
	minl->child[1] = nl->child[1];
	minl->height = nl->height;
	*link = min;
	/* The walk to the successor began in @n, which is gone: in @min now. */
	if (depth > at + 1)
		path[at + 1] = &minl->child[1];
	avl_rebalance(path, depth, t);
}

static struct gomem_node *avl_last(struct gomem_node *n, int t)
{
	if (!n)
		return NULL;
	while (avl_link(n, t)->child[1])
		n = avl_link(n, t)->child[1];
	return n;
}

static void avl_size_remove(struct gomem_range *r, struct gomem_node *n)
{
	avl_remove(&r->root[SZ], n, SZ);
	if (r->size_max == n)
		r->size_max = avl_last(r->root[SZ], SZ);
}

static void avl_size_insert(struct gomem_range *r, struct gomem_node *n)
{
	avl_insert(&r->root[SZ], n, SZ);
	if (!r->size_max || avl_cmp(SZ, n->len, n->start, r->size_max) > 0)
		r->size_max = n;
}

static void avl_add(struct gomem_range *r, struct gomem_node *n, u64 start,
		    u64 len)
{
	n->start = start;
	n->len = len;
	avl_insert(&r->root[OFF], n, OFF);
	avl_size_insert(r, n);
}

static void avl_delete(struct gomem_range *r, struct gomem_node *n)
{
	avl_size_remove(r, n);
	avl_remove(&r->root[OFF], n, OFF);
}

/* First node of the size tree whose key is >= (len, start). */
static struct gomem_node *avl_size_ceil(const struct gomem_range *r, u64 len,
					u64 start)
{
	struct gomem_node *n = r->root[SZ], *best = NULL;

	while (n) {
		if (avl_cmp(SZ, len, start, n) <= 0) {
			best = n;
			n = n->size.child[0];
		} else {
			n = n->size.child[1];
		}
	}
	return best;
}

/*
 * Best fit: the smallest block of at least @size bytes, lowest start among
 * equals.  With an alignment above the granule such a block may still be
 * unable to hold the request; then try the next one in (len, start) order.
 * Any block of size + align - granule bytes or more always fits, so only
 * shorter misfits are ever passed over.
 */
/* The shortest block of at least @len bytes, lowest start among equals. */
static struct gomem_node *avl_size_fit(const struct gomem_range *r, u64 len)
{
	struct gomem_node *n = r->root[SZ], *best = NULL;

	while (n) {
		if (n->len >= len) {
			best = n;
			n = n->size.child[0];
		} else {
			n = n->size.child[1];
		}
	}
	return best;
}

struct gomem_node *gomem_avl_find(const struct gomem_range *r, u64 size,
				  u64 align, u64 *offset)
{
	struct gomem_node *n;

	if (!r->size_max || r->size_max->len < size)
		return NULL;
	n = avl_size_fit(r, size);

	while (n && !gomem_block_fits(n, size, align, offset))
		n = avl_size_ceil(r, n->len, n->start + 1);
	return n;
}

void gomem_avl_take(struct gomem_range *r, struct gomem_node *n, u64 offset,
		    u64 size)
{
	u64 head = offset - n->start;
	u64 tail = n->len - head - size;

	if (!head && !tail) {
		avl_delete(r, n);
		gomem_node_put(r, n);
		return;
	}
	avl_size_remove(r, n);
	if (!head) {
		/* Shrinks from the front: stays in place by offset. */
		n->start = offset + size;
		n->len = tail;
	} else {
		n->len = head;
	}
	avl_size_insert(r, n);
	if (head && tail)
		avl_add(r, gomem_node_get(r), offset + size, tail);
}

void gomem_avl_give(struct gomem_range *r, u64 offset, u64 size,
		    struct gomem_node *pred, struct gomem_node *succ)
{
	u64 end = offset + size;
	bool merge_pred, merge_succ;

	merge_pred = pred && pred->start + pred->len == offset;
	merge_succ = succ && succ->start == end;
	if (merge_pred && merge_succ) {
		avl_delete(r, succ);
		avl_size_remove(r, pred);
		pred->len += size + succ->len;
		avl_size_insert(r, pred);
		gomem_node_put(r, succ);
	} else if (merge_pred) {
		avl_size_remove(r, pred);
		pred->len += size;
		avl_size_insert(r, pred);
	} else if (merge_succ) {
		avl_size_remove(r, succ);
		succ->start = offset;
		succ->len += size;
		avl_size_insert(r, succ);
	} else {
		avl_add(r, gomem_node_get(r), offset, size);
	}
}

void gomem_avl_insert(struct gomem_range *r, struct gomem_node *n)
{
	avl_add(r, n, n->start, n->len);
}

u64 gomem_avl_largest(const struct gomem_range *r)
{
	return r->size_max ? r->size_max->len : 0;
}

#define avl_broken(fmt, ...) \
	({ pr_err("invariant broken: avl " fmt "\n", ##__VA_ARGS__); -EUCLEAN; })

/*
 * Check tree @t below @n: keys strictly between those of @lo and @hi (when
 * set), heights exact, balance within one.  Counts the nodes into *@count.
 */
static int avl_check_subtree(const struct gomem_node *n, int t,
			     const struct gomem_node *lo,
			     const struct gomem_node *hi, u64 *count)
{
	const char *tree = t == SZ ? "size" : "offset";
	const struct gomem_link *l;
	int hl, hr, err;

	if (!n)
		return 0;
	l = avl_clink(n, t);
	if (lo && avl_cmp(t, n->len, n->start, lo) <= 0)
		return avl_broken("%s tree: node [%llu, +%llu) out of order",
				  tree, n->start, n->len);
	if (hi && avl_cmp(t, n->len, n->start, hi) >= 0)
		return avl_broken("%s tree: node [%llu, +%llu) out of order",
				  tree, n->start, n->len);
	hl = avl_height(l->child[0], t);
	hr = avl_height(l->child[1], t);
	if (l->height != 1 + max(hl, hr))
		return avl_broken("%s tree: node %llu height %d, children %d and %d",
				  tree, n->start, l->height, hl, hr);
	if (hl - hr > 1 || hr - hl > 1)
		return avl_broken("%s tree: node %llu unbalanced (%d vs %d)",
				  tree, n->start, hl, hr);
	(*count)++;
	err = avl_check_subtree(l->child[0], t, lo, n, count);
	if (err)
		return err;
	return avl_check_subtree(l->child[1], t, n, hi, count);
}

/* Every node of the offset tree must be the very node the size tree holds. */
static int avl_check_same(const struct gomem_range *r,
			  const struct gomem_node *n)
{
	const struct gomem_node *s = r->root[SZ];
	int c, err;

	if (!n)
		return 0;
	while (s && (c = avl_cmp(SZ, n->len, n->start, s)))
		s = s->size.child[c > 0];
	if (s != n)
		return avl_broken("block [%llu, +%llu) missing from the size tree",
				  n->start, n->len);
	err = avl_check_same(r, n->off.child[0]);
	if (err)
		return err;
	return avl_check_same(r, n->off.child[1]);
}

int gomem_avl_check(const struct gomem_range *r)
{
	u64 by_off = 0, by_size = 0;
	int err;

	err = avl_check_subtree(r->root[OFF], OFF, NULL, NULL, &by_off);
	if (err)
		return err;
	err = avl_check_subtree(r->root[SZ], SZ, NULL, NULL, &by_size);
	if (err)
		return err;
	if (by_off != by_size)
		return avl_broken("%llu nodes by offset, %llu by size",
				  by_off, by_size);
	if (r->size_max != avl_last(r->root[SZ], SZ))
		return avl_broken("cached longest block is not the size tree's last");
	return avl_check_same(r, r->root[OFF]);
}
