// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit suite for the ownership layer (gomem_owner.c): gomem_owner.  One
 * case per row and edge rule of docs/ownership.md: allocation, whole and
 * partial frees, the errors of each call, shared regions that outlive
 * their owner, share tokens (claims, cancel, scope, values), references,
 * holder exit, recycle, undo, the record limit, batches, statistics, the
 * walk, and the park (a holder's small whole frees kept for its own next
 * allocation, given back on no room, at its limits, recycle, exit and
 * trim).  Every case runs the set's invariant checker after each step and
 * ends with every holder gone and the arena empty.  Also compiled into
 * the userspace harness.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/page.h>

#include "gomem_arena.h"
#include "gomem_owner.h"
#include "uapi/gomem.h"

/* A small arena: 4 KiB first chunk, growth up to 16 KiB chunks, 64 KiB. */
#define T_INITIAL	PAGE_SIZE
#define T_MAX_CHUNK	(4 * PAGE_SIZE)
#define T_MAX_SIZE	(16 * PAGE_SIZE)
#define T_GRANULE	64
#define T_RECORDS	16
#define T_HOLDERS	4

/* Tokens made by tokens_are_never_zero_nor_repeated. */
#define T_TOKENS	100000
/* Slots of its set of values: a power of two, at least twice T_TOKENS. */
#define T_TOKEN_SLOTS	262144U

struct owner_fixture {
	struct gomem_arena a;
	struct gomem_owners o;
	struct gomem_holder h[T_HOLDERS];
	bool h_live[T_HOLDERS];
	bool live;
	/* Another arena and set, for the scope of tokens. */
	struct gomem_arena a2;
	struct gomem_owners o2;
	struct gomem_holder h2;
	bool live2;
	u64 *values;
};

static struct owner_fixture *ofix(struct kunit *test)
{
	return test->priv;
}

/* The set's invariant checker, after each step. */
static void expect_sound(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, gomem_owners_check(&ofix(test)->o), 0,
			    "owners checker");
}

/* The arena and its set, with @max_records records per holder. */
static struct owner_fixture *owner_setup(struct kunit *test, u64 max_records)
{
	struct owner_fixture *f = ofix(test);
	struct gomem_arena_params p = {
		.initial_size = T_INITIAL,
		.max_chunk = T_MAX_CHUNK,
		.max_size = T_MAX_SIZE,
		.granule = T_GRANULE,
		.policy = GOMEM_POLICY_TREAP,
		.source = GOMEM_CHUNKS_VMALLOC,
	};

	KUNIT_ASSERT_EQ(test, gomem_arena_init(&f->a, &p), 0);
	gomem_owners_init(&f->o, &f->a, max_records);
	/* Clean spans for granule-sized frees too (a page by default). */
	f->o.clean_min = 0;
	f->live = true;
	expect_sound(test);
	return f;
}

/* Holder @i, made on first use. */
static struct gomem_holder *holder(struct kunit *test, unsigned int i)
{
	struct owner_fixture *f = ofix(test);

	if (!f->h_live[i]) {
		gomem_holder_init(&f->o, &f->h[i]);
		f->h_live[i] = true;
		expect_sound(test);
	}
	return &f->h[i];
}

/* Holder @i goes away; what it gave back in *@rc. */
static void holder_gone(struct kunit *test, unsigned int i,
			struct gomem_reclaim *rc)
{
	struct owner_fixture *f = ofix(test);

	KUNIT_ASSERT_TRUE(test, f->h_live[i]);
	gomem_holder_exit(&f->h[i], rc);
	f->h_live[i] = false;
	expect_sound(test);
}

static u64 arena_in_use(struct kunit *test)
{
	struct gomem_arena_stats st;

	gomem_arena_stats(&ofix(test)->a, &st);
	return st.in_use;
}

static u64 must_alloc(struct kunit *test, struct gomem_holder *h, u64 size)
{
	u64 off = U64_MAX, id = 0;

	KUNIT_ASSERT_EQ(test, gomem_own_alloc(h, size, 0, 0, &off, &id), 0);
	KUNIT_EXPECT_NE(test, id, 0ULL);
	expect_sound(test);
	return off;
}

static u64 must_share(struct kunit *test, struct gomem_holder *h, u64 off,
		      u64 size, u32 claims)
{
	u64 token = 0;

	KUNIT_ASSERT_EQ(test, gomem_own_share(h, off, size, claims, &token),
			0);
	KUNIT_EXPECT_NE(test, token, 0ULL);
	expect_sound(test);
	return token;
}

/* A claim of @token that must give [@off, +@size). */
static void must_claim(struct kunit *test, struct gomem_holder *h, u64 token,
		       u64 off, u64 size)
{
	u64 got_off = U64_MAX, got_size = U64_MAX;

	KUNIT_ASSERT_EQ(test, gomem_own_claim(h, token, &got_off, &got_size),
			0);
	KUNIT_EXPECT_EQ(test, got_off, off);
	KUNIT_EXPECT_EQ(test, got_size, size);
	expect_sound(test);
}

static int claim(struct gomem_holder *h, u64 token)
{
	u64 off, size;

	return gomem_own_claim(h, token, &off, &size);
}

/*
 * Compare gomem_own_stats() of @h with @want, field by field; holders,
 * all_refs, all_tokens, orphans, orphan_bytes, parked and parked_regions
 * are the set's.
 */
static void expect_stats(struct kunit *test, struct gomem_holder *h,
			 struct gomem_owner_stats want)
{
	struct gomem_owner_stats st;

	memset(&st, 0xa5, sizeof(st));
	gomem_own_stats(h, &st, NULL);
	KUNIT_EXPECT_EQ_MSG(test, st.holders, want.holders, "holders");
	KUNIT_EXPECT_EQ_MSG(test, st.in_use, want.in_use, "in_use");
	KUNIT_EXPECT_EQ_MSG(test, st.regions, want.regions, "regions");
	KUNIT_EXPECT_EQ_MSG(test, st.refs, want.refs, "refs");
	KUNIT_EXPECT_EQ_MSG(test, st.ref_bytes, want.ref_bytes, "ref_bytes");
	KUNIT_EXPECT_EQ_MSG(test, st.tokens, want.tokens, "tokens");
	KUNIT_EXPECT_EQ_MSG(test, st.all_refs, want.all_refs, "all_refs");
	KUNIT_EXPECT_EQ_MSG(test, st.all_tokens, want.all_tokens,
			    "all_tokens");
	KUNIT_EXPECT_EQ_MSG(test, st.orphans, want.orphans, "orphans");
	KUNIT_EXPECT_EQ_MSG(test, st.orphan_bytes, want.orphan_bytes,
			    "orphan_bytes");
	KUNIT_EXPECT_EQ_MSG(test, st.parked, want.parked, "parked");
	KUNIT_EXPECT_EQ_MSG(test, st.parked_regions, want.parked_regions,
			    "parked_regions");
	KUNIT_EXPECT_EQ_MSG(test, st.session_parked, want.session_parked,
			    "session_parked");
}

/* What gomem_owners_walk() reports of the region holding @off. */
struct region_probe {
	u64 off;
	bool found;
	struct gomem_owner_region_info ri;
};

static int probe_fn(void *data, const struct gomem_owner_region_info *ri)
{
	struct region_probe *p = data;

	if (ri->offset <= p->off && p->off - ri->offset < ri->size) {
		p->ri = *ri;
		p->found = true;
	}
	return 1;
}

static bool region_info(struct kunit *test, u64 off,
			struct gomem_owner_region_info *ri)
{
	struct region_probe p = { .off = off };

	gomem_owners_walk(&ofix(test)->o, off, probe_fn, &p);
	*ri = p.ri;
	return p.found;
}

/* Is any byte of [@off, +@size) in a live region of the set? */
static bool region_live(struct kunit *test, u64 off)
{
	struct gomem_owner_region_info ri;

	return region_info(test, off, &ri);
}

static void pattern(struct kunit *test, u64 off, u64 size, u8 byte)
{
	u8 *p = gomem_arena_ptr(&ofix(test)->a, off, size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, byte, size);
}

static bool intact(struct kunit *test, u64 off, u64 size, u8 byte)
{
	u8 *p = gomem_arena_ptr(&ofix(test)->a, off, size);

	return p && !memchr_inv(p, byte, size);
}

/* ---- allocation and free ---- */

static void alloc_gives_the_caller_a_zeroed_region(struct kunit *test)
{
	struct owner_fixture *f = owner_setup(test, T_RECORDS);
	struct gomem_holder *a = holder(test, 0);
	struct gomem_owner_region_info ri;
	u64 off, off2, id, id2;

	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off, &id), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, off % T_GRANULE, 0ULL);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = 128, .regions = 1 });
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 128ULL);
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.offset, off);
	KUNIT_EXPECT_EQ(test, ri.size, 128ULL);
	KUNIT_EXPECT_EQ(test, ri.id, id);
	KUNIT_EXPECT_EQ(test, ri.owner, a->id);
	KUNIT_EXPECT_TRUE(test, intact(test, off, 128, 0));

	/*
	 * Freed and allocated again by another holder: same bytes, zeroed,
	 * a new id.
	 */
	pattern(test, off, 128, 0x5a);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 100), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(holder(test, 1), 128, 64, 0,
					      &off2, &id2), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, off2, off);
	KUNIT_EXPECT_NE(test, id2, id);
	KUNIT_EXPECT_TRUE(test, intact(test, off, 128, 0));
	KUNIT_EXPECT_EQ(test, gomem_own_free(holder(test, 1), off, 128), 0);
	holder_gone(test, 1, NULL);

	/* GOMEM_ALLOC_NOZERO is the one flag allowed. */
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 8, 0, GOMEM_ALLOC_NOZERO,
					      &off, &id), 0);
	expect_sound(test);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = 64, .regions = 1 });
	KUNIT_EXPECT_EQ(test, f->o.holders, 1ULL);
}

static void alloc_rejects_bad_arguments(struct kunit *test)
{
	struct gomem_holder *a;
	u64 off = 7, id = 9;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 64, 0, 0x2, &off, &id),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 64, 0, ~0U, &off, &id),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 0, 0, 0, &off, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, T_MAX_SIZE + 1, 0, 0, &off,
					      &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, U64_MAX, 0, 0, &off, &id),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 64, 3, 0, &off, &id),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 64, 2 * PAGE_SIZE, 0, &off,
					      &id), -EINVAL);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, off, 7ULL);
	KUNIT_EXPECT_EQ(test, id, 9ULL);
	expect_stats(test, a, (struct gomem_owner_stats){ .holders = 1 });
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
}

static void alloc_fails_for_room(struct kunit *test)
{
	struct gomem_holder *a;
	struct gomem_arena_stats st;
	u64 off, id;
	int i;

	/* Chunks of 1, 2, 4, 4, 4 and 1 pages: 16 pages fill max_size. */
	owner_setup(test, 32);
	a = holder(test, 0);
	for (i = 0; i < 16; i++)
		must_alloc(test, a, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 64, 0, 0, &off, &id),
			-ENOMEM);
	expect_sound(test);
	gomem_arena_stats(&ofix(test)->a, &st);
	KUNIT_EXPECT_EQ(test, st.failed_allocs, 1ULL);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = T_MAX_SIZE, .regions = 16 });
}

static void free_whole_and_partial(struct kunit *test)
{
	struct gomem_owner_region_info ri, ri2;
	struct gomem_holder *a;
	u64 off;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	off = must_alloc(test, a, 16 * T_GRANULE);
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));

	/* Head: the region keeps its id. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	expect_sound(test);
	KUNIT_EXPECT_FALSE(test, region_live(test, off + T_GRANULE));
	KUNIT_ASSERT_TRUE(test, region_info(test, off + 2 * T_GRANULE, &ri2));
	KUNIT_EXPECT_EQ(test, ri2.size, 14ULL * T_GRANULE);
	KUNIT_EXPECT_EQ(test, ri2.id, ri.id);

	/* Tail, a size rounded up to the granule. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 14 * T_GRANULE,
					     T_GRANULE + 1), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 12ULL * T_GRANULE);

	/* Middle: a split, the second piece with an id of its own. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 6 * T_GRANULE,
					     2 * T_GRANULE), 0);
	expect_sound(test);
	KUNIT_ASSERT_TRUE(test, region_info(test, off + 2 * T_GRANULE, &ri));
	KUNIT_EXPECT_EQ(test, ri.size, 4ULL * T_GRANULE);
	KUNIT_ASSERT_TRUE(test, region_info(test, off + 8 * T_GRANULE, &ri2));
	KUNIT_EXPECT_EQ(test, ri2.size, 6ULL * T_GRANULE);
	KUNIT_EXPECT_NE(test, ri2.id, ri.id);
	KUNIT_EXPECT_EQ(test, ri2.owner, a->id);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = 10 * T_GRANULE, .regions = 2 });

	/* The pieces are regions: a free spanning both is refused. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 2 * T_GRANULE,
					     12 * T_GRANULE), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 2 * T_GRANULE,
					     4 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 8 * T_GRANULE,
					     6 * T_GRANULE), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
	expect_stats(test, a, (struct gomem_owner_stats){ .holders = 1 });
}

static void free_rejects_bad_ranges(struct kunit *test)
{
	struct gomem_holder *a, *b;
	u64 off, other, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	off = must_alloc(test, a, 4 * T_GRANULE);
	other = must_alloc(test, b, 4 * T_GRANULE);

	/* -EINVAL: size 0, off the granule, free space, past the end. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 8, T_GRANULE), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, T_MAX_SIZE * 2, T_GRANULE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 5 * T_GRANULE), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 3 * T_GRANULE,
					     T_GRANULE + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, U64_MAX), -EINVAL);

	/* -EPERM: another's region, one held only by reference. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, other, 4 * T_GRANULE), -EPERM);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, other + T_GRANULE, T_GRANULE),
			-EPERM);
	token = must_share(test, b, other, 0, 1);
	must_claim(test, a, token, other, 4 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, other, 4 * T_GRANULE), -EPERM);
	/* Nor is an orphan anybody's to free. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(b, other, 4 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(b, other, 4 * T_GRANULE), -EPERM);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, other, 4 * T_GRANULE), -EPERM);
	expect_sound(test);

	/* Nothing changed but b's ownership. */
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 8ULL * T_GRANULE);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 4 * T_GRANULE, .regions = 1,
		.refs = 1, .ref_bytes = 4 * T_GRANULE, .all_refs = 1,
		.orphans = 1, .orphan_bytes = 4 * T_GRANULE });
	KUNIT_EXPECT_EQ(test, gomem_own_release(a, other), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 4ULL * T_GRANULE);
}

/*
 * A region others hold: no part of it may be freed; freed whole, it stays
 * allocated (nobody else gets its bytes) until its last holder goes.
 */
static void shared_region_outlives_its_owner(struct kunit *test)
{
	struct gomem_owner_region_info ri;
	struct gomem_holder *a, *b;
	u64 off, token, fresh[4];
	unsigned int i;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	off = must_alloc(test, a, 8 * T_GRANULE);
	pattern(test, off, 8 * T_GRANULE, 0x3c);
	token = must_share(test, a, off + 10, 100, 1);
	must_claim(test, b, token, off + 10, 100);

	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, T_GRANULE), -EBUSY);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 7 * T_GRANULE,
					     T_GRANULE), -EBUSY);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + T_GRANULE, T_GRANULE),
			-EBUSY);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 8 * T_GRANULE), 0);
	expect_sound(test);

	/* Still allocated, owned by nobody, held by b. */
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 8ULL * T_GRANULE);
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.owner, 0ULL);
	KUNIT_EXPECT_EQ(test, ri.refs, 1ULL);
	KUNIT_EXPECT_EQ(test, ri.claims, 1ULL);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .all_refs = 1, .orphans = 1,
		.orphan_bytes = 8 * T_GRANULE });
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .refs = 1, .ref_bytes = 8 * T_GRANULE,
		.all_refs = 1, .orphans = 1, .orphan_bytes = 8 * T_GRANULE });

	/* New allocations go elsewhere, and leave its bytes alone. */
	for (i = 0; i < ARRAY_SIZE(fresh); i++) {
		fresh[i] = must_alloc(test, a, 8 * T_GRANULE);
		KUNIT_EXPECT_TRUE(test, fresh[i] >= off + 8 * T_GRANULE ||
				  fresh[i] + 8 * T_GRANULE <= off);
	}
	KUNIT_EXPECT_TRUE(test, intact(test, off, 8 * T_GRANULE, 0x3c));
	for (i = 0; i < ARRAY_SIZE(fresh); i++)
		KUNIT_EXPECT_EQ(test, gomem_own_free(a, fresh[i],
						     8 * T_GRANULE), 0);

	/* The last hold goes: the region returns to the arena. */
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off + 5 * T_GRANULE), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
	KUNIT_EXPECT_FALSE(test, region_live(test, off));
	expect_stats(test, b, (struct gomem_owner_stats){ .holders = 2 });
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 8 * T_GRANULE), off);
}

/* An unclaimed token is a hold of its own. */
static void token_holds_its_region(struct kunit *test)
{
	struct gomem_holder *a, *b;
	u64 off, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	off = must_alloc(test, a, 4 * T_GRANULE);
	token = must_share(test, a, off, 0, 2);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, T_GRANULE), -EBUSY);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 4 * T_GRANULE), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 4ULL * T_GRANULE);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .tokens = 1, .all_tokens = 1, .orphans = 1,
		.orphan_bytes = 4 * T_GRANULE });

	/* Claimed after its owner let go: still good. */
	must_claim(test, b, token, off, 4 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 4ULL * T_GRANULE);

	/* Its maker cancels it: the region goes. */
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, token), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
	expect_stats(test, a, (struct gomem_owner_stats){ .holders = 2 });
}

/* ---- tokens and references ---- */

static void share_claim_release(struct kunit *test)
{
	struct gomem_owner_region_info ri;
	struct gomem_holder *a, *b;
	u64 off, token, t2;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	off = must_alloc(test, a, 10 * T_GRANULE);

	/* Size 0: to the region's end; any byte, no alignment. */
	token = must_share(test, a, off + 7, 0, 1);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 10 * T_GRANULE, .regions = 1,
		.tokens = 1, .all_tokens = 1 });
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.tokens, 1ULL);
	must_claim(test, b, token, off + 7, 10 * T_GRANULE - 7);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .refs = 1, .ref_bytes = 10 * T_GRANULE,
		.all_refs = 1 });
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.tokens, 0ULL);
	KUNIT_EXPECT_EQ(test, ri.refs, 1ULL);
	KUNIT_EXPECT_EQ(test, ri.owner, a->id);

	/* A one-claim token is used up. */
	KUNIT_EXPECT_EQ(test, claim(b, token), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(a, token), -ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, token), -ENOENT);

	/* The whole region, exactly; a range past its end is refused. */
	t2 = must_share(test, a, off, 10 * T_GRANULE, 1);
	KUNIT_EXPECT_EQ(test, gomem_own_share(a, off + 1, 10 * T_GRANULE, 1,
					      &token), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_share(a, off, 0, 0, &token), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_share(a, off + 10 * T_GRANULE, 0, 1,
					      &token), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_share(a, off, U64_MAX, 1, &token),
			-EINVAL);
	expect_sound(test);
	must_claim(test, b, t2, off, 10 * T_GRANULE);
	/* Two claims, one record. */
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .refs = 1, .ref_bytes = 10 * T_GRANULE,
		.all_refs = 1 });
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.claims, 2ULL);

	/* One release per claim; then -EINVAL. */
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off + 10 * T_GRANULE - 1),
			0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), -EINVAL);
	expect_stats(test, b, (struct gomem_owner_stats){ .holders = 2 });
	/* The owner still has it. */
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 10ULL * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 10 * T_GRANULE), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
}

static void share_needs_a_hold(struct kunit *test)
{
	struct gomem_holder *a, *b, *c;
	u64 off, token, t2;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	c = holder(test, 2);
	off = must_alloc(test, a, 4 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_share(b, off, 0, 1, &token), -EPERM);
	KUNIT_EXPECT_EQ(test, gomem_own_share(b, T_MAX_SIZE * 2, 0, 1, &token),
			-EINVAL);

	/*
	 * A region held only by reference may be shared on: the token is
	 * the forwarder's.
	 */
	token = must_share(test, a, off, 0, 1);
	must_claim(test, b, token, off, 4 * T_GRANULE);
	t2 = must_share(test, b, off + T_GRANULE, T_GRANULE, 1);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, t2), -EPERM);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 3, .refs = 1, .ref_bytes = 4 * T_GRANULE,
		.tokens = 1, .all_refs = 1, .all_tokens = 1 });

	/* The producer and the forwarder let go: the consumer keeps it. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 4 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
	must_claim(test, c, t2, off + T_GRANULE, T_GRANULE);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 4ULL * T_GRANULE);
	/* A holder of nothing any more shares nothing. */
	KUNIT_EXPECT_EQ(test, gomem_own_share(b, off, 0, 1, &token), -EPERM);
	KUNIT_EXPECT_EQ(test, gomem_own_release(c, off), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
}

static void tokens_of_many_claims(struct kunit *test)
{
	struct gomem_owner_region_info ri;
	struct gomem_holder *a, *b, *c;
	u64 off, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	c = holder(test, 2);
	off = must_alloc(test, a, 2 * T_GRANULE);
	token = must_share(test, a, off, 0, 3);
	must_claim(test, b, token, off, 2 * T_GRANULE);
	must_claim(test, b, token, off, 2 * T_GRANULE);
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.tokens, 1ULL);
	must_claim(test, c, token, off, 2 * T_GRANULE);
	/* Claims used up: the token is gone. */
	KUNIT_EXPECT_EQ(test, claim(c, token), -ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, token), -ENOENT);
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.tokens, 0ULL);
	KUNIT_EXPECT_EQ(test, ri.refs, 2ULL);
	KUNIT_EXPECT_EQ(test, ri.claims, 3ULL);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 3, .in_use = 2 * T_GRANULE, .regions = 1,
		.all_refs = 2 });

	/* b claimed twice: two releases. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(c, off), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 2ULL * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_release(c, off), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), -EINVAL);
}

static void cancel_is_for_the_maker(struct kunit *test)
{
	struct gomem_holder *a, *b;
	u64 off, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	off = must_alloc(test, a, T_GRANULE);
	token = must_share(test, a, off, 0, 5);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(b, token), -EPERM);
	must_claim(test, b, token, off, T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(b, token), -EPERM);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, token), 0);
	expect_sound(test);
	/* Its remaining claims are void. */
	KUNIT_EXPECT_EQ(test, claim(b, token), -ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, token), -ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(b, token), -ENOENT);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = T_GRANULE, .regions = 1,
		.all_refs = 1 });
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
}

static void claims_of_tokens_that_are_not(struct kunit *test)
{
	struct gomem_holder *a, *b;
	struct gomem_reclaim rc;
	u64 off, used, cancelled, orphaned;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	off = must_alloc(test, a, T_GRANULE);
	used = must_share(test, a, off, 0, 1);
	must_claim(test, b, used, off, T_GRANULE);
	cancelled = must_share(test, a, off, 0, 1);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, cancelled), 0);
	orphaned = must_share(test, a, off, 0, 1);
	holder_gone(test, 0, &rc);

	/* Used up, cancelled, maker gone, never made: all alike. */
	KUNIT_EXPECT_EQ(test, claim(b, used), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(b, cancelled), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(b, orphaned), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(b, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(b, used ^ 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(b, U64_MAX), -ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(b, orphaned), -ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(b, 0), -ENOENT);
	expect_sound(test);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 1, .refs = 1, .ref_bytes = T_GRANULE,
		.all_refs = 1, .orphans = 1, .orphan_bytes = T_GRANULE });
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
}

static void tokens_belong_to_their_set(struct kunit *test)
{
	struct owner_fixture *f = owner_setup(test, T_RECORDS);
	struct gomem_arena_params p = {
		.initial_size = T_INITIAL,
		.max_chunk = T_INITIAL,
		.max_size = 2 * T_INITIAL,
	};
	struct gomem_holder *a, *b;
	u64 off, off2, id, token, t2, o_, s_;

	KUNIT_ASSERT_EQ(test, gomem_arena_init(&f->a2, &p), 0);
	gomem_owners_init(&f->o2, &f->a2, T_RECORDS);
	gomem_holder_init(&f->o2, &f->h2);
	f->live2 = true;
	a = holder(test, 0);
	b = holder(test, 1);
	off = must_alloc(test, a, T_GRANULE);
	token = must_share(test, a, off, 0, 2);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(&f->h2, 64, 0, 0, &off2, &id),
			0);
	KUNIT_ASSERT_EQ(test, gomem_own_share(&f->h2, off2, 0, 2, &t2), 0);

	/* Each set knows only its own tokens. */
	KUNIT_EXPECT_EQ(test, gomem_own_claim(&f->h2, token, &o_, &s_),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(&f->h2, token), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(b, t2), -ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, t2), -ENOENT);
	KUNIT_EXPECT_EQ(test, gomem_owners_check(&f->o2), 0);
	expect_sound(test);

	/* And both still work at home. */
	must_claim(test, b, token, off, T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_claim(&f->h2, t2, &o_, &s_), 0);
	KUNIT_EXPECT_EQ(test, o_, off2);
	KUNIT_EXPECT_EQ(test, gomem_own_release(&f->h2, off2), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(&f->h2, t2), 0);
	KUNIT_EXPECT_EQ(test, gomem_owners_check(&f->o2), 0);
}

/* Insert @v into the set @s of T_TOKEN_SLOTS; false if it was there. */
static bool value_add(u64 *s, u64 v)
{
	u32 i = (u32)((v * 0x9e3779b97f4a7c15ULL) >> 40) & (T_TOKEN_SLOTS - 1);

	for (; s[i]; i = (i + 1) & (T_TOKEN_SLOTS - 1))
		if (s[i] == v)
			return false;
	s[i] = v;
	return true;
}

static void tokens_are_never_zero_nor_repeated(struct kunit *test)
{
	struct owner_fixture *f = owner_setup(test, T_RECORDS);
	struct gomem_holder *a = holder(test, 0);
	u64 off, token, prev = 0, repeats = 0, zeros = 0, downs = 0;
	int i;

	f->values = vzalloc(T_TOKEN_SLOTS * sizeof(*f->values));
	KUNIT_ASSERT_NOT_NULL(test, f->values);
	off = must_alloc(test, a, T_GRANULE);
	/* Each made and cancelled: values must not come back. */
	for (i = 0; i < T_TOKENS; i++) {
		if (gomem_own_share(a, off, 0, 1, &token) ||
		    gomem_own_cancel(a, token)) {
			KUNIT_FAIL(test, "token %d could not be made", i);
			break;
		}
		zeros += !token;
		repeats += token && !value_add(f->values, token);
		downs += token < prev;
		prev = token;
	}
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, zeros, 0ULL);
	KUNIT_EXPECT_EQ(test, repeats, 0ULL);
	/* Not a counter: about half of them are below the one before. */
	KUNIT_EXPECT_GT(test, downs, (u64)T_TOKENS * 2 / 5);
	KUNIT_EXPECT_LT(test, downs, (u64)T_TOKENS * 3 / 5);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = T_GRANULE, .regions = 1 });
}

static void claiming_ones_own_token(struct kunit *test)
{
	struct gomem_owner_region_info ri;
	struct gomem_holder *a;
	u64 off, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	off = must_alloc(test, a, 3 * T_GRANULE);
	token = must_share(test, a, off, 0, 1);
	must_claim(test, a, token, off, 3 * T_GRANULE);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = 3 * T_GRANULE, .regions = 1,
		.refs = 1, .ref_bytes = 3 * T_GRANULE, .all_refs = 1 });
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.owner, a->id);
	KUNIT_EXPECT_EQ(test, ri.refs, 1ULL);

	/* Its reference is a hold like another's. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, T_GRANULE), -EBUSY);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 3 * T_GRANULE), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 3ULL * T_GRANULE);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .refs = 1, .ref_bytes = 3 * T_GRANULE,
		.all_refs = 1, .orphans = 1, .orphan_bytes = 3 * T_GRANULE });
	KUNIT_EXPECT_EQ(test, gomem_own_release(a, off + 2), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
}

static void release_needs_a_reference(struct kunit *test)
{
	struct gomem_holder *a, *b;
	u64 off, other, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	off = must_alloc(test, a, 2 * T_GRANULE);
	other = must_alloc(test, b, 2 * T_GRANULE);
	/* Own regions are freed, not released; others' are not ours. */
	KUNIT_EXPECT_EQ(test, gomem_own_release(a, off), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_release(a, other), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_release(a, T_MAX_SIZE * 2), -EINVAL);
	token = must_share(test, b, other, 0, 1);
	must_claim(test, b, token, other, 2 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(b, other, 2 * T_GRANULE), 0);
	/* An orphan a never held. */
	KUNIT_EXPECT_EQ(test, gomem_own_release(a, other), -EINVAL);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 4ULL * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, other), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, other), -EINVAL);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 2ULL * T_GRANULE);
}

/* ---- holders going away, recycle ---- */

static void holder_exit_gives_back_everything(struct kunit *test)
{
	struct gomem_owner_region_info ri;
	struct gomem_holder *a, *b, *c;
	struct gomem_reclaim rc;
	u64 mine, shared, theirs, t_shared, t_mine, t_theirs, t_fwd;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	c = holder(test, 2);
	mine = must_alloc(test, a, T_GRANULE);
	shared = must_alloc(test, a, 2 * T_GRANULE);
	theirs = must_alloc(test, c, 4 * T_GRANULE);
	pattern(test, shared, 2 * T_GRANULE, 0x77);
	t_shared = must_share(test, a, shared, 0, 1);
	must_claim(test, b, t_shared, shared, 2 * T_GRANULE);
	t_mine = must_share(test, a, mine, 0, 1);
	t_theirs = must_share(test, c, theirs, 0, 2);
	must_claim(test, a, t_theirs, theirs, 4 * T_GRANULE);
	must_claim(test, a, t_theirs, theirs, 4 * T_GRANULE);
	t_fwd = must_share(test, a, theirs, T_GRANULE, 1);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 7ULL * T_GRANULE);

	/* "kill -9": two regions, one reference (two claims), two tokens. */
	memset(&rc, 0xa5, sizeof(rc));
	holder_gone(test, 0, &rc);
	KUNIT_EXPECT_EQ(test, rc.regions, 2ULL);
	KUNIT_EXPECT_EQ(test, rc.bytes, 3ULL * T_GRANULE);
	KUNIT_EXPECT_EQ(test, rc.refs, 1ULL);
	KUNIT_EXPECT_EQ(test, rc.tokens, 2ULL);
	KUNIT_EXPECT_EQ(test, rc.freed, 1ULL);

	/* Its unshared region is gone, the shared one stays for b. */
	KUNIT_EXPECT_FALSE(test, region_live(test, mine));
	KUNIT_ASSERT_TRUE(test, region_info(test, shared, &ri));
	KUNIT_EXPECT_EQ(test, ri.owner, 0ULL);
	KUNIT_EXPECT_TRUE(test, intact(test, shared, 2 * T_GRANULE, 0x77));
	/* c's region lost a's reference, kept its owner. */
	KUNIT_ASSERT_TRUE(test, region_info(test, theirs, &ri));
	KUNIT_EXPECT_EQ(test, ri.owner, c->id);
	KUNIT_EXPECT_EQ(test, ri.refs, 0ULL);
	KUNIT_EXPECT_EQ(test, ri.tokens, 0ULL);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 6ULL * T_GRANULE);
	/* Its tokens died with it. */
	KUNIT_EXPECT_EQ(test, claim(b, t_mine), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(b, t_fwd), -ENOENT);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .refs = 1, .ref_bytes = 2 * T_GRANULE,
		.all_refs = 1, .orphans = 1, .orphan_bytes = 2 * T_GRANULE });

	/* b dies too: the orphan goes with its last holder. */
	holder_gone(test, 1, &rc);
	KUNIT_EXPECT_EQ(test, rc.regions, 0ULL);
	KUNIT_EXPECT_EQ(test, rc.refs, 1ULL);
	KUNIT_EXPECT_EQ(test, rc.freed, 1ULL);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 4ULL * T_GRANULE);
	holder_gone(test, 2, &rc);
	KUNIT_EXPECT_EQ(test, rc.regions, 1ULL);
	KUNIT_EXPECT_EQ(test, rc.freed, 1ULL);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
}

static void region_lives_while_any_holder_does(struct kunit *test)
{
	struct gomem_holder *a, *b, *c, *d;
	struct gomem_reclaim rc;
	u64 off, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	c = holder(test, 2);
	d = holder(test, 3);
	off = must_alloc(test, a, 5 * T_GRANULE);
	pattern(test, off, 5 * T_GRANULE, 0xe1);
	token = must_share(test, a, off, 0, 3);
	must_claim(test, b, token, off, 5 * T_GRANULE);
	must_claim(test, c, token, off, 5 * T_GRANULE);
	holder_gone(test, 0, &rc);	/* the producer dies */
	KUNIT_EXPECT_EQ(test, rc.freed, 0ULL);
	KUNIT_EXPECT_EQ(test, rc.tokens, 1ULL);
	/* Its token went with it, even with a claim left. */
	KUNIT_EXPECT_EQ(test, claim(d, token), -ENOENT);
	holder_gone(test, 1, &rc);
	KUNIT_EXPECT_EQ(test, rc.freed, 0ULL);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 5ULL * T_GRANULE);
	KUNIT_EXPECT_NE(test, must_alloc(test, d, 5 * T_GRANULE), off);
	KUNIT_EXPECT_TRUE(test, intact(test, off, 5 * T_GRANULE, 0xe1));
	holder_gone(test, 2, &rc);
	KUNIT_EXPECT_EQ(test, rc.freed, 1ULL);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 5ULL * T_GRANULE);
	KUNIT_EXPECT_EQ(test, must_alloc(test, d, 5 * T_GRANULE), off);
}

static void recycle_keeps_references_and_tokens(struct kunit *test)
{
	struct gomem_holder *a, *b;
	u64 r1, r2, r3, theirs, t2, t3, tt, bytes = 0;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	r1 = must_alloc(test, a, T_GRANULE);
	r2 = must_alloc(test, a, 2 * T_GRANULE);
	r3 = must_alloc(test, a, 3 * T_GRANULE);
	theirs = must_alloc(test, b, 4 * T_GRANULE);
	t2 = must_share(test, a, r2, 0, 1);
	must_claim(test, b, t2, r2, 2 * T_GRANULE);
	t3 = must_share(test, a, r3, 0, 1);
	tt = must_share(test, b, theirs, 0, 1);
	must_claim(test, a, tt, theirs, 4 * T_GRANULE);
	tt = must_share(test, a, theirs, 0, 1);

	KUNIT_EXPECT_EQ(test, gomem_own_recycle(a, &bytes), 3ULL);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, bytes, 6ULL * T_GRANULE);
	/* r1 freed; r2 (b's reference) and r3 (a token) stay. */
	KUNIT_EXPECT_FALSE(test, region_live(test, r1));
	KUNIT_EXPECT_TRUE(test, region_live(test, r2));
	KUNIT_EXPECT_TRUE(test, region_live(test, r3));
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 9ULL * T_GRANULE);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .refs = 1, .ref_bytes = 4 * T_GRANULE,
		.tokens = 2, .all_refs = 2, .all_tokens = 2, .orphans = 2,
		.orphan_bytes = 5 * T_GRANULE });
	KUNIT_EXPECT_EQ(test, gomem_own_recycle(a, &bytes), 0ULL);
	KUNIT_EXPECT_EQ(test, bytes, 0ULL);

	KUNIT_EXPECT_EQ(test, gomem_own_release(b, r2), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, t3), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 4ULL * T_GRANULE);
	must_claim(test, b, tt, theirs, 4 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_release(a, theirs), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, theirs), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_recycle(b, &bytes), 1ULL);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
}

/* ---- the record limit ---- */

static void record_limit_counts_regions_references_tokens(struct kunit *test)
{
	struct gomem_holder *a, *b;
	u64 off[4], other, t_other, t2, o_, id;

	owner_setup(test, 4);
	a = holder(test, 0);
	b = holder(test, 1);
	other = must_alloc(test, b, T_GRANULE);
	t_other = must_share(test, b, other, 0, 3);
	t2 = must_share(test, b, other, 0, 1);

	off[0] = must_alloc(test, a, 4 * T_GRANULE);
	off[1] = must_alloc(test, a, T_GRANULE);
	must_share(test, a, off[1], 0, 1);		/* 3 records */
	must_claim(test, a, t_other, other, T_GRANULE);	/* 4: the limit */
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 5 * T_GRANULE, .regions = 2,
		.refs = 1, .ref_bytes = T_GRANULE, .tokens = 1, .all_refs = 1,
		.all_tokens = 3 });

	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 64, 0, 0, &o_, &id), -EDQUOT);
	KUNIT_EXPECT_EQ(test, gomem_own_share(a, off[0], 0, 1, &o_), -EDQUOT);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[0] + T_GRANULE,
					     T_GRANULE), -EDQUOT);
	expect_sound(test);
	/* A second claim of a region it references takes no record. */
	must_claim(test, a, t_other, other, T_GRANULE);
	must_claim(test, a, t2, other, T_GRANULE);
	/* A head or tail free takes none either. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[0], T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[0] + 3 * T_GRANULE,
					     T_GRANULE), 0);
	expect_sound(test);

	/* A first claim does, when there is none left. */
	off[2] = must_alloc(test, b, T_GRANULE);
	t2 = must_share(test, b, off[2], 0, 1);
	KUNIT_EXPECT_EQ(test, claim(a, t2), -EDQUOT);
	expect_sound(test);
	/* A record freed: exactly max_records again, no more. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[1], T_GRANULE), 0);
	must_claim(test, a, t2, off[2], T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 64, 0, 0, &o_, &id), -EDQUOT);
	/*
	 * The token of the freed region still counts: a's records are its
	 * region, two references and that token.
	 */
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 2 * T_GRANULE, .regions = 1,
		.refs = 2, .ref_bytes = 2 * T_GRANULE, .tokens = 1,
		.all_refs = 2, .all_tokens = 2, .orphans = 1,
		.orphan_bytes = T_GRANULE });
	expect_sound(test);
}

/*
 * The byte limit: what a holder owns, has pending and references, up to
 * exactly max_bytes; one byte (granule) more is -EDQUOT and changes
 * nothing, for a single allocation, a batch entry and a first claim; a
 * further claim of a region it references adds no bytes.
 */
static void byte_limit_counts_owned_and_referenced(struct kunit *test)
{
	struct gomem_batch_entry e[3] = {
		{ .size = T_GRANULE }, { .size = 2 * T_GRANULE },
		{ .size = T_GRANULE },
	};
	struct gomem_owned *recs[ARRAY_SIZE(e)];
	struct gomem_holder *a, *b;
	u64 ids[ARRAY_SIZE(e)], off, theirs, t, t2, o_, id;
	struct owner_fixture *f;

	f = owner_setup(test, 64);
	f->o.max_bytes = 8 * T_GRANULE;
	a = holder(test, 0);
	b = holder(test, 1);
	theirs = must_alloc(test, b, 2 * T_GRANULE);
	t = must_share(test, b, theirs, 0, 2);

	off = must_alloc(test, a, 4 * T_GRANULE);
	must_claim(test, a, t, theirs, 2 * T_GRANULE);		/* 6 granules */
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 2 * T_GRANULE + 1, 0, 0, &o_,
					      &id), -EDQUOT);
	/* A size no arena could give is still -EINVAL. */
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, T_MAX_SIZE + 1, 0, 0, &o_,
					      &id), -EINVAL);
	/* The batch: the entry that would pass the limit, not the others. */
	KUNIT_EXPECT_EQ(test, gomem_own_alloc_batch(a, e, ARRAY_SIZE(e), 0, 0,
						    recs, ids), 2U);
	KUNIT_EXPECT_EQ(test, e[0].result, 0);
	KUNIT_EXPECT_EQ(test, e[1].result, -EDQUOT);
	KUNIT_EXPECT_EQ(test, e[2].result, 0);			/* 8: the limit */
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 6 * T_GRANULE, .regions = 3,
		.refs = 1, .ref_bytes = 2 * T_GRANULE, .all_refs = 1,
		.all_tokens = 1 });
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 1, 0, 0, &o_, &id), -EDQUOT);
	/* A further claim of what it references adds no bytes. */
	must_claim(test, a, t, theirs, 2 * T_GRANULE);
	/* A first claim of another region does. */
	o_ = must_alloc(test, b, T_GRANULE);
	t2 = must_share(test, b, o_, 0, 1);
	KUNIT_EXPECT_EQ(test, claim(a, t2), -EDQUOT);
	expect_sound(test);
	/* A granule freed: exactly one granule more, no more. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, T_GRANULE), 0);
	must_claim(test, a, t2, o_, T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 1, 0, 0, &o_, &id), -EDQUOT);
	/* b has a limit of its own: 3 granules, and exactly 5 more. */
	must_alloc(test, b, 5 * T_GRANULE);
	expect_sound(test);
}

/* ---- undo ---- */

static void undo_takes_back_only_what_is_as_made(struct kunit *test)
{
	struct gomem_holder *a, *b;
	u64 off, id, off2, id2, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);

	/* As made: taken back. */
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off, &id), 0);
	gomem_own_undo(a, off, 100, id);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
	expect_stats(test, a, (struct gomem_owner_stats){ .holders = 2 });

	/* Another holder, another size, another id: left alone. */
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off, &id), 0);
	gomem_own_undo(b, off, 100, id);
	gomem_own_undo(a, off, 200, id);
	gomem_own_undo(a, off, 100, id + 1);
	gomem_own_undo(a, off + T_GRANULE, 36, id);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 128ULL);

	/* Freed in part meanwhile: left alone. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + T_GRANULE, T_GRANULE),
			0);
	gomem_own_undo(a, off, 100, id);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 64ULL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, T_GRANULE), 0);

	/* Freed and allocated again at the same offset: a new region. */
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off, &id), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 100), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off2, &id2), 0);
	KUNIT_EXPECT_EQ(test, off2, off);
	gomem_own_undo(a, off, 100, id);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 128ULL);

	/* Shared meanwhile: left for its other holders. */
	token = must_share(test, a, off2, 0, 1);
	gomem_own_undo(a, off2, 100, id2);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 128ULL);
	must_claim(test, b, token, off2, 128);
	gomem_own_undo(a, off2, 100, id2);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 128ULL);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 128, .regions = 1, .all_refs = 1 });
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off2), 0);
	gomem_own_undo(a, off2, 100, id2);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
}

/* ---- batches ---- */

static void batch_alloc_gives_each_entry_its_result(struct kunit *test)
{
	struct gomem_batch_entry e[6] = {
		{ .offset = 11, .size = 100 },
		{ .offset = 12, .size = 0 },
		{ .offset = 13, .size = T_MAX_SIZE + 1 },
		{ .offset = 14, .size = T_GRANULE },
		{ .offset = 15, .size = 3 * T_GRANULE },
		{ .offset = 16, .size = T_GRANULE },
	};
	struct gomem_owned *recs[ARRAY_SIZE(e)];
	struct gomem_owner_region_info ri;
	struct gomem_holder *a;
	u64 ids[ARRAY_SIZE(e)];
	unsigned int i;

	owner_setup(test, 3);
	a = holder(test, 0);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc_batch(a, e, ARRAY_SIZE(e), 0, 0,
						    recs, ids), 3U);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, e[0].result, 0);
	KUNIT_EXPECT_EQ(test, e[1].result, -EINVAL);
	KUNIT_EXPECT_EQ(test, e[2].result, -EINVAL);
	KUNIT_EXPECT_EQ(test, e[3].result, 0);
	KUNIT_EXPECT_EQ(test, e[4].result, 0);
	KUNIT_EXPECT_EQ(test, e[5].result, -EDQUOT);
	for (i = 1; i < ARRAY_SIZE(e); i++)
		if (e[i].result)
			KUNIT_EXPECT_EQ(test, e[i].offset, 11ULL + i);
	for (i = 0; i < ARRAY_SIZE(e); i++)
		KUNIT_EXPECT_EQ(test, e[i].pad, 0U);
	/* ids in entry order, of the successful entries. */
	KUNIT_ASSERT_TRUE(test, region_info(test, e[0].offset, &ri));
	KUNIT_EXPECT_EQ(test, ri.id, ids[0]);
	KUNIT_ASSERT_TRUE(test, region_info(test, e[3].offset, &ri));
	KUNIT_EXPECT_EQ(test, ri.id, ids[1]);
	KUNIT_ASSERT_TRUE(test, region_info(test, e[4].offset, &ri));
	KUNIT_EXPECT_EQ(test, ri.id, ids[2]);
	KUNIT_EXPECT_TRUE(test, intact(test, e[4].offset, 3 * T_GRANULE, 0));
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = 6 * T_GRANULE, .regions = 3 });

	/* The undo of a batch: each as gomem_own_undo(). */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, e[3].offset, T_GRANULE), 0);
	must_share(test, a, e[4].offset, 0, 1);
	gomem_own_undo_batch(a, e, ARRAY_SIZE(e), ids);
	expect_sound(test);
	KUNIT_EXPECT_FALSE(test, region_live(test, e[0].offset));
	KUNIT_EXPECT_TRUE(test, region_live(test, e[4].offset));
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 3ULL * T_GRANULE);
}

static void batch_free_gives_each_entry_its_result(struct kunit *test)
{
	struct gomem_holder *a, *b;
	struct gomem_batch_entry e[6];
	u64 r0, r1, r2, other, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	r0 = must_alloc(test, a, 2 * T_GRANULE);
	r1 = must_alloc(test, a, 4 * T_GRANULE);
	r2 = must_alloc(test, a, 2 * T_GRANULE);
	other = must_alloc(test, b, T_GRANULE);
	token = must_share(test, a, r2, 0, 1);
	must_claim(test, b, token, r2, 2 * T_GRANULE);
	/* Whole, again, a middle (a split), another's, part and whole of r2. */
	e[0] = (struct gomem_batch_entry){ .offset = r0,
					   .size = 2 * T_GRANULE };
	e[1] = e[0];
	e[2] = (struct gomem_batch_entry){ .offset = r1 + T_GRANULE,
					   .size = T_GRANULE };
	e[3] = (struct gomem_batch_entry){ .offset = other, .size = 64 };
	e[4] = (struct gomem_batch_entry){ .offset = r2, .size = T_GRANULE };
	e[5] = (struct gomem_batch_entry){ .offset = r2,
					   .size = 2 * T_GRANULE };
	KUNIT_EXPECT_EQ(test, gomem_own_free_batch(a, e, ARRAY_SIZE(e)), 3U);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, e[0].result, 0);
	KUNIT_EXPECT_EQ(test, e[1].result, -EINVAL);
	KUNIT_EXPECT_EQ(test, e[2].result, 0);
	KUNIT_EXPECT_EQ(test, e[3].result, -EPERM);
	KUNIT_EXPECT_EQ(test, e[4].result, -EBUSY);
	KUNIT_EXPECT_EQ(test, e[5].result, 0);
	KUNIT_EXPECT_EQ(test, e[2].offset, r1 + T_GRANULE);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 3 * T_GRANULE, .regions = 2,
		.all_refs = 1, .orphans = 1, .orphan_bytes = 2 * T_GRANULE });
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 6ULL * T_GRANULE);
}

static void batch_release_gives_each_entry_its_result(struct kunit *test)
{
	struct gomem_holder *a, *b;
	struct gomem_batch_entry e[5];
	u64 r, mine, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	r = must_alloc(test, a, 2 * T_GRANULE);
	mine = must_alloc(test, b, T_GRANULE);
	token = must_share(test, a, r, 0, 2);
	must_claim(test, b, token, r, 2 * T_GRANULE);
	must_claim(test, b, token, r, 2 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, r, 2 * T_GRANULE), 0);
	e[0] = (struct gomem_batch_entry){ .offset = r + 1 };
	e[1] = (struct gomem_batch_entry){ .offset = r, .size = 1 };
	e[2] = (struct gomem_batch_entry){ .offset = mine };
	e[3] = (struct gomem_batch_entry){ .offset = r + T_GRANULE };
	e[4] = (struct gomem_batch_entry){ .offset = r };
	KUNIT_EXPECT_EQ(test, gomem_own_release_batch(b, e, ARRAY_SIZE(e)),
			2U);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, e[0].result, 0);
	KUNIT_EXPECT_EQ(test, e[1].result, -EINVAL);
	KUNIT_EXPECT_EQ(test, e[2].result, -EINVAL);
	KUNIT_EXPECT_EQ(test, e[3].result, 0);
	KUNIT_EXPECT_EQ(test, e[4].result, -EINVAL);
	KUNIT_EXPECT_FALSE(test, region_live(test, r));
	KUNIT_EXPECT_EQ(test, arena_in_use(test), (u64)T_GRANULE);
}

/*
 * A share batch: each entry its own result, in order, the batch's tokens
 * counting against the record limit for the entries after them; a failed
 * entry's token is left as it was; the undo withdraws what was made.
 */
static void batch_share_gives_each_entry_its_result(struct kunit *test)
{
	struct gomem_share_token *recs[8];
	struct gomem_share_entry e[8];
	struct gomem_holder *a, *b;
	u64 r, theirs;
	unsigned int i;

	owner_setup(test, 5);
	a = holder(test, 0);
	b = holder(test, 1);
	r = must_alloc(test, a, 2 * T_GRANULE);
	theirs = must_alloc(test, b, T_GRANULE);
	e[0] = (struct gomem_share_entry){ .offset = r, .claims = 1 };
	e[1] = (struct gomem_share_entry){ .offset = r + 1, .size = 10,
					   .claims = 2 };
	e[2] = (struct gomem_share_entry){ .offset = r, .claims = 0 };
	e[3] = (struct gomem_share_entry){ .offset = theirs, .claims = 1 };
	e[4] = (struct gomem_share_entry){ .offset = r + T_GRANULE,
					   .size = T_GRANULE + 1,
					   .claims = 1 };
	e[5] = (struct gomem_share_entry){ .offset = r + T_GRANULE,
					   .claims = 1 };
	/* a holds 1 region and 3 tokens now: the 5th record is the last. */
	e[6] = (struct gomem_share_entry){ .offset = r, .claims = 1 };
	e[7] = (struct gomem_share_entry){ .offset = r, .claims = 1 };
	for (i = 0; i < ARRAY_SIZE(e); i++)
		e[i].token = 0x5a5a;
	KUNIT_EXPECT_EQ(test, gomem_own_share_batch(a, e, 5, recs), 2U);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, e[0].result, 0);
	KUNIT_EXPECT_EQ(test, e[1].result, 0);
	KUNIT_EXPECT_EQ(test, e[2].result, -EINVAL);
	KUNIT_EXPECT_EQ(test, e[3].result, -EPERM);
	KUNIT_EXPECT_EQ(test, e[4].result, -EINVAL);
	for (i = 2; i < 5; i++)
		KUNIT_EXPECT_EQ(test, e[i].token, 0x5a5aULL);
	KUNIT_EXPECT_NE(test, e[0].token, 0ULL);
	KUNIT_EXPECT_NE(test, e[0].token, e[1].token);
	KUNIT_EXPECT_EQ(test, e[0].claims, 1U);
	KUNIT_EXPECT_EQ(test, e[1].size, 10ULL);
	KUNIT_EXPECT_EQ(test, gomem_own_share_batch(a, e + 5, 2, recs), 2U);
	KUNIT_EXPECT_EQ(test, gomem_own_share_batch(a, e + 7, 1, recs), 0U);
	KUNIT_EXPECT_EQ(test, e[7].result, -EDQUOT);
	KUNIT_EXPECT_EQ(test, e[7].token, 0x5a5aULL);
	expect_sound(test);
	must_claim(test, b, e[0].token, r, 2 * T_GRANULE);
	must_claim(test, b, e[1].token, r + 1, 10);
	must_claim(test, b, e[5].token, r + T_GRANULE, T_GRANULE);
	/* The undo withdraws what is still outstanding, leaves the rest. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, r, 2 * T_GRANULE), 0);
	gomem_own_undo_share_batch(a, e, 8);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, claim(b, e[1].token), -ENOENT);
	KUNIT_EXPECT_EQ(test, claim(b, e[6].token), -ENOENT);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .all_refs = 1, .orphans = 1,
		.orphan_bytes = 2 * T_GRANULE });
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, r), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, r), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, r + T_GRANULE), 0);
	KUNIT_EXPECT_FALSE(test, region_live(test, r));
	expect_sound(test);
}

/*
 * A claim batch: one token twice takes two claims while it has them, the
 * third entry of a two-claim token is -ENOENT, a first reference at the
 * record limit is -EDQUOT while a further claim of a referenced region
 * takes no record; failed entries' ranges are left as they were; the undo
 * releases one claim per entry that succeeded.
 */
static void batch_claim_gives_each_entry_its_result(struct kunit *test)
{
	struct gomem_reference *recs[6];
	struct gomem_claim_entry e[6];
	struct gomem_holder *a, *b;
	u64 r, r2, r3, t2, t1;
	unsigned int i;

	owner_setup(test, 3);
	a = holder(test, 0);
	b = holder(test, 1);
	r = must_alloc(test, a, 2 * T_GRANULE);
	r2 = must_alloc(test, b, T_GRANULE);
	r3 = must_alloc(test, b, T_GRANULE);
	t2 = must_share(test, a, r + 3, 5, 2);
	t1 = must_share(test, b, r2, 0, 1);	/* b: 3 records */
	e[0] = (struct gomem_claim_entry){ .token = t2 };
	e[1] = (struct gomem_claim_entry){ .token = t2 };
	e[2] = (struct gomem_claim_entry){ .token = t2 };
	e[3] = (struct gomem_claim_entry){ .token = 0 };
	e[4] = (struct gomem_claim_entry){ .token = t1 };
	for (i = 0; i < 5; i++) {
		e[i].offset = U64_MAX;
		e[i].size = U64_MAX;
	}
	/* b is at its limit: a first reference to r is -EDQUOT. */
	KUNIT_EXPECT_EQ(test, gomem_own_claim_batch(b, e, 1, recs), 0U);
	KUNIT_EXPECT_EQ(test, e[0].result, -EDQUOT);
	KUNIT_EXPECT_EQ(test, e[0].offset, U64_MAX);
	KUNIT_EXPECT_EQ(test, gomem_own_free(b, r3, T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(b, r2, T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_claim_batch(b, e, 5, recs), 3U);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, e[0].result, 0);
	KUNIT_EXPECT_EQ(test, e[1].result, 0);
	KUNIT_EXPECT_EQ(test, e[2].result, -ENOENT);
	KUNIT_EXPECT_EQ(test, e[3].result, -ENOENT);
	KUNIT_EXPECT_EQ(test, e[4].result, 0);
	KUNIT_EXPECT_EQ(test, e[0].offset, r + 3);
	KUNIT_EXPECT_EQ(test, e[1].size, 5ULL);
	KUNIT_EXPECT_EQ(test, e[4].offset, r2);
	KUNIT_EXPECT_EQ(test, e[2].offset, U64_MAX);
	KUNIT_EXPECT_EQ(test, e[3].size, U64_MAX);
	KUNIT_EXPECT_EQ(test, e[0].token, t2);
	/* b's records: a reference to r (2 claims), one to r2. */
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .refs = 2, .ref_bytes = 3 * T_GRANULE,
		.tokens = 0, .all_refs = 2, .all_tokens = 0, .orphans = 1,
		.orphan_bytes = T_GRANULE });
	/* The undo releases each claim once; r2 goes with its last hold. */
	gomem_own_undo_claim_batch(b, e, 5);
	expect_sound(test);
	KUNIT_EXPECT_FALSE(test, region_live(test, r2));
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, r), -EINVAL);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 2ULL * T_GRANULE);
	expect_stats(test, b, (struct gomem_owner_stats){ .holders = 2 });
}

/* ---- the walk ---- */

struct walk_log {
	unsigned int nr;
	unsigned int stop;
	struct gomem_owner_region_info ri[8];
};

static int walk_fn(void *data, const struct gomem_owner_region_info *ri)
{
	struct walk_log *log = data;

	if (log->nr < ARRAY_SIZE(log->ri))
		log->ri[log->nr] = *ri;
	log->nr++;
	return log->nr == log->stop ? 42 : 0;
}

static void walk_visits_regions_in_order(struct kunit *test)
{
	struct owner_fixture *f = owner_setup(test, T_RECORDS);
	struct gomem_holder *a, *b;
	struct walk_log log = { 0 };
	u64 r[3], token;
	int i;

	a = holder(test, 0);
	b = holder(test, 1);
	for (i = 0; i < 3; i++)
		r[i] = must_alloc(test, a, (i + 1) * T_GRANULE);
	token = must_share(test, a, r[1], 0, 3);
	must_claim(test, b, token, r[1], 2 * T_GRANULE);
	must_claim(test, b, token, r[1], 2 * T_GRANULE);
	must_share(test, b, r[1], 0, 1);
	token = must_share(test, a, r[2], 0, 1);
	must_claim(test, b, token, r[2], 3 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, r[2], 3 * T_GRANULE), 0);

	KUNIT_EXPECT_EQ(test, gomem_owners_walk(&f->o, 0, walk_fn, &log), 0);
	KUNIT_ASSERT_EQ(test, log.nr, 3U);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, log.ri[i].offset, r[i]);
		KUNIT_EXPECT_EQ(test, log.ri[i].size, (i + 1ULL) * T_GRANULE);
	}
	KUNIT_EXPECT_LT(test, log.ri[0].id, log.ri[1].id);
	KUNIT_EXPECT_EQ(test, log.ri[0].owner, a->id);
	KUNIT_EXPECT_EQ(test, log.ri[1].owner, a->id);
	KUNIT_EXPECT_EQ(test, log.ri[1].refs, 1ULL);
	KUNIT_EXPECT_EQ(test, log.ri[1].claims, 2ULL);
	KUNIT_EXPECT_EQ(test, log.ri[1].tokens, 2ULL);
	KUNIT_EXPECT_EQ(test, log.ri[2].owner, 0ULL);
	KUNIT_EXPECT_EQ(test, log.ri[2].refs, 1ULL);
	KUNIT_EXPECT_EQ(test, log.ri[2].tokens, 0ULL);

	/* From a byte inside the second region: it and the third. */
	memset(&log, 0, sizeof(log));
	KUNIT_EXPECT_EQ(test, gomem_owners_walk(&f->o, r[1] + 5, walk_fn,
						&log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 2U);
	KUNIT_EXPECT_EQ(test, log.ri[0].offset, r[1]);
	/* Stopped by the callback: its value. */
	memset(&log, 0, sizeof(log));
	log.stop = 2;
	KUNIT_EXPECT_EQ(test, gomem_owners_walk(&f->o, 0, walk_fn, &log), 42);
	KUNIT_EXPECT_EQ(test, log.nr, 2U);
	/* Past the last region: nothing. */
	memset(&log, 0, sizeof(log));
	KUNIT_EXPECT_EQ(test, gomem_owners_walk(&f->o, r[2] + 3 * T_GRANULE,
						walk_fn, &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 0U);
}

/* ---- statistics along a life ---- */

static void stats_follow_every_step(struct kunit *test)
{
	struct gomem_holder *a, *b;
	struct gomem_reclaim rc;
	u64 r, token;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	expect_stats(test, a, (struct gomem_owner_stats){ .holders = 1 });
	b = holder(test, 1);
	r = must_alloc(test, a, 5 * T_GRANULE);
	token = must_share(test, a, r, 0, 2);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 5 * T_GRANULE, .regions = 1,
		.tokens = 1, .all_tokens = 1 });
	must_claim(test, b, token, r, 5 * T_GRANULE);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .refs = 1, .ref_bytes = 5 * T_GRANULE,
		.all_refs = 1, .all_tokens = 1 });
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, r, 5 * T_GRANULE), 0);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .tokens = 1, .all_refs = 1, .all_tokens = 1,
		.orphans = 1, .orphan_bytes = 5 * T_GRANULE });
	holder_gone(test, 0, &rc);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 1, .refs = 1, .ref_bytes = 5 * T_GRANULE,
		.all_refs = 1, .orphans = 1, .orphan_bytes = 5 * T_GRANULE });
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, r), 0);
	expect_stats(test, b, (struct gomem_owner_stats){ .holders = 1 });
	expect_sound(test);
}

/* ---- clean bytes: what an allocation need not zero ---- */

/* The set's zeroed bytes; *@skipped those it needed not zero. */
static u64 zeroed_bytes(struct kunit *test, u64 *skipped)
{
	struct gomem_owner_stats st;

	gomem_own_stats(holder(test, 0), &st, NULL);
	*skipped = st.zero_skipped;
	return st.zeroed;
}

/*
 * @h allocates @size again: it must get @off back, holding @byte
 * throughout (0: zeroed; else what was left there).
 */
static void realloc_expect(struct kunit *test, struct gomem_holder *h,
			   u64 off, u64 size, u8 byte)
{
	u64 off2, id;

	KUNIT_ASSERT_EQ(test, gomem_own_alloc(h, size, 0, 0, &off2, &id), 0);
	KUNIT_ASSERT_EQ(test, off2, off);
	KUNIT_EXPECT_TRUE(test, intact(test, off, size, byte));
}

static void own_bytes_come_back_unzeroed(struct kunit *test)
{
	struct gomem_holder *a, *b;
	u64 off, off2, id, z0, s0, z, s;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	z0 = zeroed_bytes(test, &s0);
	off = must_alloc(test, a, 4 * T_GRANULE);
	z = zeroed_bytes(test, &s);
	KUNIT_EXPECT_EQ(test, z - z0, 4ULL * T_GRANULE);
	KUNIT_EXPECT_EQ(test, s, s0);
	pattern(test, off, 4 * T_GRANULE, 0x5a);

	/* Whole: the same holder gets its own bytes back as they were. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 4 * T_GRANULE), 0);
	expect_sound(test);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 4 * T_GRANULE, 0, 0, &off2,
					      &id), 0);
	expect_sound(test);
	KUNIT_ASSERT_EQ(test, off2, off);
	KUNIT_EXPECT_TRUE(test, intact(test, off, 4 * T_GRANULE, 0x5a));
	z0 = z;
	z = zeroed_bytes(test, &s);
	KUNIT_EXPECT_EQ(test, z, z0);
	KUNIT_EXPECT_EQ(test, s - s0, 4ULL * T_GRANULE);

	/* A part from the middle comes back as it was, too. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + T_GRANULE, T_GRANULE),
			0);
	expect_sound(test);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, T_GRANULE, 0, 0, &off2, &id),
			0);
	KUNIT_ASSERT_EQ(test, off2, off + T_GRANULE);
	KUNIT_EXPECT_TRUE(test, intact(test, off2, T_GRANULE, 0x5a));

	/* Recycle is the owner's free. */
	KUNIT_EXPECT_EQ(test, gomem_own_recycle(a, &s), 3ULL);
	expect_sound(test);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 4 * T_GRANULE, 0, 0, &off2,
					      &id), 0);
	KUNIT_ASSERT_EQ(test, off2, off);
	KUNIT_EXPECT_TRUE(test, intact(test, off, 4 * T_GRANULE, 0x5a));

	/* Another holder never sees them, unless it asks with NOZERO. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 4 * T_GRANULE), 0);
	realloc_expect(test, b, off, 2 * T_GRANULE, 0);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(b, 2 * T_GRANULE, 0,
					      GOMEM_ALLOC_NOZERO, &off2, &id),
			0);
	KUNIT_ASSERT_EQ(test, off2, off + 2 * T_GRANULE);
	KUNIT_EXPECT_TRUE(test, intact(test, off2, 2 * T_GRANULE, 0x5a));
	expect_sound(test);
	/* Now b's bytes: a gets zeroes. */
	pattern(test, off, 4 * T_GRANULE, 0xb0);
	KUNIT_EXPECT_EQ(test, gomem_own_recycle(b, &s), 2ULL);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 4 * T_GRANULE, 0, 0, &off2,
					      &id), 0);
	KUNIT_ASSERT_EQ(test, off2, off);
	KUNIT_EXPECT_TRUE(test, intact(test, off, 4 * T_GRANULE, 0));
	expect_sound(test);
}

static void bytes_that_left_a_holder_are_zeroed(struct kunit *test)
{
	struct gomem_holder *a, *b, *c;
	u64 off, token, o_, s_;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);

	/*
	 * a lets go while b holds it by reference; b writes and releases:
	 * the bytes come back b's, and a's next allocation is zeroed.
	 */
	off = must_alloc(test, a, 2 * T_GRANULE);
	pattern(test, off, 2 * T_GRANULE, 0x5a);
	KUNIT_ASSERT_EQ(test, gomem_own_share(a, off, 0, 1, &token), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(b, token, &o_, &s_), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	pattern(test, off, 2 * T_GRANULE, 0xbb);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
	realloc_expect(test, a, off, 2 * T_GRANULE, 0);

	/*
	 * A token that is the last hold: nobody claimed it, nobody else
	 * wrote, the bytes stay a's.  b's claim before made them nobody's.
	 */
	pattern(test, off, 2 * T_GRANULE, 0x5a);
	KUNIT_ASSERT_EQ(test, gomem_own_share(a, off, 0, 1, &token), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, token), 0);
	expect_sound(test);
	realloc_expect(test, a, off, 2 * T_GRANULE, 0x5a);
	KUNIT_ASSERT_EQ(test, gomem_own_share(a, off, 0, 2, &token), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(b, token, &o_, &s_), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_cancel(a, token), 0);
	expect_sound(test);
	realloc_expect(test, a, off, 2 * T_GRANULE, 0);

	/*
	 * A reference released before its owner frees: what b wrote, a
	 * could see while b wrote it, so a's own free keeps the bytes a's.
	 */
	KUNIT_ASSERT_EQ(test, gomem_own_share(a, off, 0, 1, &token), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(b, token, &o_, &s_), 0);
	pattern(test, off, 2 * T_GRANULE, 0xbb);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	realloc_expect(test, a, off, 2 * T_GRANULE, 0xbb);

	/* A holder that goes away leaves its bytes dirty for all. */
	holder_gone(test, 0, NULL);
	c = holder(test, 2);
	realloc_expect(test, c, off, 2 * T_GRANULE, 0);
	expect_sound(test);
}

/*
 * A read-only holder's reference cannot have written the bytes: when it
 * is the last hold, they go back as the owner's (a producer handing
 * buffers to read-only consumers gets them back without zeroing).  One
 * holder that may write among the others makes them nobody's.
 */
static void read_only_claims_keep_bytes_the_owners(struct kunit *test)
{
	struct gomem_holder *a, *b, *c;
	u64 off, token, o_, s_, z0, s0, z, s;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	c = holder(test, 2);
	b->readonly = true;

	off = must_alloc(test, a, 2 * T_GRANULE);
	pattern(test, off, 2 * T_GRANULE, 0x5a);
	KUNIT_ASSERT_EQ(test, gomem_own_share(a, off, 0, 1, &token), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(b, token, &o_, &s_), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
	z0 = zeroed_bytes(test, &s0);
	realloc_expect(test, a, off, 2 * T_GRANULE, 0x5a);
	z = zeroed_bytes(test, &s);
	KUNIT_EXPECT_EQ(test, z, z0);
	KUNIT_EXPECT_EQ(test, s - s0, 2ULL * T_GRANULE);

	/* Still a's only: another holder gets zeroes. */
	KUNIT_ASSERT_EQ(test, gomem_own_share(a, off, 0, 1, &token), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(b, token, &o_, &s_), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	realloc_expect(test, c, off, 2 * T_GRANULE, 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(c, off, 2 * T_GRANULE), 0);

	/* A writable claimer besides the read-only one: zeroed for a. */
	off = must_alloc(test, a, 2 * T_GRANULE);
	pattern(test, off, 2 * T_GRANULE, 0x5a);
	KUNIT_ASSERT_EQ(test, gomem_own_share(a, off, 0, 2, &token), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(b, token, &o_, &s_), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(c, token, &o_, &s_), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(c, off), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 2 * T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	expect_sound(test);
	realloc_expect(test, a, off, 2 * T_GRANULE, 0);

	/* An owner that goes away while b holds it: nobody's bytes. */
	pattern(test, off, 2 * T_GRANULE, 0x5a);
	KUNIT_ASSERT_EQ(test, gomem_own_share(a, off, 0, 1, &token), 0);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(b, token, &o_, &s_), 0);
	holder_gone(test, 0, NULL);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), 0);
	realloc_expect(test, c, off, 2 * T_GRANULE, 0);
	expect_sound(test);
}

/*
 * A writer's claim makes a region's bytes nobody's, and so the part a
 * middle free splits off: freed later by its last (read-only) holder, it
 * comes back to the owner zeroed.
 */
static void split_keeps_a_writers_bytes_nobodys(struct kunit *test)
{
	const u64 g = T_GRANULE;
	struct gomem_holder *a, *b, *c;
	u64 off, token, o_, s_;

	owner_setup(test, T_RECORDS);
	a = holder(test, 0);
	b = holder(test, 1);
	c = holder(test, 2);
	b->readonly = true;

	off = must_alloc(test, a, 3 * g);
	token = must_share(test, a, off, 0, 1);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(c, token, &o_, &s_), 0);
	pattern(test, off, 3 * g, 0x66);
	KUNIT_EXPECT_EQ(test, gomem_own_release(c, off), 0);
	/* The middle: the head and the tail stay a's, as two regions. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + g, g), 0);
	KUNIT_EXPECT_EQ(test, must_alloc(test, a, g), off + g);
	token = must_share(test, a, off + 2 * g, 0, 1);
	KUNIT_ASSERT_EQ(test, gomem_own_claim(b, token, &o_, &s_), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + 2 * g, g), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off + 2 * g), 0);
	expect_sound(test);
	realloc_expect(test, a, off + 2 * g, g, 0);
	expect_sound(test);
}

static void clean_spans_are_bounded(struct kunit *test)
{
	/* More spans than kept, an arena they fill exactly. */
	const unsigned int n = ALIGN(GOMEM_CLEAN_MAX + 1,
				     PAGE_SIZE / (2 * T_GRANULE));
	struct owner_fixture *f = ofix(test);
	struct gomem_arena_params p = {
		.initial_size = 2 * n * T_GRANULE,
		.max_chunk = 2 * n * T_GRANULE,
		.max_size = 2 * n * T_GRANULE,
		.granule = T_GRANULE,
	};
	struct gomem_owner_stats st;
	struct gomem_holder *keep;
	u64 *off, id, z, s;
	unsigned int i;

	off = kunit_kcalloc(test, 2 * n, sizeof(*off), GFP_KERNEL);
	keep = kunit_kzalloc(test, sizeof(*keep), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, off);
	KUNIT_ASSERT_NOT_NULL(test, keep);
	KUNIT_ASSERT_EQ(test, gomem_arena_init(&f->a2, &p), 0);
	gomem_owners_init(&f->o2, &f->a2, 4 * n);
	f->o2.clean_min = 0;
	gomem_holder_init(&f->o2, &f->h2);
	gomem_holder_init(&f->o2, keep);
	f->live2 = true;
	/* Every other granule kept by another holder: no span can merge. */
	for (i = 0; i < 2 * n; i++)
		KUNIT_ASSERT_EQ(test, gomem_own_alloc(i % 2 ? keep : &f->h2,
						      T_GRANULE, 0, 0, &off[i],
						      &id), 0);
	for (i = 0; i < 2 * n; i += 2)
		KUNIT_ASSERT_EQ(test, gomem_own_free(&f->h2, off[i], T_GRANULE),
				0);
	KUNIT_EXPECT_EQ(test, gomem_owners_check(&f->o2), 0);
	KUNIT_EXPECT_EQ(test, f->o2.nr_clean, GOMEM_CLEAN_MAX);
	/* The newest are remembered, the oldest forgotten: zeroed again. */
	gomem_own_stats(&f->h2, &st, NULL);
	z = st.zeroed;
	s = st.zero_skipped;
	for (i = 0; i < 2 * n; i += 2)
		KUNIT_ASSERT_EQ(test, gomem_own_alloc(&f->h2, T_GRANULE, 0, 0,
						      &off[i], &id), 0);
	gomem_own_stats(&f->h2, &st, NULL);
	KUNIT_EXPECT_EQ(test, st.zero_skipped - s,
			(u64)GOMEM_CLEAN_MAX * T_GRANULE);
	KUNIT_EXPECT_EQ(test, st.zeroed - z,
			(u64)(n - GOMEM_CLEAN_MAX) * T_GRANULE);
	KUNIT_EXPECT_EQ(test, f->o2.nr_clean, 0U);
	KUNIT_EXPECT_EQ(test, gomem_owners_check(&f->o2), 0);
	gomem_holder_exit(keep, NULL);
}

/* ---- the park: a holder's small whole frees kept for its own reuse ---- */

/* The fixture's set, each holder parking up to @park_max regions. */
static struct owner_fixture *park_setup(struct kunit *test, u64 max_records,
					unsigned int park_max)
{
	struct owner_fixture *f = owner_setup(test, max_records);

	f->o.park_max = park_max;
	return f;
}

/* Both counts of gomem_own_stats() of @h, and nothing else may differ. */
static void expect_same_stats(struct kunit *test, struct gomem_holder *h,
			      const struct gomem_owner_stats *want)
{
	struct gomem_owner_stats st;

	gomem_own_stats(h, &st, NULL);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(&st, want, sizeof(st)), 0,
			    "stats of holder %llu changed", h->id);
}

/*
 * A whole free of a small region parks it: out of its holder's counts
 * and the walk, still allocated in the arena.  The holder's next
 * allocation of that size, at an alignment its offset has, gets it back
 * with a new id and its bytes as they were, counted as zeroing skipped;
 * an alignment the offset lacks, or another holder while the arena has
 * room, gets other bytes.
 */
static void park_reuses_own_region(struct kunit *test)
{
	struct gomem_owner_region_info ri;
	struct gomem_owner_stats st, st0;
	struct gomem_arena_stats as;
	struct gomem_holder *a, *b;
	u64 off, id, off2, id2, other, o_;

	park_setup(test, T_RECORDS, 4);
	a = holder(test, 0);
	b = holder(test, 1);
	/* b's granule first: a's region is not page aligned. */
	must_alloc(test, b, T_GRANULE);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off, &id), 0);
	expect_sound(test);
	KUNIT_ASSERT_NE(test, off % PAGE_SIZE, 0ULL);
	pattern(test, off, 128, 0x5a);

	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 100), 0);
	expect_sound(test);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .parked = 128, .parked_regions = 1,
		.session_parked = 128 });
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .in_use = T_GRANULE, .regions = 1,
		.parked = 128, .parked_regions = 1 });
	/* Allocated in the arena, free as the holders see it. */
	KUNIT_EXPECT_EQ(test, arena_in_use(test), T_GRANULE + 128ULL);
	gomem_own_stats(a, &st, &as);
	KUNIT_EXPECT_EQ(test, as.in_use, (u64)T_GRANULE);
	KUNIT_EXPECT_FALSE(test, region_live(test, off));

	/* An alignment its offset lacks: another region, zeroed. */
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, PAGE_SIZE, 0, &other,
					      &o_), 0);
	expect_sound(test);
	KUNIT_EXPECT_NE(test, other, off);
	KUNIT_EXPECT_EQ(test, other % PAGE_SIZE, 0ULL);
	KUNIT_EXPECT_TRUE(test, intact(test, other, 128, 0));

	/* Another holder, while the arena has room: not the parked bytes. */
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(b, 100, 0, 0, &off2, &id2), 0);
	expect_sound(test);
	KUNIT_EXPECT_NE(test, off2, off);
	KUNIT_EXPECT_TRUE(test, intact(test, off2, 128, 0));
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 128, .regions = 1, .parked = 128,
		.parked_regions = 1, .session_parked = 128 });

	/* Its own: the region, a new id, the bytes it left, no zeroing. */
	gomem_own_stats(a, &st0, NULL);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off2, &id2), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, off2, off);
	KUNIT_EXPECT_NE(test, id2, id);
	KUNIT_EXPECT_TRUE(test, intact(test, off, 128, 0x5a));
	gomem_own_stats(a, &st, NULL);
	KUNIT_EXPECT_EQ(test, st.zeroed, st0.zeroed);
	KUNIT_EXPECT_EQ(test, st.zero_skipped - st0.zero_skipped, 128ULL);
	KUNIT_EXPECT_EQ(test, st.park_hits - st0.park_hits, 1ULL);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 256, .regions = 2 });
	KUNIT_ASSERT_TRUE(test, region_info(test, off, &ri));
	KUNIT_EXPECT_EQ(test, ri.id, id2);
	KUNIT_EXPECT_EQ(test, ri.size, 128ULL);
	KUNIT_EXPECT_EQ(test, ri.owner, a->id);

	/* Undo knows it by its new id only, and frees it, not parks it. */
	gomem_own_undo(a, off, 100, id);
	expect_sound(test);
	KUNIT_EXPECT_TRUE(test, region_live(test, off));
	gomem_own_undo(a, off, 100, id2);
	expect_sound(test);
	KUNIT_EXPECT_FALSE(test, region_live(test, off));
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 128, .regions = 1 });
	KUNIT_EXPECT_EQ(test, arena_in_use(test), T_GRANULE + 256ULL);
}

/*
 * A parked region is no region to the calls that name one: freeing it
 * again (its holder, another, a batch), sharing it, releasing it are
 * -EINVAL, not -EPERM; undo with its old id does nothing; the walk does
 * not see it.  None of it changes anything, and its holder still gets it
 * back.
 */
static void parked_region_is_free_to_others(struct kunit *test)
{
	struct gomem_batch_entry e = { .size = 100 };
	struct gomem_owner_stats sa, sb;
	struct gomem_holder *a, *b;
	u64 off, id, in_use, token = 0, off2, id2;

	park_setup(test, T_RECORDS, 4);
	a = holder(test, 0);
	b = holder(test, 1);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off, &id), 0);
	must_alloc(test, b, T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 100), 0);
	expect_sound(test);
	gomem_own_stats(a, &sa, NULL);
	gomem_own_stats(b, &sb, NULL);
	KUNIT_EXPECT_EQ(test, sa.session_parked, 128ULL);
	in_use = arena_in_use(test);

	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off + T_GRANULE, T_GRANULE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(b, off, 100), -EINVAL);
	e.offset = off;
	KUNIT_EXPECT_EQ(test, gomem_own_free_batch(a, &e, 1), 0U);
	KUNIT_EXPECT_EQ(test, e.result, -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_share(a, off, 0, 1, &token), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_share(b, off + 1, 0, 1, &token),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, token, 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_own_release(a, off), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_own_release(b, off), -EINVAL);
	gomem_own_undo(a, off, 100, id);
	expect_sound(test);
	KUNIT_EXPECT_FALSE(test, region_live(test, off));

	/* Nothing changed. */
	expect_same_stats(test, a, &sa);
	expect_same_stats(test, b, &sb);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), in_use);
	KUNIT_ASSERT_EQ(test, gomem_own_alloc(a, 100, 0, 0, &off2, &id2), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, off2, off);
}

/*
 * An allocation that finds no room gets the bytes the parks hold: the
 * arena's reclaim hook gives every holder's park back and the allocation
 * is tried again, not counted as failed; the holder whose park it was
 * keeps nothing parked, and its bytes reach the other zeroed.
 */
static void park_gives_back_on_no_room(struct kunit *test)
{
	struct gomem_arena_stats st;
	struct gomem_holder *a, *b;
	u64 off[4], mine, o_, id;
	unsigned int i;

	/* Chunks of 1, 2, 4, 4, 4 and 1 pages: 16 pages fill max_size. */
	park_setup(test, 32, ARRAY_SIZE(off));
	a = holder(test, 0);
	b = holder(test, 1);
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		off[i] = must_alloc(test, a, PAGE_SIZE);
		pattern(test, off[i], PAGE_SIZE, 0xa5);
	}
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[i], PAGE_SIZE), 0);
		expect_sound(test);
	}
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .parked = 4 * PAGE_SIZE, .parked_regions = 4,
		.session_parked = 4 * PAGE_SIZE });

	/* The twelve pages left, then the four a parked. */
	for (i = 0; i < 16; i++) {
		if (i == 12)
			expect_stats(test, a, (struct gomem_owner_stats){
				.holders = 2, .parked = 4 * PAGE_SIZE,
				.parked_regions = 4,
				.session_parked = 4 * PAGE_SIZE });
		mine = must_alloc(test, b, PAGE_SIZE);
		KUNIT_EXPECT_TRUE(test, intact(test, mine, PAGE_SIZE, 0));
	}
	expect_stats(test, a, (struct gomem_owner_stats){ .holders = 2 });
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .in_use = T_MAX_SIZE, .regions = 16 });
	gomem_arena_stats(&ofix(test)->a, &st);
	KUNIT_EXPECT_EQ(test, st.failed_allocs, 0ULL);
	KUNIT_EXPECT_EQ(test, st.in_use, (u64)T_MAX_SIZE);

	/* Now it is full. */
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(b, 64, 0, 0, &o_, &id), -ENOMEM);
	expect_sound(test);
	gomem_arena_stats(&ofix(test)->a, &st);
	KUNIT_EXPECT_EQ(test, st.failed_allocs, 1ULL);
}

/*
 * Parked regions count in their holder's limits until it needs the room:
 * at its record limit, and at its byte limit, its park is given back
 * first, so that an allocation of a size the park cannot serve, or a
 * split, succeeds instead of failing with -EDQUOT.
 */
static void park_gives_back_at_limits(struct kunit *test)
{
	struct owner_fixture *f;
	struct gomem_holder *a, *b;
	u64 off[4], big[2], o_, id;
	unsigned int i;

	f = park_setup(test, 4, 4);
	f->o.max_bytes = 8 * T_GRANULE;
	a = holder(test, 0);
	b = holder(test, 1);

	/* Records: four regions, two of them parked; two of another size. */
	for (i = 0; i < ARRAY_SIZE(off); i++)
		off[i] = must_alloc(test, a, T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[0], T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[1], T_GRANULE), 0);
	expect_sound(test);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 2 * T_GRANULE, .regions = 2,
		.parked = 2 * T_GRANULE, .parked_regions = 2,
		.session_parked = 2 * T_GRANULE });
	big[0] = must_alloc(test, a, 3 * T_GRANULE);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 5 * T_GRANULE, .regions = 3 });
	big[1] = must_alloc(test, a, 3 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 8ULL * T_GRANULE);
	/* At both limits for real now. */
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(a, 1, 0, 0, &o_, &id), -EDQUOT);

	/* A split at the record limit, one region parked. */
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[2], T_GRANULE), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, big[0] + T_GRANULE,
					     T_GRANULE), 0);
	expect_sound(test);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 2, .in_use = 6 * T_GRANULE, .regions = 4 });
	KUNIT_EXPECT_TRUE(test, region_live(test, big[0] + 2 * T_GRANULE));
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 6ULL * T_GRANULE);

	/* Bytes: b at its byte limit, half of it parked; another size. */
	off[0] = must_alloc(test, b, 4 * T_GRANULE);
	off[1] = must_alloc(test, b, 4 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(b, off[0], 4 * T_GRANULE), 0);
	expect_sound(test);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .in_use = 4 * T_GRANULE, .regions = 1,
		.parked = 4 * T_GRANULE, .parked_regions = 1,
		.session_parked = 4 * T_GRANULE });
	must_alloc(test, b, 2 * T_GRANULE);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 2, .in_use = 6 * T_GRANULE, .regions = 2 });
	must_alloc(test, b, 2 * T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_alloc(b, 1, 0, 0, &o_, &id), -EDQUOT);
	expect_sound(test);
}

/*
 * A full park gives back its oldest region for the newest, and the
 * holder's allocations take the newest first.  More live regions than the
 * hot set keeps: those it forgot are freed under the arena lock, and
 * parked the same; every free succeeds and the records stay sound.
 */
static void park_full_gives_back_oldest(struct kunit *test)
{
	struct owner_fixture *f = park_setup(test, 64, 2);
	struct gomem_owner_stats st;
	struct gomem_arena_stats as;
	u64 r[3], many[GOMEM_HOT_MAX + 8];
	struct gomem_holder *a;
	unsigned int i;

	a = holder(test, 0);
	for (i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = must_alloc(test, a, 100);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		KUNIT_EXPECT_EQ(test, gomem_own_free(a, r[i], 100), 0);
		expect_sound(test);
	}
	/* Two parked; the arena had the oldest back: one free of three. */
	gomem_owners_stats(&f->o, &st, &as);
	KUNIT_EXPECT_EQ(test, st.parked, 256ULL);
	KUNIT_EXPECT_EQ(test, st.parked_regions, 2ULL);
	KUNIT_EXPECT_EQ(test, as.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, as.allocs, 3ULL);
	KUNIT_EXPECT_EQ(test, as.frees, 3ULL);
	gomem_arena_stats(&f->a, &as);
	KUNIT_EXPECT_EQ(test, as.in_use, 256ULL);
	KUNIT_EXPECT_EQ(test, as.frees, 1ULL);

	/* The newest first, then the other; the arena's again after. */
	KUNIT_EXPECT_EQ(test, must_alloc(test, a, 100), r[2]);
	KUNIT_EXPECT_EQ(test, must_alloc(test, a, 100), r[1]);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 256ULL);
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = 256, .regions = 2 });

	/* More live regions than the hot set holds, all freed. */
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = must_alloc(test, a, 3 * T_GRANULE);
	for (i = 0; i < ARRAY_SIZE(many); i++) {
		KUNIT_EXPECT_EQ(test, gomem_own_free(a, many[i],
						     3 * T_GRANULE), 0);
		expect_sound(test);
	}
	expect_stats(test, a, (struct gomem_owner_stats){
		.holders = 1, .in_use = 256, .regions = 2,
		.parked = 6 * T_GRANULE, .parked_regions = 2,
		.session_parked = 6 * T_GRANULE });
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 256ULL + 6 * T_GRANULE);
	/* The last two freed are the ones parked. */
	KUNIT_EXPECT_EQ(test, must_alloc(test, a, 3 * T_GRANULE),
			many[ARRAY_SIZE(many) - 1]);
	KUNIT_EXPECT_EQ(test, must_alloc(test, a, 3 * T_GRANULE),
			many[ARRAY_SIZE(many) - 2]);
}

/*
 * Recycle, exit and trim give the parks back.  Recycle and exit count
 * only the live regions; after exit the arena holds nothing of the
 * holder, and the set keeps its park's hits and skipped zeroing; trim
 * releases a chunk only a park held.
 */
static void recycle_and_exit_give_back_parks(struct kunit *test)
{
	struct owner_fixture *f = park_setup(test, T_RECORDS, 4);
	struct gomem_owner_stats st, st0;
	struct gomem_arena_stats as;
	struct gomem_reclaim rc;
	struct gomem_holder *a, *b;
	u64 off[4], bytes = 0;

	a = holder(test, 0);
	b = holder(test, 1);

	/* Recycle: two live regions, two parked. */
	off[0] = must_alloc(test, a, 100);
	off[1] = must_alloc(test, a, 100);
	off[2] = must_alloc(test, a, 5 * T_GRANULE);
	off[3] = must_alloc(test, a, T_GRANULE);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[0], 100), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[1], 100), 0);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, gomem_own_recycle(a, &bytes), 2ULL);
	expect_sound(test);
	KUNIT_EXPECT_EQ(test, bytes, 6ULL * T_GRANULE);
	expect_stats(test, a, (struct gomem_owner_stats){ .holders = 2 });
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);

	/* Exit: one live region, two parked, one park hit before. */
	off[0] = must_alloc(test, a, 100);
	off[1] = must_alloc(test, a, 100);
	off[2] = must_alloc(test, a, 100);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[0], 100), 0);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[1], 100), 0);
	KUNIT_EXPECT_EQ(test, must_alloc(test, a, 100), off[1]);
	KUNIT_EXPECT_EQ(test, gomem_own_free(a, off[1], 100), 0);
	expect_sound(test);
	gomem_owners_stats(&f->o, &st0, NULL);
	KUNIT_EXPECT_EQ(test, st0.parked_regions, 2ULL);
	KUNIT_EXPECT_GE(test, st0.park_hits, 1ULL);
	memset(&rc, 0xa5, sizeof(rc));
	holder_gone(test, 0, &rc);
	KUNIT_EXPECT_EQ(test, rc.regions, 1ULL);
	KUNIT_EXPECT_EQ(test, rc.bytes, 128ULL);
	KUNIT_EXPECT_EQ(test, rc.freed, 1ULL);
	KUNIT_EXPECT_EQ(test, rc.refs, 0ULL);
	KUNIT_EXPECT_EQ(test, rc.tokens, 0ULL);
	KUNIT_EXPECT_EQ(test, arena_in_use(test), 0ULL);
	gomem_owners_stats(&f->o, &st, NULL);
	KUNIT_EXPECT_EQ(test, st.parked, 0ULL);
	KUNIT_EXPECT_EQ(test, st.park_hits, st0.park_hits);
	KUNIT_EXPECT_EQ(test, st.zero_skipped, st0.zero_skipped);

	/* Trim: a park alone in the second chunk goes, and the chunk. */
	off[0] = must_alloc(test, b, PAGE_SIZE);
	off[1] = must_alloc(test, b, PAGE_SIZE);
	gomem_arena_stats(&f->a, &as);
	KUNIT_EXPECT_EQ(test, as.chunks, 2ULL);
	KUNIT_EXPECT_EQ(test, gomem_own_free(b, off[1], PAGE_SIZE), 0);
	expect_sound(test);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 1, .in_use = PAGE_SIZE, .regions = 1,
		.parked = PAGE_SIZE, .parked_regions = 1,
		.session_parked = PAGE_SIZE });
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(&f->a), 2ULL * PAGE_SIZE);
	expect_sound(test);
	expect_stats(test, b, (struct gomem_owner_stats){
		.holders = 1, .in_use = PAGE_SIZE, .regions = 1 });
	gomem_arena_stats(&f->a, &as);
	KUNIT_EXPECT_EQ(test, as.chunks, 1ULL);
	KUNIT_EXPECT_EQ(test, as.in_use, (u64)PAGE_SIZE);
}

static int owner_fixture_init(struct kunit *test)
{
	struct owner_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	test->priv = f;
	return 0;
}

/* Every holder goes; then nothing may be left of the regions. */
static void owner_fixture_exit(struct kunit *test)
{
	struct owner_fixture *f = ofix(test);
	struct gomem_arena_stats st;
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < T_HOLDERS; i++)
		if (f->h_live[i])
			gomem_holder_exit(&f->h[i], NULL);
	if (f->live) {
		KUNIT_EXPECT_EQ(test, gomem_owners_check(&f->o), 0);
		gomem_arena_stats(&f->a, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.in_use, 0ULL,
				    "bytes left after every holder went");
		KUNIT_EXPECT_EQ(test, f->o.nr_refs + f->o.nr_tokens +
				f->o.nr_orphans, 0ULL);
		gomem_owners_destroy(&f->o);
		gomem_arena_destroy(&f->a);
	}
	if (f->live2) {
		gomem_holder_exit(&f->h2, NULL);
		gomem_arena_stats(&f->a2, &st);
		KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
		gomem_owners_destroy(&f->o2);
		gomem_arena_destroy(&f->a2);
	}
	vfree(f->values);
}

static struct kunit_case gomem_owner_cases[] = {
	KUNIT_CASE(alloc_gives_the_caller_a_zeroed_region),
	KUNIT_CASE(alloc_rejects_bad_arguments),
	KUNIT_CASE(alloc_fails_for_room),
	KUNIT_CASE(free_whole_and_partial),
	KUNIT_CASE(free_rejects_bad_ranges),
	KUNIT_CASE(shared_region_outlives_its_owner),
	KUNIT_CASE(token_holds_its_region),
	KUNIT_CASE(share_claim_release),
	KUNIT_CASE(share_needs_a_hold),
	KUNIT_CASE(tokens_of_many_claims),
	KUNIT_CASE(cancel_is_for_the_maker),
	KUNIT_CASE(claims_of_tokens_that_are_not),
	KUNIT_CASE(tokens_belong_to_their_set),
	KUNIT_CASE(tokens_are_never_zero_nor_repeated),
	KUNIT_CASE(claiming_ones_own_token),
	KUNIT_CASE(release_needs_a_reference),
	KUNIT_CASE(holder_exit_gives_back_everything),
	KUNIT_CASE(region_lives_while_any_holder_does),
	KUNIT_CASE(recycle_keeps_references_and_tokens),
	KUNIT_CASE(record_limit_counts_regions_references_tokens),
	KUNIT_CASE(byte_limit_counts_owned_and_referenced),
	KUNIT_CASE(undo_takes_back_only_what_is_as_made),
	KUNIT_CASE(batch_alloc_gives_each_entry_its_result),
	KUNIT_CASE(batch_free_gives_each_entry_its_result),
	KUNIT_CASE(batch_release_gives_each_entry_its_result),
	KUNIT_CASE(batch_share_gives_each_entry_its_result),
	KUNIT_CASE(batch_claim_gives_each_entry_its_result),
	KUNIT_CASE(walk_visits_regions_in_order),
	KUNIT_CASE(stats_follow_every_step),
	KUNIT_CASE(own_bytes_come_back_unzeroed),
	KUNIT_CASE(bytes_that_left_a_holder_are_zeroed),
	KUNIT_CASE(read_only_claims_keep_bytes_the_owners),
	KUNIT_CASE(split_keeps_a_writers_bytes_nobodys),
	KUNIT_CASE(clean_spans_are_bounded),
	KUNIT_CASE(park_reuses_own_region),
	KUNIT_CASE(parked_region_is_free_to_others),
	KUNIT_CASE(park_gives_back_on_no_room),
	KUNIT_CASE(park_gives_back_at_limits),
	KUNIT_CASE(park_full_gives_back_oldest),
	KUNIT_CASE(recycle_and_exit_give_back_parks),
	{}
};

static struct kunit_suite gomem_owner_suite = {
	.name = "gomem_owner",
	.init = owner_fixture_init,
	.exit = owner_fixture_exit,
	.test_cases = gomem_owner_cases,
};

kunit_test_suites(&gomem_owner_suite);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("KUnit tests for the gomem ownership layer");
