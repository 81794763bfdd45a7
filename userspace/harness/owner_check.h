/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Checked operations on the ownership layer (gomem_owner.c), shared by
 * owner_diff and fuzz_owner: each call goes to the real layer, over a real
 * arena, and to the model (owner_model.c), and must agree with it: return
 * value, outputs (offsets, ids, token values, claimed ranges, batch
 * results, recycle and exit counts).  Around that, the oracles that need
 * no model:
 *  - a region with a live hold is never handed out again: a new region
 *    must overlap no live region of the model, and each region's bytes
 *    hold its own pattern, verified before its last hold goes (and in
 *    od_check_full()); trim must zap no live region;
 *  - a new region is zero unless asked with GOMEM_ALLOC_NOZERO;
 *  - token values are never 0 and never repeat (every value is kept),
 *    and do not grow like a counter (from 1,000 tokens on, 40 to 60 % of
 *    them are below the one before); a token of another set (a second
 *    arena) is -ENOENT;
 *  - the arena's in_use, allocs and frees follow the model's regions;
 *    -ENOMEM only when the arena itself refused;
 *  - gomem_owners_check(), gomem_own_stats() and gomem_owners_walk()
 *    against the model (od_check_full());
 *  - od_finish(): every holder exits, then in_use is 0, no record is
 *    left but the spares, trim leaves one chunk, and the caches hold
 *    nothing once the set is destroyed.
 * The first failure is kept in @fail (or aborts, for the fuzzer).
 */
#ifndef _GOMEM_HARNESS_OWNER_CHECK_H
#define _GOMEM_HARNESS_OWNER_CHECK_H

#include <linux/types.h>
#include <uapi/gomem.h>

#include "gomem_arena.h"
#include "gomem_owner.h"
#include "owner_model.h"

/* Ended token values kept for stale claims and cancels. */
#define OD_STALE	64
/* Most entries of one batch here. */
#define OD_BATCH_MAX	32

enum od_op {
	OD_ALLOC, OD_FREE, OD_SHARE, OD_CLAIM, OD_CANCEL, OD_RELEASE,
	OD_RECYCLE, OD_UNDO, OD_ALLOC_BATCH, OD_FREE_BATCH, OD_RELEASE_BATCH,
	OD_EXIT, OD_TRIM, OD_SHARE_BATCH, OD_CLAIM_BATCH, OD_OPS
};

/* Result classes counted per operation (batches: per entry). */
enum od_res {
	OD_OK, OD_EINVAL, OD_EPERM, OD_EBUSY, OD_EDQUOT, OD_ENOENT, OD_ENOMEM,
	OD_NONE, OD_RES
};

extern const char *const od_op_names[OD_OPS];
extern const char *const od_res_names[OD_RES];

/**
 * struct od_set - a set of non-zero u64 (open addressing, 0 is empty)
 * @v: slots
 * @cap: slots in @v, a power of two
 * @nr: values in @v
 */
struct od_set {
	u64 *v;
	u64 cap;
	u64 nr;
};

/**
 * struct odiff - one real set of ownership records and its model
 * @a: the arena
 * @o: the set
 * @h: per model slot, the real holder (NULL: no holder there)
 * @m: the model
 * @fa: another arena
 * @fo: its set, with one holder @fh, one region at @foff and one
 *      outstanding token @ftoken of many claims
 * @tokens_seen: every token value made in @o
 * @ids_seen: every region id of @o
 * @stale: ended token values (a ring)
 * @nr_stale: values in @stale
 * @op: operations done (for messages)
 * @abort_on_failure: abort() at the first failure (the fuzzer)
 * @fail: first failure, or NULL
 * @count: per operation and result class
 * @split_ids: split pieces whose id was learnt by a walk
 * @last_token: the token value made last
 * @token_downs: tokens whose value is below the one made before
 */
struct odiff {
	struct gomem_arena a;
	struct gomem_owners o;
	struct gomem_holder *h[OM_HOLDERS];
	struct omodel m;
	struct gomem_arena fa;
	struct gomem_owners fo;
	struct gomem_holder fh;
	u64 foff;
	u64 ftoken;
	struct od_set tokens_seen;
	struct od_set ids_seen;
	u64 stale[OD_STALE];
	unsigned int nr_stale;
	u64 op;
	bool abort_on_failure;
	const char *fail;
	u64 count[OD_OPS][OD_RES];
	u64 split_ids;
	u64 last_token;
	u64 token_downs;
	u64 *seer;
	u64 seer_size;
};

/* Set up @d over an arena of @p with @max_records; false on failure. */
/* The byte limit of every holder, kernel and model (0: none). */
void od_set_max_bytes(struct odiff *d, u64 max_bytes);
bool od_init(struct odiff *d, const struct gomem_arena_params *p,
	     u64 max_records);
/*
 * Every holder exits, the end state is checked (see the top), everything
 * is destroyed.  Return: !@d->fail.
 */
bool od_finish(struct odiff *d);

/* A new holder in a free slot: its slot, or -1 if none is free. */
int od_holder_new(struct odiff *d);
void od_holder_exit(struct odiff *d, int h);

int od_alloc(struct odiff *d, int h, u64 size, u64 align, u32 flags,
	     u64 *off, u64 *id);
int od_free(struct odiff *d, int h, u64 off, u64 size);
void od_undo(struct odiff *d, int h, u64 off, u64 size, u64 id);
void od_recycle(struct odiff *d, int h);
int od_share(struct odiff *d, int h, u64 off, u64 size, u32 claims,
	     u64 *token);
int od_claim(struct odiff *d, int h, u64 token);
int od_cancel(struct odiff *d, int h, u64 token);
int od_release(struct odiff *d, int h, u64 off);
/*
 * A batch of @n allocations; then, if @undo, gomem_own_undo_batch() of it
 * after @meddle (NULL: nothing) had a chance to change some of them.
 */
void od_alloc_batch(struct odiff *d, int h, const u64 *sizes, unsigned int n,
		    u64 align, u32 flags, bool undo,
		    void (*meddle)(struct odiff *d, int h,
				   const struct gomem_batch_entry *e,
				   unsigned int n, void *arg),
		    void *arg);
void od_free_batch(struct odiff *d, int h, const struct gomem_batch_entry *in,
		   unsigned int n);
void od_release_batch(struct odiff *d, int h,
		      const struct gomem_batch_entry *in, unsigned int n);
void od_share_batch(struct odiff *d, int h,
		    const struct gomem_share_entry *in, unsigned int n,
		    bool undo);
void od_claim_batch(struct odiff *d, int h,
		    const struct gomem_claim_entry *in, unsigned int n,
		    bool undo);
void od_trim(struct odiff *d);
/* Claims and cancels of the other set's token, and the reverse. */
void od_foreign(struct odiff *d, int h, u64 token);

/* After every operation: the arena's counters, @h's statistics. */
void od_check(struct odiff *d, int h);
/*
 * The checker, every holder's statistics, the walk (whole, from an offset,
 * stopped early) and every live region's bytes.  @from: the offset of the
 * partial walk.
 */
void od_check_full(struct odiff *d, u64 from);

/* A live token of the model picked by @pick, or 0 if none. */
u64 od_live_token(const struct odiff *d, u64 pick);
/* An ended token picked by @pick, or 0 if none. */
u64 od_stale_token(const struct odiff *d, u64 pick);

#endif /* _GOMEM_HARNESS_OWNER_CHECK_H */
