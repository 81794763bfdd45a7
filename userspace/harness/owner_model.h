/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reference model of the ownership layer (gomem_owner.c), for owner_diff
 * and fuzz_owner.
 *
 * Written from docs/ownership.md and the kernel-doc of
 * include/gomem_owner.h, never from the layer's own records, and kept
 * deliberately simple: flat arrays searched linearly.  A region is an
 * offset and a size (taken from the real arena's answer to an allocation,
 * which the model does not predict), an owner (a holder, or none once the
 * owner let go), a claim count per holder (its reference: one record
 * however many claims) and its outstanding tokens.  A token is its value
 * (taken from the real layer's answer), its region, the range it shares,
 * its claims left and its maker.  A region returns to the arena exactly
 * when its last hold goes; every call that returns regions lists them in
 * @freed, so that the caller can check their bytes before they go and the
 * arena's in_use after.
 *
 * Holders live in numbered slots (0 to OM_HOLDERS - 1); a slot is reused
 * once its holder has exited.
 */
#ifndef _GOMEM_HARNESS_OWNER_MODEL_H
#define _GOMEM_HARNESS_OWNER_MODEL_H

#include <linux/types.h>

#include "gomem_owner.h"

/* Holder slots of one model. */
#define OM_HOLDERS	32

/**
 * struct om_region - one live region
 * @off: arena offset
 * @size: bytes (granule-rounded)
 * @id: the id the layer gave it (allocation, or the split that made it;
 *      0 until the caller learns a split piece's with om_set_id())
 * @owner: slot of its owner, -1 once the owner let go
 * @claims: per holder slot, the claims it holds (> 0: a reference)
 * @tag: the caller's: the byte pattern its bytes hold
 * @keeper: slot of the holder whose bytes they stay when the last hold
 *          goes: its owner, or -1 once a holder that is not read-only
 *          claimed it, or its owner exited while others held it
 */
struct om_region {
	u64 off;
	u64 size;
	u64 id;
	int owner;
	u32 claims[OM_HOLDERS];
	u8 tag;
	int keeper;
};

/**
 * struct om_token - one outstanding token
 * @value: what the layer returned
 * @off: first byte of the shared range
 * @size: its bytes
 * @left: claims left
 * @maker: slot of the holder that made it
 * @reg: index of its region in struct omodel.regions
 */
struct om_token {
	u64 value;
	u64 off;
	u64 size;
	u32 left;
	int maker;
	unsigned int reg;
};

/**
 * struct om_range - a range returned to the arena
 * @off: arena offset
 * @size: bytes
 * @tag: the byte pattern it held
 * @by: slot of the holder whose bytes they stay (its owner freed it, nobody
 *      else holding it), or -1: nobody's (gomem_owner.c's "clean bytes")
 */
struct om_range {
	u64 off;
	u64 size;
	u8 tag;
	int by;
};

/**
 * struct omodel - the model of one struct gomem_owners
 * @granule: the arena's allocation unit
 * @max_size: the arena's max_size (larger allocations are -EINVAL)
 * @page_size: largest alignment allowed
 * @max_records: records per holder
 * @max_bytes: bytes a holder may hold, owned and referenced (0: no limit;
 *             set after om_init())
 * @live: per slot: a holder exists there
 * @ro: per slot: its holder is read-only (gomem_holder.readonly)
 * @hid: per slot: the real holder's id (for gomem_owners_walk())
 * @regions: live regions, unordered
 * @nr_regions: entries used in @regions
 * @tokens: outstanding tokens, unordered
 * @nr_tokens: entries used in @tokens
 * @freed: ranges the last call returned to the arena
 * @nr_freed: entries used in @freed
 * @arena_allocs: allocations the arena must have counted
 * @arena_frees: frees the arena must have counted (partial ones too)
 */
struct omodel {
	u64 granule;
	u64 max_size;
	u64 page_size;
	u64 max_records;
	u64 max_bytes;
	bool live[OM_HOLDERS];
	bool ro[OM_HOLDERS];
	u64 hid[OM_HOLDERS];
	struct om_region *regions;
	unsigned int nr_regions;
	unsigned int cap_regions;
	struct om_token *tokens;
	unsigned int nr_tokens;
	unsigned int cap_tokens;
	struct om_range *freed;
	unsigned int nr_freed;
	unsigned int cap_freed;
	u64 arena_allocs;
	u64 arena_frees;
};

void om_init(struct omodel *m, u64 granule, u64 max_size, u64 page_size,
	     u64 max_records);
void om_destroy(struct omodel *m);

/* A holder appears in slot @h (free), with the real holder's @id. */
void om_holder_new(struct omodel *m, int h, u64 id, bool ro);
/* A free slot, or -1. */
int om_free_slot(const struct omodel *m);
/* Live holders. */
unsigned int om_holders(const struct omodel *m);
/* Records of holder @h: regions owned, references, tokens made. */
u64 om_records(const struct omodel *m, int h);

/* Index of the region holding byte @off, or -1. */
int om_region_at(const struct omodel *m, u64 off);
/* Index of the outstanding token @value, or -1. */
int om_token_find(const struct omodel *m, u64 value);
/* Does anything but its owner hold region @i (a claim, a token)? */
bool om_shared(const struct omodel *m, unsigned int i);

/*
 * What gomem_own_alloc() must return before the arena is asked: -EINVAL
 * (flags, size, alignment), -EDQUOT, or 0 (the arena decides: 0 or
 * -ENOMEM).  Changes nothing.
 */
int om_alloc_check(const struct omodel *m, int h, u64 size, u64 align,
		   u32 flags);
/*
 * The arena gave [@off, +@size) (@size as asked: rounded here) for @h with
 * @id; @tag is the pattern the caller writes into it.
 * Return: 0, or -EEXIST if it overlaps a live region (nothing recorded).
 */
int om_alloc_commit(struct omodel *m, int h, u64 off, u64 size, u64 id,
		    u8 tag);

/*
 * gomem_own_free(): the result; on success the change, ranges in @freed.
 * A middle free splits the region: the tail is a new region with id 0.
 */
int om_free(struct omodel *m, int h, u64 off, u64 size);
/* Region @i's id is @id (a split piece's, learnt from the layer). */
void om_set_id(struct omodel *m, unsigned int i, u64 id);
/* gomem_own_recycle(): regions freed, *@bytes their bytes. */
u64 om_recycle(struct omodel *m, int h, u64 *bytes);
/* gomem_own_undo(): whether it takes the region back (then it does). */
bool om_undo(struct omodel *m, int h, u64 off, u64 size, u64 id);

/*
 * gomem_own_share(): the result; on success a new token whose value is
 * set by om_share_value() (the layer's answer), index in *@tok.
 */
int om_share(struct omodel *m, int h, u64 off, u64 size, u32 claims,
	     int *tok);
void om_share_value(struct omodel *m, int tok, u64 value);
/* gomem_own_claim(): the result, with the shared range on success. */
int om_claim(struct omodel *m, int h, u64 value, u64 *off, u64 *size);
/* gomem_own_cancel(). */
int om_cancel(struct omodel *m, int h, u64 value);
/* gomem_own_release(). */
int om_release(struct omodel *m, int h, u64 off);
/* gomem_holder_exit(): the slot is free after it. */
void om_holder_exit(struct omodel *m, int h, struct gomem_reclaim *out);

/* What gomem_own_stats() must report for @h. */
void om_stats(const struct omodel *m, int h, struct gomem_owner_stats *st);
/* Bytes of all live regions: the arena's in_use. */
u64 om_in_use(const struct omodel *m);
/* What gomem_owners_walk() must report for region @i. */
void om_region_info(const struct omodel *m, unsigned int i,
		    struct gomem_owner_region_info *ri);

#endif /* _GOMEM_HARNESS_OWNER_MODEL_H */
