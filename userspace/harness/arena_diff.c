// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * arena_diff: random operations on gomem_arena.c, natively under ASan and
 * UBSan, checked against an independent model of the arena
 * (arena_model.c: the chunks, a granule map of each, the growth rule and
 * the buddy pool, all from docs/arena.md and docs/range-allocator.md).
 *
 * Every call goes to the arena and to the model, and must agree with it:
 * the error code (bad arguments included: zero, huge and unaligned sizes,
 * bad alignments and flags, frees out of bounds, across chunks, of free
 * space, double and partial frees overlapping free space), the offset of
 * each allocation and find (lowest-offset chunk that can hold it, placed
 * in it by the policy: treap lowest fit, avl best fit), the pointer borrow
 * returns, the chunks (bases, sizes, buddy units) after every operation,
 * the statistics after every operation, the chunks trim releases and the
 * zap hook's calls, and every chunk's free-block list (every 8th operation
 * and after every trim, with the arena's invariant checker).
 *
 * Each region is also filled with its own byte when allocated and checked
 * before it is freed, so two regions that overlap in memory, or a chunk
 * released under a live region, show up as corrupted bytes (or an ASan
 * report).  The table of held regions grows as needed: a partial free's
 * pieces are always tracked.  Half the frees of whole regions and tails
 * run with every allocation failing (their nodes are reserved, see
 * docs/arena.md), and a node must be kept for every region held.
 *
 *   arena_diff [--seed N] [--ops N]     (ops per configuration)
 *
 * Runs two geometries x every policy x chunk source; ends with
 * "N passed, N failed".
 */
#include <getopt.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/align.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <asm/page.h>

#include "arena_model.h"
#include "gomem_arena.h"
#include "shim.h"

/* Allocation stops being chosen above this many held regions. */
#define SOFT_HELD	512
/* More chunks than any geometry here can have (max_size / PAGE_SIZE). */
#define MAX_ZAPS	256

struct held {
	u64 off;
	u64 size;	/* rounded to the granule */
	u8 tag;
};

struct zap {
	u64 off;
	u64 size;
};

struct run {
	struct gomem_arena a;
	struct amodel am;
	struct held *held;
	unsigned int nheld;
	unsigned int cap_held;
	u64 rng;
	u64 op;
	/* Zap hook record for the current trim. */
	struct zap zaps[MAX_ZAPS];
	unsigned int nzaps;
	/* The chunk whose zap reports its memory still referenced. */
	u64 busy;
	/* Counts for the report. */
	u64 allocs, enomem, einval, finds, frees, partial, rests, spans;
	u64 bad, bad_skipped, trims, released, borrows, grows_borrow;
	const char *fail;
};

static u64 next(struct run *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

static char failbuf[512];

static __printf(2, 3) bool fail(struct run *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->fail)
		return false;
	n = snprintf(failbuf, sizeof(failbuf), "op %llu: ", r->op);
	va_start(ap, fmt);
	vsnprintf(failbuf + n, sizeof(failbuf) - n, fmt, ap);
	va_end(ap);
	r->fail = failbuf;
	return false;
}

static void held_push(struct run *r, u64 off, u64 size, u8 tag)
{
	if (r->nheld == r->cap_held) {
		r->cap_held = r->cap_held ? 2 * r->cap_held : 256;
		r->held = realloc(r->held, r->cap_held * sizeof(*r->held));
		if (!r->held) {
			fprintf(stderr, "arena_diff: out of memory\n");
			abort();
		}
	}
	r->held[r->nheld++] = (struct held){ off, size, tag };
}

static struct held held_take(struct run *r, unsigned int i)
{
	struct held h = r->held[i];

	r->held[i] = r->held[--r->nheld];
	return h;
}

static int zap_hook(void *data, u64 offset, void *mem, u64 size)
{
	struct run *r = data;
	unsigned int i;
	void *p;

	/* While trim decides, lockless lookups keep off the chunk. */
	rcu_read_lock();
	p = gomem_arena_lookup_rcu(&r->a, offset + size - 1);
	rcu_read_unlock();
	if (p != ERR_PTR(-EAGAIN))
		fail(r, "lookup of [%llu, +%llu) while trim zaps it: %p",
		     offset, size, p);
	/* Called under the arena lock: look at the chunks directly. */
	for (i = 0; i < r->a.nr_chunks; i++)
		if (r->a.chunks[i]->base == offset)
			break;
	if (i == r->a.nr_chunks || r->a.chunks[i]->mem != mem ||
	    r->a.chunks[i]->size != size)
		fail(r, "zap of [%llu, +%llu) given the wrong memory",
		     offset, size);

	for (i = 0; i < r->nheld; i++)
		if (r->held[i].off < offset + size &&
		    offset < r->held[i].off + r->held[i].size)
			fail(r, "zap of [%llu, +%llu) under live region %llu",
			     offset, size, r->held[i].off);
	if (r->nzaps == MAX_ZAPS) {
		fail(r, "more than %u zaps in one trim", MAX_ZAPS);
		return 0;
	}
	r->zaps[r->nzaps++] = (struct zap){ offset, size };
	return offset == r->busy ? -EBUSY : 0;
}

/* Lockless lookups find what the locked ones find, bytes for bytes. */
static bool same_lookups(struct run *r)
{
	u64 span = gomem_arena_span(&r->a), off;
	unsigned int i;
	void *p;

	for (i = 0; i < 16; i++) {
		off = next(r) % span;
		rcu_read_lock();
		p = gomem_arena_lookup_rcu(&r->a, off);
		rcu_read_unlock();
		if (p != gomem_arena_ptr(&r->a, off, 1))
			return fail(r, "lookup of %llu: %p, locked %p", off, p,
				    gomem_arena_ptr(&r->a, off, 1));
	}
	return true;
}

static bool intact(struct run *r, const struct held *h)
{
	const u8 *p = gomem_arena_ptr(&r->a, h->off, h->size);

	if (!p)
		return fail(r, "region [%llu, +%llu) not inside one chunk",
			    h->off, h->size);
	if (memchr_inv(p, h->tag, h->size))
		return fail(r, "region [%llu, +%llu) overwritten", h->off,
			    h->size);
	return true;
}

/* A request's size: mostly small, sometimes pages, sometimes chunks. */
static u64 pick_size(struct run *r)
{
	switch (next(r) % 16) {
	case 0:
		return 1 + next(r) % (2 * r->a.params.max_chunk);
	case 1:
	case 2:
		return 1 + next(r) % (4 * PAGE_SIZE);
	default:
		return 1 + next(r) % 512;
	}
}

/* Arguments gomem_arena_alloc() must refuse (or, for sizes, may not). */
static void pick_bad_alloc(struct run *r, u64 *size, u64 *align,
			   unsigned int *flags)
{
	const u64 max = r->a.params.max_size;
	const u64 sizes[] = { 0, max + 1, max + PAGE_SIZE, U64_MAX,
			      1ULL << 63, U64_MAX - r->a.params.granule + 2,
			      max, r->a.params.max_chunk + 1 };
	const u64 aligns[] = { 0, 3, 6, 2 * PAGE_SIZE, 1ULL << 63, U64_MAX,
			       PAGE_SIZE + 1 };
	const unsigned int bad_flags[] = { 0x2, 0x80000000U, ~0U,
					   GOMEM_ALLOC_ZERO | 0x4 };

	*size = 1 + next(r) % 512;
	*align = 1;
	*flags = 0;
	switch (next(r) % 3) {
	case 0:
		*size = sizes[next(r) % ARRAY_SIZE(sizes)];
		break;
	case 1:
		*align = aligns[next(r) % ARRAY_SIZE(aligns)];
		break;
	default:
		*flags = bad_flags[next(r) % ARRAY_SIZE(bad_flags)];
	}
}

static bool do_alloc(struct run *r)
{
	struct gomem_arena *a = &r->a;
	u64 size, align, off = 0, moff = 0, foff = 0, mfoff = 0;
	unsigned int flags;
	int err, merr, ferr, mferr;

	if (next(r) % 16 == 0) {
		pick_bad_alloc(r, &size, &align, &flags);
	} else {
		size = pick_size(r);
		align = 1ULL << (next(r) % 13);
		flags = next(r) % 4 == 0 ? GOMEM_ALLOC_ZERO : 0;
	}
	ferr = gomem_arena_find(a, size, align, &foff);
	mferr = amodel_find(&r->am, size, align, &mfoff);
	if (ferr != mferr || (!ferr && foff != mfoff))
		return fail(r, "find %llu/%llu: %d at %llu, model %d at %llu",
			    size, align, ferr, foff, mferr, mfoff);
	r->finds++;
	err = gomem_arena_alloc(a, size, align, flags, &off);
	merr = amodel_alloc(&r->am, size, align, flags, &moff);
	if (err != merr || (!err && off != moff))
		return fail(r, "alloc %llu/%llu/%#x: %d at %llu, model %d at %llu",
			    size, align, flags, err, off, merr, moff);
	if (err == -ENOMEM)
		r->enomem++;
	if (err == -EINVAL)
		r->einval++;
	if (err)
		return true;
	size = ALIGN(size, a->params.granule);
	if (flags & GOMEM_ALLOC_ZERO) {
		const u8 *p = gomem_arena_ptr(a, off, size);

		if (!p || memchr_inv(p, 0, size))
			return fail(r, "zeroed alloc at %llu not zero", off);
	}
	r->allocs++;
	held_push(r, off, size, (u8)next(r) | 1);
	memset(gomem_arena_ptr(a, off, size), r->held[r->nheld - 1].tag, size);
	return true;
}

/* Free [@off, +@size) in the arena and the model; both must agree. */
static bool free_both(struct run *r, u64 off, u64 size, int want)
{
	int err = gomem_arena_free(&r->a, off, size);
	int merr = amodel_free(&r->am, off, size);

	if (err != merr || err != want)
		return fail(r, "free [%llu, +%llu): %d, model %d, expected %d",
			    off, size, err, merr, want);
	return true;
}

/*
 * Free the part [@off, +@size) of the region [@region, +@rsize) with
 * gomem_arena_free_part() (a middle: it reserves the second piece's node),
 * and in the model; both must succeed.
 */
static bool free_part_both(struct run *r, u64 region, u64 rsize, u64 off,
			   u64 size)
{
	int err = gomem_arena_free_part(&r->a, region, rsize, off, size);
	int merr = amodel_free(&r->am, off, size);

	if (err || merr)
		return fail(r, "free part [%llu, +%llu) of [%llu, +%llu): %d, model %d",
			    off, size, region, rsize, err, merr);
	return true;
}

static bool do_free(struct run *r)
{
	struct gomem_arena *a = &r->a;
	u64 g = a->params.granule, cut = 0, len, dsize;
	struct held h = held_take(r, next(r) % r->nheld);
	/*
	 * Half the frees of a whole region or a tail run with no memory at
	 * all: their nodes were reserved (docs/arena.md), they cannot fail.
	 */
	bool starve = next(r) % 2;
	unsigned int j;
	bool ok;
	int err, merr;

	if (!intact(r, &h))
		return false;
	switch (next(r) % 5) {
	case 0:		/* free-rest: keep a head */
		cut = next(r) % (h.size + 1);
		if (starve)
			shim_slab_fail_after(0);
		err = gomem_arena_free_rest(a, h.off, h.size, cut);
		shim_slab_fail_reset();
		merr = amodel_free_rest(&r->am, h.off, h.size, cut, true, NULL);
		if (err || merr)
			return fail(r, "free_rest [%llu, +%llu) keep %llu: %d, model %d",
				    h.off, h.size, cut, err, merr);
		cut = min(ALIGN(cut, g), h.size);
		r->rests++;
		break;
	case 1:		/* partial: free a middle piece, keep both ends */
		if (h.size >= 3 * g) {
			cut = g * (1 + next(r) % (h.size / g - 2));
			len = g * (1 + next(r) % ((h.size - cut) / g - 1));
			if (!free_part_both(r, h.off, h.size, h.off + cut, len))
				return false;
			r->partial++;
			r->frees++;
			held_push(r, h.off, cut, h.tag);
			held_push(r, h.off + cut + len, h.size - cut - len,
				  h.tag);
			/* Freeing the middle again overlaps free space. */
			return free_both(r, h.off + cut - g, len + g, -EINVAL);
		}
		fallthrough;
	case 2:		/* one free spanning this region and the next one */
		for (j = 0; j < r->nheld; j++)
			if (r->held[j].off == h.off + h.size &&
			    amodel_chunk_of(&r->am, h.off) ==
			    amodel_chunk_of(&r->am, r->held[j].off))
				break;
		if (j < r->nheld) {
			struct held h2 = held_take(r, j);

			if (!intact(r, &h2))
				return false;
			if (!free_both(r, h.off, h.size + h2.size, 0))
				return false;
			r->spans++;
			h.size += h2.size;
			break;
		}
		fallthrough;
	default:
		/* The arena rounds a free up to the granule, like an alloc. */
		if (starve)
			shim_slab_fail_after(0);
		ok = free_both(r, h.off, h.size - next(r) % g, 0);
		shim_slab_fail_reset();
		if (!ok)
			return false;
	}
	if (cut)
		held_push(r, h.off, cut, h.tag);
	/* The freed bytes are free now: a second free must be refused. */
	dsize = h.size - cut;
	if (dsize && !free_both(r, h.off + cut, dsize, -EINVAL))
		return false;
	r->frees++;
	return true;
}

/*
 * A free or free-rest the model refuses: out of bounds, in a gap of the
 * window, unaligned, zero, huge or wrapping sizes, across chunks, over
 * free space.  Candidates the model would accept are skipped.
 */
static bool do_bad(struct run *r)
{
	struct gomem_arena *a = &r->a;
	const struct amodel_chunk *c;
	u64 g = a->params.granule, off, size, keep = 0;
	struct held h = { 0 };
	bool rest = false, frees;
	int err, want;

	if (r->nheld)
		h = r->held[next(r) % r->nheld];
	c = &r->am.chunks[next(r) % r->am.nr];
	switch (next(r) % 12) {
	case 0:		/* beyond the window, or at the very end */
		off = next(r) % 2 ? 2 * a->params.max_size + next(r) % 4096 :
				    U64_MAX - g * (next(r) % 4) + 1 - g;
		size = 8;
		break;
	case 1:		/* inside a region, not granule-aligned */
		off = h.off + 1 + next(r) % max(g - 1, 1ULL);
		size = 8;
		break;
	case 2:		/* zero size */
		off = h.off;
		size = 0;
		break;
	case 3:		/* a region's tail and beyond its end */
		off = h.off + g * (next(r) % (h.size / g + 1));
		size = h.off + h.size - off + g * (1 + next(r) % 4);
		break;
	case 4:		/* from before a region's start into it */
		off = h.off - min(h.off, g * (1 + next(r) % 4));
		size = h.off + h.size - off;
		break;
	case 5:		/* sizes that are huge or wrap around */
		off = h.off;
		switch (next(r) % 4) {
		case 0:
			size = U64_MAX;
			break;
		case 1:
			size = U64_MAX - h.off + 1;
			break;
		case 2:
			size = a->params.max_size + 1;
			break;
		default:
			size = 2 * a->params.max_size;
		}
		break;
	case 6:		/* the end of a chunk and the start of what follows */
		off = c->base + c->size - g * (1 + next(r) % 2);
		size = 4 * g;
		break;
	case 7:		/* past a chunk's end: a gap, the next chunk or nothing */
		off = c->base + c->size + g * (next(r) % 4);
		size = g;
		break;
	case 8:		/* anywhere in a chunk: often free space */
		off = c->base + g * (next(r) % (c->size / g));
		size = g * (1 + next(r) % 8);
		break;
	case 9:		/* free-rest keeping more than it has */
		rest = true;
		off = h.off;
		size = h.size;
		keep = h.size + 1 + next(r) % 64;
		break;
	case 10:	/* free-rest of a size above max_size */
		rest = true;
		off = h.off;
		size = a->params.max_size + 1 + next(r) % 4096;
		keep = g;
		break;
	default:
		/*
		 * free-rest whose rest wraps past the end of the offsets onto
		 * a held region: [off, off + size) starts just below 2^64.
		 */
		rest = true;
		keep = h.off + g * (1 + next(r) % 4);
		off = h.off - keep;
		size = keep + (h.size ? h.size : g);
		if (size > a->params.max_size)
			size = keep + g;
	}
	if (rest)
		want = amodel_free_rest(&r->am, off, size, keep, false, &frees);
	else
		want = amodel_free_result(&r->am, off, size);
	if (!want && (!rest || frees)) {
		r->bad_skipped++;	/* a valid free: not for this op */
		return true;
	}
	if (rest)
		err = gomem_arena_free_rest(a, off, size, keep);
	else
		err = gomem_arena_free(a, off, size);
	if (err != want)
		return fail(r, "%s [%llu, +%llu)%s: %d, model %d",
			    rest ? "free_rest" : "free", off, size,
			    rest ? " (bad)" : "", err, want);
	r->bad++;
	return true;
}

static int cmp_zap(const void *x, const void *y)
{
	const struct zap *a = x, *b = y;

	return a->off < b->off ? -1 : a->off > b->off;
}

static bool do_trim(struct run *r)
{
	struct zap want[MAX_ZAPS];
	unsigned int i, nwant = 0;
	u64 released, mreleased;

	for (i = 1; i < r->am.nr && nwant < MAX_ZAPS; i++)
		if (amodel_chunk_idle(&r->am, i))
			want[nwant++] = (struct zap){ r->am.chunks[i].base,
						      r->am.chunks[i].size };
	/* Half the trims find one idle chunk still referenced (pinned). */
	r->busy = nwant && next(r) % 2 ? want[next(r) % nwant].off : ~0ULL;
	r->nzaps = 0;
	released = gomem_arena_trim(&r->a);
	mreleased = amodel_trim(&r->am, r->busy);
	if (r->fail)
		return false;
	qsort(r->zaps, r->nzaps, sizeof(r->zaps[0]), cmp_zap);
	if (released != mreleased || r->nzaps != nwant)
		return fail(r, "trim released %llu in %u zaps, model %llu in %u",
			    released, r->nzaps, mreleased, nwant);
	for (i = 0; i < nwant; i++)
		if (r->zaps[i].off != want[i].off ||
		    r->zaps[i].size != want[i].size)
			return fail(r, "trim zapped [%llu, +%llu), model [%llu, +%llu)",
				    r->zaps[i].off, r->zaps[i].size,
				    want[i].off, want[i].size);
	r->trims++;
	r->released += released;
	return same_lookups(r);
}

static bool do_borrow(struct run *r)
{
	u64 size, off = 0, grows = r->am.st.grows;
	int merr;
	u8 *p, *want;

	switch (next(r) % 8) {
	case 0:
		size = next(r) % 2 ? 0 : r->a.params.max_size + 1;
		break;
	case 1:
		size = 1 + next(r) % (2 * r->a.params.max_chunk);
		break;
	default:
		size = 1 + next(r) % 1024;
	}
	merr = amodel_borrow(&r->am, size, &off);
	p = gomem_arena_borrow(&r->a, size);
	if (merr) {
		if (p)
			return fail(r, "borrow %llu: %p, model %d", size, p,
				    merr);
	} else {
		want = gomem_arena_ptr(&r->a, off, 1);
		if (!p || p != want)
			return fail(r, "borrow %llu: %p, model offset %llu (%p)",
				    size, p, off, want);
		memset(p, 0xb0, size);	/* free bytes: nobody may notice */
	}
	r->borrows++;
	r->grows_borrow += r->am.st.grows - grows;
	return true;
}

/* The chunks and their free blocks, against the model's. */
static bool same_chunks(struct run *r, bool blocks)
{
	const struct gomem_arena *a = &r->a;
	const struct amodel_chunk *mc;
	const struct gomem_chunk *c;
	struct model_walk_cmp w;
	unsigned int i;

	if (a->nr_chunks != r->am.nr)
		return fail(r, "%u chunks, model %u", a->nr_chunks, r->am.nr);
	for (i = 0; i < r->am.nr; i++) {
		c = a->chunks[i];
		mc = &r->am.chunks[i];
		if (c->base != mc->base || c->size != mc->size ||
		    (a->params.source == GOMEM_CHUNKS_BUDDY &&
		     c->unit != mc->unit))
			return fail(r, "chunk %u [%llu, +%llu) unit %llu, model [%llu, +%llu) unit %llu",
				    i, c->base, c->size, c->unit, mc->base,
				    mc->size, mc->unit);
		if (!blocks)
			continue;
		model_refresh((struct model *)&mc->m);
		w = (struct model_walk_cmp){ .m = &mc->m };
		if (gomem_range_walk(&c->range, model_walk_cmp, &w) ||
		    w.i != mc->m.nr_blocks)
			return fail(r, "chunk %u: free block %llu is [%llu, +%llu), model %s [%llu, +%llu)",
				    i, w.i, w.off, w.len,
				    w.i < mc->m.nr_blocks ? "has" : "ends",
				    w.i < mc->m.nr_blocks ?
				    mc->m.blocks[w.i].start : 0,
				    w.i < mc->m.nr_blocks ?
				    mc->m.blocks[w.i].len : 0);
	}
	return true;
}

#define STAT(f)	{ #f, offsetof(struct gomem_arena_stats, f) }
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
	STAT(capacity), STAT(in_use), STAT(free), STAT(largest_free),
	STAT(chunks), STAT(peak_in_use), STAT(allocs), STAT(frees),
	STAT(failed_allocs), STAT(grows), STAT(trimmed), STAT(trim_busy),
};

static bool same_stats(struct run *r)
{
	struct gomem_arena_stats st, mst;
	unsigned int i;
	u64 v, mv;

	gomem_arena_stats(&r->a, &st);
	amodel_stats(&r->am, &mst);
	for (i = 0; i < ARRAY_SIZE(stat_fields); i++) {
		memcpy(&v, (char *)&st + stat_fields[i].off, sizeof(v));
		memcpy(&mv, (char *)&mst + stat_fields[i].off, sizeof(mv));
		if (v != mv)
			return fail(r, "stats: %s %llu, model %llu",
				    stat_fields[i].name, v, mv);
	}
	return true;
}

static bool step(struct run *r)
{
	unsigned int k = next(r) % 100;
	/* Phases of filling and draining, so that chunks come and go. */
	unsigned int fill = (r->op / 4000) % 2 ? 70 : 20, i;
	bool ok, full;
	u64 kept;

	if (r->nheld < SOFT_HELD && (k < fill || !r->nheld))
		ok = do_alloc(r);
	else if (k < 86)
		ok = do_free(r);
	else if (k < 93)
		ok = do_bad(r);
	else if (k < 97)
		ok = do_trim(r);
	else
		ok = do_borrow(r);
	if (!ok || r->fail)
		return false;
	/*
	 * The checker and the block walk visit every chunk's trees, which
	 * dominates the run; the range allocators already have the checker
	 * after every operation in range_diff, so here they run after every
	 * trim and every 8th op.
	 */
	full = (k >= 93 && k < 97) || r->op % 8 == 0;
	if (full && gomem_arena_check(&r->a))
		return fail(r, "invariant checker failed");
	/* A node kept for every region held. */
	for (i = 0, kept = 0; i < r->a.nr_chunks; i++)
		kept += gomem_range_kept(&r->a.chunks[i]->range);
	if (kept < r->nheld)
		return fail(r, "%llu nodes kept for %u regions", kept, r->nheld);
	return same_chunks(r, full) && same_stats(r);
}

static bool run_one(const struct gomem_arena_params *geo, const char *gname,
		    enum gomem_policy policy, enum gomem_chunk_source src,
		    u64 seed, u64 ops)
{
	struct gomem_arena_params p = *geo;
	struct gomem_arena_stats st;
	struct run *r = calloc(1, sizeof(*r));
	const char *name = src == GOMEM_CHUNKS_BUDDY ? "buddy" : "vmalloc";
	struct timespec t0, t1;
	unsigned int i;
	bool ok = true;

	p.policy = policy;
	p.source = src;
	if (!r || gomem_arena_init(&r->a, &p)) {
		printf("%s/%s/%s: init failed\n", gname,
		       gomem_policy_name(policy), name);
		free(r);
		return false;
	}
	amodel_init(&r->am, &p);
	r->rng = seed * 0x9e3779b97f4a7c15ULL + policy * 2 + src + 1 +
		 (u64)gname[0] * 4;
	gomem_arena_set_zap(&r->a, zap_hook, r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = same_chunks(r, true) && same_stats(r);
	for (r->op = 0; r->op < ops && ok; r->op++)
		ok = step(r);
	for (i = 0; ok && i < r->nheld; i++)
		ok = intact(r, &r->held[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	gomem_arena_stats(&r->a, &st);
	printf("%s/%s/%s: %llu ops, seed %llu: %llu allocs (%llu ENOMEM, %llu EINVAL) and finds, %llu frees (%llu partial, %llu free-rest, %llu spanning two), %llu bad frees refused (%llu valid skipped), %llu trims releasing %llu KiB, %llu borrows (%llu grew); %llu grows, peak %llu KiB of %llu, %.1f s\n",
	       gname, gomem_policy_name(policy), name, r->op, seed, r->allocs,
	       r->enomem, r->einval, r->frees, r->partial, r->rests, r->spans,
	       r->bad, r->bad_skipped, r->trims, r->released >> 10,
	       r->borrows, r->grows_borrow, st.grows, st.peak_in_use >> 10,
	       r->a.params.max_size >> 10,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (!ok)
		printf("FAIL %s/%s/%s: %s (replay: arena_diff --seed %llu)\n",
		       gname, gomem_policy_name(policy), name, r->fail, seed);
	gomem_arena_destroy(&r->a);
	amodel_destroy(&r->am);
	free(r->held);
	free(r);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	/*
	 * Two geometries: powers of two with the default granule; and odd
	 * sizes (a 3-page first chunk, which the buddy source rounds to 4;
	 * a max_size that is no multiple of max_chunk, so the last chunk
	 * shrinks, for the buddy source to a power of two) with a 64-byte
	 * granule.
	 */
	static const struct {
		const char *name;
		struct gomem_arena_params p;
	} geos[] = {
		{ "pow2", { .initial_size = 2 * PAGE_SIZE,
			    .max_chunk = 16 * PAGE_SIZE,
			    .max_size = 128 * PAGE_SIZE } },
		{ "odd", { .initial_size = 3 * PAGE_SIZE - 100,
			   .max_chunk = 8 * PAGE_SIZE,
			   .max_size = 50 * PAGE_SIZE,
			   .granule = 64 } },
	};
	u64 seed = 1, ops = 150000;
	unsigned int passed = 0, failed = 0, gi;
	int c, pol, src;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (c == 'n')
			ops = strtoull(optarg, NULL, 0);
		else
			return 2;
	}
	for (gi = 0; gi < ARRAY_SIZE(geos); gi++)
		for (pol = GOMEM_POLICY_TREAP; pol <= GOMEM_POLICY_AVL; pol++)
			for (src = GOMEM_CHUNKS_VMALLOC;
			     src <= GOMEM_CHUNKS_BUDDY; src++)
				if (run_one(&geos[gi].p, geos[gi].name, pol,
					    src, seed, ops))
					passed++;
				else
					failed++;
	if (shim_problems())
		failed++;
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
