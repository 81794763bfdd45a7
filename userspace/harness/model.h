/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reference model of a range allocator: one byte per granule, free or used.
 *
 * The map is the whole truth; the free-block list is derived from it by a
 * plain scan, and every expected answer (error code, placement of each
 * policy) comes from docs/range-allocator.md applied to that list, never
 * from anything the allocator under test keeps.  Shared by range_diff and
 * fuzz_range through check.c.
 */
#ifndef _GOMEM_HARNESS_MODEL_H
#define _GOMEM_HARNESS_MODEL_H

#include <linux/types.h>

#include "gomem_range.h"

/* The contract's PAGE_SIZE bound on granule and alignment (x86-64). */
#define MODEL_PAGE_SIZE		4096ULL

#define MODEL_USED		0
#define MODEL_FREE		1

struct model_block {
	u64 start;	/* bytes */
	u64 len;	/* bytes */
};

/**
 * struct model - granule map of a space [0, @size)
 * @size: bytes, a multiple of @granule
 * @granule: bytes, a power of two
 * @nr: number of granules
 * @map: @nr bytes, MODEL_FREE or MODEL_USED
 *
 * Derived from @map by model_refresh(), valid while !@dirty:
 * @blocks: maximal free runs in increasing offset, @nr_blocks of them
 * @free_bytes: total free
 * @largest: longest block, 0 if none
 */
struct model {
	u64 size;
	u64 granule;
	u64 nr;
	u8 *map;

	bool dirty;
	struct model_block *blocks;
	u64 nr_blocks;
	u64 free_bytes;
	u64 largest;
};

/* What gomem_range_init() must return for these arguments. */
int model_init_result(int policy, u64 size, u64 granule);

/* Set up a model of a valid space, everything free (aborts if no memory). */
void model_init(struct model *m, u64 size, u64 granule);
void model_destroy(struct model *m);
void model_reset(struct model *m);

/* Mark [@off, @off + @len) (granule-aligned, in bounds) free or used. */
void model_set(struct model *m, u64 off, u64 len, u8 state);
/* Is every granule of [@off, @off + @len) in @state? */
bool model_all(const struct model *m, u64 off, u64 len, u8 state);

/* Rebuild the derived block list if the map changed. */
void model_refresh(struct model *m);

/*
 * What gomem_range_alloc() (and find) must return: 0 with *@off set to
 * the contract's placement for @policy, -EINVAL or -ENOMEM.
 */
int model_alloc_result(struct model *m, enum gomem_policy policy, u64 size,
		       u64 align, u64 *off);
/* What gomem_range_free() must return (never -ENOMEM: memory is ample). */
int model_free_result(const struct model *m, u64 off, u64 size);

/*
 * Compare a free-block walk (gomem_range_walk() or _walk_from()) with the
 * model's blocks, starting at index @i: pass model_walk_cmp() as the
 * callback and this as its argument.  On a mismatch the walk stops (1)
 * with @off and @len set to the block the allocator gave; after a full
 * match @i is past the last block compared.
 */
struct model_walk_cmp {
	const struct model *m;
	u64 i;
	u64 off;
	u64 len;
};

int model_walk_cmp(void *arg, u64 offset, u64 len);

/* @size rounded up to the granule; @size must not exceed the space. */
static inline u64 model_round(const struct model *m, u64 size)
{
	return (size + m->granule - 1) & ~(m->granule - 1);
}

#endif /* _GOMEM_HARNESS_MODEL_H */
