// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem_arena_lock: what runs under the arena lock.
 *
 * Harness-only (it needs the shim's count of vmalloc() calls made while
 * the calling thread holds a mutex): growth obtains a chunk's memory,
 * vmalloc_user() of up to max_size zeroed bytes for a dedicated chunk,
 * with the arena lock dropped, from gomem_arena_alloc() and from
 * gomem_arena_alloc_locked() alike; and asks vmalloc not to warn when it
 * fails (the shim counts the calls that would).
 */
#include <kunit/test.h>
#include <asm/page.h>

#include "gomem_arena.h"
#include "shim.h"

static void growth_vmallocs_with_the_lock_dropped(struct kunit *test)
{
	const struct gomem_arena_params p = {
		.initial_size = PAGE_SIZE,
		.max_chunk = 4 * PAGE_SIZE,
		.max_size = 64 * PAGE_SIZE,
		.source = GOMEM_CHUNKS_VMALLOC,
	};
	unsigned long calls, locked = shim_vmalloc_under_lock(), warning;
	struct gomem_arena a;
	u64 off;

	KUNIT_ASSERT_EQ(test, gomem_arena_init(&a, &p), 0);
	calls = shim_vmalloc_calls();
	warning = shim_vmalloc_warning();
	/* Fill the first chunk, then a growth chunk, then a dedicated one. */
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(&a, PAGE_SIZE, 8, 0, &off), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(&a, 64, 8, 0, &off), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(&a, 8 * PAGE_SIZE, 8, 0, &off),
			0);
	gomem_arena_lock(&a);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(&a, 16 * PAGE_SIZE, 8,
						       GOMEM_ALLOC_ZERO, &off),
			0);
	KUNIT_EXPECT_EQ(test, shim_mutexes_held(), 1U);
	gomem_arena_unlock(&a);
	KUNIT_EXPECT_EQ(test, a.nr_chunks, 4U);
	KUNIT_EXPECT_EQ(test, shim_vmalloc_calls() - calls, 3UL);
	KUNIT_EXPECT_EQ(test, shim_vmalloc_under_lock(), locked);
	/*
	 * A session asks for the growth: its failure is an -ENOMEM for that
	 * session, not a stack dump in the kernel log (__GFP_NOWARN).
	 */
	KUNIT_EXPECT_EQ(test, shim_vmalloc_warning(), warning);
	KUNIT_EXPECT_EQ(test, gomem_arena_check(&a), 0);
	gomem_arena_destroy(&a);
}

static struct kunit_case gomem_arena_lock_cases[] = {
	KUNIT_CASE(growth_vmallocs_with_the_lock_dropped),
	{}
};

static struct kunit_suite gomem_arena_lock_suite = {
	.name = "gomem_arena_lock",
	.test_cases = gomem_arena_lock_cases,
};

kunit_test_suites(&gomem_arena_lock_suite);
