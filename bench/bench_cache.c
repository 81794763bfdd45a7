// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgomem's region cache (userspace/lib/gomem_cache.c, as the library
 * builds it: -fPIC, in a shared object, build/libgomem-cache.so, called
 * through the PLT as malloc is) against malloc, natively: a buffer cycle is get a buffer,
 * touch its first and last byte, give it back.  The cache runs over a fake
 * device (a window of anonymous memory, refills and drains served by a
 * bump allocator: never reached in the steady state this measures), and
 * clears nothing it hands out, as gomem_alloc() (refills come zeroed from
 * the kernel, and what the cache took back is the session's own: zeroed
 * and NOZERO cycles are the same code); malloc's zeroed counterpart is
 * calloc.  Built once per malloc (BENCH_IMPL):
 * Debian's jemalloc and mimalloc replace malloc when linked.
 *
 *   bench_cache_IMPL [--cycles N]
 *
 * Prints lines "cache IMPL SIZE ROW NS" (ns per cycle, the best of 5
 * runs), ROW one of gomem-cache, gomem-cache-nozero, malloc, calloc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "gomem.h"
#include "gomem_cache.h"

#ifndef BENCH_IMPL
#define BENCH_IMPL "glibc"
#endif

#define GR		16u
#define WINDOW		(256ull << 20)

static char *window;
static uint64_t bump;

static int fake_alloc(void *ctx, uint64_t size, uint64_t *offs,
		      unsigned int n)
{
	unsigned int i;

	(void)ctx;
	for (i = 0; i < n && bump + size <= WINDOW; i++) {
		offs[i] = bump;
		bump += size;
	}
	return i ? (int)i : -ENOMEM;
}

static int fake_free(void *ctx, uint64_t size, const uint64_t *offs,
		     unsigned int n)
{
	(void)ctx;
	(void)size;
	(void)offs;
	(void)n;
	return 0;
}

static const struct gomem_cache_ops ops = {
	.alloc = fake_alloc, .free = fake_free,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile unsigned char sink;

/* The hit path of gomem_alloc() and gomem_free() with the cache on. */
static double run_cache(struct gomem_cache *c, size_t size,
			__attribute__((unused)) int nozero,
			long cycles)
{
	uint64_t off;
	double t0 = now();

	for (long i = 0; i < cycles; i++) {
		unsigned char *p;

		if (gomem_cache_alloc(c, size, &off))
			abort();
		/* Nothing to clear, zeroed or not (gomem_alloc()). */
		p = (unsigned char *)window + off;
		p[0] = 1;
		p[size - 1] = 2;
		sink = p[0];
		if (gomem_cache_free(c, off, size))
			abort();
	}
	return (now() - t0) / cycles;
}

static double run_malloc(size_t size, int zero, long cycles)
{
	double t0 = now();

	for (long i = 0; i < cycles; i++) {
		unsigned char *p = zero ? calloc(1, size) : malloc(size);

		if (!p)
			abort();
		p[0] = 1;
		p[size - 1] = 2;
		sink = p[0];
		free(p);
	}
	return (now() - t0) / cycles;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 4096, 65536 };
	long cycles = 2000000;
	struct gomem_cache *c;

	if (argc == 3 && !strcmp(argv[1], "--cycles"))
		cycles = atol(argv[2]);
	window = mmap(NULL, WINDOW, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (window == MAP_FAILED)
		return 1;
	c = gomem_cache_new(&ops, NULL, WINDOW, GR, GOMEM_CACHE_DEFAULT_LIMIT);
	if (!c)
		return 1;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t s = sizes[k];
		long n = s >= 65536 ? cycles / 8 : cycles;
		double best[4] = { 1e18, 1e18, 1e18, 1e18 }, t;

		/* Warm: the first refill and malloc's own first calls. */
		run_cache(c, s, 0, 1000);
		run_malloc(s, 0, 1000);
		for (int r = 0; r < 5; r++) {
			t = run_cache(c, s, 0, n);
			best[0] = t < best[0] ? t : best[0];
			t = run_cache(c, s, 1, n);
			best[1] = t < best[1] ? t : best[1];
			t = run_malloc(s, 0, n);
			best[2] = t < best[2] ? t : best[2];
			t = run_malloc(s, 1, n);
			best[3] = t < best[3] ? t : best[3];
		}
		printf("cache %s %zu gomem-cache %.2f\n", BENCH_IMPL, s, best[0]);
		printf("cache %s %zu gomem-cache-nozero %.2f\n", BENCH_IMPL, s,
		       best[1]);
		printf("cache %s %zu malloc %.2f\n", BENCH_IMPL, s, best[2]);
		printf("cache %s %zu calloc %.2f\n", BENCH_IMPL, s, best[3]);
	}
	gomem_cache_destroy(c);
	return 0;
}
