// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The region cache (../gomem_cache.c) on this machine, against a fake
 * device: a model arena that checks every call the cache makes (a region
 * it frees must be live and whole, exactly as allocated) and counts them
 * as the system calls they stand for.  Cases, then a differential run of
 * random operations (whole, partial and double frees, forgets, drains,
 * resets, bound changes) checked against a model of what the user holds,
 * then threads freeing each other's regions, then fork.
 *
 *   cache-test [--ops N] [--seed S]     prints "N passed, N failed"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gomem.h"
#include "../gomem_cache.h"

#define GR		16u			/* granule */
#define CELLS		(1u << 20)		/* 16 MiB window */
#define MAP_SIZE	((uint64_t)CELLS * GR)

/* ---- the fake device ---- */

/*
 * dev_len[i]: size in granules of the live device region starting at
 * granule i (0: none); dev_used[i]: granule i is inside a live region.
 * A bump pointer with a free list per exact size is enough.
 */
static uint32_t dev_len[CELLS];
static uint8_t dev_used[CELLS];
static uint64_t dev_next;
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t dev_calls, dev_live, dev_bad;
static char dev_why[256];

static void dev_fail(const char *fmt, uint64_t a, uint64_t b)
{
	if (!dev_bad++)
		snprintf(dev_why, sizeof(dev_why), fmt, a, b);
}

static int dev_alloc_one(uint64_t size, uint64_t *off)
{
	uint64_t g = size / GR, i, s, tried = 0;

	/* Next fit: from where the last allocation ended, once round. */
	for (s = dev_next; tried < CELLS; ) {
		if (s + g > CELLS) {
			tried += CELLS - s;
			s = 0;
			continue;
		}
		for (i = 0; i < g && !dev_used[s + i]; i++)
			;
		if (i == g)
			break;
		s += i + 1;
		tried += i + 1;
	}
	if (tried >= CELLS)
		return -ENOMEM;
	for (i = 0; i < g; i++)
		dev_used[s + i] = 1;
	dev_len[s] = (uint32_t)g;
	dev_live++;
	dev_next = s + g;
	*off = s * GR;
	return 0;
}

/* 0, or -EINVAL: not a live region start, or another size. */
static int dev_free_one(uint64_t off, uint64_t size)
{
	uint64_t s = off / GR, g = (size + GR - 1) / GR, i;

	if (off % GR || s >= CELLS || dev_len[s] != g)
		return -EINVAL;
	for (i = 0; i < g; i++)
		dev_used[s + i] = 0;
	dev_len[s] = 0;
	dev_live--;
	return 0;
}

static int fake_alloc(void *ctx, uint64_t size, uint64_t *offs,
		      unsigned int n)
{
	unsigned int got = 0;

	(void)ctx;
	pthread_mutex_lock(&dev_lock);
	dev_calls++;
	if (size % GR || !size)
		dev_fail("refill of %" PRIu64 " bytes%.0" PRIu64, size, 0);
	while (got < n && !dev_alloc_one(size, &offs[got]))
		got++;
	pthread_mutex_unlock(&dev_lock);
	return got ? (int)got : -ENOMEM;
}

static int fake_free(void *ctx, uint64_t size, const uint64_t *offs,
		     unsigned int n)
{
	(void)ctx;
	pthread_mutex_lock(&dev_lock);
	dev_calls++;
	for (unsigned int i = 0; i < n; i++)
		if (dev_free_one(offs[i], size))
			dev_fail("the cache freed %#" PRIx64 " (%" PRIu64
				 " bytes), not a live region of that size",
				 offs[i], size);
	pthread_mutex_unlock(&dev_lock);
	return 0;
}

static const struct gomem_cache_ops fake_ops = {
	.alloc = fake_alloc, .free = fake_free,
};

/* What the library does when the cache gives a free back: the device. */
static int user_free(struct gomem_cache *c, uint64_t off, uint64_t size)
{
	int r = gomem_cache_free(c, off, size);

	if (r <= 0)
		return r;
	pthread_mutex_lock(&dev_lock);
	dev_calls++;
	r = dev_free_one(off, size);
	pthread_mutex_unlock(&dev_lock);
	return r;
}

/* gomem_alloc(): the cache, or the device for what it does not serve. */
static int user_alloc(struct gomem_cache *c, uint64_t size, uint64_t *off)
{
	int r = gomem_cache_alloc(c, size, off);

	if (r != -ENOENT)
		return r;
	pthread_mutex_lock(&dev_lock);
	dev_calls++;
	r = dev_alloc_one((size + GR - 1) / GR * GR, off);
	pthread_mutex_unlock(&dev_lock);
	return r;
}

static void dev_reset(void)
{
	memset(dev_len, 0, sizeof(dev_len));
	memset(dev_used, 0, sizeof(dev_used));
	dev_next = 0;
	dev_calls = dev_live = dev_bad = 0;
	dev_why[0] = 0;
}

/* ---- cases ---- */

static int passed, failed;
static char why[512];

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		snprintf(why, sizeof(why), __VA_ARGS__);		\
		return false;						\
	}								\
} while (0)

static struct gomem_cache *new_cache(uint64_t limit)
{
	struct gomem_cache *c;

	dev_reset();
	c = gomem_cache_new(&fake_ops, NULL, MAP_SIZE, GR, limit);
	if (!c) {
		perror("gomem_cache_new");
		exit(2);
	}
	return c;
}

/* A steady loop makes no call after the first refill. */
static bool case_steady_loop_no_calls(void)
{
	struct gomem_cache *c = new_cache(GOMEM_CACHE_DEFAULT_LIMIT);
	struct gomem_cache_stats s;
	uint64_t off, calls;

	CHECK(!user_alloc(c, 64, &off), "first alloc");
	CHECK(!user_free(c, off, 64), "first free");
	calls = dev_calls;
	for (int i = 0; i < 100000; i++) {
		CHECK(!user_alloc(c, 64, &off), "alloc %d", i);
		CHECK(!user_free(c, off, 64), "free %d", i);
	}
	gomem_cache_get_stats(c, &s);
	CHECK(dev_calls == calls, "%" PRIu64 " device calls in a steady "
	      "loop of 100000 cycles", dev_calls - calls);
	CHECK(s.hits == 100000 && s.refills == 1, "hits %" PRIu64 " refills %"
	      PRIu64, s.hits, s.refills);
	gomem_cache_destroy(c);
	CHECK(dev_live == 0 && !dev_bad, "after destroy: %" PRIu64 " live "
	      "regions; %s", dev_live, dev_why);
	return true;
}

/* What the cache did not hand out, whole, goes to the device. */
static bool case_foreign_partial_double_go_to_device(void)
{
	struct gomem_cache *c = new_cache(GOMEM_CACHE_DEFAULT_LIMIT);
	uint64_t a, b, d, e;

	CHECK(!user_alloc(c, 4096, &a), "alloc a");
	CHECK(!user_alloc(c, 4096, &b), "alloc b");
	/* Double free: the second reaches the device, which refuses. */
	CHECK(gomem_cache_free(c, a, 4096) == 0, "free a");
	CHECK(gomem_cache_free(c, a, 4096) == -EINVAL, "double free of a "
	      "cached region not refused");
	CHECK(gomem_cache_free(c, a + 1024, 1024) == -EINVAL, "a part of a "
	      "cached region not refused");
	CHECK(gomem_cache_forget(c, a + 16) == -EINVAL, "sharing a cached "
	      "region not refused");
	/* The refill's other regions: free as far as the user knows. */
	for (uint64_t g = 0, n = 0; g < CELLS && n < 4; g++) {
		if (!dev_len[g] || g * GR == b || g * GR == a)
			continue;
		CHECK(gomem_cache_free(c, g * GR, 4096) == -EINVAL,
		      "a free of %#" PRIx64 ", in the cache since the refill, "
		      "not refused", g * GR);
		n++;
	}
	/* Wrong size: the device decides; the cache forgets b. */
	CHECK(gomem_cache_free(c, b, 2048) == 1, "half of b cached");
	CHECK(gomem_cache_free(c, b, 4096) == 1, "b cached after a "
	      "partial free");
	/* A tail: the covering region is forgotten. */
	CHECK(!user_alloc(c, 8192, &d), "alloc d");
	CHECK(gomem_cache_free(c, d + 4096, 4096) == 1, "tail cached");
	CHECK(gomem_cache_free(c, d, 8192) == 1, "d cached after its tail "
	      "went to the device");
	/* Never handed out; off the window; unaligned; too big. */
	CHECK(gomem_cache_free(c, MAP_SIZE / 2, 64) == 1, "a range never "
	      "handed out cached");
	CHECK(gomem_cache_free(c, MAP_SIZE, 64) == 1, "beyond the window");
	CHECK(!user_alloc(c, 64, &e), "alloc e");
	CHECK(gomem_cache_free(c, e + 1, 63) == 1, "unaligned");
	CHECK(gomem_cache_free(c, e, 0) == 1, "size 0");
	CHECK(user_alloc(c, GOMEM_CACHE_MAX_SIZE + 1, &d) == 0 &&
	      gomem_cache_free(c, d, GOMEM_CACHE_MAX_SIZE + 1) == 1,
	      "a region above the cache's sizes");
	/* Shared: forgotten through any byte of it. */
	CHECK(!user_alloc(c, 1024, &e), "alloc e2");
	CHECK(!gomem_cache_forget(c, e + 100), "forget a live region");
	CHECK(gomem_cache_free(c, e, 1024) == 1, "a shared region cached");
	gomem_cache_destroy(c);
	return true;
}

/* Zeroing is the library's; sizes round to the granule. */
static bool case_sizes_round_to_granule(void)
{
	struct gomem_cache *c = new_cache(GOMEM_CACHE_DEFAULT_LIMIT);
	uint64_t a, b;

	CHECK(!user_alloc(c, 1, &a), "alloc 1");
	CHECK(!user_free(c, a, GR), "free the rounded size");
	CHECK(!user_alloc(c, GR, &b) && b == a, "the granule-sized alloc "
	      "did not get the region back (%#" PRIx64 ", want %#" PRIx64 ")",
	      b, a);
	CHECK(gomem_cache_free(c, b, 1) == 0, "free of 1 byte of a granule "
	      "region");
	gomem_cache_destroy(c);
	CHECK(dev_live == 0 && !dev_bad, "%s", dev_why);
	return true;
}

/* A thread's cache stays within its bound, bins within half of it. */
static bool case_bound_in_bytes(void)
{
	uint64_t limit = 64 << 10, offs[200];
	struct gomem_cache *c = new_cache(limit);
	struct gomem_cache_stats s;

	for (int i = 0; i < 200; i++)
		CHECK(!user_alloc(c, 4096, &offs[i]), "alloc %d", i);
	for (int i = 0; i < 200; i++) {
		CHECK(!user_free(c, offs[i], 4096), "free %d", i);
		gomem_cache_get_stats(c, &s);
		CHECK(s.bytes <= limit / 2, "%" PRIu64 " bytes cached, bound "
		      "%" PRIu64, s.bytes, limit);
	}
	CHECK(dev_live == s.regions, "device %" PRIu64 " live, cache %"
	      PRIu64, dev_live, s.regions);
	/* Many sizes: the thread's total stays under the bound. */
	for (int i = 0; i < 64; i++) {
		CHECK(!user_alloc(c, (uint64_t)(i + 1) * 512, &offs[i]),
		      "alloc size %d", i);
	}
	for (int i = 0; i < 64; i++) {
		CHECK(!user_free(c, offs[i], (uint64_t)(i + 1) * 512),
		      "free size %d", i);
		gomem_cache_get_stats(c, &s);
		CHECK(s.bytes <= limit, "%" PRIu64 " bytes cached, bound %"
		      PRIu64, s.bytes, limit);
	}
	/* Bound 0: caching off, everything given back. */
	gomem_cache_set_limit(c, 0);
	gomem_cache_get_stats(c, &s);
	CHECK(s.regions == 0 && dev_live == 0, "bound 0 left %" PRIu64
	      " regions cached, %" PRIu64 " live", s.regions, dev_live);
	CHECK(gomem_cache_alloc(c, 64, &offs[0]) == -ENOENT, "bound 0 "
	      "still serves");
	gomem_cache_destroy(c);
	CHECK(!dev_bad, "%s", dev_why);
	return true;
}

/* Drain gives back; reset forgets (the device freed it all). */
static bool case_drain_and_reset(void)
{
	struct gomem_cache *c = new_cache(GOMEM_CACHE_DEFAULT_LIMIT);
	uint64_t a, b;

	CHECK(!user_alloc(c, 256, &a) && !user_free(c, a, 256), "cycle");
	CHECK(dev_live > 0, "nothing cached");
	{
		uint64_t live = dev_live, n = gomem_cache_drain(c);

		CHECK(n == live, "drain gave back %" PRIu64 " regions, the "
		      "device held %" PRIu64, n, live);
	}
	CHECK(dev_live == 0, "%" PRIu64 " live after drain", dev_live);
	CHECK(!user_alloc(c, 256, &a) && !user_alloc(c, 256, &b), "allocs");
	/* Recycle: the device frees everything; the cache must not. */
	gomem_cache_reset(c);
	memset(dev_len, 0, sizeof(dev_len));
	memset(dev_used, 0, sizeof(dev_used));
	dev_live = 0;
	CHECK(gomem_cache_free(c, a, 256) == 1, "a region from before the "
	      "reset taken back");
	gomem_cache_destroy(c);
	CHECK(!dev_bad && dev_live == 0, "%s", dev_why);
	return true;
}

/* ---- the differential run ---- */

struct held {
	uint64_t off, size;
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static long n_ops = 1000000;
static uint64_t seed = 1;

/*
 * Random operations; the model is the list of regions the user holds.
 * Every region handed out must overlap nothing the user holds (checked
 * on a shadow of granules), the cache's own frees must be valid (the
 * fake device checks), and after drain every region is the user's or
 * free.
 */
static bool case_differential(void)
{
	static const uint64_t sizes[] = { 16, 48, 64, 100, 512, 4096, 4100,
					  16384, 65536, 70000 };
	static uint8_t shadow[CELLS];
	struct gomem_cache *c = new_cache(256 << 10);
	struct held *h = calloc(4096, sizeof(*h));
	size_t nh = 0;
	long hits_before = 0;
	struct gomem_cache_stats s;

	CHECK(h, "calloc");
	memset(shadow, 0, sizeof(shadow));
	rnd_state = seed * 2654435761u + 1;
	for (long op = 0; op < n_ops; op++) {
		unsigned int k = (unsigned int)(rnd() % 100);
		uint64_t off, size;
		size_t i;

		if (k < 45 && nh < 4096) {
			size = sizes[rnd() % 10];
			if (user_alloc(c, size, &off))
				continue;
			size = (size + GR - 1) / GR * GR;
			for (uint64_t g = off / GR; g < (off + size) / GR; g++)
				CHECK(!shadow[g]++, "op %ld: [%#" PRIx64 ", +%"
				      PRIu64 ") handed out while the user "
				      "holds granule %#" PRIx64, op, off, size,
				      g * GR);
			h[nh].off = off;
			h[nh++].size = size;
		} else if (k < 85 && nh) {
			i = rnd() % nh;
			off = h[i].off;
			size = h[i].size;
			if (k < 80 || size <= GR) {
				/* Whole. */
				CHECK(!user_free(c, off, size), "op %ld: free",
				      op);
				h[i] = h[--nh];
			} else {
				/* The tail: the device splits it. */
				uint64_t keep = (rnd() % (size / GR - 1) + 1) *
						GR;

				CHECK(gomem_cache_free(c, off + keep,
							size - keep) == 1,
				      "op %ld: a tail free taken", op);
				/* The device splits: [off, keep) stays. */
				for (uint64_t g = (off + keep) / GR;
				     g < (off + size) / GR; g++)
					shadow[g] = dev_used[g] = 0;
				dev_len[off / GR] = (uint32_t)(keep / GR);
				h[i].size = keep;
				continue;
			}
			for (uint64_t g = off / GR; g < (off + size) / GR; g++)
				shadow[g] = 0;
		} else if (k < 90 && nh) {
			/* Double free of a region just freed. */
			i = rnd() % nh;
			off = h[i].off;
			size = h[i].size;
			CHECK(!user_free(c, off, size), "op %ld: free", op);
			for (uint64_t g = off / GR; g < (off + size) / GR; g++)
				shadow[g] = 0;
			h[i] = h[--nh];
			CHECK(user_free(c, off, size) == -EINVAL, "op %ld: "
			      "a double free was not refused", op);
		} else if (k < 94 && nh) {
			/* Shared, then freed: the device's. */
			i = rnd() % nh;
			CHECK(!gomem_cache_forget(c, h[i].off +
						  rnd() % h[i].size),
			      "op %ld: sharing a live region refused", op);
			CHECK(gomem_cache_free(c, h[i].off, h[i].size) == 1,
			      "op %ld: a shared region was cached", op);
			pthread_mutex_lock(&dev_lock);
			CHECK(!dev_free_one(h[i].off, h[i].size), "op %ld: "
			      "the device refused a shared region", op);
			pthread_mutex_unlock(&dev_lock);
			for (uint64_t g = h[i].off / GR;
			     g < (h[i].off + h[i].size) / GR; g++)
				shadow[g] = 0;
			h[i] = h[--nh];
		} else if (k < 96) {
			gomem_cache_drain(c);
		} else if (k < 98) {
			gomem_cache_set_limit(c, (rnd() % 4) << 18);
		} else {
			/* A free of anything: a region the user holds,
			 * whole, or a range it does not. */
			int r;

			off = (rnd() % CELLS) * GR;
			size = sizes[rnd() % 10];
			if (nh && rnd() % 2) {
				i = rnd() % nh;
				off = h[i].off;
				size = h[i].size;
			}
			for (i = 0; i < nh; i++)
				if (h[i].off == off && h[i].size == size)
					break;
			r = gomem_cache_free(c, off, size);
			if (i < nh && r == 0) {
				for (uint64_t g = off / GR;
				     g < (off + size) / GR; g++)
					shadow[g] = 0;
				h[i] = h[--nh];
			} else if (i < nh) {
				/* Given to the device: as the library. */
				pthread_mutex_lock(&dev_lock);
				CHECK(!dev_free_one(off, size), "op %ld: the "
				      "device refused a held region", op);
				pthread_mutex_unlock(&dev_lock);
				for (uint64_t g = off / GR;
				     g < (off + size) / GR; g++)
					shadow[g] = 0;
				h[i] = h[--nh];
			} else {
				CHECK(r != 0, "op %ld: the cache took [%#"
				      PRIx64 ", +%" PRIu64 "), which the user "
				      "does not hold", op, off, size);
				/* Sent to the device, it must not be a
				 * free the device would do: inside one
				 * live region that a cache holds. */
				if (r == 1 && off / GR < CELLS) {
					uint64_t g = off / GR, st = g + 1;

					for (uint64_t j = g + 1; j-- > 0;)
						if (dev_len[j]) {
							st = j;
							break;
						}
					CHECK(st > g || st + dev_len[st] <= g ||
					      off + size > (st + dev_len[st]) * GR ||
					      shadow[st],
					      "op %ld: a free of [%#" PRIx64
					      ", +%" PRIu64 ") would reach the "
					      "device inside a cached region",
					      op, off, size);
				}
			}
		}
		CHECK(!dev_bad, "op %ld: %s", op, dev_why);
		CHECK(op % 997 || !gomem_cache_check(c), "op %ld: the map's "
		      "counts disagree with its cells", op);
	}
	CHECK(!gomem_cache_check(c), "the map's counts disagree with its "
	      "cells");
	gomem_cache_get_stats(c, &s);
	hits_before = (long)s.hits;
	gomem_cache_drain(c);
	CHECK(dev_live == nh, "after drain: device %" PRIu64 " live, the user "
	      "holds %zu", dev_live, nh);
	gomem_cache_destroy(c);
	printf("# differential: %ld operations, seed %" PRIu64 ", %ld cache "
	       "hits, %" PRIu64 " refills, %" PRIu64 " drains\n", n_ops, seed,
	       hits_before, s.refills, s.drains);
	free(h);
	return true;
}

/* ---- threads ---- */

#define NTHREADS	4
#define SLOTS		1024
static _Atomic uint64_t slots[SLOTS];	/* off << 20 | size/GR, 0 empty */
static _Atomic uint8_t tshadow[CELLS];
static atomic_int thread_bad;
static char thread_why[256];

struct tctx {
	struct gomem_cache *c;
	unsigned int seed;
	long ops;
};

static void *thread_main(void *arg)
{
	struct tctx *t = arg;
	uint64_t x = t->seed * 0x9e3779b97f4a7c15ull + 1;

	for (long i = 0; i < t->ops && !atomic_load(&thread_bad); i++) {
		uint64_t off, size, v;
		unsigned int s;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s = (unsigned int)(x % SLOTS);
		size = (x >> 20) % 2 ? 64 : 4096;
		if (!user_alloc(t->c, size, &off)) {
			for (uint64_t g = off / GR; g < (off + size) / GR; g++)
				if (atomic_exchange(&tshadow[g], 1) &&
				    !atomic_exchange(&thread_bad, 1))
					snprintf(thread_why, sizeof(thread_why),
						 "%#" PRIx64 " handed out while "
						 "held", off);
			v = off << 20 | size / GR;
		} else {
			v = 0;
		}
		/* Swap it in; free what was there (another thread's). */
		v = atomic_exchange(&slots[s], v);
		if (v) {
			off = v >> 20;
			size = (v & 0xfffff) * GR;
			for (uint64_t g = off / GR; g < (off + size) / GR; g++)
				atomic_store(&tshadow[g], 0);
			if (user_free(t->c, off, size) &&
			    !atomic_exchange(&thread_bad, 1))
				snprintf(thread_why, sizeof(thread_why),
					 "free of %#" PRIx64 " refused", off);
		}
	}
	return NULL;
}

static bool case_threads_free_each_others(void)
{
	struct gomem_cache *c = new_cache(128 << 10);
	pthread_t th[NTHREADS];
	struct tctx t[NTHREADS];
	struct gomem_cache_stats s;
	uint64_t left = 0;

	memset(slots, 0, sizeof(slots));
	for (int i = 0; i < NTHREADS; i++) {
		t[i] = (struct tctx){ .c = c, .seed = (unsigned int)i + 7,
				      .ops = n_ops / 8 };
		pthread_create(&th[i], NULL, thread_main, &t[i]);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	CHECK(!atomic_load(&thread_bad), "%s", thread_why);
	CHECK(!dev_bad, "%s", dev_why);
	/* The threads exited: their caches went back. */
	gomem_cache_get_stats(c, &s);
	CHECK(s.threads == 0 && s.regions == 0, "%" PRIu64 " thread caches "
	      "with %" PRIu64 " regions after the threads exited", s.threads,
	      s.regions);
	CHECK(!gomem_cache_check(c), "after the threads, the map's counts "
	      "disagree with its cells");
	for (int i = 0; i < SLOTS; i++)
		left += atomic_load(&slots[i]) != 0;
	CHECK(dev_live == left, "device %" PRIu64 " live, %" PRIu64 " in "
	      "the slots", dev_live, left);
	printf("# threads: %d x %ld operations, %" PRIu64 " hits, %" PRIu64
	       " refills, %" PRIu64 " drains\n", NTHREADS, n_ops / 8, s.hits,
	       s.refills, s.drains);
	gomem_cache_destroy(c);
	return true;
}

/* A child never hands out what the parent's cache holds. */
static bool case_fork_child_starts_empty(void)
{
	struct gomem_cache *c = new_cache(GOMEM_CACHE_DEFAULT_LIMIT);
	struct gomem_cache_stats s;
	uint64_t a, b;
	int st;
	pid_t p;

	CHECK(!user_alloc(c, 128, &a) && !user_free(c, a, 128), "cycle");
	gomem_cache_get_stats(c, &s);
	CHECK(s.regions > 0, "nothing cached");
	p = fork();
	if (!p) {
		struct gomem_cache_stats cs;

		gomem_cache_get_stats(c, &cs);
		if (cs.regions)
			_exit(10);
		/* Its first allocation is a refill, not the parent's. */
		if (user_alloc(c, 128, &b) || b == a)
			_exit(11);
		gomem_cache_get_stats(c, &cs);
		_exit(cs.hits != s.hits ? 12 : 0);
	}
	CHECK(p > 0, "fork");
	CHECK(waitpid(p, &st, 0) == p, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child said %d "
	      "(10: it saw cached regions, 11: it got the parent's, 12: a "
	      "hit)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	/* The parent's cache is as it was. */
	CHECK(!user_alloc(c, 128, &b) && b == a, "the parent lost its cache");
	gomem_cache_destroy(c);
	return true;
}

struct tcase {
	const char *name;
	bool (*fn)(void);
};

int main(int argc, char **argv)
{
	static const struct tcase cases[] = {
#define C(n) { #n, case_##n }
		C(steady_loop_no_calls),
		C(foreign_partial_double_go_to_device),
		C(sizes_round_to_granule),
		C(bound_in_bytes),
		C(drain_and_reset),
		C(differential),
		C(threads_free_each_others),
		C(fork_child_starts_empty),
#undef C
	};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			n_ops = atol(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = 0;
		if (cases[i].fn()) {
			passed++;
			printf("PASS %s\n", cases[i].name);
		} else {
			failed++;
			printf("FAIL %s: %s\n", cases[i].name, why);
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
