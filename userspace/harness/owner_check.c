// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Checked operations on the ownership layer (see owner_check.h).
 *
 * Calls that may end holds ask the model first: it says which regions go
 * back to the arena, and their bytes are verified while still in place;
 * then the real call runs and must give the model's answer.  Allocations
 * go the other way: the arena's answer (offset, id, -ENOMEM) is taken,
 * checked against the live regions, and given to the model.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/align.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <asm/page.h>

#include "owner_check.h"
#include "shim.h"

/* gomem_owner.c's record caches (KMEM_CACHE: named after the structs). */
#define CACHE_REGION	"gomem_owned"
#define CACHE_REF	"gomem_reference"
#define CACHE_TOKEN	"gomem_share_token"

const char *const od_op_names[OD_OPS] = {
	"alloc", "free", "share", "claim", "cancel", "release", "recycle",
	"undo", "alloc_batch", "free_batch", "release_batch", "exit", "trim",
	"share_batch", "claim_batch",
};

const char *const od_res_names[OD_RES] = {
	"ok", "EINVAL", "EPERM", "EBUSY", "EDQUOT", "ENOENT", "ENOMEM",
	"none",
};

static char failbuf[1024];

static __printf(2, 3) void fail(struct odiff *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->fail)
		return;
	n = snprintf(failbuf, sizeof(failbuf), "op %llu: ", d->op);
	va_start(ap, fmt);
	vsnprintf(failbuf + n, sizeof(failbuf) - n, fmt, ap);
	va_end(ap);
	d->fail = failbuf;
	if (d->abort_on_failure) {
		fprintf(stderr, "owner: %s\n", failbuf);
		abort();
	}
}

static void count(struct odiff *d, enum od_op op, int err)
{
	enum od_res r;

	switch (err) {
	case 0:
		r = OD_OK;
		break;
	case -EINVAL:
		r = OD_EINVAL;
		break;
	case -EPERM:
		r = OD_EPERM;
		break;
	case -EBUSY:
		r = OD_EBUSY;
		break;
	case -EDQUOT:
		r = OD_EDQUOT;
		break;
	case -ENOENT:
		r = OD_ENOENT;
		break;
	case -ENOMEM:
		r = OD_ENOMEM;
		break;
	default:
		r = OD_NONE;
	}
	d->count[op][r]++;
}

/* The pattern of a region: a byte from its id, never 0. */
static u8 tag_of(u64 id)
{
	return (u8)((id * 0x9e3779b97f4a7c15ULL) >> 56) | 1;
}

static void verify(struct odiff *d, u64 off, u64 size, u8 tag,
		   const char *why)
{
	const u8 *p = gomem_arena_ptr(&d->a, off, size);

	if (!p)
		fail(d, "%s: region [%llu, +%llu) not inside one chunk", why,
		     off, size);
	else if (memchr_inv(p, tag, size))
		fail(d, "%s: region [%llu, +%llu) overwritten (byte %#x at +%td, pattern %#x)",
		     why, off, size, *(const u8 *)memchr_inv(p, tag, size),
		     (const u8 *)memchr_inv(p, tag, size) - p, tag);
}

/*
 * Who may see each byte of the arena in a zeroed allocation besides zeroes
 * (d->seer[offset]): the holder id that last wrote it, or OD_NOBODY once
 * it went back to the arena nobody's.  Zero: never written.
 */
#define OD_NOBODY	U64_MAX

static void seer_set(struct odiff *d, u64 off, u64 size, u64 who)
{
	u64 i;

	for (i = off; i < off + size && i < d->seer_size; i++)
		d->seer[i] = who;
}

/*
 * The regions the model just returned to the arena are still intact; those
 * nobody's now are seen by nobody.
 */
static void verify_freed(struct odiff *d, const char *why)
{
	unsigned int i;

	for (i = 0; i < d->m.nr_freed; i++) {
		verify(d, d->m.freed[i].off, d->m.freed[i].size,
		       d->m.freed[i].tag, why);
		if (d->m.freed[i].by < 0)
			seer_set(d, d->m.freed[i].off, d->m.freed[i].size,
				 OD_NOBODY);
	}
}

/* ---- token values and region ids: never 0, never twice ---- */

/* Insert @v (not 0); false if it was there already. */
static bool set_add(struct od_set *s, u64 v)
{
	u64 i;

	if (2 * (s->nr + 1) > s->cap) {
		struct od_set old = *s;

		s->cap = old.cap ? 2 * old.cap : 4096;
		s->v = calloc(s->cap, sizeof(*s->v));
		if (!s->v) {
			fprintf(stderr, "owner_check: out of memory\n");
			abort();
		}
		s->nr = 0;
		for (i = 0; i < old.cap; i++)
			if (old.v[i])
				set_add(s, old.v[i]);
		free(old.v);
	}
	for (i = (v * 0x9e3779b97f4a7c15ULL) & (s->cap - 1); s->v[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->v[i] == v)
			return false;
	s->v[i] = v;
	s->nr++;
	return true;
}

static void stale_push(struct odiff *d, u64 v)
{
	d->stale[d->nr_stale++ % OD_STALE] = v;
}

u64 od_stale_token(const struct odiff *d, u64 pick)
{
	unsigned int n = min_t(unsigned int, d->nr_stale, OD_STALE);

	return n ? d->stale[pick % n] : 0;
}

u64 od_live_token(const struct odiff *d, u64 pick)
{
	return d->m.nr_tokens ? d->m.tokens[pick % d->m.nr_tokens].value : 0;
}

/* ---- the zap hook: trim must release no chunk under a live region ---- */

static int zap_hook(void *data, u64 offset, void *mem, u64 size)
{
	struct odiff *d = data;
	unsigned int i;

	for (i = 0; i < d->m.nr_regions; i++)
		if (d->m.regions[i].off < offset + size &&
		    offset < d->m.regions[i].off + d->m.regions[i].size)
			fail(d, "trim zaps [%llu, +%llu) under live region [%llu, +%llu)",
			     offset, size, d->m.regions[i].off,
			     d->m.regions[i].size);
	return 0;
}

/* ---- set up and tear down ---- */

void od_set_max_bytes(struct odiff *d, u64 max_bytes)
{
	d->o.max_bytes = max_bytes;
	d->m.max_bytes = max_bytes;
}

bool od_init(struct odiff *d, const struct gomem_arena_params *p,
	     u64 max_records)
{
	struct gomem_arena_params fp = {
		.name = "foreign",
		.initial_size = PAGE_SIZE,
		.max_chunk = PAGE_SIZE,
		.max_size = 2 * PAGE_SIZE,
	};
	u64 id;

	memset(d, 0, sizeof(*d));
	if (gomem_arena_init(&d->a, p))
		return false;
	/* The window of chunk offsets (gomem_arena_init()'s span). */
	d->seer_size = 2 * d->a.params.max_size;
	d->seer = calloc(d->seer_size, sizeof(*d->seer));
	if (!d->seer) {
		gomem_arena_destroy(&d->a);
		return false;
	}
	if (gomem_arena_init(&d->fa, &fp)) {
		gomem_arena_destroy(&d->a);
		return false;
	}
	gomem_arena_set_zap(&d->a, zap_hook, d);
	gomem_owners_init(&d->o, &d->a, max_records);
	/* Clean spans: from a page on (the default), or for every free. */
	if (p->granule >= 64)
		d->o.clean_min = 0;
	om_init(&d->m, d->a.params.granule, d->a.params.max_size, PAGE_SIZE,
		max_records);
	gomem_owners_init(&d->fo, &d->fa, 4);
	gomem_holder_init(&d->fo, &d->fh);
	if (gomem_own_alloc(&d->fh, 64, 0, 0, &d->foff, &id) ||
	    gomem_own_share(&d->fh, d->foff, 0, U32_MAX, &d->ftoken) ||
	    !d->ftoken)
		fail(d, "the other set's region or token could not be made");
	return true;
}

static void finish_foreign(struct odiff *d)
{
	struct gomem_arena_stats st;
	struct gomem_reclaim rc;

	if (gomem_own_cancel(&d->fh, d->ftoken))
		fail(d, "the other set's token is not outstanding at the end");
	if (gomem_own_free(&d->fh, d->foff, 64))
		fail(d, "the other set's region could not be freed");
	gomem_holder_exit(&d->fh, &rc);
	if (rc.regions || rc.refs || rc.tokens || rc.freed)
		fail(d, "the other set's holder still held something");
	gomem_owners_destroy(&d->fo);
	gomem_arena_stats(&d->fa, &st);
	if (st.in_use)
		fail(d, "the other arena keeps %llu bytes", st.in_use);
	gomem_arena_destroy(&d->fa);
}

bool od_finish(struct odiff *d)
{
	struct gomem_arena_stats st;
	long owned;
	int h;

	for (h = 0; h < OM_HOLDERS; h++)
		if (d->h[h])
			od_holder_exit(d, h);
	od_check(d, -1);
	od_check_full(d, 0);
	finish_foreign(d);
	/* Values of a keyed permutation, not of the counter under it. */
	if (d->tokens_seen.nr >= 1000 &&
	    (d->token_downs < d->tokens_seen.nr * 2 / 5 ||
	     d->token_downs > d->tokens_seen.nr * 3 / 5))
		fail(d, "%llu of %llu tokens below the one before: a counter?",
		     d->token_downs, d->tokens_seen.nr);
	gomem_arena_stats(&d->a, &st);
	if (st.in_use || d->m.nr_regions || d->m.nr_tokens)
		fail(d, "after every holder left: in_use %llu, model %u regions, %u tokens",
		     st.in_use, d->m.nr_regions, d->m.nr_tokens);
	if (d->o.regions.rb_node || d->o.tokens.rb_node || d->o.holders ||
	    d->o.nr_refs || d->o.nr_tokens || d->o.nr_orphans ||
	    d->o.orphan_bytes)
		fail(d, "after every holder left the set still has records");
	owned = shim_slab_live(CACHE_REGION);
	if (shim_slab_live(CACHE_REF) || shim_slab_live(CACHE_TOKEN) ||
	    owned != (long)d->o.nr_spare)
		fail(d, "records left: %ld references, %ld tokens, %ld regions for %u spares (-1: no such cache)",
		     shim_slab_live(CACHE_REF), shim_slab_live(CACHE_TOKEN),
		     owned, d->o.nr_spare);
	gomem_arena_trim(&d->a);
	gomem_arena_stats(&d->a, &st);
	if (st.chunks != 1 || st.capacity != d->a.params.initial_size)
		fail(d, "trim leaves %llu chunks of %llu bytes", st.chunks,
		     st.capacity);
	gomem_owners_destroy(&d->o);
	if (shim_slab_live(CACHE_REGION))
		fail(d, "%ld region records left after the set went",
		     shim_slab_live(CACHE_REGION));
	gomem_arena_destroy(&d->a);
	om_destroy(&d->m);
	free(d->tokens_seen.v);
	free(d->ids_seen.v);
	free(d->seer);
	d->seer = NULL;
	d->tokens_seen.v = NULL;
	d->ids_seen.v = NULL;
	return !d->fail;
}

/* ---- holders ---- */

int od_holder_new(struct odiff *d)
{
	struct gomem_holder *nh;
	int h = om_free_slot(&d->m), k;

	if (h < 0)
		return -1;
	nh = calloc(1, sizeof(*nh));
	if (!nh) {
		fprintf(stderr, "owner_check: out of memory\n");
		abort();
	}
	gomem_holder_init(&d->o, nh);
	if (!nh->id)
		fail(d, "holder id 0");
	for (k = 0; k < OM_HOLDERS; k++)
		if (d->h[k] && d->h[k]->id == nh->id)
			fail(d, "holder id %llu given twice", nh->id);
	/*
	 * Every third holder is read-only, as a session opened O_RDONLY: its
	 * claims leave a region's bytes its owner's.  The layer lets it
	 * allocate (the device refuses before); nothing here writes through
	 * a claim.
	 */
	nh->readonly = nh->id % 3 == 0;
	d->h[h] = nh;
	om_holder_new(&d->m, h, nh->id, nh->readonly);
	return h;
}

void od_holder_exit(struct odiff *d, int h)
{
	struct gomem_reclaim want, got;
	unsigned int i;

	for (i = 0; i < d->m.nr_tokens; i++)
		if (d->m.tokens[i].maker == h)
			stale_push(d, d->m.tokens[i].value);
	om_holder_exit(&d->m, h, &want);
	verify_freed(d, "holder exit");
	memset(&got, 0xa5, sizeof(got));
	gomem_holder_exit(d->h[h], &got);
	count(d, OD_EXIT, 0);
	if (memcmp(&got, &want, sizeof(got)))
		fail(d, "exit of holder %d: %llu regions of %llu bytes, %llu refs, %llu tokens, %llu freed; model %llu, %llu, %llu, %llu, %llu",
		     h, got.regions, got.bytes, got.refs, got.tokens, got.freed,
		     want.regions, want.bytes, want.refs, want.tokens,
		     want.freed);
	free(d->h[h]);
	d->h[h] = NULL;
}

/* ---- regions ---- */

/*
 * The arena gave [@off, +@size) for @h with @id: check it against the
 * live regions and the flags, hand it to the model, write its pattern.
 */
static void alloc_done(struct odiff *d, int h, u64 off, u64 size, u64 align,
		       u32 flags, u64 id)
{
	u64 rsize = ALIGN(size, d->m.granule), i;
	u8 *p;
	int err;

	if (off % d->m.granule || (align && off % align))
		fail(d, "alloc %llu align %llu at %llu: misaligned", size,
		     align, off);
	if (!id || !set_add(&d->ids_seen, id))
		fail(d, "alloc %llu at %llu: id %llu not new", size, off, id);
	err = om_alloc_commit(&d->m, h, off, size, id, tag_of(id));
	if (err)
		fail(d, "alloc %llu gets [%llu, +%llu), which overlaps a live region",
		     size, off, rsize);
	p = gomem_arena_ptr(&d->a, off, rsize);
	if (!p) {
		fail(d, "alloc at %llu+%llu: not inside one chunk", off, rsize);
		return;
	}
	/* Zeroed: nothing but zeroes and bytes the holder wrote itself. */
	for (i = 0; i < rsize && !(flags & GOMEM_ALLOC_NOZERO); i++) {
		if (!p[i] || (off + i < d->seer_size &&
			      d->seer[off + i] == d->h[h]->id))
			continue;
		fail(d, "alloc at %llu+%llu by holder %llu: not zeroed (byte %#x at +%llu, last written by %llu)",
		     off, rsize, d->h[h]->id, p[i], i,
		     off + i < d->seer_size ? d->seer[off + i] : 0);
		break;
	}
	memset(p, tag_of(id), rsize);
	seer_set(d, off, rsize, d->h[h]->id);
}

int od_alloc(struct odiff *d, int h, u64 size, u64 align, u32 flags,
	     u64 *off, u64 *id)
{
	struct gomem_arena_stats before, after;
	int want = om_alloc_check(&d->m, h, size, align, flags), err;
	u64 o = U64_MAX, i = U64_MAX;

	gomem_arena_stats(&d->a, &before);
	err = gomem_own_alloc(d->h[h], size, align, flags, &o, &i);
	gomem_arena_stats(&d->a, &after);
	count(d, OD_ALLOC, err);
	if (want) {
		if (err != want)
			fail(d, "alloc %llu align %llu flags %#x by %d: %d, model %d",
			     size, align, flags, h, err, want);
	} else if (err && err != -ENOMEM) {
		fail(d, "alloc %llu align %llu flags %#x by %d: %d, model 0 or -ENOMEM",
		     size, align, flags, h, err);
	}
	if (after.failed_allocs - before.failed_allocs != (err == -ENOMEM))
		fail(d, "alloc %llu by %d: %d, but the arena counted %llu failures",
		     size, h, err, after.failed_allocs - before.failed_allocs);
	if (err) {
		if (o != U64_MAX || i != U64_MAX)
			fail(d, "failed alloc wrote its outputs");
		return err;
	}
	alloc_done(d, h, o, size, align, flags, i);
	if (off)
		*off = o;
	if (id)
		*id = i;
	return 0;
}

static int learn_id(void *data, const struct gomem_owner_region_info *ri)
{
	*(struct gomem_owner_region_info *)data = *ri;
	return 1;
}

/*
 * Split pieces the model made have id 0: each gets the id the layer gave
 * it, which must be new.
 */
static void learn_split_ids(struct odiff *d)
{
	struct gomem_owner_region_info ri;
	unsigned int i;

	for (i = 0; i < d->m.nr_regions; i++) {
		if (d->m.regions[i].id)
			continue;
		memset(&ri, 0, sizeof(ri));
		ri.offset = U64_MAX;
		gomem_owners_walk(&d->o, d->m.regions[i].off, learn_id, &ri);
		if (ri.offset != d->m.regions[i].off)
			fail(d, "split: no region at %llu (walk gives %llu)",
			     d->m.regions[i].off, ri.offset);
		else if (!ri.id || !set_add(&d->ids_seen, ri.id))
			fail(d, "split piece at %llu: id %llu not new",
			     ri.offset, ri.id);
		om_set_id(&d->m, i, ri.id);
		d->split_ids++;
	}
}

int od_free(struct odiff *d, int h, u64 off, u64 size)
{
	int want = om_free(&d->m, h, off, size), err;

	verify_freed(d, "free");
	err = gomem_own_free(d->h[h], off, size);
	count(d, OD_FREE, err);
	if (err != want)
		fail(d, "free [%llu, +%llu) by %d: %d, model %d", off, size, h,
		     err, want);
	else if (!err)
		learn_split_ids(d);
	return err;
}

void od_undo(struct odiff *d, int h, u64 off, u64 size, u64 id)
{
	bool want = om_undo(&d->m, h, off, size, id);

	verify_freed(d, "undo");
	gomem_own_undo(d->h[h], off, size, id);
	count(d, OD_UNDO, want ? 0 : -EINVAL);
}

void od_recycle(struct odiff *d, int h)
{
	u64 wbytes, bytes = U64_MAX, want = om_recycle(&d->m, h, &wbytes), n;

	verify_freed(d, "recycle");
	n = gomem_own_recycle(d->h[h], &bytes);
	count(d, OD_RECYCLE, 0);
	if (n != want || bytes != wbytes)
		fail(d, "recycle by %d: %llu regions of %llu bytes, model %llu of %llu",
		     h, n, bytes, want, wbytes);
}

/* ---- tokens and references ---- */

int od_share(struct odiff *d, int h, u64 off, u64 size, u32 claims,
	     u64 *token)
{
	u64 v = 0;
	int tok = -1, want = om_share(&d->m, h, off, size, claims, &tok), err;

	err = gomem_own_share(d->h[h], off, size, claims, &v);
	count(d, OD_SHARE, err);
	if (err != want) {
		fail(d, "share [%llu, +%llu) x%u by %d: %d, model %d", off,
		     size, claims, h, err, want);
		return err;
	}
	if (err)
		return err;
	if (!v)
		fail(d, "share gave token 0");
	else if (!set_add(&d->tokens_seen, v))
		fail(d, "token %#llx given twice", v);
	d->token_downs += v < d->last_token;
	d->last_token = v;
	om_share_value(&d->m, tok, v);
	if (token)
		*token = v;
	return 0;
}

int od_claim(struct odiff *d, int h, u64 token)
{
	int i = om_token_find(&d->m, token), want, err;
	bool ends = i >= 0 && d->m.tokens[i].left == 1;
	u64 woff = 0, wsize = 0, off = U64_MAX, size = U64_MAX;

	want = om_claim(&d->m, h, token, &woff, &wsize);
	err = gomem_own_claim(d->h[h], token, &off, &size);
	count(d, OD_CLAIM, err);
	if (err != want)
		fail(d, "claim %#llx by %d: %d, model %d", token, h, err, want);
	else if (!err && (off != woff || size != wsize))
		fail(d, "claim %#llx by %d: [%llu, +%llu), model [%llu, +%llu)",
		     token, h, off, size, woff, wsize);
	if (!err && ends)
		stale_push(d, token);
	return err;
}

int od_cancel(struct odiff *d, int h, u64 token)
{
	int want = om_cancel(&d->m, h, token), err;

	verify_freed(d, "cancel");
	err = gomem_own_cancel(d->h[h], token);
	count(d, OD_CANCEL, err);
	if (err != want)
		fail(d, "cancel %#llx by %d: %d, model %d", token, h, err,
		     want);
	if (!err)
		stale_push(d, token);
	return err;
}

int od_release(struct odiff *d, int h, u64 off)
{
	int want = om_release(&d->m, h, off), err;

	verify_freed(d, "release");
	err = gomem_own_release(d->h[h], off);
	count(d, OD_RELEASE, err);
	if (err != want)
		fail(d, "release %llu by %d: %d, model %d", off, h, err, want);
	return err;
}

void od_foreign(struct odiff *d, int h, u64 token)
{
	u64 off = U64_MAX, size = U64_MAX;
	int err;

	od_claim(d, h, d->ftoken);
	od_cancel(d, h, d->ftoken);
	if (!token || token == d->ftoken)
		return;
	err = gomem_own_claim(&d->fh, token, &off, &size);
	count(d, OD_CLAIM, err);
	if (err != -ENOENT)
		fail(d, "the other set claims token %#llx: %d", token, err);
	err = gomem_own_cancel(&d->fh, token);
	count(d, OD_CANCEL, err);
	if (err != -ENOENT)
		fail(d, "the other set cancels token %#llx: %d", token, err);
}

/* ---- batches ---- */

void od_alloc_batch(struct odiff *d, int h, const u64 *sizes, unsigned int n,
		    u64 align, u32 flags, bool undo,
		    void (*meddle)(struct odiff *d, int h,
				   const struct gomem_batch_entry *e,
				   unsigned int n, void *arg),
		    void *arg)
{
	struct gomem_batch_entry e[OD_BATCH_MAX];
	struct gomem_owned *recs[OD_BATCH_MAX];
	struct gomem_arena_stats before, after;
	u64 ids[OD_BATCH_MAX], nomem = 0;
	unsigned int i, k = 0, done, ok = 0;
	int want;

	for (i = 0; i < n; i++)
		e[i] = (struct gomem_batch_entry){ .offset = 0xdead0000 + i,
						   .size = sizes[i],
						   .result = 12345 };
	gomem_arena_stats(&d->a, &before);
	done = gomem_own_alloc_batch(d->h[h], e, n, align, flags, recs, ids);
	gomem_arena_stats(&d->a, &after);
	for (i = 0; i < n && !d->fail; i++) {
		want = om_alloc_check(&d->m, h, e[i].size, align, flags);
		count(d, OD_ALLOC_BATCH, e[i].result);
		if (e[i].pad)
			fail(d, "alloc batch entry %u: pad %u", i, e[i].pad);
		if (want ? e[i].result != want :
			   e[i].result && e[i].result != -ENOMEM)
			fail(d, "alloc batch entry %u (%llu) by %d: %d, model %d",
			     i, e[i].size, h, e[i].result, want);
		if (e[i].result) {
			nomem += e[i].result == -ENOMEM;
			if (e[i].offset != 0xdead0000 + i)
				fail(d, "alloc batch entry %u failed but wrote its offset",
				     i);
			continue;
		}
		alloc_done(d, h, e[i].offset, e[i].size, align, flags,
			   ids[k++]);
		ok++;
	}
	if (d->fail)
		return;
	if (done != ok)
		fail(d, "alloc batch of %u: %u done, %u entries succeeded", n,
		     done, ok);
	if (after.failed_allocs - before.failed_allocs != nomem)
		fail(d, "alloc batch: %llu -ENOMEM entries, the arena counted %llu",
		     nomem, after.failed_allocs - before.failed_allocs);
	if (!undo || d->fail)
		return;
	if (meddle)
		meddle(d, h, e, n, arg);
	for (i = 0, k = 0; i < n && !d->fail; i++) {
		if (e[i].result)
			continue;
		count(d, OD_UNDO, om_undo(&d->m, h, e[i].offset, e[i].size,
					  ids[k++]) ? 0 : -EINVAL);
		verify_freed(d, "undo batch");
	}
	gomem_own_undo_batch(d->h[h], e, n, ids);
}

void od_free_batch(struct odiff *d, int h, const struct gomem_batch_entry *in,
		   unsigned int n)
{
	struct gomem_batch_entry e[OD_BATCH_MAX];
	int want[OD_BATCH_MAX];
	unsigned int i, ok = 0, done;

	for (i = 0; i < n; i++) {
		e[i] = in[i];
		e[i].result = 12345;
		want[i] = om_free(&d->m, h, e[i].offset, e[i].size);
		verify_freed(d, "free batch");
		ok += !want[i];
	}
	done = gomem_own_free_batch(d->h[h], e, n);
	for (i = 0; i < n; i++) {
		count(d, OD_FREE_BATCH, e[i].result);
		if (e[i].result != want[i])
			fail(d, "free batch entry %u [%llu, +%llu) by %d: %d, model %d",
			     i, e[i].offset, e[i].size, h, e[i].result,
			     want[i]);
		if (e[i].offset != in[i].offset || e[i].size != in[i].size ||
		    e[i].pad != in[i].pad)
			fail(d, "free batch entry %u: input fields changed", i);
	}
	if (done != ok)
		fail(d, "free batch of %u: %u done, model %u", n, done, ok);
	if (!d->fail)
		learn_split_ids(d);
}

void od_release_batch(struct odiff *d, int h,
		      const struct gomem_batch_entry *in, unsigned int n)
{
	struct gomem_batch_entry e[OD_BATCH_MAX];
	int want[OD_BATCH_MAX];
	unsigned int i, ok = 0, done;

	for (i = 0; i < n; i++) {
		e[i] = in[i];
		e[i].result = 12345;
		d->m.nr_freed = 0;
		want[i] = e[i].size ? -EINVAL :
				      om_release(&d->m, h, e[i].offset);
		verify_freed(d, "release batch");
		ok += !want[i];
	}
	done = gomem_own_release_batch(d->h[h], e, n);
	for (i = 0; i < n; i++) {
		count(d, OD_RELEASE_BATCH, e[i].result);
		if (e[i].result != want[i])
			fail(d, "release batch entry %u (%llu, size %llu) by %d: %d, model %d",
			     i, e[i].offset, e[i].size, h, e[i].result,
			     want[i]);
	}
	if (done != ok)
		fail(d, "release batch of %u: %u done, model %u", n, done, ok);
}

/*
 * A share batch: each entry as a single share would be, in order, against
 * the model; tokens checked as od_share() checks them.  With @undo, the
 * tokens are then withdrawn (gomem_own_undo_share_batch()), as the device
 * does when it cannot write them back: the model cancels each.
 */
void od_share_batch(struct odiff *d, int h,
		    const struct gomem_share_entry *in, unsigned int n,
		    bool undo)
{
	struct gomem_share_entry e[OD_BATCH_MAX];
	struct gomem_share_token *recs[OD_BATCH_MAX];
	int want[OD_BATCH_MAX], tok[OD_BATCH_MAX];
	unsigned int i, ok = 0, done;
	u64 v;

	for (i = 0; i < n; i++) {
		e[i] = in[i];
		e[i].token = 0x5a5a5a5a5a5a5a5aULL;
		e[i].result = 12345;
		tok[i] = -1;
		want[i] = om_share(&d->m, h, e[i].offset, e[i].size,
				   e[i].claims, &tok[i]);
		ok += !want[i];
	}
	done = gomem_own_share_batch(d->h[h], e, n, recs);
	for (i = 0; i < n; i++) {
		count(d, OD_SHARE_BATCH, e[i].result);
		if (e[i].result != want[i]) {
			fail(d, "share batch entry %u [%llu, +%llu) x%u by %d: %d, model %d",
			     i, e[i].offset, e[i].size, e[i].claims, h,
			     e[i].result, want[i]);
			continue;
		}
		if (e[i].offset != in[i].offset || e[i].size != in[i].size ||
		    e[i].claims != in[i].claims || e[i].flags != in[i].flags ||
		    e[i].pad != in[i].pad)
			fail(d, "share batch entry %u: input fields changed", i);
		v = e[i].token;
		if (e[i].result) {
			if (v != 0x5a5a5a5a5a5a5a5aULL)
				fail(d, "share batch entry %u failed but wrote a token",
				     i);
			continue;
		}
		if (!v)
			fail(d, "share batch gave token 0");
		else if (!set_add(&d->tokens_seen, v))
			fail(d, "token %#llx given twice", v);
		d->token_downs += v < d->last_token;
		d->last_token = v;
		om_share_value(&d->m, tok[i], v);
	}
	if (done != ok)
		fail(d, "share batch of %u: %u done, model %u", n, done, ok);
	if (!undo || d->fail)
		return;
	for (i = 0; i < n; i++) {
		if (e[i].result)
			continue;
		d->m.nr_freed = 0;
		if (om_cancel(&d->m, h, e[i].token))
			fail(d, "share batch undo: the model cannot cancel %#llx",
			     e[i].token);
		verify_freed(d, "share batch undo");
		stale_push(d, e[i].token);
	}
	gomem_own_undo_share_batch(d->h[h], e, n);
}

/*
 * A claim batch, each entry as od_claim() would be, in order.  With
 * @undo, one claim per entry that succeeded is then released
 * (gomem_own_undo_claim_batch()), as the device does when it cannot
 * write the ranges back.
 */
void od_claim_batch(struct odiff *d, int h,
		    const struct gomem_claim_entry *in, unsigned int n,
		    bool undo)
{
	struct gomem_claim_entry e[OD_BATCH_MAX];
	struct gomem_reference *recs[OD_BATCH_MAX];
	u64 woff[OD_BATCH_MAX], wsize[OD_BATCH_MAX];
	int want[OD_BATCH_MAX], t;
	bool ends[OD_BATCH_MAX];
	unsigned int i, ok = 0, done;

	for (i = 0; i < n; i++) {
		e[i] = in[i];
		e[i].offset = U64_MAX;
		e[i].size = U64_MAX;
		e[i].result = 12345;
		t = om_token_find(&d->m, e[i].token);
		ends[i] = t >= 0 && d->m.tokens[t].left == 1;
		woff[i] = 0;
		wsize[i] = 0;
		want[i] = om_claim(&d->m, h, e[i].token, &woff[i], &wsize[i]);
		ok += !want[i];
	}
	done = gomem_own_claim_batch(d->h[h], e, n, recs);
	for (i = 0; i < n; i++) {
		count(d, OD_CLAIM_BATCH, e[i].result);
		if (e[i].result != want[i])
			fail(d, "claim batch entry %u %#llx by %d: %d, model %d",
			     i, e[i].token, h, e[i].result, want[i]);
		else if (!e[i].result && (e[i].offset != woff[i] ||
					  e[i].size != wsize[i]))
			fail(d, "claim batch entry %u %#llx by %d: [%llu, +%llu), model [%llu, +%llu)",
			     i, e[i].token, h, e[i].offset, e[i].size,
			     woff[i], wsize[i]);
		else if (e[i].result && (e[i].offset != U64_MAX ||
					 e[i].size != U64_MAX))
			fail(d, "claim batch entry %u failed but wrote a range",
			     i);
		if (e[i].token != in[i].token || e[i].flags != in[i].flags)
			fail(d, "claim batch entry %u: input fields changed", i);
		if (!e[i].result && ends[i])
			stale_push(d, e[i].token);
	}
	if (done != ok)
		fail(d, "claim batch of %u: %u done, model %u", n, done, ok);
	if (!undo || d->fail)
		return;
	for (i = 0; i < n; i++) {
		if (e[i].result)
			continue;
		d->m.nr_freed = 0;
		if (om_release(&d->m, h, e[i].offset))
			fail(d, "claim batch undo: the model cannot release %llu",
			     e[i].offset);
		verify_freed(d, "claim batch undo");
	}
	gomem_own_undo_claim_batch(d->h[h], e, n);
}

void od_trim(struct odiff *d)
{
	gomem_arena_trim(&d->a);
	count(d, OD_TRIM, 0);
}

/* ---- state checks ---- */

#define OSTAT(f)	{ #f, offsetof(struct gomem_owner_stats, f) }
static const struct {
	const char *name;
	size_t off;
} ostat_fields[] = {
	OSTAT(holders), OSTAT(in_use), OSTAT(regions), OSTAT(refs),
	OSTAT(ref_bytes), OSTAT(tokens), OSTAT(all_refs), OSTAT(all_tokens),
	OSTAT(orphans), OSTAT(orphan_bytes),
};

static void check_stats(struct odiff *d, int h)
{
	struct gomem_owner_stats st, mst;
	unsigned int i;
	u64 v, mv;

	memset(&st, 0xa5, sizeof(st));
	gomem_own_stats(d->h[h], &st, NULL);
	om_stats(&d->m, h, &mst);
	for (i = 0; i < ARRAY_SIZE(ostat_fields); i++) {
		memcpy(&v, (char *)&st + ostat_fields[i].off, sizeof(v));
		memcpy(&mv, (char *)&mst + ostat_fields[i].off, sizeof(mv));
		if (v != mv) {
			fail(d, "stats of holder %d: %s %llu, model %llu", h,
			     ostat_fields[i].name, v, mv);
			return;
		}
	}
}

void od_check(struct odiff *d, int h)
{
	struct gomem_owner_stats os;
	struct gomem_arena_stats st;

	/* As the holders see it: what the parks keep is freed. */
	gomem_owners_stats(&d->o, &os, &st);
	if (st.in_use != om_in_use(&d->m))
		fail(d, "arena in_use %llu, model's live regions %llu",
		     st.in_use, om_in_use(&d->m));
	else if (st.allocs != d->m.arena_allocs ||
		 st.frees != d->m.arena_frees)
		fail(d, "arena counted %llu allocs and %llu frees, model %llu and %llu",
		     st.allocs, st.frees, d->m.arena_allocs,
		     d->m.arena_frees);
	if (h >= 0 && d->h[h])
		check_stats(d, h);
}

struct walk_cmp {
	struct odiff *d;
	const struct gomem_owner_region_info *want;
	unsigned int nr;
	unsigned int i;
	unsigned int stop;	/* stop after this many (0: never) */
};

static int walk_cmp(void *data, const struct gomem_owner_region_info *ri)
{
	struct walk_cmp *w = data;
	const struct gomem_owner_region_info *m;

	if (w->i >= w->nr) {
		fail(w->d, "walk: region %llu+%llu beyond the model's %u",
		     ri->offset, ri->size, w->nr);
		return -1;
	}
	m = &w->want[w->i++];
	if (memcmp(ri, m, sizeof(*ri))) {
		fail(w->d, "walk: region %llu+%llu id %llu owner %llu refs %llu claims %llu tokens %llu; model %llu+%llu id %llu owner %llu refs %llu claims %llu tokens %llu",
		     ri->offset, ri->size, ri->id, ri->owner, ri->refs,
		     ri->claims, ri->tokens, m->offset, m->size, m->id,
		     m->owner, m->refs, m->claims, m->tokens);
		return -1;
	}
	return w->stop && w->i == w->stop ? 7 : 0;
}

static int cmp_info(const void *x, const void *y)
{
	const struct gomem_owner_region_info *a = x, *b = y;

	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static void check_walk(struct odiff *d, u64 from, unsigned int stop)
{
	struct gomem_owner_region_info *want;
	struct walk_cmp w = { .d = d, .stop = stop };
	unsigned int i, first;
	int ret, wret;

	want = calloc(d->m.nr_regions + 1, sizeof(*want));
	if (!want)
		abort();
	for (i = 0; i < d->m.nr_regions; i++)
		om_region_info(&d->m, i, &want[i]);
	qsort(want, d->m.nr_regions, sizeof(*want), cmp_info);
	for (first = 0; first < d->m.nr_regions &&
	     want[first].offset + want[first].size <= from; first++)
		;
	w.want = want + first;
	w.nr = d->m.nr_regions - first;
	ret = gomem_owners_walk(&d->o, from, walk_cmp, &w);
	wret = stop && w.nr >= stop ? 7 : 0;
	if (!d->fail && (ret != wret || w.i != (wret ? stop : w.nr)))
		fail(d, "walk from %llu (stop after %u): returns %d after %u regions, model %d after %u",
		     from, stop, ret, w.i, wret, wret ? stop : w.nr);
	free(want);
}

void od_check_full(struct odiff *d, u64 from)
{
	unsigned int i;
	int h;

	if (gomem_owners_check(&d->o))
		fail(d, "gomem_owners_check() failed");
	if (gomem_arena_check(&d->a))
		fail(d, "gomem_arena_check() failed");
	for (h = 0; h < OM_HOLDERS; h++)
		if (d->h[h])
			check_stats(d, h);
	check_walk(d, 0, 0);
	check_walk(d, from, 0);
	check_walk(d, from, 3);
	for (i = 0; i < d->m.nr_regions && !d->fail; i++)
		verify(d, d->m.regions[i].off, d->m.regions[i].size,
		       d->m.regions[i].tag, "live region");
}
