// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Differential checking of a range allocator against the model (check.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/limits.h>

#include "check.h"
#include "shim.h"

static __printf(2, 3) bool diff_fail(struct diff *d, const char *fmt, ...)
{
	va_list ap;

	d->failures++;
	printf("FAIL: %s: %s op %llu: ", d->where, gomem_policy_name(d->policy),
	       d->st.ops);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (d->abort_on_failure)
		abort();
	return false;
}

static bool diff_verify(struct diff *d, bool walk)
{
	struct model *m = &d->m;
	struct model_walk_cmp w = { .m = m };
	u64 from, first;
	int err;

	err = gomem_range_check(&d->r);
	if (err)
		return diff_fail(d, "gomem_range_check() = %d", err);
	if (shim_problems() != d->problems_before)
		return diff_fail(d, "WARN or other shim problem (see above)");
	model_refresh(m);
	if (gomem_range_free_bytes(&d->r) != m->free_bytes)
		return diff_fail(d, "free bytes %llu, model %llu",
				 gomem_range_free_bytes(&d->r), m->free_bytes);
	if (gomem_range_nr_blocks(&d->r) != m->nr_blocks)
		return diff_fail(d, "%llu free blocks, model %llu",
				 gomem_range_nr_blocks(&d->r), m->nr_blocks);
	if (m->nr_blocks > d->st.peak_blocks)
		d->st.peak_blocks = m->nr_blocks;
	if (gomem_range_largest(&d->r) != m->largest)
		return diff_fail(d, "largest %llu, model %llu",
				 gomem_range_largest(&d->r), m->largest);
	if (!walk)
		return true;
	d->st.walks++;
	if (gomem_range_walk(&d->r, model_walk_cmp, &w)) {
		if (w.i >= m->nr_blocks)
			return diff_fail(d, "walk: extra block [%llu, +%llu) after %llu",
					 w.off, w.len, w.i);
		return diff_fail(d, "walk: block %llu is [%llu, +%llu), model [%llu, +%llu)",
				 w.i, w.off, w.len, m->blocks[w.i].start,
				 m->blocks[w.i].len);
	}
	if (w.i != m->nr_blocks)
		return diff_fail(d, "walk: %llu blocks, model %llu", w.i,
				 m->nr_blocks);
	/* walk_from(): the model's blocks from the first starting >= from. */
	from = d->st.ops * 2654435761ULL % (d->r.size + 1);
	for (w.i = 0; w.i < m->nr_blocks && m->blocks[w.i].start < from; w.i++)
		;
	first = w.i;
	if (gomem_range_walk_from(&d->r, from, model_walk_cmp, &w))
		return diff_fail(d, "walk_from(%llu): block %llu is [%llu, +%llu), model %s",
				 from, w.i - first, w.off, w.len,
				 w.i < m->nr_blocks ? "another" : "none");
	if (w.i != m->nr_blocks)
		return diff_fail(d, "walk_from(%llu): %llu blocks, model %llu",
				 from, w.i - first, m->nr_blocks - first);
	return true;
}

static bool diff_done(struct diff *d)
{
	return diff_verify(d, d->walk_every &&
			   d->st.ops % d->walk_every == 0);
}

bool diff_verify_all(struct diff *d)
{
	return diff_verify(d, true);
}

static void held_push(struct diff *d, u64 off, u64 len)
{
	if (d->nr_held == d->cap_held) {
		d->cap_held = d->cap_held ? 2 * d->cap_held : 64;
		d->held = realloc(d->held, d->cap_held * sizeof(*d->held));
		if (!d->held) {
			fprintf(stderr, "check: out of memory\n");
			abort();
		}
	}
	d->held[d->nr_held].off = off;
	d->held[d->nr_held].len = len;
	d->nr_held++;
}

/* Drop [off, off + len) from every held region it overlaps. */
static void held_cut(struct diff *d, u64 off, u64 len)
{
	u64 i = 0, end = off + len;
	struct held h;

	while (i < d->nr_held) {
		h = d->held[i];
		if (h.off >= end || h.off + h.len <= off) {
			i++;
			continue;
		}
		d->held[i] = d->held[--d->nr_held];
		if (h.off < off)
			held_push(d, h.off, off - h.off);
		if (h.off + h.len > end)
			held_push(d, end, h.off + h.len - end);
	}
}

bool diff_init(struct diff *d, int policy, u64 size, u64 granule)
{
	int want = model_init_result(policy, size, granule);
	int got;

	d->policy = policy;
	d->live = false;
	d->nr_held = 0;
	memset(&d->st, 0, sizeof(d->st));
	d->live_before = shim_slab_live("gomem_node");
	d->problems_before = shim_problems();
	got = gomem_range_init(&d->r, policy, size, granule, GFP_KERNEL);
	if (got != want) {
		if (!got)
			gomem_range_destroy(&d->r);
		return diff_fail(d, "init(%d, %llu, %llu) = %d, contract says %d",
				 policy, size, granule, got, want);
	}
	if (got)
		return true;
	d->live = true;
	model_init(&d->m, size, granule);
	return diff_verify(d, true);
}

bool diff_destroy(struct diff *d)
{
	long live;

	if (!d->live)
		return true;
	gomem_range_destroy(&d->r);
	model_destroy(&d->m);
	free(d->held);
	d->held = NULL;
	d->nr_held = 0;
	d->cap_held = 0;
	d->live = false;
	live = shim_slab_live("gomem_node");
	if (live != d->live_before)
		return diff_fail(d, "destroy left %ld nodes live, %ld before init",
				 live, d->live_before);
	return true;
}

/* One allocation, checked; *@got is the offset on success. */
static bool alloc_checked(struct diff *d, u64 size, u64 align, int *err,
			  u64 *got)
{
	struct model *m = &d->m;
	u64 want_off = 0, off = U64_MAX, rounded, ealign;
	int want;

	d->st.ops++;
	want = model_alloc_result(m, d->policy, size, align, &want_off);
	*err = gomem_range_alloc(&d->r, size, align, &off);
	if (*err != want)
		return diff_fail(d, "alloc(%llu, align %llu) = %d (offset %llu), contract says %d (offset %llu)",
				 size, align, *err, off, want, want_off);
	if (*err) {
		d->st.errors++;
		d->st.nomem += *err == -ENOMEM;
		return diff_done(d);
	}
	rounded = model_round(m, size);
	ealign = align > m->granule ? align : m->granule;
	if (off > m->size || rounded > m->size - off)
		return diff_fail(d, "alloc(%llu, align %llu) = [%llu, +%llu) out of [0, %llu)",
				 size, align, off, rounded, m->size);
	if (off % ealign)
		return diff_fail(d, "alloc(%llu, align %llu) = %llu, not aligned to %llu",
				 size, align, off, ealign);
	if (!model_all(m, off, rounded, MODEL_FREE))
		return diff_fail(d, "alloc(%llu, align %llu) = [%llu, +%llu) overlaps used space",
				 size, align, off, rounded);
	if (off != want_off)
		return diff_fail(d, "alloc(%llu, align %llu) = %llu, contract's placement is %llu",
				 size, align, off, want_off);
	model_set(m, off, rounded, MODEL_USED);
	held_push(d, off, rounded);
	d->st.allocs++;
	*got = off;
	return diff_done(d);
}

bool diff_alloc(struct diff *d, u64 size, u64 align)
{
	u64 off;
	int err;

	return alloc_checked(d, size, align, &err, &off);
}

bool diff_find(struct diff *d, u64 size, u64 align, bool then_alloc)
{
	u64 want_off = 0, off = U64_MAX, got;
	int want, err;

	d->st.ops++;
	d->st.finds++;
	want = model_alloc_result(&d->m, d->policy, size, align, &want_off);
	err = gomem_range_find(&d->r, size, align, &off);
	if (err != want || (!err && off != want_off))
		return diff_fail(d, "find(%llu, align %llu) = %d (offset %llu), contract says %d (offset %llu)",
				 size, align, err, off, want, want_off);
	d->st.errors += !!err;
	if (!diff_done(d))
		return false;
	if (!then_alloc || err)
		return true;
	if (!alloc_checked(d, size, align, &err, &got))
		return false;
	if (err || got != off)
		return diff_fail(d, "alloc(%llu, align %llu) after find: %d, offset %llu; find said %llu",
				 size, align, err, got, off);
	return true;
}

bool diff_free(struct diff *d, u64 off, u64 size)
{
	int want, err;
	u64 rounded;

	d->st.ops++;
	want = model_free_result(&d->m, off, size);
	err = gomem_range_free(&d->r, off, size);
	if (err != want)
		return diff_fail(d, "free(%llu, %llu) = %d, contract says %d",
				 off, size, err, want);
	if (err) {
		d->st.errors++;
		return diff_done(d);
	}
	rounded = model_round(&d->m, size);
	model_set(&d->m, off, rounded, MODEL_FREE);
	held_cut(d, off, rounded);
	d->st.span_frees++;
	return diff_done(d);
}

bool diff_free_held(struct diff *d, u64 idx, u64 skip, u64 size)
{
	struct held *h = &d->held[idx];
	u64 off = h->off + skip, rounded = model_round(&d->m, size);
	u64 tail_off = off + rounded, tail_len = h->len - skip - rounded;
	int err;

	/* Held regions are used space by construction: else a harness bug. */
	if (!size || skip % d->m.granule || skip + rounded > h->len ||
	    model_free_result(&d->m, off, size)) {
		fprintf(stderr, "check: bad held-region free %llu+%llu of %llu\n",
			skip, size, h->len);
		abort();
	}
	d->st.ops++;
	err = gomem_range_free(&d->r, off, size);
	if (err)
		return diff_fail(d, "free(%llu, %llu) of held [%llu, +%llu) = %d, contract says 0",
				 off, size, h->off, h->len, err);
	model_set(&d->m, off, rounded, MODEL_FREE);
	if (!skip && !tail_len) {
		*h = d->held[--d->nr_held];
		d->st.frees++;
	} else {
		h->len = skip;
		if (!skip)
			*h = d->held[--d->nr_held];
		if (tail_len)
			held_push(d, tail_off, tail_len);
		d->st.partial_frees++;
	}
	return diff_done(d);
}

bool diff_reset(struct diff *d)
{
	int err;

	d->st.ops++;
	d->st.resets++;
	err = gomem_range_reset(&d->r);
	if (err)
		return diff_fail(d, "reset() = %d, contract says 0", err);
	model_reset(&d->m);
	d->nr_held = 0;
	return diff_done(d);
}
