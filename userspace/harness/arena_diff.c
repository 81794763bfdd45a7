// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * arena_diff: random operations on gomem_arena.c, natively under ASan and
 * UBSan, checked against a model of the live regions and their bytes.
 *
 * Each region is filled with its own byte when allocated and checked
 * before it is freed, so two regions that overlap in memory, or a chunk
 * released under a live region, show up as corrupted bytes (or an ASan
 * report).  After every operation the statistics must match the model;
 * the arena's invariant checker runs after every trim and every 8th op.
 * Half the frees of whole regions and tails run with every allocation
 * failing (their nodes are reserved), and a node must be kept for every
 * region the model holds.  An allocation may fail only when
 * no chunk can hold it and max_size leaves no room for a chunk that could;
 * trim must release exactly the entirely free chunks but the first, and
 * call the zap hook for each.
 *
 *   arena_diff [--seed N] [--ops N]     (ops per configuration)
 *
 * Runs every policy x chunk source; ends with "N passed, N failed".
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/align.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <asm/page.h>

#include "gomem_arena.h"
#include "shim.h"

#define MAX_HELD	256

struct held {
	u64 off;
	u64 size;	/* rounded to the granule */
	u8 tag;
};

struct run {
	struct gomem_arena a;
	struct held held[MAX_HELD];
	unsigned int nheld;
	u64 in_use;
	u64 rng;
	u64 op;
	/* Zap hook record for the current trim. */
	u64 zapped;
	unsigned int zaps;
	/* Counts for the report. */
	u64 allocs, enomem, frees, partial, rests, bad, trims, released;
	u64 finds, borrows;
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

static void zap_hook(void *data, u64 offset, u64 size)
{
	struct run *r = data;
	unsigned int i;

	for (i = 0; i < r->nheld; i++)
		if (r->held[i].off < offset + size &&
		    offset < r->held[i].off + r->held[i].size)
			fail(r, "zap of [%llu, +%llu) under live region %llu",
			     offset, size, r->held[i].off);
	r->zapped += size;
	r->zaps++;
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

/* Smallest chunk growth would add for @size bytes, as the arena sizes it. */
static u64 growth_need(const struct gomem_arena *a, u64 size)
{
	u64 want = ALIGN(size, PAGE_SIZE);

	if (a->params.source == GOMEM_CHUNKS_BUDDY)
		want = (u64)roundup_pow_of_two(want >> PAGE_SHIFT) << PAGE_SHIFT;
	return want;
}

static bool do_alloc(struct run *r)
{
	struct gomem_arena *a = &r->a;
	u64 size, align, off, find_off, g = a->params.granule;
	bool zero = next(r) % 4 == 0;
	struct gomem_arena_stats st;
	struct held *h;
	unsigned int i;
	int err, ferr;

	switch (next(r) % 16) {
	case 0:
		size = 1 + next(r) % (2 * a->params.max_chunk);
		break;
	case 1:
	case 2:
		size = 1 + next(r) % (4 * PAGE_SIZE);
		break;
	default:
		size = 1 + next(r) % 512;
	}
	align = 1ULL << (next(r) % 13);
	ferr = gomem_arena_find(a, size, align, &find_off);
	gomem_arena_stats(a, &st);
	err = gomem_arena_alloc(a, size, align, zero ? GOMEM_ALLOC_ZERO : 0,
				&off);
	if (err == -ENOMEM) {
		r->enomem++;
		if (!ferr)
			return fail(r, "alloc %llu/%llu: -ENOMEM but find says %llu",
				    size, align, find_off);
		if (st.capacity + growth_need(a, size) <= a->params.max_size)
			return fail(r, "alloc %llu: -ENOMEM with room to grow (%llu of %llu)",
				    size, st.capacity, a->params.max_size);
		return true;
	}
	if (err)
		return fail(r, "alloc %llu/%llu: %d", size, align, err);
	if (!ferr && off != find_off)
		return fail(r, "alloc %llu/%llu at %llu, find said %llu", size,
			    align, off, find_off);
	if (off % max(align, g))
		return fail(r, "alloc at %llu not aligned to %llu", off, align);
	size = ALIGN(size, g);
	for (i = 0; i < r->nheld; i++)
		if (r->held[i].off < off + size &&
		    off < r->held[i].off + r->held[i].size)
			return fail(r, "alloc [%llu, +%llu) overlaps region %llu",
				    off, size, r->held[i].off);
	if (zero) {
		const u8 *p = gomem_arena_ptr(a, off, size);

		if (!p || memchr_inv(p, 0, size))
			return fail(r, "zeroed alloc at %llu not zero", off);
	}
	r->allocs++;
	r->in_use += size;
	h = &r->held[r->nheld++];
	h->off = off;
	h->size = size;
	h->tag = (u8)next(r) | 1;
	memset(gomem_arena_ptr(a, off, size), h->tag, size);
	return true;
}

static bool do_free(struct run *r)
{
	struct gomem_arena *a = &r->a;
	u64 g = a->params.granule, cut, len;
	unsigned int i = next(r) % r->nheld;
	struct held h = r->held[i];
	/*
	 * Half the frees of a whole region or a tail run with no memory at
	 * all: their nodes were reserved (docs/arena.md), they cannot fail.
	 */
	bool starve = next(r) % 2;
	int err;

	if (!intact(r, &h))
		return false;
	r->held[i] = r->held[--r->nheld];
	switch (next(r) % 4) {
	case 0:		/* free-rest: keep a head */
		cut = next(r) % (h.size + 1);
		if (starve)
			shim_slab_fail_after(0);
		err = gomem_arena_free_rest(a, h.off, h.size, cut);
		shim_slab_fail_reset();
		cut = min(ALIGN(cut, g), h.size);
		r->rests++;
		break;
	case 1:		/* partial: free a middle piece, keep both ends */
		if (h.size >= 3 * g) {
			cut = g * (1 + next(r) % (h.size / g - 2));
			len = g * (1 + next(r) % ((h.size - cut) / g - 1));
			err = gomem_arena_free_part(a, h.off, h.size,
						    h.off + cut, len);
			if (err)
				return fail(r, "free middle: %d", err);
			r->in_use -= len;
			r->partial++;
			r->held[r->nheld++] = (struct held){ h.off, cut, h.tag };
			if (r->nheld < MAX_HELD)
				r->held[r->nheld++] = (struct held){
					h.off + cut + len, h.size - cut - len,
					h.tag };
			r->frees++;
			return true;
		}
		fallthrough;
	default:
		/* The arena rounds a free up to the granule, like an alloc. */
		cut = 0;
		if (starve)
			shim_slab_fail_after(0);
		err = gomem_arena_free(a, h.off, h.size - next(r) % g);
		shim_slab_fail_reset();
	}
	if (err)
		return fail(r, "free [%llu, +%llu) keep %llu: %d", h.off, h.size,
			    cut, err);
	r->in_use -= h.size - cut;
	if (cut)
		r->held[r->nheld++] = (struct held){ h.off, cut, h.tag };
	/* The freed bytes are free now: a second free must be refused. */
	if (h.size != cut &&
	    gomem_arena_free(a, h.off + cut, h.size - cut) != -EINVAL)
		return fail(r, "double free of [%llu, +%llu) accepted",
			    h.off + cut, h.size - cut);
	r->frees++;
	return true;
}

static bool do_bad(struct run *r)
{
	struct gomem_arena *a = &r->a;
	struct gomem_arena_stats before, after;
	u64 off, size;
	int err;

	switch (next(r) % 4) {
	case 0:
		off = 3 * a->params.max_size + next(r) % 4096;
		size = 8;
		break;
	case 1:
		off = a->params.granule * (next(r) % 512) + 1;
		size = 8;
		break;
	case 2:
		off = 0;
		size = 0;
		break;
	default:	/* a span that includes free bytes, if there are any */
		off = a->params.granule * (next(r) % 512);
		size = 2 * a->params.max_chunk;
	}
	gomem_arena_stats(a, &before);
	err = gomem_arena_free(a, off, size);
	gomem_arena_stats(a, &after);
	if (err != -EINVAL)
		return fail(r, "bad free [%llu, +%llu): %d", off, size, err);
	if (memcmp(&before, &after, sizeof(before)))
		return fail(r, "bad free changed the statistics");
	r->bad++;
	return true;
}

static bool do_trim(struct run *r)
{
	struct gomem_arena *a = &r->a;
	struct gomem_arena_stats before, after;
	unsigned int i, idle = 0;
	u64 released;

	for (i = 1; i < a->nr_chunks; i++)
		if (gomem_range_free_bytes(&a->chunks[i]->range) ==
		    a->chunks[i]->size)
			idle++;
	gomem_arena_stats(a, &before);
	r->zapped = 0;
	r->zaps = 0;
	released = gomem_arena_trim(a);
	gomem_arena_stats(a, &after);
	if (r->zaps != idle || r->zapped != released ||
	    before.capacity - after.capacity != released)
		return fail(r, "trim released %llu in %u zaps (%llu zapped), expected %u chunks",
			    released, r->zaps, r->zapped, idle);
	for (i = 1; i < a->nr_chunks; i++)
		if (gomem_range_free_bytes(&a->chunks[i]->range) ==
		    a->chunks[i]->size)
			return fail(r, "trim kept idle chunk %u", i);
	r->trims++;
	r->released += released;
	return true;
}

static bool do_borrow(struct run *r)
{
	struct gomem_arena_stats before, after;
	u64 size = 1 + next(r) % 1024;
	u8 *p;

	gomem_arena_stats(&r->a, &before);
	p = gomem_arena_borrow(&r->a, size);
	gomem_arena_stats(&r->a, &after);
	if (before.in_use != after.in_use)
		return fail(r, "borrow changed in_use");
	if (p)
		memset(p, 0xb0, size);	/* free bytes: nobody may notice */
	r->borrows++;
	return true;
}

static bool step(struct run *r)
{
	struct gomem_arena_stats st;
	unsigned int k = next(r) % 100;
	/* Phases of filling and draining, so that chunks come and go. */
	unsigned int fill = (r->op / 4000) % 2 ? 70 : 20, i;
	u64 kept;
	bool ok;

	if (r->nheld < MAX_HELD && (k < fill || !r->nheld))
		ok = do_alloc(r);
	else if (k < 88)
		ok = do_free(r);
	else if (k < 93)
		ok = do_bad(r);
	else if (k < 97)
		ok = do_trim(r);
	else
		ok = do_borrow(r);
	if (!ok)
		return false;
	/*
	 * The checker walks every chunk's trees, which dominates the run; the
	 * range allocators already have it after every operation in
	 * range_diff, so here it runs after every trim and every 8th op.
	 */
	if ((k >= 93 || r->op % 8 == 0) && gomem_arena_check(&r->a))
		return fail(r, "invariant checker failed");
	/* A node kept for every region the model holds. */
	for (i = 0, kept = 0; i < r->a.nr_chunks; i++)
		kept += gomem_range_kept(&r->a.chunks[i]->range);
	if (kept < r->nheld)
		return fail(r, "%llu nodes kept for %u regions", kept, r->nheld);
	gomem_arena_stats(&r->a, &st);
	if (st.in_use != r->in_use)
		return fail(r, "in_use %llu, model %llu", st.in_use, r->in_use);
	if (st.capacity > r->a.params.max_size)
		return fail(r, "capacity %llu over max %llu", st.capacity,
			    r->a.params.max_size);
	return true;
}

static bool run_one(enum gomem_policy policy, enum gomem_chunk_source src,
		    u64 seed, u64 ops)
{
	struct gomem_arena_params p = {
		.initial_size = 2 * PAGE_SIZE,
		.max_chunk = 16 * PAGE_SIZE,
		.max_size = 128 * PAGE_SIZE,
		.policy = policy,
		.source = src,
	};
	struct gomem_arena_stats st;
	struct run *r = calloc(1, sizeof(*r));
	const char *name = src == GOMEM_CHUNKS_BUDDY ? "buddy" : "vmalloc";
	struct timespec t0, t1;
	unsigned int i;
	bool ok = true;

	if (!r || gomem_arena_init(&r->a, &p)) {
		printf("%s/%s: init failed\n", gomem_policy_name(policy), name);
		free(r);
		return false;
	}
	r->rng = seed * 0x9e3779b97f4a7c15ULL + policy * 2 + src + 1;
	gomem_arena_set_zap(&r->a, zap_hook, r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r->op = 0; r->op < ops && ok; r->op++)
		ok = step(r);
	for (i = 0; ok && i < r->nheld; i++)
		ok = intact(r, &r->held[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	gomem_arena_stats(&r->a, &st);
	printf("%s/%s: %llu ops, seed %llu: %llu allocs (%llu"
	       " ENOMEM), %llu frees (%llu partial, %llu"
	       " free-rest), %llu bad frees refused, %llu"
	       " trims releasing %llu KiB, %llu borrows; %llu grows, peak %llu KiB of %llu, %.1f s\n",
	       gomem_policy_name(policy), name, r->op, seed, r->allocs,
	       r->enomem, r->frees, r->partial, r->rests, r->bad, r->trims,
	       r->released >> 10, r->borrows, st.grows, st.peak_in_use >> 10,
	       p.max_size >> 10,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (!ok)
		printf("FAIL %s/%s: %s (replay: arena_diff --seed %llu)\n",
		       gomem_policy_name(policy), name, r->fail, seed);
	gomem_arena_destroy(&r->a);
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
	u64 seed = 1, ops = 150000;
	unsigned int passed = 0, failed = 0;
	int c, pol, src;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (c == 'n')
			ops = strtoull(optarg, NULL, 0);
		else
			return 2;
	}
	for (pol = GOMEM_POLICY_TREAP; pol <= GOMEM_POLICY_AVL; pol++)
		for (src = GOMEM_CHUNKS_VMALLOC; src <= GOMEM_CHUNKS_BUDDY; src++)
			if (run_one(pol, src, seed, ops))
				passed++;
			else
				failed++;
	if (shim_problems())
		failed++;
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
