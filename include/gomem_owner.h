/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gomem ownership: who holds which region of an arena.
 *
 * A layer between the arena and the device, knowing nothing of files or
 * user pointers.  A *holder* is one user of the arena (the device makes one
 * per open()).  A *region* is one allocation of the arena.  A region has
 * holds of three kinds:
 *  - its owner: the holder that allocated it, until it frees the region
 *    (which may be partial while nobody else holds it) or goes away;
 *  - references: a holder that claimed a token of the region holds it
 *    until it releases it (once per claim) or goes away;
 *  - tokens: a share token holds the region until it has been claimed as
 *    many times as it was made for, is cancelled, or its maker goes away.
 * The region returns to the arena exactly when its last hold goes, so a
 * region with a holder is never handed to another allocation and trim
 * never releases its chunk.
 *
 * Tokens are 64-bit values that name one token of one region for as long
 * as the token lives: a keyed permutation of a counter that never repeats
 * for the life of the arena (so a value is never reused, and never names
 * a later region at the same offset), under a random key (so a holder
 * that was not given a value cannot find one by trying).  A token is
 * scoped to its struct gomem_owners: another arena's holder never finds it.
 *
 * Limits: each holder may have at most gomem_owners.max_records records:
 * regions it owns (and those being zeroed for it), references it holds
 * (one per region, however many claims) and tokens it made and that are
 * still outstanding; one more is -EDQUOT.  If gomem_owners.max_bytes is
 * set, the bytes a holder holds (the regions it owns, those being zeroed
 * for it, the regions it references; one it owns and references counts
 * twice, as in_use and ref_bytes) may not pass it either: an allocation
 * or a first claim of a region that would is -EDQUOT.
 *
 * Parks: if gomem_owners.park_max is set, a holder keeps small regions it
 * frees whole for its own next allocation of their size (see "the park"
 * in gomem_owner.c); to everybody else they are free, and they go back
 * to the arena when it has no room, on trim, recycle and exit.
 *
 * Locking: every call takes the arena's lock (gomem_arena_lock()) itself
 * and may sleep, but for allocations and frees a holder's park serves,
 * which take only the holder's park_lock; all are safe from many threads
 * at once.  Records come
 * from slab caches charged to the caller's memory cgroup.
 */
#ifndef _GOMEM_OWNER_H
#define _GOMEM_OWNER_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "gomem_arena.h"

struct gomem_batch_entry;
struct gomem_claim_entry;
struct gomem_owned;
struct gomem_reference;
struct gomem_share_entry;
struct gomem_share_token;

/* Most clean spans one set remembers (struct gomem_owners.clean). */
#define GOMEM_CLEAN_MAX		1024
/* Smallest free that makes a clean span, by default (a page). */
#define GOMEM_CLEAN_MIN		PAGE_SIZE

/*
 * The park (see "the park" in gomem_owner.c): most regions one holder
 * keeps freed, the largest region it keeps, and how many of its live
 * regions it can free without the arena lock.
 */
#define GOMEM_PARK_MAX		32
#define GOMEM_PARK_SIZE		(64 * 1024)
#define GOMEM_HOT_MAX		32

/**
 * struct gomem_owners - the ownership records of one arena
 * @arena: the arena; its lock protects everything here and in every
 *         holder of this set
 * @regions: every live region, by offset (struct gomem_region.node)
 * @tokens: every outstanding token, by value (struct gomem_share_token.node)
 * @spare: unused region records kept for reuse
 * @nr_spare: records on @spare
 * @all: every holder (struct gomem_holder.node), for the checker
 * @holders: holders that exist
 * @next_holder: the last holder id handed out
 * @next_id: the last region id handed out
 * @max_records: most records one holder may have (see the top of file)
 * @max_bytes: most bytes one holder may hold (see the top of file); 0 for
 *             no limit; set by the caller after gomem_owners_init(),
 *             before the set is used
 * @token_key: secret key of the token permutation, random at init
 * @token_ctr: the last token counter value used
 * @nr_tokens: outstanding tokens
 * @nr_refs: reference records (a holder's claims of one region count once)
 * @nr_orphans: regions whose owner let go, kept alive by others
 * @orphan_bytes: their bytes
 * @clean: what is known of free bytes that need no zeroing, by offset
 *         (struct gomem_clean.node; see "clean bytes" in gomem_owner.c)
 * @clean_lru: the same spans, least recently made or grown first
 * @nr_clean: spans in @clean, at most %GOMEM_CLEAN_MAX
 * @clean_min: frees smaller than this make no span (%GOMEM_CLEAN_MIN;
 *             tests may lower it before the set is used)
 * @clean_spare: unused span records kept for reuse (by their lru link)
 * @nr_clean_spare: records on @clean_spare
 * @zeroed: bytes zeroed for allocations that asked for zeroes
 * @zero_skipped: bytes of such allocations left unzeroed, being zero
 *                already or the allocating holder's own (the parks' hits
 *                of holders still there not included)
 * @park_max: most regions a holder parks (0: no park; at most
 *            %GOMEM_PARK_MAX); set by the caller after
 *            gomem_owners_init(), before the set is used
 * @park_hits: allocations the parks of holders that went away served
 */
struct gomem_owners {
	struct gomem_arena *arena;
	struct rb_root regions;
	struct rb_root tokens;
	struct hlist_head spare;
	unsigned int nr_spare;
	struct list_head all;
	u64 holders;
	u64 next_holder;
	u64 next_id;
	u64 max_records;
	u64 max_bytes;
	siphash_key_t token_key;
	u64 token_ctr;
	u64 nr_tokens;
	u64 nr_refs;
	u64 nr_orphans;
	u64 orphan_bytes;
	struct rb_root clean;
	struct list_head clean_lru;
	unsigned int nr_clean;
	u64 clean_min;
	struct list_head clean_spare;
	unsigned int nr_clean_spare;
	u64 zeroed;
	u64 zero_skipped;
	unsigned int park_max;
	u64 park_hits;
};

/**
 * struct gomem_parked - a region in a holder's park
 * @offset: its arena offset
 * @size: its bytes
 * @r: its record
 */
struct gomem_parked {
	u64 offset;
	u64 size;
	struct gomem_owned *r;
};

/**
 * struct gomem_hot - a live region its holder may free without the arena lock
 * @offset: its arena offset
 * @r: its record
 */
struct gomem_hot {
	u64 offset;
	struct gomem_owned *r;
};

/**
 * struct gomem_holder - one user of an arena (a device session)
 * @owners: the set it belongs to
 * @node: in gomem_owners.all
 * @regions: regions it owns (struct gomem_region.link)
 * @refs: its references (struct gomem_reference.hlink)
 * @tokens: tokens it made that are outstanding (struct gomem_share_token.hlink)
 * @id: unique among the holders of @owners, for debugging output
 * @in_use: bytes of the regions it owns
 * @nr_regions: regions it owns
 * @nr_pending: regions being allocated or zeroed for it, not yet linked
 * @pending_bytes: their bytes
 * @nr_refs: regions it holds by reference
 * @ref_bytes: their bytes (each region once)
 * @nr_tokens: outstanding tokens it made
 * @readonly: cannot write what it holds by reference (a session opened
 *            read-only), so its claims leave a region's bytes its
 *            owner's; set by the caller after gomem_holder_init(), before
 *            the holder's first call
 * @park_lock: protects the fields below (see "the park" in
 *             gomem_owner.c); taken inside the arena lock, or alone
 * @nr_parked: regions in @park (counted in @nr_regions and @in_use too)
 * @parked_bytes: their bytes
 * @park: regions it freed and keeps for its next allocation of their
 *        size, oldest first
 * @nr_hot: entries of @hot
 * @hot_next: the entry of @hot the next one replaces when it is full
 * @hot: live regions of its own it may free without the arena lock
 * @id_next: the next region id it may hand out without the arena lock
 * @id_end: one past the last
 * @park_hits: allocations its park served
 * @park_skipped: bytes of those that asked for zeroes
 */
struct gomem_holder {
	struct gomem_owners *owners;
	struct list_head node;
	struct hlist_head regions;
	struct hlist_head refs;
	struct hlist_head tokens;
	u64 id;
	u64 in_use;
	u64 nr_regions;
	u64 nr_pending;
	u64 pending_bytes;
	u64 nr_refs;
	u64 ref_bytes;
	u64 nr_tokens;
	bool readonly;
	spinlock_t park_lock;	/* the park: see its kernel-doc above */
	unsigned int nr_parked;
	u64 parked_bytes;
	struct gomem_parked park[GOMEM_PARK_MAX];
	unsigned int nr_hot;
	unsigned int hot_next;
	struct gomem_hot hot[GOMEM_HOT_MAX];
	u64 id_next;
	u64 id_end;
	u64 park_hits;
	u64 park_skipped;
};

/**
 * struct gomem_owner_stats - one holder's view, and the set's totals
 * @holders: holders of the set
 * @in_use: bytes of the regions the holder owns (not those it parked)
 * @regions: regions it owns (not those it parked)
 * @refs: regions it holds by reference
 * @ref_bytes: their bytes
 * @tokens: outstanding tokens it made
 * @all_refs: reference records of every holder
 * @all_tokens: outstanding tokens of every holder
 * @orphans: regions whose owner let go, alive for their other holders
 * @orphan_bytes: their bytes
 * @zeroed: bytes the set zeroed for allocations (every holder)
 * @zero_skipped: bytes of those allocations that needed no zeroing
 * @parked: bytes of regions parked, every holder (allocated in the arena,
 *          counted in none of the holders' @in_use)
 * @parked_regions: those regions
 * @session_parked: bytes of the regions this holder parked
 * @park_hits: allocations served by a park, every holder ever: add it to
 *             the arena's allocs, and it plus @parked_regions to its frees,
 *             for the counts the holders made
 */
struct gomem_owner_stats {
	u64 holders;
	u64 in_use;
	u64 regions;
	u64 refs;
	u64 ref_bytes;
	u64 tokens;
	u64 all_refs;
	u64 all_tokens;
	u64 orphans;
	u64 orphan_bytes;
	u64 zeroed;
	u64 zero_skipped;
	u64 parked;
	u64 parked_regions;
	u64 session_parked;
	u64 park_hits;
};

/**
 * struct gomem_reclaim - what a holder's going away gave back
 * @regions: regions it owned
 * @bytes: their bytes
 * @refs: references it dropped
 * @tokens: tokens it cancelled
 * @freed: regions returned to the arena (all kinds of holds)
 */
struct gomem_reclaim {
	u64 regions;
	u64 bytes;
	u64 refs;
	u64 tokens;
	u64 freed;
};

/**
 * struct gomem_owner_region_info - one region, for gomem_owners_walk()
 * @offset: arena offset
 * @size: bytes
 * @id: the region's id (never reused)
 * @owner: the owner's holder id, 0 if the owner let go
 * @refs: holders that hold it by reference
 * @claims: references in all (a holder's claims each count)
 * @tokens: outstanding tokens of it
 */
struct gomem_owner_region_info {
	u64 offset;
	u64 size;
	u64 id;
	u64 owner;
	u64 refs;
	u64 claims;
	u64 tokens;
};

int gomem_owner_cache_init(void);
void gomem_owner_cache_exit(void);

void gomem_owners_init(struct gomem_owners *o, struct gomem_arena *a,
		       u64 max_records);
void gomem_owners_destroy(struct gomem_owners *o);
int gomem_owners_check(struct gomem_owners *o);
int gomem_owners_walk(struct gomem_owners *o, u64 from,
		      int (*fn)(void *data,
				const struct gomem_owner_region_info *ri),
		      void *data);

void gomem_holder_init(struct gomem_owners *o, struct gomem_holder *h);
void gomem_holder_exit(struct gomem_holder *h, struct gomem_reclaim *out);

int gomem_own_alloc(struct gomem_holder *h, u64 size, u64 align, u32 flags,
		    u64 *offset, u64 *id);
void gomem_own_undo(struct gomem_holder *h, u64 offset, u64 size, u64 id);
int gomem_own_free(struct gomem_holder *h, u64 offset, u64 size);
u64 gomem_own_recycle(struct gomem_holder *h, u64 *bytes);

u32 gomem_own_alloc_batch(struct gomem_holder *h, struct gomem_batch_entry *e,
			  unsigned int n, u64 align, u32 flags,
			  struct gomem_owned **recs, u64 *ids);
void gomem_own_undo_batch(struct gomem_holder *h,
			  const struct gomem_batch_entry *e, unsigned int n,
			  const u64 *ids);
u32 gomem_own_free_batch(struct gomem_holder *h, struct gomem_batch_entry *e,
			 unsigned int n);

int gomem_own_share(struct gomem_holder *h, u64 offset, u64 size, u32 claims,
		    u64 *token);
int gomem_own_claim(struct gomem_holder *h, u64 token, u64 *offset,
		    u64 *size);
int gomem_own_cancel(struct gomem_holder *h, u64 token);
int gomem_own_release(struct gomem_holder *h, u64 offset);
u32 gomem_own_release_batch(struct gomem_holder *h,
			    struct gomem_batch_entry *e, unsigned int n);
u32 gomem_own_share_batch(struct gomem_holder *h, struct gomem_share_entry *e,
			  unsigned int n, struct gomem_share_token **recs);
void gomem_own_undo_share_batch(struct gomem_holder *h,
				const struct gomem_share_entry *e,
				unsigned int n);
u32 gomem_own_claim_batch(struct gomem_holder *h, struct gomem_claim_entry *e,
			  unsigned int n, struct gomem_reference **recs);
void gomem_own_undo_claim_batch(struct gomem_holder *h,
				const struct gomem_claim_entry *e,
				unsigned int n);

void gomem_own_stats(struct gomem_holder *h, struct gomem_owner_stats *st,
		     struct gomem_arena_stats *as);
void gomem_owners_stats(struct gomem_owners *o, struct gomem_owner_stats *st,
			struct gomem_arena_stats *as);
u64 gomem_owners_flush(struct gomem_owners *o);

#endif /* _GOMEM_OWNER_H */
