// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * owner_diff: random operations on gomem_owner.c over a real arena,
 * natively under ASan and UBSan, checked against a model of the rules of
 * docs/ownership.md (owner_model.c) by owner_check.c.
 *
 * Up to 16 holders live at once; they allocate, free (whole, head, tail,
 * middle), share what they own or reference, claim each other's tokens
 * (and their own, and forged, stale and foreign ones), cancel, release,
 * recycle, undo allocations (some changed since: freed in part, shared,
 * freed and allocated again), run batches of each, and die at random
 * with whatever they hold, new holders taking their place.  The arena is
 * small, so offsets are reused at once and allocations fail for room, and
 * the record limit is small, so -EDQUOT comes often.
 *
 * Every return value and output must match the model; the arena's in_use,
 * allocs and frees must follow it; no allocation may overlap a region
 * with a live hold, and every region's bytes keep their pattern until its
 * last hold goes; token values are never 0 and never repeat; the set's
 * invariant checker, every holder's statistics and the walk are compared
 * after each of the first 10,000 operations, then every 1,000th.  At the
 * end every holder exits: in_use must be 0, no record left, trim back to
 * one chunk; the caches are checked for leaks.  The run also fails if an
 * outcome the rules name (each errno of each call, orphans, splits,
 * undos taken and declined) never happened.
 *
 *   owner_diff [--seed N] [--ops N]     (ops per configuration)
 *
 * Two configurations (treap/vmalloc, avl/buddy with a 64-byte granule);
 * ends with "N passed, N failed".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <asm/page.h>

#include "owner_check.h"
#include "shim.h"

/* Most holders alive at once. */
#define MAX_ALIVE	16
/* Full checks after every op up to here, then every FULL_EVERY ops. */
#define FULL_UNTIL	10000
#define FULL_EVERY	1000

struct run {
	struct odiff d;
	u64 rng;
	u64 orphans_seen;
	u64 max_regions;
};

static u64 next(struct run *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

static u64 below(struct run *r, u64 n)
{
	return n ? next(r) % n : 0;
}

static bool chance(struct run *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

/* A live holder, or -1. */
static int pick_holder(struct run *r)
{
	int slots[OM_HOLDERS], n = 0, h;

	for (h = 0; h < OM_HOLDERS; h++)
		if (r->d.h[h])
			slots[n++] = h;
	return n ? slots[below(r, n)] : -1;
}

enum which { OWNED, REFERENCED, HELD, ANY, NOT_HELD };

/* Index of a model region @h has the relation @w with, or -1. */
static int pick_region(struct run *r, int h, enum which w)
{
	const struct omodel *m = &r->d.m;
	unsigned int i, n = 0, k;
	bool own, ref, ok;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < m->nr_regions; i++) {
			own = m->regions[i].owner == h;
			ref = m->regions[i].claims[h];
			ok = w == ANY || (w == OWNED && own) ||
			     (w == REFERENCED && ref) ||
			     (w == HELD && (own || ref)) ||
			     (w == NOT_HELD && !own && !ref);
			if (!ok)
				continue;
			if (k && !n--)
				return i;
			if (!k)
				n++;
		}
		if (!n)
			return -1;
		n = below(r, n);
	}
	return -1;
}

/* A byte offset inside region @i. */
static u64 inside(struct run *r, int i)
{
	const struct om_region *g = &r->d.m.regions[i];

	return g->off + below(r, g->size);
}

static u64 pick_size(struct run *r)
{
	switch (below(r, 32)) {
	case 0:
		return 1 + below(r, 20 * PAGE_SIZE);
	case 1:
	case 2:
	case 3:
		return 1 + below(r, 4 * PAGE_SIZE);
	default:
		return 1 + below(r, 512);
	}
}

static void do_alloc(struct run *r, int h)
{
	static const u64 bad_sizes[] = { 0, U64_MAX, 1ULL << 63 };
	static const u64 bad_aligns[] = { 3, 2 * PAGE_SIZE, U64_MAX, 48 };
	u64 size = pick_size(r), align = 0;
	u32 flags = chance(r, 20) ? GOMEM_ALLOC_NOZERO : 0;

	if (chance(r, 40))
		align = 1ULL << below(r, 13);
	switch (below(r, 40)) {
	case 0:
		size = bad_sizes[below(r, ARRAY_SIZE(bad_sizes))];
		break;
	case 1:
		size = r->d.a.params.max_size + 1 + below(r, 4096);
		break;
	case 2:
		align = bad_aligns[below(r, ARRAY_SIZE(bad_aligns))];
		break;
	case 3:
		flags = chance(r, 50) ? 0x2 : 0x80000000U | flags;
		break;
	default:
		break;
	}
	od_alloc(&r->d, h, size, align, flags, NULL, NULL);
}

static void do_free(struct run *r, int h)
{
	const struct omodel *m = &r->d.m;
	u64 g = m->granule, off, size, units;
	int i = pick_region(r, h, OWNED);

	if (i < 0)
		return;
	off = m->regions[i].off;
	size = m->regions[i].size;
	units = size / g;
	switch (below(r, 6)) {
	case 0:		/* whole, size not rounded */
		size -= below(r, g);
		break;
	case 1:		/* head */
		size = g * (1 + below(r, units));
		break;
	case 2:		/* tail */
		off += g * below(r, units);
		size = m->regions[i].off + size - off;
		break;
	case 3:		/* middle */
	case 4:
		if (units >= 3) {
			off += g * (1 + below(r, units - 2));
			size = g * (1 + below(r, (m->regions[i].off + size -
						  off) / g - 1));
		}
		break;
	default:	/* whole */
		break;
	}
	od_free(&r->d, h, off, size);
}

/* Frees the rules refuse (or a few they allow by chance). */
static void do_bad_free(struct run *r, int h)
{
	const struct omodel *m = &r->d.m;
	u64 g = m->granule, off, size = g;
	int i = pick_region(r, h, chance(r, 50) ? ANY : OWNED);

	if (i < 0) {
		od_free(&r->d, h, below(r, 64 * PAGE_SIZE), g);
		return;
	}
	off = m->regions[i].off;
	switch (below(r, 6)) {
	case 0:
		size = 0;
		break;
	case 1:
		off += 1 + below(r, g - 1);
		break;
	case 2:		/* past its end */
		size = m->regions[i].size + g * (1 + below(r, 3));
		break;
	case 3:
		size = U64_MAX - below(r, 2);
		break;
	case 4:		/* just past it: free space, or the next region */
		off += m->regions[i].size;
		break;
	default:
		size = m->regions[i].size;
	}
	od_free(&r->d, h, off, size);
}

/*
 * What a share asks: a region @h holds mostly, a range of it, sometimes
 * past its end or with bad claims.  False if there is nothing to share
 * (then, sometimes, a share of free space).
 */
static bool pick_share(struct run *r, int h, u64 *offp, u64 *sizep,
		       u32 *claimsp)
{
	const struct omodel *m = &r->d.m;
	u32 claims = chance(r, 70) ? 1 : 2 + below(r, 3);
	u64 off, size = 0, end;
	int i;

	i = pick_region(r, h, chance(r, 8) ? NOT_HELD : HELD);
	if (i < 0) {
		*offp = below(r, 64 * PAGE_SIZE);
		*sizep = 0;
		*claimsp = 1;
		return false;
	}
	off = inside(r, i);
	end = m->regions[i].off + m->regions[i].size;
	switch (below(r, 8)) {
	case 0:
		off = m->regions[i].off;
		break;
	case 1:
	case 2:
		size = 1 + below(r, end - off);
		break;
	case 3:		/* past its end */
		size = end - off + 1 + below(r, 64);
		break;
	case 4:
		if (chance(r, 30))
			claims = 0;
		else if (chance(r, 50))
			claims = U32_MAX;
		break;
	default:
		break;
	}
	*offp = off;
	*sizep = size;
	*claimsp = claims;
	return true;
}

static void do_share(struct run *r, int h)
{
	u64 off, size;
	u32 claims;

	if (pick_share(r, h, &off, &size, &claims) || chance(r, 20))
		od_share(&r->d, h, off, size, claims, NULL);
}

/* A token nobody was given: forged, 0, spent, or another set's. */
static u64 bogus_token(struct run *r)
{
	switch (below(r, 5)) {
	case 0:
		return 0;
	case 1:
		return next(r);
	case 2:
		return od_live_token(&r->d, next(r)) + 1;
	case 3:
		return r->d.ftoken;
	default:
		return od_stale_token(&r->d, next(r));
	}
}

/* A token to claim: mostly a live one, sometimes @h's own, or bogus. */
static u64 pick_claim(struct run *r, int h)
{
	const struct omodel *m = &r->d.m;
	u64 t = od_live_token(&r->d, next(r));
	unsigned int i;

	if (chance(r, 15) || !t) {
		t = bogus_token(r);
	} else if (chance(r, 10)) {
		/* One of h's own tokens, if it has one. */
		for (i = 0; i < m->nr_tokens; i++)
			if (m->tokens[i].maker == h)
				t = m->tokens[i].value;
	}
	return t;
}

static void do_claim(struct run *r, int h)
{
	od_claim(&r->d, h, pick_claim(r, h));
}

static void do_cancel(struct run *r, int h)
{
	const struct omodel *m = &r->d.m;
	u64 t = 0;
	unsigned int i, n = 0;

	if (chance(r, 70)) {
		for (i = 0; i < m->nr_tokens; i++)
			n += m->tokens[i].maker == h;
		if (n) {
			n = below(r, n);
			for (i = 0; i < m->nr_tokens; i++)
				if (m->tokens[i].maker == h && !n--)
					t = m->tokens[i].value;
		}
	}
	if (!t)
		t = chance(r, 50) ? od_live_token(&r->d, next(r)) :
				    bogus_token(r);
	od_cancel(&r->d, h, t);
}

static u64 release_offset(struct run *r, int h)
{
	int i = pick_region(r, h, chance(r, 85) ? REFERENCED : ANY);

	if (i < 0)
		return below(r, 64 * PAGE_SIZE);
	return inside(r, i);
}

static void do_release(struct run *r, int h)
{
	od_release(&r->d, h, release_offset(r, h));
}

/*
 * Change some of a batch's regions before its undo: an undo must leave
 * alone whatever is no longer exactly as the batch made it.
 */
static void meddle(struct odiff *d, int h, const struct gomem_batch_entry *e,
		   unsigned int n, void *arg)
{
	struct run *r = arg;
	u64 g = d->m.granule, size;
	unsigned int i;
	int k;

	for (i = 0; i < n; i++) {
		if (e[i].result || chance(r, 50))
			continue;
		k = om_region_at(&d->m, e[i].offset);
		if (k < 0)
			continue;
		size = d->m.regions[k].size;
		switch (below(r, 5)) {
		case 0:
			od_free(d, h, e[i].offset, size);
			od_alloc(d, h, e[i].size, 0, 0, NULL, NULL);
			break;
		case 1:
			if (size > g)
				od_free(d, h, e[i].offset + size - g, g);
			break;
		case 2:
			if (size > g)
				od_free(d, h, e[i].offset, g);
			break;
		case 3:
			od_share(d, h, e[i].offset, 0, 1, NULL);
			break;
		default:
			od_free(d, h, e[i].offset, size);
		}
	}
}

static void do_undo(struct run *r, int h)
{
	struct gomem_batch_entry e;
	u64 size = pick_size(r), off, id;

	if (od_alloc(&r->d, h, size, 0, 0, &off, &id))
		return;
	e = (struct gomem_batch_entry){ .offset = off, .size = size };
	if (chance(r, 50))
		meddle(&r->d, h, &e, 1, r);
	if (chance(r, 10))
		id += 1 + below(r, 2);
	if (chance(r, 5))
		size += r->d.m.granule;
	od_undo(&r->d, h, off, size, id);
}

static void do_alloc_batch(struct run *r, int h)
{
	u64 sizes[OD_BATCH_MAX];
	unsigned int n = 1 + below(r, 8), i;
	u64 align = chance(r, 30) ? 1ULL << below(r, 13) : 0;
	bool undo = chance(r, 25), change = chance(r, 50);
	u32 flags = chance(r, 20) ? GOMEM_ALLOC_NOZERO : 0;

	for (i = 0; i < n; i++)
		sizes[i] = chance(r, 5) ? 0 : pick_size(r);
	od_alloc_batch(&r->d, h, sizes, n, align, flags, undo,
		       change ? meddle : NULL, r);
}

static void do_free_batch(struct run *r, int h)
{
	struct gomem_batch_entry e[OD_BATCH_MAX];
	const struct omodel *m = &r->d.m;
	unsigned int n = 1 + below(r, 8), i;
	int k;

	for (i = 0; i < n; i++) {
		k = pick_region(r, h, chance(r, 80) ? OWNED : ANY);
		e[i] = (struct gomem_batch_entry){ 0 };
		if (k < 0 || chance(r, 5)) {
			e[i].offset = below(r, 64 * PAGE_SIZE);
			e[i].size = m->granule;
		} else if (chance(r, 70)) {
			e[i].offset = m->regions[k].off;
			e[i].size = m->regions[k].size;
		} else {
			e[i].offset = m->regions[k].off + m->granule *
				      below(r, m->regions[k].size /
					       m->granule);
			e[i].size = m->granule;
		}
		if (i && chance(r, 10))
			e[i] = e[below(r, i)];	/* the same twice */
	}
	od_free_batch(&r->d, h, e, n);
}

static void do_release_batch(struct run *r, int h)
{
	struct gomem_batch_entry e[OD_BATCH_MAX];
	unsigned int n = 1 + below(r, 8), i;

	for (i = 0; i < n; i++) {
		e[i] = (struct gomem_batch_entry){ 0 };
		e[i].offset = release_offset(r, h);
		if (chance(r, 5))
			e[i].size = 1 + below(r, 64);
		if (i && chance(r, 15))
			e[i] = e[below(r, i)];
	}
	od_release_batch(&r->d, h, e, n);
}

/* Shares of regions @h holds, a few bad, now and then one range twice. */
static void do_share_batch(struct run *r, int h)
{
	struct gomem_share_entry e[OD_BATCH_MAX];
	unsigned int n = 1 + below(r, 16), i;

	for (i = 0; i < n; i++) {
		e[i] = (struct gomem_share_entry){ 0 };
		pick_share(r, h, &e[i].offset, &e[i].size, &e[i].claims);
		if (i && chance(r, 10))
			e[i] = e[below(r, i)];
	}
	od_share_batch(&r->d, h, e, n, chance(r, 10));
}

/*
 * Claims of live tokens, some bogus, some of one token twice (the second
 * -ENOENT once the first used its last claim).
 */
static void do_claim_batch(struct run *r, int h)
{
	struct gomem_claim_entry e[OD_BATCH_MAX];
	unsigned int n = 1 + below(r, 16), i;

	for (i = 0; i < n; i++) {
		e[i] = (struct gomem_claim_entry){ 0 };
		e[i].token = pick_claim(r, h);
		if (i && chance(r, 15))
			e[i].token = e[below(r, i)].token;
	}
	od_claim_batch(&r->d, h, e, n, chance(r, 10));
}

static void step(struct run *r)
{
	struct odiff *d = &r->d;
	unsigned int k, alive = om_holders(&d->m), i;
	/* Phases of filling and draining, so that room comes and goes. */
	unsigned int fill = (d->op / 5000) % 2 ? 26 : 12;
	int h;

	if (!alive || (alive < MAX_ALIVE && chance(r, 2))) {
		h = od_holder_new(d);
		od_check(d, h);
		return;
	}
	h = pick_holder(r);
	k = below(r, 1000);
	if (k < fill * 10)
		do_alloc(r, h);
	else if (k < 380)
		do_free(r, h);
	else if (k < 420)
		do_bad_free(r, h);
	else if (k < 530)
		do_share(r, h);
	else if (k < 660)
		do_claim(r, h);
	else if (k < 710)
		do_cancel(r, h);
	else if (k < 790)
		do_release(r, h);
	else if (k < 820)
		do_alloc_batch(r, h);
	else if (k < 850)
		do_free_batch(r, h);
	else if (k < 875)
		do_release_batch(r, h);
	else if (k < 885)
		od_recycle(d, h);
	else if (k < 940)
		do_undo(r, h);
	else if (k < 960)
		od_holder_exit(d, h);
	else if (k < 965)
		od_trim(d);
	else if (k < 975)
		od_foreign(d, h, od_live_token(d, next(r)));
	else if (k < 985)
		do_share_batch(r, h);
	else
		do_claim_batch(r, h);
	od_check(d, h);
	for (i = 0; i < d->m.nr_regions; i++)
		r->orphans_seen += d->m.regions[i].owner < 0;
	if (d->m.nr_regions > r->max_regions)
		r->max_regions = d->m.nr_regions;
	if (d->op < FULL_UNTIL || d->op % FULL_EVERY == 0)
		od_check_full(d, below(r, 64 * PAGE_SIZE));
}

/* Outcomes every long run must have reached. */
static const struct {
	enum od_op op;
	enum od_res res;
} must_reach[] = {
	{ OD_ALLOC, OD_OK }, { OD_ALLOC, OD_EINVAL }, { OD_ALLOC, OD_EDQUOT },
	{ OD_ALLOC, OD_ENOMEM },
	{ OD_FREE, OD_OK }, { OD_FREE, OD_EINVAL }, { OD_FREE, OD_EPERM },
	{ OD_FREE, OD_EBUSY }, { OD_FREE, OD_EDQUOT },
	{ OD_SHARE, OD_OK }, { OD_SHARE, OD_EINVAL }, { OD_SHARE, OD_EPERM },
	{ OD_SHARE, OD_EDQUOT },
	{ OD_CLAIM, OD_OK }, { OD_CLAIM, OD_ENOENT }, { OD_CLAIM, OD_EDQUOT },
	{ OD_CANCEL, OD_OK }, { OD_CANCEL, OD_ENOENT }, { OD_CANCEL, OD_EPERM },
	{ OD_RELEASE, OD_OK }, { OD_RELEASE, OD_EINVAL },
	{ OD_RECYCLE, OD_OK }, { OD_UNDO, OD_OK }, { OD_UNDO, OD_EINVAL },
	{ OD_ALLOC_BATCH, OD_OK }, { OD_ALLOC_BATCH, OD_EDQUOT },
	{ OD_FREE_BATCH, OD_OK }, { OD_FREE_BATCH, OD_EINVAL },
	{ OD_RELEASE_BATCH, OD_OK }, { OD_RELEASE_BATCH, OD_EINVAL },
	{ OD_EXIT, OD_OK }, { OD_TRIM, OD_OK },
	{ OD_SHARE_BATCH, OD_OK }, { OD_SHARE_BATCH, OD_EINVAL },
	{ OD_SHARE_BATCH, OD_EPERM }, { OD_SHARE_BATCH, OD_EDQUOT },
	{ OD_CLAIM_BATCH, OD_OK }, { OD_CLAIM_BATCH, OD_ENOENT },
	{ OD_CLAIM_BATCH, OD_EDQUOT },
};

static void report(struct run *r)
{
	const struct odiff *d = &r->d;
	unsigned int op, res;

	for (op = 0; op < OD_OPS; op++) {
		printf("  %-14s", od_op_names[op]);
		for (res = 0; res < OD_RES; res++)
			if (d->count[op][res])
				printf(" %s %llu",
				       op == OD_UNDO && res == OD_EINVAL ?
				       "kept" : od_res_names[res],
				       d->count[op][res]);
		printf("\n");
	}
}

static bool run_one(const char *name, const struct gomem_arena_params *p,
		    u64 max_records, u64 max_bytes, unsigned int park,
		    u64 seed, u64 ops)
{
	struct run *r = calloc(1, sizeof(*r));
	struct timespec t0, t1;
	unsigned int i;
	bool ok;

	if (!r || !od_init(&r->d, p, max_records)) {
		printf("%s: init failed\n", name);
		free(r);
		return false;
	}
	od_set_max_bytes(&r->d, max_bytes);
	r->d.o.park_max = park;
	r->rng = seed * 0x9e3779b97f4a7c15ULL + name[0] + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r->d.op = 0; r->d.op < ops && !r->d.fail; r->d.op++)
		step(r);
	ok = od_finish(&r->d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; ok && ops >= 200000 && i < ARRAY_SIZE(must_reach); i++)
		if (!r->d.count[must_reach[i].op][must_reach[i].res]) {
			printf("FAIL %s: %s never gave %s\n", name,
			       od_op_names[must_reach[i].op],
			       od_res_names[must_reach[i].res]);
			ok = false;
		}
	/* Clean bytes were both found and not: the rule ran both ways. */
	if (ok && ops >= 200000 && (!r->d.o.zeroed || !r->d.o.zero_skipped)) {
		printf("FAIL %s: zeroed %llu bytes, skipped %llu: one never happened\n",
		       name, r->d.o.zeroed, r->d.o.zero_skipped);
		ok = false;
	}
	/* Holders gone, their parks' hits are the set's. */
	if (ok && ops >= 200000 && park && !r->d.o.park_hits) {
		printf("FAIL %s: no allocation came from a park\n", name);
		ok = false;
	}
	if (ok && ops >= 200000 && (!r->orphans_seen || !r->d.split_ids)) {
		printf("FAIL %s: no orphan (%llu) or no split (%llu)\n", name,
		       r->orphans_seen, r->d.split_ids);
		ok = false;
	}
	printf("%s: %llu ops, seed %llu, max_records %llu: %llu orphans alive (summed over ops), %llu splits, %llu regions at most, %llu tokens made, %llu park hits, %.1f s\n",
	       name, r->d.op, seed, max_records, r->orphans_seen,
	       r->d.split_ids, r->max_regions, r->d.tokens_seen.nr,
	       r->d.o.park_hits,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	report(r);
	if (r->d.fail)
		printf("FAIL %s: %s (replay: owner_diff --seed %llu --ops %llu)\n",
		       name, r->d.fail, seed, r->d.op);
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
	 * Small arenas: offsets come back at once, allocations fail for room,
	 * chunks come and go.  The first takes regions above 64 KiB (zeroed
	 * with the lock dropped); the second has a 64-byte granule, a buddy
	 * pool and fewer records per holder, and parks of 3 regions (full
	 * at once: the oldest goes back); the third per-CPU fronts; the
	 * fourth parks as the device has them.
	 */
	static const struct {
		const char *name;
		struct gomem_arena_params p;
		u64 max_records;
		u64 max_bytes;
		unsigned int park;
	} cfgs[] = {
		{ "treap/vmalloc", { .initial_size = 4 * PAGE_SIZE,
				     .max_chunk = 8 * PAGE_SIZE,
				     .max_size = 48 * PAGE_SIZE,
				     .policy = GOMEM_POLICY_TREAP,
				     .source = GOMEM_CHUNKS_VMALLOC }, 12, 0, 0 },
		{ "avl/buddy", { .initial_size = 2 * PAGE_SIZE,
				 .max_chunk = 4 * PAGE_SIZE,
				 .max_size = 32 * PAGE_SIZE,
				 .granule = 64,
				 .policy = GOMEM_POLICY_AVL,
				 .source = GOMEM_CHUNKS_BUDDY }, 6,
		  /* and a byte limit: 6 pages owned and referenced */
		  6 * PAGE_SIZE, 3 },
		/* As the device runs: frees of small regions stay per CPU. */
		{ "treap/front", { .initial_size = 4 * PAGE_SIZE,
				   .max_chunk = 8 * PAGE_SIZE,
				   .max_size = 48 * PAGE_SIZE,
				   .granule = 64,
				   .policy = GOMEM_POLICY_TREAP,
				   .source = GOMEM_CHUNKS_VMALLOC,
				   .front_max = GOMEM_FRONT_MAX }, 12, 0, 0 },
		/* Each holder parks regions it frees, as the device's do. */
		{ "treap/park", { .initial_size = 4 * PAGE_SIZE,
				  .max_chunk = 8 * PAGE_SIZE,
				  .max_size = 48 * PAGE_SIZE,
				  .policy = GOMEM_POLICY_TREAP,
				  .source = GOMEM_CHUNKS_VMALLOC }, 12, 0,
		  GOMEM_PARK_MAX },
	};
	u64 seed = 1, ops = 1000000;
	unsigned int passed = 0, failed = 0, i;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (c == 'n')
			ops = strtoull(optarg, NULL, 0);
		else
			return 2;
	}
	shim_random_seed(seed);
	for (i = 0; i < ARRAY_SIZE(cfgs); i++)
		if (run_one(cfgs[i].name, &cfgs[i].p, cfgs[i].max_records,
			    cfgs[i].max_bytes, cfgs[i].park, seed, ops))
			passed++;
		else
			failed++;
	if (shim_problems())
		failed++;
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
