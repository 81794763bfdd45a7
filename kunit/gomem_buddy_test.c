// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit suite gomem_buddy: the buddy allocator (gomem_buddy.c).
 *
 * One behaviour or one error per case, with the invariant checker after
 * each step, then a seeded random case against a per-unit model.  The
 * checker cases break the metadata by hand, so they read struct
 * gomem_buddy's private fields.  The same file is compiled into the
 * userspace harness (userspace/harness) against a KUnit shim; running out
 * of memory in init is tested there (buddy_nomem_test.c), where allocation
 * failures can be injected.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "gomem_buddy.h"

/* Orders up to this are small enough to snapshot in a fixture. */
#define SNAP_ORDER	8
#define SNAP_NODES	((2U << SNAP_ORDER) - 1)

struct buddy_fixture {
	struct gomem_buddy b;
	bool live;
	u64 free_before;
	u8 before[SNAP_NODES];
};

static struct buddy_fixture *fix(struct kunit *test)
{
	return test->priv;
}

static struct gomem_buddy *setup(struct kunit *test, unsigned int order)
{
	struct buddy_fixture *f = fix(test);

	KUNIT_ASSERT_LE(test, order, SNAP_ORDER);
	KUNIT_ASSERT_EQ(test, gomem_buddy_init(&f->b, order, GFP_KERNEL), 0);
	f->live = true;
	return &f->b;
}

static u64 nodes(const struct gomem_buddy *b)
{
	return (2ULL << b->order) - 1;
}

#define EXPECT_SOUND(test, b) \
	KUNIT_EXPECT_EQ_MSG(test, gomem_buddy_check(b), 0, "invariant checker")

/* Remember the fixture allocator's whole state. */
static void snap(struct kunit *test)
{
	struct buddy_fixture *f = fix(test);

	memcpy(f->before, f->b.longest, nodes(&f->b));
	f->free_before = f->b.free_units;
}

static void expect_unchanged(struct kunit *test)
{
	struct buddy_fixture *f = fix(test);

	KUNIT_EXPECT_TRUE_MSG(test, !memcmp(f->before, f->b.longest,
					    nodes(&f->b)),
			      "metadata changed by a refused call");
	KUNIT_EXPECT_EQ(test, f->b.free_units, f->free_before);
	EXPECT_SOUND(test, &f->b);
}

/* Expect @err from @call and no change to the fixture allocator. */
#define EXPECT_REFUSED(test, err, call) do {				\
	struct kunit *__test = (test);					\
									\
	snap(__test);							\
	KUNIT_EXPECT_EQ(__test, (int)(call), err);			\
	expect_unchanged(__test);					\
} while (0)

static u64 must_alloc(struct kunit *test, struct gomem_buddy *b, u64 nr)
{
	u64 unit = U64_MAX;

	KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_alloc(b, nr, &unit), 0,
			    "alloc(%llu)", nr);
	EXPECT_SOUND(test, b);
	return unit;
}

static void must_free(struct kunit *test, struct gomem_buddy *b, u64 unit)
{
	KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_free(b, unit), 0, "free(%llu)",
			    unit);
	EXPECT_SOUND(test, b);
}

static void init_makes_whole_pool_free(struct kunit *test)
{
	struct gomem_buddy b;
	unsigned int order;

	for (order = 0; order <= 12; order++) {
		KUNIT_ASSERT_EQ(test, gomem_buddy_init(&b, order, GFP_KERNEL),
				0);
		KUNIT_EXPECT_EQ(test, gomem_buddy_size(&b), 1ULL << order);
		KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(&b),
				1ULL << order);
		KUNIT_EXPECT_EQ(test, gomem_buddy_largest(&b), 1ULL << order);
		KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(&b, 0), 0ULL);
		KUNIT_EXPECT_EQ_MSG(test, gomem_buddy_check(&b), 0, "order %u",
				    order);
		gomem_buddy_destroy(&b);
	}
}

static void init_rejects_order_above_max(struct kunit *test)
{
	static const unsigned int bad[] = {
		GOMEM_BUDDY_MAX_ORDER + 1, 63, 64, U32_MAX,
	};
	struct gomem_buddy b = { .order = 5 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, gomem_buddy_init(&b, bad[i],
							   GFP_KERNEL),
				    -EINVAL, "order %u", bad[i]);
		KUNIT_EXPECT_EQ(test, b.order, 5U);
		KUNIT_EXPECT_NULL(test, b.longest);
	}
}

static void order_zero_pool_holds_one_unit(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 0);
	u64 unit;

	KUNIT_EXPECT_EQ(test, gomem_buddy_size(b), 1ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 0ULL);
	EXPECT_REFUSED(test, -ENOMEM, gomem_buddy_alloc(b, 1, &unit));
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_alloc(b, 2, &unit));
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, 1));
	must_free(test, b, 0);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 1ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 1ULL);
}

static void alloc_rounds_up_to_power_of_two(struct kunit *test)
{
	static const u64 ask[] = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33 };
	static const u64 got[] = { 1, 2, 4, 4, 8, 8, 8, 16, 16, 32, 64 };
	struct gomem_buddy *b = setup(test, 8);
	u64 i, unit;

	for (i = 0; i < ARRAY_SIZE(ask); i++) {
		unit = must_alloc(test, b, ask[i]);
		KUNIT_EXPECT_EQ_MSG(test, gomem_buddy_block_units(b, unit),
				    got[i], "alloc(%llu)", ask[i]);
		KUNIT_EXPECT_EQ_MSG(test, gomem_buddy_free_units(b),
				    256 - got[i], "alloc(%llu)", ask[i]);
		must_free(test, b, unit);
	}
}

static void alloc_returns_lowest_free_block(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 4);

	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 2), 2ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 1ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 4), 4ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 2), 8ULL);
	must_free(test, b, 2);
	/* [2, 4) is free again, below the free [10, 16): it comes first. */
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 2ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 3ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 10ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 4), 12ULL);
}

static void alloc_aligns_block_to_its_size(struct kunit *test)
{
	static const u64 ask[] = { 1, 8, 1, 2, 16, 4, 1, 32, 2, 64 };
	struct gomem_buddy *b = setup(test, 8);
	u64 i, unit, units;

	for (i = 0; i < ARRAY_SIZE(ask); i++) {
		unit = must_alloc(test, b, ask[i]);
		units = gomem_buddy_block_units(b, unit);
		KUNIT_EXPECT_EQ(test, units, ask[i]);
		KUNIT_EXPECT_EQ_MSG(test, unit % units, 0ULL,
				    "block of %llu at %llu", units, unit);
		KUNIT_EXPECT_LE(test, unit + units, 256ULL);
	}
}

static void alloc_rejects_zero_and_oversized(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 6);
	u64 unit = 7;

	must_alloc(test, b, 3);
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_alloc(b, 0, &unit));
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_alloc(b, 65, &unit));
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_alloc(b, 1ULL << 63, &unit));
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_alloc(b, U64_MAX, &unit));
	KUNIT_EXPECT_EQ_MSG(test, unit, 7ULL, "unit written on error");
}

static void alloc_fails_only_when_no_run_fits(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 4);
	u64 unit = 99;

	/* Units 0-7 taken in pieces, then unit 8: 9-15 free, runs of 4 at most. */
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 1ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 4), 4ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 2), 2ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 8ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 7ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 4ULL);
	EXPECT_REFUSED(test, -ENOMEM, gomem_buddy_alloc(b, 5, &unit));
	EXPECT_REFUSED(test, -ENOMEM, gomem_buddy_alloc(b, 16, &unit));
	KUNIT_EXPECT_EQ_MSG(test, unit, 99ULL, "unit written on error");
	/* The run of 4 at 12 still fits. */
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 3), 12ULL);
}

static void alloc_of_whole_pool_leaves_nothing_free(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 5);
	u64 unit;

	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 32), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 0), 32ULL);
	EXPECT_REFUSED(test, -ENOMEM, gomem_buddy_alloc(b, 1, &unit));
	must_free(test, b, 0);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 32ULL);
}

static void alloc_of_every_unit_fills_pool_in_order(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 6);
	u64 i, unit;

	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), i);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 0ULL);
	EXPECT_REFUSED(test, -ENOMEM, gomem_buddy_alloc(b, 1, &unit));
	for (i = 0; i < 64; i++)
		must_free(test, b, i);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 64ULL);
}

static void free_merges_buddies(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 3);
	u64 i;

	for (i = 0; i < 8; i++)
		must_alloc(test, b, 1);
	must_free(test, b, 0);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 1ULL);
	must_free(test, b, 1);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 2ULL);
	must_free(test, b, 3);
	must_free(test, b, 2);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 4ULL);
	must_free(test, b, 6);
	must_free(test, b, 7);
	must_free(test, b, 5);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 4ULL);
	must_free(test, b, 4);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 8ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 8), 0ULL);
}

static void free_does_not_merge_neighbours_that_are_not_buddies(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 2);

	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 1), 1ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 2), 2ULL);
	must_free(test, b, 1);
	must_free(test, b, 2);
	/* Units 1, 2 and 3 are free, but no aligned run of 2 is. */
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 3ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 2ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 2), 2ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 1ULL);
}

static void free_returns_whole_block(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 5);
	u64 unit;

	must_alloc(test, b, 1);
	unit = must_alloc(test, b, 5);
	KUNIT_EXPECT_EQ(test, unit, 8ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 32ULL - 9);
	must_free(test, b, unit);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 31ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, unit), 0ULL);
}

static void free_inside_block_is_refused(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 5);
	u64 unit;

	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 16), 0ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 4), 16ULL);
	for (unit = 1; unit < 16; unit++)
		EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, unit));
	for (unit = 17; unit < 20; unit++)
		EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, unit));
	must_free(test, b, 16);
	must_free(test, b, 0);
}

static void free_of_free_unit_is_refused(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 4);
	u64 unit;

	for (unit = 0; unit < 16; unit++)
		EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, unit));
	must_alloc(test, b, 2);
	for (unit = 2; unit < 16; unit++)
		EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, unit));
}

static void double_free_is_refused(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 4);

	must_alloc(test, b, 4);
	must_alloc(test, b, 1);
	must_free(test, b, 0);
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, 0));
	must_free(test, b, 4);
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, 4));
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 16ULL);
}

static void free_out_of_range_is_refused(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 4);

	must_alloc(test, b, 16);
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, 16));
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, 32));
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, 1ULL << 63));
	EXPECT_REFUSED(test, -EINVAL, gomem_buddy_free(b, U64_MAX));
	must_free(test, b, 0);
}

static void block_units_reports_block_starts_only(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 4);

	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 2), 0ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 8), 8ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 0), 2ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 2), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 4), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 8), 8ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 12), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 16), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, U64_MAX), 0ULL);
	must_free(test, b, 8);
	KUNIT_EXPECT_EQ(test, gomem_buddy_block_units(b, 8), 0ULL);
}

static void largest_tracks_longest_free_run(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 4);

	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 16ULL);
	must_alloc(test, b, 1);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 8ULL);
	must_alloc(test, b, 8);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 4ULL);
	must_alloc(test, b, 4);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 2ULL);
	must_alloc(test, b, 2);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 1ULL);
	must_alloc(test, b, 1);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(b), 0ULL);
	must_free(test, b, 8);
	KUNIT_EXPECT_EQ(test, gomem_buddy_largest(b), 8ULL);
}

static void destroy_with_blocks_outstanding(struct kunit *test)
{
	struct gomem_buddy b;

	KUNIT_ASSERT_EQ(test, gomem_buddy_init(&b, 10, GFP_KERNEL), 0);
	must_alloc(test, &b, 3);
	must_alloc(test, &b, 100);
	gomem_buddy_destroy(&b);
	KUNIT_EXPECT_NULL(test, b.longest);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(&b), 0ULL);
}

/* ---- the checker sees each broken invariant ---- */

static void check_detects_bad_free_units(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 4);

	must_alloc(test, b, 2);
	b->free_units++;
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(b), -EUCLEAN);
	b->free_units -= 2;
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(b), -EUCLEAN);
	b->free_units++;
	EXPECT_SOUND(test, b);
}

static void check_detects_value_above_free(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 3);

	must_alloc(test, b, 1);
	/* Leaf of unit 1 (index 8): free is 1. */
	b->longest[8] = 2;
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(b), -EUCLEAN);
	b->longest[8] = 1;
	/* The root of an order-3 pool: free is 4. */
	b->longest[0] = 5;
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(b), -EUCLEAN);
	b->longest[0] = 3;
	EXPECT_SOUND(test, b);
}

static void check_detects_node_not_max_of_halves(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 3);

	must_alloc(test, b, 1);
	/* Root: halves hold 2 (order 1 run left) and 3 (free right). */
	KUNIT_ASSERT_EQ(test, b->longest[0], 3);
	b->longest[0] = 2;
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(b), -EUCLEAN);
	b->longest[0] = 3;
	EXPECT_SOUND(test, b);
}

static void check_detects_unmerged_buddies(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 3);

	must_alloc(test, b, 1);
	must_alloc(test, b, 1);
	/* Node 3 (units 0-1): both halves allocated. */
	KUNIT_ASSERT_EQ(test, b->longest[3], 0);
	must_free(test, b, 0);
	must_free(test, b, 1);
	/* Both halves free again, but the node says only one unit is. */
	b->longest[3] = 1;
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(b), -EUCLEAN);
	b->longest[3] = 2;
	EXPECT_SOUND(test, b);
}

static void check_detects_nested_block(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, 3);

	/* A block of 4 at node 1; mark unit 0 (leaf 7) allocated inside. */
	KUNIT_EXPECT_EQ(test, must_alloc(test, b, 4), 0ULL);
	b->longest[7] = 0;
	b->longest[3] = 1;
	b->free_units--;
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(b), -EUCLEAN);
	b->longest[7] = 1;
	b->longest[3] = 2;
	b->free_units++;
	EXPECT_SOUND(test, b);
}

static void check_detects_missing_metadata(struct kunit *test)
{
	struct gomem_buddy b;

	KUNIT_ASSERT_EQ(test, gomem_buddy_init(&b, 2, GFP_KERNEL), 0);
	gomem_buddy_destroy(&b);
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(&b), -EUCLEAN);
}

/* ---- seeded random operations against a per-unit model ---- */

#define RND_ORDER	8
#define RND_UNITS	256		/* 2^RND_ORDER */
#define RND_OPS		20000

/*
 * The model: head[u] is the order + 1 of the block starting at unit u, or
 * 0; used[u] says whether u is in a block.  Expected answers come from
 * these maps and the contract alone.
 */
struct rnd_model {
	u8 used[RND_UNITS];
	u8 head[RND_UNITS];
	u64 free;
};

static u64 rnd_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static bool rnd_all_free(const struct rnd_model *m, u64 start, u64 n)
{
	u64 u;

	for (u = start; u < start + n; u++)
		if (m->used[u])
			return false;
	return true;
}

/* The lowest block of 2^@k units, aligned to its size, that is all free. */
static bool rnd_lowest_fit(const struct rnd_model *m, unsigned int k,
			   u64 *unit)
{
	u64 p;

	for (p = 0; p < RND_UNITS; p += 1ULL << k) {
		if (rnd_all_free(m, p, 1ULL << k)) {
			*unit = p;
			return true;
		}
	}
	return false;
}

static u64 rnd_largest(const struct rnd_model *m)
{
	u64 unit;
	int k;

	for (k = RND_ORDER; k >= 0; k--)
		if (rnd_lowest_fit(m, k, &unit))
			return 1ULL << k;
	return 0;
}

static void random_ops_match_model(struct kunit *test)
{
	struct gomem_buddy *b = setup(test, RND_ORDER);
	u64 seed = 0x9e3779b97f4a7c15ULL, i, nr, unit, want, u, units;
	struct rnd_model *m;
	unsigned int k;
	bool fits;
	int err;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->free = RND_UNITS;

	for (i = 0; i < RND_OPS; i++) {
		switch (rnd_next(&seed) % 8) {
		case 0:
		case 1:
		case 2:				/* allocate */
			nr = 1 + rnd_next(&seed) % (rnd_next(&seed) % 4 ?
						    8 : RND_UNITS);
			k = nr > 1 ? ilog2(nr - 1) + 1 : 0;
			fits = rnd_lowest_fit(m, k, &want);
			err = gomem_buddy_alloc(b, nr, &unit);
			if (!fits) {
				KUNIT_ASSERT_EQ_MSG(test, err, -ENOMEM,
						    "op %llu alloc(%llu)", i, nr);
				break;
			}
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "op %llu alloc(%llu)",
					    i, nr);
			KUNIT_ASSERT_EQ_MSG(test, unit, want,
					    "op %llu alloc(%llu)", i, nr);
			for (u = unit; u < unit + (1ULL << k); u++)
				m->used[u] = 1;
			m->head[unit] = k + 1;
			m->free -= 1ULL << k;
			break;
		case 3:
		case 4:
		case 5:				/* free a block, if any */
			u = rnd_next(&seed) % RND_UNITS;
			for (unit = u; unit < u + RND_UNITS; unit++)
				if (m->head[unit % RND_UNITS])
					break;
			if (unit == u + RND_UNITS)
				break;
			unit %= RND_UNITS;
			units = 1ULL << (m->head[unit] - 1);
			KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_block_units(b, unit),
					    units, "op %llu", i);
			KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_free(b, unit), 0,
					    "op %llu free(%llu)", i, unit);
			for (u = unit; u < unit + units; u++)
				m->used[u] = 0;
			m->head[unit] = 0;
			m->free += units;
			break;
		default:			/* a unit that starts no block */
			u = rnd_next(&seed) % (RND_UNITS + 4);
			if (u < RND_UNITS && m->head[u])
				break;
			KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_free(b, u),
					    -EINVAL, "op %llu free(%llu)", i, u);
			KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_block_units(b, u),
					    0ULL, "op %llu", i);
			break;
		}
		KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_check(b), 0, "op %llu", i);
		KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_free_units(b), m->free,
				    "op %llu", i);
		KUNIT_ASSERT_EQ_MSG(test, gomem_buddy_largest(b),
				    rnd_largest(m), "op %llu", i);
	}
}

static struct kunit_case gomem_buddy_cases[] = {
	KUNIT_CASE(init_makes_whole_pool_free),
	KUNIT_CASE(init_rejects_order_above_max),
	KUNIT_CASE(order_zero_pool_holds_one_unit),
	KUNIT_CASE(alloc_rounds_up_to_power_of_two),
	KUNIT_CASE(alloc_returns_lowest_free_block),
	KUNIT_CASE(alloc_aligns_block_to_its_size),
	KUNIT_CASE(alloc_rejects_zero_and_oversized),
	KUNIT_CASE(alloc_fails_only_when_no_run_fits),
	KUNIT_CASE(alloc_of_whole_pool_leaves_nothing_free),
	KUNIT_CASE(alloc_of_every_unit_fills_pool_in_order),
	KUNIT_CASE(free_merges_buddies),
	KUNIT_CASE(free_does_not_merge_neighbours_that_are_not_buddies),
	KUNIT_CASE(free_returns_whole_block),
	KUNIT_CASE(free_inside_block_is_refused),
	KUNIT_CASE(free_of_free_unit_is_refused),
	KUNIT_CASE(double_free_is_refused),
	KUNIT_CASE(free_out_of_range_is_refused),
	KUNIT_CASE(block_units_reports_block_starts_only),
	KUNIT_CASE(largest_tracks_longest_free_run),
	KUNIT_CASE(destroy_with_blocks_outstanding),
	KUNIT_CASE(check_detects_bad_free_units),
	KUNIT_CASE(check_detects_value_above_free),
	KUNIT_CASE(check_detects_node_not_max_of_halves),
	KUNIT_CASE(check_detects_unmerged_buddies),
	KUNIT_CASE(check_detects_nested_block),
	KUNIT_CASE(check_detects_missing_metadata),
	KUNIT_CASE(random_ops_match_model),
	{}
};

static int buddy_fixture_init(struct kunit *test)
{
	struct buddy_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	test->priv = f;
	return 0;
}

static void buddy_fixture_exit(struct kunit *test)
{
	struct buddy_fixture *f = fix(test);

	if (f && f->live)
		gomem_buddy_destroy(&f->b);
}

static struct kunit_suite gomem_buddy_suite = {
	.name = "gomem_buddy",
	.init = buddy_fixture_init,
	.exit = buddy_fixture_exit,
	.test_cases = gomem_buddy_cases,
};

kunit_test_suites(&gomem_buddy_suite);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("KUnit tests for the gomem buddy allocator");
