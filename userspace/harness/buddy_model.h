/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reference model of the buddy allocator: one byte per unit, free or used,
 * and one per unit for the size of the block that starts there.
 *
 * Every expected answer comes from these maps and the contract in
 * gomem_buddy.c's kernel-doc alone, never from the tree the allocator
 * keeps: an allocation of nr units gets the lowest-index block of
 * roundup_pow_of_two(nr) units that is aligned to its size and wholly
 * free; a free must name the first unit of an allocated block; the largest
 * free block is the largest aligned power-of-two run that is wholly free.
 * Shared by buddy_diff and fuzz_buddy through buddy_check.c.
 */
#ifndef _GOMEM_HARNESS_BUDDY_MODEL_H
#define _GOMEM_HARNESS_BUDDY_MODEL_H

#include <linux/types.h>

#define BMODEL_FREE	0
#define BMODEL_USED	1

/**
 * struct buddy_model - unit maps of a pool of 2^@order units
 * @order: log2 of @size
 * @size: units in the pool
 * @used: @size bytes, BMODEL_FREE or BMODEL_USED
 * @head: @size bytes: the order + 1 of the allocated block that starts at
 *        this unit, or 0 if none does
 * @free: units free
 */
struct buddy_model {
	unsigned int order;
	u64 size;
	u8 *used;
	u8 *head;
	u64 free;
};

/* What gomem_buddy_init() must return for @order. */
int bmodel_init_result(unsigned int order);

/* Set up a model of a valid pool, all free (aborts if no memory). */
void bmodel_init(struct buddy_model *m, unsigned int order);
void bmodel_destroy(struct buddy_model *m);

/* Order of the block an allocation of @nr units gets; @nr in [1, size]. */
unsigned int bmodel_order_of(u64 nr);

/*
 * What gomem_buddy_alloc() must return: 0 with *@unit set to the lowest
 * fitting block, -EINVAL or -ENOMEM.
 */
int bmodel_alloc_result(const struct buddy_model *m, u64 nr, u64 *unit);
/* What gomem_buddy_free() must return. */
int bmodel_free_result(const struct buddy_model *m, u64 unit);
/* What gomem_buddy_block_units() must return. */
u64 bmodel_block_units(const struct buddy_model *m, u64 unit);
/* What gomem_buddy_largest() must return. */
u64 bmodel_largest(const struct buddy_model *m);

/* Record the block of 2^@k units at @unit as allocated, or free it. */
void bmodel_take(struct buddy_model *m, u64 unit, unsigned int k);
void bmodel_give(struct buddy_model *m, u64 unit);

/* Are all units of [@start, @start + @n) free?  In bounds only. */
bool bmodel_all_free(const struct buddy_model *m, u64 start, u64 n);

#endif /* _GOMEM_HARNESS_BUDDY_MODEL_H */
