/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Differential checking of the buddy allocator: each operation runs on
 * gomem_buddy and on the model (buddy_model.h), and everything observable
 * is compared: the error code; on success the returned unit (in the pool,
 * aligned to its block size, wholly free in the model, the lowest fit) and
 * the block's size; on error, that the allocator's metadata and the output
 * unit are byte for byte as they were.  After every operation:
 * gomem_buddy_check(), free units, largest, size; every full_every
 * operations, gomem_buddy_block_units() of every unit.
 *
 * Also keeps the blocks the test holds, so that frees can target them,
 * their middles and their double frees.  Shared by buddy_diff and
 * fuzz_buddy.
 */
#ifndef _GOMEM_HARNESS_BUDDY_CHECK_H
#define _GOMEM_HARNESS_BUDDY_CHECK_H

#include <linux/types.h>

#include "buddy_model.h"
#include "gomem_buddy.h"

/* An allocated block held by the test. */
struct bheld {
	u64 unit;
	u64 units;
};

struct bdiff_stats {
	u64 ops;
	u64 allocs;	/* successful allocations */
	u64 nomem;	/* -ENOMEM answers, each confirmed by the model */
	u64 frees;	/* successful frees */
	u64 errors;	/* operations that had to fail, and did */
	u64 queries;	/* block_units() calls */
	u64 full;	/* full block_units() comparisons */
	u64 reinits;
	u64 peak_used;	/* most units allocated at once */
};

/**
 * struct bdiff - a buddy allocator under test next to its model
 * @b: the allocator; valid while @live
 * @m: the model
 * @live: @b and @m are set up
 * @snap: room for a copy of @b's metadata, and @snap_free for its free
 *        units, to prove that a refused call changed nothing
 * @held: blocks held, @nr_held of them, room for @cap_held
 * @st: counters
 * @full_every: compare block_units() of every unit every this many ops
 * @failures: mismatches found; after the first one, stop using this diff
 * @abort_on_failure: abort() at the first mismatch (the fuzzer's crash)
 * @where: printed with every mismatch, to say how to reproduce it
 * @live_before: live shim allocations before init, to catch leaks
 * @problems_before: shim problems (WARNs...) before init; any new one fails
 */
struct bdiff {
	struct gomem_buddy b;
	struct buddy_model m;
	bool live;
	u8 *snap;
	u64 snap_free;
	struct bheld *held;
	u64 nr_held;
	u64 cap_held;
	struct bdiff_stats st;
	u64 full_every;
	u64 failures;
	bool abort_on_failure;
	char where[160];
	unsigned long live_before;
	unsigned long problems_before;
};

/*
 * Initialise both sides; false on a mismatch.  With an invalid @order the
 * allocator must refuse exactly as the model says, and @d is not live.
 */
bool bdiff_init(struct bdiff *d, unsigned int order);
/* Destroy both sides; false if anything leaked. */
bool bdiff_destroy(struct bdiff *d);
/* Destroy and set up again, same order, blocks outstanding. */
bool bdiff_reinit(struct bdiff *d);

bool bdiff_alloc(struct bdiff *d, u64 nr);
/* Free any unit; the model decides whether it must succeed. */
bool bdiff_free(struct bdiff *d, u64 unit);
/* Free held block @idx; if @twice, free it again and demand -EINVAL. */
bool bdiff_free_held(struct bdiff *d, u64 idx, bool twice);
bool bdiff_block_units(struct bdiff *d, u64 unit);

/* Compare everything, block_units() of every unit included. */
bool bdiff_verify_all(struct bdiff *d);

#endif /* _GOMEM_HARNESS_BUDDY_CHECK_H */
