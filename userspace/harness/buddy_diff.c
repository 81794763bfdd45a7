// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * buddy_diff: randomized differential test of the buddy allocator against
 * the per-unit model (buddy_model.h, compared by buddy_check.c).
 *
 * --ops operations (default 1,000,000) are spread over runs of pool orders
 * 0 to 14, weighted so that the O(n) checker after every operation keeps
 * the whole test short.  A run is fully determined by the seed, --ops and
 * its index, so a failure repeats with the command line it prints (add
 * --run to replay only that run).
 *
 * Each run first checks that init refuses orders above the maximum.  The
 * operation mix: allocations of random sizes (mostly small, sometimes up
 * to the whole pool, powers of two, zero, oversized, huge); frees of held
 * blocks, some of them twice; frees the contract refuses (the middle of a
 * block, a free unit, out of range) and frees of random units, for the
 * model to judge; block_units() queries; and now and then a destroy and
 * init with blocks outstanding.  How often allocations come depends on how
 * full the pool is, so that it neither fills up nor drains for long.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kernel.h>

#include "buddy_check.h"
#include "shim.h"

#define DEFAULT_OPS	1000000ULL
#define DEFAULT_SEED	1ULL
#define FULL_EVERY	64

/* @weight: thousandths of --ops. */
struct run_config {
	unsigned int order;
	unsigned int weight;
};

static const struct run_config configs[] = {
	{ 0, 2 }, { 1, 3 }, { 2, 5 }, { 3, 10 }, { 4, 30 }, { 5, 60 },
	{ 6, 150 }, { 7, 150 }, { 8, 250 }, { 10, 250 }, { 12, 85 }, { 14, 5 },
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

static u64 gen_nr(const struct bdiff *d, struct rng *g)
{
	static const u64 huge[] = {
		U64_MAX, U64_MAX - 1, 1ULL << 63, (1ULL << 63) + 1, 1ULL << 40,
		(1ULL << GOMEM_BUDDY_MAX_ORDER) + 1,
	};
	u64 k = below(g, 100), size = d->m.size;

	if (k < 50)
		return 1 + below(g, 4);
	if (k < 75)
		return 1 + below(g, 16);
	if (k < 88)
		return 1 + below(g, size / 8 + 1);
	if (k < 93)
		return 1 + below(g, size);
	if (k < 95)
		return 1ULL << below(g, d->m.order + 1);
	if (k < 96)
		return size;
	if (k < 97)
		return 0;
	if (k < 99)
		return size + 1 + below(g, size);
	return huge[below(g, ARRAY_SIZE(huge))];
}

/* Frees the contract refuses, and random units for the model to judge. */
static bool op_bad_free(struct bdiff *d, struct rng *g)
{
	const struct buddy_model *m = &d->m;
	const struct bheld *h = d->nr_held ? &d->held[below(g, d->nr_held)]
					   : NULL;
	const u8 *p;
	u64 u;

	switch (below(g, 5)) {
	case 0:		/* inside a held block */
		if (!h || h->units < 2)
			break;
		return bdiff_free(d, h->unit + 1 + below(g, h->units - 1));
	case 1:		/* a free unit */
		u = below(g, m->size);
		p = memchr(m->used + u, BMODEL_FREE, m->size - u);
		if (!p)
			break;
		return bdiff_free(d, p - m->used);
	case 2:		/* out of range */
		switch (below(g, 4)) {
		case 0:
			return bdiff_free(d, m->size + below(g, 4));
		case 1:
			return bdiff_free(d, m->size << (1 + below(g, 4)));
		case 2:
			return bdiff_free(d, 1ULL << 63);
		default:
			return bdiff_free(d, U64_MAX - below(g, 4));
		}
	default:
		break;
	}
	return bdiff_free(d, below(g, m->size));
}

static bool op_query(struct bdiff *d, struct rng *g)
{
	const struct bheld *h = d->nr_held ? &d->held[below(g, d->nr_held)]
					   : NULL;
	u64 size = d->m.size;

	switch (below(g, 4)) {
	case 0:
		if (h)
			return bdiff_block_units(d, h->unit);
		break;
	case 1:
		if (h)
			return bdiff_block_units(d, h->unit + below(g, h->units));
		break;
	case 2:
		return bdiff_block_units(d, below(g, 2) ? size + below(g, 8) :
					 U64_MAX - below(g, 8));
	default:
		break;
	}
	return bdiff_block_units(d, below(g, size));
}

static bool one_op(struct bdiff *d, struct rng *g)
{
	const struct buddy_model *m = &d->m;
	u64 fill, alloc_weight, r = below(g, 1000);
	u64 nr;

	fill = 100 - m->free * 100 / m->size;
	alloc_weight = fill < 50 ? 500 : fill < 80 ? 400 : 300;

	if (r < 2 && !below(g, 4))
		return bdiff_reinit(d);
	if (r < 60)
		return op_bad_free(d, g);
	if (r < 100)
		return op_query(d, g);
	if (!d->nr_held || r < 100 + alloc_weight) {
		nr = gen_nr(d, g);
		return bdiff_alloc(d, nr);
	}
	return bdiff_free_held(d, below(g, d->nr_held), !below(g, 20));
}

static void add_stats(struct bdiff_stats *t, const struct bdiff_stats *s)
{
	t->ops += s->ops;
	t->allocs += s->allocs;
	t->nomem += s->nomem;
	t->frees += s->frees;
	t->errors += s->errors;
	t->queries += s->queries;
	t->full += s->full;
	t->reinits += s->reinits;
}

struct options {
	u64 seed;
	u64 ops;
	int run;	/* -1: all */
	bool verbose;	/* a line per run */
};

/* Orders init must refuse: every run tries one of them. */
static bool bad_init(struct bdiff *d, struct rng *g)
{
	static const unsigned int bad[] = {
		GOMEM_BUDDY_MAX_ORDER + 1, GOMEM_BUDDY_MAX_ORDER + 2, 63, 64,
		1U << 31, U32_MAX,
	};

	return bdiff_init(d, bad[below(g, ARRAY_SIZE(bad))]) && !d->live;
}

static bool run_one(const struct options *o, unsigned int run, u64 ops,
		    struct bdiff_stats *tot)
{
	const struct run_config *c = &configs[run];
	struct bdiff d = { .full_every = FULL_EVERY };
	struct rng g = { o->seed * 0x100000001b3ULL + run };
	bool ok;

	snprintf(d.where, sizeof(d.where), "seed %llu run %u (order %u)",
		 o->seed, run, c->order);
	shim_random_seed(rnd(&g));
	ok = bad_init(&d, &g);
	ok = ok && bdiff_init(&d, c->order);
	while (ok && d.st.ops < ops)
		ok = one_op(&d, &g);
	ok = ok && bdiff_verify_all(&d);
	ok = bdiff_destroy(&d) && ok;
	d.st.ops++;	/* the refused init */
	d.st.errors++;
	add_stats(tot, &d.st);
	if (o->verbose)
		printf("  run %u (order %u): %llu ops, %llu allocs, %llu ENOMEM, %llu frees, %llu errors, peak %llu of %llu units used\n",
		       run, c->order, d.st.ops, d.st.allocs, d.st.nomem,
		       d.st.frees, d.st.errors, d.st.peak_used, 1ULL << c->order);
	if (!ok)
		printf("FAIL: reproduce with: buddy_diff --seed %llu --ops %llu --run %u\n",
		       o->seed, o->ops, run);
	return ok;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seed N] [--ops N] [--run R] [--verbose]\n"
		"  --seed    seed of the operation sequence (default %llu)\n"
		"  --ops     operations in all (default %llu)\n"
		"  --run     only run R (0..%zu), to replay a failure\n"
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
		{ "run", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .seed = DEFAULT_SEED, .ops = DEFAULT_OPS,
			     .run = -1 };
	unsigned long passed = 0, failed = 0;
	struct bdiff_stats t = { 0 };
	u64 v, ops, left;
	unsigned int run;
	double start;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt_long(argc, argv, "s:n:r:vh", opts, NULL)) != -1) {
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

	start = now();
	left = o.ops;
	for (run = 0; run < NR_RUNS; run++) {
		ops = run == NR_RUNS - 1 ? left :
		      o.ops / 1000 * configs[run].weight +
		      o.ops % 1000 * configs[run].weight / 1000;
		ops = ops < left ? ops : left;
		left -= ops;
		if (o.run >= 0 && (unsigned int)o.run != run)
			continue;
		if (run_one(&o, run, ops, &t))
			passed++;
		else
			failed++;
	}
	printf("buddy: %llu ops, seed %llu: %llu allocs (%llu ENOMEM), %llu frees, %llu errors checked, %llu block_units queries, %llu full comparisons, %llu re-inits, %.1f s\n",
	       t.ops, o.seed, t.allocs, t.nomem, t.frees, t.errors, t.queries,
	       t.full, t.reinits, now() - start);
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
