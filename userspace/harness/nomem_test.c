// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem_range_nomem: the range allocators when tree nodes cannot be had.
 *
 * Harness-only (it needs the shim's slab failure injection): every
 * operation that has to take a node from the kmem_cache returns -ENOMEM
 * and leaves the allocator exactly as it was, the same call succeeds once
 * memory is back, gomem_range_reserve() lets later operations go through
 * without the cache, and destroy returns every node.  Each case runs for
 * both policies.
 *
 * Some cases read struct gomem_range's nr_spare (public header, private
 * field) to prove that the operation under test really has to go to the
 * cache, rather than quietly using a spare node.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "gomem_range.h"
#include "shim.h"

#define G		8ULL		/* granule */
#define SPACE		(1024 * G)	/* the space: 1024 granules */
#define HALF		(SPACE / 2)
#define SNAP_BLOCKS	1024

struct nomem_fixture {
	struct gomem_range r;
	bool live;
};

/* Everything a caller can observe, to tell "unchanged" exactly. */
struct range_snapshot {
	u64 free;
	u64 blocks;
	u64 largest;
	u64 nr;
	u64 off[SNAP_BLOCKS];
	u64 len[SNAP_BLOCKS];
};

static int snapshot_block(void *arg, u64 offset, u64 len)
{
	struct range_snapshot *s = arg;

	if (s->nr < SNAP_BLOCKS) {
		s->off[s->nr] = offset;
		s->len[s->nr] = len;
	}
	s->nr++;
	return 0;
}

static struct range_snapshot *snapshot(struct kunit *test,
				       const struct gomem_range *r)
{
	struct range_snapshot *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->free = gomem_range_free_bytes(r);
	s->blocks = gomem_range_nr_blocks(r);
	s->largest = gomem_range_largest(r);
	gomem_range_walk(r, snapshot_block, s);
	return s;
}

static void expect_unchanged(struct kunit *test, const struct gomem_range *r,
			     const struct range_snapshot *before)
{
	const struct range_snapshot *now = snapshot(test, r);

	KUNIT_EXPECT_EQ(test, now->free, before->free);
	KUNIT_EXPECT_EQ(test, now->blocks, before->blocks);
	KUNIT_EXPECT_EQ(test, now->largest, before->largest);
	KUNIT_EXPECT_EQ(test, now->nr, before->nr);
	KUNIT_EXPECT_TRUE_MSG(test, !memcmp(now->off, before->off,
					    sizeof(now->off)) &&
			      !memcmp(now->len, before->len, sizeof(now->len)),
			      "free blocks differ from before the call");
	KUNIT_EXPECT_EQ_MSG(test, gomem_range_check(r), 0, "invariant checker");
}

static enum gomem_policy policy(struct kunit *test)
{
	return *(const enum gomem_policy *)test->param_value;
}

static struct gomem_range *range(struct kunit *test)
{
	return &((struct nomem_fixture *)test->priv)->r;
}

static struct gomem_range *setup(struct kunit *test)
{
	struct nomem_fixture *f = test->priv;

	KUNIT_ASSERT_EQ(test, gomem_range_init(&f->r, policy(test), SPACE, G,
					       GFP_KERNEL), 0);
	f->live = true;
	return &f->r;
}

static void must_free(struct kunit *test, struct gomem_range *r, u64 off,
		      u64 size)
{
	KUNIT_ASSERT_EQ(test, gomem_range_free(r, off, size), 0);
	KUNIT_ASSERT_EQ(test, gomem_range_check(r), 0);
}

/*
 * Free [G, HALF); [0, G) and [HALF, SPACE) allocated; then free isolated
 * single granules at HALF + G, HALF + 3G, ... until no spare node is left,
 * so that the next operation needing a node must ask the cache.  None of
 * those granules is 64-aligned, so an aligned request lands in [G, HALF).
 */
static struct gomem_range *no_spare_state(struct kunit *test)
{
	struct gomem_range *r = setup(test);
	u64 off;

	KUNIT_ASSERT_EQ(test, gomem_range_alloc(r, SPACE, 1, &off), 0);
	must_free(test, r, G, HALF - G);
	for (off = HALF + G; r->nr_spare; off += 2 * G) {
		KUNIT_ASSERT_LT(test, off, SPACE - 64 * G);
		must_free(test, r, off, G);
	}
	KUNIT_ASSERT_EQ(test, r->nr_spare, 0U);
	return r;
}

/* Call @call with the next node allocation failing; expect a clean -ENOMEM. */
#define EXPECT_CLEAN_NOMEM(test, r, call)				\
	do {								\
		const struct range_snapshot *__before = snapshot(test, r); \
		unsigned long __refused = shim_slab_refused();		\
									\
		shim_slab_fail_next(1);					\
		KUNIT_EXPECT_EQ(test, (call), -ENOMEM);			\
		shim_slab_fail_reset();					\
		KUNIT_EXPECT_EQ_MSG(test, shim_slab_refused(), __refused + 1, \
				    "the call did not ask the cache");	\
		expect_unchanged(test, r, __before);			\
	} while (0)

/* A new allocator is one top block: no tree node, nothing to fail. */
static void init_needs_no_node(struct kunit *test)
{
	struct nomem_fixture *f = test->priv;
	long live = shim_slab_live("gomem_node");
	unsigned long refused = shim_slab_refused();

	shim_slab_fail_after(0);
	KUNIT_EXPECT_EQ(test, gomem_range_init(&f->r, policy(test), SPACE, G,
					       GFP_KERNEL), 0);
	shim_slab_fail_reset();
	f->live = true;
	KUNIT_EXPECT_EQ(test, shim_slab_refused(), refused);
	KUNIT_EXPECT_EQ(test, shim_slab_live("gomem_node"), live);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(range(test)), SPACE);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(range(test)), 1ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_check(range(test)), 0);
}

/* Alloc and free at the top of a fresh space, all with the cache failing. */
static void top_block_ops_need_no_node(struct kunit *test)
{
	struct gomem_range *r = setup(test);
	unsigned long refused = shim_slab_refused();
	u64 a, b;

	shim_slab_fail_after(0);
	KUNIT_EXPECT_EQ(test, gomem_range_alloc(r, 3 * G, 1, &a), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_alloc(r, 5 * G, 1, &b), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_free(r, b, 5 * G), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_free(r, a, 3 * G), 0);
	shim_slab_fail_reset();
	KUNIT_EXPECT_EQ(test, a, 0ULL);
	KUNIT_EXPECT_EQ(test, b, 3 * G);
	KUNIT_EXPECT_EQ(test, shim_slab_refused(), refused);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), SPACE);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

/* An aligned request from the top leaves a gap below it: that needs one. */
static void aligned_top_alloc_fails_cleanly_without_memory(struct kunit *test)
{
	struct gomem_range *r = setup(test);
	u64 off = U64_MAX;

	KUNIT_ASSERT_EQ(test, gomem_range_alloc(r, G, 1, &off), 0);
	off = U64_MAX;
	EXPECT_CLEAN_NOMEM(test, r, gomem_range_alloc(r, G, 64, &off));
	KUNIT_EXPECT_EQ(test, off, U64_MAX);
	KUNIT_EXPECT_EQ(test, gomem_range_alloc(r, G, 64, &off), 0);
	KUNIT_EXPECT_EQ(test, off, 64ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 2ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void alloc_split_fails_cleanly_without_memory(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);
	u64 off = U64_MAX;

	/* [G, HALF) splits into [G, 64) and [72, HALF) around [64, 72). */
	EXPECT_CLEAN_NOMEM(test, r, gomem_range_alloc(r, G, 64, &off));
	KUNIT_EXPECT_EQ(test, off, U64_MAX);
	KUNIT_EXPECT_EQ(test, gomem_range_alloc(r, G, 64, &off), 0);
	KUNIT_EXPECT_EQ(test, off, 64ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void free_new_block_fails_cleanly_without_memory(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);
	u64 blocks = gomem_range_nr_blocks(r);

	/* Both neighbours of the last granule but 16 are allocated. */
	EXPECT_CLEAN_NOMEM(test, r, gomem_range_free(r, SPACE - 16 * G, G));
	KUNIT_EXPECT_EQ(test, gomem_range_free(r, SPACE - 16 * G, G), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), blocks + 1);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void free_middle_fails_cleanly_without_memory(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);

	/* The middle of allocated [SPACE - 64G, SPACE), no free neighbour. */
	EXPECT_CLEAN_NOMEM(test, r,
			   gomem_range_free(r, SPACE - 40 * G, 8 * G));
	KUNIT_EXPECT_EQ(test, gomem_range_free(r, SPACE - 40 * G, 8 * G), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void reset_of_full_space_needs_no_node(struct kunit *test)
{
	struct gomem_range *r = setup(test);
	unsigned long refused = shim_slab_refused();
	u64 off;

	KUNIT_ASSERT_EQ(test, gomem_range_alloc(r, SPACE, 1, &off), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 0ULL);
	shim_slab_fail_after(0);
	KUNIT_EXPECT_EQ(test, gomem_range_reset(r), 0);
	shim_slab_fail_reset();
	KUNIT_EXPECT_EQ(test, shim_slab_refused(), refused);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), SPACE);
	KUNIT_EXPECT_EQ(test, gomem_range_nr_blocks(r), 1ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void reserve_lets_later_ops_succeed_without_memory(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);
	unsigned long refused;
	u64 off;

	KUNIT_ASSERT_EQ(test, gomem_range_reserve(r, 2, GFP_KERNEL), 0);
	refused = shim_slab_refused();
	shim_slab_fail_after(0);
	KUNIT_EXPECT_EQ(test, gomem_range_alloc(r, G, 64, &off), 0);
	KUNIT_EXPECT_EQ(test, off, 64ULL);
	KUNIT_EXPECT_EQ(test, gomem_range_free(r, SPACE - 16 * G, G), 0);
	shim_slab_fail_reset();
	KUNIT_EXPECT_EQ(test, shim_slab_refused(), refused);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void reserve_fails_without_memory(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);

	shim_slab_fail_after(3);
	KUNIT_EXPECT_EQ(test, gomem_range_reserve(r, 10, GFP_KERNEL), -ENOMEM);
	shim_slab_fail_reset();
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_reserve(r, 10, GFP_KERNEL), 0);
	KUNIT_EXPECT_GE(test, r->nr_spare, 10U);
}

/*
 * Operations that need no new node must not fail for want of one: the
 * kernel-doc promises a node (and so a possible sleep or -ENOMEM) only for
 * a split or a free touching no free block.
 */
#define EXPECT_NO_NODE_NEEDED(test, call, want)				\
	do {								\
		unsigned long __refused = shim_slab_refused();		\
									\
		shim_slab_fail_after(0);				\
		KUNIT_EXPECT_EQ(test, (call), want);			\
		shim_slab_fail_reset();					\
		KUNIT_EXPECT_EQ_MSG(test, shim_slab_refused(), __refused, \
				    "asked the cache for a node it did not need"); \
	} while (0)

static void alloc_without_split_needs_no_node(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);
	u64 off;

	/* treap: [G, 2G) from the front of [G, HALF); avl: a whole granule. */
	EXPECT_NO_NODE_NEEDED(test, gomem_range_alloc(r, G, 1, &off), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void free_next_to_free_block_needs_no_node(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);

	/* [HALF, HALF + G) joins [G, HALF) and [HALF + G, HALF + 2G). */
	EXPECT_NO_NODE_NEEDED(test, gomem_range_free(r, HALF, G), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void bad_free_is_einval_without_memory(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);
	const struct range_snapshot *before = snapshot(test, r);

	EXPECT_NO_NODE_NEEDED(test, gomem_range_free(r, 2 * G, G), -EINVAL);
	expect_unchanged(test, r, before);
}

static void reset_with_free_blocks_needs_no_node(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);

	EXPECT_NO_NODE_NEEDED(test, gomem_range_reset(r), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_free_bytes(r), SPACE);
	KUNIT_EXPECT_EQ(test, gomem_range_check(r), 0);
}

static void find_never_allocates(struct kunit *test)
{
	struct gomem_range *r = no_spare_state(test);
	u64 off;

	EXPECT_NO_NODE_NEEDED(test, gomem_range_find(r, G, 64, &off), 0);
	KUNIT_EXPECT_EQ(test, off, 64ULL);
}

/*
 * A scripted sequence run with the first node allocation of every step
 * failing: each step either succeeds exactly as in a run without failures
 * or fails with -ENOMEM, changing nothing, and then succeeds on retry.
 */
enum step_kind { STEP_ALLOC, STEP_FREE, STEP_RESET };

struct step {
	enum step_kind kind;
	u64 a;		/* alloc: size; free: offset */
	u64 b;		/* alloc: align; free: size */
};

static const struct step script[] = {
	{ STEP_ALLOC, 3 * G, 1 },	{ STEP_ALLOC, 5 * G, 64 },
	{ STEP_ALLOC, 100, 8 },		{ STEP_ALLOC, G, 4096 },
	{ STEP_FREE, 0, 2 * G },	{ STEP_FREE, 64 + G, 3 * G },
	{ STEP_ALLOC, 2 * G, 1 },	{ STEP_FREE, 4096, G },
	{ STEP_ALLOC, 40 * G, 256 },	{ STEP_FREE, 256 + 8 * G, 16 * G },
	{ STEP_FREE, 2 * G, G },	{ STEP_ALLOC, SPACE / 2, 1 },
	{ STEP_RESET, 0, 0 },		{ STEP_ALLOC, SPACE, 1 },
	{ STEP_FREE, 8 * G, 8 * G },	{ STEP_FREE, 32 * G, 8 * G },
	{ STEP_FREE, 16 * G, 16 * G },	{ STEP_RESET, 0, 0 },
};

static int run_step(struct gomem_range *r, const struct step *s, u64 *off)
{
	switch (s->kind) {
	case STEP_ALLOC:
		return gomem_range_alloc(r, s->a, s->b, off);
	case STEP_FREE:
		return gomem_range_free(r, s->a, s->b);
	case STEP_RESET:
		return gomem_range_reset(r);
	}
	return -EINVAL;
}

static void nomem_at_every_step_changes_nothing(struct kunit *test)
{
	struct gomem_range ref, *r = setup(test);
	int want[ARRAY_SIZE(script)], err;
	u64 want_off[ARRAY_SIZE(script)], off;
	size_t i;

	KUNIT_ASSERT_EQ(test, gomem_range_init(&ref, policy(test), SPACE, G,
					       GFP_KERNEL), 0);
	for (i = 0; i < ARRAY_SIZE(script); i++) {
		want_off[i] = U64_MAX;
		want[i] = run_step(&ref, &script[i], &want_off[i]);
	}
	gomem_range_destroy(&ref);

	for (i = 0; i < ARRAY_SIZE(script); i++) {
		const struct range_snapshot *before = snapshot(test, r);

		off = U64_MAX;
		shim_slab_fail_next(1);
		err = run_step(r, &script[i], &off);
		shim_slab_fail_reset();
		if (err == -ENOMEM && want[i] != -ENOMEM) {
			expect_unchanged(test, r, before);
			err = run_step(r, &script[i], &off);
		}
		KUNIT_EXPECT_EQ_MSG(test, err, want[i], "step %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, off, want_off[i], "step %zu", i);
		KUNIT_ASSERT_EQ_MSG(test, gomem_range_check(r), 0, "step %zu", i);
	}
}

static void destroy_returns_every_node(struct kunit *test)
{
	struct nomem_fixture *f = test->priv;
	long live = shim_slab_live("gomem_node");
	struct gomem_range *r = no_spare_state(test);
	u64 off;

	KUNIT_ASSERT_GT(test, shim_slab_live("gomem_node"), live);
	KUNIT_EXPECT_EQ(test, gomem_range_alloc(r, G, 64, &off), 0);
	KUNIT_EXPECT_EQ(test, gomem_range_reserve(r, 1000, GFP_KERNEL), 0);
	gomem_range_destroy(r);
	f->live = false;
	KUNIT_EXPECT_EQ(test, shim_slab_live("gomem_node"), live);
}

/* Nodes are metadata a user causes: charged to the user's memory cgroup. */
static void node_cache_is_accounted(struct kunit *test)
{
	long flags = shim_slab_flags("gomem_node");

	KUNIT_ASSERT_NE(test, flags, -1L);
	KUNIT_EXPECT_TRUE(test, flags & SLAB_ACCOUNT);
}

static const enum gomem_policy nomem_policies[] = {
	GOMEM_POLICY_TREAP,
	GOMEM_POLICY_AVL,
};

static void nomem_policy_desc(const enum gomem_policy *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", gomem_policy_name(*p));
}

KUNIT_ARRAY_PARAM(nomem_policy, nomem_policies, nomem_policy_desc);

static int nomem_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct nomem_fixture),
				   GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void nomem_exit(struct kunit *test)
{
	struct nomem_fixture *f = test->priv;

	shim_slab_fail_reset();
	if (f->live)
		gomem_range_destroy(&f->r);
}

static struct kunit_case nomem_cases[] = {
	KUNIT_CASE_PARAM(init_needs_no_node, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(top_block_ops_need_no_node, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(aligned_top_alloc_fails_cleanly_without_memory, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(alloc_split_fails_cleanly_without_memory, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(free_new_block_fails_cleanly_without_memory, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(free_middle_fails_cleanly_without_memory, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(reset_of_full_space_needs_no_node, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(reserve_lets_later_ops_succeed_without_memory, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(reserve_fails_without_memory, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(alloc_without_split_needs_no_node, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(free_next_to_free_block_needs_no_node, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(bad_free_is_einval_without_memory, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(reset_with_free_blocks_needs_no_node, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(find_never_allocates, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(nomem_at_every_step_changes_nothing, nomem_policy_gen_params),
	KUNIT_CASE_PARAM(destroy_returns_every_node, nomem_policy_gen_params),
	KUNIT_CASE(node_cache_is_accounted),
	{}
};

static struct kunit_suite nomem_suite = {
	.name = "gomem_range_nomem",
	.init = nomem_init,
	.exit = nomem_exit,
	.test_cases = nomem_cases,
};

kunit_test_suite(nomem_suite);
