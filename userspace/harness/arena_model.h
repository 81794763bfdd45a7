/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reference model of an arena (gomem_arena.c), for arena_diff.
 *
 * Written from docs/arena.md and the kernel-doc of include/gomem_arena.h,
 * never from the arena's own state: each chunk is a granule map (model.c,
 * which places by docs/range-allocator.md), chunk bases come from a plain
 * list sorted by base (lowest gap of the offset window), the chunk sizes
 * from the documented growth rule, and with the buddy source the pool is
 * a buddy model (buddy_model.c).  Every expected answer (error code,
 * offset, chunk geometry, statistics) comes from here.
 */
#ifndef _GOMEM_HARNESS_ARENA_MODEL_H
#define _GOMEM_HARNESS_ARENA_MODEL_H

#include <linux/types.h>

#include "gomem_arena.h"
#include "buddy_model.h"
#include "model.h"

/**
 * struct amodel_chunk - one chunk of the model
 * @base: arena offset of its first byte
 * @size: bytes
 * @unit: buddy source: its first page in the pool
 * @m: granule map of [0, @size), offsets relative to @base
 */
struct amodel_chunk {
	u64 base;
	u64 size;
	u64 unit;
	struct model m;
};

/**
 * struct amodel - the model of one arena
 * @p: parameters as gomem_arena_init() rounds them (page-rounded sizes,
 *     the default granule filled in)
 * @window: size of the offset window chunk bases come from (2 x max_size)
 * @chunks: sorted by base; chunks[0] is the first chunk, at 0
 * @nr: chunks in use
 * @cap: entries allocated in @chunks
 * @next_size: size of the next growth chunk (the doubling sequence)
 * @pool: buddy source: the pool, one unit per page
 * @st: the counters; free, largest_free and chunks are derived by
 *      amodel_stats()
 */
struct amodel {
	struct gomem_arena_params p;
	u64 window;
	struct amodel_chunk *chunks;
	unsigned int nr;
	unsigned int cap;
	u64 next_size;
	struct buddy_model pool;
	struct gomem_arena_stats st;
};

/* Set up the model of a freshly initialised arena; @p must be valid. */
void amodel_init(struct amodel *am, const struct gomem_arena_params *p);
void amodel_destroy(struct amodel *am);

/* The chunk holding arena offset @off, or NULL. */
struct amodel_chunk *amodel_chunk_of(const struct amodel *am, u64 off);

/*
 * What gomem_arena_find() must return: 0 with *@off, -EINVAL, or -ENOMEM
 * when no chunk can hold it (find never grows).
 */
int amodel_find(struct amodel *am, u64 size, u64 align, u64 *off);
/* What gomem_arena_alloc() must return; on success the model allocates. */
int amodel_alloc(struct amodel *am, u64 size, u64 align, unsigned int flags,
		 u64 *off);
/*
 * What gomem_arena_borrow() must return: 0 with the offset of the bytes
 * (growing the model if the arena must), or an error for NULL.
 */
int amodel_borrow(struct amodel *am, u64 size, u64 *off);
/* What gomem_arena_free() must return, without changing the model. */
int amodel_free_result(const struct amodel *am, u64 off, u64 size);
/* What gomem_arena_free() must return; on success the model frees. */
int amodel_free(struct amodel *am, u64 off, u64 size);
/*
 * What gomem_arena_free_rest() must return; on success the model frees if
 * @commit.  *@frees (may be NULL) says whether the call frees anything.
 */
int amodel_free_rest(struct amodel *am, u64 off, u64 size, u64 keep,
		     bool commit, bool *frees);
/* Is chunk @i entirely free? */
bool amodel_chunk_idle(struct amodel *am, unsigned int i);
/*
 * Release what gomem_arena_trim() must release, keeping the chunk based at
 * @busy (its zap hook says it is still referenced); returns the bytes.
 */
u64 amodel_trim(struct amodel *am, u64 busy);
/* What gomem_arena_stats() must report. */
void amodel_stats(struct amodel *am, struct gomem_arena_stats *st);

#endif /* _GOMEM_HARNESS_ARENA_MODEL_H */
