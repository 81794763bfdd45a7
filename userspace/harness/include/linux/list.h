/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: the kernel's intrusive lists (include/linux/list.h), the part the
 * harnessed files use: circular doubly linked lists (struct list_head) and
 * hash-bucket lists (struct hlist_head/hlist_node: one pointer per head,
 * and a node knows the pointer that points at it).  Written for the
 * harness; same semantics as the kernel's, except that there is no
 * list debugging.  A deleted entry's pointers are set to addresses that
 * fault when followed, so a use after list_del()/hlist_del() crashes
 * rather than silently walking a list it is no longer on.
 */
#ifndef _SHIM_LINUX_LIST_H
#define _SHIM_LINUX_LIST_H

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/types.h>

/* Never mapped: following one faults (as the kernel's LIST_POISON*). */
#define SHIM_LIST_POISON_NEXT	((void *)0x100)
#define SHIM_LIST_POISON_PREV	((void *)0x122)

/* --- struct list_head: circular, the head is a node of its own list --- */

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
#define LIST_HEAD(name)		struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	list->prev = list;
}

/* Link @entry between two neighbours that are next to each other. */
static inline void shim_list_link(struct list_head *entry,
				  struct list_head *before,
				  struct list_head *after)
{
	entry->prev = before;
	entry->next = after;
	after->prev = entry;
	WRITE_ONCE(before->next, entry);
}

/* Right after @head: a stack. */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	shim_list_link(entry, head, head->next);
}

/* Right before @head, that is at the end: a queue. */
static inline void list_add_tail(struct list_head *entry,
				 struct list_head *head)
{
	shim_list_link(entry, head->prev, head);
}

static inline void shim_list_unlink(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	WRITE_ONCE(entry->prev->next, entry->next);
}

static inline void list_del(struct list_head *entry)
{
	shim_list_unlink(entry);
	entry->next = SHIM_LIST_POISON_NEXT;
	entry->prev = SHIM_LIST_POISON_PREV;
}

static inline void list_del_init(struct list_head *entry)
{
	shim_list_unlink(entry);
	INIT_LIST_HEAD(entry);
}

static inline void list_move(struct list_head *entry, struct list_head *head)
{
	shim_list_unlink(entry);
	list_add(entry, head);
}

static inline void list_move_tail(struct list_head *entry,
				  struct list_head *head)
{
	shim_list_unlink(entry);
	list_add_tail(entry, head);
}

static inline bool list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}

static inline bool list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(head, type, member)				\
	list_entry((head)->next, type, member)
#define list_last_entry(head, type, member)				\
	list_entry((head)->prev, type, member)
#define list_first_entry_or_null(head, type, member)			\
	(list_empty(head) ? NULL : list_first_entry(head, type, member))
#define list_next_entry(pos, member)					\
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member)					\
	list_entry((pos)->member.prev, __typeof__(*(pos)), member)

/*
 * At the end of a walk the iterators below compute a fake entry from the
 * head itself, which points at no object of the entry type.  These reach
 * its list_head by address arithmetic alone, never by a member access
 * through it (UBSan checks such an access for alignment and object size).
 */
#define shim_list_node(pos, member)					\
	((struct list_head *)((char *)(pos) +				\
			      offsetof(__typeof__(*(pos)), member)))
#define shim_list_next(pos, member)					\
	list_entry(shim_list_node(pos, member)->next, __typeof__(*(pos)), member)

/* Whether @pos is the fake entry of @head. */
#define list_entry_is_head(pos, head, member)				\
	(shim_list_node(pos, member) == (head))

#define list_for_each(pos, head)					\
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* Like the kernel's: after a full walk @pos is the head's fake entry. */
#define list_for_each_entry(pos, head, member)				\
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member);	\
	     !list_entry_is_head(pos, head, member);			\
	     (pos) = shim_list_next(pos, member))

/* @n holds the next entry, so the body may delete (and free) @pos. */
#define list_for_each_entry_safe(pos, n, head, member)			\
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member),	\
	     (n) = shim_list_next(pos, member);				\
	     !list_entry_is_head(pos, head, member);			\
	     (pos) = (n), (n) = shim_list_next(n, member))

/* --- hlist: NULL-terminated, the head is one pointer --- */

struct hlist_node {
	struct hlist_node *next;
	struct hlist_node **pprev;	/* what points at this node; NULL: none */
};

struct hlist_head {
	struct hlist_node *first;
};

#define HLIST_HEAD_INIT		{ .first = NULL }
#define HLIST_HEAD(name)	struct hlist_head name = HLIST_HEAD_INIT

static inline void INIT_HLIST_HEAD(struct hlist_head *h)
{
	h->first = NULL;
}

static inline void INIT_HLIST_NODE(struct hlist_node *n)
{
	n->next = NULL;
	n->pprev = NULL;
}

static inline bool hlist_empty(const struct hlist_head *h)
{
	return !READ_ONCE(h->first);
}

/* On no list: never added, or removed with hlist_del_init(). */
static inline bool hlist_unhashed(const struct hlist_node *n)
{
	return !n->pprev;
}

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	if (first)
		first->pprev = &n->next;
	n->pprev = &h->first;
	WRITE_ONCE(h->first, n);
}

static inline void shim_hlist_unlink(struct hlist_node *n)
{
	struct hlist_node *next = n->next;

	WRITE_ONCE(*n->pprev, next);
	if (next)
		next->pprev = n->pprev;
}

static inline void hlist_del(struct hlist_node *n)
{
	shim_hlist_unlink(n);
	n->next = SHIM_LIST_POISON_NEXT;
	n->pprev = SHIM_LIST_POISON_PREV;
}

/* Also fine on a node that is on no list. */
static inline void hlist_del_init(struct hlist_node *n)
{
	if (hlist_unhashed(n))
		return;
	shim_hlist_unlink(n);
	INIT_HLIST_NODE(n);
}

#define hlist_entry(ptr, type, member)	container_of(ptr, type, member)

/* hlist_entry(), or NULL for a NULL @ptr (evaluated once). */
#define hlist_entry_safe(ptr, type, member)				\
	({								\
		__typeof__(ptr) __shim_hl = (ptr);			\
		__shim_hl ? hlist_entry(__shim_hl, type, member) : NULL; \
	})

#define hlist_for_each(pos, head)					\
	for ((pos) = (head)->first; (pos); (pos) = (pos)->next)

/* Ends with @pos NULL. */
#define hlist_for_each_entry(pos, head, member)				\
	for ((pos) = hlist_entry_safe((head)->first, __typeof__(*(pos)),	\
				      member);				\
	     (pos);							\
	     (pos) = hlist_entry_safe((pos)->member.next,		\
				      __typeof__(*(pos)), member))

/*
 * @n (a struct hlist_node *) holds the next node, so the body may delete
 * (and free) @pos.
 */
#define hlist_for_each_entry_safe(pos, n, head, member)			\
	for ((pos) = hlist_entry_safe((head)->first, __typeof__(*(pos)),	\
				      member);				\
	     (pos) && ((n) = (pos)->member.next, true);			\
	     (pos) = hlist_entry_safe(n, __typeof__(*(pos)), member))

#endif /* _SHIM_LINUX_LIST_H */
