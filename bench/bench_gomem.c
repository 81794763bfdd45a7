// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GoMem's benchmark workloads (../shared/gomem-benchmarks.md) on gomem's
 * core: the kernel files compiled natively against the harness shim.
 *
 *   bench_gomem [--only SECTION,...] [--impl-suffix S] [--front]
 *
 * Sections: range, buddy, scalable, recyclable, memory, reader.  Every
 * range, scalable and recyclable workload runs for both policies ("treap"
 * and "avl"); buddy, memory and reader have no policy ("gomem").
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>

#include "gomem_arena.h"
#include "gomem_buddy.h"
#include "gomem_range.h"
#include "gomem_reader.h"

#include "bench.h"

static const char *suffix = "";
/* --front: the arenas get a per-CPU front for every size it can keep. */
static u64 front_max;

static void report(const char *section, const char *workload,
		   const char *impl, double ns)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", impl, suffix);
	bench_report(section, workload, name, ns);
}

#define check(expr)							\
	do {								\
		int __err = (expr);					\
		if (__err)						\
			bench_die("%s:%d: %s = %d", __FILE__, __LINE__,	\
				  #expr, __err);			\
	} while (0)

/* ---- range allocator: GoMem's Allocator, a 64 KiB space ---- */

struct range_ctx {
	struct gomem_range r;
	u64 size;		/* for the fixed-size cases */
	u64 offs[50];
};

static void range_pair(void *p, uint64_t n)
{
	struct range_ctx *c = p;
	u64 off;

	while (n--) {
		check(gomem_range_alloc(&c->r, c->size, 1, &off));
		check(gomem_range_free(&c->r, off, c->size));
	}
}

static void range_sequential(void *p, uint64_t n)
{
	struct range_ctx *c = p;
	int j;

	while (n--) {
		for (j = 0; j < 50; j++)
			check(gomem_range_alloc(&c->r, 1024, 1, &c->offs[j]));
		for (j = 0; j < 50; j++)
			check(gomem_range_free(&c->r, c->offs[j], 1024));
	}
}

static void range_random(void *p, uint64_t n)
{
	struct range_ctx *c = p;
	uint64_t i;
	u64 off, size;

	for (i = 0; i < n; i++) {
		size = bench_random_sizes[i % 7];
		check(gomem_range_alloc(&c->r, size, 1, &off));
		check(gomem_range_free(&c->r, off, size));
	}
}

static void range_free_size(void *p, uint64_t n)
{
	struct range_ctx *c = p;

	while (n--)
		bench_sink(gomem_range_free_bytes(&c->r));
}

static void range_find(void *p, uint64_t n)
{
	struct range_ctx *c = p;
	u64 off;

	while (n--) {
		check(gomem_range_find(&c->r, 1024, 1, &off));
		bench_sink(off);
	}
}

static void bench_range(enum gomem_policy policy)
{
	static const struct {
		const char *name;
		bench_fn fn;
		u64 size;
	} cases[] = {
		{ "Allocate", range_pair, 1024 },
		{ "AllocateSmall", range_pair, 64 },
		{ "AllocateLarge", range_pair, 8192 },
		{ "SequentialAlloc", range_sequential, 0 },
		{ "RandomAlloc", range_random, 0 },
		{ "GetFreeSize", range_free_size, 0 },
		{ "Find", range_find, 0 },
	};
	struct range_ctx c;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check(gomem_range_init(&c.r, policy, 64 * 1024, 8,
				       GFP_KERNEL));
		c.size = cases[i].size;
		report("range", cases[i].name, gomem_policy_name(policy),
		       bench_measure(cases[i].fn, &c));
		gomem_range_destroy(&c.r);
	}
}

/* ---- buddy: 512 MiB in 1 KiB units, shared by 2 threads under a mutex ---- */

#define BUDDY_ORDER	19	/* 2^19 units of 1 KiB */

struct buddy_ctx {
	struct gomem_buddy b;
	pthread_mutex_t lock;
	u64 units;		/* per allocation; 0: cycle through sizes */
};

/* GoMem's Buddy takes its lock in Alloc and again in Free. */
static void buddy_pair(struct buddy_ctx *c, u64 units)
{
	u64 unit;
	int err;

	pthread_mutex_lock(&c->lock);
	err = gomem_buddy_alloc(&c->b, units, &unit);
	pthread_mutex_unlock(&c->lock);
	check(err);
	pthread_mutex_lock(&c->lock);
	err = gomem_buddy_free(&c->b, unit);
	pthread_mutex_unlock(&c->lock);
	check(err);
}

/* One worker's share of a parallel call (Go's RunParallel body). */
static void buddy_worker(void *p, int worker, uint64_t n)
{
	struct buddy_ctx *c = p;
	uint64_t i;

	for (i = 0; i < n; i++)
		buddy_pair(c, c->units ? c->units : bench_random_sizes[i % 7]);
}

static void buddy_sequential(void *p, uint64_t n)
{
	struct buddy_ctx *c = p;
	u64 units[100];
	int j, err;

	while (n--) {
		for (j = 0; j < 100; j++) {
			pthread_mutex_lock(&c->lock);
			err = gomem_buddy_alloc(&c->b, 1024, &units[j]);
			pthread_mutex_unlock(&c->lock);
			check(err);
		}
		for (j = 0; j < 100; j++) {
			pthread_mutex_lock(&c->lock);
			err = gomem_buddy_free(&c->b, units[j]);
			pthread_mutex_unlock(&c->lock);
			check(err);
		}
	}
}

static void bench_buddy(void)
{
	static const struct {
		const char *name;
		bench_fn fn;
		u64 units;
	} cases[] = {
		{ "Alloc", NULL, 1024 },
		{ "AllocSmall", NULL, 64 },
		{ "AllocLarge", NULL, 8192 },
		{ "SequentialAlloc", buddy_sequential, 0 },
		{ "RandomAlloc", NULL, 0 },
		{ "NonPowerOf2", NULL, 1000 },
	};
	struct bench_pool pool;
	struct buddy_ctx c;
	unsigned int i;

	pthread_mutex_init(&c.lock, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check(gomem_buddy_init(&c.b, BUDDY_ORDER, GFP_KERNEL));
		c.units = cases[i].units;
		if (cases[i].fn) {
			report("buddy", cases[i].name, "gomem",
			       bench_measure(cases[i].fn, &c));
		} else {
			/* NULL: 2 workers share the buddy (RunParallel). */
			bench_pool_start(&pool, 2, buddy_worker, &c);
			report("buddy", cases[i].name, "gomem",
			       bench_measure(bench_pool_run, &pool));
			bench_pool_stop(&pool);
		}
		gomem_buddy_destroy(&c.b);
	}
	pthread_mutex_destroy(&c.lock);
}

/* ---- scalable allocator: an arena created with 1024 bytes ---- */

struct arena_ctx {
	struct gomem_arena a;
	struct gomem_recyclable rm;
	u64 size;
	uint64_t i;		/* iterations so far (NextN's every 100th) */
	u64 offs[50];
};

static void arena_setup(struct arena_ctx *c, enum gomem_policy policy)
{
	struct gomem_arena_params p = {
		.initial_size = 1024,
		.max_chunk = GOMEM_ARENA_DEFAULT_MAX_CHUNK,
		.max_size = 256ULL << 20,
		.policy = policy,
		.source = GOMEM_CHUNKS_VMALLOC,
		.front_max = front_max,
	};

	check(gomem_arena_init(&c->a, &p));
	gomem_recyclable_init(&c->rm, &c->a);
	c->i = 0;
}

static void arena_teardown(struct arena_ctx *c)
{
	check(gomem_recyclable_recycle(&c->rm, false));
	gomem_recyclable_destroy(&c->rm);
	gomem_arena_destroy(&c->a);
}

static void arena_pair(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	u64 off;

	while (n--) {
		check(gomem_arena_alloc(&c->a, c->size, 1, 0, &off));
		check(gomem_arena_free(&c->a, off, c->size));
	}
}

static void arena_borrow(void *p, uint64_t n)
{
	struct arena_ctx *c = p;

	while (n--) {
		void *mem = gomem_arena_borrow(&c->a, c->size);

		if (!mem)
			bench_die("borrow %llu failed", c->size);
		bench_sink((uintptr_t)mem);
	}
}

static void arena_sequential(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	int j;

	while (n--) {
		for (j = 0; j < 50; j++)
			check(gomem_arena_alloc(&c->a, 1024, 1, 0, &c->offs[j]));
		for (j = 0; j < 50; j++)
			check(gomem_arena_free(&c->a, c->offs[j], 1024));
	}
}

static void arena_random(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	uint64_t i;
	u64 off, size;

	for (i = 0; i < n; i++) {
		size = bench_random_sizes[i % 7];
		check(gomem_arena_alloc(&c->a, size, 1, 0, &off));
		check(gomem_arena_free(&c->a, off, size));
	}
}

static void arena_random_borrow(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	uint64_t i;

	for (i = 0; i < n; i++) {
		void *mem = gomem_arena_borrow(&c->a, bench_random_sizes[i % 7]);

		if (!mem)
			bench_die("borrow failed");
		bench_sink((uintptr_t)mem);
	}
}

static void arena_mixed(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	uint64_t i;
	u64 off;

	for (i = 0; i < n; i++) {
		if (i % 2 == 0) {
			check(gomem_arena_alloc(&c->a, 1024, 1, 0, &off));
			check(gomem_arena_free(&c->a, off, 1024));
		} else {
			void *mem = gomem_arena_borrow(&c->a, 1024);

			if (!mem)
				bench_die("borrow failed");
			bench_sink((uintptr_t)mem);
		}
	}
}

static void arena_free_rest(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	u64 off;

	while (n--) {
		check(gomem_arena_alloc(&c->a, 1024, 1, 0, &off));
		check(gomem_arena_free_rest(&c->a, off, 1024, 256));
		check(gomem_arena_free(&c->a, off, 256));
	}
}

static void arena_scaling(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	uint64_t i;
	u64 off, size;

	for (i = 0; i < n; i++) {
		size = bench_scaling_sizes[i % 5];
		check(gomem_arena_alloc(&c->a, size, 1, 0, &off));
		check(gomem_arena_free(&c->a, off, size));
	}
}

static void arena_concurrent(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	int j;

	while (n--) {
		for (j = 0; j < 20; j++)
			check(gomem_arena_alloc(&c->a, 64 * (j + 1), 1, 0,
						&c->offs[j]));
		for (j = 0; j < 20; j++)
			check(gomem_arena_free(&c->a, c->offs[j], 64 * (j + 1)));
	}
}

static void arena_get_stats(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	struct gomem_arena_stats st;

	while (n--) {
		gomem_arena_stats(&c->a, &st);
		bench_sink(st.allocs + st.frees + st.chunks);
	}
}

static void rec_next_n(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	u64 off;

	while (n--) {
		check(gomem_recyclable_next_n(&c->rm, 1024, &off));
		if (c->i++ % 100 == 0)
			check(gomem_recyclable_recycle(&c->rm, false));
	}
}

static void rec_batch(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	u64 off;
	int j;

	while (n--) {
		for (j = 0; j < 10; j++)
			check(gomem_recyclable_next_n(&c->rm, 1024, &off));
		check(gomem_recyclable_recycle(&c->rm, false));
	}
}

/* GoMem's recycle indexes: free only what the batch allocated itself. */
static void rec_batch_own(void *p, uint64_t n)
{
	struct arena_ctx *c = p;
	u64 off;
	int j;

	while (n--) {
		for (j = 0; j < 10; j++)
			check(gomem_recyclable_next_n(&c->rm, 1024, &off));
		check(gomem_recyclable_recycle(&c->rm, true));
	}
}

static void bench_arena(const char *section, enum gomem_policy policy)
{
	static const struct {
		const char *section;
		const char *name;
		bench_fn fn;
		u64 size;
	} cases[] = {
		{ "scalable", "Malloc", arena_pair, 1024 },
		{ "scalable", "MallocSmall", arena_pair, 64 },
		{ "scalable", "MallocLarge", arena_pair, 8192 },
		{ "scalable", "Borrow", arena_borrow, 1024 },
		{ "scalable", "BorrowSmall", arena_borrow, 64 },
		{ "scalable", "BorrowLarge", arena_borrow, 8192 },
		{ "scalable", "SequentialAlloc", arena_sequential, 0 },
		{ "scalable", "RandomAlloc", arena_random, 0 },
		{ "scalable", "RandomBorrow", arena_random_borrow, 0 },
		{ "scalable", "MixedPattern", arena_mixed, 0 },
		{ "scalable", "FreeRest", arena_free_rest, 0 },
		{ "scalable", "Scaling", arena_scaling, 0 },
		{ "scalable", "Concurrent", arena_concurrent, 0 },
		{ "scalable", "GetStats", arena_get_stats, 0 },
		{ "recyclable", "NextN", rec_next_n, 0 },
		{ "recyclable", "BatchRecycle", rec_batch, 0 },
		{ "recyclable", "WithRecycleIndexes", rec_batch_own, 0 },
	};
	struct arena_ctx *c = malloc(sizeof(*c));
	unsigned int i;

	if (!c)
		bench_die("out of memory");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(cases[i].section, section))
			continue;
		arena_setup(c, policy);
		c->size = cases[i].size;
		report(section, cases[i].name, gomem_policy_name(policy),
		       bench_measure(cases[i].fn, c));
		arena_teardown(c);
	}
	free(c);
}

/* ---- multi-segment memory ---- */

static u8 seg_buf[4][1024];
static u8 *flat_buf;

struct mem_ctx {
	struct gomem_mem m;	/* 100 x 1 KiB, for the read-only cases */
};

static void mem_push_one(void *p, uint64_t n)
{
	struct gomem_mem m;

	/* GoMem's memory grows without bound: n pushes, then drop it. */
	gomem_mem_init(&m, UINT_MAX, GFP_KERNEL);
	while (n--)
		check(gomem_mem_push(&m, seg_buf[0], 1024));
	gomem_mem_destroy(&m);
}

static void mem_push(void *p, uint64_t n)
{
	struct gomem_seg two[2] = {
		{ seg_buf[0], 512 }, { seg_buf[1], 512 },
	};
	struct gomem_mem m;

	gomem_mem_init(&m, UINT_MAX, GFP_KERNEL);
	while (n--)
		check(gomem_mem_push_many(&m, two, 2));
	gomem_mem_destroy(&m);
}

static void mem_to_bytes(void *p, uint64_t n)
{
	struct mem_ctx *c = p;
	size_t size = gomem_mem_size(&c->m);

	while (n--) {
		/* A new flat buffer each time, as GoMem's ToBytes makes. */
		u8 *buf = malloc(size);

		if (!buf)
			bench_die("out of memory");
		check(gomem_mem_copy_out(&c->m, 0, buf, size));
		bench_sink((uintptr_t)buf);
		free(buf);
	}
}

static void mem_copy_to(void *p, uint64_t n)
{
	struct mem_ctx *c = p;
	size_t size = gomem_mem_size(&c->m);

	while (n--) {
		check(gomem_mem_copy_out(&c->m, 0, flat_buf, size));
		bench_sink((uintptr_t)flat_buf);
	}
}

static void mem_count(void *p, uint64_t n)
{
	struct mem_ctx *c = p;

	while (n--) {
		/* Reload the count every time, as a call would. */
		__asm__ __volatile__("" : : "r"(c) : "memory");
		bench_sink(gomem_mem_count(&c->m));
	}
}

static int visit_len(void *arg, void *data, size_t len)
{
	*(size_t *)arg += len;
	return 0;
}

static void mem_range(void *p, uint64_t n)
{
	struct mem_ctx *c = p;
	size_t total = 0;

	while (n--)
		check(gomem_mem_walk(&c->m, visit_len, &total));
	bench_sink(total);
}

static void bench_memory(void)
{
	static const struct {
		const char *name;
		bench_fn fn;
	} cases[] = {
		{ "PushOne", mem_push_one },
		{ "Push", mem_push },
		{ "ToBytes", mem_to_bytes },
		{ "CopyTo", mem_copy_to },
		{ "Count", mem_count },
		{ "Range", mem_range },
	};
	static u8 segs[100][1024];
	struct mem_ctx c;
	unsigned int i;
	int j;

	gomem_mem_init(&c.m, 128, GFP_KERNEL);
	for (j = 0; j < 100; j++)
		check(gomem_mem_push(&c.m, segs[j], sizeof(segs[j])));
	flat_buf = malloc(gomem_mem_size(&c.m));
	if (!flat_buf)
		bench_die("out of memory");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		report("memory", cases[i].name, "gomem",
		       bench_measure(cases[i].fn, &c));
	free(flat_buf);
	gomem_mem_destroy(&c.m);
}

/* ---- reader: a fresh reader over the same buffers each iteration ---- */

static u8 leb_buf[1024];

static void reader_read(void *p, uint64_t n)
{
	u8 out[1024];
	struct gomem_mem m;
	struct gomem_reader r;

	while (n--) {
		gomem_mem_init(&m, 0, GFP_KERNEL);
		check(gomem_mem_push(&m, seg_buf[0], 1024));
		check(gomem_mem_push(&m, seg_buf[1], 1024));
		check(gomem_mem_push(&m, seg_buf[2], 1024));
		gomem_reader_init(&r, &m);
		while (gomem_reader_remaining(&r))
			check(gomem_reader_read(&r, out, sizeof(out)));
		bench_sink(out[0]);
	}
}

static void reader_read_byte(void *p, uint64_t n)
{
	struct gomem_mem m;
	struct gomem_reader r;
	u8 v;

	while (n--) {
		check(gomem_mem_init_buf(&m, seg_buf[0], 1024));
		gomem_reader_init(&r, &m);
		while (gomem_reader_remaining(&r)) {
			check(gomem_reader_read_u8(&r, &v));
			bench_sink(v);
		}
	}
}

static void reader_read_bytes(void *p, uint64_t n)
{
	struct gomem_mem m;
	struct gomem_reader r;
	u8 buf[64];
	void *view;

	while (n--) {
		check(gomem_mem_init_buf(&m, seg_buf[0], 1024));
		gomem_reader_init(&r, &m);
		while (gomem_reader_remaining(&r)) {
			check(gomem_reader_read_bytes(&r, 64, buf, &view));
			bench_sink((uintptr_t)view);
		}
	}
}

static void reader_read_be(void *p, uint64_t n)
{
	struct gomem_mem m;
	struct gomem_reader r;
	u64 v;

	while (n--) {
		check(gomem_mem_init_buf(&m, seg_buf[0], 1024));
		gomem_reader_init(&r, &m);
		while (gomem_reader_remaining(&r) >= 4) {
			check(gomem_reader_read_be(&r, 4, &v));
			bench_sink(v);
		}
	}
}

static void reader_skip(void *p, uint64_t n)
{
	struct gomem_mem m;
	struct gomem_reader r;

	while (n--) {
		check(gomem_mem_init_buf(&m, seg_buf[0], 1024));
		gomem_reader_init(&r, &m);
		while (gomem_reader_remaining(&r))
			check(gomem_reader_skip(&r, 64));
		bench_sink(gomem_reader_offset(&r));
	}
}

static void reader_range(void *p, uint64_t n)
{
	struct gomem_mem m;
	struct gomem_reader r;
	size_t total = 0;

	while (n--) {
		gomem_mem_init(&m, 0, GFP_KERNEL);
		check(gomem_mem_push(&m, seg_buf[0], 512));
		check(gomem_mem_push(&m, seg_buf[1], 512));
		gomem_reader_init(&r, &m);
		check(gomem_reader_walk(&r, visit_len, &total));
	}
	bench_sink(total);
}

static void reader_range_n(void *p, uint64_t n)
{
	struct gomem_mem m;
	struct gomem_reader r;
	size_t total = 0;

	while (n--) {
		gomem_mem_init(&m, 0, GFP_KERNEL);
		check(gomem_mem_push(&m, seg_buf[0], 512));
		check(gomem_mem_push(&m, seg_buf[1], 512));
		gomem_reader_init(&r, &m);
		check(gomem_reader_walk_n(&r, 2, visit_len, &total));
	}
	bench_sink(total);
}

static void reader_leb128(void *p, uint64_t n)
{
	struct gomem_mem m;
	struct gomem_reader r;
	u64 v;

	while (n--) {
		check(gomem_mem_init_buf(&m, leb_buf, sizeof(leb_buf)));
		gomem_reader_init(&r, &m);
		while (gomem_reader_remaining(&r)) {
			check(gomem_reader_read_uleb128(&r, &v));
			bench_sink(v);
		}
	}
}

static void bench_reader(void)
{
	static const struct {
		const char *name;
		bench_fn fn;
	} cases[] = {
		{ "Read", reader_read },
		{ "ReadByte", reader_read_byte },
		{ "ReadBytes", reader_read_bytes },
		{ "ReadBE", reader_read_be },
		{ "Skip", reader_skip },
		{ "Range", reader_range },
		{ "RangeN", reader_range_n },
		{ "LEB128", reader_leb128 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(leb_buf); i++)
		leb_buf[i] = i % 128;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		report("reader", cases[i].name, "gomem",
		       bench_measure(cases[i].fn, NULL));
}

int main(int argc, char **argv)
{
	static const enum gomem_policy policies[] = {
		GOMEM_POLICY_TREAP, GOMEM_POLICY_AVL,
	};
	const char *only = NULL;
	unsigned int p;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--impl-suffix") && i + 1 < argc)
			suffix = argv[++i];
		else if (!strcmp(argv[i], "--front"))
			front_max = GOMEM_FRONT_MAX;
		else
			bench_die("usage: %s [--only SECTION,...] [--impl-suffix S] [--front]",
				  argv[0]);
	}

	for (p = 0; p < 2; p++)
		if (bench_wanted(only, "range"))
			bench_range(policies[p]);
	if (bench_wanted(only, "buddy"))
		bench_buddy();
	for (p = 0; p < 2; p++) {
		if (bench_wanted(only, "scalable"))
			bench_arena("scalable", policies[p]);
		if (bench_wanted(only, "recyclable"))
			bench_arena("recyclable", policies[p]);
	}
	if (bench_wanted(only, "memory"))
		bench_memory();
	if (bench_wanted(only, "reader"))
		bench_reader();
	return 0;
}
