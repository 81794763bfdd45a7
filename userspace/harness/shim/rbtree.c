// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shim rbtree: a textbook red-black tree (NULL leaves count as black),
 * written for the harness, behind the kernel's interface (linux/rbtree.h).
 * The caller links a new node as a red leaf; rb_insert_color() and
 * rb_erase() restore the invariants by recolouring and at most three
 * rotations, so every path from the root holds the same number of black
 * nodes, no red node has a red child, and the height stays below
 * 2 * log2(n + 1).
 */
#include <stdio.h>

#include <linux/rbtree.h>

static bool is_red(const struct rb_node *n)
{
	return n && !n->__rb_black;
}

static bool is_black(const struct rb_node *n)
{
	return !is_red(n);
}

/* Make whatever pointed at @old (its parent's link, or the root) point at @new. */
static void relink(struct rb_root *root, struct rb_node *parent,
		   struct rb_node *old, struct rb_node *new)
{
	if (!parent)
		WRITE_ONCE(root->rb_node, new);
	else if (parent->rb_left == old)
		WRITE_ONCE(parent->rb_left, new);
	else
		WRITE_ONCE(parent->rb_right, new);
}

/*
 * @x's right child @y takes @x's place; @x becomes @y's left child and
 * takes over @y's former left subtree.  Order is unchanged.
 */
static void rotate_left(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->rb_right;

	x->rb_right = y->rb_left;
	if (y->rb_left)
		y->rb_left->__rb_parent = x;
	y->__rb_parent = x->__rb_parent;
	relink(root, x->__rb_parent, x, y);
	y->rb_left = x;
	x->__rb_parent = y;
}

/* The mirror image of rotate_left(). */
static void rotate_right(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->rb_left;

	x->rb_left = y->rb_right;
	if (y->rb_right)
		y->rb_right->__rb_parent = x;
	y->__rb_parent = x->__rb_parent;
	relink(root, x->__rb_parent, x, y);
	y->rb_right = x;
	x->__rb_parent = y;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *parent, *grand, *uncle;

	node->__rb_black = false;
	/* The only possible violation: @node and its parent both red. */
	while ((parent = node->__rb_parent) && is_red(parent)) {
		/* A red parent is not the root, so @grand exists (black). */
		grand = parent->__rb_parent;
		if (parent == grand->rb_left) {
			uncle = grand->rb_right;
			if (is_red(uncle)) {
				/* Push the blackness down; retry above. */
				parent->__rb_black = true;
				uncle->__rb_black = true;
				grand->__rb_black = false;
				node = grand;
				continue;
			}
			if (node == parent->rb_right) {
				/* Zig-zag: make it a straight line first. */
				rotate_left(root, parent);
				node = parent;
				parent = node->__rb_parent;
			}
			parent->__rb_black = true;
			grand->__rb_black = false;
			rotate_right(root, grand);
		} else {
			uncle = grand->rb_left;
			if (is_red(uncle)) {
				parent->__rb_black = true;
				uncle->__rb_black = true;
				grand->__rb_black = false;
				node = grand;
				continue;
			}
			if (node == parent->rb_left) {
				rotate_right(root, parent);
				node = parent;
				parent = node->__rb_parent;
			}
			parent->__rb_black = true;
			grand->__rb_black = false;
			rotate_left(root, grand);
		}
		break;
	}
	root->rb_node->__rb_black = true;
}

/*
 * After a black node was removed from above @x (possibly NULL), the child
 * of @parent: every path through @x has one black too few.  Either make
 * @x black (if it is red), or borrow from @x's sibling's side, or move the
 * shortage up a level.
 */
static void erase_fixup(struct rb_root *root, struct rb_node *x,
			struct rb_node *parent)
{
	struct rb_node *sib;

	while (x != root->rb_node && is_black(x)) {
		if (x == parent->rb_left) {
			/* The short side has a black count >= 1 less: @sib exists. */
			sib = parent->rb_right;
			if (is_red(sib)) {
				sib->__rb_black = true;
				parent->__rb_black = false;
				rotate_left(root, parent);
				sib = parent->rb_right;
			}
			if (is_black(sib->rb_left) && is_black(sib->rb_right)) {
				sib->__rb_black = false;
				x = parent;
				parent = x->__rb_parent;
				continue;
			}
			if (is_black(sib->rb_right)) {
				sib->rb_left->__rb_black = true;
				sib->__rb_black = false;
				rotate_right(root, sib);
				sib = parent->rb_right;
			}
			sib->__rb_black = parent->__rb_black;
			parent->__rb_black = true;
			sib->rb_right->__rb_black = true;
			rotate_left(root, parent);
		} else {
			sib = parent->rb_left;
			if (is_red(sib)) {
				sib->__rb_black = true;
				parent->__rb_black = false;
				rotate_right(root, parent);
				sib = parent->rb_left;
			}
			if (is_black(sib->rb_left) && is_black(sib->rb_right)) {
				sib->__rb_black = false;
				x = parent;
				parent = x->__rb_parent;
				continue;
			}
			if (is_black(sib->rb_left)) {
				sib->rb_right->__rb_black = true;
				sib->__rb_black = false;
				rotate_left(root, sib);
				sib = parent->rb_left;
			}
			sib->__rb_black = parent->__rb_black;
			parent->__rb_black = true;
			sib->rb_left->__rb_black = true;
			rotate_right(root, parent);
		}
		x = root->rb_node;
		break;
	}
	if (x)
		x->__rb_black = true;
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *child, *parent, *succ;
	bool removed_black;

	if (!node->rb_left || !node->rb_right) {
		/* At most one child: it takes @node's place. */
		child = node->rb_left ? node->rb_left : node->rb_right;
		parent = node->__rb_parent;
		removed_black = node->__rb_black;
		if (child)
			child->__rb_parent = parent;
		relink(root, parent, node, child);
	} else {
		/*
		 * Two children: the in-order successor (leftmost of the right
		 * subtree, no left child) takes @node's place and colour; the
		 * tree loses a node where the successor was.
		 */
		succ = node->rb_right;
		while (succ->rb_left)
			succ = succ->rb_left;
		removed_black = succ->__rb_black;
		child = succ->rb_right;
		if (succ->__rb_parent == node) {
			parent = succ;
		} else {
			parent = succ->__rb_parent;
			parent->rb_left = child;
			if (child)
				child->__rb_parent = parent;
			succ->rb_right = node->rb_right;
			node->rb_right->__rb_parent = succ;
		}
		succ->rb_left = node->rb_left;
		node->rb_left->__rb_parent = succ;
		succ->__rb_parent = node->__rb_parent;
		succ->__rb_black = node->__rb_black;
		relink(root, node->__rb_parent, node, succ);
	}
	if (removed_black)
		erase_fixup(root, child, parent);
}

void rb_replace_node(struct rb_node *victim, struct rb_node *new,
		     struct rb_root *root)
{
	struct rb_node *parent = victim->__rb_parent;

	*new = *victim;
	if (victim->rb_left)
		victim->rb_left->__rb_parent = new;
	if (victim->rb_right)
		victim->rb_right->__rb_parent = new;
	relink(root, parent, victim, new);
}

static struct rb_node *leftmost(struct rb_node *n)
{
	while (n && n->rb_left)
		n = n->rb_left;
	return n;
}

static struct rb_node *rightmost(struct rb_node *n)
{
	while (n && n->rb_right)
		n = n->rb_right;
	return n;
}

struct rb_node *rb_first(const struct rb_root *root)
{
	return leftmost(root->rb_node);
}

struct rb_node *rb_last(const struct rb_root *root)
{
	return rightmost(root->rb_node);
}

struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_right)
		return leftmost(node->rb_right);
	/* Climb while we come from a right child. */
	while ((parent = node->__rb_parent) && node == parent->rb_right)
		node = parent;
	return parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_left)
		return rightmost(node->rb_left);
	while ((parent = node->__rb_parent) && node == parent->rb_left)
		node = parent;
	return parent;
}

/* The first node of @n's subtree in postorder: a leaf, leftmost-first. */
static struct rb_node *deepest_first(struct rb_node *n)
{
	for (;;) {
		if (n->rb_left)
			n = n->rb_left;
		else if (n->rb_right)
			n = n->rb_right;
		else
			return n;
	}
}

struct rb_node *rb_first_postorder(const struct rb_root *root)
{
	return root->rb_node ? deepest_first(root->rb_node) : NULL;
}

struct rb_node *rb_next_postorder(const struct rb_node *node)
{
	struct rb_node *parent;

	if (!node)
		return NULL;
	parent = node->__rb_parent;
	/* After a left child comes its sibling subtree, if any. */
	if (parent && node == parent->rb_left && parent->rb_right)
		return deepest_first(parent->rb_right);
	return parent;
}

/* Black nodes on every path below @n (NULL leaves not counted), or -1. */
static int check_subtree(const struct rb_node *n, const struct rb_node *parent)
{
	int left, right;

	if (!n)
		return 0;
	if (n->__rb_parent != parent) {
		printf("# rbtree: node %p has parent %p, expected %p\n",
		       (const void *)n, (const void *)n->__rb_parent,
		       (const void *)parent);
		return -1;
	}
	if (is_red(n) && (is_red(n->rb_left) || is_red(n->rb_right))) {
		printf("# rbtree: red node %p has a red child\n",
		       (const void *)n);
		return -1;
	}
	left = check_subtree(n->rb_left, n);
	right = check_subtree(n->rb_right, n);
	if (left < 0 || right < 0)
		return -1;
	if (left != right) {
		printf("# rbtree: node %p: black height %d on the left, %d on the right\n",
		       (const void *)n, left, right);
		return -1;
	}
	return left + (n->__rb_black ? 1 : 0);
}

int shim_rb_check(const struct rb_root *root)
{
	if (is_red(root->rb_node)) {
		printf("# rbtree: the root is red\n");
		return -1;
	}
	return check_subtree(root->rb_node, NULL);
}
