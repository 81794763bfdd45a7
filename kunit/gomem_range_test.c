// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit suites for the range allocators: gomem_treap and gomem_avl.
 *
 * Both suites run the same behaviour cases against their own policy; each
 * adds the placement cases that tell the policies apart.  Every case runs
 * the invariant checker after each step.  The same file is compiled into
 * the userspace harness (userspace/harness) against a KUnit shim.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <asm/page.h>

#include "gomem_range.h"
#include "../gomem_range_internal.h"

#define SNAP_MAX	32

/* What the caller can observe of an allocator; equal snapshots = unchanged. */
struct range_snap {
	u64 free;
	u64 blocks;
	u64 largest;
	u64 nr;
	u64 off[SNAP_MAX];
	u64 len[SNAP_MAX];
};

struct range_fixture {
	enum gomem_policy policy;
	bool live;
	struct gomem_range r;
	struct range_snap before;
	struct range_snap after;
};

static int snap_block(void *arg, u64 offset, u64 len)
{
	struct range_snap *s = arg;

	if (s->nr < SNAP_MAX) {
		s->off[s->nr] = offset;
		s->len[s->nr] = len;
	}
	s->nr++;
	return 0;
}

static void snap(const struct gomem_range *r, struct range_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->free = gomem_range_free_bytes(r);
	s->blocks = gomem_range_nr_blocks(r);
	s->largest = gomem_range_largest(r);
	gomem_range_walk(r, snap_block, s);
}

static struct range_fixture *fix(struct kunit *test)
{
	return test->priv;
}

static struct gomem_range *setup(struct kunit *test, u64 size, u64 granule)
{
	struct range_fixture *f = fix(test);

	KUNIT_ASSERT_EQ(test, gomem_range_init(&f->r, f->policy, size, granule,
					       GFP_KERNEL), 0);
	f->live = true;
	return &f->r;
}

#define EXPECT_SOUND(test, r) \
	KUNIT_EXPECT_EQ_MSG(test, gomem_range_check(r), 0, "invariant checker")

static void expect_unchanged(struct kunit *test, const struct gomem_range *r)
{
	struct range_fixture *f = fix(test);

	snap(r, &f->after);
	KUNIT_EXPECT_TRUE_MSG(test, !memcmp(&f->before, &f->after,
					    sizeof(f->before)),
			      "allocator changed by a refused call");
	EXPECT_SOUND(test, r);
}

/* Expect @err from @call and no change to the fixture allocator @rng. */
#define EXPECT_REFUSED(test, rng, err, call) do {			\
	struct kunit *__test = (test);					\
									\
	snap((rng), &fix(__test)->before);				\
	KUNIT_EXPECT_EQ(__test, (int)(call), err);			\
	expect_unchanged(__test, &fix(__test)->r);			\
} while (0)

static u64 must_alloc(struct kunit *test, struct gomem_range *r, u64 size,
		      u64 align)
{
	u64 off = U64_MAX;

	KUNIT_ASSERT_EQ(test, gomem_range_alloc(r, size, align, &off), 0);
	EXPECT_SOUND(test, r);
	return off;
}

static void must_free(struct kunit *test, struct gomem_range *r, u64 off,
		      u64 size)
{
	KUNIT_ASSERT_EQ(test, gomem_range_free(r, off, size), 0);
	EXPECT_SOUND(test, r);
}

static void expect_blocks(struct kunit *test, struct gomem_range *r,
			  const u64 *want, u64 nr)
{
	struct range_snap *s = &fix(test)->after;
	u64 i;

	snap(r, s);
	KUNIT_ASSERT_EQ(test, s->nr, nr);
	for (i = 0; i < nr && i < SNAP_MAX; i++) {
		KUNIT_EXPECT_EQ_MSG(test, s->off[i], want[2 * i],
				    "start of free block %llu", i);
		KUNIT_EXPECT_EQ_MSG(test, s->len[i], want[2 * i + 1],
				    "length of free block %llu", i);
	}
}

static void init_makes_one_free_block(struct kunit *test)
{
	struct gomem_range *r = setup(test, 4096, 8);
	static const u64 want[] = { 0, 4096 };

	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 4096ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 1ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_largest(r), 4096ULL);
	expect_blocks(test, r, want, 1);
	EXPECT_SOUND(test, r);
}

static void init_rejects_bad_arguments(struct kunit *test)
{
	struct range_fixture *f = fix(test);
	struct gomem_range r;

	KUNIT_EXPECT_EQ(test, gomem_range_init(&r, f->policy, 0, 8,
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_range_init(&r, f->policy, 100, 8,
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_range_init(&r, f->policy, 4096, 0,
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_range_init(&r, f->policy, 4096, 24,
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_range_init(&r, f->policy, 4 * PAGE_SIZE,
					       2 * PAGE_SIZE, GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_range_init(&r, (enum gomem_policy)7, 4096,
					       8, GFP_KERNEL), -EINVAL);
}

static void init_accepts_any_power_of_two_granule(struct kunit *test)
{
	struct gomem_range r;
	u64 g, off;

	for (g = 1; g <= PAGE_SIZE; g <<= 1) {
		KUNIT_ASSERT_EQ(test, gomem_range_init(&r, fix(test)->policy,
						       16 * PAGE_SIZE, g,
						       GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, gomem_range_alloc(&r, 1, 1, &off), 0);
		KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(&r),
				16 * PAGE_SIZE - g);
		KUNIT_EXPECT_EQ(test, gomem_range_check(&r), 0);
		gomem_range_destroy(&r);
	}
}

static void alloc_rounds_size_to_granule(struct kunit *test)
{
	struct gomem_range *r = setup(test, 4096, 8);

	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 5, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 4088ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 9, 1), 8ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 1, 1), 24ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 4096ULL - 32);
}

static void alloc_honours_alignment(struct kunit *test)
{
	struct gomem_range *r = setup(test, 64 * PAGE_SIZE, 8);
	u64 align, off;

	must_alloc(test, r, 8, 1);
	for (align = 1; align <= PAGE_SIZE; align <<= 1) {
		off = must_alloc(test, r, 24, align);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(off, max(align, 8ULL)),
				      "offset %llu for alignment %llu", off,
				      align);
	}
}

static void alloc_rejects_zero_and_oversized(struct kunit *test)
{
	struct gomem_range *r = setup(test, 4096, 8);
	u64 off;

	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_alloc(r, 0, 8, &off));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_alloc(r, 4097, 8, &off));
	EXPECT_REFUSED(test, r, -EINVAL,
		       gomem_range_alloc(r, U64_MAX, 8, &off));
}

static void alloc_rejects_bad_alignment(struct kunit *test)
{
	struct gomem_range *r = setup(test, 4096, 8);
	u64 off;

	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_alloc(r, 8, 0, &off));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_alloc(r, 8, 3, &off));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_alloc(r, 8, 24, &off));
	EXPECT_REFUSED(test, r, -EINVAL,
		       gomem_range_alloc(r, 8, 2 * PAGE_SIZE, &off));
}

static void alloc_fails_only_when_nothing_fits(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	u64 off, i;

	for (i = 0; i < 1024; i += 64)
		must_alloc(test, r, 64, 1);
	EXPECT_REFUSED(test, r, -ENOMEM, gomem_range_alloc(r, 8, 1, &off));
	must_free(test, r, 520, 8);
	EXPECT_REFUSED(test, r, -ENOMEM, gomem_range_alloc(r, 16, 1, &off));
	EXPECT_REFUSED(test, r, -ENOMEM, gomem_range_alloc(r, 8, 16, &off));
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 8, 8), 520ULL);
}

static void alloc_of_whole_space_leaves_no_block(struct kunit *test)
{
	struct gomem_range *r = setup(test, 4096, 8);

	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 4096, PAGE_SIZE), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_largest(r), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 0ULL);
	must_free(test, r, 0, 4096);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 1ULL);
}

static void alloc_alignment_skips_misaligned_block(struct kunit *test)
{
	struct gomem_range *r = setup(test, 8192, 8);
	static const u64 want[] = { 8, 64, 4160, 4032 };

	must_alloc(test, r, 8192, 1);
	must_free(test, r, 8, 64);		/* long enough, misaligned */
	must_free(test, r, 4096, 4096);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 64, 64), 4096ULL);
	expect_blocks(test, r, want, 2);
}

static void free_whole_regions_coalesces(struct kunit *test)
{
	struct gomem_range *r = setup(test, 4096, 8);
	u64 a = must_alloc(test, r, 64, 1);
	u64 b = must_alloc(test, r, 64, 1);
	u64 c = must_alloc(test, r, 64, 1);
	static const u64 after_b[] = { 64, 64, 192, 3904 };
	static const u64 after_a[] = { 0, 128, 192, 3904 };
	static const u64 after_c[] = { 0, 4096 };

	must_free(test, r, b, 64);
	expect_blocks(test, r, after_b, 2);
	must_free(test, r, a, 64);
	expect_blocks(test, r, after_a, 2);
	must_free(test, r, c, 64);
	expect_blocks(test, r, after_c, 1);
}

static void free_head_of_region(struct kunit *test)
{
	struct gomem_range *r = setup(test, 256, 8);
	static const u64 want[] = { 0, 16 };

	must_alloc(test, r, 256, 1);
	must_free(test, r, 0, 16);
	expect_blocks(test, r, want, 1);
	must_free(test, r, 16, 240);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 1ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_largest(r), 256ULL);
}

static void free_tail_of_region(struct kunit *test)
{
	struct gomem_range *r = setup(test, 256, 8);
	static const u64 want[] = { 200, 56 };

	must_alloc(test, r, 256, 1);
	must_free(test, r, 200, 56);
	expect_blocks(test, r, want, 1);
	must_free(test, r, 0, 200);
	KUNIT_EXPECT_EQ(test, gomem_range_largest(r), 256ULL);
}

static void free_middle_splits_region(struct kunit *test)
{
	struct gomem_range *r = setup(test, 256, 8);
	static const u64 mid[] = { 96, 32 };
	static const u64 two[] = { 0, 8, 96, 32 };
	static const u64 merged[] = { 0, 8, 96, 160 };

	must_alloc(test, r, 256, 1);
	must_free(test, r, 96, 32);
	expect_blocks(test, r, mid, 1);
	must_free(test, r, 0, 8);
	expect_blocks(test, r, two, 2);
	must_free(test, r, 128, 128);
	expect_blocks(test, r, merged, 2);
	must_free(test, r, 8, 88);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 1ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 256ULL);
}

static void free_spanning_two_regions(struct kunit *test)
{
	struct gomem_range *r = setup(test, 256, 8);
	static const u64 want[] = { 16, 32, 64, 192 };
	u64 a = must_alloc(test, r, 32, 1);
	u64 b = must_alloc(test, r, 32, 1);

	KUNIT_EXPECT_EQ(test, b, a + 32);
	must_free(test, r, a + 16, 32);
	expect_blocks(test, r, want, 2);
}

static void free_size_rounds_to_granule(struct kunit *test)
{
	struct gomem_range *r = setup(test, 256, 8);
	u64 a = must_alloc(test, r, 8, 1);

	must_alloc(test, r, 8, 1);
	must_free(test, r, a, 3);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 248ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 2ULL);
}

static void double_free_is_refused(struct kunit *test)
{
	struct gomem_range *r = setup(test, 256, 8);
	u64 a = must_alloc(test, r, 32, 1);

	must_alloc(test, r, 32, 1);
	must_free(test, r, a, 32);
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, a, 32));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, a + 8, 8));
}

static void free_overlapping_free_space_is_refused(struct kunit *test)
{
	struct gomem_range *r = setup(test, 256, 8);

	must_alloc(test, r, 128, 1);
	/* Allocated [0, 128); free [128, 256). */
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 120, 16));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 0, 136));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 128, 8));
	must_free(test, r, 48, 16);
	/* A range that covers a free hole is refused too. */
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 40, 32));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 56, 16));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 40, 16));
}

static void free_out_of_bounds_is_refused(struct kunit *test)
{
	struct gomem_range *r = setup(test, 256, 8);

	must_alloc(test, r, 256, 1);
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 256, 8));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 248, 16));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 0, 264));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 8, U64_MAX));
	EXPECT_REFUSED(test, r, -EINVAL,
		       gomem_range_free(r, U64_MAX - 7, 16));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 4, 8));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_free(r, 8, 0));
}

static void find_peeks_without_allocating(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	u64 off = U64_MAX;

	must_alloc(test, r, 24, 1);
	EXPECT_REFUSED(test, r, 0, gomem_range_find(r, 100, 64, &off));
	KUNIT_EXPECT_EQ(test, off, 64ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 100, 64), off);
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_find(r, 0, 8, &off));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_range_find(r, 8, 5, &off));
	EXPECT_REFUSED(test, r, -ENOMEM, gomem_range_find(r, 1024, 8, &off));
}

static void reset_frees_everything(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	static const u64 want[] = { 0, 1024 };
	u64 i;

	for (i = 0; i < 16; i++)
		must_alloc(test, r, 32, 1);
	must_free(test, r, 64, 32);
	must_free(test, r, 256, 32);
	KUNIT_EXPECT_EQ(test, gomem_range_reset(r), 0);
	expect_blocks(test, r, want, 1);
	EXPECT_SOUND(test, r);
}

static void reset_of_full_space(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	static const u64 want[] = { 0, 1024 };

	must_alloc(test, r, 1024, 1);
	KUNIT_EXPECT_EQ(test, gomem_range_reset(r), 0);
	expect_blocks(test, r, want, 1);
	EXPECT_SOUND(test, r);
}

static int stop_at_second(void *arg, u64 offset, u64 len)
{
	u64 *seen = arg;

	return ++*seen == 2 ? 42 : 0;
}

static void walk_visits_blocks_in_offset_order(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	static const u64 want[] = { 0, 8, 64, 16, 512, 512 };
	u64 seen = 0;

	must_alloc(test, r, 512, 1);
	must_free(test, r, 64, 16);
	must_free(test, r, 0, 8);
	expect_blocks(test, r, want, 3);
	KUNIT_EXPECT_EQ(test, gomem_range_walk(r, stop_at_second, &seen), 42);
	KUNIT_EXPECT_EQ(test, seen, 2ULL);
}

/* Blocks a walk saw, for comparing two walks. */
struct walk_log {
	unsigned int nr;
	u64 off[160];
	u64 len[160];
};

static int walk_record(void *arg, u64 offset, u64 len)
{
	struct walk_log *log = arg;

	if (log->nr >= ARRAY_SIZE(log->off))
		return -E2BIG;
	log->off[log->nr] = offset;
	log->len[log->nr++] = len;
	return 0;
}

/*
 * walk_from() visits exactly the blocks walk() does that start at or
 * after the offset, in the same order, from every offset of a fragmented
 * space (tree blocks on both sides of the search path, and the top).
 */
static void walk_from_resumes_at_any_offset(struct kunit *test)
{
	struct gomem_range *r = setup(test, 2048, 8);
	struct walk_log *all, *from;
	unsigned int i, first;
	u64 at, seen = 0;

	all = kunit_kzalloc(test, sizeof(*all), GFP_KERNEL);
	from = kunit_kzalloc(test, sizeof(*from), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, all);
	KUNIT_ASSERT_NOT_NULL(test, from);
	must_alloc(test, r, 1600, 1);
	for (at = 0; at < 1600; at += 24 + (at / 8) % 3 * 8)
		must_free(test, r, at, 8 + (at / 8) % 2 * 8);
	KUNIT_ASSERT_EQ(test, gomem_range_walk(r, walk_record, all), 0);
	KUNIT_ASSERT_GT(test, all->nr, 40U);
	for (at = 0; at <= 2048; at += 8) {
		from->nr = 0;
		KUNIT_ASSERT_EQ(test, gomem_range_walk_from(r, at, walk_record,
							    from), 0);
		for (first = 0; first < all->nr && all->off[first] < at; first++)
			;
		KUNIT_ASSERT_EQ_MSG(test, from->nr, all->nr - first,
				    "from %llu", at);
		for (i = 0; i < from->nr; i++) {
			KUNIT_EXPECT_EQ(test, from->off[i], all->off[first + i]);
			KUNIT_EXPECT_EQ(test, from->len[i], all->len[first + i]);
		}
	}
	/* Stops where fn says, with fn's value. */
	KUNIT_EXPECT_EQ(test, gomem_range_walk_from(r, 100, stop_at_second,
						    &seen), 42);
	KUNIT_EXPECT_EQ(test, seen, 2ULL);
}

static void queries_track_free_blocks(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);

	must_alloc(test, r, 1024, 1);
	must_free(test, r, 0, 8);
	must_free(test, r, 100 * 8, 24);
	must_free(test, r, 40 * 8, 80);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 3ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 112ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_largest(r), 80ULL);
	must_free(test, r, 8, 8);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 3ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 120ULL);
}

static void reserve_stocks_spare_nodes(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);

	KUNIT_EXPECT_EQ(test, gomem_range_reserve(r, 10, GFP_KERNEL), 0);
	KUNIT_EXPECT_GE(test, r->nr_spare, 10U);
	KUNIT_EXPECT_EQ(test, gomem_range_reserve(r, 100000, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, r->nr_spare, (unsigned int)GOMEM_RANGE_SPARE_MAX);
	EXPECT_SOUND(test, r);
}

static void check_detects_bad_counters(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);

	must_alloc(test, r, 64, 1);
	r->free_bytes += 8;
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), -EUCLEAN);
	r->free_bytes -= 8;
	r->nr_blocks++;
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), -EUCLEAN);
	r->nr_blocks--;
	EXPECT_SOUND(test, r);
}

static void check_detects_touching_blocks(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	struct gomem_node *root, *n;

	must_alloc(test, r, 1024, 1);
	must_free(test, r, 0, 64);
	must_free(test, r, 128, 64);
	/*
	 * Stretch [128, 192) down to 64 by hand, keeping both trees' order
	 * and the maxima right, so that only "no two blocks touch" breaks.
	 */
	root = r->root[0];
	n = root;
	if (n->start != 128)
		n = n->off.child[1];
	KUNIT_ASSERT_EQ(test, n->start, 128ULL);
	n->start = 64;
	n->len = 128;
	if (r->policy == GOMEM_POLICY_TREAP && n != root)
		root->treap.cmax[1] = 128;
	r->free_bytes += 64;
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), -EUCLEAN);
	n->start = 128;
	n->len = 64;
	if (r->policy == GOMEM_POLICY_TREAP && n != root)
		root->treap.cmax[1] = 64;
	r->free_bytes -= 64;
	EXPECT_SOUND(test, r);
}

/* ---- the top block: the free block that ends the space, out of the trees ---- */

static void top_block_serves_a_fresh_space_without_nodes(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	u64 a, b;

	a = must_alloc(test, r, 100, 1);
	b = must_alloc(test, r, 64, 1);
	KUNIT_EXPECT_EQ(test, a, 0ULL);
	KUNIT_EXPECT_EQ(test, b, 104ULL);
	KUNIT_EXPECT_EQ(test, r->nr_blocks, 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 1ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_largest(r), 1024ULL - 168);
	must_free(test, r, b, 64);
	must_free(test, r, a, 100);
	KUNIT_EXPECT_EQ(test, r->nr_blocks, 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), 1024ULL);
}

static void free_next_to_top_absorbs_the_block_below(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	static const u64 want[] = { 0, 64, 512, 512 };

	must_alloc(test, r, 1024, 1);
	must_free(test, r, 0, 64);
	must_free(test, r, 512, 64);
	KUNIT_EXPECT_EQ(test, r->nr_blocks, 2ULL);
	/* [576, 1024) ends the space and touches [512, 576): one top block. */
	must_free(test, r, 576, 448);
	KUNIT_EXPECT_EQ(test, r->nr_blocks, 1ULL);
	expect_blocks(test, r, want, 2);
	KUNIT_EXPECT_EQ(test, gomem_range_largest(r), 512ULL);
}

static void aligned_alloc_from_top_leaves_a_block(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);
	static const u64 want[] = { 8, 56, 96, 928 };

	must_alloc(test, r, 8, 1);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 32, 64), 64ULL);
	expect_blocks(test, r, want, 2);
	/* The gap is a tree block now: lowest fit finds it first. */
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 8, 1), 8ULL);
}

static void free_overlapping_top_is_refused(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);

	must_alloc(test, r, 512, 1);
	snap(r, &fix(test)->before);
	KUNIT_EXPECT_EQ(test, gomem_range_free(r, 504, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_range_free(r, 512, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_range_free(r, 0, 1024), -EINVAL);
	expect_unchanged(test, r);
}

/* Tree block [0, 512), top [768, 1024): lowest fit vs shortest fit. */
static struct gomem_range *tree_block_and_top(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);

	must_alloc(test, r, 1024, 1);
	must_free(test, r, 0, 512);
	must_free(test, r, 768, 256);
	return r;
}

static void treap_prefers_a_lower_tree_block_to_top(struct kunit *test)
{
	struct gomem_range *r = tree_block_and_top(test);

	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 128, 1), 0ULL);
}

static void avl_prefers_a_shorter_top_to_a_tree_block(struct kunit *test)
{
	struct gomem_range *r = tree_block_and_top(test);

	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 128, 1), 768ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 200, 1), 0ULL);
}

static void check_detects_tree_block_touching_top(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);

	must_alloc(test, r, 1024, 1);
	must_free(test, r, 0, 64);
	must_free(test, r, 128, 896);
	/* Pretend [64, 128) is free and part of the top. */
	r->top = 64;
	r->free_bytes += 64;
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), -EUCLEAN);
	r->top = 128;
	r->free_bytes -= 64;
	EXPECT_SOUND(test, r);
}

/* The deepest node of the treap under @n, @d its depth; *@max its depth. */
static const struct gomem_node *treap_deepest(const struct gomem_node *n,
					      unsigned int d, unsigned int *max)
{
	const struct gomem_node *a, *b;
	unsigned int da = 0, db = 0;

	if (!n)
		return NULL;
	a = treap_deepest(n->off.child[0], d + 1, &da);
	b = treap_deepest(n->off.child[1], d + 1, &db);
	if (!a && !b) {
		*max = d;
		return n;
	}
	if (!b || (a && da >= db)) {
		*max = da;
		return a;
	}
	*max = db;
	return b;
}

/*
 * A removal deeper than GOMEM_TREAP_PATH ancestors fixes the maxima from
 * the root instead of bottom up: take a block whose length is the maximum
 * of every subtree on its path, and the checker finds each one lowered.
 * The seed is fixed, so the tree (20,000 blocks, deeper than that) is the
 * same every run.
 */
static void treap_removal_below_the_remembered_path(struct kunit *test)
{
	const u64 g = 8, n = 20000;
	struct gomem_range *r = setup(test, 3 * n * g + g, g);
	const struct gomem_node *deep;
	unsigned int depth = 0;
	u64 i, start;

	r->seed = 0xb03;
	KUNIT_ASSERT_EQ(test, must_alloc(test, r, 3 * n * g, 1), 0ULL);
	/* n holes of one granule, two granules apart. */
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, gomem_range_free(r, 3 * i * g, g), 0);
	EXPECT_SOUND(test, r);
	deep = treap_deepest(r->root[0], 0, &depth);
	KUNIT_ASSERT_NOT_NULL(test, deep);
	KUNIT_ASSERT_GT_MSG(test, depth, GOMEM_TREAP_PATH,
			    "the tree is too shallow to test the fallback");
	start = deep->start;
	/* Grow it to two granules: the only tree block that long. */
	must_free(test, r, start + g, g);
	KUNIT_ASSERT_EQ(test, deep->len, 2 * g);
	EXPECT_SOUND(test, r);
	/* Lowest-offset fit for two granules: exactly that block. */
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 2 * g, 1), start);
	EXPECT_SOUND(test, r);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), n);
	KUNIT_EXPECT_EQ(test, gomem_range_largest(r), g);
}

/* ---- policy-specific placement ---- */

/* Free blocks [0, 64) and [80, 112): the policies disagree on 32 bytes. */
static struct gomem_range *two_holes(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);

	must_alloc(test, r, 1024, 1);
	must_free(test, r, 0, 64);
	must_free(test, r, 80, 32);
	return r;
}

static void treap_allocates_lowest_offset_fit(struct kunit *test)
{
	struct gomem_range *r = two_holes(test);

	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 32, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 32, 1), 32ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 32, 1), 80ULL);
}

static void avl_allocates_best_fit(struct kunit *test)
{
	struct gomem_range *r = two_holes(test);

	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 32, 1), 80ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 16, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 48, 1), 16ULL);
}

static void avl_breaks_ties_by_lowest_offset(struct kunit *test)
{
	struct gomem_range *r = setup(test, 1024, 8);

	must_alloc(test, r, 1024, 1);
	must_free(test, r, 512, 32);
	must_free(test, r, 256, 32);
	must_free(test, r, 768, 32);
	must_free(test, r, 0, 64);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 24, 1), 256ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 32, 1), 512ULL);
	KUNIT_EXPECT_EQ(test, must_alloc(test, r, 32, 1), 768ULL);
}

/* ---- seeded random operations against a granule map ---- */

#define RND_GRANULES	1024
#define RND_OPS		20000
#define RND_HELD	64

struct rnd_region {
	u64 off;
	u64 len;
};

static u64 rnd_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Expected placement per the contract, from the granule map alone. */
static bool model_place(const u8 *used, u64 ng, u64 g, enum gomem_policy p,
			u64 size, u64 align, u64 *off)
{
	u64 i = 0, start, len, pos, best_len = U64_MAX;
	bool found = false;

	while (i < ng) {
		if (used[i]) {
			i++;
			continue;
		}
		start = i;
		while (i < ng && !used[i])
			i++;
		len = (i - start) * g;
		pos = ALIGN(start * g, align);
		if (pos + size > i * g)
			continue;
		if (p == GOMEM_POLICY_TREAP) {
			*off = pos;
			return true;
		}
		if (len < best_len) {
			best_len = len;
			*off = pos;
			found = true;
		}
	}
	return found;
}

static void random_ops_match_model(struct kunit *test)
{
	struct range_fixture *f = fix(test);
	const u64 g = 8, ng = RND_GRANULES;
	struct gomem_range *r = setup(test, ng * g, g);
	struct rnd_region *held;
	u64 seed = 0x9e3779b97f4a7c15ULL, free = ng * g;
	u64 i, j, k, nheld = 0, off, want, size, align, cut, len;
	u8 *used;
	bool fits;
	int err;

	used = kunit_kzalloc(test, ng, GFP_KERNEL);
	held = kunit_kcalloc(test, RND_HELD, sizeof(*held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, used);
	KUNIT_ASSERT_NOT_NULL(test, held);

	for (i = 0; i < RND_OPS; i++) {
		if (nheld < RND_HELD && rnd_next(&seed) % 3) {
			size = 1 + rnd_next(&seed) % (rnd_next(&seed) % 4 ?
						      64 : 1024);
			align = 1ULL << (rnd_next(&seed) % 8);
			fits = model_place(used, ng, g, f->policy,
					   ALIGN(size, g), max(align, g),
					   &want);
			err = gomem_range_alloc(r, size, align, &off);
			if (!fits) {
				KUNIT_ASSERT_EQ_MSG(test, err, -ENOMEM,
						    "op %llu", i);
				continue;
			}
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "op %llu", i);
			KUNIT_ASSERT_EQ_MSG(test, off, want, "op %llu", i);
			size = ALIGN(size, g);
			for (k = off / g; k < (off + size) / g; k++)
				used[k] = 1;
			held[nheld].off = off;
			held[nheld++].len = size;
			free -= size;
		} else if (nheld) {
			/* Free a whole region, or its head, tail or middle. */
			j = rnd_next(&seed) % nheld;
			len = held[j].len / g;
			cut = rnd_next(&seed) % len;
			size = 1 + rnd_next(&seed) % (len - cut);
			off = held[j].off + cut * g;
			KUNIT_ASSERT_EQ_MSG(test,
					    gomem_range_free(r, off, size * g),
					    0, "op %llu", i);
			KUNIT_ASSERT_EQ_MSG(test,
					    gomem_range_free(r, off, size * g),
					    -EINVAL, "op %llu double free", i);
			for (k = off / g; k < off / g + size; k++)
				used[k] = 0;
			free += size * g;
			/* Keep what is still held as up to two regions. */
			if (cut + size < len && nheld < RND_HELD) {
				held[nheld].off = off + size * g;
				held[nheld++].len = (len - cut - size) * g;
			}
			if (cut)
				held[j].len = cut * g;
			else
				held[j] = held[--nheld];
		}
		KUNIT_ASSERT_EQ_MSG(test, gomem_range_check(r), 0, "op %llu", i);
		KUNIT_ASSERT_EQ_MSG(test, gomem_range_free_bytes(r), free,
				    "op %llu", i);
	}
}

/* Both suites run the same behaviour cases, then their placement cases. */
static struct kunit_case gomem_treap_cases[] = {
	KUNIT_CASE(init_makes_one_free_block),
	KUNIT_CASE(init_rejects_bad_arguments),
	KUNIT_CASE(init_accepts_any_power_of_two_granule),
	KUNIT_CASE(alloc_rounds_size_to_granule),
	KUNIT_CASE(alloc_honours_alignment),
	KUNIT_CASE(alloc_rejects_zero_and_oversized),
	KUNIT_CASE(alloc_rejects_bad_alignment),
	KUNIT_CASE(alloc_fails_only_when_nothing_fits),
	KUNIT_CASE(alloc_of_whole_space_leaves_no_block),
	KUNIT_CASE(alloc_alignment_skips_misaligned_block),
	KUNIT_CASE(free_whole_regions_coalesces),
	KUNIT_CASE(free_head_of_region),
	KUNIT_CASE(free_tail_of_region),
	KUNIT_CASE(free_middle_splits_region),
	KUNIT_CASE(free_spanning_two_regions),
	KUNIT_CASE(free_size_rounds_to_granule),
	KUNIT_CASE(double_free_is_refused),
	KUNIT_CASE(free_overlapping_free_space_is_refused),
	KUNIT_CASE(free_out_of_bounds_is_refused),
	KUNIT_CASE(find_peeks_without_allocating),
	KUNIT_CASE(reset_frees_everything),
	KUNIT_CASE(reset_of_full_space),
	KUNIT_CASE(walk_visits_blocks_in_offset_order),
	KUNIT_CASE(walk_from_resumes_at_any_offset),
	KUNIT_CASE(queries_track_free_blocks),
	KUNIT_CASE(reserve_stocks_spare_nodes),
	KUNIT_CASE(check_detects_bad_counters),
	KUNIT_CASE(check_detects_touching_blocks),
	KUNIT_CASE(top_block_serves_a_fresh_space_without_nodes),
	KUNIT_CASE(free_next_to_top_absorbs_the_block_below),
	KUNIT_CASE(aligned_alloc_from_top_leaves_a_block),
	KUNIT_CASE(free_overlapping_top_is_refused),
	KUNIT_CASE(check_detects_tree_block_touching_top),
	KUNIT_CASE(treap_allocates_lowest_offset_fit),
	KUNIT_CASE(treap_prefers_a_lower_tree_block_to_top),
	KUNIT_CASE(treap_removal_below_the_remembered_path),
	KUNIT_CASE(random_ops_match_model),
	{}
};

static struct kunit_case gomem_avl_cases[] = {
	KUNIT_CASE(init_makes_one_free_block),
	KUNIT_CASE(init_rejects_bad_arguments),
	KUNIT_CASE(init_accepts_any_power_of_two_granule),
	KUNIT_CASE(alloc_rounds_size_to_granule),
	KUNIT_CASE(alloc_honours_alignment),
	KUNIT_CASE(alloc_rejects_zero_and_oversized),
	KUNIT_CASE(alloc_rejects_bad_alignment),
	KUNIT_CASE(alloc_fails_only_when_nothing_fits),
	KUNIT_CASE(alloc_of_whole_space_leaves_no_block),
	KUNIT_CASE(alloc_alignment_skips_misaligned_block),
	KUNIT_CASE(free_whole_regions_coalesces),
	KUNIT_CASE(free_head_of_region),
	KUNIT_CASE(free_tail_of_region),
	KUNIT_CASE(free_middle_splits_region),
	KUNIT_CASE(free_spanning_two_regions),
	KUNIT_CASE(free_size_rounds_to_granule),
	KUNIT_CASE(double_free_is_refused),
	KUNIT_CASE(free_overlapping_free_space_is_refused),
	KUNIT_CASE(free_out_of_bounds_is_refused),
	KUNIT_CASE(find_peeks_without_allocating),
	KUNIT_CASE(reset_frees_everything),
	KUNIT_CASE(reset_of_full_space),
	KUNIT_CASE(walk_visits_blocks_in_offset_order),
	KUNIT_CASE(walk_from_resumes_at_any_offset),
	KUNIT_CASE(queries_track_free_blocks),
	KUNIT_CASE(reserve_stocks_spare_nodes),
	KUNIT_CASE(check_detects_bad_counters),
	KUNIT_CASE(check_detects_touching_blocks),
	KUNIT_CASE(top_block_serves_a_fresh_space_without_nodes),
	KUNIT_CASE(free_next_to_top_absorbs_the_block_below),
	KUNIT_CASE(aligned_alloc_from_top_leaves_a_block),
	KUNIT_CASE(free_overlapping_top_is_refused),
	KUNIT_CASE(check_detects_tree_block_touching_top),
	KUNIT_CASE(avl_allocates_best_fit),
	KUNIT_CASE(avl_breaks_ties_by_lowest_offset),
	KUNIT_CASE(avl_prefers_a_shorter_top_to_a_tree_block),
	KUNIT_CASE(random_ops_match_model),
	{}
};

static int range_fixture_init(struct kunit *test, enum gomem_policy policy)
{
	struct range_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->policy = policy;
	test->priv = f;
	return 0;
}

static int gomem_treap_init(struct kunit *test)
{
	return range_fixture_init(test, GOMEM_POLICY_TREAP);
}

static int gomem_avl_init(struct kunit *test)
{
	return range_fixture_init(test, GOMEM_POLICY_AVL);
}

static void range_fixture_exit(struct kunit *test)
{
	struct range_fixture *f = fix(test);

	if (f && f->live)
		gomem_range_destroy(&f->r);
}

static struct kunit_suite gomem_treap_suite = {
	.name = "gomem_treap",
	.init = gomem_treap_init,
	.exit = range_fixture_exit,
	.test_cases = gomem_treap_cases,
};

static struct kunit_suite gomem_avl_suite = {
	.name = "gomem_avl",
	.init = gomem_avl_init,
	.exit = range_fixture_exit,
	.test_cases = gomem_avl_cases,
};

kunit_test_suites(&gomem_treap_suite, &gomem_avl_suite);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("KUnit tests for the gomem range allocators");
