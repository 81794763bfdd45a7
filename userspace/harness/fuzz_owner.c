// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: an input is a sequence of operations of a few holders
 * on one set of ownership records (gomem_owner.c) over a small arena,
 * checked after every operation against the model exactly as owner_diff
 * does (owner_check.c): any mismatch, overwritten region, repeated token,
 * WARN or leaked record aborts, which libFuzzer records as a crash.
 *
 * Input format (gen_corpus_owner.sh writes the seed corpus):
 *   [0] setup: bit 0 policy avl, bit 1 buddy chunks, bit 2 a 64-byte
 *       granule; bits 3-5: max_records - 1; bits 6-7: a byte limit of
 *       0 (none), 2, 4 or 8 pages
 * Then operations until the input ends; a missing byte reads as 0.  "h"
 * picks a live holder (h % live; with none alive one is made first),
 * "r" a region of the model (r % regions), "t" a token.  The opcode is
 * the first byte modulo OP_COUNT:
 *   0 NEW                            a new holder (at most OF_HOLDERS)
 *   1 EXIT     h                     the holder dies
 *   2 ALLOC    h, s lo, s hi, a, f   alloc(s, align, flags): a & 15 < 13:
 *                                    1 << (a & 15), 13: 0, 14: 3, 15:
 *                                    2 pages; f & 1 NOZERO, f & 2 a bad
 *                                    flag; s = 0xffff: max_size + 1
 *   3 FREE     h, r, mode, v         region r: mode % 5 = 0 whole, 1 head
 *                                    of v + 1 granules, 2 tail from
 *                                    granule v, 3 middle at granule v,
 *                                    one long, 4 raw [off + v, +g)
 *   4 SHARE    h, r, mode, v, c      region r: mode % 4 = 0 all, 1 from
 *                                    byte v to the end, 2 byte v, v + 1
 *                                    bytes, 3 past its end; claims c % 5
 *   5 CLAIM    h, t                  t < 0xc0: live token t; c0..: 0,
 *                                    forged, stale, the other set's
 *   6 CANCEL   h, t                  as CLAIM
 *   7 RELEASE  h, r, v               byte v of region r (v = 0xff: a
 *                                    region that does not exist)
 *   8 RECYCLE  h
 *   9 UNDO     h, s, m               alloc s + 1 granules, change it by
 *                                    m % 5 (0 nothing, 1 free head, 2
 *                                    share, 3 free and alloc again, 4
 *                                    wrong id), undo
 *  10 ABATCH   h, n, u, s...         n % 8 + 1 allocations of s granules
 *                                    each (0: -EINVAL); undo if u & 1
 *  11 FBATCH   h, n, (r, mode)...    frees of regions, as FREE
 *  12 RBATCH   h, n, (r, v)...       releases, v = 0xff: a non-zero size
 *  13 TRIM
 *  14 FOREIGN  h, t                  the other set's token here, token t
 *                                    there
 *  15 CHECK                          a full check now
 *  16 SBATCH   h, n, u, (r, mode, v, c)...
 *                                    n % 8 + 1 shares, each as SHARE
 *                                    (no region: free space); undo
 *                                    (withdraw the tokens) if u & 1
 *  17 CBATCH   h, n, u, t...         n % 8 + 1 claims, each as CLAIM;
 *                                    undo (release them) if u & 1
 *  18 PARK     v                     while no holder lives (so no park
 *                                    holds anything): each holder parks
 *                                    up to v % (GOMEM_PARK_MAX + 1)
 *                                    regions it frees from now on
 *
 * FUZZ_OWNER_VERBOSE=1 in the environment prints what each input did.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <asm/page.h>

#include "owner_check.h"
#include "shim.h"

/* Most holders alive at once. */
#define OF_HOLDERS	4

enum fuzz_owner_op {
	OP_NEW, OP_EXIT, OP_ALLOC, OP_FREE, OP_SHARE, OP_CLAIM, OP_CANCEL,
	OP_RELEASE, OP_RECYCLE, OP_UNDO, OP_ABATCH, OP_FBATCH, OP_RBATCH,
	OP_TRIM, OP_FOREIGN, OP_CHECK, OP_SBATCH, OP_CBATCH, OP_PARK,
	OP_COUNT
};

struct reader {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static u8 get8(struct reader *rd)
{
	return rd->pos < rd->len ? rd->p[rd->pos++] : 0;
}

static int holder(struct odiff *d, struct reader *rd)
{
	int slots[OM_HOLDERS], n = 0, h;
	u8 v = get8(rd);

	for (h = 0; h < OM_HOLDERS; h++)
		if (d->h[h])
			slots[n++] = h;
	if (!n)
		return od_holder_new(d);
	return slots[v % n];
}

/* Region r % regions of the model, or -1. */
static int region(struct odiff *d, u8 r)
{
	return d->m.nr_regions ? (int)(r % d->m.nr_regions) : -1;
}

static u64 token(struct odiff *d, u8 t)
{
	if (t < 0xc0)
		return od_live_token(d, t);
	switch (t & 3) {
	case 0:
		return 0;
	case 1:
		return 0x0123456789abcdefULL * t;
	case 2:
		return od_stale_token(d, t);
	default:
		return d->ftoken;
	}
}

/* The range FREE's mode and v give for region @i. */
static void free_range(struct odiff *d, int i, u8 mode, u8 v, u64 *off,
		       u64 *size)
{
	const struct om_region *r = &d->m.regions[i];
	u64 g = d->m.granule, units = r->size / g;

	*off = r->off;
	*size = r->size;
	switch (mode % 5) {
	case 0:
		break;
	case 1:
		*size = g * (1 + v % units);
		break;
	case 2:
		*off += g * (v % units);
		*size = r->off + r->size - *off;
		break;
	case 3:
		*off += g * (v % units);
		*size = g;
		break;
	default:
		*off += v;
		*size = g;
	}
}

static void op_alloc(struct odiff *d, int h, struct reader *rd)
{
	u64 s = get8(rd);
	u8 a, f;
	u64 align;

	s |= (u64)get8(rd) << 8;
	a = get8(rd) & 15;
	f = get8(rd);
	if (s == 0xffff)
		s = d->a.params.max_size + 1;
	align = a < 13 ? 1ULL << a : a == 13 ? 0 : a == 14 ? 3 : 2 * PAGE_SIZE;
	od_alloc(d, h, s, align,
		 (f & 1 ? GOMEM_ALLOC_NOZERO : 0) | (f & 2 ? 0x100 : 0), NULL,
		 NULL);
}

static void op_free(struct odiff *d, int h, struct reader *rd)
{
	int i = region(d, get8(rd));
	u8 mode = get8(rd), v = get8(rd);
	u64 off, size;

	if (i < 0)
		return;
	free_range(d, i, mode, v, &off, &size);
	od_free(d, h, off, size);
}

/* A share's range and claims from r, mode, v, c; false if no region. */
static bool share_args(struct odiff *d, struct reader *rd, u64 *offp,
		       u64 *sizep, u32 *claimsp)
{
	int i = region(d, get8(rd));
	u8 mode = get8(rd), v = get8(rd), c = get8(rd);
	const struct om_region *r;
	u64 off, size = 0;

	*claimsp = c % 5;
	if (i < 0) {
		*offp = d->a.params.max_size * 4 + v;
		*sizep = 0;
		return false;
	}
	r = &d->m.regions[i];
	off = r->off;
	switch (mode % 4) {
	case 0:
		break;
	case 1:
		off += v % r->size;
		break;
	case 2:
		off += v % r->size;
		size = min_t(u64, v + 1, r->off + r->size - off);
		break;
	default:
		size = r->size + 1;
	}
	*offp = off;
	*sizep = size;
	return true;
}

static void op_share(struct odiff *d, int h, struct reader *rd)
{
	u64 off, size;
	u32 claims;

	if (share_args(d, rd, &off, &size, &claims))
		od_share(d, h, off, size, claims, NULL);
}

static void op_sbatch(struct odiff *d, int h, struct reader *rd)
{
	struct gomem_share_entry e[8];
	unsigned int n = get8(rd) % 8 + 1, i;
	bool undo = get8(rd) & 1;

	for (i = 0; i < n; i++) {
		e[i] = (struct gomem_share_entry){ 0 };
		share_args(d, rd, &e[i].offset, &e[i].size, &e[i].claims);
	}
	od_share_batch(d, h, e, n, undo);
}

static void op_release(struct odiff *d, int h, struct reader *rd)
{
	u8 r = get8(rd), v = get8(rd);
	int i = region(d, r);

	if (i < 0 || v == 0xff)
		od_release(d, h, d->a.params.max_size * 4 + v);
	else
		od_release(d, h, d->m.regions[i].off +
				 v % d->m.regions[i].size);
}

static void op_undo(struct odiff *d, int h, struct reader *rd)
{
	u64 g = d->m.granule, size = g * (1 + get8(rd)), off, id, t;
	u8 m = get8(rd);

	if (od_alloc(d, h, size, 0, 0, &off, &id))
		return;
	switch (m % 5) {
	case 1:
		if (size > g)
			od_free(d, h, off, g);
		break;
	case 2:
		od_share(d, h, off, 0, 1, &t);
		break;
	case 3:
		od_free(d, h, off, size);
		od_alloc(d, h, size, 0, 0, NULL, NULL);
		break;
	case 4:
		id++;
		break;
	default:
		break;
	}
	od_undo(d, h, off, size, id);
}

static void op_abatch(struct odiff *d, int h, struct reader *rd)
{
	u64 sizes[8];
	unsigned int n = get8(rd) % 8 + 1, i;
	bool undo = get8(rd) & 1;

	for (i = 0; i < n; i++)
		sizes[i] = d->m.granule * get8(rd);
	od_alloc_batch(d, h, sizes, n, 0, 0, undo, NULL, NULL);
}

static void op_fbatch(struct odiff *d, int h, struct reader *rd)
{
	struct gomem_batch_entry e[8];
	unsigned int n = get8(rd) % 8 + 1, i;
	u8 r, mode;
	int k;

	for (i = 0; i < n; i++) {
		r = get8(rd);
		mode = get8(rd);
		k = region(d, r);
		e[i] = (struct gomem_batch_entry){ .offset = 0,
						   .size = d->m.granule };
		if (k >= 0)
			free_range(d, k, mode, r, &e[i].offset, &e[i].size);
	}
	od_free_batch(d, h, e, n);
}

static void op_rbatch(struct odiff *d, int h, struct reader *rd)
{
	struct gomem_batch_entry e[8];
	unsigned int n = get8(rd) % 8 + 1, i;
	u8 r, v;
	int k;

	for (i = 0; i < n; i++) {
		r = get8(rd);
		v = get8(rd);
		k = region(d, r);
		e[i] = (struct gomem_batch_entry){ .offset = 0 };
		if (k >= 0)
			e[i].offset = d->m.regions[k].off +
				      v % d->m.regions[k].size;
		if (v == 0xff)
			e[i].size = 1;
	}
	od_release_batch(d, h, e, n);
}

static void op_cbatch(struct odiff *d, int h, struct reader *rd)
{
	struct gomem_claim_entry e[8];
	unsigned int n = get8(rd) % 8 + 1, i;
	bool undo = get8(rd) & 1;

	for (i = 0; i < n; i++) {
		e[i] = (struct gomem_claim_entry){ 0 };
		e[i].token = token(d, get8(rd));
	}
	od_claim_batch(d, h, e, n, undo);
}

/* With FUZZ_OWNER_VERBOSE set: what an input did (for seed inputs). */
static void print_counts(const struct odiff *d)
{
	unsigned int op, res;

	for (op = 0; op < OD_OPS; op++) {
		for (res = 0; res < OD_RES; res++)
			if (d->count[op][res])
				fprintf(stderr, " %s:%s %llu", od_op_names[op],
					od_res_names[res], d->count[op][res]);
	}
	fprintf(stderr, "\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct odiff d;
	struct reader rd = { .p = data, .len = len };
	u8 setup = get8(&rd), op, v;
	struct gomem_arena_params p = {
		.initial_size = PAGE_SIZE,
		.max_chunk = 2 * PAGE_SIZE,
		.max_size = 8 * PAGE_SIZE,
		.granule = setup & 4 ? 64 : 0,
		.policy = setup & 1 ? GOMEM_POLICY_AVL : GOMEM_POLICY_TREAP,
		.source = setup & 2 ? GOMEM_CHUNKS_BUDDY : GOMEM_CHUNKS_VMALLOC,
	};
	int h;

	if (!od_init(&d, &p, 1 + ((setup >> 3) & 7))) {
		fprintf(stderr, "fuzz_owner: init failed\n");
		abort();
	}
	od_set_max_bytes(&d, (setup >> 6 & 3) ? PAGE_SIZE << (setup >> 6 & 3) : 0);
	d.abort_on_failure = true;
	while (rd.pos < rd.len) {
		op = get8(&rd) % OP_COUNT;
		if (op == OP_NEW) {
			if (om_holders(&d.m) < OF_HOLDERS)
				od_check(&d, od_holder_new(&d));
			d.op++;
			continue;
		}
		if (op == OP_PARK) {
			v = get8(&rd);
			if (!om_holders(&d.m))
				d.o.park_max = v % (GOMEM_PARK_MAX + 1);
			d.op++;
			continue;
		}
		if (op == OP_TRIM || op == OP_CHECK) {
			if (op == OP_TRIM)
				od_trim(&d);
			od_check(&d, -1);
			od_check_full(&d, 0);
			d.op++;
			continue;
		}
		h = holder(&d, &rd);
		switch (op) {
		case OP_EXIT:
			od_holder_exit(&d, h);
			break;
		case OP_ALLOC:
			op_alloc(&d, h, &rd);
			break;
		case OP_FREE:
			op_free(&d, h, &rd);
			break;
		case OP_SHARE:
			op_share(&d, h, &rd);
			break;
		case OP_CLAIM:
			od_claim(&d, h, token(&d, get8(&rd)));
			break;
		case OP_CANCEL:
			od_cancel(&d, h, token(&d, get8(&rd)));
			break;
		case OP_RELEASE:
			op_release(&d, h, &rd);
			break;
		case OP_RECYCLE:
			od_recycle(&d, h);
			break;
		case OP_UNDO:
			op_undo(&d, h, &rd);
			break;
		case OP_ABATCH:
			op_abatch(&d, h, &rd);
			break;
		case OP_FBATCH:
			op_fbatch(&d, h, &rd);
			break;
		case OP_RBATCH:
			op_rbatch(&d, h, &rd);
			break;
		case OP_SBATCH:
			op_sbatch(&d, h, &rd);
			break;
		case OP_CBATCH:
			op_cbatch(&d, h, &rd);
			break;
		default:
			od_foreign(&d, h, token(&d, get8(&rd)));
			break;
		}
		od_check(&d, h);
		if (d.op % 4 == 0)
			od_check_full(&d, d.m.nr_regions ?
					  d.m.regions[0].off : 0);
		d.op++;
	}
	od_finish(&d);
	if (getenv("FUZZ_OWNER_VERBOSE"))
		print_counts(&d);
	return 0;
}
