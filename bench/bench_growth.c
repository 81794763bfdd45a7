// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Beyond GoMem's easy cases (where every tree has one node):
 *
 *   bench_growth growth [--max N] [--impl-suffix S]
 *	Allocation cost as the free tree grows.  For N free blocks (10 to
 *	1,000,000), a space is filled with 2(N-1) blocks of 64 bytes, then
 *	every other one is freed: N-1 holes of 64 bytes and one large tail.
 *	Then, per policy:
 *	  end:    alloc 128 + free: fits only the tail, at the end
 *	  first:  alloc 64 + free: fits the first hole exactly (the node
 *	          leaves the tree and comes back)
 *	  random: free a random 64-byte region (it merges with the holes on
 *	          both sides), alloc the 192 bytes that makes, free the two
 *	          outer 64s again: four operations at a random place in the
 *	          tree; reported per operation
 *	Lines: "G <policy> <free blocks> <case> <ns>".
 *
 *   bench_growth frag [--ops N] [--seeds N]
 *	Fragmentation: a 64 MiB space held 75% and 90% full by random sizes
 *	(log-uniform, 16 B to 16 KiB, median 512 B) with random lifetimes
 *	(each free takes a random live region), N operations.  Then:
 *	usable space for a typical (512 B) and a 4 KiB request, the largest
 *	free block, as percentages of the free space; the arena usable for
 *	typical requests (in use + what 512 B requests could still take);
 *	allocations refused (while below the fill target; each refusal
 *	frees a random region instead).
 *	Lines: "F <policy> <fill%> <seed> <metric> <value>".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>

#include "gomem_range.h"

#include "bench.h"

#define check(expr)							\
	do {								\
		int __err = (expr);					\
		if (__err)						\
			bench_die("%s:%d: %s = %d", __FILE__, __LINE__,	\
				  #expr, __err);			\
	} while (0)

static const char *suffix = "";

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64*: cheap, inline, good enough to pick places */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* ---- growth ---- */

#define HOLE	64ULL
#define TAIL	(64ULL * 1024)

struct growth_ctx {
	struct gomem_range r;
	u64 holes;		/* number of 64-byte holes */
	u64 *picks;		/* random allocated regions, precomputed */
	u64 nr_picks, next_pick;
};

static void growth_end(void *p, uint64_t n)
{
	struct growth_ctx *c = p;
	u64 off;

	while (n--) {
		check(gomem_range_alloc(&c->r, 2 * HOLE, 1, &off));
		check(gomem_range_free(&c->r, off, 2 * HOLE));
	}
}

static void growth_first(void *p, uint64_t n)
{
	struct growth_ctx *c = p;
	u64 off;

	while (n--) {
		check(gomem_range_alloc(&c->r, HOLE, 1, &off));
		check(gomem_range_free(&c->r, off, HOLE));
	}
}

/* Four operations per iteration at a random allocated region. */
static void growth_random(void *p, uint64_t n)
{
	struct growth_ctx *c = p;
	u64 at, off;

	while (n--) {
		at = c->picks[c->next_pick++];
		if (c->next_pick == c->nr_picks)
			c->next_pick = 0;
		check(gomem_range_free(&c->r, at, HOLE));
		check(gomem_range_alloc(&c->r, 3 * HOLE, 1, &off));
		if (off != at - HOLE)
			bench_die("random: got %llu, expected %llu",
				  off, at - HOLE);
		check(gomem_range_free(&c->r, at - HOLE, HOLE));
		check(gomem_range_free(&c->r, at + HOLE, HOLE));
	}
}

static void growth_one(enum gomem_policy policy, u64 blocks)
{
	struct growth_ctx c = { .holes = blocks - 1 };
	u64 i, off, space = 2 * c.holes * HOLE + TAIL;
	const char *name = gomem_policy_name(policy);
	char impl[64];

	snprintf(impl, sizeof(impl), "%s%s", name, suffix);
	check(gomem_range_init(&c.r, policy, space, 8, GFP_KERNEL));
	for (i = 0; i < 2 * c.holes; i++) {
		check(gomem_range_alloc(&c.r, HOLE, 1, &off));
		if (off != i * HOLE)
			bench_die("fill: got %llu at %llu", off, i * HOLE);
	}
	for (i = 0; i < c.holes; i++)
		check(gomem_range_free(&c.r, 2 * i * HOLE, HOLE));
	if (gomem_range_nr_blocks(&c.r) != blocks)
		bench_die("%llu free blocks, wanted %llu",
			  gomem_range_nr_blocks(&c.r), blocks);

	printf("G %s %llu end %.3f\n", impl, blocks,
	       bench_measure(growth_end, &c));
	printf("G %s %llu first %.3f\n", impl, blocks,
	       bench_measure(growth_first, &c));
	/* Allocated regions with a hole on both sides: odd ones, not last. */
	if (c.holes >= 2) {
		c.nr_picks = 1 << 16;
		c.picks = malloc(c.nr_picks * sizeof(*c.picks));
		if (!c.picks)
			bench_die("out of memory");
		for (i = 0; i < c.nr_picks; i++)
			c.picks[i] = (2 * (rng() % (c.holes - 1)) + 1) * HOLE;
		printf("G %s %llu random %.3f\n", impl, blocks,
		       bench_measure(growth_random, &c) / 4);
		free(c.picks);
	}
	fflush(stdout);
	if (gomem_range_check(&c.r))
		bench_die("%s: invariant broken after the growth run", name);
	gomem_range_destroy(&c.r);
}

static void growth(u64 max)
{
	static const enum gomem_policy policies[] = {
		GOMEM_POLICY_TREAP, GOMEM_POLICY_AVL,
	};
	unsigned int p;
	u64 n;

	for (p = 0; p < 2; p++)
		for (n = 10; n <= max; n *= 10)
			growth_one(policies[p], n);
}

/* ---- fragmentation ---- */

#define FRAG_SPACE	(64ULL << 20)
#define FRAG_TYPICAL	512ULL

struct live {
	u64 off, size;
};

struct usable {
	u64 typical, page, largest;
};

static int count_usable(void *arg, u64 offset, u64 len)
{
	struct usable *u = arg;

	u->typical += len / FRAG_TYPICAL * FRAG_TYPICAL;
	u->page += len / 4096 * 4096;
	if (len > u->largest)
		u->largest = len;
	return 0;
}

/* Log-uniform over [16, 16384]: every size class equally likely. */
static u64 frag_size(void)
{
	double u = (double)(rng() >> 11) / (double)(1ULL << 53);

	return (u64)(16.0 * exp2(10.0 * u));
}

static void frag_one(enum gomem_policy policy, unsigned int fill_pct,
		     unsigned int seed, u64 ops)
{
	const char *name = gomem_policy_name(policy);
	u64 budget = FRAG_SPACE / 100 * fill_pct;
	u64 in_use = 0, nr = 0, cap = 1 << 16, i, off, size;
	u64 allocs = 0, refused = 0, t0, dt;
	struct gomem_range r;
	struct usable u = { 0 };
	struct live *live = malloc(cap * sizeof(*live));
	double free_bytes;

	if (!live)
		bench_die("out of memory");
	rng_state = 0x9e3779b97f4a7c15ULL * (seed + 1);
	check(gomem_range_init(&r, policy, FRAG_SPACE, 8, GFP_KERNEL));
	t0 = bench_now();
	for (i = 0; i < ops; i++) {
		size = frag_size();
		/* Below the target, allocate whatever size came up. */
		if (in_use < budget) {
			allocs++;
			if (!gomem_range_alloc(&r, size, 1, &off)) {
				if (nr == cap) {
					cap *= 2;
					live = realloc(live, cap * sizeof(*live));
					if (!live)
						bench_die("out of memory");
				}
				live[nr].off = off;
				live[nr].size = size;
				nr++;
				in_use += (size + 7) & ~7ULL;
				continue;
			}
			refused++;
		}
		if (nr) {
			u64 k = rng() % nr;

			check(gomem_range_free(&r, live[k].off, live[k].size));
			in_use -= (live[k].size + 7) & ~7ULL;
			live[k] = live[--nr];
		}
	}
	dt = bench_now() - t0;
	if (gomem_range_check(&r))
		bench_die("%s: invariant broken after the fragmentation run",
			  name);
	check(gomem_range_walk(&r, count_usable, &u));
	free_bytes = (double)gomem_range_free_bytes(&r);

#define F(metric, fmt, val) \
	printf("F %s%s %u %u " metric " " fmt "\n", name, suffix, fill_pct, \
	       seed, val)
	F("in_use_pct", "%.3f", 100.0 * (FRAG_SPACE - free_bytes) / FRAG_SPACE);
	F("usable_typical_pct", "%.3f", 100.0 * u.typical / free_bytes);
	F("usable_4k_pct", "%.3f", 100.0 * u.page / free_bytes);
	F("largest_pct", "%.3f", 100.0 * u.largest / free_bytes);
	F("arena_usable_pct", "%.3f",
	  100.0 * (FRAG_SPACE - free_bytes + u.typical) / FRAG_SPACE);
	F("refused_pct", "%.4f", allocs ? 100.0 * refused / allocs : 0.0);
	F("free_blocks", "%llu", gomem_range_nr_blocks(&r));
	F("live_regions", "%llu", nr);
	F("ns_per_op", "%.2f", (double)dt / ops);
#undef F
	fflush(stdout);
	gomem_range_destroy(&r);
	free(live);
}

static void frag(u64 ops, unsigned int seeds)
{
	static const enum gomem_policy policies[] = {
		GOMEM_POLICY_TREAP, GOMEM_POLICY_AVL,
	};
	static const unsigned int fills[] = { 75, 90 };
	unsigned int p, f, s;

	for (f = 0; f < 2; f++)
		for (p = 0; p < 2; p++)
			for (s = 0; s < seeds; s++)
				frag_one(policies[p], fills[f], s, ops);
}

int main(int argc, char **argv)
{
	u64 max = 1000000, ops = 1000000;
	unsigned int seeds = 5;
	const char *what;
	int i;

	if (argc < 2)
		bench_die("usage: %s growth|frag [options]", argv[0]);
	what = argv[1];
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--max") && i + 1 < argc)
			max = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			ops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
			seeds = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--impl-suffix") && i + 1 < argc)
			suffix = argv[++i];
		else
			bench_die("unknown option %s", argv[i]);
	}
	if (!strcmp(what, "growth"))
		growth(max);
	else if (!strcmp(what, "frag"))
		frag(ops, seeds);
	else
		bench_die("unknown mode %s", what);
	return 0;
}
