// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit suite gomem_reader: the multi-segment memory and its reader.
 *
 * Most cases build a memory whose segments are consecutive pieces of one
 * flat buffer, so that every byte read can be compared with the flat copy
 * and every view with the address it must have.  The layouts put empty
 * segments and one-byte segments at the start, the middle and the end.
 * Every refused operation is checked to leave the reader exactly where it
 * was.  The same file is compiled into the userspace harness.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "gomem_reader.h"

#define FIX_MEMS	3
#define FIX_MAX_SEGS	64

struct reader_fixture {
	struct gomem_mem m[FIX_MEMS];
};

static struct gomem_mem *mem(struct kunit *test, unsigned int i)
{
	struct reader_fixture *f = test->priv;

	return &f->m[i];
}

/* A buffer of @len bytes, byte i being (i * 7 + 1) mod 256. */
static u8 *pattern(struct kunit *test, size_t len)
{
	u8 *p = kunit_kzalloc(test, len ? len : 1, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < len; i++)
		p[i] = (u8)(i * 7 + 1);
	return p;
}

/* Push consecutive pieces of @flat, of the given lengths; empty ones NULL. */
static size_t build(struct kunit *test, struct gomem_mem *m, u8 *flat,
		    const size_t *lens, unsigned int nr)
{
	size_t at = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, lens[i] ? flat + at : NULL,
						     lens[i]), 0);
		at += lens[i];
	}
	KUNIT_ASSERT_EQ(test, gomem_mem_size(m), at);
	KUNIT_ASSERT_EQ(test, gomem_mem_count(m), nr);
	return at;
}

static void expect_same_reader(struct kunit *test,
			       const struct gomem_reader *r,
			       const struct gomem_reader *before)
{
	KUNIT_EXPECT_PTR_EQ(test, r->mem, before->mem);
	KUNIT_EXPECT_EQ_MSG(test, r->seg, before->seg, "segment moved");
	KUNIT_EXPECT_PTR_EQ_MSG(test, r->cur, before->cur, "window moved");
	KUNIT_EXPECT_PTR_EQ_MSG(test, r->end, before->end, "window moved");
	KUNIT_EXPECT_EQ_MSG(test, r->end_off, before->end_off,
			    "position moved");
}

/* Expect @err from @call, and @r (a struct gomem_reader *) not to move. */
#define EXPECT_REFUSED(test, r, err, call) do {				\
	struct kunit *__test = (test);					\
	struct gomem_reader *__r = (r);					\
	struct gomem_reader __before = *__r;				\
									\
	KUNIT_EXPECT_EQ(__test, (int)(call), err);			\
	expect_same_reader(__test, __r, &__before);			\
} while (0)

#define PIECES_MAX	64

/* What a walk handed out. */
struct pieces {
	unsigned int nr;
	unsigned int refuse;	/* refuse the piece with this 1-based index */
	size_t total;
	void *data[PIECES_MAX];
	size_t len[PIECES_MAX];
};

static int collect(void *arg, void *data, size_t len)
{
	struct pieces *p = arg;

	if (p->refuse && p->nr + 1 == p->refuse)
		return -EFAULT;
	if (p->nr < PIECES_MAX) {
		p->data[p->nr] = data;
		p->len[p->nr] = len;
	}
	p->nr++;
	p->total += len;
	return 0;
}

static void collect_dropped(void *arg, void *data, size_t len)
{
	collect(arg, data, len);
}

/* ---- memory ---- */

static void mem_init_starts_empty(struct kunit *test)
{
	struct gomem_mem m;

	gomem_mem_init(&m, 0, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(&m), 0U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(&m), (size_t)0);
	KUNIT_EXPECT_EQ(test, m.max, (unsigned int)GOMEM_MEM_INLINE);
	gomem_mem_destroy(&m);
}

static void mem_init_buf_holds_one_segment_uncopied(struct kunit *test)
{
	u8 *flat = pattern(test, 10);
	struct gomem_mem m;

	KUNIT_ASSERT_EQ(test, gomem_mem_init_buf(&m, flat, 10), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(&m), 1U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(&m), (size_t)10);
	KUNIT_EXPECT_PTR_EQ(test, gomem_mem_segs(&m)[0].data, (void *)flat);
	KUNIT_EXPECT_EQ(test, gomem_mem_init_buf(&m, NULL, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(&m), 0U);
	KUNIT_EXPECT_EQ(test, gomem_mem_init_buf(&m, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(&m), 1U);
	gomem_mem_destroy(&m);
}

static void mem_push_keeps_pointers_and_sums_size(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 8);
	const struct gomem_seg *segs;

	KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat, 3), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_push(m, NULL, 0), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat + 3, 5), 0);
	segs = gomem_mem_segs(m);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 3U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)8);
	KUNIT_EXPECT_PTR_EQ(test, segs[0].data, (void *)flat);
	KUNIT_EXPECT_PTR_EQ(test, segs[1].data, NULL);
	KUNIT_EXPECT_PTR_EQ(test, segs[2].data, (void *)(flat + 3));
	KUNIT_EXPECT_EQ(test, segs[2].len, (size_t)5);
}

static void mem_push_grows_beyond_inline_capacity(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 40);
	unsigned int i;

	for (i = 0; i < 40; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat + i, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 40U);
	KUNIT_EXPECT_GE(test, m->cap, 40U);
	KUNIT_EXPECT_LE(test, m->cap, (unsigned int)FIX_MAX_SEGS);
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_PTR_EQ(test, gomem_mem_segs(m)[i].data,
				    (void *)(flat + i));
}

static void mem_push_refused_at_max_segments(struct kunit *test)
{
	struct gomem_mem m;
	u8 byte = 1;
	unsigned int i;

	gomem_mem_init(&m, 6, GFP_KERNEL);
	for (i = 0; i < 6; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(&m, &byte, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_push(&m, &byte, 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, gomem_mem_push(&m, NULL, 0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(&m), 6U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(&m), (size_t)6);
	KUNIT_EXPECT_EQ(test, m.cap, 6U);
	gomem_mem_destroy(&m);
}

static void mem_push_refuses_bad_segments(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 byte = 1;

	KUNIT_ASSERT_EQ(test, gomem_mem_push(m, &byte, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_push(m, NULL, 1), -EINVAL);
	/* The bytes are never touched, so a huge length is only counted. */
	KUNIT_EXPECT_EQ(test, gomem_mem_push(m, &byte, SIZE_MAX), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 1U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)1);
}

static void mem_push_many_is_all_or_nothing(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 16);
	struct gomem_seg segs[3] = {
		{ flat, 4 }, { NULL, 0 }, { flat + 4, 12 },
	};
	struct gomem_seg bad[2] = { { flat, 4 }, { NULL, 2 } };
	struct gomem_mem small;

	KUNIT_ASSERT_EQ(test, gomem_mem_push_many(m, segs, 3), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 3U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)16);
	KUNIT_EXPECT_EQ(test, gomem_mem_push_many(m, bad, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 3U);
	KUNIT_EXPECT_EQ(test, gomem_mem_push_many(m, segs, 0), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 3U);

	gomem_mem_init(&small, 5, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, gomem_mem_push_many(&small, segs, 3), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_push_many(&small, segs, 3), -ENOSPC);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(&small), 3U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(&small), (size_t)16);
	gomem_mem_destroy(&small);
}

static void mem_append_adds_other_segments(struct kunit *test)
{
	struct gomem_mem *a = mem(test, 0), *b = mem(test, 1);
	u8 *flat = pattern(test, 10);
	static const size_t la[] = { 2, 0, 3 }, lb[] = { 1, 4 };
	u8 out[10];

	build(test, a, flat, la, ARRAY_SIZE(la));
	build(test, b, flat + 5, lb, ARRAY_SIZE(lb));
	KUNIT_ASSERT_EQ(test, gomem_mem_append(a, b), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(a), 5U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(a), (size_t)10);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(b), 2U);
	KUNIT_ASSERT_EQ(test, gomem_mem_copy_out(a, 0, out, 10), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, flat, 10), 0);
}

/* The source of the append is the very array that growth replaces. */
static void mem_append_to_itself_while_growing(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	const unsigned int nr = 2 * GOMEM_MEM_INLINE;
	u8 *flat = pattern(test, nr);
	u8 out[4 * GOMEM_MEM_INLINE];
	unsigned int i;

	for (i = 0; i < GOMEM_MEM_INLINE; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat + i, 1), 0);
	/* From the inline array into an allocated one... */
	KUNIT_ASSERT_EQ(test, gomem_mem_append(m, m), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_count(m), nr);
	KUNIT_ASSERT_EQ(test, m->cap, nr);
	/* ... and from a full allocated array into a bigger one. */
	KUNIT_ASSERT_EQ(test, gomem_mem_append(m, m), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 2 * nr);
	KUNIT_ASSERT_EQ(test, gomem_mem_copy_out(m, 0, out, sizeof(out)), 0);
	for (i = 0; i < sizeof(out); i++)
		KUNIT_EXPECT_EQ_MSG(test, out[i], flat[i % GOMEM_MEM_INLINE],
				    "byte %u", i);
}

static void mem_reserve_makes_room_up_to_max(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 byte = 0;
	unsigned int i, cap;

	KUNIT_ASSERT_EQ(test, gomem_mem_reserve(m, 20, GFP_KERNEL), 0);
	cap = m->cap;
	KUNIT_EXPECT_GE(test, cap, 20U);
	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, &byte, 1), 0);
	KUNIT_EXPECT_EQ(test, m->cap, cap);
	KUNIT_EXPECT_EQ(test, gomem_mem_reserve(m, FIX_MAX_SEGS - 20,
						GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, m->cap, (unsigned int)FIX_MAX_SEGS);
	KUNIT_EXPECT_EQ(test, gomem_mem_reserve(m, FIX_MAX_SEGS - 19,
						GFP_KERNEL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, gomem_mem_reserve(m, UINT_MAX, GFP_KERNEL),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 20U);
}

static void mem_update_replaces_by_index_and_from_end(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 10);
	u8 *other = pattern(test, 7);
	static const size_t lens[] = { 3, 3, 4 };

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	KUNIT_ASSERT_EQ(test, gomem_mem_update(m, -1, other, 7), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)13);
	KUNIT_EXPECT_PTR_EQ(test, gomem_mem_segs(m)[2].data, (void *)other);
	KUNIT_ASSERT_EQ(test, gomem_mem_update(m, 0, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)10);
	KUNIT_ASSERT_EQ(test, gomem_mem_update(m, -3, flat, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)11);
	KUNIT_EXPECT_EQ(test, gomem_mem_segs(m)[0].len, (size_t)1);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 3U);
}

static void mem_update_refuses_bad_index_and_segment(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 4);
	static const size_t lens[] = { 1, 3 };

	KUNIT_EXPECT_EQ(test, gomem_mem_update(m, 0, flat, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_mem_update(m, -1, flat, 1), -EINVAL);
	build(test, m, flat, lens, ARRAY_SIZE(lens));
	KUNIT_EXPECT_EQ(test, gomem_mem_update(m, 2, flat, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_mem_update(m, -3, flat, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_mem_update(m, INT_MIN, flat, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_mem_update(m, INT_MAX, flat, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_mem_update(m, 0, NULL, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gomem_mem_update(m, 0, flat, SIZE_MAX),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)4);
	KUNIT_EXPECT_EQ(test, gomem_mem_segs(m)[0].len, (size_t)1);
}

static void mem_reset_drops_segments_keeps_capacity(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 20);
	unsigned int i, cap;

	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat + i, 1), 0);
	cap = m->cap;
	gomem_mem_reset(m);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 0U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)0);
	KUNIT_EXPECT_EQ(test, m->cap, cap);
	KUNIT_EXPECT_EQ(test, gomem_mem_push(m, flat, 20), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)20);
}

static void mem_destroy_leaves_reusable_empty_memory(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 20);
	unsigned int i;

	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat + i, 1), 0);
	gomem_mem_destroy(m);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 0U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)0);
	KUNIT_EXPECT_PTR_EQ(test, m->ext, NULL);
	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat + i, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)20);
}

static void mem_walk_visits_every_segment_in_order(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 6);
	static const size_t lens[] = { 0, 2, 0, 4, 0 };
	struct pieces p = { 0 };
	unsigned int i;

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	KUNIT_EXPECT_EQ(test, gomem_mem_walk(m, collect, &p), 0);
	KUNIT_EXPECT_EQ(test, p.nr, 5U);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, p.len[i], lens[i]);
	KUNIT_EXPECT_PTR_EQ(test, p.data[3], (void *)(flat + 2));

	p = (struct pieces) { .refuse = 2 };
	KUNIT_EXPECT_EQ(test, gomem_mem_walk(m, collect, &p), -EFAULT);
	KUNIT_EXPECT_EQ(test, p.nr, 1U);
}

static void mem_walk_at_pieces_follow_segments(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 9);
	static const size_t lens[] = { 3, 0, 1, 5 };
	struct pieces p = { 0 };

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	/* [2, 7): the tail of segment 0, all of 2, the head of 3. */
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 2, 5, collect, &p), 0);
	KUNIT_ASSERT_EQ(test, p.nr, 3U);
	KUNIT_EXPECT_PTR_EQ(test, p.data[0], (void *)(flat + 2));
	KUNIT_EXPECT_EQ(test, p.len[0], (size_t)1);
	KUNIT_EXPECT_PTR_EQ(test, p.data[1], (void *)(flat + 3));
	KUNIT_EXPECT_EQ(test, p.len[1], (size_t)1);
	KUNIT_EXPECT_PTR_EQ(test, p.data[2], (void *)(flat + 4));
	KUNIT_EXPECT_EQ(test, p.len[2], (size_t)3);

	/* Starting exactly on a boundary, and the whole memory. */
	p = (struct pieces) { 0 };
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 3, 6, collect, &p), 0);
	KUNIT_EXPECT_EQ(test, p.nr, 2U);
	KUNIT_EXPECT_PTR_EQ(test, p.data[0], (void *)(flat + 3));
	p = (struct pieces) { 0 };
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 0, 9, collect, &p), 0);
	KUNIT_EXPECT_EQ(test, p.nr, 3U);
	KUNIT_EXPECT_EQ(test, p.total, (size_t)9);

	p = (struct pieces) { .refuse = 2 };
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 0, 9, collect, &p),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, p.nr, 1U);
}

static void mem_walk_at_refuses_range_outside(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 9);
	static const size_t lens[] = { 4, 5 };
	struct pieces p = { 0 };

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 9, 0, collect, &p), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 0, 10, collect, &p),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 8, 2, collect, &p),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 10, 0, collect, &p),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, 1, SIZE_MAX, collect, &p),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, gomem_mem_walk_at(m, SIZE_MAX, 2, collect, &p),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, p.nr, 0U);
}

static void mem_copy_in_writes_through_segments(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = kunit_kzalloc(test, 12, GFP_KERNEL);
	u8 *src = pattern(test, 12);
	static const size_t lens[] = { 5, 0, 1, 6 };
	static const u8 zero[12];

	KUNIT_ASSERT_NOT_NULL(test, flat);
	build(test, m, flat, lens, ARRAY_SIZE(lens));
	KUNIT_ASSERT_EQ(test, gomem_mem_copy_in(m, 3, src, 5), 0);
	KUNIT_EXPECT_EQ(test, memcmp(flat, zero, 3), 0);
	KUNIT_EXPECT_EQ(test, memcmp(flat + 3, src, 5), 0);
	KUNIT_EXPECT_EQ(test, memcmp(flat + 8, zero, 4), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_copy_in(m, 8, src, 5), -ENODATA);
	KUNIT_EXPECT_EQ(test, memcmp(flat + 8, zero, 4), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_copy_in(m, 0, src, 12), 0);
	KUNIT_EXPECT_EQ(test, memcmp(flat, src, 12), 0);
}

static void mem_copy_out_refuses_range_outside(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 6);
	static const size_t lens[] = { 6 };
	u8 out[8] = { 0 };

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	KUNIT_EXPECT_EQ(test, gomem_mem_copy_out(m, 3, out, 4), -ENODATA);
	KUNIT_EXPECT_EQ(test, out[0], 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_copy_out(m, SIZE_MAX, out, 1),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, gomem_mem_copy_out(m, 6, out, 0), 0);
}

static void mem_equal_compares_bytes_not_layout(struct kunit *test)
{
	struct gomem_mem *a = mem(test, 0), *b = mem(test, 1);
	struct gomem_mem *c = mem(test, 2);
	u8 *flat = pattern(test, 12);
	u8 *copy = pattern(test, 12);
	static const size_t la[] = { 1, 0, 5, 6 }, lb[] = { 7, 0, 0, 2, 3 };

	KUNIT_EXPECT_TRUE(test, gomem_mem_equal(a, b));
	build(test, a, flat, la, ARRAY_SIZE(la));
	build(test, b, copy, lb, ARRAY_SIZE(lb));
	KUNIT_EXPECT_TRUE(test, gomem_mem_equal(a, b));
	KUNIT_EXPECT_TRUE(test, gomem_mem_equal(a, a));
	copy[11] ^= 1;
	KUNIT_EXPECT_FALSE(test, gomem_mem_equal(a, b));
	copy[11] ^= 1;
	copy[0] ^= 1;
	KUNIT_EXPECT_FALSE(test, gomem_mem_equal(a, b));
	copy[0] ^= 1;
	KUNIT_ASSERT_EQ(test, gomem_mem_push(c, flat, 11), 0);
	KUNIT_EXPECT_FALSE(test, gomem_mem_equal(a, c));
	KUNIT_EXPECT_FALSE(test, gomem_mem_equal(c, a));
}

/* ---- reader ---- */

/*
 * Bytes 0..11 of a flat buffer as: an empty segment, bytes 0..2, two empty
 * segments, byte 3, bytes 4..7, an empty segment, bytes 8..11.
 */
static const size_t std_lens[] = { 0, 3, 0, 0, 1, 4, 0, 4 };
#define STD_LEN	12

static struct gomem_reader *std_reader(struct kunit *test, u8 **flat)
{
	struct gomem_reader *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	*flat = pattern(test, STD_LEN);
	build(test, mem(test, 0), *flat, std_lens, ARRAY_SIZE(std_lens));
	gomem_reader_init(r, mem(test, 0));
	return r;
}

static void reader_starts_at_offset_zero(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);

	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)0);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)STD_LEN);
}

static void read_copies_across_segments(struct kunit *test)
{
	u8 *flat, out[STD_LEN];
	struct gomem_reader *r = std_reader(test, &flat);

	KUNIT_ASSERT_EQ(test, gomem_reader_read(r, out, 2), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read(r, out + 2, 7), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read(r, out + 9, 3), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, flat, STD_LEN), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)STD_LEN);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)0);
	KUNIT_EXPECT_EQ(test, gomem_reader_read(r, out, 0), 0);
}

static void read_past_end_refused_reader_unchanged(struct kunit *test)
{
	u8 *flat, out[STD_LEN + 1] = { 0 };
	struct gomem_reader *r = std_reader(test, &flat);

	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_read(r, out, 13));
	KUNIT_EXPECT_EQ(test, out[0], 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read(r, out, 5), 0);
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_read(r, out, 8));
	EXPECT_REFUSED(test, r, -ENODATA,
		       gomem_reader_read(r, out, SIZE_MAX));
	KUNIT_ASSERT_EQ(test, gomem_reader_read(r, out, 7), 0);
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_read(r, out, 1));
}

static void read_ending_on_boundary_moves_to_next_segment(struct kunit *test)
{
	u8 *flat, out[4];
	struct gomem_reader *r = std_reader(test, &flat);
	void *data;
	size_t len;

	/* Bytes 0..2 are segment 1; segments 2 and 3 are empty. */
	KUNIT_ASSERT_EQ(test, gomem_reader_read(r, out, 3), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_current(r, &data, &len), 0);
	KUNIT_EXPECT_PTR_EQ(test, data, (void *)(flat + 3));
	KUNIT_EXPECT_EQ(test, len, (size_t)1);
	KUNIT_ASSERT_EQ(test, gomem_reader_read(r, out, 1), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_current(r, &data, &len), 0);
	KUNIT_EXPECT_PTR_EQ(test, data, (void *)(flat + 4));
	KUNIT_EXPECT_EQ(test, len, (size_t)4);
}

static void read_u8_steps_over_empty_and_one_byte_segments(struct kunit *test)
{
	u8 *flat, b;
	struct gomem_reader *r = std_reader(test, &flat);
	size_t i;

	for (i = 0; i < STD_LEN; i++) {
		KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(r, &b), 0);
		KUNIT_EXPECT_EQ_MSG(test, b, flat[i], "byte %zu", i);
		KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), i + 1);
	}
	b = 0xee;
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_read_u8(r, &b));
	KUNIT_EXPECT_EQ(test, b, 0xee);
}

static void read_of_empty_memory_refused(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 0);
	struct gomem_reader r;
	u64 v;
	u8 b;
	void *data = NULL;
	size_t len;

	KUNIT_ASSERT_EQ(test, gomem_mem_push(m, NULL, 0), 0);
	gomem_reader_init(&r, m);
	EXPECT_REFUSED(test, &r, -ENODATA, gomem_reader_read_u8(&r, &b));
	EXPECT_REFUSED(test, &r, -ENODATA, gomem_reader_read_be(&r, 1, &v));
	EXPECT_REFUSED(test, &r, -ENODATA, gomem_reader_read_uleb128(&r, &v));
	EXPECT_REFUSED(test, &r, -ENODATA,
		       gomem_reader_current(&r, &data, &len));
	EXPECT_REFUSED(test, &r, -ENODATA, gomem_reader_pop(&r, &data, &len));
	EXPECT_REFUSED(test, &r, -ENODATA, gomem_reader_skip(&r, 1));
	EXPECT_REFUSED(test, &r, -EINVAL, gomem_reader_unread(&r, 1));
	KUNIT_EXPECT_EQ(test, gomem_reader_skip(&r, 0), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_clip_front(&r, NULL, NULL),
			(size_t)0);
}

static void read_be_every_width_across_boundary(struct kunit *test)
{
	static u8 bytes[] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
			      0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	static const size_t lens[] = { 1, 0, 2, 1, 0, 5, 7 };
	struct gomem_mem *m = mem(test, 0);
	struct gomem_reader r;
	unsigned int n, start, i;
	u64 v, want;

	build(test, m, bytes, lens, ARRAY_SIZE(lens));
	for (n = 1; n <= 8; n++) {
		for (start = 0; start + n <= sizeof(bytes); start++) {
			gomem_reader_init(&r, m);
			KUNIT_ASSERT_EQ(test, gomem_reader_skip(&r, start), 0);
			KUNIT_ASSERT_EQ(test, gomem_reader_read_be(&r, n, &v), 0);
			for (want = 0, i = 0; i < n; i++)
				want = want << 8 | bytes[start + i];
			KUNIT_EXPECT_EQ_MSG(test, v, want, "width %u at %u",
					    n, start);
			KUNIT_EXPECT_EQ(test, gomem_reader_offset(&r),
					(size_t)(start + n));
		}
		/* The last read ended at the end. */
		EXPECT_REFUSED(test, &r, -ENODATA,
			       gomem_reader_read_be(&r, n, &v));
	}
	gomem_reader_init(&r, m);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_be(&r, 8, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x0123456789abcdefULL);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_be(&r, 8, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0xfedcba9876543210ULL);
}

static void read_be_bad_width_refused(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	u64 v = 7;

	EXPECT_REFUSED(test, r, -EINVAL, gomem_reader_read_be(r, 0, &v));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_reader_read_be(r, 9, &v));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_reader_read_be(r, UINT_MAX, &v));
	KUNIT_EXPECT_EQ(test, v, 7ULL);
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 5), 0);
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_read_be(r, 8, &v));
}

static void read_bytes_view_inside_one_segment(struct kunit *test)
{
	u8 *flat, buf[8];
	struct gomem_reader *r = std_reader(test, &flat);
	void *view;

	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(r, 2, buf, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)flat);
	/* Ends exactly on the boundary: still one segment, no copy needed. */
	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(r, 1, NULL, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)(flat + 2));
	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(r, 1, NULL, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)(flat + 3));
	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(r, 4, NULL, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)(flat + 4));
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)8);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(r, 0, buf, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)buf);
}

static void read_bytes_copy_when_crossing(struct kunit *test)
{
	u8 *flat, buf[8];
	struct gomem_reader *r = std_reader(test, &flat);
	void *view;

	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 2), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(r, 7, buf, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)buf);
	KUNIT_EXPECT_EQ(test, memcmp(buf, flat + 2, 7), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)9);
}

static void read_bytes_crossing_without_buffer_refused(struct kunit *test)
{
	u8 *flat, buf[16];
	struct gomem_reader *r = std_reader(test, &flat);
	void *view = NULL;

	EXPECT_REFUSED(test, r, -EXDEV,
		       gomem_reader_read_bytes(r, 4, NULL, &view));
	KUNIT_EXPECT_PTR_EQ(test, view, NULL);
	EXPECT_REFUSED(test, r, -ENODATA,
		       gomem_reader_read_bytes(r, 13, buf, &view));
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 3), 0);
	EXPECT_REFUSED(test, r, -EXDEV,
		       gomem_reader_read_bytes(r, 2, NULL, &view));
}

/* Read one unsigned LEB128 from @bytes split as @lens; expect @err/@want. */
static void check_uleb128(struct kunit *test, u8 *bytes, const size_t *lens,
			  unsigned int nr, int err, u64 want, size_t used)
{
	struct gomem_mem *m = mem(test, 2);
	struct gomem_reader r;
	u64 v = 0x5a5a;

	gomem_mem_reset(m);
	build(test, m, bytes, lens, nr);
	gomem_reader_init(&r, m);
	if (err) {
		EXPECT_REFUSED(test, &r, err, gomem_reader_read_uleb128(&r, &v));
		KUNIT_EXPECT_EQ(test, v, 0x5a5aULL);
		return;
	}
	KUNIT_EXPECT_EQ(test, gomem_reader_read_uleb128(&r, &v), 0);
	KUNIT_EXPECT_EQ(test, v, want);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(&r), used);
}

static void uleb128_decodes_across_segments(struct kunit *test)
{
	static u8 one[] = { 0x05, 0xff };
	static u8 two[] = { 0x81, 0x02 };		/* 257 */
	static u8 three[] = { 0xe5, 0x8e, 0x26, 0x11 };	/* 624485 */
	static u8 pad[] = { 0x80, 0x80, 0x80, 0x00 };
	static const size_t l1[] = { 2 }, l121[] = { 1, 0, 2, 1 };
	static const size_t l0111[] = { 0, 1, 1, 1, 1 };

	check_uleb128(test, one, l1, 1, 0, 5, 1);
	check_uleb128(test, two, l1, 1, 0, 257, 2);
	check_uleb128(test, three, l121, ARRAY_SIZE(l121), 0, 624485, 3);
	check_uleb128(test, three, l0111, ARRAY_SIZE(l0111), 0, 624485, 3);
	check_uleb128(test, pad, l0111, ARRAY_SIZE(l0111), 0, 0, 4);
}

static void uleb128_max_u64_and_ten_byte_padding(struct kunit *test)
{
	static u8 max[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
			    0xff, 0xff, 0xff, 0xff, 0x01 };
	static u8 pad[] = { 0x81, 0x80, 0x80, 0x80, 0x80,
			    0x80, 0x80, 0x80, 0x80, 0x00 };
	static const size_t whole[] = { 10 };
	static const size_t split[] = { 3, 0, 1, 1, 5 };

	check_uleb128(test, max, whole, 1, 0, U64_MAX, 10);
	check_uleb128(test, max, split, ARRAY_SIZE(split), 0, U64_MAX, 10);
	check_uleb128(test, pad, split, ARRAY_SIZE(split), 0, 1, 10);
}

static void uleb128_too_long_is_overflow_reader_unchanged(struct kunit *test)
{
	/* Bit 64 set; a continuation on byte 10; 11 bytes of padding. */
	static u8 big[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
			    0xff, 0xff, 0xff, 0xff, 0x02 };
	static u8 cont[] = { 0x80, 0x80, 0x80, 0x80, 0x80,
			     0x80, 0x80, 0x80, 0x80, 0x81, 0x00 };
	static u8 pad11[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
			      0x80, 0x80, 0x80, 0x80, 0x00 };
	static const size_t l10[] = { 4, 0, 6 }, l11[] = { 10, 1 };

	check_uleb128(test, big, l10, ARRAY_SIZE(l10), -EOVERFLOW, 0, 0);
	check_uleb128(test, cont, l11, ARRAY_SIZE(l11), -EOVERFLOW, 0, 0);
	check_uleb128(test, pad11, l11, ARRAY_SIZE(l11), -EOVERFLOW, 0, 0);
}

static void uleb128_truncated_refused_reader_unchanged(struct kunit *test)
{
	static u8 cut[] = { 0xe5, 0x8e, 0xa6 };
	static const size_t l3[] = { 1, 0, 2 }, l0[] = { 0 };

	check_uleb128(test, cut, l3, ARRAY_SIZE(l3), -ENODATA, 0, 0);
	check_uleb128(test, cut, l0, ARRAY_SIZE(l0), -ENODATA, 0, 0);
}

static void skip_then_unread_returns_to_same_place(struct kunit *test)
{
	u8 *flat, b;
	struct gomem_reader *r = std_reader(test, &flat);
	size_t from, n, back;

	for (from = 0; from <= STD_LEN; from++) {
		for (n = 0; from + n <= STD_LEN; n++) {
			for (back = 0; back <= from + n; back++) {
				gomem_reader_init(r, mem(test, 0));
				KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, from), 0);
				KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, n), 0);
				KUNIT_ASSERT_EQ(test, gomem_reader_unread(r, back), 0);
				KUNIT_ASSERT_EQ(test, gomem_reader_offset(r),
						from + n - back);
				if (from + n - back == STD_LEN)
					continue;
				KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(r, &b), 0);
				KUNIT_EXPECT_EQ_MSG(test, b, flat[from + n - back],
						    "skip %zu+%zu back %zu",
						    from, n, back);
			}
		}
	}
}

static void skip_past_end_refused(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);

	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_skip(r, 13));
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 4), 0);
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_skip(r, 9));
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_skip(r, SIZE_MAX));
	KUNIT_EXPECT_EQ(test, gomem_reader_skip(r, 8), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)0);
}

static void unread_past_start_refused(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);

	EXPECT_REFUSED(test, r, -EINVAL, gomem_reader_unread(r, 1));
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 5), 0);
	EXPECT_REFUSED(test, r, -EINVAL, gomem_reader_unread(r, 6));
	EXPECT_REFUSED(test, r, -EINVAL, gomem_reader_unread(r, SIZE_MAX));
	KUNIT_EXPECT_EQ(test, gomem_reader_unread(r, 5), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)0);
}

static void walk_hands_rest_then_each_segment(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	struct pieces p = { 0 };

	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_walk(r, collect, &p), 0);
	/* No empty piece: 2 of segment 1, then 1, 4 and 4. */
	KUNIT_ASSERT_EQ(test, p.nr, 4U);
	KUNIT_EXPECT_PTR_EQ(test, p.data[0], (void *)(flat + 1));
	KUNIT_EXPECT_EQ(test, p.len[0], (size_t)2);
	KUNIT_EXPECT_PTR_EQ(test, p.data[1], (void *)(flat + 3));
	KUNIT_EXPECT_EQ(test, p.len[1], (size_t)1);
	KUNIT_EXPECT_PTR_EQ(test, p.data[3], (void *)(flat + 8));
	KUNIT_EXPECT_EQ(test, p.len[3], (size_t)4);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)0);
	p = (struct pieces) { 0 };
	KUNIT_EXPECT_EQ(test, gomem_reader_walk(r, collect, &p), 0);
	KUNIT_EXPECT_EQ(test, p.nr, 0U);
}

static void walk_stops_and_keeps_refused_piece(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	struct pieces p = { .refuse = 3 };

	KUNIT_EXPECT_EQ(test, gomem_reader_walk(r, collect, &p), -EFAULT);
	KUNIT_EXPECT_EQ(test, p.nr, 2U);
	/* Pieces 1 and 2 ([0, 3) and [3, 4)) consumed; piece 3 not. */
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)4);
	p = (struct pieces) { .refuse = 1 };
	EXPECT_REFUSED(test, r, -EFAULT, gomem_reader_walk(r, collect, &p));
}

static void walk_null_moves_to_end(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);

	KUNIT_EXPECT_EQ(test, gomem_reader_walk(r, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)STD_LEN);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)0);
}

static void walk_n_ends_inside_segment(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	struct pieces p = { 0 };
	void *data;
	size_t len;

	KUNIT_EXPECT_EQ(test, gomem_reader_walk_n(r, 6, collect, &p), 0);
	KUNIT_ASSERT_EQ(test, p.nr, 3U);
	KUNIT_EXPECT_EQ(test, p.len[0], (size_t)3);
	KUNIT_EXPECT_EQ(test, p.len[1], (size_t)1);
	KUNIT_EXPECT_PTR_EQ(test, p.data[2], (void *)(flat + 4));
	KUNIT_EXPECT_EQ(test, p.len[2], (size_t)2);
	KUNIT_ASSERT_EQ(test, gomem_reader_current(r, &data, &len), 0);
	KUNIT_EXPECT_PTR_EQ(test, data, (void *)(flat + 6));
	KUNIT_EXPECT_EQ(test, len, (size_t)2);
	p = (struct pieces) { 0 };
	KUNIT_EXPECT_EQ(test, gomem_reader_walk_n(r, 0, collect, &p), 0);
	KUNIT_EXPECT_EQ(test, p.nr, 0U);
	KUNIT_EXPECT_EQ(test, gomem_reader_walk_n(r, 2, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)8);
}

static void walk_n_past_end_refused(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	struct pieces p = { 0 };

	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 3), 0);
	EXPECT_REFUSED(test, r, -ENODATA,
		       gomem_reader_walk_n(r, 10, collect, &p));
	KUNIT_EXPECT_EQ(test, p.nr, 0U);
}

static void current_does_not_consume(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	void *data;
	size_t len;

	KUNIT_ASSERT_EQ(test, gomem_reader_current(r, &data, &len), 0);
	KUNIT_EXPECT_PTR_EQ(test, data, (void *)flat);
	KUNIT_EXPECT_EQ(test, len, (size_t)3);
	KUNIT_ASSERT_EQ(test, gomem_reader_current(r, &data, &len), 0);
	KUNIT_EXPECT_PTR_EQ(test, data, (void *)flat);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)0);
}

static void pop_takes_rest_of_segment(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	void *data;
	size_t len;

	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 1), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_pop(r, &data, &len), 0);
	KUNIT_EXPECT_PTR_EQ(test, data, (void *)(flat + 1));
	KUNIT_EXPECT_EQ(test, len, (size_t)2);
	KUNIT_ASSERT_EQ(test, gomem_reader_pop(r, &data, &len), 0);
	KUNIT_EXPECT_PTR_EQ(test, data, (void *)(flat + 3));
	KUNIT_EXPECT_EQ(test, len, (size_t)1);
	KUNIT_ASSERT_EQ(test, gomem_reader_pop(r, &data, &len), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_pop(r, &data, &len), 0);
	KUNIT_EXPECT_PTR_EQ(test, data, (void *)(flat + 8));
	KUNIT_EXPECT_EQ(test, len, (size_t)4);
	data = NULL;
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_pop(r, &data, &len));
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_current(r, &data, &len));
	KUNIT_EXPECT_PTR_EQ(test, data, NULL);
}

static void move_to_end_leaves_nothing(struct kunit *test)
{
	u8 *flat, b;
	struct gomem_reader *r = std_reader(test, &flat);

	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 2), 0);
	gomem_reader_move_to_end(r);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)STD_LEN);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)0);
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_read_u8(r, &b));
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(r, 1), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[STD_LEN - 1]);
}

static void clip_front_inside_segment_trims_head(struct kunit *test)
{
	u8 *flat, b;
	struct gomem_reader *r = std_reader(test, &flat);
	struct gomem_mem *m = mem(test, 0);
	struct pieces p = { 0 };
	struct gomem_reader again;

	/* Position 6: inside segment 5, which holds bytes 4..7. */
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 6), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_clip_front(r, collect_dropped, &p),
			(size_t)6);
	/* Dropped: segments 0..4 whole (empty ones too), then bytes 4, 5. */
	KUNIT_ASSERT_EQ(test, p.nr, 6U);
	KUNIT_EXPECT_EQ(test, p.total, (size_t)6);
	KUNIT_EXPECT_PTR_EQ(test, p.data[5], (void *)(flat + 4));
	KUNIT_EXPECT_EQ(test, p.len[5], (size_t)2);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)6);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 3U);
	KUNIT_EXPECT_PTR_EQ(test, gomem_mem_segs(m)[0].data, (void *)(flat + 6));
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(r), (size_t)0);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)6);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[6]);
	gomem_reader_init(&again, m);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(&again, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[6]);
}

static void clip_front_on_boundary_drops_whole_segments(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	struct gomem_mem *m = mem(test, 0);
	struct pieces p = { 0 };

	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 3), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_clip_front(r, collect_dropped, &p),
			(size_t)3);
	/* Segments 0..3: the empty one, bytes 0..2, and the two empty ones. */
	KUNIT_EXPECT_EQ(test, p.nr, 4U);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 4U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)9);
	KUNIT_EXPECT_PTR_EQ(test, gomem_mem_segs(m)[0].data, (void *)(flat + 3));
}

static void clip_front_at_end_empties_memory(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	struct gomem_mem *m = mem(test, 0);
	struct pieces p = { 0 };

	gomem_reader_move_to_end(r);
	KUNIT_EXPECT_EQ(test, gomem_reader_clip_front(r, collect_dropped, &p),
			(size_t)STD_LEN);
	KUNIT_EXPECT_EQ(test, p.nr, (unsigned int)ARRAY_SIZE(std_lens));
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), 0U);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)0);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)0);
}

static void clip_front_before_reading_changes_nothing(struct kunit *test)
{
	u8 *flat;
	struct gomem_reader *r = std_reader(test, &flat);
	struct gomem_mem *m = mem(test, 0);
	struct pieces p = { 0 };

	KUNIT_EXPECT_EQ(test, gomem_reader_clip_front(r, collect_dropped, &p),
			(size_t)0);
	KUNIT_EXPECT_EQ(test, p.nr, 0U);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(m),
			(unsigned int)ARRAY_SIZE(std_lens));
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(r, 1), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(r, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_clip_front(r, NULL, NULL),
			(size_t)0);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)STD_LEN);
}

static void reader_sees_bytes_pushed_after_end(struct kunit *test)
{
	u8 *flat, b;
	struct gomem_reader *r = std_reader(test, &flat);
	struct gomem_mem *m = mem(test, 0);
	u8 more[2] = { 0xaa, 0xbb };

	gomem_reader_move_to_end(r);
	EXPECT_REFUSED(test, r, -ENODATA, gomem_reader_read_u8(r, &b));
	KUNIT_ASSERT_EQ(test, gomem_mem_push(m, NULL, 0), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_push(m, more, 1), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_push(m, more + 1, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(r), (size_t)2);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, 0xaa);
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(r, 2), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[STD_LEN - 1]);
}

/*
 * ---- the window: reads inside one segment are inline (gomem_reader.h),
 * the rest out of line; these pin down the seams between the two ----
 */

static void uleb128_split_at_every_byte_decodes_the_same(struct kunit *test)
{
	/* U64_MAX in 10 bytes, 624485 in 3, then a byte that is not read. */
	static u8 max[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
			    0xff, 0xff, 0xff, 0xff, 0x01, 0x2a };
	static u8 three[] = { 0xe5, 0x8e, 0x26, 0x2a };
	size_t lens[3], k;

	for (k = 0; k <= sizeof(max); k++) {
		lens[0] = k;
		lens[1] = 0;
		lens[2] = sizeof(max) - k;
		check_uleb128(test, max, lens, 3, 0, U64_MAX, 10);
	}
	for (k = 0; k <= sizeof(three); k++) {
		lens[0] = k;
		lens[1] = 0;
		lens[2] = sizeof(three) - k;
		check_uleb128(test, three, lens, 3, 0, 624485, 3);
	}
}

static void uleb128_truncated_at_every_split_refused(struct kunit *test)
{
	static u8 cut[] = { 0xe5, 0x8e, 0xa6, 0x80 };
	static u8 big[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
			    0xff, 0xff, 0xff, 0xff, 0x02 };
	size_t lens[2], k;

	for (k = 0; k <= sizeof(cut); k++) {
		lens[0] = k;
		lens[1] = sizeof(cut) - k;
		check_uleb128(test, cut, lens, 2, -ENODATA, 0, 0);
	}
	for (k = 0; k <= sizeof(big); k++) {
		lens[0] = k;
		lens[1] = sizeof(big) - k;
		check_uleb128(test, big, lens, 2, -EOVERFLOW, 0, 0);
	}
}

static void reads_filling_the_window_then_crossing(struct kunit *test)
{
	static const size_t lens[] = { 4, 4, 3 };
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 11), buf[8], b;
	struct gomem_reader r;
	void *view;
	u64 v;

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	gomem_reader_init(&r, m);
	/* Exactly the first segment, then the next byte is in the second. */
	KUNIT_ASSERT_EQ(test, gomem_reader_read_be(&r, 4, &v), 0);
	KUNIT_EXPECT_EQ(test, v, (u64)flat[0] << 24 | flat[1] << 16 |
			flat[2] << 8 | flat[3]);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(&r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[4]);
	/* Back over the boundary, then a read across it. */
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(&r, 2), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_be(&r, 2, &v), 0);
	KUNIT_EXPECT_EQ(test, v, (u64)flat[3] << 8 | flat[4]);
	/* Skip to the window's end: no bytes, and a zero-length read. */
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(&r, 3), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(&r), (size_t)8);
	KUNIT_ASSERT_EQ(test, gomem_reader_read(&r, buf, 0), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(&r, 0, buf, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)buf);
	/* A view of a whole segment, then past the end is refused. */
	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(&r, 3, NULL, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)(flat + 8));
	EXPECT_REFUSED(test, &r, -ENODATA, gomem_reader_read_u8(&r, &b));
	EXPECT_REFUSED(test, &r, -ENODATA, gomem_reader_read_be(&r, 1, &v));
	EXPECT_REFUSED(test, &r, -ENODATA, gomem_reader_skip(&r, 1));
	/* A bad width is refused even where the bytes are there. */
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(&r, 11), 0);
	EXPECT_REFUSED(test, &r, -EINVAL, gomem_reader_read_be(&r, 0, &v));
	EXPECT_REFUSED(test, &r, -EINVAL, gomem_reader_read_be(&r, 9, &v));
	/* Crossing two boundaries: a copy, in the buffer given. */
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(&r, 3), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_bytes(&r, 6, buf, &view), 0);
	KUNIT_EXPECT_PTR_EQ(test, view, (void *)buf);
	KUNIT_EXPECT_TRUE(test, !memcmp(buf, flat + 3, 6));
}

static void reader_keeps_its_window_when_the_array_grows(struct kunit *test)
{
	static const size_t lens[] = { 3, 2 };
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 5 + 3 * 10), b;
	struct gomem_reader r;
	size_t i;

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	gomem_reader_init(&r, m);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(&r, &b), 0);
	/* Past the inline segments: the array moves, twice, under r. */
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat + 5 + 3 * i, 3), 0);
	for (i = 1; i < 35; i++) {
		KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(&r, &b), 0);
		KUNIT_EXPECT_EQ_MSG(test, b, flat[i], "byte %zu", i);
	}
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(&r, 35), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(&r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[0]);
}

static void unread_over_empty_segments_then_read_again(struct kunit *test)
{
	static const size_t lens[] = { 2, 0, 0, 3, 0 };
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 5), b;
	struct gomem_reader r;
	u64 v;

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	gomem_reader_init(&r, m);
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(&r, 4), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(&r, 3), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(&r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[1]);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_be(&r, 3, &v), 0);
	KUNIT_EXPECT_EQ(test, v, (u64)flat[2] << 16 | flat[3] << 8 | flat[4]);
	/* From the end, over the trailing empty segment. */
	gomem_reader_move_to_end(&r);
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(&r, 4), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(&r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[1]);
	EXPECT_REFUSED(test, &r, -EINVAL, gomem_reader_unread(&r, 3));
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(&r, 2), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(&r), (size_t)0);
}

static void clip_front_then_read_on_in_the_same_segment(struct kunit *test)
{
	static const size_t lens[] = { 4, 4 };
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 8), b;
	struct gomem_reader r;
	u64 v;

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	gomem_reader_init(&r, m);
	KUNIT_ASSERT_EQ(test, gomem_reader_skip(&r, 2), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_clip_front(&r, NULL, NULL), (size_t)2);
	KUNIT_EXPECT_EQ(test, gomem_reader_offset(&r), (size_t)0);
	KUNIT_EXPECT_EQ(test, gomem_reader_remaining(&r), (size_t)6);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_u8(&r, &b), 0);
	KUNIT_EXPECT_EQ(test, b, flat[2]);
	EXPECT_REFUSED(test, &r, -EINVAL, gomem_reader_unread(&r, 2));
	KUNIT_ASSERT_EQ(test, gomem_reader_unread(&r, 1), 0);
	KUNIT_ASSERT_EQ(test, gomem_reader_read_be(&r, 3, &v), 0);
	KUNIT_EXPECT_EQ(test, v, (u64)flat[2] << 16 | flat[3] << 8 | flat[4]);
}

static void copy_out_every_range_over_empty_segments(struct kunit *test)
{
	static const size_t lens[] = { 0, 3, 0, 0, 2, 0 };
	struct gomem_mem *m = mem(test, 0);
	u8 *flat = pattern(test, 5), out[6];
	size_t off, len;

	build(test, m, flat, lens, ARRAY_SIZE(lens));
	for (off = 0; off <= 6; off++) {
		for (len = 0; len <= 6; len++) {
			memset(out, 0xee, sizeof(out));
			if (off + len > 5) {
				KUNIT_EXPECT_EQ(test, gomem_mem_copy_out(m, off, out, len),
						-ENODATA);
				KUNIT_EXPECT_EQ(test, out[0], 0xee);
				continue;
			}
			KUNIT_ASSERT_EQ(test, gomem_mem_copy_out(m, off, out, len), 0);
			KUNIT_EXPECT_TRUE_MSG(test, !memcmp(out, flat + off, len),
					      "[%zu, +%zu)", off, len);
			KUNIT_EXPECT_EQ(test, out[len], 0xee);
		}
	}
}

/* ---- every position and length, over layouts with awkward boundaries ---- */

#define LAYOUT_SEGS	10

struct layout {
	const char *name;
	unsigned int nr;
	size_t lens[LAYOUT_SEGS];
};

static const struct layout layouts[] = {
	{ "empty memory", 0, { 0 } },
	{ "only empty segments", 3, { 0, 0, 0 } },
	{ "one segment", 1, { 9 } },
	{ "one-byte segments", 7, { 1, 1, 1, 1, 1, 1, 1 } },
	{ "empty at both ends", 5, { 0, 4, 0, 3, 0 } },
	{ "runs of empties", 9, { 0, 0, 2, 0, 0, 0, 1, 0, 0 } },
	{ "mixed", 10, { 2, 0, 1, 3, 1, 0, 0, 5, 1, 2 } },
};

static void layout_desc(const struct layout *l, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", l->name);
}

/* Not KUNIT_ARRAY_PARAM_DESC(): Linux 6.1 does not have it yet. */
KUNIT_ARRAY_PARAM(layouts, layouts, layout_desc);

/* Where segment boundaries fall: is [p, p + n) inside one segment? */
static bool in_one_segment(const struct layout *l, size_t p, size_t n)
{
	size_t start = 0;
	unsigned int i;

	for (i = 0; i < l->nr; start += l->lens[i++])
		if (l->lens[i] && p >= start && p + n <= start + l->lens[i])
			return true;
	return false;
}

/* Non-empty segments that [p, p + n) touches: the pieces a walk yields. */
static unsigned int nr_pieces(const struct layout *l, size_t p, size_t n)
{
	size_t start = 0;
	unsigned int i, nr = 0;

	for (i = 0; n && i < l->nr; start += l->lens[i++])
		if (l->lens[i] && start < p + n && p < start + l->lens[i])
			nr++;
	return nr;
}

static void every_position_matches_flat(struct kunit *test)
{
	const struct layout *l = test->param_value;
	struct gomem_mem *m = mem(test, 0);
	struct gomem_reader r, before;
	struct pieces p;
	size_t len, pos, n;
	u8 *flat, *out;
	void *view;
	u64 v, want;
	unsigned int i;
	int err;

	flat = pattern(test, 32);
	out = kunit_kzalloc(test, 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	len = build(test, m, flat, l->lens, l->nr);

	for (pos = 0; pos <= len; pos++) {
		for (n = 0; n <= len + 1; n++) {
			bool fits = pos + n <= len;

			gomem_reader_init(&r, m);
			KUNIT_ASSERT_EQ(test, gomem_reader_skip(&r, pos), 0);
			before = r;

			err = gomem_reader_read(&r, out, n);
			KUNIT_EXPECT_EQ_MSG(test, err, fits ? 0 : -ENODATA,
					    "read %zu at %zu", n, pos);
			if (fits)
				KUNIT_EXPECT_EQ_MSG(test,
						    memcmp(out, flat + pos, n), 0,
						    "read %zu at %zu", n, pos);
			else
				expect_same_reader(test, &r, &before);

			r = before;
			err = gomem_reader_read_bytes(&r, n, out, &view);
			KUNIT_EXPECT_EQ(test, err, fits ? 0 : -ENODATA);
			if (fits && n) {
				KUNIT_EXPECT_EQ(test, memcmp(view, flat + pos, n), 0);
				KUNIT_EXPECT_PTR_EQ_MSG(test, view,
							in_one_segment(l, pos, n) ?
							(void *)(flat + pos) :
							(void *)out,
							"bytes %zu at %zu", n, pos);
			}

			r = before;
			p = (struct pieces) { 0 };
			err = gomem_reader_walk_n(&r, n, collect, &p);
			KUNIT_EXPECT_EQ(test, err, fits ? 0 : -ENODATA);
			KUNIT_EXPECT_EQ_MSG(test, p.nr,
					    fits ? nr_pieces(l, pos, n) : 0,
					    "walk_n %zu at %zu", n, pos);
			for (i = 0; i < p.nr && i < PIECES_MAX; i++)
				KUNIT_EXPECT_GT(test, p.len[i], (size_t)0);
			if (fits && p.nr)
				KUNIT_EXPECT_PTR_EQ(test, p.data[0],
						    (void *)(flat + pos));

			p = (struct pieces) { 0 };
			err = gomem_mem_walk_at(m, pos, n, collect, &p);
			KUNIT_EXPECT_EQ(test, err, fits ? 0 : -ENODATA);
			KUNIT_EXPECT_EQ(test, p.nr,
					fits ? nr_pieces(l, pos, n) : 0);
			KUNIT_EXPECT_EQ(test, p.total, fits ? n : 0);

			memset(out, 0, 32);
			err = gomem_mem_copy_out(m, pos, out, n);
			KUNIT_EXPECT_EQ(test, err, fits ? 0 : -ENODATA);
			if (fits)
				KUNIT_EXPECT_EQ(test,
						memcmp(out, flat + pos, n), 0);

			if (!n || n > 8)
				continue;
			r = before;
			err = gomem_reader_read_be(&r, n, &v);
			KUNIT_EXPECT_EQ(test, err, fits ? 0 : -ENODATA);
			for (want = 0, i = 0; fits && i < n; i++)
				want = want << 8 | flat[pos + i];
			if (fits)
				KUNIT_EXPECT_EQ(test, v, want);
			else
				expect_same_reader(test, &r, &before);
		}
	}
}

/* ---- seeded random operations against a flat copy ---- */

#define RND_LEN		600
#define RND_OPS		3000
#define RND_MAX_SEGS	1024

static u64 rnd_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The contract's LEB128, decoded straight from the flat bytes. */
static int model_uleb128(const u8 *p, size_t avail, u64 *val, size_t *used)
{
	u64 v = 0;
	size_t i;

	for (i = 0; i < 10; i++) {
		if (i == avail)
			return -ENODATA;
		if (i == 9 && p[i] > 1)
			return -EOVERFLOW;
		v |= (u64)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*val = v;
			*used = i + 1;
			return 0;
		}
	}
	return -EOVERFLOW;
}

/* A segment length: often 0 or 1, sometimes long. */
static size_t rnd_seg_len(u64 *seed)
{
	switch (rnd_next(seed) % 4) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return rnd_next(seed) % 8;
	default:
		return rnd_next(seed) % 64;
	}
}

static void random_ops_match_flat_copy(struct kunit *test)
{
	struct gomem_mem *m = mem(test, 2);
	u64 seed = 0x2545f4914f6cdd1dULL, v, want;
	size_t base = 0, end = 0, pos = 0, n, len, used;
	struct gomem_reader r, before;
	struct pieces p;
	u8 *flat, *out, b;
	void *view, *data;
	unsigned int op;
	int err, werr;

	flat = kunit_kzalloc(test, RND_LEN, GFP_KERNEL);
	out = kunit_kzalloc(test, RND_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, flat);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (n = 0; n < RND_LEN; n++)
		flat[n] = (u8)rnd_next(&seed);
	gomem_mem_destroy(m);
	gomem_mem_init(m, RND_MAX_SEGS, GFP_KERNEL);
	/* Start with about half the bytes; later pushes add the rest. */
	while (end < RND_LEN / 2) {
		len = min(rnd_seg_len(&seed), (size_t)RND_LEN - end);
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, flat + end, len), 0);
		end += len;
	}
	gomem_reader_init(&r, m);

	for (op = 0; op < RND_OPS; op++) {
		size_t left = end - base - pos;
		const u8 *here = flat + base + pos;

		before = r;
		n = rnd_next(&seed) % (rnd_next(&seed) % 8 ? 12 : 80);
		switch (rnd_next(&seed) % 14) {
		case 0:
			err = gomem_reader_read(&r, out, n);
			KUNIT_ASSERT_EQ_MSG(test, err, n <= left ? 0 : -ENODATA,
					    "op %u", op);
			if (!err) {
				KUNIT_ASSERT_TRUE_MSG(test, !memcmp(out, here, n),
						      "op %u", op);
				pos += n;
			}
			break;
		case 1:
			err = gomem_reader_read_u8(&r, &b);
			KUNIT_ASSERT_EQ_MSG(test, err, left ? 0 : -ENODATA,
					    "op %u", op);
			if (!err)
				KUNIT_ASSERT_EQ_MSG(test, b, flat[base + pos++],
						    "op %u", op);
			break;
		case 2:
			n %= 10;
			err = gomem_reader_read_be(&r, n, &v);
			KUNIT_ASSERT_EQ_MSG(test, err, !n || n > 8 ? -EINVAL :
					    n <= left ? 0 : -ENODATA, "op %u", op);
			if (err)
				break;
			for (want = 0, len = 0; len < n; len++)
				want = want << 8 | flat[base + pos + len];
			KUNIT_ASSERT_EQ_MSG(test, v, want, "op %u", op);
			pos += n;
			break;
		case 3:
			err = gomem_reader_read_bytes(&r, n, n & 1 ? NULL : out,
						      &view);
			if (n > left) {
				KUNIT_ASSERT_EQ_MSG(test, err, -ENODATA, "op %u", op);
				break;
			}
			if (err == -EXDEV && (n & 1))
				break;
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "op %u", op);
			KUNIT_ASSERT_TRUE_MSG(test, !memcmp(view, here, n),
					      "op %u", op);
			/* A view points at the very bytes of the flat copy. */
			if (view != out && n)
				KUNIT_ASSERT_PTR_EQ_MSG(test, view, (void *)here,
							"op %u", op);
			pos += n;
			break;
		case 4:
			err = gomem_reader_skip(&r, n);
			KUNIT_ASSERT_EQ_MSG(test, err, n <= left ? 0 : -ENODATA,
					    "op %u", op);
			if (!err)
				pos += n;
			break;
		case 5:
			err = gomem_reader_unread(&r, n);
			KUNIT_ASSERT_EQ_MSG(test, err, n <= pos ? 0 : -EINVAL,
					    "op %u", op);
			if (!err)
				pos -= n;
			break;
		case 6:
			p = (struct pieces) { .refuse = rnd_next(&seed) % 8 };
			werr = gomem_reader_walk_n(&r, n, collect, &p);
			if (n > left) {
				KUNIT_ASSERT_EQ_MSG(test, werr, -ENODATA, "op %u", op);
				break;
			}
			KUNIT_ASSERT_TRUE_MSG(test, !werr || werr == -EFAULT,
					      "op %u", op);
			/* Consecutive bytes; only the accepted ones consumed. */
			for (len = 0, used = pos; len < p.nr && len < PIECES_MAX;
			     used += p.len[len++])
				KUNIT_ASSERT_PTR_EQ_MSG(test, p.data[len],
							(void *)(flat + base + used),
							"op %u", op);
			KUNIT_ASSERT_EQ_MSG(test, p.total, werr ? p.total : n,
					    "op %u", op);
			pos += p.total;
			break;
		case 7:
			err = gomem_reader_read_uleb128(&r, &v);
			werr = model_uleb128(flat + base + pos, left, &want, &used);
			KUNIT_ASSERT_EQ_MSG(test, err, werr, "op %u", op);
			if (!err) {
				KUNIT_ASSERT_EQ_MSG(test, v, want, "op %u", op);
				pos += used;
			}
			break;
		case 8:
			if (n & 1)
				err = gomem_reader_pop(&r, &data, &len);
			else
				err = gomem_reader_current(&r, &data, &len);
			KUNIT_ASSERT_EQ_MSG(test, err, left ? 0 : -ENODATA,
					    "op %u", op);
			if (err)
				break;
			KUNIT_ASSERT_PTR_EQ_MSG(test, data,
						(void *)(flat + base + pos),
						"op %u", op);
			KUNIT_ASSERT_TRUE_MSG(test, len && len <= left, "op %u", op);
			if (n & 1)
				pos += len;
			break;
		case 9:
			if (n % 4)
				break;
			p = (struct pieces) { 0 };
			KUNIT_ASSERT_EQ_MSG(test,
					    gomem_reader_clip_front(&r, collect_dropped, &p),
					    pos, "op %u", op);
			KUNIT_ASSERT_EQ_MSG(test, p.total, pos, "op %u", op);
			base += pos;
			pos = 0;
			break;
		case 10:
			len = min(rnd_seg_len(&seed), (size_t)RND_LEN - end);
			KUNIT_ASSERT_EQ_MSG(test, gomem_mem_push(m, flat + end, len),
					    0, "op %u", op);
			end += len;
			break;
		case 11:
			len = rnd_next(&seed) % (end - base + 2);
			err = gomem_mem_copy_out(m, len, out, n);
			KUNIT_ASSERT_EQ_MSG(test, err,
					    len + n <= end - base ? 0 : -ENODATA,
					    "op %u", op);
			if (!err)
				KUNIT_ASSERT_TRUE_MSG(test,
						      !memcmp(out, flat + base + len, n),
						      "op %u", op);
			break;
		case 12:
			if (n % 8)
				break;
			if (n % 16) {
				gomem_reader_move_to_end(&r);
			} else {
				p = (struct pieces) { 0 };
				KUNIT_ASSERT_EQ_MSG(test,
						    gomem_reader_walk(&r, collect, &p),
						    0, "op %u", op);
				KUNIT_ASSERT_EQ_MSG(test, p.total, left,
						    "op %u", op);
			}
			pos = end - base;
			break;
		default:
			gomem_reader_init(&r, m);
			pos = 0;
			break;
		}
		KUNIT_ASSERT_EQ_MSG(test, gomem_reader_offset(&r), pos,
				    "op %u, from %zu", op,
				    gomem_reader_offset(&before));
		KUNIT_ASSERT_EQ_MSG(test, gomem_reader_remaining(&r),
				    end - base - pos, "op %u", op);
		KUNIT_ASSERT_EQ_MSG(test, gomem_mem_size(m), end - base,
				    "op %u", op);
	}
}

static int reader_test_init(struct kunit *test)
{
	struct reader_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	if (!f)
		return -ENOMEM;
	for (i = 0; i < FIX_MEMS; i++)
		gomem_mem_init(&f->m[i], FIX_MAX_SEGS, GFP_KERNEL);
	test->priv = f;
	return 0;
}

static void reader_test_exit(struct kunit *test)
{
	struct reader_fixture *f = test->priv;
	unsigned int i;

	for (i = 0; f && i < FIX_MEMS; i++)
		gomem_mem_destroy(&f->m[i]);
}

static struct kunit_case gomem_reader_cases[] = {
	KUNIT_CASE(mem_init_starts_empty),
	KUNIT_CASE(mem_init_buf_holds_one_segment_uncopied),
	KUNIT_CASE(mem_push_keeps_pointers_and_sums_size),
	KUNIT_CASE(mem_push_grows_beyond_inline_capacity),
	KUNIT_CASE(mem_push_refused_at_max_segments),
	KUNIT_CASE(mem_push_refuses_bad_segments),
	KUNIT_CASE(mem_push_many_is_all_or_nothing),
	KUNIT_CASE(mem_append_adds_other_segments),
	KUNIT_CASE(mem_append_to_itself_while_growing),
	KUNIT_CASE(mem_reserve_makes_room_up_to_max),
	KUNIT_CASE(mem_update_replaces_by_index_and_from_end),
	KUNIT_CASE(mem_update_refuses_bad_index_and_segment),
	KUNIT_CASE(mem_reset_drops_segments_keeps_capacity),
	KUNIT_CASE(mem_destroy_leaves_reusable_empty_memory),
	KUNIT_CASE(mem_walk_visits_every_segment_in_order),
	KUNIT_CASE(mem_walk_at_pieces_follow_segments),
	KUNIT_CASE(mem_walk_at_refuses_range_outside),
	KUNIT_CASE(mem_copy_in_writes_through_segments),
	KUNIT_CASE(mem_copy_out_refuses_range_outside),
	KUNIT_CASE(mem_equal_compares_bytes_not_layout),
	KUNIT_CASE(reader_starts_at_offset_zero),
	KUNIT_CASE(read_copies_across_segments),
	KUNIT_CASE(read_past_end_refused_reader_unchanged),
	KUNIT_CASE(read_ending_on_boundary_moves_to_next_segment),
	KUNIT_CASE(read_u8_steps_over_empty_and_one_byte_segments),
	KUNIT_CASE(read_of_empty_memory_refused),
	KUNIT_CASE(read_be_every_width_across_boundary),
	KUNIT_CASE(read_be_bad_width_refused),
	KUNIT_CASE(read_bytes_view_inside_one_segment),
	KUNIT_CASE(read_bytes_copy_when_crossing),
	KUNIT_CASE(read_bytes_crossing_without_buffer_refused),
	KUNIT_CASE(uleb128_decodes_across_segments),
	KUNIT_CASE(uleb128_max_u64_and_ten_byte_padding),
	KUNIT_CASE(uleb128_too_long_is_overflow_reader_unchanged),
	KUNIT_CASE(uleb128_truncated_refused_reader_unchanged),
	KUNIT_CASE(skip_then_unread_returns_to_same_place),
	KUNIT_CASE(skip_past_end_refused),
	KUNIT_CASE(unread_past_start_refused),
	KUNIT_CASE(walk_hands_rest_then_each_segment),
	KUNIT_CASE(walk_stops_and_keeps_refused_piece),
	KUNIT_CASE(walk_null_moves_to_end),
	KUNIT_CASE(walk_n_ends_inside_segment),
	KUNIT_CASE(walk_n_past_end_refused),
	KUNIT_CASE(current_does_not_consume),
	KUNIT_CASE(pop_takes_rest_of_segment),
	KUNIT_CASE(move_to_end_leaves_nothing),
	KUNIT_CASE(clip_front_inside_segment_trims_head),
	KUNIT_CASE(clip_front_on_boundary_drops_whole_segments),
	KUNIT_CASE(clip_front_at_end_empties_memory),
	KUNIT_CASE(clip_front_before_reading_changes_nothing),
	KUNIT_CASE(reader_sees_bytes_pushed_after_end),
	KUNIT_CASE(uleb128_split_at_every_byte_decodes_the_same),
	KUNIT_CASE(uleb128_truncated_at_every_split_refused),
	KUNIT_CASE(reads_filling_the_window_then_crossing),
	KUNIT_CASE(reader_keeps_its_window_when_the_array_grows),
	KUNIT_CASE(unread_over_empty_segments_then_read_again),
	KUNIT_CASE(clip_front_then_read_on_in_the_same_segment),
	KUNIT_CASE(copy_out_every_range_over_empty_segments),
	KUNIT_CASE_PARAM(every_position_matches_flat, layouts_gen_params),
	KUNIT_CASE(random_ops_match_flat_copy),
	{}
};

static struct kunit_suite gomem_reader_suite = {
	.name = "gomem_reader",
	.init = reader_test_init,
	.exit = reader_test_exit,
	.test_cases = gomem_reader_cases,
};

kunit_test_suites(&gomem_reader_suite);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("KUnit tests for the gomem multi-segment memory and reader");
