/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gomem benchmarks: a tiny Go-testing-like timer shared by the bench
 * programs.  A workload is a function that runs @n iterations; bench_run()
 * calibrates @n like "go test -bench" and times it (see bench_measure());
 * each workload prints one result line:
 *
 *   R <section> <workload> <impl> <ns per iteration>
 *
 * The driver (run.sh) runs every program several times, interleaved, and
 * report.py takes the median of the rounds.
 */
#ifndef _BENCH_BENCH_H
#define _BENCH_BENCH_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/*
 * One run of a workload: calibrate n until a call takes BENCH_CALIB_NS,
 * then BENCH_REPEATS timed calls of about BENCH_TARGET_NS each, keeping
 * the fastest.  On a shared 2-core machine a 10 ms slice is often
 * preempted or slowed by a neighbour; the fastest slice is the workload's
 * own cost.  The driver takes the median of several such runs.
 */
#define BENCH_TARGET_NS	10000000ULL
#define BENCH_CALIB_NS	2000000ULL
#define BENCH_REPEATS	5

static inline uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Keep a value alive without the compiler proving it unused. */
static inline void bench_sink(uint64_t x)
{
	__asm__ __volatile__("" : : "r"(x) : "memory");
}

#define bench_die(...)							\
	do {								\
		fprintf(stderr, "bench: " __VA_ARGS__);			\
		fputc('\n', stderr);					\
		exit(2);						\
	} while (0)

typedef void (*bench_fn)(void *ctx, uint64_t n);

/* Measure @fn as described at the top; returns ns per iteration. */
static inline double bench_measure(bench_fn fn, void *ctx)
{
	uint64_t n = 1, t0, dt, best = UINT64_MAX;
	double grow;
	int k;

	for (;;) {
		t0 = bench_now();
		fn(ctx, n);
		dt = bench_now() - t0;
		if (dt >= BENCH_CALIB_NS)
			break;
		grow = dt ? 1.2 * BENCH_CALIB_NS / dt : 100;
		grow = grow < 2 ? 2 : grow > 100 ? 100 : grow;
		n = (uint64_t)(n * grow);
	}
	n = (uint64_t)((double)n * BENCH_TARGET_NS / dt);
	if (!n)
		n = 1;
	for (k = 0; k < BENCH_REPEATS; k++) {
		t0 = bench_now();
		fn(ctx, n);
		dt = bench_now() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best / (double)n;
}

/*
 * Go's RunParallel: @workers threads (the caller is worker 0) share each
 * call's n iterations.  The threads live as long as the pool, so that a
 * call costs two barrier waits, not thread creation.
 */
struct bench_pool {
	int workers;
	pthread_t threads[8];
	pthread_barrier_t go, done;
	uint64_t n;
	int quit;
	void (*body)(void *ctx, int worker, uint64_t n);
	void *ctx;
};

struct bench_pool_arg {
	struct bench_pool *pool;
	int worker;
};

static inline uint64_t bench_pool_share(const struct bench_pool *p, int w)
{
	return p->n / p->workers + (w < (int)(p->n % p->workers));
}

static inline void *bench_pool_main(void *arg)
{
	struct bench_pool_arg a = *(struct bench_pool_arg *)arg;
	struct bench_pool *p = a.pool;

	free(arg);
	for (;;) {
		pthread_barrier_wait(&p->go);
		if (p->quit)
			return NULL;
		p->body(p->ctx, a.worker, bench_pool_share(p, a.worker));
		pthread_barrier_wait(&p->done);
	}
}

static inline void bench_pool_start(struct bench_pool *p, int workers,
				    void (*body)(void *, int, uint64_t),
				    void *ctx)
{
	int i;

	p->workers = workers;
	p->body = body;
	p->ctx = ctx;
	p->quit = 0;
	pthread_barrier_init(&p->go, NULL, workers);
	pthread_barrier_init(&p->done, NULL, workers);
	for (i = 1; i < workers; i++) {
		struct bench_pool_arg *a = malloc(sizeof(*a));

		if (!a)
			bench_die("out of memory");
		a->pool = p;
		a->worker = i;
		if (pthread_create(&p->threads[i], NULL, bench_pool_main, a))
			bench_die("pthread_create failed");
	}
}

/* A bench_fn: run n iterations over the pool (ctx is the pool). */
static inline void bench_pool_run(void *ctx, uint64_t n)
{
	struct bench_pool *p = ctx;

	p->n = n;
	pthread_barrier_wait(&p->go);
	p->body(p->ctx, 0, bench_pool_share(p, 0));
	pthread_barrier_wait(&p->done);
}

static inline void bench_pool_stop(struct bench_pool *p)
{
	int i;

	p->quit = 1;
	pthread_barrier_wait(&p->go);
	for (i = 1; i < p->workers; i++)
		pthread_join(p->threads[i], NULL);
	pthread_barrier_destroy(&p->go);
	pthread_barrier_destroy(&p->done);
}

static inline void bench_report(const char *section, const char *workload,
				const char *impl, double ns)
{
	printf("R %s %s %s %.3f\n", section, workload, impl, ns);
	fflush(stdout);
}

/* Does the comma-separated filter @only (NULL: everything) name @section? */
static inline int bench_wanted(const char *only, const char *section)
{
	const char *p = only;
	size_t len = 0;

	if (!only)
		return 1;
	while (section[len])
		len++;
	while (*p) {
		const char *q = p;

		while (*q && *q != ',')
			q++;
		if ((size_t)(q - p) == len) {
			size_t i;

			for (i = 0; i < len && p[i] == section[i]; i++)
				;
			if (i == len)
				return 1;
		}
		p = *q ? q + 1 : q;
	}
	return 0;
}

/* Sizes GoMem's RandomAlloc cases cycle through. */
static const uint64_t bench_random_sizes[7] = {
	64, 128, 256, 512, 1024, 2048, 4096
};

static const uint64_t bench_scaling_sizes[5] = {
	1024, 2048, 4096, 8192, 16384
};

#endif /* _BENCH_BENCH_H */
