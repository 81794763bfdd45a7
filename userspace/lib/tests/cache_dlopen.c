// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The region cache loaded with dlopen(): its thread variables are of the
 * initial-exec TLS model (gomem_cache.c), which a library loaded after
 * start-up takes from glibc's static TLS surplus.  Loads a shared object
 * built from gomem_cache.c as libgomem.so builds it (-fPIC), then, in two
 * threads, makes a cache over a fake device and cycles regions through
 * it: every hit must hand back the region the thread freed last, and the
 * second thread must find its own part (not the first thread's).
 *
 *   cache-dlopen-test LIBRARY.so
 *
 * prints "N passed, N failed".
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "gomem.h"
#include "../gomem_cache.h"

#define WINDOW	(1u << 20)

static uint64_t bump;
static pthread_mutex_t bump_lock = PTHREAD_MUTEX_INITIALIZER;

static int fake_alloc(void *ctx, uint64_t size, uint64_t *offs,
		      unsigned int n)
{
	unsigned int i;

	(void)ctx;
	pthread_mutex_lock(&bump_lock);
	for (i = 0; i < n && bump + size <= WINDOW; i++) {
		offs[i] = bump;
		bump += size;
	}
	pthread_mutex_unlock(&bump_lock);
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

static struct gomem_cache *(*cache_new)(const struct gomem_cache_ops *,
					void *, uint64_t, uint64_t, uint64_t);
static int (*cache_alloc)(struct gomem_cache *, uint64_t, uint64_t *);
static int (*cache_free)(struct gomem_cache *, uint64_t, uint64_t);
static void (*cache_destroy)(struct gomem_cache *);
static struct gomem_cache *cache;
/* The region cycle() freed last (the main thread's part holds it). */
static uint64_t main_last = UINT64_MAX;
static int main_last_set;

/* 0, or a line saying what went wrong. */
static const char *cycle(void)
{
	uint64_t off, again;

	if (cache_alloc(cache, 64, &off))
		return "the first allocation failed";
	if (!main_last_set) {
		main_last = off;
		main_last_set = 1;
	}
	for (int i = 0; i < 1000; i++) {
		if (cache_free(cache, off, 64))
			return "a free was not cached";
		if (cache_alloc(cache, 64, &again))
			return "an allocation failed";
		if (again != off)
			return "a hit did not hand back the region freed last";
	}
	return cache_free(cache, off, 64) ? "the last free was not cached" :
					    NULL;
}

static void *thread_main(void *arg)
{
	const char **why = arg;
	uint64_t off;

	/* Its own part, empty: a refill, not the main thread's region. */
	if (cache_alloc(cache, 64, &off))
		*why = "the thread's first allocation failed";
	else if (off == main_last)
		*why = "the thread was handed the main thread's cached region";
	else if (cache_free(cache, off, 64))
		*why = "the thread's free was not cached";
	else
		*why = cycle();
	return NULL;
}

int main(int argc, char **argv)
{
	const char *why = NULL, *twhy = NULL;
	int passed = 0, failed = 0;
	pthread_t t;
	void *lib;

	if (argc != 2) {
		fprintf(stderr, "usage: cache-dlopen-test LIBRARY.so\n");
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		printf("FAIL dlopen: %s\n0 passed, 1 failed\n", dlerror());
		return 1;
	}
	*(void **)&cache_new = dlsym(lib, "gomem_cache_new");
	*(void **)&cache_alloc = dlsym(lib, "gomem_cache_alloc");
	*(void **)&cache_free = dlsym(lib, "gomem_cache_free");
	*(void **)&cache_destroy = dlsym(lib, "gomem_cache_destroy");
	if (!cache_new || !cache_alloc || !cache_free || !cache_destroy) {
		printf("FAIL dlsym: %s\n0 passed, 1 failed\n", dlerror());
		return 1;
	}
	printf("PASS dlopen\n");
	passed++;
	cache = cache_new(&ops, NULL, WINDOW, 16, 1 << 16);
	if (cache)
		why = cycle();
	else
		why = "gomem_cache_new() failed";
	printf("%s main_thread_cycles%s%s\n", why ? "FAIL" : "PASS",
	       why ? ": " : "", why ? why : "");
	why ? failed++ : passed++;
	if (cache && !pthread_create(&t, NULL, thread_main, &twhy))
		pthread_join(t, NULL);
	else
		twhy = "no thread";
	printf("%s second_thread_cycles%s%s\n", twhy ? "FAIL" : "PASS",
	       twhy ? ": " : "", twhy ? twhy : "");
	twhy ? failed++ : passed++;
	cache_destroy(cache);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
