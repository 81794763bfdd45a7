// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem_buddy_nomem: the buddy allocator when memory cannot be had.
 *
 * Harness-only (it needs the shim's slab failure injection): init returns
 * -ENOMEM and leaves its argument as it was, and after a successful init
 * no operation allocates at all, so none of them can fail for memory.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "gomem_buddy.h"
#include "shim.h"

static void init_reports_nomem_and_changes_nothing(struct kunit *test)
{
	struct gomem_buddy b = { .order = 3, .free_units = 5 };
	unsigned long refused = shim_slab_refused();

	shim_slab_fail_next(1);
	KUNIT_EXPECT_EQ(test, gomem_buddy_init(&b, 10, GFP_KERNEL), -ENOMEM);
	shim_slab_fail_reset();
	KUNIT_EXPECT_EQ_MSG(test, shim_slab_refused(), refused + 1,
			    "init did not ask for memory");
	KUNIT_EXPECT_EQ(test, b.order, 3U);
	KUNIT_EXPECT_EQ(test, b.free_units, 5ULL);
	KUNIT_EXPECT_NULL(test, b.longest);

	KUNIT_ASSERT_EQ(test, gomem_buddy_init(&b, 10, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(&b), 0);
	gomem_buddy_destroy(&b);
}

static void operations_never_allocate(struct kunit *test)
{
	unsigned long refused, live;
	struct gomem_buddy b;
	u64 unit[64], i;

	KUNIT_ASSERT_EQ(test, gomem_buddy_init(&b, 8, GFP_KERNEL), 0);
	live = shim_slab_live_total();
	refused = shim_slab_refused();
	shim_slab_fail_after(0);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, gomem_buddy_alloc(&b, 1 + i % 5, &unit[i]),
				0);
	KUNIT_EXPECT_EQ(test, gomem_buddy_alloc(&b, 256, &unit[0]), -ENOMEM);
	for (i = 0; i < 64; i += 2)
		KUNIT_EXPECT_EQ(test, gomem_buddy_free(&b, unit[i]), 0);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free(&b, unit[0]), -EINVAL);
	KUNIT_EXPECT_GT(test, gomem_buddy_block_units(&b, unit[1]), 0ULL);
	KUNIT_EXPECT_GT(test, gomem_buddy_largest(&b), 0ULL);
	KUNIT_EXPECT_EQ(test, gomem_buddy_check(&b), 0);
	shim_slab_fail_reset();
	KUNIT_EXPECT_EQ_MSG(test, shim_slab_refused(), refused,
			    "an operation asked for memory");
	KUNIT_EXPECT_EQ(test, shim_slab_live_total(), live);
	gomem_buddy_destroy(&b);
}

static struct kunit_case gomem_buddy_nomem_cases[] = {
	KUNIT_CASE(init_reports_nomem_and_changes_nothing),
	KUNIT_CASE(operations_never_allocate),
	{}
};

static struct kunit_suite gomem_buddy_nomem_suite = {
	.name = "gomem_buddy_nomem",
	.test_cases = gomem_buddy_nomem_cases,
};

kunit_test_suites(&gomem_buddy_nomem_suite);
