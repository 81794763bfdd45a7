// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem_reader_nomem: the multi-segment memory when its segment array
 * cannot grow, and the promise that only growing allocates.
 *
 * Harness-only (it needs the shim's slab failure injection): push,
 * push_many, append and reserve return -ENOMEM and leave the memory
 * exactly as it was; the same call succeeds once memory is back; and with
 * every allocation failing, inline pushes, pushes into reserved room and
 * every reader operation still succeed.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "gomem_reader.h"
#include "shim.h"

#define MAX	64

struct nomem_fixture {
	struct gomem_mem m;
	struct gomem_mem other;
	u8 bytes[MAX];
};

static struct nomem_fixture *fix(struct kunit *test)
{
	return test->priv;
}

/* Fill @m's inline capacity with one-byte segments. */
static void fill_inline(struct kunit *test, struct gomem_mem *m, u8 *bytes)
{
	unsigned int i;

	for (i = 0; i < GOMEM_MEM_INLINE; i++)
		KUNIT_ASSERT_EQ(test, gomem_mem_push(m, bytes + i, 1), 0);
	KUNIT_ASSERT_PTR_EQ(test, m->ext, NULL);
}

static void expect_inline_unchanged(struct kunit *test,
				    const struct gomem_mem *m, const u8 *bytes)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(test, gomem_mem_count(m), (unsigned int)GOMEM_MEM_INLINE);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(m), (size_t)GOMEM_MEM_INLINE);
	KUNIT_EXPECT_EQ(test, m->cap, (unsigned int)GOMEM_MEM_INLINE);
	KUNIT_EXPECT_PTR_EQ(test, m->ext, NULL);
	for (i = 0; i < GOMEM_MEM_INLINE; i++)
		KUNIT_EXPECT_PTR_EQ(test, gomem_mem_segs(m)[i].data,
				    (void *)(bytes + i));
}

static void push_beyond_inline_fails_cleanly(struct kunit *test)
{
	struct nomem_fixture *f = fix(test);

	fill_inline(test, &f->m, f->bytes);
	shim_slab_fail_next(1);
	KUNIT_EXPECT_EQ(test, gomem_mem_push(&f->m, f->bytes, 1), -ENOMEM);
	expect_inline_unchanged(test, &f->m, f->bytes);
	KUNIT_EXPECT_EQ(test, gomem_mem_push(&f->m, f->bytes, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_count(&f->m),
			(unsigned int)GOMEM_MEM_INLINE + 1);
}

static void push_many_and_append_fail_cleanly(struct kunit *test)
{
	struct nomem_fixture *f = fix(test);
	struct gomem_seg segs[2] = { { f->bytes, 3 }, { NULL, 0 } };

	fill_inline(test, &f->m, f->bytes);
	KUNIT_ASSERT_EQ(test, gomem_mem_push_many(&f->other, segs, 2), 0);
	shim_slab_fail_next(2);
	KUNIT_EXPECT_EQ(test, gomem_mem_push_many(&f->m, segs, 2), -ENOMEM);
	KUNIT_EXPECT_EQ(test, gomem_mem_append(&f->m, &f->other), -ENOMEM);
	expect_inline_unchanged(test, &f->m, f->bytes);
	KUNIT_EXPECT_EQ(test, gomem_mem_append(&f->m, &f->other), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_size(&f->m),
			(size_t)GOMEM_MEM_INLINE + 3);
}

static void reserve_fails_cleanly_then_pushes_need_nothing(struct kunit *test)
{
	struct nomem_fixture *f = fix(test);
	unsigned int i;

	shim_slab_fail_next(1);
	KUNIT_EXPECT_EQ(test, gomem_mem_reserve(&f->m, 10, GFP_KERNEL),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, f->m.cap, (unsigned int)GOMEM_MEM_INLINE);
	KUNIT_ASSERT_EQ(test, gomem_mem_reserve(&f->m, 10, GFP_KERNEL), 0);
	shim_slab_fail_after(0);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, gomem_mem_push(&f->m, f->bytes + i, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_push(&f->m, f->bytes, 1), -ENOMEM);
	shim_slab_fail_reset();
}

static int count_piece(void *arg, void *data, size_t len)
{
	size_t *total = arg;

	*total += len;
	return 0;
}

static void inline_pushes_and_reader_never_allocate(struct kunit *test)
{
	struct nomem_fixture *f = fix(test);
	unsigned long refused = shim_slab_refused();
	struct gomem_reader r;
	struct gomem_mem one;
	size_t total = 0, len;
	u8 buf[MAX], b;
	void *view;
	u64 v;

	shim_slab_fail_after(0);
	KUNIT_ASSERT_EQ(test, gomem_mem_init_buf(&one, f->bytes, 2), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_push(&f->m, f->bytes, 3), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_push(&f->m, NULL, 0), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_push(&f->m, f->bytes + 3, 20), 0);
	KUNIT_ASSERT_EQ(test, gomem_mem_append(&f->m, &one), 0);
	gomem_reader_init(&r, &f->m);
	KUNIT_EXPECT_EQ(test, gomem_reader_read(&r, buf, 4), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_read_u8(&r, &b), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_read_be(&r, 8, &v), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_read_bytes(&r, 2, NULL, &view), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_read_uleb128(&r, &v), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_unread(&r, 3), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_skip(&r, 1), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_walk_n(&r, 2, count_piece, &total),
			0);
	KUNIT_EXPECT_EQ(test, gomem_reader_current(&r, &view, &len), 0);
	KUNIT_EXPECT_EQ(test, gomem_reader_pop(&r, &view, &len), 0);
	KUNIT_EXPECT_GT(test, gomem_reader_clip_front(&r, NULL, NULL),
			(size_t)0);
	KUNIT_EXPECT_EQ(test, gomem_reader_walk(&r, count_piece, &total), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_copy_out(&f->m, 0, buf, 2), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_copy_in(&f->m, 0, buf, 2), 0);
	KUNIT_EXPECT_EQ(test, gomem_mem_update(&f->m, -1, f->bytes, 5), 0);
	KUNIT_EXPECT_TRUE(test, gomem_mem_equal(&f->m, &f->m));
	gomem_mem_reset(&f->m);
	shim_slab_fail_reset();
	KUNIT_EXPECT_EQ(test, shim_slab_refused(), refused);
	gomem_mem_destroy(&one);
}

static int nomem_init(struct kunit *test)
{
	struct nomem_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	if (!f)
		return -ENOMEM;
	for (i = 0; i < MAX; i++)
		f->bytes[i] = (u8)i;
	gomem_mem_init(&f->m, MAX, GFP_KERNEL);
	gomem_mem_init(&f->other, MAX, GFP_KERNEL);
	test->priv = f;
	return 0;
}

static void nomem_exit(struct kunit *test)
{
	struct nomem_fixture *f = fix(test);

	shim_slab_fail_reset();
	if (f) {
		gomem_mem_destroy(&f->m);
		gomem_mem_destroy(&f->other);
	}
}

static struct kunit_case gomem_reader_nomem_cases[] = {
	KUNIT_CASE(push_beyond_inline_fails_cleanly),
	KUNIT_CASE(push_many_and_append_fail_cleanly),
	KUNIT_CASE(reserve_fails_cleanly_then_pushes_need_nothing),
	KUNIT_CASE(inline_pushes_and_reader_never_allocate),
	{}
};

static struct kunit_suite gomem_reader_nomem_suite = {
	.name = "gomem_reader_nomem",
	.init = nomem_init,
	.exit = nomem_exit,
	.test_cases = gomem_reader_nomem_cases,
};

kunit_test_suites(&gomem_reader_nomem_suite);
