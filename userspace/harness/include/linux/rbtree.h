/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: the kernel's red-black trees (include/linux/rbtree.h) as callers
 * use them.  The caller walks down from &root->rb_node by rb_left and
 * rb_right to the NULL link where its node belongs, then calls
 * rb_link_node() and rb_insert_color(); rb_erase() removes a node; rb_first,
 * rb_next and friends walk in order.  The tree is the harness's own
 * red-black tree (shim/rbtree.c), so its height stays below
 * 2 * log2(n + 1).  Unlike the kernel's, a node keeps its parent and its
 * colour in two plain fields rather than packed in one word; callers never
 * touch them except through the macros below.
 */
#ifndef _SHIM_LINUX_RBTREE_H
#define _SHIM_LINUX_RBTREE_H

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/types.h>

struct rb_node {
	struct rb_node *rb_left;
	struct rb_node *rb_right;
	struct rb_node *__rb_parent;	/* the node itself: RB_CLEAR_NODE */
	bool __rb_black;
};

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_ROOT			((struct rb_root) { NULL })
#define RB_EMPTY_ROOT(root)	(READ_ONCE((root)->rb_node) == NULL)

/* A node on no tree (if its owner said so): its parent is itself. */
#define RB_EMPTY_NODE(node)	((node)->__rb_parent == (node))
#define RB_CLEAR_NODE(node)	((node)->__rb_parent = (node))

#define rb_parent(node)		((node)->__rb_parent)

#define rb_entry(ptr, type, member)	container_of(ptr, type, member)

/* rb_entry(), or NULL for a NULL @ptr (evaluated once). */
#define rb_entry_safe(ptr, type, member)				\
	({								\
		__typeof__(ptr) __shim_rb = (ptr);			\
		__shim_rb ? rb_entry(__shim_rb, type, member) : NULL;	\
	})

/* Hang @node, red and childless, on @link, a NULL child link of @parent. */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->__rb_parent = parent;
	node->__rb_black = false;
	node->rb_left = NULL;
	node->rb_right = NULL;
	*link = node;
}

/* Rebalance after rb_link_node() of @node into @root. */
void rb_insert_color(struct rb_node *node, struct rb_root *root);
/* Take @node out of @root (its fields are left stale, as the kernel's). */
void rb_erase(struct rb_node *node, struct rb_root *root);
/* Put @new where @victim is; the caller keeps the order right. */
void rb_replace_node(struct rb_node *victim, struct rb_node *new,
		     struct rb_root *root);

/* In order; NULL past either end (and for an RB_EMPTY_NODE). */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/* Children before their parent, to tear a tree down without erasing. */
struct rb_node *rb_first_postorder(const struct rb_root *root);
struct rb_node *rb_next_postorder(const struct rb_node *node);

/* The body may free @pos (never erase it: the tree is not rebalanced). */
#define rbtree_postorder_for_each_entry_safe(pos, n, root, field)	\
	for ((pos) = rb_entry_safe(rb_first_postorder(root),		\
				   __typeof__(*(pos)), field);		\
	     (pos) && ((n) = rb_entry_safe(rb_next_postorder(&(pos)->field), \
					   __typeof__(*(pos)), field), true); \
	     (pos) = (n))

/* The newer helpers: insert by a less() order, find by a cmp(key, node). */
static inline void rb_add(struct rb_node *node, struct rb_root *tree,
			  bool (*less)(struct rb_node *,
				       const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = less(node, parent) ? &parent->rb_left :
					    &parent->rb_right;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
}

static inline struct rb_node *rb_find(const void *key,
				      const struct rb_root *tree,
				      int (*cmp)(const void *key,
						 const struct rb_node *))
{
	struct rb_node *node = tree->rb_node;

	while (node) {
		int c = cmp(key, node);

		if (c < 0)
			node = node->rb_left;
		else if (c > 0)
			node = node->rb_right;
		else
			return node;
	}
	return NULL;
}

/*
 * Harness only: check @root's red-black invariants (parent links, no red
 * node with a red child, a black root, the same number of black nodes on
 * every path).  Returns that number, or -1 (after printing why) if broken.
 */
int shim_rb_check(const struct rb_root *root);

#endif /* _SHIM_LINUX_RBTREE_H */
