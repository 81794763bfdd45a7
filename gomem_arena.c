// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem arena: chunks of backing memory, each managed by a range
 * allocator, growing on demand and trimmed when idle (GoMem's
 * ScalableMemoryAllocator), plus recyclable batches (GoMem's
 * RecyclableMemory).
 *
 * Invariants (checked by gomem_arena_check()):
 *  - chunks[] is sorted by base, chunks do not overlap, each base and size
 *    is page-aligned, and chunks[0] is the first chunk, at offset 0;
 *  - the span allocator holds exactly the chunks' offset ranges;
 *  - capacity is the sum of chunk sizes and never exceeds max_size;
 *  - in_use is capacity minus the free bytes of all chunks;
 *  - buddy source: the pool has exactly capacity bytes' worth of pages
 *    allocated, one block per chunk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/page.h>

#include <gomem_trace.h>

#include "gomem_arena.h"
#include "gomem_reader.h"

#define arena_broken(fmt, ...) \
	({ pr_err("invariant broken: arena " fmt "\n", ##__VA_ARGS__); -EUCLEAN; })

static u64 arena_granule(const struct gomem_arena *a)
{
	return a->params.granule;
}

/*
 * Index in @chunks (@nr of them, sorted by base) of the chunk holding
 * @offset, or -1: a binary search by base.
 */
static int arena_chunk_search(struct gomem_chunk *const *chunks,
			      unsigned int nr, u64 offset)
{
	unsigned int lo = 0, hi = nr, mid;
	const struct gomem_chunk *c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = chunks[mid];
		if (offset < c->base)
			hi = mid;
		else if (offset - c->base >= c->size)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

/* Index of the chunk holding @offset, or -1.  Locked. */
static int arena_chunk_index(const struct gomem_arena *a, u64 offset)
{
	return arena_chunk_search(a->chunks, a->nr_chunks, offset);
}

/*
 * The chunk table is copied on write (struct gomem_chunk_table): faults
 * look chunks up without the lock (gomem_arena_lookup_rcu()), so a table
 * they may be reading is never changed in place, only replaced, and freed
 * after a grace period.  The locked code reads a->chunks and a->nr_chunks,
 * which mirror the published table.
 *
 * Trim must not need memory, so the arena keeps a spare table with room
 * for every chunk: trim fills it in after its grace period (which also
 * ends any reading of a spare that was published before) and publishes
 * it, and the table it replaces becomes the spare.  Growth allocates.
 */
/*
 * Chunk memory and what grows with it (chunk records, tables, a buddy
 * pool's map): charged to a memory cgroup if the arena is accounted.
 */
static gfp_t arena_gfp(const struct gomem_arena *a)
{
	return a->params.account ? GFP_KERNEL_ACCOUNT : GFP_KERNEL;
}

static struct gomem_chunk_table *arena_table_alloc(struct gomem_arena *a,
						   unsigned int cap)
{
	struct gomem_chunk_table *t;

	t = kvmalloc(struct_size(t, chunk, cap), arena_gfp(a) | __GFP_NOWARN);
	if (t)
		t->cap = cap;
	return t;
}

/* Publish @t, filled with @nr chunks; return the table it replaces. */
static struct gomem_chunk_table *arena_table_publish(struct gomem_arena *a,
						     struct gomem_chunk_table *t,
						     unsigned int nr)
{
	struct gomem_chunk_table *old;

	t->nr = nr;
	old = rcu_dereference_protected(a->table, 1);
	rcu_assign_pointer(a->table, t);
	a->chunks = t->chunk;
	a->nr_chunks = nr;
	return old;
}

/*
 * Chunk memory is had in three steps, so that only the first runs under
 * the lock: reserve what comes from shared state (buddy pages; nothing for
 * vmalloc), then fill it in (__vmalloc(), or zero the buddy run) with
 * the lock dropped, then install the chunk under the lock again.
 */
static int arena_mem_reserve(struct gomem_arena *a, u64 size, u64 *unit)
{
	*unit = 0;
	if (a->params.source == GOMEM_CHUNKS_VMALLOC)
		return 0;
	if (gomem_buddy_alloc(&a->buddy, size >> PAGE_SHIFT, unit))
		return -ENOMEM;
	a->pending += size;
	return 0;
}

static void arena_mem_unreserve(struct gomem_arena *a, u64 size, u64 unit)
{
	if (a->params.source == GOMEM_CHUNKS_VMALLOC)
		return;
	WARN_ON(gomem_buddy_free(&a->buddy, unit));
	a->pending -= size;
}

static void *arena_mem_fill(struct gomem_arena *a, u64 size, u64 unit)
{
	void *mem;

	/*
	 * A session's allocation asked for this growth: failing is -ENOMEM
	 * for it, not a stack dump in the kernel log that any user could
	 * provoke (vmalloc_user() warns).  Zeroed, as vmalloc_user(); the
	 * pages are mapped by PFN (vmalloc_to_pfn()), so VM_USERMAP, which
	 * only remap_vmalloc_range() needs, is not.
	 */
	if (a->params.source == GOMEM_CHUNKS_VMALLOC)
		return __vmalloc(size, arena_gfp(a) | __GFP_ZERO | __GFP_NOWARN);
	mem = a->pool + (unit << PAGE_SHIFT);
	/* The pool may still hold the bytes of a trimmed chunk. */
	memset(mem, 0, size);
	return mem;
}

static void arena_mem_put(struct gomem_arena *a, struct gomem_chunk *c)
{
	if (a->params.source == GOMEM_CHUNKS_VMALLOC)
		vfree(c->mem);
	else
		WARN_ON(gomem_buddy_free(&a->buddy, c->unit));
}

/*
 * Node reservations (see docs/arena.md, "Frees that cannot fail"): every
 * range allocator keeps one node per piece of it the arena's callers may
 * free separately, so that freeing a whole piece, or its head or tail,
 * never needs memory.  The chunks' allocators count regions, the span
 * allocator counts chunks.
 */
static int arena_hold(struct gomem_range *r)
{
	return gomem_range_keep_more(r);
}

static void arena_unhold(struct gomem_range *r)
{
	gomem_range_keep_less(r);
}

/*
 * A new chunk of @size bytes (page-aligned; a power of two pages for the
 * buddy source), not yet part of the arena, with its memory and the node of
 * the region it is added for.  @locked: the caller holds the lock, which
 * is dropped while the memory is obtained and zeroed (__vmalloc() of up
 * to max_size bytes), and taken again; else nobody else can see @a yet.
 */
static struct gomem_chunk *arena_chunk_prepare(struct gomem_arena *a,
					       u64 size, bool locked)
{
	struct gomem_chunk *c;
	u64 unit;
	int err;

	err = arena_mem_reserve(a, size, &unit);
	if (err)
		return ERR_PTR(err);
	if (locked)
		mutex_unlock(&a->lock);
	c = kzalloc(sizeof(*c), arena_gfp(a) | __GFP_NOWARN);
	if (!c) {
		err = -ENOMEM;
		goto out;
	}
	c->size = size;
	c->unit = unit;
	err = gomem_range_init(&c->range, a->params.policy, size,
			       arena_granule(a), arena_gfp(a));
	if (err)
		goto free_chunk;
	err = arena_hold(&c->range);
	if (err)
		goto free_range;
	c->mem = arena_mem_fill(a, size, unit);
	if (c->mem)
		goto out;
	err = -ENOMEM;
free_range:
	gomem_range_destroy(&c->range);
free_chunk:
	kfree(c);
out:
	if (locked)
		mutex_lock(&a->lock);
	if (err) {
		arena_mem_unreserve(a, size, unit);
		return ERR_PTR(err);
	}
	return c;
}

/* Give back a chunk that was prepared but not installed; as above. */
static void arena_chunk_discard(struct gomem_arena *a, struct gomem_chunk *c,
				bool locked)
{
	if (a->params.source == GOMEM_CHUNKS_BUDDY) {
		arena_mem_unreserve(a, c->size, c->unit);
	} else {
		if (locked)
			mutex_unlock(&a->lock);
		vfree(c->mem);
		if (locked)
			mutex_lock(&a->lock);
	}
	gomem_range_destroy(&c->range);
	kfree(c);
}

/*
 * Make a prepared chunk part of the arena: a base in the span (its node
 * reserved there, so that its release cannot fail) and a place in the
 * sorted chunk array.  Return: 0, or -ENOMEM with nothing changed.
 */
static int arena_chunk_install(struct gomem_arena *a, struct gomem_chunk *c)
{
	struct gomem_chunk_table *t, *spare = NULL, *old;
	unsigned int i, j, need = a->nr_chunks + 1;
	int err = -ENOMEM;

	t = arena_table_alloc(a, need);
	if (!t)
		return err;
	if (!a->spare || a->spare->cap < need) {
		spare = arena_table_alloc(a, need);
		if (!spare)
			goto out_table;
	}
	err = arena_hold(&a->span);
	if (err)
		goto out_table;
	err = gomem_range_alloc(&a->span, c->size, PAGE_SIZE, &c->base);
	if (err) {
		arena_unhold(&a->span);
		goto out_table;
	}
	if (a->params.source == GOMEM_CHUNKS_BUDDY)
		a->pending -= c->size;
	for (i = 0, j = 0; i < a->nr_chunks && a->chunks[i]->base < c->base;)
		t->chunk[j++] = a->chunks[i++];
	t->chunk[j++] = c;
	while (i < a->nr_chunks)
		t->chunk[j++] = a->chunks[i++];
	/* The chunk is whole before lockless lookups can find it. */
	old = arena_table_publish(a, t, j);
	if (old)
		kvfree_rcu(old, rcu);
	if (spare) {
		/* A spare may be a table published before: readers may be on it. */
		if (a->spare)
			kvfree_rcu(a->spare, rcu);
		a->spare = spare;
	}
	a->stats.capacity += c->size;
	return 0;

out_table:
	kvfree(spare);
	kvfree(t);
	return err;
}

/* Give a chunk's memory back; its struct goes after a grace period. */
static void arena_chunk_free(struct gomem_arena *a, struct gomem_chunk *c)
{
	arena_mem_put(a, c);
	gomem_range_destroy(&c->range);
	/* Cannot fail: the chunk's node in the span was reserved with it. */
	WARN_ON(gomem_range_free(&a->span, c->base, c->size));
	arena_unhold(&a->span);
	a->stats.capacity -= c->size;
	kfree_rcu(c, rcu);
}

static u64 arena_chunk_size(const struct gomem_arena *a, u64 size)
{
	if (a->params.source == GOMEM_CHUNKS_BUDDY)
		return (u64)roundup_pow_of_two(size >> PAGE_SHIFT) << PAGE_SHIFT;
	return size;
}

static int arena_place(struct gomem_arena *a, u64 size, u64 align,
		       bool take, struct gomem_chunk **chunk, u64 *rel,
		       bool *nomem);

/*
 * Grow by one chunk that can hold @size bytes.  A growth chunk is the next
 * size in the doubling sequence (or the first size in it that holds @size),
 * at most max_chunk; a request above max_chunk gets a dedicated chunk of
 * its own page-rounded size.  Near max_size the chunk shrinks to what is
 * left, if that still holds the request.
 *
 * The chunk's memory is obtained with the lock dropped
 * (arena_chunk_prepare()).  If meanwhile another thread made room for the
 * request (it grew, or freed), or took the room this chunk would need, the
 * new chunk is given back and ERR_PTR(-EAGAIN) tells the caller to look
 * again.  Return: the new chunk (it holds @size bytes at @align and the
 * node for them), or an ERR_PTR(): -EAGAIN, -ENOMEM.
 */
static struct gomem_chunk *arena_grow(struct gomem_arena *a, u64 size,
				      u64 align)
{
	const struct gomem_arena_params *p = &a->params;
	u64 want = ALIGN(size, PAGE_SIZE), left, cs, next = a->next_size, rel;
	struct gomem_chunk *c, *other;
	bool nomem = false;
	int err;

	if (want > p->max_chunk) {
		cs = want;
	} else {
		cs = next;
		while (cs < want)
			cs <<= 1;
		cs = min(cs, p->max_chunk);
		next = min(cs << 1, p->max_chunk);
	}
	cs = arena_chunk_size(a, cs);
	left = p->max_size - a->stats.capacity;
	if (cs > left) {
		cs = ALIGN_DOWN(left, PAGE_SIZE);
		if (p->source == GOMEM_CHUNKS_BUDDY && cs)
			cs = (u64)rounddown_pow_of_two(cs >> PAGE_SHIFT) <<
			     PAGE_SHIFT;
		if (cs < want)
			return ERR_PTR(-ENOMEM);
	}
	c = arena_chunk_prepare(a, cs, true);
	if (IS_ERR(c))
		return c;
	/* The lock was dropped: look again before adding the chunk. */
	if (!arena_place(a, size, align, false, &other, &rel, &nomem) ||
	    cs > p->max_size - a->stats.capacity) {
		arena_chunk_discard(a, c, true);
		return ERR_PTR(-EAGAIN);
	}
	err = arena_chunk_install(a, c);
	if (err) {
		arena_chunk_discard(a, c, true);
		return ERR_PTR(err);
	}
	if (want <= p->max_chunk)
		a->next_size = next;
	a->stats.grows++;
	trace_gomem_grow(p->name, c->base, c->size);
	return c;
}

static int arena_check_request(const struct gomem_arena *a, u64 size,
			       u64 align)
{
	if (!size || size > a->params.max_size)
		return -EINVAL;
	if (!gomem_valid_align(align))
		return -EINVAL;
	return 0;
}

/*
 * Allocate a region in @c, reserving the node its free may need first.
 * Return: 0; -ENOMEM with nothing changed if it does not fit or no node
 * could be had (*@nomem then set).
 */
static int arena_chunk_alloc(struct gomem_chunk *c, u64 size, u64 align,
			     u64 *rel, bool *nomem)
{
	int err;

	err = arena_hold(&c->range);
	if (err) {
		*nomem = true;
		return err;
	}
	err = gomem_range_alloc(&c->range, size, align, rel);
	if (err)
		arena_unhold(&c->range);
	return err;
}

/*
 * Lowest-offset chunk that can take the request, without growing.
 * Return: 0; -ENOMEM if no chunk has room, or if a node could not be had
 * (then *@nomem is set: growing would not help).
 */
static int arena_place(struct gomem_arena *a, u64 size, u64 align,
		       bool take, struct gomem_chunk **chunk, u64 *rel,
		       bool *nomem)
{
	struct gomem_chunk *c;
	unsigned int i;
	int err;

	for (i = 0; i < a->nr_chunks; i++) {
		c = a->chunks[i];
		if (gomem_range_largest(&c->range) < size)
			continue;
		if (take)
			err = arena_chunk_alloc(c, size, align, rel, nomem);
		else
			err = gomem_range_find(&c->range, size, align, rel);
		if (!err) {
			*chunk = c;
			return 0;
		}
		if (err != -ENOMEM || *nomem)
			return err;
	}
	return -ENOMEM;
}

static u64 arena_front_drain_all(struct gomem_arena *a);

/* Empty the fronts for an allocation that found no room.  Locked. */
static u64 arena_front_rescue(struct gomem_arena *a)
{
	u64 bytes = arena_front_drain_all(a);

	if (bytes)
		a->stats.front_drains++;
	return bytes;
}

/*
 * May emptying the fronts make room for @size bytes?  Not if no chunk is
 * that big (a region lies in one chunk): then the fronts stay as they
 * are, and a request that cannot fit changes nothing.  Locked.
 */
static bool arena_front_may_help(const struct gomem_arena *a, u64 size)
{
	unsigned int i;

	if (!a->front)
		return false;
	for (i = 0; i < a->nr_chunks; i++)
		if (a->chunks[i]->size >= size)
			return true;
	return false;
}

static int arena_alloc_locked(struct gomem_arena *a, u64 size, u64 align,
			      struct gomem_chunk **chunk, u64 *rel)
{
	struct gomem_chunk *c;
	bool nomem = false, drained = false;
	int err;

	for (;;) {
		err = arena_place(a, size, align, true, chunk, rel, &nomem);
		if (err != -ENOMEM || nomem)
			return err;
		/*
		 * The per-CPU fronts hold free blocks: look there first,
		 * unless that is all the arena has done for a while (see
		 * GOMEM_FRONT_RESCUES); arena_alloc_checked() empties them
		 * if growth fails.
		 */
		if (!drained && a->front_rescues < GOMEM_FRONT_RESCUES &&
		    arena_front_may_help(a, size)) {
			drained = true;
			if (arena_front_rescue(a)) {
				a->front_rescues++;
				continue;
			}
		}
		c = arena_grow(a, size, align);
		if (!IS_ERR(c)) {
			a->front_rescues = 0;
			break;
		}
		if (PTR_ERR(c) != -EAGAIN)
			return PTR_ERR(c);
	}
	*chunk = c;
	/* The new chunk holds the request and its node already. */
	err = gomem_range_alloc(&c->range, size, align, rel);
	if (err)
		arena_unhold(&c->range);
	return err;
}

/*
 * What a free does to the pieces its caller holds, each with one node
 * reserved in its chunk's range allocator (arena_hold()).
 */
enum arena_pieces {
	ARENA_PIECE_GONE = -1,	/* a whole region: its node is released */
	ARENA_PIECE_SAME = 0,	/* its head or tail: the region stays */
	ARENA_PIECE_SPLIT = 1,	/* its middle: one region becomes two */
};

/*
 * Give [@offset, +@size) back to its chunk, not counted as a free (the
 * front's blocks were counted when their callers freed them).  Locked.
 */
static int arena_release_locked(struct gomem_arena *a, u64 offset, u64 size,
				enum arena_pieces pieces)
{
	struct gomem_chunk *c;
	int i, err;
	u64 rel;

	i = arena_chunk_index(a, offset);
	if (i < 0 || !size)
		return -EINVAL;
	c = a->chunks[i];
	rel = offset - c->base;
	if (size > c->size - rel)
		return -EINVAL;
	/* The second piece's node first: the one thing that can fail. */
	err = pieces == ARENA_PIECE_SPLIT ? arena_hold(&c->range) : 0;
	if (!err) {
		err = gomem_range_free(&c->range, rel, size);
		if (err ? pieces == ARENA_PIECE_SPLIT :
			  pieces == ARENA_PIECE_GONE)
			arena_unhold(&c->range);
	}
	if (!err)
		a->stats.in_use -= ALIGN(size, arena_granule(a));
	return err;
}

/* ---- the per-CPU front (see gomem_arena.h) ---- */

static int arena_front_init(struct gomem_arena *a)
{
	unsigned int cpu;

	a->front = alloc_percpu_gfp(struct gomem_front,
				    arena_gfp(a) | __GFP_NOWARN);
	if (!a->front)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(a->front, cpu)->lock);
	return 0;
}

/*
 * A size's class (see gomem_arena.h): 2^k granules have class k (below
 * GOMEM_FRONT_CLASSES - GOMEM_FRONT_ODD, as sizes are at most
 * GOMEM_FRONT_MAX); other sizes share the last classes, by a Fibonacci
 * hash of their granule count, which spreads multiples of a size.  The
 * granule is a power of two: shifts, not divisions, on the fast paths.
 */
static unsigned int front_class(const struct gomem_arena *a, u64 size)
{
	u32 n = size >> __ffs64(arena_granule(a));

	BUILD_BUG_ON(GOMEM_FRONT_MAX >=
		     1ULL << (GOMEM_FRONT_CLASSES - GOMEM_FRONT_ODD));
	BUILD_BUG_ON(GOMEM_FRONT_ODD != 1 << GOMEM_FRONT_ODD_BITS);
	if (is_power_of_2(n))
		return ilog2(n);
	return GOMEM_FRONT_CLASSES - GOMEM_FRONT_ODD +
	       ((n * 0x61c88647u) >> (32 - GOMEM_FRONT_ODD_BITS));
}

/* Blocks of @size one class of one CPU holds at most. */
static unsigned int front_depth(u64 size)
{
	return clamp_t(u64, GOMEM_FRONT_CLASS_BYTES / size, 1,
		       GOMEM_FRONT_DEPTH);
}

/* Is a class holding @nr blocks of @size full?  front_depth(), no division. */
static bool front_full(unsigned int nr, u64 size)
{
	return nr >= GOMEM_FRONT_DEPTH ||
	       (nr && (u64)(nr + 1) * size > GOMEM_FRONT_CLASS_BYTES);
}

/* Does the front keep regions of @size (granule-rounded) bytes? */
static bool front_takes(const struct gomem_arena *a, u64 size)
{
	return a->front && size && size <= a->params.front_max;
}

/*
 * A block of @size (granule-rounded) from the calling CPU's front.
 * Context: any task; takes the CPU's front lock.
 * Return: 0 and *@offset; -ENOENT if the front has none.
 */
static int front_get(struct gomem_arena *a, u64 size, u64 *offset)
{
	struct gomem_front *f = raw_cpu_ptr(a->front);
	struct gomem_front_class *c = &f->cls[front_class(a, size)];
	int err = -ENOENT;

	/*
	 * The common miss, an empty class or one of another size, needs no
	 * lock: a racy peek, taken again under the lock if it says hit.
	 */
	if (!data_race(c->nr) || data_race(c->size) != size)
		return -ENOENT;
	spin_lock(&f->lock);
	if (c->nr && c->size == size) {
		*offset = c->block[--c->nr];
		f->held -= size;
		f->allocs++;
		err = 0;
	}
	spin_unlock(&f->lock);
	return err;
}

/* Is [@offset, +@size) inside one chunk now?  A hint: nothing locked. */
static bool front_in_chunk(struct gomem_arena *a, u64 offset, u64 size)
{
	const struct gomem_chunk_table *t;
	const struct gomem_chunk *c;
	bool in = false;
	int i;

	rcu_read_lock();
	t = rcu_dereference(a->table);
	i = arena_chunk_search(t->chunk, t->nr, offset);
	if (i >= 0) {
		c = t->chunk[i];
		in = size <= c->size - (offset - c->base);
	}
	rcu_read_unlock();
	return in;
}

/*
 * Keep the region [@offset, +@size) (granule-rounded size) in the calling
 * CPU's front; *@fp is set to that CPU's part.  A class holding another
 * size keeps it until %GOMEM_FRONT_DEPTH frees in a row asked for another
 * (sizes that share a class then do not empty it at each turn); then it
 * is emptied (front_drain()) and takes the new size.
 * Context: any task; takes the CPU's front lock.
 * Return: 0; -EINVAL if that class holds it already (a double free);
 * -ENOSPC if the class is full (*@drain set) or holds another size
 * (*@drain set when it is time to switch).
 */
static int front_put(struct gomem_arena *a, u64 offset, u64 size,
		     struct gomem_front **fp, bool *drain)
{
	struct gomem_front *f = raw_cpu_ptr(a->front);
	struct gomem_front_class *c = &f->cls[front_class(a, size)];
	unsigned int i;
	int err = -ENOSPC;

	*fp = f;
	spin_lock(&f->lock);
	if (!c->nr)
		c->size = size;
	if (c->size != size) {
		*drain = ++c->misses >= GOMEM_FRONT_DEPTH;
		goto out;
	}
	c->misses = 0;
	/* Before the room: a full class must refuse a double free too. */
	for (i = 0; i < c->nr; i++) {
		if (c->block[i] == offset) {
			err = -EINVAL;
			goto out;
		}
	}
	if (front_full(c->nr, size)) {
		*drain = true;
		goto out;
	}
	err = 0;
	c->block[c->nr++] = offset;
	f->held += size;
	f->frees++;
out:
	spin_unlock(&f->lock);
	return err;
}

/*
 * Give the oldest blocks of class @ci of @f back to their chunks, keeping
 * the newest @keep if the class holds @size, none otherwise.  A block its
 * chunk refuses was freed twice (see gomem_arena_free()): warned and
 * dropped.  Arena lock held.  Return: bytes given back.
 */
static u64 front_drain(struct gomem_arena *a, struct gomem_front *f,
		       unsigned int ci, u64 size, unsigned int keep)
{
	struct gomem_front_class *c = &f->cls[ci];
	u64 blocks[GOMEM_FRONT_DEPTH], bsize;
	unsigned int n, i;

	lockdep_assert_held(&a->lock);
	spin_lock(&f->lock);
	bsize = c->size;
	n = c->nr;
	if (bsize == size)
		n = n > keep ? n - keep : 0;
	memcpy(blocks, c->block, n * sizeof(blocks[0]));
	memmove(c->block, c->block + n, (c->nr - n) * sizeof(blocks[0]));
	c->nr -= n;
	c->misses = 0;
	f->held -= n * bsize;
	spin_unlock(&f->lock);
	for (i = 0; i < n; i++)
		WARN_ONCE(arena_release_locked(a, blocks[i], bsize,
					       ARENA_PIECE_GONE),
			  "gomem: arena %s: block %llu+%llu freed twice\n",
			  a->params.name, blocks[i], bsize);
	return n * bsize;
}

/* Empty every CPU's front into the chunks.  Arena lock held. */
static u64 arena_front_drain_all(struct gomem_arena *a)
{
	unsigned int cpu, ci;
	u64 bytes = 0;

	if (!a->front)
		return 0;
	for_each_possible_cpu(cpu)
		for (ci = 0; ci < GOMEM_FRONT_CLASSES; ci++)
			bytes += front_drain(a, per_cpu_ptr(a->front, cpu), ci,
					     0, 0);
	return bytes;
}

/**
 * gomem_arena_init() - create an arena and its first chunk
 * @a: arena to initialise (caller-owned memory)
 * @params: geometry and policy; see &struct gomem_arena_params
 *
 * Context: process context; sleeps (GFP_KERNEL allocations).
 * Return: 0; -EINVAL if a parameter is out of range (zero initial size,
 * max_chunk below initial_size, max_size below max_chunk, a bad granule,
 * policy or source, a buddy pool above 2^GOMEM_BUDDY_MAX_ORDER pages);
 * -ENOMEM.
 */
int gomem_arena_init(struct gomem_arena *a,
		     const struct gomem_arena_params *params)
{
	struct gomem_arena_params p = *params;
	struct gomem_chunk *c;
	unsigned int order = 0;
	int err;

	if (!p.name)
		p.name = "arena";
	if (!p.granule)
		p.granule = GOMEM_RANGE_DEFAULT_GRANULE;
	if (!gomem_valid_align(p.granule))
		return -EINVAL;
	if (p.policy != GOMEM_POLICY_TREAP && p.policy != GOMEM_POLICY_AVL)
		return -EINVAL;
	if (p.source != GOMEM_CHUNKS_VMALLOC && p.source != GOMEM_CHUNKS_BUDDY)
		return -EINVAL;
	/* Bounded before rounding up, which would wrap near 2^64. */
	if (!p.initial_size || p.initial_size > (1ULL << 52) ||
	    p.max_chunk > (1ULL << 52) || p.max_size > (1ULL << 52))
		return -EINVAL;
	p.initial_size = ALIGN(p.initial_size, PAGE_SIZE);
	p.max_chunk = ALIGN(p.max_chunk, PAGE_SIZE);
	p.max_size = ALIGN(p.max_size, PAGE_SIZE);
	if (p.max_chunk < p.initial_size || p.max_size < p.max_chunk)
		return -EINVAL;
	if (p.source == GOMEM_CHUNKS_BUDDY &&
	    roundup_pow_of_two(p.initial_size >> PAGE_SHIFT) << PAGE_SHIFT >
	    p.max_size)
		return -EINVAL;
	if (p.source == GOMEM_CHUNKS_BUDDY) {
		order = order_base_2(p.max_size >> PAGE_SHIFT);
		if (order > GOMEM_BUDDY_MAX_ORDER)
			return -EINVAL;
	}
	if (p.front_max > GOMEM_FRONT_MAX ||
	    ALIGN(p.front_max, p.granule) > GOMEM_FRONT_MAX)
		return -EINVAL;
	p.front_max = ALIGN(p.front_max, p.granule);

	memset(a, 0, sizeof(*a));
	mutex_init(&a->lock);
	a->params = p;
	/*
	 * Chunk bases come from an offset space twice max_size, so that the
	 * holes trimmed chunks leave rarely stop growth; lowest fit reuses
	 * them first.
	 */
	err = gomem_range_init(&a->span, GOMEM_POLICY_TREAP, 2 * p.max_size,
			       PAGE_SIZE, GFP_KERNEL);
	if (err)
		goto out_mutex;
	if (p.source == GOMEM_CHUNKS_BUDDY) {
		err = gomem_buddy_init(&a->buddy, order,
				       arena_gfp(a) | __GFP_NOWARN);
		if (err)
			goto out_span;
		a->pool = __vmalloc((u64)PAGE_SIZE << order,
				    arena_gfp(a) | __GFP_ZERO | __GFP_NOWARN);
		if (!a->pool) {
			err = -ENOMEM;
			goto out_buddy;
		}
	}
	if (p.front_max) {
		err = arena_front_init(a);
		if (err)
			goto out_pool;
	}
	a->next_size = min(p.initial_size * 2, p.max_chunk);
	c = arena_chunk_prepare(a, arena_chunk_size(a, p.initial_size), false);
	if (IS_ERR(c)) {
		err = PTR_ERR(c);
		goto out_pool;
	}
	err = arena_chunk_install(a, c);
	if (err) {
		arena_chunk_discard(a, c, false);
		goto out_pool;
	}
	return 0;

out_pool:
	free_percpu(a->front);
	kvfree(a->spare);
	vfree(a->pool);
out_buddy:
	if (p.source == GOMEM_CHUNKS_BUDDY)
		gomem_buddy_destroy(&a->buddy);
out_span:
	gomem_range_destroy(&a->span);
out_mutex:
	mutex_destroy(&a->lock);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_arena_init);

/**
 * gomem_arena_destroy() - release every chunk and all metadata
 * @a: arena
 *
 * Outstanding regions are released with it.  No mapping of the arena's
 * memory may remain; the zap hook is not called.
 *
 * Context: process context; may sleep.
 */
void gomem_arena_destroy(struct gomem_arena *a)
{
	unsigned int i;

	for (i = a->nr_chunks; i-- > 0;)
		arena_chunk_free(a, a->chunks[i]);
	kvfree(rcu_dereference_protected(a->table, 1));
	kvfree(a->spare);
	if (a->params.source == GOMEM_CHUNKS_BUDDY) {
		vfree(a->pool);
		gomem_buddy_destroy(&a->buddy);
	}
	gomem_range_destroy(&a->span);
	free_percpu(a->front);
	mutex_destroy(&a->lock);
}
EXPORT_SYMBOL_GPL(gomem_arena_destroy);

/**
 * gomem_arena_set_reclaim() - set the hook that gives back kept regions
 * @a: arena
 * @reclaim: called with @data under the arena lock, which it must not
 *           drop, when an allocation finds no room (the allocation is
 *           tried again if it returns nonzero) and before trim looks for
 *           free chunks; it frees what a user of the arena keeps
 *           allocated for its own reuse.  NULL for none.
 * @data: passed to @reclaim
 *
 * Context: process context; takes the arena lock.
 */
void gomem_arena_set_reclaim(struct gomem_arena *a, int (*reclaim)(void *data),
			     void *data)
{
	mutex_lock(&a->lock);
	a->reclaim = reclaim;
	a->reclaim_data = data;
	mutex_unlock(&a->lock);
}
EXPORT_SYMBOL_GPL(gomem_arena_set_reclaim);

/**
 * gomem_arena_set_zap() - set the hook trim calls before releasing a chunk
 * @a: arena
 * @zap: called with @data, the chunk's offset range and its kernel
 *       address, under the arena lock, before its memory goes; must drop
 *       every user mapping of it, and return nonzero if the memory is
 *       still referenced after that (pinned pages), which keeps the chunk.
 *       NULL for none.
 * @data: passed to @zap
 *
 * Context: process context; takes the arena lock.
 */
void gomem_arena_set_zap(struct gomem_arena *a,
			 int (*zap)(void *data, u64 offset, void *mem,
				    u64 size),
			 void *data)
{
	mutex_lock(&a->lock);
	a->zap = zap;
	a->zap_data = data;
	mutex_unlock(&a->lock);
}
EXPORT_SYMBOL_GPL(gomem_arena_set_zap);

/* The checks of gomem_arena_alloc(), made before taking the lock. */
static int arena_check_alloc(const struct gomem_arena *a, u64 size, u64 align,
			     unsigned int flags)
{
	if (flags & ~GOMEM_ALLOC_ZERO)
		return -EINVAL;
	return arena_check_request(a, size, align);
}

/*
 * A checked request served by the calling CPU's front, if it keeps that
 * size (no @flags, @align at most the granule) and holds a block of it.
 * Context: any task, the arena lock held or not.
 * Return: 0 and *@offset; -ENOENT otherwise.
 */
static int arena_front_alloc(struct gomem_arena *a, u64 size, u64 align,
			     unsigned int flags, u64 *offset)
{
	u64 rsize = ALIGN(size, arena_granule(a));

	if (flags || align > arena_granule(a) || !front_takes(a, rsize) ||
	    front_get(a, rsize, offset))
		return -ENOENT;
	trace_gomem_alloc(a->params.name, *offset, rsize, 0);
	return 0;
}

/* gomem_arena_alloc() with checked arguments, under the lock. */
static int arena_alloc_checked(struct gomem_arena *a, u64 size, u64 align,
			       unsigned int flags, u64 *offset)
{
	struct gomem_chunk *c;
	u64 rel;
	int err;

	size = ALIGN(size, arena_granule(a));
	err = arena_alloc_locked(a, size, align, &c, &rel);
	/*
	 * What the arena's users keep for reuse (their parks) is free: give
	 * it back (to the fronts, maybe), look again.
	 */
	if (err == -ENOMEM && a->reclaim && a->reclaim(a->reclaim_data))
		err = arena_alloc_locked(a, size, align, &c, &rel);
	/* So is what the per-CPU fronts hold. */
	if (err == -ENOMEM && arena_front_may_help(a, size) &&
	    arena_front_rescue(a))
		err = arena_alloc_locked(a, size, align, &c, &rel);
	trace_gomem_alloc(a->params.name, err ? 0 : c->base + rel, size, err);
	if (err) {
		a->stats.failed_allocs++;
		return err;
	}
	if (flags & GOMEM_ALLOC_ZERO)
		memset(c->mem + rel, 0, size);
	a->stats.allocs++;
	a->stats.in_use += size;
	a->stats.peak_in_use = max(a->stats.peak_in_use, a->stats.in_use);
	*offset = c->base + rel;
	return 0;
}

/**
 * gomem_arena_alloc_locked() - gomem_arena_alloc() under the caller's lock
 * @a: arena, locked with gomem_arena_lock()
 * @size: as for gomem_arena_alloc()
 * @align: as for gomem_arena_alloc()
 * @flags: as for gomem_arena_alloc()
 * @offset: as for gomem_arena_alloc()
 *
 * When the arena must grow, the lock is dropped while the new chunk's
 * memory is obtained and zeroed, and taken again (like the device's
 * gomem_record_get()): the caller must not rely on anything it saw under
 * the lock before the call, other than what it holds itself (its own
 * regions stay allocated).  Without growth the lock is held throughout.
 * With a per-CPU front, a request it can serve (see gomem_arena_alloc())
 * takes a block from the calling CPU's front, skipping the chunks.
 *
 * Context: process context, holding the arena lock; may sleep, and may
 * drop and retake the lock (growth).
 * Return: as gomem_arena_alloc().
 */
int gomem_arena_alloc_locked(struct gomem_arena *a, u64 size, u64 align,
			     unsigned int flags, u64 *offset)
{
	int err;

	lockdep_assert_held(&a->lock);
	err = arena_check_alloc(a, size, align, flags);
	if (err)
		return err;
	if (a->front && !arena_front_alloc(a, size, align, flags, offset))
		return 0;
	return arena_alloc_checked(a, size, align, flags, offset);
}
EXPORT_SYMBOL_GPL(gomem_arena_alloc_locked);

/**
 * gomem_arena_alloc() - allocate a region
 * @a: arena
 * @size: bytes, rounded up to the granule
 * @align: power of two up to PAGE_SIZE; chunk bases are page-aligned, so
 *         the offset (and the kernel address) is aligned to it
 * @flags: 0 or %GOMEM_ALLOC_ZERO (zero the region first)
 * @offset: set to the region's arena offset
 *
 * Takes the lowest-offset chunk that can hold the region; if none can,
 * grows the arena by one chunk.  The region lies inside one chunk.  With a
 * per-CPU front, a size it keeps (no @flags, @align at most the granule)
 * comes first from the calling CPU's front, without the arena lock: the
 * block a free of that size left there last.
 *
 * Context: process context; may sleep (takes the arena lock, may
 * vmalloc), except when the front serves the request.
 * Return: 0; -EINVAL for unknown @flags, a zero size, a size above
 * max_size or a bad @align; -ENOMEM when the arena is at max_size and
 * nothing fits even with the fronts emptied, or memory ran out.  On error
 * nothing changed.
 */
int gomem_arena_alloc(struct gomem_arena *a, u64 size, u64 align,
		      unsigned int flags, u64 *offset)
{
	int err;

	err = arena_check_alloc(a, size, align, flags);
	if (err)
		return err;
	if (a->front && !arena_front_alloc(a, size, align, flags, offset))
		return 0;
	mutex_lock(&a->lock);
	err = arena_alloc_checked(a, size, align, flags, offset);
	mutex_unlock(&a->lock);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_arena_alloc);

/*
 * The front's part of a whole region's free: kept in the calling CPU's
 * front (0), refused as a double free there (-EINVAL), or left to the
 * chunks (-ENOSPC: a size the front does not keep, a range in no chunk,
 * or a class that is full or holds another size, when *@fp is set to the
 * CPU's part if it is time to make room in it).
 * Context: any task, the arena lock held or not.
 */
static int arena_front_free(struct gomem_arena *a, u64 offset, u64 size,
			    struct gomem_front **fp)
{
	u64 g = arena_granule(a), rsize = ALIGN(size, g);
	struct gomem_front *f;
	bool drain = false;
	int err;

	if (!front_takes(a, rsize) || !IS_ALIGNED(offset, g) ||
	    !front_in_chunk(a, offset, rsize))
		return -ENOSPC;
	err = front_put(a, offset, rsize, &f, &drain);
	if (err != -ENOSPC)
		trace_gomem_free(a->params.name, offset, size, err);
	else if (drain)
		*fp = f;
	return err;
}

/*
 * Room in the class of @f for blocks of @size: its older half given back
 * (or all of it, if it holds another size).  Arena lock held.
 */
static void arena_front_make_room(struct gomem_arena *a, struct gomem_front *f,
				  u64 size)
{
	u64 rsize = ALIGN(size, arena_granule(a));

	front_drain(a, f, front_class(a, rsize), rsize, front_depth(rsize) / 2);
}

static inline int arena_free_locked(struct gomem_arena *a, u64 offset,
				    u64 size, enum arena_pieces pieces)
{
	int err = arena_release_locked(a, offset, size, pieces);

	trace_gomem_free(a->params.name, offset, size, err);
	if (!err)
		a->stats.frees++;
	return err;
}

/**
 * gomem_arena_free() - free a whole region
 * @a: arena
 * @offset: arena offset, granule-aligned
 * @size: bytes, rounded up to the granule; the range must lie in one chunk
 *        and be allocated in full
 *
 * Frees a region: what an allocation returned, or what partial frees
 * (gomem_arena_free_part()) left of it.  Each allocation reserved the node
 * its free may need, so this free cannot fail with -ENOMEM.  Any allocated
 * range is accepted (several adjacent regions, or part of one), but then
 * the reservations no longer match the regions and a later free may need
 * memory again; use gomem_arena_free_part() for parts.
 *
 * The arena does not know who allocated what: callers that share an arena
 * between owners check ownership first (the device does).
 *
 * With a per-CPU front, a region of a size it keeps, inside a chunk, is
 * kept in the calling CPU's front (still allocated in its chunk, free for
 * the arena's callers) without the arena lock.  Then the front trusts
 * the caller as kfree() does: a double free is refused (-EINVAL) while
 * the block is in the same class of the same CPU's front; otherwise it is
 * caught, with a warning, only when the front gives the block back to its
 * chunk, and the block may be handed out twice before that.  A full class
 * gives its older half back under the lock.
 *
 * Context: process context; may sleep (takes the arena lock), except when
 * the front keeps the region.
 * Return: 0; -EINVAL if the range is not allocated, not in one chunk, or
 * malformed (with a front: see above); -ENOMEM only after the misuse
 * above, if the range allocator needed a node and none could be had.  On
 * error nothing changed.
 */
int gomem_arena_free(struct gomem_arena *a, u64 offset, u64 size)
{
	struct gomem_front *f = NULL;
	int err;

	/* No call at all without fronts (the device's default). */
	err = a->front ? arena_front_free(a, offset, size, &f) : -ENOSPC;
	if (err != -ENOSPC)
		return err;
	mutex_lock(&a->lock);
	if (f)
		arena_front_make_room(a, f, size);
	err = arena_free_locked(a, offset, size, ARENA_PIECE_GONE);
	mutex_unlock(&a->lock);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_arena_free);

/* gomem_arena_free() of a whole region under the arena lock. */
static int arena_free_whole_locked(struct gomem_arena *a, u64 offset, u64 size)
{
	struct gomem_front *f = NULL;
	int err;

	err = a->front ? arena_front_free(a, offset, size, &f) : -ENOSPC;
	if (err != -ENOSPC)
		return err;
	if (f)
		arena_front_make_room(a, f, size);
	return arena_free_locked(a, offset, size, ARENA_PIECE_GONE);
}

/**
 * gomem_arena_free_locked() - gomem_arena_free() under the caller's lock
 * @a: arena, locked with gomem_arena_lock()
 * @offset: as for gomem_arena_free()
 * @size: as for gomem_arena_free()
 *
 * With a per-CPU front, a region it keeps stays in the calling CPU's
 * front, as with gomem_arena_free() (and with the same trust: callers
 * that keep exact records of their regions, like the device, never pass
 * a double free).
 *
 * Context: process context, holding the arena lock.
 * Return: as gomem_arena_free().
 */
int gomem_arena_free_locked(struct gomem_arena *a, u64 offset, u64 size)
{
	lockdep_assert_held(&a->lock);
	return arena_free_whole_locked(a, offset, size);
}
EXPORT_SYMBOL_GPL(gomem_arena_free_locked);

/**
 * gomem_arena_free_part_locked() - free part of a region, lock held
 * @a: arena, locked with gomem_arena_lock()
 * @region: the region's offset
 * @region_size: the region's size
 * @offset: start of the part to free, granule-aligned
 * @size: bytes, rounded up to the granule; the part must lie inside the
 *        region
 *
 * Freeing the whole region, its head or its tail cannot fail with
 * -ENOMEM.  The whole region is freed as gomem_arena_free_locked() does
 * (a per-CPU front may keep it).  Freeing its middle splits it in two regions, each of which
 * will be freed on its own: the second one's node is reserved first, which
 * may fail.
 *
 * Context: process context, holding the arena lock; may sleep.
 * Return: 0; -EINVAL if the part is not inside the region or not
 * allocated, or as gomem_arena_free(); -ENOMEM (a middle only) if no node
 * could be had.  On error nothing changed.
 */
int gomem_arena_free_part_locked(struct gomem_arena *a, u64 region,
				 u64 region_size, u64 offset, u64 size)
{
	u64 g = arena_granule(a), end;
	enum arena_pieces pieces;

	lockdep_assert_held(&a->lock);
	if (!size || size > a->params.max_size ||
	    region_size > a->params.max_size || offset < region)
		return -EINVAL;
	end = offset + ALIGN(size, g);
	region_size = ALIGN(region_size, g);
	if (offset - region > region_size ||
	    end - region > region_size)
		return -EINVAL;
	if (offset == region && end - region == region_size)
		return arena_free_whole_locked(a, offset, size);
	if (offset == region)
		pieces = ARENA_PIECE_SAME;
	else
		pieces = end - region == region_size ? ARENA_PIECE_SAME :
						       ARENA_PIECE_SPLIT;
	return arena_free_locked(a, offset, size, pieces);
}
EXPORT_SYMBOL_GPL(gomem_arena_free_part_locked);

/**
 * gomem_arena_free_part() - free part of a region
 * @a: arena
 * @region: as for gomem_arena_free_part_locked()
 * @region_size: as for gomem_arena_free_part_locked()
 * @offset: as for gomem_arena_free_part_locked()
 * @size: as for gomem_arena_free_part_locked()
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: as gomem_arena_free_part_locked().
 */
int gomem_arena_free_part(struct gomem_arena *a, u64 region, u64 region_size,
			  u64 offset, u64 size)
{
	int err;

	mutex_lock(&a->lock);
	err = gomem_arena_free_part_locked(a, region, region_size, offset,
					   size);
	mutex_unlock(&a->lock);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_arena_free_part);

/**
 * gomem_arena_relax_locked() - end a slice of a long operation
 * @a: arena, locked with gomem_arena_lock()
 * @work: units of work (regions freed, blocks walked) done in this slice,
 *        counted up by one here; 0 when a slice begins
 *
 * Call after each unit of work of an operation whose length users decide
 * (freeing a session's regions, a batch): after %GOMEM_ARENA_SLICE units,
 * or earlier if the scheduler asks, the lock is dropped, the CPU offered
 * and the lock taken again, so that every other fault and ioctl waits for
 * one slice at most.  The caller must keep what it changes consistent at
 * every call, and look again at anything it saw before one that returned
 * true.
 *
 * Context: process context, holding the arena lock; may sleep.
 * Return: true if the lock was dropped and taken again.
 */
bool gomem_arena_relax_locked(struct gomem_arena *a, unsigned int *work)
{
	lockdep_assert_held(&a->lock);
	if (++*work < GOMEM_ARENA_SLICE && !need_resched())
		return false;
	*work = 0;
	a->stats.relaxed++;
	mutex_unlock(&a->lock);
	cond_resched();
	mutex_lock(&a->lock);
	return true;
}
EXPORT_SYMBOL_GPL(gomem_arena_relax_locked);

/**
 * gomem_arena_free_many() - free many regions, in slices
 * @a: arena
 * @regions: the regions, each freed as by gomem_arena_free()
 * @nr: number of regions
 * @results: if not NULL, receives each region's result (0 or -errno)
 *
 * The lock is let go every %GOMEM_ARENA_SLICE regions
 * (gomem_arena_relax_locked()).
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: the number of regions freed.
 */
int gomem_arena_free_many(struct gomem_arena *a,
			  const struct gomem_region *regions,
			  unsigned int nr, int *results)
{
	unsigned int i, work = 0;
	int err, done = 0;

	mutex_lock(&a->lock);
	for (i = 0; i < nr; i++) {
		err = arena_free_locked(a, regions[i].offset, regions[i].size,
					ARENA_PIECE_GONE);
		if (results)
			results[i] = err;
		if (!err)
			done++;
		gomem_arena_relax_locked(a, &work);
	}
	mutex_unlock(&a->lock);
	return done;
}
EXPORT_SYMBOL_GPL(gomem_arena_free_many);

/**
 * gomem_arena_free_rest() - keep a region's head, free the rest
 * @a: arena
 * @offset: the region's offset
 * @size: the region's size
 * @keep: bytes to keep, rounded up to the granule; at most @size
 *
 * GoMem's FreeRest.  Keeping all of it is a no-op.
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: 0; -EINVAL if @keep > @size, [@offset, @offset + @size) wraps
 * past the last offset, or the tail is not allocated.  Never -ENOMEM (see
 * gomem_arena_free_part_locked()).
 */
int gomem_arena_free_rest(struct gomem_arena *a, u64 offset, u64 size,
			  u64 keep)
{
	u64 g = arena_granule(a);

	/* A rest that wraps past the last offset must not free offset 0. */
	if (keep > size || size > a->params.max_size || offset + size < offset)
		return -EINVAL;
	keep = ALIGN(keep, g);
	if (keep >= ALIGN(size, g))
		return 0;
	return gomem_arena_free_part(a, offset, size, offset + keep,
				     size - keep);
}
EXPORT_SYMBOL_GPL(gomem_arena_free_rest);

/**
 * gomem_arena_find() - where an allocation would go, without allocating
 * @a: arena
 * @size: as for gomem_arena_alloc()
 * @align: as for gomem_arena_alloc()
 * @offset: set to the offset an allocation would get now
 *
 * Does not grow the arena.  The answer holds only until the next change.
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: 0; -EINVAL as gomem_arena_alloc(); -ENOMEM if only growth could
 * make room.
 */
int gomem_arena_find(struct gomem_arena *a, u64 size, u64 align,
		     u64 *offset)
{
	struct gomem_chunk *c;
	bool nomem = false;
	u64 rel;
	int err;

	err = arena_check_request(a, size, align);
	if (err)
		return err;
	size = ALIGN(size, arena_granule(a));
	mutex_lock(&a->lock);
	err = arena_place(a, size, align, false, &c, &rel, &nomem);
	if (!err)
		*offset = c->base + rel;
	mutex_unlock(&a->lock);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_arena_find);

/**
 * gomem_arena_borrow() - use free bytes without allocating them
 * @a: arena
 * @size: bytes wanted
 *
 * GoMem's Borrow: returns free memory where the next allocation of @size
 * would go, growing the arena if needed, without allocating it.  The bytes
 * stay usable only until the next call on @a by anyone, since any
 * allocation may hand them out.  For in-kernel callers that are the sole
 * user of @a; never hand borrowed memory to userspace.
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: kernel address of @size free bytes, or NULL (bad size, or no
 * room even after growing).
 */
void *gomem_arena_borrow(struct gomem_arena *a, u64 size)
{
	struct gomem_chunk *c = NULL;
	bool nomem = false;
	void *mem = NULL;
	u64 rel;
	int err;

	if (arena_check_request(a, size, 1))
		return NULL;
	size = ALIGN(size, arena_granule(a));
	mutex_lock(&a->lock);
	do {
		err = arena_place(a, size, 1, false, &c, &rel, &nomem);
		if (err == -ENOMEM) {
			c = arena_grow(a, size, 1);
			err = IS_ERR(c) ? PTR_ERR(c) : 0;
			rel = 0;
		}
	} while (err == -EAGAIN);
	if (!err)
		mem = c->mem + rel;
	mutex_unlock(&a->lock);
	return mem;
}
EXPORT_SYMBOL_GPL(gomem_arena_borrow);

/**
 * gomem_arena_ptr_locked() - kernel address of arena bytes, lock held
 * @a: arena
 * @offset: arena offset
 * @size: bytes that must lie in the same chunk
 *
 * Context: the caller holds the arena lock (gomem_arena_lock()).  The
 * address stays valid while the caller keeps the bytes allocated.
 * Return: the address, or NULL if [@offset, @offset + @size) is not inside
 * one chunk.
 */
void *gomem_arena_ptr_locked(struct gomem_arena *a, u64 offset, u64 size)
{
	struct gomem_chunk *c;
	int i;

	lockdep_assert_held(&a->lock);
	i = arena_chunk_index(a, offset);
	if (i < 0)
		return NULL;
	c = a->chunks[i];
	if (size > c->size - (offset - c->base))
		return NULL;
	return c->mem + (offset - c->base);
}
EXPORT_SYMBOL_GPL(gomem_arena_ptr_locked);

/**
 * gomem_arena_ptr() - kernel address of arena bytes
 * @a: arena
 * @offset: arena offset
 * @size: bytes that must lie in the same chunk
 *
 * Context: process context; sleeps (takes the arena lock).  The address
 * stays valid while the caller keeps the bytes allocated.
 * Return: the address, or NULL if [@offset, @offset + @size) is not inside
 * one chunk.
 */
void *gomem_arena_ptr(struct gomem_arena *a, u64 offset, u64 size)
{
	void *mem;

	mutex_lock(&a->lock);
	mem = gomem_arena_ptr_locked(a, offset, size);
	mutex_unlock(&a->lock);
	return mem;
}
EXPORT_SYMBOL_GPL(gomem_arena_ptr);

/**
 * gomem_arena_copy() - copy bytes between the arena and a kernel buffer
 * @a: arena
 * @offset: arena offset of the first byte
 * @buf: kernel buffer
 * @len: bytes
 * @to_arena: copy @buf into the arena, else the arena into @buf
 *
 * The bytes may cross chunk boundaries: the chunks' pieces are gathered
 * into a multi-segment memory and copied through it (gomem_reader.c).
 * Copying stops at the first byte no chunk backs.  The caller must not
 * hold any lock the arena's users may take (a page fault in the arena's
 * mappings takes the arena lock); @buf is kernel memory, so no fault
 * happens here.
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: bytes copied, from 0 (nothing backed at @offset) to @len.
 */
size_t gomem_arena_copy(struct gomem_arena *a, u64 offset, void *buf,
			size_t len, bool to_arena)
{
	struct gomem_mem m;
	struct gomem_chunk *c;
	size_t done = 0, n;
	u64 rel;
	int i;

	/* At most GOMEM_MEM_INLINE segments: push never allocates. */
	gomem_mem_init(&m, GOMEM_MEM_INLINE, GFP_NOWAIT);
	mutex_lock(&a->lock);
	while (done < len && m.count < GOMEM_MEM_INLINE) {
		i = arena_chunk_index(a, offset + done);
		if (i < 0)
			break;
		c = a->chunks[i];
		rel = offset + done - c->base;
		n = min_t(u64, len - done, c->size - rel);
		if (gomem_mem_push(&m, c->mem + rel, n))
			break;
		done += n;
	}
	if (to_arena)
		WARN_ON(gomem_mem_copy_in(&m, 0, buf, done));
	else
		WARN_ON(gomem_mem_copy_out(&m, 0, buf, done));
	mutex_unlock(&a->lock);
	gomem_mem_destroy(&m);
	return done;
}
EXPORT_SYMBOL_GPL(gomem_arena_copy);

/**
 * gomem_arena_access_page() - work on one page of the arena under its lock
 * @a: arena
 * @offset: arena offset inside the page (rounded down to the page)
 * @fn: called with @data and the page's kernel address while the arena
 *      lock is held, so the chunk cannot be trimmed meanwhile
 * @data: passed to @fn
 *
 * The device's fault handler maps the page from @fn: a trim, which zaps
 * mappings under the same lock, then either comes first (and the fault
 * finds no chunk) or removes the new mapping.
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: what @fn returned, or -ENXIO if no chunk backs @offset.
 */
int gomem_arena_access_page(struct gomem_arena *a, u64 offset,
			    int (*fn)(void *data, void *kaddr), void *data)
{
	struct gomem_chunk *c;
	int i, ret = -ENXIO;

	offset = ALIGN_DOWN(offset, PAGE_SIZE);
	mutex_lock(&a->lock);
	i = arena_chunk_index(a, offset);
	if (i >= 0) {
		c = a->chunks[i];
		ret = fn(data, c->mem + (offset - c->base));
	}
	mutex_unlock(&a->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(gomem_arena_access_page);

/**
 * gomem_arena_lookup_rcu() - kernel address of an offset, without the lock
 * @a: arena
 * @offset: arena offset
 *
 * For the fault path, which must not wait for the arena lock.  The address
 * is usable while the caller stays in the RCU read-side section; to keep
 * using the memory after it, the caller takes a reference to its page
 * inside the section: trim releases a chunk only after a grace period and
 * after its zap hook found no reference left (gomem_arena_trim()).
 *
 * Context: any context; the caller holds rcu_read_lock().  Takes no lock,
 * does not sleep.
 * Return: the address of the byte at @offset; NULL if no chunk backs it;
 * ERR_PTR(-EAGAIN) while trim decides whether to release its chunk (wait
 * with gomem_arena_trim_wait() outside the section, then look again).
 */
void *gomem_arena_lookup_rcu(struct gomem_arena *a, u64 offset)
{
	const struct gomem_chunk_table *t = rcu_dereference(a->table);
	int i = arena_chunk_search(t->chunk, t->nr, offset);
	const struct gomem_chunk *c;

	if (i < 0)
		return NULL;
	c = t->chunk[i];
	if (READ_ONCE(c->dying))
		return ERR_PTR(-EAGAIN);
	return c->mem + (offset - c->base);
}
EXPORT_SYMBOL_GPL(gomem_arena_lookup_rcu);

/**
 * gomem_arena_trim_wait() - wait until a running trim is done
 * @a: arena
 *
 * After gomem_arena_lookup_rcu() returned -EAGAIN.
 *
 * Context: process context; sleeps (takes the arena lock); the caller
 * holds no lock the arena's users take, but may hold mmap_lock.
 */
void gomem_arena_trim_wait(struct gomem_arena *a)
{
	mutex_lock(&a->lock);
	mutex_unlock(&a->lock);
}
EXPORT_SYMBOL_GPL(gomem_arena_trim_wait);

/**
 * gomem_arena_span() - size of the offset window
 * @a: arena
 *
 * Every offset the arena hands out, and every chunk, lies below it.
 *
 * Context: any context.
 * Return: the window's size in bytes.
 */
u64 gomem_arena_span(const struct gomem_arena *a)
{
	return a->span.size;
}
EXPORT_SYMBOL_GPL(gomem_arena_span);

/**
 * gomem_arena_trim() - release every entirely free chunk but the first
 * @a: arena
 *
 * Calls the zap hook for each chunk before its memory is released; a chunk
 * whose memory the hook finds still referenced (a page pinned by
 * get_user_pages()) stays, counted in trim_busy, so that memory is never
 * reused while pinned.  Lockless lookups of a chunk being released get
 * -EAGAIN until trim is done (gomem_arena_lookup_rcu()).
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: bytes released.
 */
u64 gomem_arena_trim(struct gomem_arena *a)
{
	struct gomem_chunk_table *t;
	struct gomem_chunk *c;
	unsigned int i, n, dying = 0;
	u64 released = 0;

	mutex_lock(&a->lock);
	/*
	 * What the arena's users keep for reuse is free, and what the
	 * per-CPU fronts hold (the former given back first: into the
	 * fronts, maybe): neither must keep a chunk.
	 */
	if (a->reclaim)
		a->reclaim(a->reclaim_data);
	arena_front_drain_all(a);
	/*
	 * First take the entirely free chunks away from lockless lookups
	 * (dying), then wait for the lookups that found one before: after
	 * the grace period, everything that reached their pages holds a
	 * reference to them (gomem_arena_lookup_rcu()), and nobody reads
	 * the spare table any more.
	 */
	for (i = a->nr_chunks; i-- > 1;) {
		c = a->chunks[i];
		if (gomem_range_free_bytes(&c->range) != c->size)
			continue;
		WRITE_ONCE(c->dying, true);
		dying++;
	}
	if (!dying)
		goto out;
	synchronize_rcu();
	for (i = a->nr_chunks; i-- > 1;) {
		c = a->chunks[i];
		if (!c->dying)
			continue;
		/* Still referenced (pinned) after the zap: not now. */
		if (a->zap && a->zap(a->zap_data, c->base, c->mem, c->size)) {
			WRITE_ONCE(c->dying, false);
			a->stats.trim_busy++;
			dying--;
		}
	}
	if (!dying)
		goto out;
	/* The others leave the table, then go (dying keeps readers off). */
	t = a->spare;
	for (i = 0, n = 0; i < a->nr_chunks; i++)
		if (!a->chunks[i]->dying)
			t->chunk[n++] = a->chunks[i];
	t = arena_table_publish(a, t, n);
	a->spare = t;
	for (i = t->nr; i-- > 1;) {
		c = t->chunk[i];
		if (!c->dying)
			continue;
		trace_gomem_trim(a->params.name, c->base, c->size);
		released += c->size;
		a->stats.trimmed++;
		arena_chunk_free(a, c);
	}
out:
	mutex_unlock(&a->lock);
	return released;
}
EXPORT_SYMBOL_GPL(gomem_arena_trim);

/**
 * gomem_arena_stats() - a consistent snapshot of the arena's statistics
 * @a: arena
 * @st: filled in
 *
 * With a per-CPU front, its counts are read CPU by CPU while the fronts
 * go on serving: they are consistent with the rest only if nobody
 * allocates or frees meanwhile.  peak_in_use counts what the fronts held
 * when it was reached.
 *
 * Context: process context; sleeps (takes the arena lock).
 */
void gomem_arena_stats(struct gomem_arena *a, struct gomem_arena_stats *st)
{
	mutex_lock(&a->lock);
	gomem_arena_stats_locked(a, st);
	mutex_unlock(&a->lock);
}
EXPORT_SYMBOL_GPL(gomem_arena_stats);

/**
 * gomem_arena_stats_locked() - gomem_arena_stats() with the lock held
 * @a: arena
 * @st: filled in
 *
 * Context: the caller holds the arena lock (gomem_arena_lock()).
 */
void gomem_arena_stats_locked(struct gomem_arena *a,
			      struct gomem_arena_stats *st)
{
	struct gomem_front *f;
	unsigned int i;

	lockdep_assert_held(&a->lock);
	*st = a->stats;
	if (a->front) {
		for_each_possible_cpu(i) {
			f = per_cpu_ptr(a->front, i);
			spin_lock(&f->lock);
			st->allocs += f->allocs;
			st->frees += f->frees;
			st->front_held += f->held;
			spin_unlock(&f->lock);
		}
		/* Read CPU by CPU, a block moving may be seen twice. */
		st->front_held = min(st->front_held, st->in_use);
		st->in_use -= st->front_held;
	}
	st->free = st->capacity - st->in_use - st->front_held;
	st->chunks = a->nr_chunks;
	st->largest_free = 0;
	for (i = 0; i < a->nr_chunks; i++)
		st->largest_free = max(st->largest_free,
				       gomem_range_largest(&a->chunks[i]->range));
}
EXPORT_SYMBOL_GPL(gomem_arena_stats_locked);

/* Class @ci of a CPU's front holds blocks in chunks, of its size.  Locked. */
static int front_class_check(struct gomem_arena *a, unsigned int cpu,
			     unsigned int ci, const struct gomem_front_class *c)
{
	u64 g = arena_granule(a), b;
	unsigned int i, j;
	int k;

	if (!c->size || c->size % g || c->size > a->params.front_max ||
	    front_class(a, c->size) != ci || c->nr > front_depth(c->size))
		return arena_broken("front %u: class %u holds %u of %llu bytes",
				    cpu, ci, c->nr, c->size);
	for (i = 0; i < c->nr; i++) {
		b = c->block[i];
		k = arena_chunk_index(a, b);
		if (k < 0 || b % g ||
		    c->size > a->chunks[k]->size - (b - a->chunks[k]->base))
			return arena_broken("front %u: block %llu+%llu in no chunk",
					    cpu, b, c->size);
		for (j = 0; j < i; j++)
			if (c->block[j] == b)
				return arena_broken("front %u: block %llu twice",
						    cpu, b);
	}
	return 0;
}

/* Every CPU's front is sound and counts what it holds.  Locked. */
static int arena_front_check(struct gomem_arena *a)
{
	struct gomem_front *f;
	unsigned int cpu, ci;
	u64 held, all = 0;
	int err = 0;

	for_each_possible_cpu(cpu) {
		f = per_cpu_ptr(a->front, cpu);
		held = 0;
		spin_lock(&f->lock);
		for (ci = 0; ci < GOMEM_FRONT_CLASSES && !err; ci++) {
			if (f->cls[ci].nr)
				err = front_class_check(a, cpu, ci, &f->cls[ci]);
			held += (u64)f->cls[ci].nr * f->cls[ci].size;
		}
		if (!err && held != f->held)
			err = arena_broken("front %u holds %llu bytes, counts %llu",
					   cpu, held, f->held);
		spin_unlock(&f->lock);
		if (err)
			return err;
		all += held;
	}
	if (all > a->stats.in_use)
		return arena_broken("fronts hold %llu bytes, %llu in use",
				    all, a->stats.in_use);
	return 0;
}

/**
 * gomem_arena_check() - verify every invariant of an arena
 * @a: arena
 *
 * Checks each chunk's range allocator, the chunk order and layout, the
 * span allocator, the buddy pool and the counters.  Meant for tests.
 *
 * Context: process context; sleeps (takes the arena lock).
 * Return: 0, or -EUCLEAN after logging the first broken invariant.
 */
int gomem_arena_check(struct gomem_arena *a)
{
	u64 capacity = 0, free = 0, end = 0;
	const struct gomem_chunk *c;
	unsigned int i;
	int err = 0;

	mutex_lock(&a->lock);
	for (i = 0; i < a->nr_chunks && !err; i++) {
		c = a->chunks[i];
		err = gomem_range_check(&c->range);
		if (err)
			break;
		if (!IS_ALIGNED(c->base, PAGE_SIZE) ||
		    !IS_ALIGNED(c->size, PAGE_SIZE) || !c->size)
			err = arena_broken("chunk %u [%llu, +%llu) not page-aligned",
					   i, c->base, c->size);
		else if (i && c->base < end)
			err = arena_broken("chunk %u at %llu overlaps or precedes chunk %u",
					   i, c->base, i - 1);
		else if (!i && c->base)
			err = arena_broken("first chunk at %llu, not 0", c->base);
		else if (c->dying)
			err = arena_broken("chunk %u dying outside trim", i);
		end = c->base + c->size;
		capacity += c->size;
		free += gomem_range_free_bytes(&c->range);
	}
	if (err)
		goto out;
	/* Trim needs no memory: the spare table has room for every chunk. */
	if (!a->spare || a->spare->cap < a->nr_chunks ||
	    a->chunks != rcu_dereference_protected(a->table, 1)->chunk ||
	    a->nr_chunks != rcu_dereference_protected(a->table, 1)->nr) {
		err = arena_broken("chunk tables: spare %u for %u chunks, or stale mirror",
				   a->spare ? a->spare->cap : 0, a->nr_chunks);
		goto out;
	}
	err = gomem_range_check(&a->span);
	if (err)
		goto out;
	if (capacity != a->stats.capacity || capacity > a->params.max_size)
		err = arena_broken("capacity %llu, chunks hold %llu, max %llu",
				   a->stats.capacity, capacity,
				   a->params.max_size);
	else if (a->span.size - gomem_range_free_bytes(&a->span) != capacity)
		err = arena_broken("span holds %llu bytes of chunks, not %llu",
				   a->span.size -
				   gomem_range_free_bytes(&a->span), capacity);
	else if (capacity - free != a->stats.in_use)
		err = arena_broken("in_use %llu, chunks say %llu",
				   a->stats.in_use, capacity - free);
	else if (a->stats.peak_in_use < a->stats.in_use)
		err = arena_broken("peak %llu below in_use %llu",
				   a->stats.peak_in_use, a->stats.in_use);
	if (!err && a->front)
		err = arena_front_check(a);
	if (err || a->params.source != GOMEM_CHUNKS_BUDDY)
		goto out;
	err = gomem_buddy_check(&a->buddy);
	/* Runs being made chunks (lock dropped) are out of the pool too. */
	if (!err && (gomem_buddy_size(&a->buddy) -
		     gomem_buddy_free_units(&a->buddy)) << PAGE_SHIFT !=
		    capacity + a->pending)
		err = arena_broken("buddy pool has %llu pages out, chunks %llu, %llu pending",
				   gomem_buddy_size(&a->buddy) -
				   gomem_buddy_free_units(&a->buddy),
				   capacity >> PAGE_SHIFT,
				   a->pending >> PAGE_SHIFT);
	for (i = 0; i < a->nr_chunks && !err; i++) {
		c = a->chunks[i];
		if (gomem_buddy_block_units(&a->buddy, c->unit) !=
		    c->size >> PAGE_SHIFT ||
		    c->mem != a->pool + (c->unit << PAGE_SHIFT))
			err = arena_broken("chunk %u is not its buddy block", i);
	}
out:
	mutex_unlock(&a->lock);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_arena_check);

/* ---- recyclable memory ---- */

/**
 * gomem_recyclable_init() - start an empty batch on an arena
 * @rm: batch (caller-owned memory)
 * @arena: arena its regions belong to
 *
 * Context: any context.
 */
void gomem_recyclable_init(struct gomem_recyclable *rm,
			   struct gomem_arena *arena)
{
	memset(rm, 0, sizeof(*rm));
	rm->arena = arena;
}
EXPORT_SYMBOL_GPL(gomem_recyclable_init);

/* Make room for one more entry, so that recording never fails later. */
static int rec_reserve(struct gomem_recyclable *rm)
{
	struct gomem_region *regions;
	unsigned int cap;
	bool *own;

	if (rm->nr < rm->cap)
		return 0;
	cap = max(16U, rm->cap * 2);
	regions = kvmalloc_array(cap, sizeof(*regions),
				 GFP_KERNEL | __GFP_NOWARN);
	own = kvmalloc_array(cap, sizeof(*own), GFP_KERNEL | __GFP_NOWARN);
	if (!regions || !own) {
		kvfree(regions);
		kvfree(own);
		return -ENOMEM;
	}
	if (rm->nr) {
		memcpy(regions, rm->regions, rm->nr * sizeof(*regions));
		memcpy(own, rm->own, rm->nr * sizeof(*own));
	}
	kvfree(rm->regions);
	kvfree(rm->own);
	rm->regions = regions;
	rm->own = own;
	rm->cap = cap;
	return 0;
}

static void rec_push(struct gomem_recyclable *rm, u64 offset, u64 size,
		     bool own)
{
	rm->regions[rm->nr].offset = offset;
	rm->regions[rm->nr].size = size;
	rm->own[rm->nr] = own;
	rm->nr++;
}

/**
 * gomem_recyclable_next_n() - allocate a region into the batch
 * @rm: batch
 * @size: bytes
 * @offset: set to the region's arena offset
 *
 * GoMem's NextN.  The region is freed by the next recycle.
 *
 * Context: process context; sleeps.  The caller serialises calls on @rm.
 * Return: 0, or an error from gomem_arena_alloc() (nothing recorded).
 */
int gomem_recyclable_next_n(struct gomem_recyclable *rm, u64 size,
			    u64 *offset)
{
	int err;

	err = rec_reserve(rm);
	if (err)
		return err;
	err = gomem_arena_alloc(rm->arena, size, 1, 0, offset);
	if (err)
		return err;
	rec_push(rm, *offset, size, true);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_recyclable_next_n);

/**
 * gomem_recyclable_add() - put an existing region into the batch
 * @rm: batch
 * @offset: the region's arena offset
 * @size: its size
 *
 * Recycling frees it too, unless asked to free only the batch's own.
 *
 * Context: process context; may sleep.  The caller serialises calls on
 * @rm.
 * Return: 0; -EINVAL for a zero @size; -ENOMEM.
 */
int gomem_recyclable_add(struct gomem_recyclable *rm, u64 offset, u64 size)
{
	int err;

	if (!size)
		return -EINVAL;
	err = rec_reserve(rm);
	if (err)
		return err;
	rec_push(rm, offset, size, false);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_recyclable_add);

/**
 * gomem_recyclable_recycle() - free the batch's regions at once
 * @rm: batch
 * @own_only: free only the regions the batch allocated (next-n) and
 *            forget the added ones, which stay allocated
 *
 * The regions are freed in slices of %GOMEM_ARENA_SLICE under the arena
 * lock (gomem_arena_relax_locked()), and the batch is empty afterwards,
 * ready for reuse.
 *
 * Context: process context; sleeps.  The caller serialises calls on @rm.
 * Return: 0, or the first error a free returned (-EINVAL for an added
 * region that was not allocated); the other regions are freed regardless.
 */
int gomem_recyclable_recycle(struct gomem_recyclable *rm, bool own_only)
{
	struct gomem_arena *a = rm->arena;
	unsigned int i, work = 0;
	int err, ret = 0;

	mutex_lock(&a->lock);
	for (i = 0; i < rm->nr; i++) {
		if (own_only && !rm->own[i])
			continue;
		err = arena_free_locked(a, rm->regions[i].offset,
					rm->regions[i].size, ARENA_PIECE_GONE);
		if (err && !ret)
			ret = err;
		gomem_arena_relax_locked(a, &work);
	}
	mutex_unlock(&a->lock);
	rm->nr = 0;
	return ret;
}
EXPORT_SYMBOL_GPL(gomem_recyclable_recycle);

/**
 * gomem_recyclable_destroy() - release the batch's bookkeeping
 * @rm: batch
 *
 * Does not free the regions: recycle first if they should go.
 *
 * Context: any context where kvfree() may be called.
 */
void gomem_recyclable_destroy(struct gomem_recyclable *rm)
{
	kvfree(rm->regions);
	kvfree(rm->own);
	memset(rm, 0, sizeof(*rm));
}
EXPORT_SYMBOL_GPL(gomem_recyclable_destroy);
