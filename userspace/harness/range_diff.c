// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * range_diff: randomized differential test of the range allocators
 * against the granule-map model (model.h, compared by check.c).
 *
 * For each policy, --ops operations (default 2,000,000) are spread over
 * runs of different granules and space sizes.  A run is fully determined
 * by the seed, the policy, --ops and its index, so a failure repeats with
 * the command line it prints (add --run to replay only that run).
 *
 * The operation mix: allocations of random sizes (mostly small, sometimes
 * large, zero or oversized) and alignments (mostly 1 or 8, sometimes
 * 16..4096, sometimes invalid); frees of held regions, whole or their
 * head, middle or tail; frees of other used ranges spanning regions; bad
 * frees (double, overlapping free space, out of bounds, unaligned, empty,
 * overflowing); finds, half of them followed by the same allocation; and
 * now and then a reset.  How often allocations come depends on how full
 * the space is, so that it neither fills up nor drains for long.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kernel.h>

#include "check.h"
#include "shim.h"

#define DEFAULT_OPS	2000000ULL
#define DEFAULT_SEED	1ULL
#define WALK_EVERY	32

/* @small: allocations of a few granules only, to fragment the space. */
struct run_config {
	u64 granule;
	u64 granules;
	bool small;
};

static const struct run_config configs[] = {
	{ 8, 512, false },
	{ 8, 2048, false },
	{ 64, 1024, false },
	{ 1, 4096, false },
	{ 8, 8192, false },
	{ 4096, 512, false },
	{ 8, 4096, true },
};

#define NR_RUNS	ARRAY_SIZE(configs)

struct rng {
	u64 s;
};

/* splitmix64 */
static u64 rnd(struct rng *g)
{
	u64 z = (g->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n), n > 0. */
static u64 below(struct rng *g, u64 n)
{
	return rnd(g) % n;
}

static u64 gen_size(const struct model *m, struct rng *g, bool small)
{
	static const u64 huge[] = {
		U64_MAX, U64_MAX - 1, U64_MAX - 4095, 1ULL << 63, 1ULL << 40,
	};
	u64 k = below(g, 100), gr = m->granule;

	if (small && k < 97)
		return 1 + below(g, 3 * gr);
	if (k < 60)
		return 1 + below(g, 4 * gr);
	if (k < 90)
		return 1 + below(g, 32 * gr);
	if (k < 96)
		return 1 + below(g, m->size / 16);
	if (k < 97)
		return 1 + below(g, m->size);
	if (k < 98)
		return 0;
	if (k < 99)
		return m->size + 1 + below(g, 4 * gr);
	return huge[below(g, ARRAY_SIZE(huge))];
}

static u64 gen_align(struct rng *g)
{
	static const u64 bad[] = {
		0, 3, 6, 24, 8192, 1ULL << 20, 1ULL << 63, U64_MAX,
	};
	u64 k = below(g, 100);

	if (k < 40)
		return 1;
	if (k < 70)
		return 8;
	if (k < 78)
		return 2ULL << below(g, 2);
	if (k < 94)
		return 16ULL << below(g, 9);
	return bad[below(g, ARRAY_SIZE(bad))];
}

/* Sometimes pass a size that is not a granule multiple: it rounds up. */
static u64 unround(const struct model *m, struct rng *g, u64 bytes)
{
	return bytes - (below(g, 2) ? below(g, m->granule) : 0);
}

/*
 * Every draw from the generator is its own statement: argument evaluation
 * order differs between compilers, and a seed must mean the same run.
 */
static bool op_alloc(struct diff *d, struct rng *g, bool small)
{
	u64 size = gen_size(&d->m, g, small);

	return diff_alloc(d, size, gen_align(g));
}

/* A whole held region, or its head, tail or middle. */
static bool op_free_held(struct diff *d, struct rng *g)
{
	u64 idx = below(g, d->nr_held), gr = d->m.granule;
	u64 n, skip, len = d->held[idx].len / gr;

	if (len < 2 || below(g, 100) < 60)
		return diff_free_held(d, idx, 0,
				      unround(&d->m, g, len * gr));
	switch (below(g, len >= 3 ? 3 : 2)) {
	case 0:		/* head */
		n = 1 + below(g, len - 1);
		skip = 0;
		break;
	case 1:		/* tail */
		n = 1 + below(g, len - 1);
		skip = len - n;
		break;
	default:	/* middle */
		skip = 1 + below(g, len - 2);
		n = 1 + below(g, len - 1 - skip);
		break;
	}
	return diff_free_held(d, idx, skip * gr, unround(&d->m, g, n * gr));
}

/* A sub-range of the used run around a held region: may span regions. */
static bool op_free_span(struct diff *d, struct rng *g)
{
	const struct model *m = &d->m;
	const struct held *h = &d->held[below(g, d->nr_held)];
	u64 gr = m->granule, lo = h->off / gr, hi = (h->off + h->len) / gr;
	u64 a, b;

	while (lo > 0 && m->map[lo - 1] == MODEL_USED)
		lo--;
	while (hi < m->nr && m->map[hi] == MODEL_USED)
		hi++;
	a = lo + below(g, hi - lo);
	b = a + 1 + below(g, hi - a);
	return diff_free(d, a * gr, unround(m, g, (b - a) * gr));
}

/* Frees the contract refuses; the model has the last word on each. */
static bool op_bad_free(struct diff *d, struct rng *g)
{
	struct model *m = &d->m;
	u64 gr = m->granule, S = m->size, n, a;
	const struct model_block *b = NULL;
	const struct held *h = NULL;

	model_refresh(m);
	if (m->nr_blocks)
		b = &m->blocks[below(g, m->nr_blocks)];
	if (d->nr_held)
		h = &d->held[below(g, d->nr_held)];

	switch (below(g, 7)) {
	case 0:		/* double free: inside a free block */
		if (!b)
			break;
		n = b->len / gr;
		a = below(g, n);
		return diff_free(d, b->start + a * gr,
				 unround(m, g, (1 + below(g, n - a)) * gr));
	case 1:		/* a held region and one granule beside it */
		if (!h)
			break;
		if (below(g, 2) && h->off >= gr)
			return diff_free(d, h->off - gr, h->len + gr);
		return diff_free(d, h->off, h->len + gr);
	case 2:		/* straddling the start or end of a free block */
		if (!b)
			break;
		if (b->start >= gr && below(g, 2))
			return diff_free(d, b->start - gr, 2 * gr);
		return diff_free(d, b->start + b->len - gr, 2 * gr);
	case 3:		/* sizes and offsets that overflow */
		switch (below(g, 4)) {
		case 0:
			return diff_free(d, h ? h->off : 0, U64_MAX - below(g, 8));
		case 1:
			return diff_free(d, U64_MAX & ~(gr - 1), gr);
		case 2:
			return diff_free(d, S - gr, U64_MAX - gr + 2);
		default:
			return diff_free(d, (U64_MAX - S + 1) & ~(gr - 1),
					 S);
		}
	case 4:		/* offset not granule-aligned */
		if (!h || gr == 1)
			break;
		return diff_free(d, h->off + 1 + below(g, gr - 1), gr);
	case 5:		/* size 0 */
		return diff_free(d, h ? h->off : below(g, m->nr) * gr, 0);
	default:
		break;
	}
	/* Out of bounds. */
	if (below(g, 2)) {
		a = S - gr * below(g, 4);
		return diff_free(d, a, gr * (5 + below(g, 8)));
	}
	return diff_free(d, S + gr * below(g, 4), gr);
}

static bool one_op(struct diff *d, struct rng *g, bool small, u64 ops_left)
{
	struct model *m = &d->m;
	u64 fill, alloc_weight, size, align, r = below(g, 1000);

	model_refresh(m);
	fill = 100 - m->free_bytes * 100 / m->size;
	alloc_weight = fill < 50 ? 450 : fill < 80 ? 330 : 200;
	/* Keep a fragmenting run nearly full: holes pile up between regions. */
	if (small)
		alloc_weight = fill < 90 ? 600 : 250;

	if (r < 1 && !below(g, 4))
		return diff_reset(d);
	if (r < 61) {
		size = gen_size(m, g, small);
		align = gen_align(g);
		return diff_find(d, size, align, ops_left > 1 && below(g, 2));
	}
	if (r < 111)
		return op_bad_free(d, g);
	if (!d->nr_held || r < 111 + alloc_weight)
		return op_alloc(d, g, small);
	if (r < 131 + alloc_weight)
		return op_free_span(d, g);
	return op_free_held(d, g);
}

static void add_stats(struct diff_stats *t, const struct diff_stats *s)
{
	t->ops += s->ops;
	t->allocs += s->allocs;
	t->nomem += s->nomem;
	t->frees += s->frees;
	t->partial_frees += s->partial_frees;
	t->span_frees += s->span_frees;
	t->finds += s->finds;
	t->resets += s->resets;
	t->errors += s->errors;
	t->walks += s->walks;
	if (s->peak_blocks > t->peak_blocks)
		t->peak_blocks = s->peak_blocks;
}

struct options {
	u64 seed;
	u64 ops;
	int run;	/* -1: all */
	bool verbose;	/* a line per run */
};

static bool run_one(enum gomem_policy policy, const struct options *o,
		    unsigned int run, u64 ops, struct diff_stats *tot)
{
	const struct run_config *c = &configs[run];
	struct diff d = { .walk_every = WALK_EVERY };
	struct rng g = { o->seed * 0x100000001b3ULL + policy * 131 + run };
	bool ok;

	snprintf(d.where, sizeof(d.where),
		 "seed %llu run %u (granule %llu, %llu granules%s)",
		 o->seed, run, c->granule, c->granules,
		 c->small ? ", small" : "");
	shim_random_seed(rnd(&g));
	ok = diff_init(&d, policy, c->granule * c->granules, c->granule);
	while (ok && d.st.ops < ops)
		ok = one_op(&d, &g, c->small, ops - d.st.ops);
	ok = ok && diff_verify_all(&d);
	ok = diff_destroy(&d) && ok;
	add_stats(tot, &d.st);
	if (o->verbose)
		printf("  %s run %u (granule %llu, %llu granules): %llu ops, %llu allocs, %llu ENOMEM, peak %llu free blocks\n",
		       gomem_policy_name(policy), run, c->granule, c->granules,
		       d.st.ops, d.st.allocs, d.st.nomem, d.st.peak_blocks);
	if (!ok)
		printf("FAIL: reproduce with: range_diff --policy %s --seed %llu --ops %llu --run %u\n",
		       gomem_policy_name(policy), o->seed, o->ops, run);
	return ok;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_policy(enum gomem_policy policy, const struct options *o,
		       unsigned long *passed, unsigned long *failed)
{
	struct diff_stats t = { 0 };
	double start = now();
	unsigned int run;
	u64 per_run = o->ops / NR_RUNS, ops;

	for (run = 0; run < NR_RUNS; run++) {
		if (o->run >= 0 && (unsigned int)o->run != run)
			continue;
		ops = run == NR_RUNS - 1 ? o->ops - per_run * run : per_run;
		if (run_one(policy, o, run, ops, &t))
			(*passed)++;
		else
			(*failed)++;
	}
	printf("%s: %llu ops, seed %llu: %llu allocs (%llu ENOMEM), %llu frees, %llu partial frees, %llu span frees, %llu finds, %llu resets, %llu errors checked, %llu walks, peak %llu free blocks, %.1f s\n",
	       gomem_policy_name(policy), t.ops, o->seed, t.allocs, t.nomem,
	       t.frees, t.partial_frees, t.span_frees, t.finds, t.resets,
	       t.errors, t.walks, t.peak_blocks, now() - start);
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seed N] [--ops N] [--policy treap|avl|both] [--run R] [--verbose]\n"
		"  --seed    seed of the operation sequence (default %llu)\n"
		"  --ops     operations per policy (default %llu)\n"
		"  --policy  which allocator (default both)\n"
		"  --run     only run R (0..%zu) of each policy, to replay a failure\n"
		"  --verbose a line per run\n",
		prog, DEFAULT_SEED, DEFAULT_OPS, NR_RUNS - 1);
}

static bool parse_u64(const char *s, u64 *v)
{
	char *end;

	*v = strtoull(s, &end, 0);
	return *s && !*end;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "policy", required_argument, NULL, 'p' },
		{ "run", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .seed = DEFAULT_SEED, .ops = DEFAULT_OPS,
			     .run = -1 };
	bool treap = true, avl = true;
	unsigned long passed = 0, failed = 0;
	u64 v;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt_long(argc, argv, "s:n:p:r:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (!parse_u64(optarg, &o.seed))
				goto bad;
			break;
		case 'n':
			if (!parse_u64(optarg, &o.ops))
				goto bad;
			break;
		case 'r':
			if (!parse_u64(optarg, &v) || v >= NR_RUNS)
				goto bad;
			o.run = (int)v;
			break;
		case 'p':
			treap = !strcmp(optarg, "treap") || !strcmp(optarg, "both");
			avl = !strcmp(optarg, "avl") || !strcmp(optarg, "both");
			if (!treap && !avl)
				goto bad;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;

	if (treap)
		run_policy(GOMEM_POLICY_TREAP, &o, &passed, &failed);
	if (avl)
		run_policy(GOMEM_POLICY_AVL, &o, &passed, &failed);
	shim_module_exit_all();
	if (shim_problems()) {
		printf("FAIL: %lu shim problem(s): WARN, leak or failed module_init\n",
		       shim_problems());
		failed++;
	}
	printf("%lu passed, %lu failed\n", passed, failed);
	return failed || !passed;
bad:
	usage(argv[0]);
	return 2;
}
