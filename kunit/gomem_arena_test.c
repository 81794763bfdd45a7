// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit suites for the arena: gomem_arena (chunks, growth, trim, buddy
 * chunks, free-rest, borrow, statistics, concurrency) and gomem_recyclable
 * (batches freed at once).  Every case runs the arena's invariant checker
 * after each step.  Also compiled into the userspace harness.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/page.h>

#include "gomem_arena.h"

/* A small geometry: chunks of 4, 8, 16, 16, 16 KiB, then 4 KiB to 64 KiB. */
#define T_INITIAL	PAGE_SIZE
#define T_MAX_CHUNK	(4 * PAGE_SIZE)
#define T_MAX_SIZE	(16 * PAGE_SIZE)

struct zap_log {
	struct gomem_arena *a;
	unsigned int nr;
	u64 offset[16];
	u64 size[16];
	/* What a lockless lookup of the chunk being zapped found. */
	void *during[16];
	/* The chunk whose memory the hook says is still referenced. */
	u64 busy;
};

struct arena_fixture {
	struct gomem_arena a;
	bool live;
	struct zap_log zaps;
};

static struct arena_fixture *afix(struct kunit *test)
{
	return test->priv;
}

static int zap_record(void *data, u64 offset, void *mem, u64 size)
{
	struct zap_log *log = data;

	if (log->nr < ARRAY_SIZE(log->offset)) {
		log->offset[log->nr] = offset;
		log->size[log->nr] = size;
		rcu_read_lock();
		log->during[log->nr] = gomem_arena_lookup_rcu(log->a, offset);
		rcu_read_unlock();
	}
	log->nr++;
	return offset == log->busy ? -EBUSY : 0;
}

static struct gomem_arena *arena_setup_params(struct kunit *test,
					      struct gomem_arena_params *p)
{
	struct arena_fixture *f = afix(test);

	KUNIT_ASSERT_EQ(test, gomem_arena_init(&f->a, p), 0);
	f->live = true;
	f->zaps.a = &f->a;
	f->zaps.busy = ~0ULL;
	gomem_arena_set_zap(&f->a, zap_record, &f->zaps);
	KUNIT_EXPECT_EQ(test, gomem_arena_check(&f->a), 0);
	return &f->a;
}

/* A treap arena of @max_size, with a per-CPU front for sizes to @front_max. */
static struct gomem_arena *arena_setup_sized(struct kunit *test,
					     enum gomem_chunk_source source,
					     u64 max_chunk, u64 max_size,
					     u64 front_max)
{
	struct gomem_arena_params p = {
		.initial_size = T_INITIAL,
		.max_chunk = max_chunk,
		.max_size = max_size,
		.policy = GOMEM_POLICY_TREAP,
		.source = source,
		.front_max = front_max,
	};

	return arena_setup_params(test, &p);
}

/* The small geometry, with a per-CPU front for sizes to @front_max. */
static struct gomem_arena *arena_setup_front(struct kunit *test,
					     enum gomem_chunk_source source,
					     u64 front_max)
{
	return arena_setup_sized(test, source, T_MAX_CHUNK, T_MAX_SIZE,
				 front_max);
}

static struct gomem_arena *arena_setup(struct kunit *test,
				       enum gomem_chunk_source source)
{
	return arena_setup_front(test, source, 0);
}

#define EXPECT_ARENA_SOUND(test, a) \
	KUNIT_EXPECT_EQ_MSG(test, gomem_arena_check(a), 0, "arena checker")

static u64 arena_must_alloc(struct kunit *test, struct gomem_arena *a,
			    u64 size)
{
	u64 off = U64_MAX;

	KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, size, 8, 0, &off), 0);
	EXPECT_ARENA_SOUND(test, a);
	return off;
}

static void expect_geometry(struct kunit *test, struct gomem_arena *a,
			    u64 capacity, u64 in_use, u64 chunks)
{
	struct gomem_arena_stats st;

	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.capacity, capacity);
	KUNIT_EXPECT_EQ(test, st.in_use, in_use);
	KUNIT_EXPECT_EQ(test, st.free, capacity - in_use);
	KUNIT_EXPECT_EQ(test, st.chunks, chunks);
	EXPECT_ARENA_SOUND(test, a);
}

static void init_creates_first_chunk(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_arena_stats st;

	expect_geometry(test, a, T_INITIAL, 0, 1);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.largest_free, (u64)T_INITIAL);
	KUNIT_EXPECT_EQ(test, a->chunks[0]->base, 0ULL);
}

static void init_rejects_bad_params(struct kunit *test)
{
	struct gomem_arena_params good = {
		.initial_size = T_INITIAL,
		.max_chunk = T_MAX_CHUNK,
		.max_size = T_MAX_SIZE,
	}, p;
	struct gomem_arena a;

	p = good;
	p.initial_size = 0;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p = good;
	p.max_chunk = PAGE_SIZE / 2;
	p.initial_size = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p = good;
	p.max_size = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p = good;
	p.granule = 12;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p = good;
	p.policy = (enum gomem_policy)9;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p = good;
	p.source = (enum gomem_chunk_source)9;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p = good;
	p.source = GOMEM_CHUNKS_BUDDY;
	p.max_size = 1ULL << 50;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	/*
	 * Sizes that rounding up to a page would wrap to 0 (a buddy pool
	 * then took a first chunk of roundup_pow_of_two(0) pages).
	 */
	p = good;
	p.initial_size = U64_MAX - 100;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p.source = GOMEM_CHUNKS_BUDDY;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p = good;
	p.initial_size = U64_MAX - 100;
	p.max_chunk = U64_MAX - 50;
	p.max_size = U64_MAX - 10;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p = good;
	p.max_chunk = U64_MAX;
	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
}

static void init_rounds_sizes_to_pages(struct kunit *test)
{
	struct gomem_arena_params p = {
		.initial_size = 100,
		.max_chunk = PAGE_SIZE + 1,
		.max_size = 3 * PAGE_SIZE - 5,
	};
	struct gomem_arena *a = arena_setup_params(test, &p);

	expect_geometry(test, a, PAGE_SIZE, 0, 1);
	KUNIT_EXPECT_EQ(test, a->params.max_chunk, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a->params.max_size, 3 * PAGE_SIZE);
}

static void alloc_fills_first_chunk_before_growing(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);

	KUNIT_EXPECT_EQ(test, arena_must_alloc(test, a, PAGE_SIZE - 64), 0ULL);
	KUNIT_EXPECT_EQ(test, arena_must_alloc(test, a, 64),
			(u64)PAGE_SIZE - 64);
	expect_geometry(test, a, PAGE_SIZE, PAGE_SIZE, 1);
	KUNIT_EXPECT_EQ(test, arena_must_alloc(test, a, 8), (u64)PAGE_SIZE);
	expect_geometry(test, a, 3 * PAGE_SIZE, PAGE_SIZE + 8, 2);
}

static void growth_doubles_up_to_max_chunk(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	static const u64 pages[] = { 1, 2, 4, 4, 4 };
	struct gomem_arena_stats st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++)
		arena_must_alloc(test, a, pages[i] * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, a->nr_chunks, 5U);
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		KUNIT_EXPECT_EQ_MSG(test, a->chunks[i]->size,
				    pages[i] * PAGE_SIZE, "chunk %u", i);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.grows, 4ULL);
	KUNIT_EXPECT_EQ(test, st.capacity, 15 * PAGE_SIZE);
}

static void growth_skips_sizes_too_small(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);

	/* The next chunk would be 2 pages; 3 pages need the 4-page one. */
	arena_must_alloc(test, a, 3 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, a->nr_chunks, 2U);
	KUNIT_EXPECT_EQ(test, a->chunks[1]->size, 4 * PAGE_SIZE);
}

static void large_request_gets_dedicated_chunk(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 next = a->next_size, off;

	off = arena_must_alloc(test, a, 5 * PAGE_SIZE + 1);
	KUNIT_ASSERT_EQ(test, a->nr_chunks, 2U);
	KUNIT_EXPECT_EQ(test, a->chunks[1]->size, 6 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, off, a->chunks[1]->base);
	KUNIT_EXPECT_EQ(test, a->next_size, next);
}

static void growth_stops_at_max_size(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_arena_stats st;
	u64 off;
	int i;

	for (i = 0; i < 16; i++)
		arena_must_alloc(test, a, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, 8, 8, 0, &off), -ENOMEM);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.capacity, T_MAX_SIZE);
	KUNIT_EXPECT_EQ(test, st.in_use, T_MAX_SIZE);
	KUNIT_EXPECT_EQ(test, st.failed_allocs, 1ULL);
	/* The last chunk shrank to what max_size left: one page. */
	KUNIT_EXPECT_EQ(test, a->chunks[a->nr_chunks - 1]->size, PAGE_SIZE);
	EXPECT_ARENA_SOUND(test, a);
}

static void alloc_rejects_bad_arguments(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_arena_stats before, after;
	u64 off;

	gomem_arena_stats(a, &before);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, 0, 8, 0, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, T_MAX_SIZE + 1, 8, 0, &off),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, 8, 3, 0, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, 8, 0, 0, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, 8, 2 * PAGE_SIZE, 0, &off),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, 8, 8, 0x80, &off), -EINVAL);
	gomem_arena_stats(a, &after);
	KUNIT_EXPECT_TRUE(test, !memcmp(&before, &after, sizeof(before)));
	EXPECT_ARENA_SOUND(test, a);
}

static void regions_never_span_chunks(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off, size;
	int i;

	for (i = 0; i < 40; i++) {
		size = 200 + 97 * i;
		if (gomem_arena_alloc(a, size, 8, 0, &off))
			break;
		KUNIT_EXPECT_NOT_NULL_MSG(test, gomem_arena_ptr(a, off, size),
					  "region %d [%llu, +%llu)", i, off,
					  size);
	}
	EXPECT_ARENA_SOUND(test, a);
}

static void offsets_stay_valid_across_growth(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off = arena_must_alloc(test, a, 64), i;
	u8 *p = gomem_arena_ptr(a, off, 64);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x5a, 64);
	for (i = 0; i < 8; i++)
		arena_must_alloc(test, a, PAGE_SIZE);
	KUNIT_EXPECT_GT(test, a->nr_chunks, 2U);
	KUNIT_EXPECT_PTR_EQ(test, (u8 *)gomem_arena_ptr(a, off, 64), p);
	KUNIT_EXPECT_EQ(test, p[0], 0x5a);
	KUNIT_EXPECT_EQ(test, p[63], 0x5a);
}

static void free_whole_and_partial(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off = arena_must_alloc(test, a, 1024);

	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off + 256, 256), 0);
	expect_geometry(test, a, PAGE_SIZE, 768, 1);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, 256), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off + 512, 512), 0);
	expect_geometry(test, a, PAGE_SIZE, 0, 1);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, 8), -EINVAL);
}

/* Tree nodes of all chunks, in use or spare: what a free may not grow. */
static u64 arena_nodes(struct gomem_arena *a)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < a->nr_chunks; i++)
		n += a->chunks[i]->range.nr_blocks +
		     a->chunks[i]->range.nr_spare;
	return n;
}

static u64 arena_kept(struct gomem_arena *a)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < a->nr_chunks; i++)
		n += gomem_range_kept(&a->chunks[i]->range);
	return n;
}

/*
 * Release must not be able to fail: each region's node is reserved when
 * it is allocated (and a middle free reserves the second piece's), so
 * freeing whole regions, heads and tails never takes a node from the
 * cache, even when each free leaves a block of its own.
 */
static void frees_of_regions_take_no_new_node(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_region *r = kunit_kcalloc(test, 160, sizeof(*r),
					       GFP_KERNEL);
	unsigned int i, nr = 0, n;
	u64 nodes;

	KUNIT_ASSERT_NOT_NULL(test, r);

	for (i = 0; i < 120; i++) {
		r[nr].size = 8 * (1 + i % 16);
		r[nr].offset = arena_must_alloc(test, a, r[nr].size);
		nr++;
	}
	/* Middles: each makes a second region. */
	for (i = 0, n = nr; i < n; i += 4) {
		if (r[i].size < 24)
			continue;
		KUNIT_ASSERT_EQ(test, gomem_arena_free_part(a, r[i].offset,
							    r[i].size,
							    r[i].offset + 8,
							    8), 0);
		r[nr].offset = r[i].offset + 16;
		r[nr++].size = r[i].size - 16;
		r[i].size = 8;
	}
	KUNIT_EXPECT_GE(test, arena_kept(a), (u64)nr);
	KUNIT_EXPECT_LE(test, arena_kept(a), (u64)nr + a->nr_chunks);
	nodes = arena_nodes(a);
	KUNIT_EXPECT_GE(test, nodes, arena_kept(a));
	/* Heads and tails. */
	for (i = 1; i < nr; i += 3) {
		if (r[i].size < 16)
			continue;
		KUNIT_EXPECT_EQ(test, gomem_arena_free_part(a, r[i].offset,
							    r[i].size,
							    r[i].offset, 8), 0);
		r[i].offset += 8;
		r[i].size -= 8;
		KUNIT_EXPECT_EQ(test, gomem_arena_free_rest(a, r[i].offset,
							    r[i].size,
							    r[i].size - 8), 0);
		r[i].size -= 8;
		KUNIT_EXPECT_LE(test, arena_nodes(a), nodes);
	}
	/* Every other region first, then the rest. */
	for (n = 0; n < 2; n++) {
		for (i = n; i < nr; i += 2) {
			if (!r[i].size)
				continue;
			KUNIT_EXPECT_EQ_MSG(test, gomem_arena_free(a, r[i].offset,
								   r[i].size),
					    0, "region %u", i);
			KUNIT_EXPECT_LE_MSG(test, arena_nodes(a), nodes,
					    "region %u", i);
		}
	}
	expect_geometry(test, a, a->stats.capacity, 0, a->nr_chunks);
	KUNIT_EXPECT_EQ(test, arena_kept(a), 0ULL);
}

/*
 * Bounded time under the lock: freeing many regions lets go of the lock
 * every GOMEM_ARENA_SLICE regions (and, in the kernel, whenever the
 * scheduler asks), so the count of slices is at least regions / slice.
 */
static void free_many_lets_go_of_the_lock_every_slice(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	unsigned int i, nr = 5 * GOMEM_ARENA_SLICE + 3;
	struct gomem_recyclable rm;
	struct gomem_arena_stats st;
	struct gomem_region *r;
	u64 relaxed, off;

	r = kunit_kcalloc(test, nr, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < nr; i++) {
		r[i].size = 8;
		r[i].offset = arena_must_alloc(test, a, 8);
	}
	gomem_arena_stats(a, &st);
	relaxed = st.relaxed;
	KUNIT_EXPECT_EQ(test, gomem_arena_free_many(a, r, nr, NULL), (int)nr);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_GE(test, st.relaxed - relaxed, 5ULL);
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);

	gomem_recyclable_init(&rm, a);
	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_EQ(test, gomem_recyclable_next_n(&rm, 8, &off), 0);
	relaxed = st.relaxed;
	KUNIT_EXPECT_EQ(test, gomem_recyclable_recycle(&rm, false), 0);
	gomem_recyclable_destroy(&rm);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_GE(test, st.relaxed - relaxed, 5ULL);
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
	EXPECT_ARENA_SOUND(test, a);
}

static void free_part_rejects_parts_outside_the_region(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off = arena_must_alloc(test, a, 64);

	KUNIT_EXPECT_EQ(test, gomem_arena_free_part(a, off + 8, 56, off, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_part(a, off, 32, off + 24, 16),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_part(a, off, 64, off, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_part(a, off, 64, off + 64, 8),
			-EINVAL);
	expect_geometry(test, a, PAGE_SIZE, 64, 1);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_part(a, off, 64, off + 8, 48),
			0);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_part(a, off, 8, off, 8), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off + 56, 8), 0);
	expect_geometry(test, a, PAGE_SIZE, 0, 1);
	KUNIT_EXPECT_EQ(test, arena_kept(a), 0ULL);
}

static void free_rejects_bad_ranges(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 first = arena_must_alloc(test, a, PAGE_SIZE);
	u64 second = arena_must_alloc(test, a, PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, second, (u64)PAGE_SIZE);
	/* Both bytes either side are allocated, but in two chunks. */
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, first + PAGE_SIZE - 8, 16),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, 100 * PAGE_SIZE, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, first + 4, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, first, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, first, U64_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, second + 8, PAGE_SIZE),
			-EINVAL);
	expect_geometry(test, a, 3 * PAGE_SIZE, 2 * PAGE_SIZE, 2);
}

static void free_many_reports_each_region(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_region r[3];
	int results[3];

	r[0].offset = arena_must_alloc(test, a, 64);
	r[0].size = 64;
	r[1] = r[0];
	r[2].offset = arena_must_alloc(test, a, 32);
	r[2].size = 32;
	KUNIT_EXPECT_EQ(test, gomem_arena_free_many(a, r, 3, results), 2);
	KUNIT_EXPECT_EQ(test, results[0], 0);
	KUNIT_EXPECT_EQ(test, results[1], -EINVAL);
	KUNIT_EXPECT_EQ(test, results[2], 0);
	expect_geometry(test, a, PAGE_SIZE, 0, 1);
}

/*
 * A run of *_locked() calls under one gomem_arena_lock(): allocations
 * (growing the arena on the way), refused requests that change nothing,
 * and frees, with the same results as the locking calls.
 */
static void locked_calls_share_one_lock(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off[4], bad = U64_MAX;
	unsigned int i;

	gomem_arena_lock(a);
	KUNIT_EXPECT_TRUE(test, mutex_is_locked(&a->lock));
	for (i = 0; i < ARRAY_SIZE(off); i++)
		KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(a, PAGE_SIZE / 2,
							       8, 0, &off[i]),
				0);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(a, 0, 8, 0, &bad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(a, 64, 3, 0, &bad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(a, 64, 8, 0x80, &bad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, bad, U64_MAX);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_locked(a, off[1], PAGE_SIZE / 2),
			0);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_locked(a, off[1], PAGE_SIZE / 2),
			-EINVAL);
	gomem_arena_unlock(a);
	/* Two chunks (4 KiB, 8 KiB), three halves of a page still held. */
	expect_geometry(test, a, 3 * PAGE_SIZE, 3 * (PAGE_SIZE / 2), 2);

	gomem_arena_lock(a);
	for (i = 0; i < ARRAY_SIZE(off); i++)
		if (i != 1)
			KUNIT_EXPECT_EQ(test,
					gomem_arena_free_locked(a, off[i],
								PAGE_SIZE / 2),
					0);
	gomem_arena_unlock(a);
	expect_geometry(test, a, 3 * PAGE_SIZE, 0, 2);
}

/* Locked allocations zero on request, like gomem_arena_alloc(). */
static void locked_alloc_zeroes_on_request(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off = arena_must_alloc(test, a, 256), again = U64_MAX;
	u8 *p = gomem_arena_ptr(a, off, 256);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xa5, 256);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, 256), 0);
	gomem_arena_lock(a);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(a, 256, 8,
						       GOMEM_ALLOC_ZERO, &again),
			0);
	gomem_arena_unlock(a);
	KUNIT_ASSERT_EQ(test, again, off);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, 256));
	EXPECT_ARENA_SOUND(test, a);
}

static void free_rest_keeps_the_head(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off = arena_must_alloc(test, a, 1024);

	KUNIT_EXPECT_EQ(test, gomem_arena_free_rest(a, off, 1024, 2048),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_rest(a, off, 1024, 1024), 0);
	expect_geometry(test, a, PAGE_SIZE, 1024, 1);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_rest(a, off, 1024, 100), 0);
	expect_geometry(test, a, PAGE_SIZE, 104, 1);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, 100), 0);
	expect_geometry(test, a, PAGE_SIZE, 0, 1);
}

static void find_peeks_without_growing(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off = U64_MAX;

	arena_must_alloc(test, a, 24);
	KUNIT_EXPECT_EQ(test, gomem_arena_find(a, 100, 64, &off), 0);
	KUNIT_EXPECT_EQ(test, off, 64ULL);
	KUNIT_EXPECT_EQ(test, arena_must_alloc(test, a, 100), 24ULL);
	KUNIT_EXPECT_EQ(test, gomem_arena_find(a, PAGE_SIZE, 8, &off),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, gomem_arena_find(a, 0, 8, &off), -EINVAL);
	expect_geometry(test, a, PAGE_SIZE, 128, 1);
}

static void borrow_lends_free_bytes(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u8 *p;

	arena_must_alloc(test, a, 64);
	p = gomem_arena_borrow(a, 128);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, (u8 *)gomem_arena_ptr(a, 64, 128));
	memset(p, 0xee, 128);
	expect_geometry(test, a, PAGE_SIZE, 64, 1);
	/* Nothing left in the first chunk: borrowing grows the arena. */
	arena_must_alloc(test, a, PAGE_SIZE - 64);
	KUNIT_EXPECT_NOT_NULL(test, gomem_arena_borrow(a, 512));
	expect_geometry(test, a, 3 * PAGE_SIZE, PAGE_SIZE, 2);
	KUNIT_EXPECT_NULL(test, gomem_arena_borrow(a, 0));
	KUNIT_EXPECT_NULL(test, gomem_arena_borrow(a, T_MAX_SIZE + 1));
}

static void zero_flag_clears_reused_bytes(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off = arena_must_alloc(test, a, 256), again;
	u8 *p = gomem_arena_ptr(a, off, 256);

	memset(p, 0xaa, 256);
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off, 256), 0);
	KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, 256, 8, 0, &again), 0);
	KUNIT_ASSERT_EQ(test, again, off);
	KUNIT_EXPECT_EQ_MSG(test, p[17], 0xaa, "no zeroing unless asked");
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off, 256), 0);
	KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, 256, 8, GOMEM_ALLOC_ZERO,
						&again), 0);
	KUNIT_ASSERT_EQ(test, again, off);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, 256));
}

static void trim_releases_free_chunks_but_first(struct kunit *test)
{
	struct arena_fixture *f = afix(test);
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_arena_stats st;
	u64 off[4];
	int i;

	off[0] = arena_must_alloc(test, a, PAGE_SIZE);
	off[1] = arena_must_alloc(test, a, 2 * PAGE_SIZE);
	off[2] = arena_must_alloc(test, a, 4 * PAGE_SIZE);
	off[3] = arena_must_alloc(test, a, 8);
	KUNIT_ASSERT_EQ(test, a->nr_chunks, 4U);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off[i],
						       PAGE_SIZE << i), 0);
	/* Chunk 3 still holds 8 bytes; the first is kept though empty. */
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), 6 * PAGE_SIZE);
	expect_geometry(test, a, 5 * PAGE_SIZE, 8, 2);
	KUNIT_ASSERT_EQ(test, f->zaps.nr, 2U);
	KUNIT_EXPECT_EQ(test, f->zaps.offset[0], 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, f->zaps.size[0], 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, f->zaps.offset[1], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, f->zaps.size[1], 2 * PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, gomem_arena_ptr(a, PAGE_SIZE, 8));
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[3], 8), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), 4 * PAGE_SIZE);
	expect_geometry(test, a, PAGE_SIZE, 0, 1);
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), 0ULL);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.trimmed, 3ULL);
}

static void trim_keeps_a_chunk_still_referenced(struct kunit *test)
{
	struct arena_fixture *f = afix(test);
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_arena_stats st;
	u64 off[2];
	void *p;

	off[0] = arena_must_alloc(test, a, PAGE_SIZE);
	off[1] = arena_must_alloc(test, a, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, a->nr_chunks, 2U);
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off[0], PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off[1], 2 * PAGE_SIZE), 0);
	/* The hook finds the 8 KiB chunk pinned: it stays, usable. */
	f->zaps.busy = off[1];
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), 0ULL);
	KUNIT_EXPECT_EQ(test, f->zaps.nr, 1U);
	expect_geometry(test, a, 3 * PAGE_SIZE, 0, 2);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.trim_busy, 1ULL);
	KUNIT_EXPECT_EQ(test, st.trimmed, 0ULL);
	rcu_read_lock();
	p = gomem_arena_lookup_rcu(a, off[1] + 5);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, p, gomem_arena_ptr(a, off[1] + 5, 1));
	KUNIT_EXPECT_NOT_NULL(test, p);
	/* Let go: the next trim releases it. */
	f->zaps.busy = ~0ULL;
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), 2 * PAGE_SIZE);
	expect_geometry(test, a, PAGE_SIZE, 0, 1);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.trim_busy, 1ULL);
	KUNIT_EXPECT_EQ(test, st.trimmed, 1ULL);
	KUNIT_EXPECT_EQ(test, gomem_arena_check(a), 0);
}

static void lookup_rcu_needs_no_lock(struct kunit *test)
{
	struct arena_fixture *f = afix(test);
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off[3];
	void *p, *q, *r;

	off[0] = arena_must_alloc(test, a, PAGE_SIZE);
	off[1] = arena_must_alloc(test, a, 2 * PAGE_SIZE);
	off[2] = arena_must_alloc(test, a, 8);
	KUNIT_ASSERT_EQ(test, a->nr_chunks, 3U);
	q = gomem_arena_ptr(a, off[2], 8);
	/* The arena lock held elsewhere does not stop a lookup. */
	gomem_arena_lock(a);
	rcu_read_lock();
	p = gomem_arena_lookup_rcu(a, off[2]);
	r = gomem_arena_lookup_rcu(a, gomem_arena_span(a) - 1);
	rcu_read_unlock();
	gomem_arena_unlock(a);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_EXPECT_NULL(test, r);
	/* While trim decides about a chunk, lookups of it wait. */
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off[1], 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, f->zaps.nr, 1U);
	KUNIT_EXPECT_PTR_EQ(test, f->zaps.during[0], ERR_PTR(-EAGAIN));
	/* After it, the released chunk is gone; the others are as they were. */
	rcu_read_lock();
	p = gomem_arena_lookup_rcu(a, off[1]);
	r = gomem_arena_lookup_rcu(a, off[2]);
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, r, q);
	gomem_arena_trim_wait(a);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[0], PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[2], 8), 0);
}

static void trimmed_offsets_are_reused(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u64 off;

	arena_must_alloc(test, a, PAGE_SIZE);
	off = arena_must_alloc(test, a, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, arena_must_alloc(test, a, 4 * PAGE_SIZE),
			(u64)PAGE_SIZE);
}

static void stats_track_each_step(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_arena_stats st;
	u64 x, y;

	x = arena_must_alloc(test, a, 1000);
	y = arena_must_alloc(test, a, 2000);
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, x, 1000), 0);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.allocs, 2ULL);
	KUNIT_EXPECT_EQ(test, st.frees, 1ULL);
	KUNIT_EXPECT_EQ(test, st.in_use, 2000ULL);
	KUNIT_EXPECT_EQ(test, st.peak_in_use, 3000ULL);
	/* Free now: [0, 1000) and [3000, PAGE_SIZE). */
	KUNIT_EXPECT_EQ(test, st.largest_free, (u64)PAGE_SIZE - 3000);
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, y, 2000), 0);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, st.peak_in_use, 3000ULL);
	KUNIT_EXPECT_EQ(test, st.largest_free, (u64)PAGE_SIZE);
}

static void buddy_chunks_come_from_the_pool(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_BUDDY);
	u64 off;
	u8 *p;
	int i;

	KUNIT_EXPECT_EQ(test, gomem_buddy_size(&a->buddy), 16ULL);
	for (i = 0; i < 7; i++)
		arena_must_alloc(test, a, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a->nr_chunks, 3U);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(&a->buddy), 9ULL);
	off = arena_must_alloc(test, a, PAGE_SIZE);
	p = gomem_arena_ptr(a, off, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, p >= (u8 *)a->pool &&
			  p < (u8 *)a->pool + T_MAX_SIZE);
	memset(p, 0x77, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, PAGE_SIZE), 0);
	EXPECT_ARENA_SOUND(test, a);
}

static void buddy_trim_returns_pages_zeroed(struct kunit *test)
{
	struct gomem_arena_params params = {
		.initial_size = PAGE_SIZE,
		.max_chunk = 2 * PAGE_SIZE,
		.max_size = 16 * PAGE_SIZE,
		.source = GOMEM_CHUNKS_BUDDY,
	};
	struct gomem_arena *a = arena_setup_params(test, &params);
	u64 off;
	u8 *p;

	arena_must_alloc(test, a, PAGE_SIZE);
	off = arena_must_alloc(test, a, 2 * PAGE_SIZE);
	p = gomem_arena_ptr(a, off, 2 * PAGE_SIZE);
	memset(p, 0x99, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, gomem_buddy_free_units(&a->buddy), 15ULL);
	EXPECT_ARENA_SOUND(test, a);
	/* The same pages come back as a new chunk, zeroed. */
	off = arena_must_alloc(test, a, 2 * PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, (u8 *)gomem_arena_ptr(a, off, 1), p);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, 2 * PAGE_SIZE));
}

static void buddy_chunk_sizes_are_powers_of_two(struct kunit *test)
{
	struct gomem_arena_params params = {
		.initial_size = 3 * PAGE_SIZE,
		.max_chunk = 4 * PAGE_SIZE,
		.max_size = 16 * PAGE_SIZE,
		.source = GOMEM_CHUNKS_BUDDY,
	};
	struct gomem_arena *a = arena_setup_params(test, &params);

	expect_geometry(test, a, 4 * PAGE_SIZE, 0, 1);
	arena_must_alloc(test, a, 4 * PAGE_SIZE);
	arena_must_alloc(test, a, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a->chunks[1]->size, 4 * PAGE_SIZE);
}

static void copy_crosses_chunk_boundaries(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	u8 *buf, *back;
	int i;

	buf = kunit_kzalloc(test, 300, GFP_KERNEL);
	back = kunit_kzalloc(test, 300, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, back);
	for (i = 0; i < 300; i++)
		buf[i] = (u8)(i * 7 + 1);
	arena_must_alloc(test, a, PAGE_SIZE);
	arena_must_alloc(test, a, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, a->nr_chunks, 2U);
	/* 100 bytes at the end of chunk 0, 200 at the start of chunk 1. */
	KUNIT_EXPECT_EQ(test, gomem_arena_copy(a, PAGE_SIZE - 100, buf, 300,
					       true), (size_t)300);
	KUNIT_EXPECT_TRUE(test, !memcmp(gomem_arena_ptr(a, PAGE_SIZE - 100,
							100), buf, 100));
	KUNIT_EXPECT_TRUE(test, !memcmp(gomem_arena_ptr(a, PAGE_SIZE, 200),
					buf + 100, 200));
	KUNIT_EXPECT_EQ(test, gomem_arena_copy(a, PAGE_SIZE - 100, back, 300,
					       false), (size_t)300);
	KUNIT_EXPECT_TRUE(test, !memcmp(back, buf, 300));
	/* Copies stop where no chunk backs the offsets. */
	KUNIT_EXPECT_EQ(test, gomem_arena_copy(a, 3 * PAGE_SIZE - 50, back,
					       300, false), (size_t)50);
	KUNIT_EXPECT_EQ(test, gomem_arena_copy(a, 3 * PAGE_SIZE, back, 300,
					       false), (size_t)0);
	EXPECT_ARENA_SOUND(test, a);
}

struct page_probe {
	struct gomem_arena *a;
	void *kaddr;
	bool locked;
};

static int probe_page(void *data, void *kaddr)
{
	struct page_probe *p = data;

	p->kaddr = kaddr;
	p->locked = mutex_is_locked(&p->a->lock);
	return 7;
}

static void access_page_runs_under_the_lock(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct page_probe p = { .a = a };

	arena_must_alloc(test, a, PAGE_SIZE);
	arena_must_alloc(test, a, 8);
	KUNIT_EXPECT_EQ(test, gomem_arena_access_page(a, 2 * PAGE_SIZE + 123,
						      probe_page, &p), 7);
	KUNIT_EXPECT_TRUE(test, p.locked);
	KUNIT_EXPECT_PTR_EQ(test, p.kaddr,
			    gomem_arena_ptr(a, 2 * PAGE_SIZE, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, gomem_arena_access_page(a, 3 * PAGE_SIZE,
						      probe_page, &p), -ENXIO);
	KUNIT_EXPECT_EQ(test, gomem_arena_span(a), 2 * T_MAX_SIZE);
}

/* ---- concurrency ---- */

#define CONC_THREADS	4
#define CONC_ROUNDS	400

struct conc_ctx {
	struct gomem_arena *a;
	struct completion done;
	atomic_t errors;
	atomic_t allocs;
};

struct conc_thread {
	struct conc_ctx *ctx;
	u32 id;
};

static int conc_worker(void *data)
{
	struct conc_thread *t = data;
	struct conc_ctx *ctx = t->ctx;
	u32 seed = 0x2545f491 * (t->id + 1), i, j;
	u64 off, size;
	u8 *p, tag;

	for (i = 0; i < CONC_ROUNDS; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		size = 8 + seed % 1500;
		if (gomem_arena_alloc(ctx->a, size, 8, 0, &off))
			continue;	/* the arena may be full for now */
		atomic_inc(&ctx->allocs);
		p = gomem_arena_ptr(ctx->a, off, size);
		tag = (u8)(t->id * 31 + i);
		if (!p) {
			atomic_inc(&ctx->errors);
			continue;
		}
		memset(p, tag, size);
		for (j = 0; j < size; j++)
			if (p[j] != tag)
				break;
		if (j != size)
			atomic_inc(&ctx->errors);
		if (gomem_arena_free(ctx->a, off, size))
			atomic_inc(&ctx->errors);
		if (i % 64 == 63)
			gomem_arena_trim(ctx->a);
	}
	complete(&ctx->done);
	return 0;
}

static void concurrent_run(struct kunit *test, u64 front_max)
{
	struct gomem_arena *a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC,
						  front_max);
	struct conc_thread *threads;
	struct gomem_arena_stats st;
	struct conc_ctx *ctx;
	int i, started = 0;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	threads = kunit_kcalloc(test, CONC_THREADS, sizeof(*threads),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_NOT_NULL(test, threads);
	ctx->a = a;
	init_completion(&ctx->done);
	for (i = 0; i < CONC_THREADS; i++) {
		threads[i].ctx = ctx;
		threads[i].id = i;
		if (!IS_ERR(kthread_run(conc_worker, &threads[i],
					"gomem_conc/%d", i)))
			started++;
	}
	for (i = 0; i < started; i++)
		wait_for_completion(&ctx->done);
	KUNIT_ASSERT_EQ(test, started, CONC_THREADS);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->errors), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&ctx->allocs), CONC_ROUNDS);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, st.allocs, (u64)atomic_read(&ctx->allocs));
	KUNIT_EXPECT_EQ(test, st.frees, st.allocs);
	EXPECT_ARENA_SOUND(test, a);
}

static void concurrent_threads_keep_data_intact(struct kunit *test)
{
	concurrent_run(test, 0);
}

/* The same through per-CPU fronts: threads on several CPUs share blocks. */
static void concurrent_threads_with_front(struct kunit *test)
{
	concurrent_run(test, 1024);
}

/* ---- seeded random operations ---- */

#define RND_OPS		3000
#define RND_HELD	48

struct rnd_live {
	u64 off;
	u64 size;
	u8 tag;
};

static u32 rnd32(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static bool rnd_intact(struct gomem_arena *a, const struct rnd_live *r)
{
	const u8 *p = gomem_arena_ptr(a, r->off, r->size);

	return p && !memchr_inv(p, r->tag, r->size);
}

static void random_ops_run(struct kunit *test, u64 front_max)
{
	struct gomem_arena *a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC,
						  front_max);
	struct gomem_arena_stats st;
	struct rnd_live *held;
	u32 seed = 20261125, i, j, nheld = 0;
	u64 in_use = 0, size, off, g = a->params.granule;

	held = kunit_kcalloc(test, RND_HELD, sizeof(*held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, held);
	for (i = 0; i < RND_OPS; i++) {
		j = rnd32(&seed) % 8;
		if (j < 4 && nheld < RND_HELD) {
			size = 1 + rnd32(&seed) % (j ? 700 : 5 * PAGE_SIZE);
			if (gomem_arena_alloc(a, size, 1U << (rnd32(&seed) % 6),
					      0, &off))
				continue;
			held[nheld].off = off;
			held[nheld].size = ALIGN(size, g);
			held[nheld].tag = (u8)rnd32(&seed);
			memset(gomem_arena_ptr(a, off, size), held[nheld].tag,
			       held[nheld].size);
			in_use += held[nheld++].size;
		} else if (j < 7 && nheld) {
			j = rnd32(&seed) % nheld;
			KUNIT_ASSERT_TRUE_MSG(test, rnd_intact(a, &held[j]),
					      "op %u: region %llu overwritten",
					      i, held[j].off);
			KUNIT_ASSERT_EQ(test, gomem_arena_free(a, held[j].off,
							       held[j].size),
					0);
			in_use -= held[j].size;
			held[j] = held[--nheld];
		} else {
			gomem_arena_trim(a);
		}
		KUNIT_ASSERT_EQ_MSG(test, gomem_arena_check(a), 0, "op %u", i);
		gomem_arena_stats(a, &st);
		KUNIT_ASSERT_EQ_MSG(test, st.in_use, in_use, "op %u", i);
	}
	for (j = 0; j < nheld; j++)
		KUNIT_EXPECT_TRUE(test, rnd_intact(a, &held[j]));
}

static void random_ops_keep_data_and_invariants(struct kunit *test)
{
	random_ops_run(test, 0);
}

/* With a front for sizes to 1 KiB; trim empties it. */
static void random_ops_with_front(struct kunit *test)
{
	random_ops_run(test, 1024);
}

/* ---- the per-CPU front ---- */

/*
 * The test stays on one CPU, so that the front it frees into is the one
 * it allocates from (migrate_disable() may sleep, unlike a spinlock).
 */
static void front_serves_the_size_freed_last(struct kunit *test)
{
	struct gomem_arena *a;
	struct gomem_arena_stats st;
	u64 off, off2, big, big2, g;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, 1024);
	g = a->params.granule;
	off = arena_must_alloc(test, a, 100);
	big = arena_must_alloc(test, a, 2048);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, 100), 0);
	EXPECT_ARENA_SOUND(test, a);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, ALIGN(100, g));
	KUNIT_EXPECT_EQ(test, st.in_use, 2048ULL);
	KUNIT_EXPECT_EQ(test, st.free, st.capacity - 2048 - ALIGN(100, g));
	KUNIT_EXPECT_EQ(test, st.frees, 1ULL);
	/* Not for another size, nor for a stricter alignment, nor to zero. */
	KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, 200, 8, 0, &off2), 0);
	KUNIT_EXPECT_NE(test, off2, off);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off2, 200), 0);
	KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, 100, 2 * g, 0, &big2), 0);
	KUNIT_EXPECT_NE(test, big2, off);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, big2, 100), 0);
	/* That size at the granule's alignment: the newest block first. */
	KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, 100, g, 0, &off2), 0);
	KUNIT_EXPECT_EQ(test, off2, big2);
	KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, 100, 1, 0, &off2), 0);
	KUNIT_EXPECT_EQ(test, off2, off);
	/* Sizes above front_max never stay. */
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, big, 2048), 0);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.in_use, 2 * ALIGN(100, g));
	KUNIT_EXPECT_EQ(test, st.front_held, ALIGN(200, g));
	KUNIT_EXPECT_EQ(test, st.allocs, 6ULL);
	KUNIT_EXPECT_EQ(test, st.frees, 4ULL);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

/*
 * The locked calls (the device's path) use the front too: a whole
 * region's free stays there and an allocation of its size takes it back;
 * a part, or an allocation asking for zeroes, goes to the chunks.
 */
static void front_serves_the_locked_calls(struct kunit *test)
{
	struct gomem_arena_stats st;
	struct gomem_arena *a;
	u64 off, off2, g;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, 1024);
	g = a->params.granule;
	off = arena_must_alloc(test, a, 100);
	gomem_arena_lock(a);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_locked(a, off, 100), 0);
	gomem_arena_unlock(a);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, ALIGN(100, g));
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
	gomem_arena_lock(a);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(a, 100, 1, 0, &off2), 0);
	KUNIT_EXPECT_EQ(test, off2, off);
	/* A whole region through free_part_locked: kept. */
	KUNIT_EXPECT_EQ(test, gomem_arena_free_part_locked(a, off, 100, off,
							   100), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(a, 100, 1, 0, &off2), 0);
	KUNIT_EXPECT_EQ(test, off2, off);
	/* Its head only: to the chunk; the rest, whole, to the front. */
	KUNIT_EXPECT_EQ(test, gomem_arena_free_part_locked(a, off, 100, off, g),
			0);
	gomem_arena_unlock(a);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, 0ULL);
	KUNIT_EXPECT_EQ(test, st.in_use, ALIGN(100, g) - g);
	gomem_arena_lock(a);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_part_locked(a, off + g,
							   ALIGN(100, g) - g,
							   off + g,
							   ALIGN(100, g) - g),
			0);
	/* Zeroes asked for: not from the front. */
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc_locked(a, ALIGN(100, g) - g, 1,
						       GOMEM_ALLOC_ZERO, &off2),
			0);
	KUNIT_EXPECT_NE(test, off2, off + g);
	KUNIT_EXPECT_EQ(test, gomem_arena_free_locked(a, off2,
						      ALIGN(100, g) - g), 0);
	gomem_arena_unlock(a);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, 2 * (ALIGN(100, g) - g));
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

/* A full chunk with blocks in a front: they are taken before growing. */
static void front_is_emptied_before_growing(struct kunit *test)
{
	struct gomem_arena_stats st;
	struct gomem_arena *a;
	u64 g, n, i, *off;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, 1024);
	g = a->params.granule;
	n = T_INITIAL / g;
	off = kunit_kcalloc(test, n, sizeof(*off), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, off);
	for (i = 0; i < n; i++)
		off[i] = arena_must_alloc(test, a, g);
	gomem_arena_stats(a, &st);
	KUNIT_ASSERT_EQ(test, st.grows, 0ULL);
	KUNIT_ASSERT_EQ(test, st.free, 0ULL);
	/* Eight neighbours in the front: two granules' room, once merged. */
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[i], g), 0);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, 8 * g);
	/* No chunk could hold it, emptied fronts or not: they stay. */
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, T_MAX_SIZE, 8, 0, &i),
			-ENOMEM);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, 8 * g);
	off[0] = arena_must_alloc(test, a, 2 * g);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.grows, 0ULL);
	KUNIT_EXPECT_EQ(test, st.front_held, 0ULL);
	KUNIT_EXPECT_EQ(test, st.chunks, 1ULL);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

static void front_refuses_a_double_free(struct kunit *test)
{
	struct gomem_arena *a;
	struct gomem_arena_stats st, st2;
	u64 off, span;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, 1024);
	off = arena_must_alloc(test, a, 64);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, 64), 0);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, 64), -EINVAL);
	/* Outside every chunk, or misaligned: the lock's answer. */
	span = gomem_arena_span(a);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, span + PAGE_SIZE, 64),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, T_INITIAL - 32, 64),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, 1, 64), -EINVAL);
	gomem_arena_stats(a, &st2);
	KUNIT_EXPECT_EQ(test, st2.frees, st.frees);
	KUNIT_EXPECT_EQ(test, st2.front_held, st.front_held);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

/* A full class refuses a double free too, rather than making room. */
static void front_full_class_refuses_a_double_free(struct kunit *test)
{
	struct gomem_arena_stats st, st2;
	u64 off[GOMEM_FRONT_DEPTH], g;
	struct gomem_arena *a;
	unsigned int i;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, 1024);
	g = a->params.granule;
	for (i = 0; i < GOMEM_FRONT_DEPTH; i++)
		off[i] = arena_must_alloc(test, a, g);
	for (i = 0; i < GOMEM_FRONT_DEPTH; i++)
		KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[i], g), 0);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, GOMEM_FRONT_DEPTH * g);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[0], g), -EINVAL);
	gomem_arena_stats(a, &st2);
	KUNIT_EXPECT_EQ(test, st2.frees, st.frees);
	KUNIT_EXPECT_EQ(test, st2.front_held, st.front_held);
	EXPECT_ARENA_SOUND(test, a);
	/* Each block comes out once. */
	for (i = 0; i < GOMEM_FRONT_DEPTH; i++)
		KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, g, 1, 0, &off[i]),
				0);
	for (i = 1; i < GOMEM_FRONT_DEPTH; i++)
		KUNIT_EXPECT_NE(test, off[i], off[0]);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

static void front_class_gives_back_its_older_half(struct kunit *test)
{
	struct gomem_arena *a;
	struct gomem_arena_stats st;
	u64 off[GOMEM_FRONT_DEPTH + 1], g;
	unsigned int i;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, 1024);
	g = a->params.granule;
	for (i = 0; i <= GOMEM_FRONT_DEPTH; i++)
		off[i] = arena_must_alloc(test, a, g);
	for (i = 0; i <= GOMEM_FRONT_DEPTH; i++)
		KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[i], g), 0);
	EXPECT_ARENA_SOUND(test, a);
	gomem_arena_stats(a, &st);
	/* Full at DEPTH; the next free gave back half and itself. */
	KUNIT_EXPECT_EQ(test, st.front_held, GOMEM_FRONT_DEPTH / 2 * g);
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, st.frees, (u64)GOMEM_FRONT_DEPTH + 1);
	/* The newest blocks stayed: the last kept comes out first. */
	KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, g, 1, 0, &off[0]), 0);
	KUNIT_EXPECT_EQ(test, off[0], off[GOMEM_FRONT_DEPTH - 1]);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

/* A class holds at most GOMEM_FRONT_CLASS_BYTES: 4 blocks of 4 KiB. */
static void front_class_bytes_are_bounded(struct kunit *test)
{
	struct gomem_arena_stats st;
	struct gomem_arena *a;
	u64 off[5], n = GOMEM_FRONT_CLASS_BYTES / 4096;
	unsigned int i;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, GOMEM_FRONT_MAX);
	for (i = 0; i <= n; i++)
		off[i] = arena_must_alloc(test, a, 4096);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[i], 4096), 0);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, (u64)GOMEM_FRONT_CLASS_BYTES);
	/* Full: the next gives back the older half, and itself. */
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[n], 4096), 0);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, n / 2 * 4096);
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

static void front_is_emptied_for_room_and_by_trim(struct kunit *test)
{
	struct gomem_arena *a;
	struct gomem_arena_stats st;
	u64 off[8], big, n, i;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, 1024);
	/* Fill the whole arena with 1 KiB regions. */
	n = T_MAX_SIZE / 1024;
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, gomem_arena_alloc(a, 1024, 1, 0, &big),
				0);
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, 1024 + 8, 1, 0, &big),
			-ENOMEM);
	/* Free 8 of the first chunk's, all kept by the front. */
	for (i = 0; i < 4; i++) {
		off[i] = i * 1024;
		KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[i], 1024), 0);
	}
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, 4096ULL);
	/* A size the front does not hold: only emptying it makes room. */
	KUNIT_EXPECT_EQ(test, gomem_arena_alloc(a, 4096, 1, 0, &big), 0);
	KUNIT_EXPECT_EQ(test, big, 0ULL);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, 0ULL);
	KUNIT_EXPECT_EQ(test, st.failed_allocs, 1ULL);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();

	/* Trim: a chunk whose every region sits in a front goes. */
	for (i = T_INITIAL; i < T_MAX_SIZE; i += 1024)
		KUNIT_EXPECT_EQ(test, gomem_arena_free(a, i, 1024), 0);
	KUNIT_EXPECT_EQ(test, gomem_arena_trim(a), T_MAX_SIZE - T_INITIAL);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, 0ULL);
	KUNIT_EXPECT_EQ(test, st.chunks, 1ULL);
	KUNIT_EXPECT_EQ(test, st.in_use, 4096ULL);
	EXPECT_ARENA_SOUND(test, a);
}

/* Each power of two of granules has a class of its own. */
static void front_keeps_each_power_of_two(struct kunit *test)
{
	struct gomem_arena_stats st;
	struct gomem_arena *a;
	u64 off[16], g, size, held = 0;
	unsigned int i, n = 0;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, GOMEM_FRONT_MAX);
	g = a->params.granule;
	for (size = g; size <= T_MAX_CHUNK / 2 && n < ARRAY_SIZE(off);
	     size <<= 1)
		off[n++] = arena_must_alloc(test, a, size);
	KUNIT_ASSERT_GE(test, n, 8U);
	for (i = 0, size = g; i < n; i++, size <<= 1) {
		KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off[i], size), 0);
		held += size;
	}
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, held);
	KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
	/* And each size is served from there again. */
	for (i = 0, size = g; i < n; i++, size <<= 1)
		KUNIT_EXPECT_EQ(test, arena_must_alloc(test, a, size), off[i]);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_held, 0ULL);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

/* GoMem's RandomAlloc: sizes 64 B to 4 KiB, each freed at once. */
static void front_random_sizes(struct kunit *test, struct gomem_arena *a,
			       unsigned int rounds)
{
	unsigned int r;
	u64 size, off;

	for (r = 0; r < rounds; r++) {
		for (size = 64; size <= 4096; size <<= 1) {
			KUNIT_ASSERT_EQ(test,
					gomem_arena_alloc(a, size, 1, 0, &off),
					0);
			KUNIT_ASSERT_EQ(test, gomem_arena_free(a, off, size),
					0);
		}
	}
}

/*
 * A working set as big as the arena: the fronts are emptied to save a
 * growth GOMEM_FRONT_RESCUES times, then the arena grows, rather than
 * every CPU's front being emptied at each allocation.  An arena that
 * cannot grow still empties them each time it must.
 */
static void front_rescues_are_bounded(struct kunit *test)
{
	struct gomem_arena_stats st;
	struct gomem_arena *a;

	migrate_disable();
	a = arena_setup_front(test, GOMEM_CHUNKS_VMALLOC, GOMEM_FRONT_MAX);
	front_random_sizes(test, a, 100);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.front_drains, (u64)GOMEM_FRONT_RESCUES);
	KUNIT_EXPECT_EQ(test, st.grows, 1ULL);
	KUNIT_EXPECT_EQ(test, st.failed_allocs, 0ULL);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
	gomem_arena_destroy(a);
	afix(test)->live = false;

	/*
	 * One chunk, no growth: emptied whenever the 2 or 4 KiB needs it,
	 * past GOMEM_FRONT_RESCUES too.
	 */
	migrate_disable();
	a = arena_setup_sized(test, GOMEM_CHUNKS_VMALLOC, T_INITIAL, T_INITIAL,
			      GOMEM_FRONT_MAX);
	front_random_sizes(test, a, 100);
	gomem_arena_stats(a, &st);
	KUNIT_EXPECT_GE(test, st.front_drains, 100ULL);
	KUNIT_EXPECT_EQ(test, st.failed_allocs, 0ULL);
	KUNIT_EXPECT_EQ(test, st.grows, 0ULL);
	EXPECT_ARENA_SOUND(test, a);
	migrate_enable();
}

static void init_rejects_a_front_too_large(struct kunit *test)
{
	struct gomem_arena_params p = {
		.initial_size = T_INITIAL,
		.max_chunk = T_MAX_CHUNK,
		.max_size = T_MAX_SIZE,
		.front_max = GOMEM_FRONT_MAX + 1,
	};
	struct gomem_arena a;

	KUNIT_EXPECT_EQ(test, gomem_arena_init(&a, &p), -EINVAL);
	p.front_max = GOMEM_FRONT_MAX;
	KUNIT_ASSERT_EQ(test, gomem_arena_init(&a, &p), 0);
	KUNIT_EXPECT_EQ(test, a.params.front_max, (u64)GOMEM_FRONT_MAX);
	KUNIT_EXPECT_EQ(test, gomem_arena_check(&a), 0);
	gomem_arena_destroy(&a);
}

static int arena_fixture_init(struct kunit *test)
{
	struct arena_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	test->priv = f;
	return 0;
}

static void arena_fixture_exit(struct kunit *test)
{
	struct arena_fixture *f = afix(test);

	if (f && f->live)
		gomem_arena_destroy(&f->a);
}

static struct kunit_case gomem_arena_cases[] = {
	KUNIT_CASE(init_creates_first_chunk),
	KUNIT_CASE(init_rejects_bad_params),
	KUNIT_CASE(init_rounds_sizes_to_pages),
	KUNIT_CASE(alloc_fills_first_chunk_before_growing),
	KUNIT_CASE(growth_doubles_up_to_max_chunk),
	KUNIT_CASE(growth_skips_sizes_too_small),
	KUNIT_CASE(large_request_gets_dedicated_chunk),
	KUNIT_CASE(growth_stops_at_max_size),
	KUNIT_CASE(alloc_rejects_bad_arguments),
	KUNIT_CASE(regions_never_span_chunks),
	KUNIT_CASE(offsets_stay_valid_across_growth),
	KUNIT_CASE(free_whole_and_partial),
	KUNIT_CASE(free_rejects_bad_ranges),
	KUNIT_CASE(frees_of_regions_take_no_new_node),
	KUNIT_CASE(free_part_rejects_parts_outside_the_region),
	KUNIT_CASE(free_many_lets_go_of_the_lock_every_slice),
	KUNIT_CASE(free_many_reports_each_region),
	KUNIT_CASE(locked_calls_share_one_lock),
	KUNIT_CASE(locked_alloc_zeroes_on_request),
	KUNIT_CASE(free_rest_keeps_the_head),
	KUNIT_CASE(find_peeks_without_growing),
	KUNIT_CASE(borrow_lends_free_bytes),
	KUNIT_CASE(zero_flag_clears_reused_bytes),
	KUNIT_CASE(trim_releases_free_chunks_but_first),
	KUNIT_CASE(trimmed_offsets_are_reused),
	KUNIT_CASE(stats_track_each_step),
	KUNIT_CASE(buddy_chunks_come_from_the_pool),
	KUNIT_CASE(buddy_trim_returns_pages_zeroed),
	KUNIT_CASE(buddy_chunk_sizes_are_powers_of_two),
	KUNIT_CASE(copy_crosses_chunk_boundaries),
	KUNIT_CASE(access_page_runs_under_the_lock),
	KUNIT_CASE(trim_keeps_a_chunk_still_referenced),
	KUNIT_CASE(lookup_rcu_needs_no_lock),
	KUNIT_CASE(concurrent_threads_keep_data_intact),
	KUNIT_CASE(concurrent_threads_with_front),
	KUNIT_CASE(random_ops_keep_data_and_invariants),
	KUNIT_CASE(random_ops_with_front),
	KUNIT_CASE(front_serves_the_size_freed_last),
	KUNIT_CASE(front_serves_the_locked_calls),
	KUNIT_CASE(front_is_emptied_before_growing),
	KUNIT_CASE(front_refuses_a_double_free),
	KUNIT_CASE(front_full_class_refuses_a_double_free),
	KUNIT_CASE(front_class_gives_back_its_older_half),
	KUNIT_CASE(front_class_bytes_are_bounded),
	KUNIT_CASE(front_keeps_each_power_of_two),
	KUNIT_CASE(front_rescues_are_bounded),
	KUNIT_CASE(front_is_emptied_for_room_and_by_trim),
	KUNIT_CASE(init_rejects_a_front_too_large),
	{}
};

static struct kunit_suite gomem_arena_suite = {
	.name = "gomem_arena",
	.init = arena_fixture_init,
	.exit = arena_fixture_exit,
	.test_cases = gomem_arena_cases,
};

/* ---- recyclable batches ---- */

static void next_n_allocates_and_records(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_recyclable rm;
	u64 off = U64_MAX;

	gomem_recyclable_init(&rm, a);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_next_n(&rm, 100, &off), 0);
	KUNIT_EXPECT_EQ(test, off, 0ULL);
	KUNIT_EXPECT_EQ(test, rm.nr, 1U);
	KUNIT_EXPECT_NOT_NULL(test, gomem_arena_ptr(a, off, 100));
	expect_geometry(test, a, PAGE_SIZE, 104, 1);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_next_n(&rm, 0, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_next_n(&rm, T_MAX_SIZE + 1,
						      &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, rm.nr, 1U);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_recycle(&rm, false), 0);
	gomem_recyclable_destroy(&rm);
}

static void recycle_frees_everything_at_once(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_recyclable rm;
	u64 off;
	int i;

	gomem_recyclable_init(&rm, a);
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, gomem_recyclable_next_n(&rm, 64 * (i + 1),
							      &off), 0);
	off = arena_must_alloc(test, a, 40);
	KUNIT_ASSERT_EQ(test, gomem_recyclable_add(&rm, off, 40), 0);
	KUNIT_EXPECT_EQ(test, rm.nr, 11U);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_recycle(&rm, false), 0);
	KUNIT_EXPECT_EQ(test, rm.nr, 0U);
	expect_geometry(test, a, a->stats.capacity, 0, a->nr_chunks);
	gomem_recyclable_destroy(&rm);
}

static void recycle_own_only_keeps_added_regions(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_recyclable rm;
	u64 off, mine;

	gomem_recyclable_init(&rm, a);
	KUNIT_ASSERT_EQ(test, gomem_recyclable_next_n(&rm, 256, &mine), 0);
	off = arena_must_alloc(test, a, 128);
	KUNIT_ASSERT_EQ(test, gomem_recyclable_add(&rm, off, 128), 0);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_recycle(&rm, true), 0);
	expect_geometry(test, a, PAGE_SIZE, 128, 1);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, mine, 256), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_arena_free(a, off, 128), 0);
	gomem_recyclable_destroy(&rm);
}

static void recycle_reports_a_bad_region(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_recyclable rm;
	u64 off;

	gomem_recyclable_init(&rm, a);
	KUNIT_ASSERT_EQ(test, gomem_recyclable_next_n(&rm, 64, &off), 0);
	KUNIT_ASSERT_EQ(test, gomem_recyclable_add(&rm, 2048, 64), 0);
	KUNIT_ASSERT_EQ(test, gomem_recyclable_next_n(&rm, 64, &off), 0);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_recycle(&rm, false), -EINVAL);
	expect_geometry(test, a, PAGE_SIZE, 0, 1);
	KUNIT_EXPECT_EQ(test, gomem_recyclable_add(&rm, 0, 0), -EINVAL);
	gomem_recyclable_destroy(&rm);
}

static void batch_grows_and_is_reusable(struct kunit *test)
{
	struct gomem_arena *a = arena_setup(test, GOMEM_CHUNKS_VMALLOC);
	struct gomem_recyclable rm;
	struct gomem_arena_stats st;
	int round, i;
	u64 off;

	gomem_recyclable_init(&rm, a);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 100; i++)
			KUNIT_ASSERT_EQ(test,
					gomem_recyclable_next_n(&rm, 24, &off),
					0);
		KUNIT_EXPECT_EQ(test, rm.nr, 100U);
		KUNIT_EXPECT_GE(test, rm.cap, 100U);
		KUNIT_EXPECT_EQ(test, gomem_recyclable_recycle(&rm, false), 0);
		gomem_arena_stats(a, &st);
		KUNIT_EXPECT_EQ(test, st.in_use, 0ULL);
		KUNIT_EXPECT_EQ(test, st.frees, 100ULL * (round + 1));
	}
	EXPECT_ARENA_SOUND(test, a);
	gomem_recyclable_destroy(&rm);
}

static struct kunit_case gomem_recyclable_cases[] = {
	KUNIT_CASE(next_n_allocates_and_records),
	KUNIT_CASE(recycle_frees_everything_at_once),
	KUNIT_CASE(recycle_own_only_keeps_added_regions),
	KUNIT_CASE(recycle_reports_a_bad_region),
	KUNIT_CASE(batch_grows_and_is_reusable),
	{}
};

static struct kunit_suite gomem_recyclable_suite = {
	.name = "gomem_recyclable",
	.init = arena_fixture_init,
	.exit = arena_fixture_exit,
	.test_cases = gomem_recyclable_cases,
};

kunit_test_suites(&gomem_arena_suite, &gomem_recyclable_suite);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("KUnit tests for the gomem arena and recyclable batches");
