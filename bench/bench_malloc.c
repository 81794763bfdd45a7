// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GoMem's workloads that are plain malloc/free of the same sizes, run on
 * whatever malloc this program is linked with: glibc's, or jemalloc's or
 * mimalloc's (Debian's libraries replace malloc when linked), one binary
 * each, so that all three run the very same code.
 *
 *   bench_malloc_IMPL [--only SECTION,...]
 *
 * Buddy units are 1 KiB, so the buddy cases malloc units * 1024 bytes,
 * from 2 threads with no lock of ours (malloc is thread-safe).  Cases
 * with no function run over a 2-thread pool (Go's RunParallel).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#ifndef BENCH_IMPL
#define BENCH_IMPL "glibc"
#endif

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		bench_die("malloc(%zu) failed", size);
	return p;
}

static void report(const char *section, const char *workload, double ns)
{
	bench_report(section, workload, BENCH_IMPL, ns);
}

struct ctx {
	size_t size;		/* fixed-size cases; 0: cycle */
	uint64_t i;		/* NextN's iteration counter */
	void *held[128];
	unsigned int nr_held;
};

static void pair(void *p, uint64_t n)
{
	struct ctx *c = p;

	while (n--) {
		void *m = xmalloc(c->size);

		bench_sink((uintptr_t)m);
		free(m);
	}
}

static void cycle(void *p, uint64_t n, const uint64_t *sizes, int nr)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		void *m = xmalloc(sizes[i % nr]);

		bench_sink((uintptr_t)m);
		free(m);
	}
}

static void random_pair(void *p, uint64_t n)
{
	cycle(p, n, bench_random_sizes, 7);
}

static void scaling_pair(void *p, uint64_t n)
{
	cycle(p, n, bench_scaling_sizes, 5);
}

/* malloc nr x size, then free them in allocation order. */
static void sequential(void *p, uint64_t n, int nr, size_t size)
{
	struct ctx *c = p;
	int j;

	while (n--) {
		for (j = 0; j < nr; j++)
			c->held[j] = xmalloc(size);
		for (j = 0; j < nr; j++)
			free(c->held[j]);
	}
}

static void sequential50(void *p, uint64_t n)
{
	sequential(p, n, 50, 1024);
}

static void concurrent(void *p, uint64_t n)
{
	struct ctx *c = p;
	int j;

	while (n--) {
		for (j = 0; j < 20; j++)
			c->held[j] = xmalloc(64 * (j + 1));
		for (j = 0; j < 20; j++)
			free(c->held[j]);
	}
}

/* FreeRest: keep the first 256 bytes of 1024 (a shrinking realloc). */
static void free_rest(void *p, uint64_t n)
{
	while (n--) {
		void *m = xmalloc(1024);
		void *k = realloc(m, 256);

		if (!k)
			bench_die("realloc failed");
		bench_sink((uintptr_t)k);
		free(k);
	}
}

static void next_n(void *p, uint64_t n)
{
	struct ctx *c = p;
	unsigned int j;

	while (n--) {
		c->held[c->nr_held++] = xmalloc(1024);
		if (c->i++ % 100 == 0) {
			for (j = 0; j < c->nr_held; j++)
				free(c->held[j]);
			c->nr_held = 0;
		}
	}
}

static void batch(void *p, uint64_t n)
{
	sequential(p, n, 10, 1024);
}

/* ---- buddy equivalents: 2 threads, sizes in 1 KiB units ---- */

/* One worker's share of a parallel call: units x 1 KiB. */
static void worker(void *p, int w, uint64_t n)
{
	struct ctx *c = p;
	uint64_t i;
	size_t units;

	for (i = 0; i < n; i++) {
		units = c->size ? c->size : bench_random_sizes[i % 7];
		void *m = xmalloc(units * 1024);

		bench_sink((uintptr_t)m);
		free(m);
	}
}

static void buddy_sequential(void *p, uint64_t n)
{
	sequential(p, n, 100, 1024 * 1024);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *section;
		const char *name;
		bench_fn fn;
		size_t size;
	} cases[] = {
		{ "range", "Allocate", pair, 1024 },
		{ "range", "AllocateSmall", pair, 64 },
		{ "range", "AllocateLarge", pair, 8192 },
		{ "range", "SequentialAlloc", sequential50, 0 },
		{ "range", "RandomAlloc", random_pair, 0 },
		{ "buddy", "Alloc", NULL, 1024 },
		{ "buddy", "AllocSmall", NULL, 64 },
		{ "buddy", "AllocLarge", NULL, 8192 },
		{ "buddy", "SequentialAlloc", buddy_sequential, 0 },
		{ "buddy", "RandomAlloc", NULL, 0 },
		{ "buddy", "NonPowerOf2", NULL, 1000 },
		{ "scalable", "Malloc", pair, 1024 },
		{ "scalable", "MallocSmall", pair, 64 },
		{ "scalable", "MallocLarge", pair, 8192 },
		{ "scalable", "SequentialAlloc", sequential50, 0 },
		{ "scalable", "RandomAlloc", random_pair, 0 },
		{ "scalable", "FreeRest", free_rest, 0 },
		{ "scalable", "Scaling", scaling_pair, 0 },
		{ "scalable", "Concurrent", concurrent, 0 },
		{ "recyclable", "NextN", next_n, 0 },
		{ "recyclable", "BatchRecycle", batch, 0 },
		{ "recyclable", "WithRecycleIndexes", batch, 0 },
	};
	const char *only = NULL;
	struct bench_pool pool;
	struct ctx c;
	Dl_info info;
	unsigned int i, j;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--only") && i + 1 < (unsigned int)argc)
			only = argv[++i];
		else
			bench_die("usage: %s [--only SECTION,...]", argv[0]);
	}
	/* Say which library's malloc this binary really calls. */
	if (dladdr((void *)(uintptr_t)malloc, &info) && info.dli_fname)
		printf("# %s: malloc from %s\n", BENCH_IMPL, info.dli_fname);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!bench_wanted(only, cases[i].section))
			continue;
		memset(&c, 0, sizeof(c));
		c.size = cases[i].size;
		if (cases[i].fn) {
			report(cases[i].section, cases[i].name,
			       bench_measure(cases[i].fn, &c));
		} else {
			/* NULL: 2 threads share the work (RunParallel). */
			bench_pool_start(&pool, 2, worker, &c);
			report(cases[i].section, cases[i].name,
			       bench_measure(bench_pool_run, &pool));
			bench_pool_stop(&pool);
		}
		for (j = 0; j < c.nr_held; j++)
			free(c.held[j]);
	}
	return 0;
}
