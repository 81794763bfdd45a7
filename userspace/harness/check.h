/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Differential checking: each operation runs on the allocator under test
 * and on the reference model (model.h), and everything observable is
 * compared: the error code, every returned offset (in bounds, aligned,
 * free in the model, and the contract's placement), then after every
 * operation gomem_range_check(), free bytes, block count and largest, and
 * every walk_every operations the whole free-block walk.
 *
 * Also keeps the regions the test holds (what it allocated and has not
 * freed yet), so that frees can target whole regions or parts of them.
 * Shared by range_diff and fuzz_range.
 */
#ifndef _GOMEM_HARNESS_CHECK_H
#define _GOMEM_HARNESS_CHECK_H

#include <linux/types.h>

#include "gomem_range.h"
#include "model.h"

/* An allocated region held by the test, in bytes (granule multiples). */
struct held {
	u64 off;
	u64 len;
};

struct diff_stats {
	u64 ops;
	u64 allocs;		/* successful allocations */
	u64 nomem;		/* -ENOMEM answers, each confirmed by the model */
	u64 frees;		/* whole held regions */
	u64 partial_frees;	/* head, tail or middle of a held region */
	u64 span_frees;		/* other valid ranges of used space */
	u64 finds;
	u64 resets;
	u64 errors;		/* operations that had to fail, and did */
	u64 walks;		/* full walk comparisons */
	u64 peak_blocks;	/* most free blocks seen at once */
};

/**
 * struct diff - an allocator under test next to its model
 * @policy: the allocator's policy
 * @r: the allocator; valid while @live
 * @m: the model
 * @held: regions held, @nr_held of them, room for @cap_held
 * @st: counters
 * @walk_every: compare the full walk every this many operations
 * @failures: mismatches found; after the first one, stop using this diff
 * @abort_on_failure: abort() at the first mismatch (the fuzzer's crash)
 * @where: printed with every mismatch, to say how to reproduce it
 * @live_before: live nodes in the cache before init, to catch leaks
 * @problems_before: shim problems (WARNs...) before init; any new one fails
 */
struct diff {
	enum gomem_policy policy;
	struct gomem_range r;
	struct model m;
	bool live;
	struct held *held;
	u64 nr_held;
	u64 cap_held;
	struct diff_stats st;
	u64 walk_every;
	u64 failures;
	bool abort_on_failure;
	char where[160];
	long live_before;
	unsigned long problems_before;
};

/*
 * Initialise both sides; false on a mismatch.  With invalid arguments the
 * allocator must refuse exactly as the model says, and @d is not live.
 */
bool diff_init(struct diff *d, int policy, u64 size, u64 granule);
/* Destroy both sides; false if the allocator leaked nodes. */
bool diff_destroy(struct diff *d);

bool diff_alloc(struct diff *d, u64 size, u64 align);
/* Find; if @then_alloc, allocate the same and demand the found offset. */
bool diff_find(struct diff *d, u64 size, u64 align, bool then_alloc);
/* Free any range; the model decides whether it must succeed. */
bool diff_free(struct diff *d, u64 off, u64 size);
/*
 * Free @size bytes (rounded up to the granule) at @skip bytes (a granule
 * multiple) into held region @idx; the range must lie inside it.
 */
bool diff_free_held(struct diff *d, u64 idx, u64 skip, u64 size);
bool diff_reset(struct diff *d);

/* Compare everything, including the full walk; false on a mismatch. */
bool diff_verify_all(struct diff *d);

#endif /* _GOMEM_HARNESS_CHECK_H */
