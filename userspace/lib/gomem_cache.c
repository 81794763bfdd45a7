// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The region cache of libgomem: a session owns what it allocates, and the
 * kernel reclaims all of it when the process dies, so the library may keep
 * the session's own freed regions and hand them out again without a
 * system call.
 *
 * Shape.  Each thread has a part (struct gomem_tcache) per cache: 64 bins,
 * each of one exact size (the granule-rounded request; a bin whose size is
 * not asked for any more is drained when another size needs its slot), a
 * stack of region offsets per bin.  A miss refills the bin with one
 * ops->alloc (a batch ioctl) of several regions; a free past
 * the bin's room or the thread's byte limit gives half a bin back with one
 * ops->free.  A steady alloc/free loop on a thread makes no system call.
 *
 * Which frees the cache may take.  Only a whole region it handed out itself,
 * never shared: anything else (a region of the device's own, a partial
 * free, a double free, a region held by reference, a range never allocated)
 * goes to the device, which checks it as it always did.  The proof is the
 * ownership map: one 16-bit cell per granule of the arena window (anonymous
 * memory, touched only where regions are), holding the size in granules of
 * the live region the cache handed out at that offset, 0 elsewhere.  Handing
 * a region out stores its size; a free that finds its size there marks the
 * cell cached (the size and GOMEM_CELL_CACHED), and a free whose size is
 * not the cell's goes to the device.  The fast free reads and writes the
 * cell with a plain load and store inside its thread's part, no locked
 * instruction (the slow path and forgets use a compare-and-swap): a free
 * that comes after another free, a share or a claim of the same region
 * finds the cell changed, but two that race on two threads may both pass,
 * leaving the region in two bins, or in a bin and shared.  That is a data
 * race in the caller, as two racing free()s of one pointer are in every
 * malloc; it stays within the session and what it chose to share: what a
 * cache holds is the session's own, and the device judges every region the
 * cache gives back.  (The swap was about 3 ns of an 11 ns 64 B cycle
 * natively, bench/bench_cache.c, 2026-12-07.)  A free that starts inside
 * a region (a partial free of its tail) finds the region's cell by looking
 * back at most GOMEM_CACHE_MAX_SIZE bytes and clears it; a count of the
 * region cells in use per block of GOMEM_SUM_CELLS cells lets that look
 * skip empty blocks, so a free or a release of a region the cache never
 * saw reads a few dozen words, not a thousand cells.  Sharing, claiming and
 * every free the library sends to the device clear the cells the same way
 * (gomem_cache_forget()), so a region that was ever shared never enters a
 * cache (short of the race above).
 *
 * Zeroing.  The device's promise is that a zeroed region holds zeroes or
 * the session's own old bytes, never another session's (the kernel skips
 * zeroing bytes the session freed itself while nobody else held them).
 * The cache keeps it without clearing anything: refills ask the device
 * for zeroed regions, and a region the cache takes back is the session's
 * own (never shared, short of the race above), so what it hands out
 * again holds only its bytes.
 *
 * Threads.  A thread's part is touched by its own thread (the owner: the
 * fast and slow paths, the refills and bin drains they make, its exit)
 * and, rarely, by others (remote: drain on gomem_trim(), gomem_close() and
 * a bound of 0, reset on recycle, stats, destroy).  Its lock is
 * asymmetric (the "asymmetric Dekker" of folly's asymmetricHeavyBarrier()
 * and liburcu's membarrier flavour), two words: busy, written only by the
 * owner, and remote.  The owner stores busy = 1, then loads remote
 * (acquire); 0: it is in; else it stores busy = 0, waits for remote to be
 * 0, and tries again.  It leaves with a release store of busy = 0.  No
 * locked instruction and no fence instruction, only a compiler barrier:
 * the store may still sit in the CPU's store buffer when the load runs.
 * A remote locker claims remote (an exchange, which also orders remote
 * lockers among themselves), then calls
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): the kernel runs a full
 * barrier on every CPU running a thread of the process (an IPI), which is
 * the barrier the owner skipped between its store and its load.  So either
 * the owner's load came after that barrier and saw remote = 1, or its
 * busy = 1 is visible to the remote's loads after the call; the remote
 * waits for busy to be 0 (acquire) and leaves with a release store of
 * remote = 0.  A walk of every part (under the cache's list lock) claims
 * all of them, makes one call, then enters, works in and leaves one part
 * after the other: an owner may wait for the walk over the parts before
 * its own, and a thread walking back to back keeps the owners waiting.
 * The fast paths enter with one try (gomem_tc_trylock()) and leave the
 * waiting to the slow paths, so they call nothing and save no register.
 *
 * So the owner's path has plain loads and stores, and a walk pays a
 * system call and an interrupt on each CPU running the process (a few
 * microseconds; none when the only part is the walker's own): drain,
 * reset, stats and destroy are slower than with a plain lock.  The process registers once
 * (MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, at the first cache, after
 * MEMBARRIER_CMD_QUERY and one trial call); the registration is the
 * mm's, which fork() copies (the child handler registers again anyway: a
 * no-op).  Where the kernel has no membarrier, a seccomp filter refuses
 * it, or GOMEM_CACHE_NO_MEMBARRIER is set in the environment (non-empty,
 * not "0") when the first cache is made, the whole process uses the
 * fallback: busy is a spin lock (an exchange) that owner and remote take
 * alike.  membarrier failing after the registration (only a filter
 * installed later could make it) leaves no safe way on: the process
 * aborts.
 *
 * A thread's parts are drained when it exits (a pthread key destructor),
 * under the registry lock that also keeps a cache from being destroyed
 * meanwhile; each part is taken off its cache's list first (under the
 * list lock, so no walk can reach it any more), then entered as owner.
 * No thread may walk while inside its own part as owner (it would wait
 * for itself): the only code run inside is the cache's own and the ops
 * callbacks, which never walk.
 *
 * fork().  The child shares the parent's session, so it must never hand
 * out a region the parent's cache holds: a child handler (pthread_atfork)
 * empties every part of every cache in the child, without freeing (the
 * regions stay the parent's), and clears the parts' lock words, which
 * other threads may have held at the fork; the registry lock and every
 * cache's list lock are held across fork() and let go on both sides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/membarrier.h>

#include "gomem.h"
#include "gomem_cache.h"

#define GOMEM_TC_BINS		64
#define GOMEM_TC_BIN_MAX	64	/* regions per bin at most */
#define GOMEM_TC_REFILL_MAX	32	/* regions per refill at most */
#define GOMEM_TC_SLOTS		4	/* caches a thread finds without a walk */
/* A cell of a region in a bin: free as far as the user knows. */
#define GOMEM_CELL_CACHED	0x8000u
#define GOMEM_CELL_LEN		0x7fffu
/* Cells per count of cells in use (a count fits a byte). */
#define GOMEM_SUM_SHIFT		5
#define GOMEM_SUM_CELLS		(1u << GOMEM_SUM_SHIFT)

struct gomem_bin {
	uint64_t size;			/* bytes; 0: unused */
	unsigned int n;
	unsigned int room;		/* regions it may hold at the limit */
	uint64_t off[GOMEM_TC_BIN_MAX];
};

struct gomem_tcache {
	atomic_int busy;		/* the owner is in (fallback: anyone) */
	atomic_int remote;		/* another thread is in or coming */
	struct gomem_cache *cache;
	struct gomem_tcache *next;	/* the cache's list of parts */
	struct gomem_tcache *tnext;	/* the thread's list of parts */
	uint64_t bytes;			/* held in the bins */
	/* (regions held: the sum of the bins' n) */
	uint64_t limit;			/* the cache's, when rooms were set */
	uint64_t hits, refills, refill_regions, drains, drained_regions,
		 bypassed;
	struct gomem_bin bin[GOMEM_TC_BINS];
};

struct gomem_cache {
	const struct gomem_cache_ops *ops;
	void *ctx;
	uint64_t granule;
	unsigned int shift;		/* log2(granule) */
	uint64_t cells;			/* map entries */
	_Atomic uint16_t *map;
	/* Non-zero cells per block of GOMEM_SUM_CELLS, after the map. */
	_Atomic uint8_t *sum;
	size_t map_bytes;		/* of both */
	_Atomic uint64_t limit;
	uint64_t id;
	pthread_mutex_t lock;		/* parts list */
	struct gomem_tcache *parts;
	struct gomem_cache *rnext;	/* the registry */
	/* Parts that belonged to exited threads, summed. */
	uint64_t old_hits, old_refills, old_refill_regions, old_drains,
		 old_drained_regions, old_bypassed;
};

/* Every live cache, for thread exit and fork. */
static pthread_mutex_t gomem_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gomem_cache *gomem_registry;
static uint64_t gomem_cache_ids;
static pthread_once_t gomem_cache_once = PTHREAD_ONCE_INIT;
static pthread_key_t gomem_cache_key;

struct gomem_tslot {
	struct gomem_cache *cache;
	uint64_t id;
	struct gomem_tcache *tc;
};

/*
 * The initial-exec TLS model, as glibc's own malloc and jemalloc use: in
 * the shared library (-fPIC) the default model calls __tls_get_addr() on
 * every cache operation (1.3 ns of a 13 ns cycle, bench/bench_cache.c);
 * initial-exec reads an offset the loader fixed.  A library loaded by
 * dlopen() takes these 104 bytes from glibc's static TLS surplus
 * (hundreds of bytes by default).
 */
#define GOMEM_TLS __thread __attribute__((tls_model("initial-exec")))

static GOMEM_TLS struct gomem_tslot gomem_tslots[GOMEM_TC_SLOTS];
static GOMEM_TLS struct gomem_tcache *gomem_tparts;

/* The asymmetric lock (membarrier) or the fallback's spin lock: chosen
 * once, at the first cache (the fork child may fall back). */
static bool gomem_cache_mb;

/* The owner found a remote locker in or coming: step out, wait. */
static __attribute__((noinline, cold)) void
gomem_tc_owner_wait(struct gomem_tcache *tc)
{
	atomic_store_explicit(&tc->busy, 0, memory_order_release);
	while (atomic_load_explicit(&tc->remote, memory_order_acquire))
		sched_yield();
}

/* The fallback's spin lock. */
static __attribute__((noinline, cold)) void
gomem_tc_lock_spin(struct gomem_tcache *tc)
{
	while (atomic_exchange_explicit(&tc->busy, 1, memory_order_acquire))
		sched_yield();
}

/* The calling thread enters its own part. */
static inline __attribute__((always_inline)) void gomem_tc_lock(struct gomem_tcache *tc)
{
	if (__builtin_expect(!gomem_cache_mb, 0)) {
		gomem_tc_lock_spin(tc);
		return;
	}
	for (;;) {
		atomic_store_explicit(&tc->busy, 1, memory_order_relaxed);
		/* The compiler keeps the store before the load; the CPU may
		 * not, and a remote's membarrier() makes up for it. */
		atomic_signal_fence(memory_order_seq_cst);
		if (__builtin_expect(!atomic_load_explicit(&tc->remote,
							   memory_order_acquire),
				     1))
			return;
		gomem_tc_owner_wait(tc);
	}
}

/*
 * The fast paths' entry: one try, no call.  False: a remote locker is in
 * or coming, or the fallback's lock is taken; the slow path waits.  A leaf
 * fast path keeps the compiler from saving registers on every hit.
 */
static inline __attribute__((always_inline)) bool
gomem_tc_trylock(struct gomem_tcache *tc)
{
	if (__builtin_expect(!gomem_cache_mb, 0))
		return !atomic_exchange_explicit(&tc->busy, 1,
						 memory_order_acquire);
	atomic_store_explicit(&tc->busy, 1, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);	/* as gomem_tc_lock() */
	if (__builtin_expect(!atomic_load_explicit(&tc->remote,
						   memory_order_acquire), 1))
		return true;
	atomic_store_explicit(&tc->busy, 0, memory_order_release);
	return false;
}

static inline __attribute__((always_inline)) void gomem_tc_unlock(struct gomem_tcache *tc)
{
	atomic_store_explicit(&tc->busy, 0, memory_order_release);
}

/* A full barrier on every running thread of the process. */
static void gomem_membarrier(void)
{
#ifdef __NR_membarrier
	int e = errno;

	while (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0,
		       0)) {
		/* Registered: only a shortage of memory is expected. */
		if (errno != ENOMEM && errno != EAGAIN && errno != EINTR)
			abort();
		sched_yield();
	}
	errno = e;
#else
	abort();	/* gomem_cache_mb is never set */
#endif
}

/*
 * Another thread's part (or the caller's own, from outside it): claim
 * (every part to be walked), then one gomem_membarrier() for them all,
 * then enter and leave each in turn.  In the fallback, claiming is
 * nothing and entering takes the spin lock.
 */
static void gomem_tc_remote_claim(struct gomem_tcache *tc)
{
	if (!gomem_cache_mb)
		return;
	while (atomic_exchange_explicit(&tc->remote, 1, memory_order_acquire))
		sched_yield();
}

static void gomem_tc_remote_enter(struct gomem_tcache *tc)
{
	if (!gomem_cache_mb) {
		while (atomic_exchange_explicit(&tc->busy, 1,
						memory_order_acquire))
			sched_yield();
		return;
	}
	while (atomic_load_explicit(&tc->busy, memory_order_acquire))
		sched_yield();
}

static void gomem_tc_remote_leave(struct gomem_tcache *tc)
{
	if (gomem_cache_mb)
		atomic_store_explicit(&tc->remote, 0, memory_order_release);
	else
		atomic_store_explicit(&tc->busy, 0, memory_order_release);
}

/* @tc is the calling thread's own part (of some cache). */
static bool gomem_tc_mine(const struct gomem_tcache *tc)
{
	for (const struct gomem_tcache *t = gomem_tparts; t; t = t->tnext)
		if (t == tc)
			return true;
	return false;
}

/*
 * Claim every part of @c for a walk (its parts list held still).  The
 * caller's own part needs no barrier (it is not inside it: its own
 * stores are in program order), so a single thread's walk makes no call.
 */
static void gomem_tc_remote_claim_all(struct gomem_cache *c)
{
	struct gomem_tcache *tc;
	bool others = false;

	if (!gomem_cache_mb)
		return;
	for (tc = c->parts; tc; tc = tc->next) {
		gomem_tc_remote_claim(tc);
		others = others || !gomem_tc_mine(tc);
	}
	if (others)
		gomem_membarrier();
}

/*
 * A cell becomes non-zero (a region the cache handed out or holds starts
 * there) or zero again: the block's count follows.  A cell's other
 * changes (to and from GOMEM_CELL_CACHED) leave the count alone.
 */
static inline __attribute__((always_inline)) void
gomem_cell_set(struct gomem_cache *c, uint64_t idx, uint16_t v)
{
	atomic_store_explicit(&c->map[idx], v, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->sum[idx >> GOMEM_SUM_SHIFT], 1,
				  memory_order_relaxed);
}

static inline __attribute__((always_inline)) void
gomem_cell_clear(struct gomem_cache *c, uint64_t idx)
{
	atomic_store_explicit(&c->map[idx], 0, memory_order_relaxed);
	atomic_fetch_sub_explicit(&c->sum[idx >> GOMEM_SUM_SHIFT], 1,
				  memory_order_relaxed);
}

static uint64_t gomem_tc_regions(const struct gomem_tcache *tc)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < GOMEM_TC_BINS; i++)
		n += tc->bin[i].n;
	return n;
}

/* Give back @k regions from the top of @b (tc locked). */
static void gomem_bin_drain(struct gomem_cache *c, struct gomem_tcache *tc,
			    struct gomem_bin *b, unsigned int k)
{
	if (!k)
		return;
	b->n -= k;
	for (unsigned int i = b->n; i < b->n + k; i++)
		gomem_cell_clear(c, b->off[i] >> c->shift);
	c->ops->free(c->ctx, b->size, &b->off[b->n], k);
	tc->bytes -= k * b->size;
	tc->drains++;
	tc->drained_regions += k;
}

static uint64_t gomem_tc_drain_all(struct gomem_cache *c,
				   struct gomem_tcache *tc)
{
	uint64_t n = gomem_tc_regions(tc);

	for (unsigned int i = 0; i < GOMEM_TC_BINS; i++)
		gomem_bin_drain(c, tc, &tc->bin[i], tc->bin[i].n);
	return n;
}

static void gomem_tc_forget_all(struct gomem_tcache *tc)
{
	for (unsigned int i = 0; i < GOMEM_TC_BINS; i++)
		tc->bin[i].n = 0;
	tc->bytes = 0;
}

/* The calling thread exits: drain its parts of live caches. */
static void gomem_cache_thread_exit(void *arg)
{
	struct gomem_tcache *tc, *next, **pp;
	struct gomem_cache *c;

	(void)arg;
	pthread_mutex_lock(&gomem_registry_lock);
	for (tc = gomem_tparts; tc; tc = next) {
		next = tc->tnext;
		for (c = gomem_registry; c && tc->cache && c != tc->cache;
		     c = c->rnext)
			;
		if (!c || !tc->cache) {
			/* Its cache was destroyed (and drained it). */
			free(tc);
			continue;
		}
		pthread_mutex_lock(&c->lock);
		for (pp = &c->parts; *pp && *pp != tc; pp = &(*pp)->next)
			;
		if (*pp)
			*pp = tc->next;
		c->old_hits += tc->hits;
		c->old_refills += tc->refills;
		c->old_refill_regions += tc->refill_regions;
		c->old_drains += tc->drains + !!gomem_tc_regions(tc);
		c->old_drained_regions += tc->drained_regions +
					  gomem_tc_regions(tc);
		c->old_bypassed += tc->bypassed;
		pthread_mutex_unlock(&c->lock);
		/* Off the list: no remote can find it any more. */
		gomem_tc_lock(tc);
		gomem_tc_drain_all(c, tc);
		free(tc);
	}
	gomem_tparts = NULL;
	memset(gomem_tslots, 0, sizeof(gomem_tslots));
	pthread_mutex_unlock(&gomem_registry_lock);
}

/*
 * fork(): the registry lock and every cache's list lock are held across
 * it (in the registry's order), so the child gets them in a known state
 * and lets them go, as the parent does; re-initialising a locked mutex
 * would be undefined.
 */
static void gomem_cache_prepare(void)
{
	struct gomem_cache *c;

	pthread_mutex_lock(&gomem_registry_lock);
	for (c = gomem_registry; c; c = c->rnext)
		pthread_mutex_lock(&c->lock);
}

static void gomem_cache_parent(void)
{
	struct gomem_cache *c;

	for (c = gomem_registry; c; c = c->rnext)
		pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&gomem_registry_lock);
}

/* In the child: no part hands out what the parent's caches hold. */
static void gomem_cache_child(void)
{
	struct gomem_tcache *tc;
	struct gomem_cache *c;

	for (c = gomem_registry; c; c = c->rnext) {
		for (tc = c->parts; tc; tc = tc->next) {
			atomic_store(&tc->busy, 0);
			atomic_store(&tc->remote, 0);
			gomem_tc_forget_all(tc);
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&gomem_registry_lock);
#ifdef __NR_membarrier
	/* The registration is the mm's, copied at fork: this is a no-op,
	 * but should it fail the child, alone, may still fall back. */
	if (gomem_cache_mb &&
	    syscall(__NR_membarrier,
		    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0))
		gomem_cache_mb = false;
#endif
}

/* The membarrier protocol if the kernel has it and lets us use it. */
static bool gomem_cache_mb_init(void)
{
#ifdef __NR_membarrier
	const char *no = getenv("GOMEM_CACHE_NO_MEMBARRIER");
	int e = errno;
	long mask;
	bool ok = false;

	if (no && *no && strcmp(no, "0"))
		return false;
	mask = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	if (mask >= 0 &&
	    mask & MEMBARRIER_CMD_PRIVATE_EXPEDITED &&
	    mask & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED &&
	    !syscall(__NR_membarrier,
		     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) &&
	    /* A filter may allow one and not the other: try it. */
	    !syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
		ok = true;
	errno = e;
	return ok;
#else
	return false;
#endif
}

static void gomem_cache_init_once(void)
{
	gomem_cache_mb = gomem_cache_mb_init();
	pthread_key_create(&gomem_cache_key, gomem_cache_thread_exit);
	pthread_atfork(gomem_cache_prepare, gomem_cache_parent,
		       gomem_cache_child);
}

int gomem_cache_membarrier(void)
{
	pthread_once(&gomem_cache_once, gomem_cache_init_once);
	return gomem_cache_mb;
}

struct gomem_cache *gomem_cache_new(const struct gomem_cache_ops *ops,
				    void *ctx, uint64_t map_size,
				    uint64_t granule, uint64_t limit)
{
	struct gomem_cache *c;
	void *map;

	if (!granule || granule & (granule - 1) ||
	    granule > GOMEM_CACHE_MAX_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	pthread_once(&gomem_cache_once, gomem_cache_init_once);
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ops = ops;
	c->ctx = ctx;
	c->granule = granule;
	c->shift = (unsigned int)__builtin_ctzll(granule);
	c->cells = map_size >> c->shift;
	if (c->cells > SIZE_MAX / sizeof(uint16_t)) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->map_bytes = (size_t)c->cells * sizeof(uint16_t) +
		       (size_t)((c->cells + GOMEM_SUM_CELLS - 1) >>
				GOMEM_SUM_SHIFT);
	map = mmap(NULL, c->map_bytes ? c->map_bytes : 1,
		   PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->map = map;
	c->sum = (_Atomic uint8_t *)((char *)map +
				     (size_t)c->cells * sizeof(uint16_t));
	atomic_init(&c->limit, limit);
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_lock(&gomem_registry_lock);
	c->id = ++gomem_cache_ids;
	c->rnext = gomem_registry;
	gomem_registry = c;
	pthread_mutex_unlock(&gomem_registry_lock);
	return c;
}

void gomem_cache_destroy(struct gomem_cache *c)
{
	struct gomem_cache **pp;
	struct gomem_tcache *tc, *next;

	if (!c)
		return;
	pthread_mutex_lock(&gomem_registry_lock);
	for (pp = &gomem_registry; *pp && *pp != c; pp = &(*pp)->rnext)
		;
	if (*pp)
		*pp = c->rnext;
	/* Every part as remote (the caller's own too), left locked: no
	 * thread uses the cache any more. */
	gomem_tc_remote_claim_all(c);
	for (tc = c->parts; tc; tc = next) {
		next = tc->next;
		gomem_tc_remote_enter(tc);
		gomem_tc_drain_all(c, tc);
		/* The part stays on its thread's list until that thread
		 * exits (it skips parts of caches no longer registered);
		 * only the caller's own list can be fixed here. */
		tc->cache = NULL;
	}
	{
		struct gomem_tcache **tp = &gomem_tparts;

		while (*tp) {
			if ((*tp)->cache == NULL) {
				struct gomem_tcache *dead = *tp;

				*tp = dead->tnext;
				free(dead);
			} else {
				tp = &(*tp)->tnext;
			}
		}
	}
	for (int i = 0; i < GOMEM_TC_SLOTS; i++)
		if (gomem_tslots[i].cache == c)
			memset(&gomem_tslots[i], 0, sizeof(gomem_tslots[i]));
	pthread_mutex_unlock(&gomem_registry_lock);
	munmap((void *)c->map, c->map_bytes ? c->map_bytes : 1);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* The calling thread's part of @c, made on first use (NULL: no memory). */
static inline __attribute__((always_inline)) struct gomem_tcache *gomem_tc_get(struct gomem_cache *c)
{
	struct gomem_tcache *tc;
	unsigned int i;

	i = (unsigned int)(c->id % GOMEM_TC_SLOTS);
	if (gomem_tslots[i].cache == c && gomem_tslots[i].id == c->id)
		return gomem_tslots[i].tc;
	for (tc = gomem_tparts; tc; tc = tc->tnext)
		if (tc->cache == c)
			break;
	if (!tc) {
		tc = calloc(1, sizeof(*tc));
		if (!tc)
			return NULL;
		tc->cache = c;
		pthread_mutex_lock(&c->lock);
		tc->next = c->parts;
		c->parts = tc;
		pthread_mutex_unlock(&c->lock);
		tc->tnext = gomem_tparts;
		gomem_tparts = tc;
		/* Any non-NULL value: the destructor runs at exit. */
		pthread_setspecific(gomem_cache_key, tc);
	}
	i = (unsigned int)(c->id % GOMEM_TC_SLOTS);
	gomem_tslots[i].cache = c;
	gomem_tslots[i].id = c->id;
	gomem_tslots[i].tc = tc;
	return tc;
}

static inline __attribute__((always_inline)) unsigned int gomem_bin_index(const struct gomem_cache *c,
				    uint64_t size)
{
	uint64_t g = size >> c->shift;

	return (unsigned int)((g * 0x9e3779b97f4a7c15ull) >> 58);
}

/* Bytes the bins of a part may hold, and regions a bin of @size. */
static unsigned int gomem_bin_room(uint64_t limit, uint64_t size)
{
	uint64_t n = limit / 2 / size;

	return n > GOMEM_TC_BIN_MAX ? GOMEM_TC_BIN_MAX : (unsigned int)n;
}

/*
 * The bin of @size in @tc, drained and given to @size if another size had
 * it, its room as of @limit (tc locked).
 */
static inline __attribute__((always_inline)) struct gomem_bin *gomem_bin_get(struct gomem_cache *c,
				       struct gomem_tcache *tc, uint64_t size,
				       uint64_t limit)
{
	struct gomem_bin *b = &tc->bin[gomem_bin_index(c, size)];

	if (tc->limit != limit) {
		/* The bound changed: every bin's room with it. */
		for (unsigned int i = 0; i < GOMEM_TC_BINS; i++)
			if (tc->bin[i].size)
				tc->bin[i].room = gomem_bin_room(limit,
								 tc->bin[i].size);
		tc->limit = limit;
	}
	if (b->size != size) {
		/* The slot changes size: what it held goes back. */
		gomem_bin_drain(c, tc, b, b->n);
		b->size = size;
		b->room = gomem_bin_room(limit, size);
	}
	return b;
}

/* The cell of [@off, @off + @size) covering @off, if any: its index. */
static bool gomem_cell_find(struct gomem_cache *c, uint64_t off,
			    uint64_t *idx)
{
	uint64_t i = off >> c->shift, lo, j;
	uint64_t back = GOMEM_CACHE_MAX_SIZE >> c->shift;
	uint16_t v;

	if (i >= c->cells)
		return false;
	lo = i >= back ? i - back + 1 : 0;
	for (j = i + 1; j > lo;) {
		if (!atomic_load_explicit(&c->sum[(j - 1) >> GOMEM_SUM_SHIFT],
					  memory_order_relaxed)) {
			/* No region starts in the block: skip it whole. */
			j = ((j - 1) >> GOMEM_SUM_SHIFT) << GOMEM_SUM_SHIFT;
			continue;
		}
		v = atomic_load_explicit(&c->map[--j], memory_order_relaxed);
		if (v && j + (v & GOMEM_CELL_LEN) > i) {
			*idx = j;
			return true;
		}
		if (v)
			return false;	/* a region ending before @off */
	}
	return false;
}

int gomem_cache_forget(struct gomem_cache *c, uint64_t off)
{
	uint16_t v;
	uint64_t idx;

	/*
	 * Only the region covering @off: a range the device frees, shares or
	 * lends lies inside one of its regions, and every region the cache
	 * hands out is one of the device's regions, whole.
	 */
	if (!gomem_cell_find(c, off, &idx))
		return 0;
	v = atomic_load_explicit(&c->map[idx], memory_order_relaxed);
	if (v & GOMEM_CELL_CACHED)
		return -EINVAL;	/* free, as far as the user knows */
	if (v && atomic_compare_exchange_strong_explicit(&c->map[idx], &v, 0,
						    memory_order_relaxed,
						    memory_order_relaxed))
		atomic_fetch_sub_explicit(&c->sum[idx >> GOMEM_SUM_SHIFT], 1,
					  memory_order_relaxed);
	return 0;
}

/* A free of what is not a whole region the cache handed out. */
static __attribute__((noinline)) int
gomem_cache_free_other(struct gomem_cache *c, uint64_t off)
{
	return gomem_cache_forget(c, off) ? -EINVAL : 1;
}

static __attribute__((noinline)) int
gomem_cache_alloc_slow(struct gomem_cache *c, uint64_t size, uint64_t *off)
{
	uint64_t limit = atomic_load_explicit(&c->limit, memory_order_relaxed);
	uint64_t offs[GOMEM_TC_REFILL_MAX];
	struct gomem_tcache *tc;
	struct gomem_bin *b;
	unsigned int room, want;
	int got;

	if (!size || size > GOMEM_CACHE_MAX_SIZE || !limit)
		return -ENOENT;
	size = (size + c->granule - 1) & ~(c->granule - 1);
	tc = gomem_tc_get(c);
	if (!tc)
		return -ENOENT;
	gomem_tc_lock(tc);
	b = gomem_bin_get(c, tc, size, limit);
	room = b->room;
	if (!room) {
		gomem_tc_unlock(tc);
		return -ENOENT;
	}
	if (b->n) {
		*off = b->off[--b->n];
		tc->bytes -= size;
		tc->hits++;
	} else {
		want = room / 2 ? room / 2 : 1;
		if (want > GOMEM_TC_REFILL_MAX)
			want = GOMEM_TC_REFILL_MAX;
		got = c->ops->alloc(c->ctx, size, offs, want);
		if (got <= 0 || (unsigned int)got > want) {
			gomem_tc_unlock(tc);
			return got < 0 ? got : -ENOMEM;
		}
		tc->refills++;
		tc->refill_regions += (unsigned int)got;
		*off = offs[0];
		/* The rest, in the order a pop hands them out. */
		for (int k = got - 1; k >= 1; k--) {
			b->off[b->n++] = offs[k];
			gomem_cell_set(c, offs[k] >> c->shift,
				       (uint16_t)(GOMEM_CELL_CACHED |
						  size >> c->shift));
		}
		tc->bytes += (uint64_t)(got - 1) * size;
		gomem_tc_unlock(tc);
		gomem_cell_set(c, *off >> c->shift,
			       (uint16_t)(size >> c->shift));
		return 0;
	}
	gomem_tc_unlock(tc);
	atomic_store_explicit(&c->map[*off >> c->shift],
			      (uint16_t)(size >> c->shift),
			      memory_order_relaxed);
	return 0;
}

static __attribute__((noinline)) int
gomem_cache_free_slow(struct gomem_cache *c, uint64_t off, uint64_t size)
{
	uint64_t limit = atomic_load_explicit(&c->limit, memory_order_relaxed);
	struct gomem_tcache *tc;
	struct gomem_bin *b;
	uint64_t idx, rsize;
	unsigned int room;
	uint16_t v;

	idx = off >> c->shift;
	rsize = (size + c->granule - 1) & ~(c->granule - 1);
	if (!size || off & (c->granule - 1) || idx >= c->cells ||
	    rsize > GOMEM_CACHE_MAX_SIZE)
		return gomem_cache_free_other(c, off);
	v = (uint16_t)(rsize >> c->shift);
	if (!atomic_compare_exchange_strong_explicit(&c->map[idx], &v,
						     (uint16_t)(v | GOMEM_CELL_CACHED),
						     memory_order_relaxed,
						     memory_order_relaxed)) {
		/* Not a whole region the cache handed out: whatever the
		 * range touches is the device's from now on, unless it is
		 * inside a region the cache holds (a double free). */
		return gomem_cache_free_other(c, off);
	}
	tc = gomem_tc_get(c);
	if (!tc) {
		gomem_cell_clear(c, idx);
		return 1;
	}
	gomem_tc_lock(tc);
	b = gomem_bin_get(c, tc, rsize, limit);
	room = b->room;
	if (!room) {
		tc->bypassed++;
		gomem_tc_unlock(tc);
		gomem_cell_clear(c, idx);
		return 1;
	}
	if (b->n >= room)
		gomem_bin_drain(c, tc, b, b->n - room / 2);
	b->off[b->n++] = off;
	tc->bytes += rsize;
	/* Past the thread's bound: empty the other bins, largest first. */
	while (tc->bytes > limit) {
		struct gomem_bin *big = NULL;

		for (unsigned int i = 0; i < GOMEM_TC_BINS; i++)
			if (tc->bin[i].n && &tc->bin[i] != b &&
			    (!big || tc->bin[i].n * tc->bin[i].size >
			     big->n * big->size))
				big = &tc->bin[i];
		if (!big)
			big = b;
		gomem_bin_drain(c, tc, big, big->n);
	}
	gomem_tc_unlock(tc);
	return 0;
}

/*
 * The fast paths: this thread's part found in its slot, the bin of the
 * size in place under an unchanged bound, a region to pop (alloc) or room
 * to push (free); everything else is the slow path above.
 */
static inline __attribute__((always_inline)) struct gomem_tcache *
gomem_tc_fast(struct gomem_cache *c)
{
	struct gomem_tslot *t = &gomem_tslots[c->id % GOMEM_TC_SLOTS];

	/* Ids are never reused: the id alone names the cache. */
	return t->id == c->id ? t->tc : NULL;
}

/*
 * The hit: true and *@off; false, the slow path decides.  Split from
 * gomem_cache_alloc() so the slow path is a tail call.
 */
static inline __attribute__((always_inline)) bool
gomem_cache_alloc_hit(struct gomem_cache *c, uint64_t size, uint64_t *off)
{
	struct gomem_tcache *tc = gomem_tc_fast(c);
	struct gomem_bin *b;
	uint64_t o;

	if (__builtin_expect(!tc || !size || size > GOMEM_CACHE_MAX_SIZE ||
			     !gomem_tc_trylock(tc), 0))
		return false;
	b = &tc->bin[gomem_bin_index(c, size)];
	/* No look at the bound: taking a region out never breaks it. */
	if (__builtin_expect(b->size != size || !b->n, 0)) {
		gomem_tc_unlock(tc);
		return false;
	}
	o = b->off[--b->n];
	tc->bytes -= size;
	tc->hits++;
	gomem_tc_unlock(tc);
	atomic_store_explicit(&c->map[o >> c->shift],
			      (uint16_t)(size >> c->shift),
			      memory_order_relaxed);
	*off = o;
	return true;
}

int gomem_cache_alloc(struct gomem_cache *c, uint64_t size, uint64_t *off)
{
	size = (size + c->granule - 1) & ~(c->granule - 1);
	if (__builtin_expect(gomem_cache_alloc_hit(c, size, off), 1))
		return 0;
	return gomem_cache_alloc_slow(c, size, off);
}

/*
 * The hit: 0; 1 the slow path decides; 2 the cell was not the whole
 * region the cache handed out (a double free, a part, the device's).
 */
static inline __attribute__((always_inline)) int
gomem_cache_free_hit(struct gomem_cache *c, uint64_t off, uint64_t size)
{
	uint64_t limit = atomic_load_explicit(&c->limit, memory_order_relaxed);
	struct gomem_tcache *tc = gomem_tc_fast(c);
	uint64_t idx = off >> c->shift, rsize;
	struct gomem_bin *b;
	uint16_t v;

	rsize = (size + c->granule - 1) & ~(c->granule - 1);
	if (__builtin_expect(!tc || !size || off & (c->granule - 1) ||
			     idx >= c->cells || rsize > GOMEM_CACHE_MAX_SIZE ||
			     !gomem_tc_trylock(tc), 0))
		return 1;
	b = &tc->bin[gomem_bin_index(c, rsize)];
	if (__builtin_expect(b->size != rsize || tc->limit != limit ||
			     b->n >= b->room ||
			     tc->bytes + rsize > limit, 0)) {
		gomem_tc_unlock(tc);
		return 1;
	}
	/*
	 * A plain load and store, not an exchange: a free that comes after
	 * another of the same region finds the cell marked and goes to the
	 * device; two that race are the caller's bug, as two racing free()s
	 * are (see the top of the file).
	 */
	v = (uint16_t)(rsize >> c->shift);
	if (__builtin_expect(atomic_load_explicit(&c->map[idx],
						  memory_order_relaxed) != v,
			     0)) {
		gomem_tc_unlock(tc);
		return 2;
	}
	atomic_store_explicit(&c->map[idx], (uint16_t)(v | GOMEM_CELL_CACHED),
			      memory_order_relaxed);
	b->off[b->n++] = off;
	tc->bytes += rsize;
	gomem_tc_unlock(tc);
	return 0;
}

int gomem_cache_free(struct gomem_cache *c, uint64_t off, uint64_t size)
{
	int r = gomem_cache_free_hit(c, off, size);

	if (__builtin_expect(!r, 1))
		return 0;
	if (r == 2)
		return gomem_cache_free_other(c, off);
	return gomem_cache_free_slow(c, off, size);
}

uint64_t gomem_cache_drain(struct gomem_cache *c)
{
	struct gomem_tcache *tc;
	uint64_t n = 0;

	pthread_mutex_lock(&c->lock);
	gomem_tc_remote_claim_all(c);
	for (tc = c->parts; tc; tc = tc->next) {
		gomem_tc_remote_enter(tc);
		n += gomem_tc_drain_all(c, tc);
		gomem_tc_remote_leave(tc);
	}
	pthread_mutex_unlock(&c->lock);
	return n;
}

void gomem_cache_reset(struct gomem_cache *c)
{
	struct gomem_tcache *tc;

	pthread_mutex_lock(&c->lock);
	gomem_tc_remote_claim_all(c);
	for (tc = c->parts; tc; tc = tc->next) {
		gomem_tc_remote_enter(tc);
		gomem_tc_forget_all(tc);
		gomem_tc_remote_leave(tc);
	}
	/* Every region went with the recycle: no cell is live. */
	memset((void *)c->map, 0, c->map_bytes);
	madvise((void *)c->map, c->map_bytes, MADV_DONTNEED);
	pthread_mutex_unlock(&c->lock);
}

void gomem_cache_set_limit(struct gomem_cache *c, uint64_t limit)
{
	atomic_store_explicit(&c->limit, limit, memory_order_relaxed);
	if (!limit)
		gomem_cache_drain(c);
}

int gomem_cache_check(struct gomem_cache *c)
{
	for (uint64_t b = 0; b << GOMEM_SUM_SHIFT < c->cells; b++) {
		unsigned int n = 0;

		for (uint64_t j = b << GOMEM_SUM_SHIFT;
		     j < c->cells && j < (b + 1) << GOMEM_SUM_SHIFT; j++)
			n += !!atomic_load(&c->map[j]);
		if (n != atomic_load(&c->sum[b]))
			return -EUCLEAN;
	}
	return 0;
}

void gomem_cache_get_stats(struct gomem_cache *c,
			   struct gomem_cache_stats *s)
{
	struct gomem_tcache *tc;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&c->lock);
	s->hits = c->old_hits;
	s->refills = c->old_refills;
	s->refill_regions = c->old_refill_regions;
	s->drains = c->old_drains;
	s->drained_regions = c->old_drained_regions;
	s->bypassed = c->old_bypassed;
	gomem_tc_remote_claim_all(c);
	for (tc = c->parts; tc; tc = tc->next) {
		gomem_tc_remote_enter(tc);
		s->threads++;
		s->regions += gomem_tc_regions(tc);
		s->bytes += tc->bytes;
		s->hits += tc->hits;
		s->refills += tc->refills;
		s->refill_regions += tc->refill_regions;
		s->drains += tc->drains;
		s->drained_regions += tc->drained_regions;
		s->bypassed += tc->bypassed;
		gomem_tc_remote_leave(tc);
	}
	pthread_mutex_unlock(&c->lock);
	s->limit = atomic_load_explicit(&c->limit, memory_order_relaxed);
}
