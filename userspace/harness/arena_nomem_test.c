// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem_arena_nomem: the arena when memory runs out.
 *
 * Harness-only (it needs the shim's failure injection, which covers the
 * slab, kmalloc and vmalloc alike): arena creation and growth fail with
 * -ENOMEM at every allocation they make, leaving nothing allocated and the
 * arena as it was; trim and a merging free need no memory at all; a
 * recyclable batch that cannot record a region allocates nothing.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/page.h>

#include "gomem_arena.h"
#include "shim.h"

/* Enough injected failures to cover every allocation of one call. */
#define NOMEM_STEPS	64

static const struct gomem_arena_params nomem_params[] = {
	{
		.initial_size = PAGE_SIZE,
		.max_chunk = 4 * PAGE_SIZE,
		.max_size = 16 * PAGE_SIZE,
		.source = GOMEM_CHUNKS_VMALLOC,
	},
	{
		.initial_size = PAGE_SIZE,
		.max_chunk = 4 * PAGE_SIZE,
		.max_size = 16 * PAGE_SIZE,
		.source = GOMEM_CHUNKS_BUDDY,
		.policy = GOMEM_POLICY_AVL,
	},
	{
		/* A pool whose buddy metadata is above a page; fronts. */
		.initial_size = PAGE_SIZE,
		.max_chunk = 64 * PAGE_SIZE,
		.max_size = 4096 * PAGE_SIZE,
		.source = GOMEM_CHUNKS_BUDDY,
		.front_max = 1024,
	},
};

/*
 * A user can make the arena allocate (arena creation, growth): failing is
 * -ENOMEM, never a stack dump in the kernel's log, so every allocation
 * the kernel would report on failure carries __GFP_NOWARN.
 */
#define EXPECT_QUIET(test, loud, i, n)					\
	KUNIT_EXPECT_EQ_MSG(test, shim_slab_loud_failures(), loud,	\
			    "params %u, failing after %u: an allocation "	\
			    "the kernel reports on failure has no "	\
			    "__GFP_NOWARN", i, n)

static void init_fails_cleanly_at_every_allocation(struct kunit *test)
{
	unsigned long live = shim_slab_live_total();
	unsigned long loud = shim_slab_loud_failures();
	struct gomem_arena a;
	unsigned int i, n;
	int err;

	for (i = 0; i < ARRAY_SIZE(nomem_params); i++) {
		for (n = 0; n < NOMEM_STEPS; n++) {
			shim_slab_fail_after(n);
			err = gomem_arena_init(&a, &nomem_params[i]);
			shim_slab_fail_reset();
			if (!err)
				break;
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			EXPECT_QUIET(test, loud, i, n);
			KUNIT_EXPECT_EQ_MSG(test, shim_slab_live_total(), live,
					    "params %u, failing after %u", i, n);
		}
		KUNIT_ASSERT_LT_MSG(test, n, NOMEM_STEPS, "params %u", i);
		KUNIT_EXPECT_GT_MSG(test, n, 2U, "init made too few allocations");
		KUNIT_EXPECT_EQ(test, gomem_arena_check(&a), 0);
		gomem_arena_destroy(&a);
		KUNIT_EXPECT_EQ(test, shim_slab_live_total(), live);
	}
}

static void growth_fails_cleanly_at_every_allocation(struct kunit *test)
{
	unsigned long loud = shim_slab_loud_failures();
	struct gomem_arena_stats before, after;
	struct gomem_arena a;
	unsigned long live;
	unsigned int i, n;
	u64 off;
	int err;

	for (i = 0; i < ARRAY_SIZE(nomem_params); i++) {
		KUNIT_ASSERT_EQ(test, gomem_arena_init(&a, &nomem_params[i]), 0);
		KUNIT_ASSERT_EQ(test, gomem_arena_alloc(&a, PAGE_SIZE, 8, 0,
							&off), 0);
		for (n = 0; n < NOMEM_STEPS; n++) {
			gomem_arena_stats(&a, &before);
			live = shim_slab_live_total();
			shim_slab_fail_after(n);
			err = gomem_arena_alloc(&a, 64, 8, 0, &off);
			shim_slab_fail_reset();
			if (!err)
				break;
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			EXPECT_QUIET(test, loud, i, n);
			gomem_arena_stats(&a, &after);
			KUNIT_EXPECT_EQ(test, after.failed_allocs,
					before.failed_allocs + 1);
			after.failed_allocs = before.failed_allocs;
			KUNIT_EXPECT_TRUE_MSG(test, !memcmp(&before, &after,
							    sizeof(before)),
					      "params %u, failing after %u", i,
					      n);
			KUNIT_EXPECT_EQ(test, shim_slab_live_total(), live);
			KUNIT_EXPECT_EQ(test, gomem_arena_check(&a), 0);
		}
		KUNIT_ASSERT_LT(test, n, NOMEM_STEPS);
		KUNIT_EXPECT_EQ(test, a.nr_chunks, 2U);
		KUNIT_EXPECT_EQ(test, gomem_arena_check(&a), 0);
		gomem_arena_destroy(&a);
	}
}

static void trim_and_merging_free_need_no_memory(struct kunit *test)
{
	struct gomem_arena a;
	unsigned int i;
	u64 x, y;

	for (i = 0; i < ARRAY_SIZE(nomem_params); i++) {
		KUNIT_ASSERT_EQ(test, gomem_arena_init(&a, &nomem_params[i]), 0);
		KUNIT_ASSERT_EQ(test, gomem_arena_alloc(&a, PAGE_SIZE, 8, 0,
							&x), 0);
		KUNIT_ASSERT_EQ(test, gomem_arena_alloc(&a, 2 * PAGE_SIZE, 8, 0,
							&y), 0);
		shim_slab_fail_after(0);
		KUNIT_EXPECT_EQ(test, gomem_arena_free(&a, y, 2 * PAGE_SIZE), 0);
		KUNIT_EXPECT_EQ(test, gomem_arena_trim(&a), 2 * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, gomem_arena_free(&a, x, PAGE_SIZE), 0);
		shim_slab_fail_reset();
		KUNIT_EXPECT_EQ(test, gomem_arena_check(&a), 0);
		gomem_arena_destroy(&a);
	}
}

static void recyclable_records_nothing_without_memory(struct kunit *test)
{
	struct gomem_arena_stats before, after;
	struct gomem_recyclable rm;
	struct gomem_arena a;
	u64 off;

	KUNIT_ASSERT_EQ(test, gomem_arena_init(&a, &nomem_params[0]), 0);
	gomem_recyclable_init(&rm, &a);
	gomem_arena_stats(&a, &before);
	shim_slab_fail_next(1);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_next_n(&rm, 64, &off), -ENOMEM);
	shim_slab_fail_next(1);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_add(&rm, 0, 64), -ENOMEM);
	shim_slab_fail_reset();
	gomem_arena_stats(&a, &after);
	KUNIT_EXPECT_TRUE(test, !memcmp(&before, &after, sizeof(before)));
	KUNIT_EXPECT_EQ(test, rm.nr, 0U);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_next_n(&rm, 64, &off), 0);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_recycle(&rm, false), 0);
	gomem_recyclable_destroy(&rm);
	gomem_arena_destroy(&a);
}

#define HELD_MAX	512

/* A caller's view of its regions: what it will free, piece by piece. */
struct held_set {
	struct gomem_region r[HELD_MAX];
	unsigned int nr;
};

/*
 * Allocate adjacent regions of 8 to 64 bytes over several chunks (every
 * later free of one of them leaves a block that touches no other: the
 * case that needs a node), then split some in the middle while memory
 * is still there.
 */
static void held_setup(struct kunit *test, struct gomem_arena *a,
		       struct held_set *h)
{
	struct gomem_region *r;
	unsigned int i, n;

	h->nr = 0;
	for (i = 0; i < 240; i++) {
		r = &h->r[h->nr++];
		r->size = 8 * (1 + i % 16);
		KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, r->size, 8, 0,
							&r->offset), 0);
	}
	KUNIT_ASSERT_GE(test, a->nr_chunks, 3U);
	for (i = 0, n = h->nr; i < n; i += 5) {
		r = &h->r[i];
		if (r->size < 24)
			continue;
		KUNIT_ASSERT_EQ(test, gomem_arena_free_part(a, r->offset,
							    r->size,
							    r->offset + 8,
							    r->size - 16), 0);
		h->r[h->nr].offset = r->offset + r->size - 8;
		h->r[h->nr++].size = 8;
		r->size = 8;
	}
	KUNIT_ASSERT_EQ(test, gomem_arena_check(a), 0);
}

/*
 * The bug "a WARN and a permanent leak at close": a free that needed a
 * node could fail, so the device's release could not free a region.  Now
 * each region has its node reserved: with every allocation failing, the
 * whole regions, heads and tails a caller holds still free, and the arena
 * ends up entirely free.  A middle, which makes a new region, may be
 * refused, and then changes nothing.
 */
static void frees_of_held_regions_need_no_memory(struct kunit *test)
{
	struct gomem_arena_stats before, after;
	struct gomem_region *r;
	struct gomem_arena a;
	struct held_set *h;
	unsigned int i, j, pass;
	int err;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < ARRAY_SIZE(nomem_params); i++) {
		KUNIT_ASSERT_EQ(test, gomem_arena_init(&a, &nomem_params[i]), 0);
		held_setup(test, &a, h);
		shim_slab_fail_after(0);
		for (pass = 0; pass < h->nr; pass++) {
			r = &h->r[pass];
			if (r->size < 16)
				continue;
			if (pass % 3 == 0) {
				KUNIT_EXPECT_EQ(test,
						gomem_arena_free_part(&a, r->offset,
								      r->size,
								      r->offset, 8),
						0);
				r->offset += 8;
				r->size -= 8;
			} else if (pass % 3 == 1) {
				KUNIT_EXPECT_EQ(test,
						gomem_arena_free_part(&a, r->offset,
								      r->size,
								      r->offset +
								      r->size - 8,
								      8), 0);
				r->size -= 8;
			}
		}
		/* A middle needs a new node: refused, or done with a spare. */
		for (pass = 0; pass < h->nr; pass++) {
			r = &h->r[pass];
			if (r->size < 24)
				continue;
			gomem_arena_stats(&a, &before);
			err = gomem_arena_free_part(&a, r->offset, r->size,
						    r->offset + 8, 8);
			gomem_arena_stats(&a, &after);
			if (err) {
				KUNIT_EXPECT_EQ(test, err, -ENOMEM);
				KUNIT_EXPECT_EQ(test, after.in_use,
						before.in_use);
				KUNIT_EXPECT_EQ(test, after.frees,
						before.frees);
				break;
			}
			h->r[h->nr].offset = r->offset + 16;
			h->r[h->nr++].size = r->size - 16;
			r->size = 8;
		}
		KUNIT_EXPECT_EQ(test, gomem_arena_check(&a), 0);
		/* Every other region first: each leaves a block of its own. */
		for (pass = 0; pass < 2; pass++)
			for (j = pass; j < h->nr; j += 2)
				KUNIT_EXPECT_EQ_MSG(test,
						    gomem_arena_free(&a, h->r[j].offset,
								     h->r[j].size),
						    0, "region %u", j);
		KUNIT_EXPECT_GT(test, shim_slab_refused(), 0UL);
		shim_slab_fail_reset();
		gomem_arena_stats(&a, &after);
		KUNIT_EXPECT_EQ(test, after.in_use, 0ULL);
		KUNIT_EXPECT_EQ(test, gomem_arena_check(&a), 0);
		KUNIT_EXPECT_EQ(test, gomem_arena_trim(&a),
				after.capacity - nomem_params[i].initial_size);
		gomem_arena_destroy(&a);
	}
}

static struct kunit_case gomem_arena_nomem_cases[] = {
	KUNIT_CASE(init_fails_cleanly_at_every_allocation),
	KUNIT_CASE(growth_fails_cleanly_at_every_allocation),
	KUNIT_CASE(trim_and_merging_free_need_no_memory),
	KUNIT_CASE(recyclable_records_nothing_without_memory),
	KUNIT_CASE(frees_of_held_regions_need_no_memory),
	{}
};

static struct kunit_suite gomem_arena_nomem_suite = {
	.name = "gomem_arena_nomem",
	.test_cases = gomem_arena_nomem_cases,
};

kunit_test_suites(&gomem_arena_nomem_suite);
