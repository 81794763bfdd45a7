// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The region cache (../gomem_cache.c) on this machine, against a fake
 * device: a model arena that checks every call the cache makes (a region
 * it frees must be live and whole, exactly as allocated) and counts them
 * as the system calls they stand for.  Cases, then a differential run of
 * random operations (whole, partial and double frees, forgets, drains,
 * resets, bound changes) checked against a model of what the user holds,
 * then threads freeing each other's regions, then fork, then the lock of
 * a thread's part: owners against a thread walking their parts (drain,
 * stats, bound changes), and each side of the lock held still inside a
 * call to the fake device while the other tries to enter.  The threaded
 * cases run twice: with the protocol the process chose (membarrier where
 * the kernel has it), then in a child run with GOMEM_CACHE_NO_MEMBARRIER
 * set (the fallback), whose lines end in "(fallback)".
 *
 *   cache-test [--ops N] [--seed S] [--walks N] [CASE...]
 *
 * prints "N passed, N failed"; --walks: the walker's in
 * owners_against_a_walker (5000).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>

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

/*
 * A thread the fake device holds still at the start of a call (before
 * its lock, so that whoever waits, waits for the cache): the caller is
 * inside its part of the cache, as owner (a refill, a bin's drain) or as
 * a remote walker (a drain), until released.
 */
static pthread_t pause_who;
static atomic_int pause_armed, pause_inside, pause_release;

static void dev_maybe_pause(void)
{
	if (!atomic_load(&pause_armed) ||
	    !pthread_equal(pthread_self(), pause_who))
		return;
	atomic_store(&pause_armed, 0);
	atomic_store(&pause_inside, 1);
	while (!atomic_load(&pause_release))
		usleep(100);
	atomic_store(&pause_inside, 0);
}

static void pause_arm(pthread_t who)
{
	pause_who = who;
	atomic_store(&pause_release, 0);
	atomic_store(&pause_inside, 0);
	atomic_store(&pause_armed, 1);
}

static int fake_alloc(void *ctx, uint64_t size, uint64_t *offs,
		      unsigned int n)
{
	unsigned int got = 0;

	(void)ctx;
	dev_maybe_pause();
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
	dev_maybe_pause();
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
static bool fallback_run;	/* --fallback: the child run of the fallback */

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

/* ---- the lock of a thread's part ---- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wait up to @ms for *@flag to be non-zero; return it. */
static int wait_flag(atomic_int *flag, double ms)
{
	double end = now_ms() + ms;

	while (!atomic_load(flag) && now_ms() < end)
		usleep(200);
	return atomic_load(flag);
}

static uint64_t dev_calls_now(void)
{
	uint64_t n;

	pthread_mutex_lock(&dev_lock);
	n = dev_calls;
	pthread_mutex_unlock(&dev_lock);
	return n;
}

#define STRESS_OWNERS	3
#define STRESS_HELD	16
static long n_walks = 5000;	/* --walks */

static atomic_int walker_done, stress_done;
static atomic_long owner_ops;	/* all owners' operations so far */
static atomic_long walks;	/* the walker's, so far */
static const char *case_sfx = "";	/* " (fallback)" in its run */
static void summary_and_exit(int extra_failed);

/*
 * A thread stuck inside the cache (a part's state broken by two threads
 * in it at once can loop for ever, holding the part) stops every other:
 * no operation and no walk for 30 s (not a time limit on the case: any
 * progress resets it) is a failure, reported, and the end of the run.
 */
static void *stress_watchdog(void *arg)
{
	long last = -1, still = 0;

	(void)arg;
	while (!atomic_load(&stress_done)) {
		long now = atomic_load(&owner_ops) + atomic_load(&walks);

		still = now == last ? still + 1 : 0;
		last = now;
		if (still >= 300) {
			printf("FAIL owners_against_a_walker%s: no operation "
			       "and no walk for 30 s after %ld walks: a thread "
			       "is stuck inside the cache\n", case_sfx,
			       atomic_load(&walks));
			summary_and_exit(1);
		}
		usleep(100000);
	}
	return NULL;
}

struct sctx {
	struct gomem_cache *c;
	uint8_t tag;
	long ops;
};

/* An owner: alloc/free cycles on its own part, each region checked. */
static void *stress_owner(void *arg)
{
	static const uint64_t sizes[] = { 16, 64, 64, 1024, 4096 };
	struct sctx *t = arg;
	struct held h[STRESS_HELD];
	uint64_t x = t->tag * 0x9e3779b97f4a7c15ull + 1;
	unsigned int nh = 0;

	while (!atomic_load(&walker_done) && !atomic_load(&thread_bad)) {
		uint64_t off, size;
		bool whole;
		int r;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t->ops++;
		atomic_fetch_add_explicit(&owner_ops, 1, memory_order_relaxed);
		if (nh < STRESS_HELD && (x >> 8) % 2) {
			size = sizes[(x >> 16) % 5];
			if (user_alloc(t->c, size, &off)) {
				if (!atomic_exchange(&thread_bad, 1))
					snprintf(thread_why, sizeof(thread_why),
						 "an alloc of %" PRIu64 " failed",
						 size);
				break;
			}
			/* Live and whole on the device, held by nobody. */
			pthread_mutex_lock(&dev_lock);
			whole = off / GR < CELLS &&
				dev_len[off / GR] == size / GR;
			pthread_mutex_unlock(&dev_lock);
			if (!whole && !atomic_exchange(&thread_bad, 1))
				snprintf(thread_why, sizeof(thread_why),
					 "%#" PRIx64 " (%" PRIu64 " bytes) handed "
					 "out, not a live region of that size on "
					 "the device", off, size);
			for (uint64_t g = off / GR; g < (off + size) / GR; g++) {
				uint8_t was = 0;

				if (!atomic_compare_exchange_strong(&tshadow[g],
								    &was, t->tag) &&
				    !atomic_exchange(&thread_bad, 1))
					snprintf(thread_why, sizeof(thread_why),
						 "%#" PRIx64 " handed out to "
						 "owner %u while owner %u holds "
						 "it", off, t->tag, was);
			}
			h[nh].off = off;
			h[nh++].size = size;
		} else if (nh) {
			unsigned int i = (unsigned int)((x >> 24) % nh);

			off = h[i].off;
			size = h[i].size;
			h[i] = h[--nh];
			for (uint64_t g = off / GR; g < (off + size) / GR; g++)
				if (atomic_exchange(&tshadow[g], 0) != t->tag &&
				    !atomic_exchange(&thread_bad, 1))
					snprintf(thread_why, sizeof(thread_why),
						 "owner %u's %#" PRIx64 " was "
						 "handed out to another", t->tag,
						 off);
			r = user_free(t->c, off, size);
			if (r && !atomic_exchange(&thread_bad, 1))
				snprintf(thread_why, sizeof(thread_why),
					 "owner %u's free of %#" PRIx64 ": %d",
					 t->tag, off, r);
		}
	}
	while (nh) {
		nh--;
		for (uint64_t g = h[nh].off / GR;
		     g < (h[nh].off + h[nh].size) / GR; g++)
			atomic_store(&tshadow[g], 0);
		if (user_free(t->c, h[nh].off, h[nh].size) &&
		    !atomic_exchange(&thread_bad, 1))
			snprintf(thread_why, sizeof(thread_why),
				 "a last free refused");
	}
	return NULL;
}

/*
 * Owners cycling on their own parts while another thread walks them all,
 * a fixed number of times: drains, stats, bound changes.  Nothing handed
 * out twice, nothing handed out that is not live and whole on the
 * device, and at the end every region back on the device.
 */
static bool case_owners_against_a_walker(void)
{
	uint64_t limit = 64 << 10, drained = 0;
	struct gomem_cache *c = new_cache(limit);
	pthread_t th[STRESS_OWNERS], wd;
	struct sctx t[STRESS_OWNERS];
	struct gomem_cache_stats s;
	long ops = 0;

	memset((void *)tshadow, 0, sizeof(tshadow));
	atomic_store(&thread_bad, 0);
	atomic_store(&walker_done, 0);
	atomic_store(&owner_ops, 0);
	atomic_store(&walks, 0);
	atomic_store(&stress_done, 0);
	pthread_create(&wd, NULL, stress_watchdog, NULL);
	for (int i = 0; i < STRESS_OWNERS; i++) {
		t[i] = (struct sctx){ .c = c, .tag = (uint8_t)(i + 1) };
		pthread_create(&th[i], NULL, stress_owner, &t[i]);
	}
	for (int w = 0; w < n_walks && !atomic_load(&thread_bad); w++) {
		/* Owners at work between walks: a walk claims every part,
		 * and walks back to back would keep them all waiting. */
		long o = atomic_load(&owner_ops) + 4 * STRESS_OWNERS;

		for (long k = 1; atomic_load(&owner_ops) < o &&
		     !atomic_load(&thread_bad); k++)
			if (!(k % 1000000))
				sched_yield();
		drained += gomem_cache_drain(c);
		atomic_fetch_add(&walks, 1);
		gomem_cache_get_stats(c, &s);
		if (s.threads > STRESS_OWNERS ||
		    s.bytes > STRESS_OWNERS * limit) {
			if (!atomic_exchange(&thread_bad, 1))
				snprintf(thread_why, sizeof(thread_why),
					 "stats: %" PRIu64 " threads, %" PRIu64
					 " bytes", s.threads, s.bytes);
		}
		if (w % 64 == 63)
			gomem_cache_set_limit(c, w % 128 == 127 ? limit :
					      limit / 2);
	}
	atomic_store(&walker_done, 1);
	for (int i = 0; i < STRESS_OWNERS; i++) {
		pthread_join(th[i], NULL);
		ops += t[i].ops;
	}
	atomic_store(&stress_done, 1);
	pthread_join(wd, NULL);
	CHECK(!atomic_load(&thread_bad), "%s", thread_why);
	CHECK(!dev_bad, "%s", dev_why);
	/* The owners exited: their parts went back. */
	gomem_cache_get_stats(c, &s);
	CHECK(s.threads == 0 && s.regions == 0 && s.bytes == 0,
	      "%" PRIu64 " parts with %" PRIu64 " regions after the owners "
	      "exited", s.threads, s.regions);
	CHECK(!gomem_cache_check(c), "the map's counts disagree with its "
	      "cells");
	CHECK(gomem_cache_drain(c) == 0, "a drain after the owners found "
	      "regions");
	CHECK(dev_live == 0, "%" PRIu64 " regions live on the device, none "
	      "held", dev_live);
	for (uint64_t g = 0; g < CELLS; g++)
		CHECK(!atomic_load(&tshadow[g]), "granule %#" PRIx64 " still "
		      "held", g * GR);
	printf("# walker: %d owners, %ld operations, %ld walks (%" PRIu64
	       " regions drained by the walker), %" PRIu64 " hits, %" PRIu64
	       " refills\n", STRESS_OWNERS, ops, n_walks, drained, s.hits,
	       s.refills);
	gomem_cache_destroy(c);
	CHECK(dev_live == 0 && !dev_bad, "%s", dev_why);
	return true;
}

/*
 * An owner held still inside its part (a refill: the fake device pauses
 * it), steps driven by the test; @step: 0 start, 1 cached two sizes,
 * 2 go on with the refill, 3 refilled, 4 free and exit.
 */
struct pctx {
	struct gomem_cache *c;
	atomic_int step;
	atomic_int done;
	uint64_t off;
	int err;
};

static void *paused_owner(void *arg)
{
	struct pctx *p = arg;
	uint64_t off[8];

	/* Two bins of regions: 64 bytes and 1024. */
	for (int i = 0; i < 8; i++)
		p->err |= user_alloc(p->c, i % 2 ? 64 : 1024, &off[i]);
	for (int i = 0; i < 8; i++)
		p->err |= user_free(p->c, off[i], i % 2 ? 64 : 1024);
	atomic_store(&p->step, 1);
	while (atomic_load(&p->step) < 2)
		usleep(100);
	/* A new size: a refill, inside the part. */
	p->err |= user_alloc(p->c, 4096, &p->off);
	atomic_store(&p->done, 1);
	atomic_store(&p->step, 3);
	while (atomic_load(&p->step) < 4)
		usleep(100);
	p->err |= user_free(p->c, p->off, 4096);
	return NULL;
}

struct dctx {
	struct gomem_cache *c;
	bool pause;		/* held still inside its first free */
	atomic_int done;
	uint64_t n;
};

static void *drainer(void *arg)
{
	struct dctx *d = arg;

	if (d->pause)
		pause_arm(pthread_self());
	d->n = gomem_cache_drain(d->c);
	atomic_store(&d->done, 1);
	return NULL;
}

/* Let a paused owner run to its end, and wait for it. */
static void paused_owner_finish(struct pctx *p, pthread_t pt)
{
	atomic_store(&pause_release, 1);
	atomic_store(&p->step, 4);
	pthread_join(pt, NULL);
	atomic_store(&pause_armed, 0);
}

/* A drain from another thread waits while the owner is in its part. */
static bool case_walker_waits_for_the_owner(void)
{
	struct gomem_cache *c = new_cache(GOMEM_CACHE_DEFAULT_LIMIT);
	struct pctx p = { .c = c };
	struct dctx d = { .c = c };
	uint64_t calls = 0, live = 0, after = 0;
	int started, inside = 0, done = 0, finished = 0;
	pthread_t pt, dt;

	pthread_create(&pt, NULL, paused_owner, &p);
	started = wait_flag(&p.step, 10000);
	if (started) {
		pause_arm(pt);
		atomic_store(&p.step, 2);
		inside = wait_flag(&pause_inside, 10000);
	}
	if (inside) {
		calls = dev_calls_now();
		pthread_create(&dt, NULL, drainer, &d);
		/* The owner is inside: the drain must not get in. */
		done = wait_flag(&d.done, 300);
		live = dev_calls_now() - calls;
		atomic_store(&pause_release, 1);
		finished = wait_flag(&p.done, 10000);
		pthread_join(dt, NULL);
		after = dev_live;	/* the owner holds its refill's first */
	}
	paused_owner_finish(&p, pt);
	CHECK(started && inside && finished, "the owner did not %s",
	      !started ? "start" : !inside ? "reach its refill" : "finish");
	CHECK(!done && !live, "the drain %s and made %" PRIu64 " device "
	      "calls while the owner was inside its part", done ?
	      "returned" : "did not return", live);
	CHECK(!p.err, "the owner's cycles failed");
	/* After the owner: everything its part held, the refill's rest
	 * included, went back; only the region it held was live. */
	CHECK(after == 1, "%" PRIu64 " regions live after the drain, the "
	      "owner held 1 (the drain returned %" PRIu64 ")", after, d.n);
	CHECK(!dev_bad, "%s", dev_why);
	gomem_cache_destroy(c);
	CHECK(dev_live == 0 && !dev_bad, "%" PRIu64 " live; %s", dev_live,
	      dev_why);
	return true;
}

/* The owner waits while another thread's drain is in its part. */
static bool case_owner_waits_for_the_walker(void)
{
	struct gomem_cache *c = new_cache(GOMEM_CACHE_DEFAULT_LIMIT);
	struct pctx p = { .c = c };
	struct dctx d = { .c = c, .pause = true };
	struct gomem_cache_stats s = { 0 };
	int started, inside = 0, done = 0, finished = 0;
	pthread_t pt, dt;

	pthread_create(&pt, NULL, paused_owner, &p);
	started = wait_flag(&p.step, 10000);
	if (started) {
		gomem_cache_get_stats(c, &s);
		/* The drain stops at its first free: inside the part. */
		pthread_create(&dt, NULL, drainer, &d);
		inside = wait_flag(&pause_inside, 10000);
		if (inside) {
			atomic_store(&p.step, 2);
			done = wait_flag(&p.done, 300);
		}
		atomic_store(&pause_release, 1);
		pthread_join(dt, NULL);
		finished = wait_flag(&p.done, 10000);
	}
	paused_owner_finish(&p, pt);
	CHECK(started && inside && finished, "%s", !started ? "the owner did "
	      "not start" : !inside ? "the drain never reached the device" :
	      "the owner did not finish");
	CHECK(!done, "the owner's alloc went through while a drain was "
	      "inside its part");
	CHECK(!p.err, "the owner's cycles failed");
	CHECK(d.n == s.regions && s.regions, "the drain gave back %" PRIu64
	      " regions, the part held %" PRIu64, d.n, s.regions);
	gomem_cache_destroy(c);
	CHECK(dev_live == 0 && !dev_bad, "%" PRIu64 " live; %s", dev_live,
	      dev_why);
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
		if (cs.hits != s.hits)
			_exit(12);
		/* Walks with another thread in the child (a membarrier
		 * that has a thread to reach, where the protocol is on). */
		{
			struct pctx p = { .c = c };
			pthread_t pt;

			pthread_create(&pt, NULL, paused_owner, &p);
			if (!wait_flag(&p.step, 10000))
				_exit(13);
			gomem_cache_drain(c);
			atomic_store(&p.step, 2);
			if (!wait_flag(&p.done, 10000))
				_exit(13);
			gomem_cache_get_stats(c, &cs);
			atomic_store(&p.step, 4);
			pthread_join(pt, NULL);
			_exit(p.err || cs.threads != 2 ? 14 : 0);
		}
	}
	CHECK(p > 0, "fork");
	CHECK(waitpid(p, &st, 0) == p, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child said %d "
	      "(10: it saw cached regions, 11: it got the parent's, 12: a "
	      "hit, 13: its thread stuck, 14: its thread's cycles failed; "
	      "-1: killed by signal %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
	      WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	/* The parent's cache is as it was. */
	CHECK(!user_alloc(c, 128, &b) && b == a, "the parent lost its cache");
	gomem_cache_destroy(c);
	return true;
}

struct tcase {
	const char *name;
	bool (*fn)(void);
	bool threads;		/* run again with the fallback */
};

/* The protocol the process runs is the one the kernel lets it run. */
static bool case_protocol_chosen(void)
{
	const char *no = getenv("GOMEM_CACHE_NO_MEMBARRIER");
	bool want = false;
	long mask;

	if (fallback_run) {
		CHECK(!gomem_cache_membarrier(), "GOMEM_CACHE_NO_MEMBARRIER=%s "
		      "and the membarrier protocol", no ? no : "(unset)");
		return true;
	}
#ifdef __NR_membarrier
	mask = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	want = !(no && *no && strcmp(no, "0")) && mask >= 0 &&
	       mask & MEMBARRIER_CMD_PRIVATE_EXPEDITED &&
	       !syscall(__NR_membarrier,
			MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) &&
	       !syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED,
			0, 0);
#else
	(void)mask;
#endif
	CHECK(gomem_cache_membarrier() == want, "the cache runs the %s, the "
	      "kernel %s membarrier", want ? "fallback" : "membarrier protocol",
	      want ? "offers" : "does not offer");
	return true;
}

/*
 * The threaded cases again in a child run with GOMEM_CACHE_NO_MEMBARRIER
 * (the protocol is chosen once a process): its lines are passed on, its
 * counts added.
 */
static void run_fallback(char **argv, char **names, int nnames)
{
	char ops[32], sd[32], wk[32], line[1024];
	int fd[2], st, p = -1, f = -1;
	FILE *in;
	pid_t pid;

	snprintf(ops, sizeof(ops), "%ld", n_ops);
	snprintf(sd, sizeof(sd), "%" PRIu64, seed);
	snprintf(wk, sizeof(wk), "%ld", n_walks);
	fflush(stdout);
	if (pipe(fd) || (pid = fork()) < 0) {
		perror("cache-test: fallback run");
		failed++;
		return;
	}
	if (!pid) {
		char *args[9 + 64] = { argv[0], "--fallback", "--ops", ops,
				       "--seed", sd, "--walks", wk };

		for (int i = 0; i < nnames && i < 64; i++)
			args[8 + i] = names[i];
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		setenv("GOMEM_CACHE_NO_MEMBARRIER", "1", 1);
		execv("/proc/self/exe", args);
		_exit(127);
	}
	close(fd[1]);
	in = fdopen(fd[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%d passed, %d failed", &p, &f) == 2)
			continue;
		fputs(line, stdout);
	}
	if (in)
		fclose(in);
	waitpid(pid, &st, 0);
	if (p < 0 || f < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != !!f) {
		printf("FAIL fallback_run: the child ended with status %#x "
		       "before its counts\n", st);
		failed++;
		return;
	}
	passed += p;
	failed += f;
}

int main(int argc, char **argv)
{
	static const struct tcase cases[] = {
#define C(n, t) { #n, case_##n, t }
		C(protocol_chosen, true),
		C(steady_loop_no_calls, false),
		C(foreign_partial_double_go_to_device, false),
		C(sizes_round_to_granule, false),
		C(bound_in_bytes, false),
		C(drain_and_reset, false),
		C(differential, false),
		C(threads_free_each_others, true),
		C(owners_against_a_walker, true),
		C(walker_waits_for_the_owner, true),
		C(owner_waits_for_the_walker, true),
		C(fork_child_starts_empty, true),
#undef C
	};
	char *names[64];
	int nnames = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			n_ops = atol(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--walks") && i + 1 < argc)
			n_walks = atol(argv[++i]);
		else if (!strcmp(argv[i], "--fallback"))
			fallback_run = true;
		else if (nnames < 64)
			names[nnames++] = argv[i];
	}
	if (fallback_run)
		case_sfx = " (fallback)";
	else
		printf("# protocol: %s\n", gomem_cache_membarrier() ?
		       "membarrier" : "fallback (no membarrier, or "
		       "GOMEM_CACHE_NO_MEMBARRIER set)");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool named = !nnames;

		for (int k = 0; k < nnames; k++)
			named |= !strcmp(names[k], cases[i].name);
		if (!named || (fallback_run && !cases[i].threads))
			continue;
		why[0] = 0;
		if (cases[i].fn()) {
			passed++;
			printf("PASS %s%s\n", cases[i].name, case_sfx);
		} else {
			failed++;
			printf("FAIL %s%s: %s\n", cases[i].name, case_sfx,
			       why);
		}
		fflush(stdout);
	}
	/* The fallback's turn, unless it already was this run's. */
	if (!fallback_run && gomem_cache_membarrier())
		run_fallback(argv, names, nnames);
	summary_and_exit(0);
}

static void summary_and_exit(int extra_failed)
{
	failed += extra_failed;
	printf("%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	_exit(failed ? 1 : 0);
}
