/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gomem arena: GoMem's ScalableMemoryAllocator in the kernel.
 *
 * An arena is an offset space backed by chunks of page-aligned, zeroed
 * memory (vmalloc_user, or runs of a buddy pool reserved up front).  Each
 * chunk is managed by one range allocator; a region never spans two chunks
 * and keeps its offset for its whole life.  The arena starts with one chunk
 * and grows on demand, each new chunk twice the size of the last up to
 * max_chunk, never beyond max_size in all; a request larger than max_chunk
 * gets a dedicated chunk of its own.  Trim releases chunks that are
 * entirely free, except the first.
 *
 * Locking: one mutex per arena, taken inside every call; all calls may
 * sleep, and are safe from many threads at once, except the lockless
 * lookup of the fault path (gomem_arena_lookup_rcu()), which reads the
 * chunk table under RCU.  The *_locked() calls
 * are the exception: the caller holds the lock (gomem_arena_lock()), to
 * do many of them under one acquisition.  Growth obtains and zeroes a
 * chunk's memory with the lock dropped, so gomem_arena_alloc_locked() may
 * drop and retake it; long operations let it go between slices
 * (gomem_arena_relax_locked()).
 *
 * An arena may have a per-CPU front (gomem_arena_params.front_max): then
 * gomem_arena_free() of a small region keeps it in the calling CPU's
 * front, still allocated in its chunk, and gomem_arena_alloc() of that
 * size takes it back from there, both under the front's spinlock, not the
 * arena mutex.  Fronts are emptied into the chunks when a class of one is
 * full, when an allocation finds no room, and by trim and check.  The
 * front trusts its callers as kfree() does: a double free is refused when
 * the block is still in the same CPU's front or already back in its chunk,
 * not when another CPU's front holds it.  The device's arena has none
 * (its path runs under the lock anyway, for its ownership records).
 */
#ifndef _GOMEM_ARENA_H
#define _GOMEM_ARENA_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "gomem_buddy.h"
#include "gomem_range.h"

/**
 * enum gomem_chunk_source - where an arena's chunks come from
 * @GOMEM_CHUNKS_VMALLOC: one vmalloc_user() area per chunk
 * @GOMEM_CHUNKS_BUDDY: runs of a buddy pool reserved when the arena is
 *                      created (GoMem's enable_buddy): growing costs no
 *                      vmalloc, chunk sizes are powers of two pages
 */
enum gomem_chunk_source {
	GOMEM_CHUNKS_VMALLOC = 0,
	GOMEM_CHUNKS_BUDDY = 1,
};

/* GoMem's default largest growth chunk. */
#define GOMEM_ARENA_DEFAULT_MAX_CHUNK	(4ULL << 20)

/*
 * Most units of work (regions freed, blocks walked) a long operation does
 * under one hold of the arena lock: between two slices it lets others in.
 */
#define GOMEM_ARENA_SLICE	64

/* gomem_arena_alloc() flag: zero the region before returning it. */
#define GOMEM_ALLOC_ZERO	0x1U

/**
 * struct gomem_arena_params - geometry and policy of an arena
 * @name: short name for tracepoints and logs (NULL: "arena"); the string
 *        must outlive the arena
 * @initial_size: size of the first chunk, rounded up to a page
 * @max_chunk: largest chunk growth produces (bigger requests get a
 *             dedicated chunk), rounded up to a page, >= @initial_size
 * @max_size: the most bytes all chunks together may hold, >= @max_chunk
 *            (rounded up to a page)
 * @granule: allocation unit inside chunks, 0 for the range allocators'
 *           default
 * @policy: range allocator policy of every chunk
 * @source: where chunks come from
 * @front_max: largest size, rounded up to the granule, the per-CPU front
 *             keeps (at most %GOMEM_FRONT_MAX); 0 for no front
 * @account: charge chunk memory (and a buddy pool) to a memory cgroup
 *           (__GFP_ACCOUNT): the caller's, or the one its caller made
 *           active with set_active_memcg() around the calls that may grow
 */
struct gomem_arena_params {
	const char *name;
	u64 initial_size;
	u64 max_chunk;
	u64 max_size;
	u64 granule;
	enum gomem_policy policy;
	enum gomem_chunk_source source;
	u64 front_max;
	bool account;
};

/*
 * The per-CPU front: each CPU keeps up to %GOMEM_FRONT_DEPTH freed blocks
 * of one size in each of %GOMEM_FRONT_CLASSES classes and at most
 * %GOMEM_FRONT_CLASS_BYTES in a class; a class holds one size at a time.
 * A size of 2^k granules has class k (each power of two its own: the
 * commonest sizes); any other size one of the last %GOMEM_FRONT_ODD
 * classes, by a hash of its granule count.  When emptying the fronts has
 * saved the arena from growing %GOMEM_FRONT_RESCUES times since it last
 * grew, the next allocation that finds no room grows it instead (the
 * fronts then only emptied if it cannot grow): a working set as big as
 * the arena no longer empties every CPU's front at each allocation.
 */
#define GOMEM_FRONT_CLASSES	32
#define GOMEM_FRONT_ODD		16	/* 1 << GOMEM_FRONT_ODD_BITS */
#define GOMEM_FRONT_ODD_BITS	4
#define GOMEM_FRONT_DEPTH	16
#define GOMEM_FRONT_RESCUES	16
#define GOMEM_FRONT_CLASS_BYTES	(16 * 1024)
#define GOMEM_FRONT_MAX		GOMEM_FRONT_CLASS_BYTES

/**
 * struct gomem_front_class - one CPU's freed blocks of one size
 * @size: bytes of each block (granule-rounded); any while @nr is 0
 * @nr: blocks held
 * @misses: frees in a row of another size, which it did not keep
 * @block: their offsets, the most recently freed last
 */
struct gomem_front_class {
	u64 size;
	unsigned int nr;
	unsigned int misses;
	u64 block[GOMEM_FRONT_DEPTH];
};

/**
 * struct gomem_front - one CPU's part of an arena's front
 * @lock: serialises this CPU's part; nests inside the arena lock
 * @allocs: allocations served from here
 * @frees: frees kept here
 * @held: bytes of the blocks held (allocated in their chunks, free for
 *        the arena's users)
 * @cls: the classes
 */
struct gomem_front {
	spinlock_t lock;	/* this CPU's part; inside the arena lock */
	u64 allocs;
	u64 frees;
	u64 held;
	struct gomem_front_class cls[GOMEM_FRONT_CLASSES];
};

/**
 * struct gomem_arena_stats - one consistent snapshot of an arena
 * @capacity: bytes in all chunks
 * @in_use: bytes allocated
 * @free: bytes free (@capacity - @in_use)
 * @largest_free: longest free block in any chunk
 * @chunks: number of chunks
 * @peak_in_use: highest @in_use seen
 * @allocs: successful allocations
 * @frees: successful frees (partial ones included)
 * @failed_allocs: allocations refused for lack of space or memory
 * @grows: chunks added after the first
 * @trimmed: chunks released by trim
 * @relaxed: times a long operation let go of the lock between two slices
 *           (gomem_arena_relax_locked())
 * @trim_busy: times trim kept an entirely free chunk because its memory
 *             was still referenced (pinned) after the zap
 * @front_held: bytes the per-CPU front holds (free for the arena's users,
 *              not in @free); the other counts include the front's, read
 *              CPU by CPU
 * @front_drains: times emptying every CPU's front for lack of room gave
 *                blocks back (trim's and destroy's not counted)
 */
struct gomem_arena_stats {
	u64 capacity;
	u64 in_use;
	u64 free;
	u64 largest_free;
	u64 chunks;
	u64 peak_in_use;
	u64 allocs;
	u64 frees;
	u64 failed_allocs;
	u64 grows;
	u64 trimmed;
	u64 relaxed;
	u64 trim_busy;
	u64 front_held;
	u64 front_drains;
};

/**
 * struct gomem_chunk - one piece of backing memory
 * @base: arena offset of its first byte, page-aligned
 * @size: bytes, a multiple of PAGE_SIZE
 * @mem: kernel address of its first byte, page-aligned
 * @unit: first page of its run in the buddy pool (buddy source only)
 * @range: allocator of [0, @size), offsets relative to @base
 * @dying: trim is releasing it: lockless lookups must not use its memory
 * @rcu: the struct is freed after a grace period (lockless lookups)
 */
struct gomem_chunk {
	u64 base;
	u64 size;
	void *mem;
	u64 unit;
	struct gomem_range range;
	bool dying;
	struct rcu_head rcu;
};

/**
 * struct gomem_chunk_table - the chunks, as lockless lookups see them
 * @rcu: freed after a grace period when replaced
 * @nr: entries in @chunk
 * @cap: room in @chunk
 * @chunk: the chunks sorted by base
 */
struct gomem_chunk_table {
	struct rcu_head rcu;
	unsigned int nr;
	unsigned int cap;
	struct gomem_chunk *chunk[];
};

/**
 * struct gomem_arena - a growable, shared offset space
 * @lock: serialises everything below
 * @params: geometry and policy, fixed at init
 * @table: the chunk table, replaced (never changed in place) when a
 *         chunk comes or goes, read under RCU by lockless lookups
 * @spare: a table with room for every chunk, for trim to fill in
 * @chunks: @table's chunks, sorted by base; chunks[0] is the first chunk
 * @nr_chunks: entries in @chunks
 * @span: the chunk bases: a range allocator over the offset space, so
 *        offsets of trimmed chunks are reused, lowest first
 * @next_size: size of the next growth chunk
 * @pool: buddy source: the reserved memory
 * @buddy: buddy source: allocator of @pool's pages
 * @pending: buddy source: bytes of @pool taken for chunks that growth is
 *           still zeroing with @lock dropped, not yet in @chunks
 * @stats: counters (capacity, in_use, peak and the event counts)
 * @zap: called under @lock before a chunk's memory is released, so that
 *       users of the memory (the device's mappings) let go of it; nonzero
 *       if they cannot (pinned pages): the chunk stays
 * @zap_data: passed to @zap
 * @reclaim: called under @lock when an allocation finds no room, and by
 *           trim, so that a user of the arena gives back what it keeps
 *           allocated for reuse (the ownership layer's parks); returns
 *           nonzero if it gave something back
 * @reclaim_data: passed to @reclaim
 * @front: the per-CPU front, or NULL (params.front_max 0)
 * @front_rescues: growths the emptied fronts saved since the last one
 *                 (%GOMEM_FRONT_RESCUES)
 */
struct gomem_arena {
	struct mutex lock;	/* serialises all of the arena */
	struct gomem_arena_params params;
	struct gomem_chunk_table __rcu *table;
	struct gomem_chunk_table *spare;
	struct gomem_chunk **chunks;
	unsigned int nr_chunks;
	struct gomem_range span;
	u64 next_size;
	void *pool;
	struct gomem_buddy buddy;
	u64 pending;
	struct gomem_arena_stats stats;
	int (*zap)(void *data, u64 offset, void *mem, u64 size);
	void *zap_data;
	int (*reclaim)(void *data);
	void *reclaim_data;
	struct gomem_front __percpu *front;
	unsigned int front_rescues;
};

int gomem_arena_init(struct gomem_arena *a,
		     const struct gomem_arena_params *params);
void gomem_arena_destroy(struct gomem_arena *a);
void gomem_arena_set_reclaim(struct gomem_arena *a, int (*reclaim)(void *data),
			     void *data);
void gomem_arena_set_zap(struct gomem_arena *a,
			 int (*zap)(void *data, u64 offset, void *mem,
				    u64 size),
			 void *data);
int gomem_arena_alloc(struct gomem_arena *a, u64 size, u64 align,
		      unsigned int flags, u64 *offset);
int gomem_arena_free(struct gomem_arena *a, u64 offset, u64 size);
int gomem_arena_alloc_locked(struct gomem_arena *a, u64 size, u64 align,
			     unsigned int flags, u64 *offset);
int gomem_arena_free_locked(struct gomem_arena *a, u64 offset, u64 size);
int gomem_arena_free_part(struct gomem_arena *a, u64 region, u64 region_size,
			  u64 offset, u64 size);
int gomem_arena_free_part_locked(struct gomem_arena *a, u64 region,
				 u64 region_size, u64 offset, u64 size);

/**
 * gomem_arena_lock() - take the arena lock for a run of locked calls
 * @a: arena
 *
 * For callers that change many regions under one acquisition (a batch),
 * or that keep records of the arena's regions under the same lock, so
 * that both change together.  While holding it, call only the *_locked()
 * functions, never touch user memory (a fault on an arena mapping takes
 * this lock) and never wait for anything that may wait for the arena.
 *
 * Context: process context; sleeps.
 */
static inline void gomem_arena_lock(struct gomem_arena *a)
{
	mutex_lock(&a->lock);
}

/**
 * gomem_arena_unlock() - release the lock taken by gomem_arena_lock()
 * @a: arena
 *
 * Context: process context, holding the arena lock.
 */
static inline void gomem_arena_unlock(struct gomem_arena *a)
{
	mutex_unlock(&a->lock);
}

bool gomem_arena_relax_locked(struct gomem_arena *a, unsigned int *work);
int gomem_arena_free_rest(struct gomem_arena *a, u64 offset, u64 size,
			  u64 keep);
int gomem_arena_find(struct gomem_arena *a, u64 size, u64 align,
		     u64 *offset);
void *gomem_arena_borrow(struct gomem_arena *a, u64 size);
void *gomem_arena_ptr_locked(struct gomem_arena *a, u64 offset, u64 size);
void *gomem_arena_ptr(struct gomem_arena *a, u64 offset, u64 size);
size_t gomem_arena_copy(struct gomem_arena *a, u64 offset, void *buf,
			size_t len, bool to_arena);
int gomem_arena_access_page(struct gomem_arena *a, u64 offset,
			    int (*fn)(void *data, void *kaddr), void *data);
void *gomem_arena_lookup_rcu(struct gomem_arena *a, u64 offset);
void gomem_arena_trim_wait(struct gomem_arena *a);
u64 gomem_arena_span(const struct gomem_arena *a);
u64 gomem_arena_trim(struct gomem_arena *a);
void gomem_arena_stats(struct gomem_arena *a, struct gomem_arena_stats *st);
void gomem_arena_stats_locked(struct gomem_arena *a,
			      struct gomem_arena_stats *st);
int gomem_arena_check(struct gomem_arena *a);

/**
 * struct gomem_region - an arena region: [@offset, @offset + @size)
 * @offset: arena offset
 * @size: bytes
 */
struct gomem_region {
	u64 offset;
	u64 size;
};

int gomem_arena_free_many(struct gomem_arena *a,
			  const struct gomem_region *regions,
			  unsigned int nr, int *results);

/**
 * struct gomem_recyclable - a batch of regions freed at once (GoMem's
 * RecyclableMemory)
 * @arena: the arena the regions belong to
 * @regions: the regions collected, in order
 * @own: per region, whether this batch allocated it (next-n) rather than
 *       being handed it (add)
 * @nr: regions collected
 * @cap: room in @regions and @own
 */
struct gomem_recyclable {
	struct gomem_arena *arena;
	struct gomem_region *regions;
	bool *own;
	unsigned int nr;
	unsigned int cap;
};

void gomem_recyclable_init(struct gomem_recyclable *rm,
			   struct gomem_arena *arena);
int gomem_recyclable_next_n(struct gomem_recyclable *rm, u64 size,
			    u64 *offset);
int gomem_recyclable_add(struct gomem_recyclable *rm, u64 offset, u64 size);
int gomem_recyclable_recycle(struct gomem_recyclable *rm, bool own_only);
void gomem_recyclable_destroy(struct gomem_recyclable *rm);

#endif /* _GOMEM_ARENA_H */
