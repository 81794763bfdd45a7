/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gomem buddy allocator: power-of-two runs of units (pages, for the arena)
 * out of a pool of 2^order units.
 *
 * It knows unit indices only: no memory, no locks.  The caller serialises
 * calls on one buddy.  Metadata lives out of band (kvmalloc), never in the
 * pool.
 */
#ifndef _GOMEM_BUDDY_H
#define _GOMEM_BUDDY_H

#include <linux/types.h>

/* Largest pool: 2^GOMEM_BUDDY_MAX_ORDER units. */
#define GOMEM_BUDDY_MAX_ORDER	30

/**
 * struct gomem_buddy - a binary buddy allocator over 2^@order units
 * @order: log2 of the pool size in units
 * @free_units: units not in any allocated block
 * @longest: per node of the implicit complete binary tree (root at 0,
 *           children of i at 2i+1 and 2i+2), the order of the longest free
 *           run below it plus one, or 0 if none; 2^(@order+1) - 1 entries
 *
 * Fields are private to the allocator; read them through the accessors.
 */
struct gomem_buddy {
	unsigned int order;
	u64 free_units;
	u8 *longest;
};

int gomem_buddy_init(struct gomem_buddy *b, unsigned int order, gfp_t gfp);
void gomem_buddy_destroy(struct gomem_buddy *b);
int gomem_buddy_alloc(struct gomem_buddy *b, u64 nr, u64 *unit);
int gomem_buddy_free(struct gomem_buddy *b, u64 unit);
u64 gomem_buddy_block_units(const struct gomem_buddy *b, u64 unit);
u64 gomem_buddy_size(const struct gomem_buddy *b);
u64 gomem_buddy_free_units(const struct gomem_buddy *b);
u64 gomem_buddy_largest(const struct gomem_buddy *b);
int gomem_buddy_check(const struct gomem_buddy *b);

#endif /* _GOMEM_BUDDY_H */
