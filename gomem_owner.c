// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem ownership: who holds which region of an arena (holders, regions,
 * references, share tokens, reclamation).  The rules are in
 * docs/ownership.md, the interface in include/gomem_owner.h.
 *
 * Records, all outside the arena's memory (userspace can map the arena,
 * never these):
 *  - struct gomem_owned: one region, in gomem_owners.regions by offset, and
 *    in its owner's list while it has one.  It counts its other holds:
 *    @claims (every reference's claims) and @tokens.  It goes back to the
 *    arena when its owner let go and both counts are 0 (gomem_region_put()).
 *  - struct gomem_reference: one holder's reference to one region, with the
 *    number of claims it has not released; in the holder's list and the
 *    region's.
 *  - struct gomem_share_token: an outstanding token, in gomem_owners.tokens by
 *    value, and in its maker's list.
 *  - struct gomem_clean: a span of free bytes known to need no zeroing for
 *    some holder, in gomem_owners.clean by offset (see "clean bytes").
 *
 * Records are allocated at a user's request: a failure is -ENOMEM, never a
 * warning in the kernel log (__GFP_NOWARN).
 *
 * Locking: the arena's lock (gomem_arena_lock()) protects all of it, so a
 * region and its records change together, but for each holder's park
 * (see "the park"), under a spinlock of the holder's own.  It is dropped only to allocate
 * a region record when no spare is left, to zero a large region (allocated
 * in the arena first, so nobody else gets its bytes, and linked only once
 * zeroed, so no free reaches it meanwhile), and between the slices of a
 * long operation (gomem_arena_relax_locked()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "gomem_arena.h"
#include "gomem_owner.h"
#include "uapi/gomem.h"

/* Most unused region records a set keeps for reuse. */
#define GOMEM_SPARE_MAX		256

/*
 * Regions up to this size are zeroed under the lock, and a batch zeroes at
 * most this many bytes under it; larger ones are zeroed with the lock
 * dropped (gomem_zero_region()), in steps of %GOMEM_ZERO_STEP between
 * which the CPU may be given up.
 */
#define GOMEM_ZERO_LOCKED_MAX	(64 * 1024)
#define GOMEM_ZERO_STEP		(1024 * 1024)

/* Rounds of the token permutation (a Feistel network over SipHash). */
#define GOMEM_TOKEN_ROUNDS	8

/* Where a region is (gomem_owned.park; see "the park"). */
enum { GOMEM_PARK_NONE, GOMEM_PARK_HOT, GOMEM_PARK_PARKED };

/**
 * struct gomem_owned - a region and its holds
 * @node: in gomem_owners.regions
 * @link: in its owner's list, or in gomem_owners.spare while unused
 * @refs: references to it (struct gomem_reference.rlink)
 * @offset: arena offset
 * @size: bytes, a multiple of the granule
 * @id: unique among every record the set ever linked (a split-off part
 *      gets a new one), so that an undo frees only the region it made
 * @owner: the holder that allocated it, NULL once it let go
 * @holders: references to it (holders, each once)
 * @claims: claims of those references not yet released
 * @tokens: outstanding tokens of it
 * @dirty_lo: while pending (gomem_region_new()), instead of @claims and
 *            @tokens, which are zero then: where the bytes to zero begin
 * @dirty_hi: and where they end
 * @tag: whose bytes the region holds when its last hold goes (see "clean
 *       bytes"): its owner's id, or %GOMEM_CLEAN_NONE once a holder that
 *       may write it (not read-only) took a reference, or its owner went
 *       away while others held it
 * @park: %GOMEM_PARK_NONE, or in its owner's hot set or park (see "the
 *        park"; under the owner's park_lock)
 */
struct gomem_owned {
	struct rb_node node;
	struct hlist_node link;
	struct hlist_head refs;
	u64 offset;
	u64 size;
	u64 id;
	struct gomem_holder *owner;
	u64 holders;
	union {
		struct {
			u64 claims;
			u64 tokens;
		};
		struct {
			u64 dirty_lo;
			u64 dirty_hi;
		};
	};
	u64 tag;
	u8 park;
};

/**
 * struct gomem_reference - a holder's reference to a region
 * @hlink: in the holder's list
 * @rlink: in the region's list
 * @region: the region
 * @holder: the holder
 * @count: its claims not yet released (at least 1)
 */
struct gomem_reference {
	struct hlist_node hlink;
	struct hlist_node rlink;
	struct gomem_owned *region;
	struct gomem_holder *holder;
	u64 count;
};

/**
 * struct gomem_share_token - an outstanding share token
 * @node: in gomem_owners.tokens
 * @hlink: in its maker's list
 * @value: what the maker was given
 * @region: the region it holds
 * @maker: the holder that made it
 * @offset: first byte shared
 * @size: bytes shared
 * @claims: claims left (at least 1)
 */
struct gomem_share_token {
	struct rb_node node;
	struct hlist_node hlink;
	u64 value;
	struct gomem_owned *region;
	struct gomem_holder *maker;
	u64 offset;
	u64 size;
	u32 claims;
};

/*
 * Clean bytes.  An allocation that asks for zeroes must not show anybody's
 * old bytes, but bytes that never left a holder need no zeroing when they
 * come back to it: the set remembers, for free bytes, spans tagged with
 * the holder whose bytes they are (a region its owner freed, nobody else
 * holding it then: whatever its references wrote, the owner could see
 * while they wrote it) or with %GOMEM_CLEAN_ZERO.  An allocation zeroes
 * only what no span of its own or zero tag covers, and forgets the spans
 * over what it took.  A region that returns to the arena by its last
 * reference or token stays its owner's if no other holder that may write
 * ever referenced it (read-only holders, gomem_holder.readonly, and
 * tokens write nothing; gomem_owned.tag); else, or when its owner went
 * away while others held it, it leaves no span: those bytes are dirty for
 * all.  Forgetting is always safe, so the spans are bounded
 * (%GOMEM_CLEAN_MAX per set, the oldest forgotten first), a span that
 * cannot be allocated is not made, and frees under a page make none
 * (zeroing so little again costs less than the tree work).  This assumes
 * the set makes every allocation of its arena, which the device's arenas
 * do.
 */
#define GOMEM_CLEAN_ZERO	0
/* A region's tag (gomem_owned.tag) when its bytes are nobody's. */
#define GOMEM_CLEAN_NONE	U64_MAX

/**
 * struct gomem_clean - free bytes that need no zeroing for one holder
 * @node: in gomem_owners.clean
 * @lru: in gomem_owners.clean_lru
 * @offset: first byte
 * @end: one past the last byte
 * @tag: the holder id whose bytes they are, or %GOMEM_CLEAN_ZERO
 */
struct gomem_clean {
	struct rb_node node;
	struct list_head lru;
	u64 offset;
	u64 end;
	u64 tag;
};

static struct kmem_cache *gomem_owned_cache;
static struct kmem_cache *gomem_ref_cache;
static struct kmem_cache *gomem_token_cache;
static struct kmem_cache *gomem_clean_cache;

/**
 * gomem_owner_cache_init() - create the record caches
 *
 * Records are caused by users: the caches are charged to the memory
 * cgroup of the task that allocates from them.
 *
 * Context: process context, may sleep; once, before any set is used.
 * Return: 0, or -ENOMEM.
 */
int gomem_owner_cache_init(void)
{
	gomem_owned_cache = KMEM_CACHE(gomem_owned, SLAB_ACCOUNT);
	gomem_ref_cache = KMEM_CACHE(gomem_reference, SLAB_ACCOUNT);
	gomem_token_cache = KMEM_CACHE(gomem_share_token, SLAB_ACCOUNT);
	gomem_clean_cache = KMEM_CACHE(gomem_clean, SLAB_ACCOUNT);
	if (gomem_owned_cache && gomem_ref_cache && gomem_token_cache &&
	    gomem_clean_cache)
		return 0;
	gomem_owner_cache_exit();
	return -ENOMEM;
}
EXPORT_SYMBOL_GPL(gomem_owner_cache_init);

/**
 * gomem_owner_cache_exit() - destroy the record caches
 *
 * Context: process context, may sleep; every set destroyed.
 */
void gomem_owner_cache_exit(void)
{
	kmem_cache_destroy(gomem_clean_cache);
	kmem_cache_destroy(gomem_token_cache);
	kmem_cache_destroy(gomem_ref_cache);
	kmem_cache_destroy(gomem_owned_cache);
	gomem_clean_cache = NULL;
	gomem_token_cache = NULL;
	gomem_ref_cache = NULL;
	gomem_owned_cache = NULL;
}
EXPORT_SYMBOL_GPL(gomem_owner_cache_exit);

static void gomem_own_lock(struct gomem_owners *o)
{
	gomem_arena_lock(o->arena);
}

static void gomem_own_unlock(struct gomem_owners *o)
{
	gomem_arena_unlock(o->arena);
}

static u64 gomem_granule(const struct gomem_owners *o)
{
	return o->arena->params.granule;
}

/* The region holding @offset, or NULL.  Caller holds the lock. */
static struct gomem_owned *gomem_region_find(struct gomem_owners *o,
					     u64 offset)
{
	struct rb_node *n = o->regions.rb_node;
	struct gomem_owned *r;

	while (n) {
		r = rb_entry(n, struct gomem_owned, node);
		if (offset < r->offset)
			n = n->rb_left;
		else if (offset - r->offset >= r->size)
			n = n->rb_right;
		else
			return r;
	}
	return NULL;
}

static void gomem_region_insert(struct gomem_owners *o, struct gomem_owned *r)
{
	struct rb_node **p = &o->regions.rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (r->offset < rb_entry(parent, struct gomem_owned, node)->offset)
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&r->node, parent, p);
	rb_insert_color(&r->node, &o->regions);
}

/* An unused record, or NULL if none is spare.  Caller holds the lock. */
static struct gomem_owned *gomem_spare_get(struct gomem_owners *o)
{
	struct gomem_owned *r;

	r = hlist_entry_safe(o->spare.first, struct gomem_owned, link);
	if (r) {
		hlist_del(&r->link);
		o->nr_spare--;
	}
	return r;
}

/* Keep @r for reuse, or free it if enough are kept.  Caller holds the lock. */
static void gomem_spare_put(struct gomem_owners *o, struct gomem_owned *r)
{
	if (o->nr_spare >= GOMEM_SPARE_MAX) {
		kmem_cache_free(gomem_owned_cache, r);
		return;
	}
	hlist_add_head(&r->link, &o->spare);
	o->nr_spare++;
}

/*
 * A record, with the lock held: a spare one, or else the lock is dropped
 * to allocate one and taken again, so the caller must not rely on what it
 * saw before.  Return: the record, or NULL (no memory).
 */
static struct gomem_owned *gomem_record_get(struct gomem_owners *o)
{
	struct gomem_owned *r = gomem_spare_get(o);

	if (r)
		return r;
	gomem_own_unlock(o);
	r = kmem_cache_alloc(gomem_owned_cache, GFP_KERNEL | __GFP_NOWARN);
	gomem_own_lock(o);
	return r;
}

/* ---- clean bytes ---- */

static struct gomem_clean *gomem_clean_entry(struct rb_node *n)
{
	return n ? rb_entry(n, struct gomem_clean, node) : NULL;
}

/* The first span that ends after @offset, or NULL.  Locked. */
static struct gomem_clean *gomem_clean_first(struct gomem_owners *o,
					     u64 offset)
{
	struct rb_node *n = o->clean.rb_node;
	struct gomem_clean *c, *found = NULL;

	while (n) {
		c = rb_entry(n, struct gomem_clean, node);
		if (c->end > offset) {
			found = c;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

static void gomem_clean_insert(struct gomem_owners *o, struct gomem_clean *c)
{
	struct rb_node **p = &o->clean.rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (c->offset < gomem_clean_entry(parent)->offset)
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&c->node, parent, p);
	rb_insert_color(&c->node, &o->clean);
	list_add_tail(&c->lru, &o->clean_lru);
	o->nr_clean++;
}

/* Records kept for reuse, so that a steady alloc/free cycle allocates none. */
#define GOMEM_CLEAN_SPARE	8

static void gomem_clean_del(struct gomem_owners *o, struct gomem_clean *c)
{
	rb_erase(&c->node, &o->clean);
	list_del(&c->lru);
	o->nr_clean--;
	if (o->nr_clean_spare < GOMEM_CLEAN_SPARE) {
		list_add(&c->lru, &o->clean_spare);
		o->nr_clean_spare++;
		return;
	}
	kmem_cache_free(gomem_clean_cache, c);
}

/* A new span record, forgetting the oldest span at the bound.  Locked. */
static struct gomem_clean *gomem_clean_new(struct gomem_owners *o, u64 offset,
					   u64 end, u64 tag)
{
	struct gomem_clean *c;

	if (o->nr_clean >= GOMEM_CLEAN_MAX)
		gomem_clean_del(o, list_first_entry(&o->clean_lru,
						    struct gomem_clean, lru));
	c = list_first_entry_or_null(&o->clean_spare, struct gomem_clean, lru);
	if (c) {
		list_del(&c->lru);
		o->nr_clean_spare--;
	} else {
		/* Under the arena lock, an optimisation only: never waits. */
		c = kmem_cache_alloc(gomem_clean_cache,
				     GFP_NOWAIT | __GFP_NOWARN);
	}
	if (c) {
		c->offset = offset;
		c->end = end;
		c->tag = tag;
	}
	return c;
}

/*
 * [@offset, +@size) went back to the arena, holding only bytes @tag may
 * see: remember it, merged with a neighbour of the same tag.  Less than
 * gomem_owners.clean_min is not worth a span: zeroing it again costs less
 * than the tree work.  Locked.
 */
static void gomem_clean_mark(struct gomem_owners *o, u64 offset, u64 size,
			     u64 tag)
{
	struct gomem_clean *next, *prev, *c;
	u64 end = offset + size;

	if (size < o->clean_min)
		return;
	next = gomem_clean_first(o, offset);
	/* Free bytes were in no region: no span can cover them yet. */
	while (next && next->offset < end) {
		c = next;
		next = gomem_clean_entry(rb_next(&c->node));
		WARN_ON_ONCE(1);
		gomem_clean_del(o, c);
	}
	prev = gomem_clean_entry(next ? rb_prev(&next->node) :
				 rb_last(&o->clean));
	if (prev && (prev->end != offset || prev->tag != tag))
		prev = NULL;
	if (next && (next->offset != end || next->tag != tag))
		next = NULL;
	if (prev && next) {
		prev->end = next->end;
		gomem_clean_del(o, next);
	} else if (prev) {
		prev->end = end;
	} else if (next) {
		next->offset = offset;
		prev = next;
	} else {
		c = gomem_clean_new(o, offset, end, tag);
		if (c)
			gomem_clean_insert(o, c);
		return;
	}
	list_move_tail(&prev->lru, &o->clean_lru);
}

/*
 * [@offset, +@size) was just allocated for holder @tag: forget every span
 * over it, and give in [*@lo, *@hi) the smallest range holding every byte
 * of it that @tag may not see (*@lo == *@hi: none).  Locked.
 */
static void gomem_clean_take(struct gomem_owners *o, u64 offset, u64 size,
			     u64 tag, u64 *lo, u64 *hi)
{
	u64 end = offset + size, pos = offset, dlo = end, dhi = offset, s, e;
	struct gomem_clean *c, *next, *tail;

	if (!o->nr_clean) {
		*lo = offset;
		*hi = end;
		return;
	}
	for (c = gomem_clean_first(o, offset); c && c->offset < end; c = next) {
		next = gomem_clean_entry(rb_next(&c->node));
		s = max(c->offset, offset);
		e = min(c->end, end);
		if (s > pos) {
			dlo = min(dlo, pos);
			dhi = s;
		}
		if (c->tag != GOMEM_CLEAN_ZERO && c->tag != tag) {
			dlo = min(dlo, s);
			dhi = e;
		}
		pos = e;
		if (c->offset < offset && c->end > end) {
			/*
			 * Keep both sides; without a record, the head only.
			 * Making one may forget @c itself: done with it first.
			 */
			e = c->end;
			c->end = offset;
			tail = gomem_clean_new(o, end, e, c->tag);
			if (tail)
				gomem_clean_insert(o, tail);
			break;
		} else if (c->offset < offset) {
			c->end = offset;
		} else if (c->end > end) {
			c->offset = end;
		} else {
			gomem_clean_del(o, c);
		}
	}
	if (pos < end) {
		dlo = min(dlo, pos);
		dhi = end;
	}
	if (dlo >= dhi) {
		dlo = offset;
		dhi = offset;
	}
	*lo = dlo;
	*hi = dhi;
}

/* Forget every span and free every record.  The set unused. */
static void gomem_clean_forget_all(struct gomem_owners *o)
{
	struct gomem_clean *c, *tmp;

	list_for_each_entry_safe(c, tmp, &o->clean_lru, lru)
		gomem_clean_del(o, c);
	list_for_each_entry_safe(c, tmp, &o->clean_spare, lru)
		kmem_cache_free(gomem_clean_cache, c);
	INIT_LIST_HEAD(&o->clean_spare);
	o->nr_clean_spare = 0;
}

/* Fill in @r for [@offset, @offset + @size) of @h, with a new id. */
static void gomem_region_init(struct gomem_holder *h, struct gomem_owned *r,
			      u64 offset, u64 size)
{
	r->offset = offset;
	r->size = size;
	r->owner = h;
	r->tag = h->id;
	r->id = ++h->owners->next_id;
	INIT_HLIST_HEAD(&r->refs);
	r->holders = 0;
	r->claims = 0;
	r->tokens = 0;
	r->park = GOMEM_PARK_NONE;
}

/* Make @r, filled in, one of its owner's regions.  Caller holds the lock. */
static void gomem_region_attach(struct gomem_owned *r)
{
	struct gomem_holder *h = r->owner;

	gomem_region_insert(h->owners, r);
	hlist_add_head(&r->link, &h->regions);
	h->nr_regions++;
}

/* Does anybody but its owner hold @r? */
static bool gomem_region_shared(const struct gomem_owned *r)
{
	return r->claims || r->tokens;
}

/* May @h have one record more?  Caller holds the lock. */
static bool gomem_holder_room(const struct gomem_holder *h)
{
	return h->nr_regions + h->nr_pending + h->nr_refs + h->nr_tokens <
	       h->owners->max_records;
}

/*
 * May @h hold @bytes more (gomem_owners.max_bytes)?  Caller holds the
 * lock.
 */
static bool gomem_holder_bytes_room(const struct gomem_holder *h, u64 bytes)
{
	u64 max = h->owners->max_bytes;
	u64 held = h->in_use + h->pending_bytes + h->ref_bytes;

	return !max || (held <= max && bytes <= max - held);
}

/* ---- the park ---- */

/*
 * The park.  The common case of a session is freeing a small region and
 * soon allocating one of the same size again.  A holder keeps up to
 * gomem_owners.park_max of the regions it frees, each whole, at most
 * %GOMEM_PARK_SIZE, held by nobody else and of its own bytes (tag), in
 * its park: still allocated in the arena, still in the tree, counted in
 * its nr_regions and in_use (so its limits see them and, at a limit, its
 * park is given back first), but free to everybody else: a lookup that
 * finds one finds no region, and statistics leave them out of in_use.
 * Its next allocation of that size, at an alignment the offset has,
 * takes one back without the arena lock, with a new id (from a block of
 * ids the holder takes under the arena lock), unzeroed: its bytes never
 * left the holder, the rule of "clean bytes".  A region it got so, or by
 * an allocation of a size it may park, goes in its hot set, where its
 * free of the whole region finds it by offset without the arena lock,
 * and parks it.
 *
 * Locking: the park, the hot set and the @park state of the records in
 * them are under the holder's park_lock.  A record enters either only
 * with the arena lock held too; it moves between them, or leaves the hot
 * set, under park_lock alone.  So under the arena lock a record whose
 * state reads %GOMEM_PARK_NONE stays out of both, and one whose state
 * does not is looked at again under park_lock (gomem_region_live()).
 * Every path that changes a record under the arena lock takes it out of
 * the hot set first; a parked record leaves the park only to be taken
 * back or freed.  Lock order: arena lock, then park_lock.
 *
 * Parks give their regions back to the arena: the oldest when a park is
 * full, every holder's when an allocation finds no room and when trim
 * runs (the arena's reclaim hook, gomem_owners_reclaim()), a holder's own
 * at its limits, on recycle and when it goes away.
 */
/* Region ids a holder takes at once for its park's allocations. */
#define GOMEM_ID_BLOCK		256

static u64 gomem_region_drop(struct gomem_holder *h, struct gomem_owned *r,
			     bool mark);

/* Put @r in @h's hot set, replacing an entry if it is full.  park_lock. */
static void gomem_hot_add(struct gomem_holder *h, struct gomem_owned *r)
{
	struct gomem_hot *e;

	if (h->nr_hot < GOMEM_HOT_MAX) {
		e = &h->hot[h->nr_hot++];
	} else {
		e = &h->hot[h->hot_next++ % GOMEM_HOT_MAX];
		WRITE_ONCE(e->r->park, GOMEM_PARK_NONE);
	}
	e->offset = r->offset;
	e->r = r;
	WRITE_ONCE(r->park, GOMEM_PARK_HOT);
}

/* Take entry @i out of @h's hot set.  park_lock held. */
static struct gomem_owned *gomem_hot_del(struct gomem_holder *h,
					 unsigned int i)
{
	struct gomem_owned *r = h->hot[i].r;

	WRITE_ONCE(r->park, GOMEM_PARK_NONE);
	h->hot[i] = h->hot[--h->nr_hot];
	return r;
}

/* Park @r, in no set, at the end of @h's park, not full.  park_lock. */
static void gomem_park_add(struct gomem_holder *h, struct gomem_owned *r)
{
	h->park[h->nr_parked] = (struct gomem_parked) {
		.offset = r->offset, .size = r->size, .r = r,
	};
	WRITE_ONCE(h->nr_parked, h->nr_parked + 1);
	h->parked_bytes += r->size;
	WRITE_ONCE(r->park, GOMEM_PARK_PARKED);
}

/* Take entry @i out of @h's park, keeping the order.  park_lock held. */
static struct gomem_owned *gomem_park_del(struct gomem_holder *h,
					  unsigned int i)
{
	struct gomem_owned *r = h->park[i].r;
	unsigned int n = h->nr_parked - 1;

	if (i < n)
		memmove(&h->park[i], &h->park[i + 1],
			(n - i) * sizeof(h->park[0]));
	WRITE_ONCE(h->nr_parked, n);
	h->parked_bytes -= r->size;
	WRITE_ONCE(r->park, GOMEM_PARK_NONE);
	return r;
}

/* Where @r is in @h's @park or @hot set (by its state).  park_lock held. */
static unsigned int gomem_park_index(struct gomem_holder *h,
				     struct gomem_owned *r)
{
	unsigned int i;

	if (r->park == GOMEM_PARK_PARKED) {
		for (i = 0; i < h->nr_parked && h->park[i].r != r; i++)
			;
		WARN_ON_ONCE(i == h->nr_parked);
	} else {
		for (i = 0; i < h->nr_hot && h->hot[i].r != r; i++)
			;
		WARN_ON_ONCE(i == h->nr_hot);
	}
	return i;
}

/*
 * Take @h's region @r out of its hot set and, if @parked_too, its park.
 * Caller holds the arena lock.  Return: true if @r was parked.
 */
static bool gomem_region_unset(struct gomem_holder *h, struct gomem_owned *r,
			       bool parked_too)
{
	bool parked;

	if (likely(READ_ONCE(r->park) == GOMEM_PARK_NONE))
		return false;
	spin_lock(&h->park_lock);
	parked = r->park == GOMEM_PARK_PARKED;
	if (parked && parked_too)
		gomem_park_del(h, gomem_park_index(h, r));
	else if (r->park == GOMEM_PARK_HOT)
		gomem_hot_del(h, gomem_park_index(h, r));
	spin_unlock(&h->park_lock);
	return parked;
}

/*
 * @r, found in the tree: NULL if it is parked (free to everybody), else
 * @r, out of its owner's hot set so that the caller may change it.
 * Caller holds the arena lock.
 */
static struct gomem_owned *gomem_region_live(struct gomem_owned *r)
{
	return r && gomem_region_unset(r->owner, r, false) ? NULL : r;
}

/* The live region holding @offset, or NULL.  Caller holds the lock. */
static struct gomem_owned *gomem_region_find_live(struct gomem_owners *o,
						  u64 offset)
{
	return gomem_region_live(gomem_region_find(o, offset));
}

/*
 * Free every region @h parked (@mark as gomem_region_drop()).  Caller
 * holds the arena lock.  Return: regions freed.
 */
static unsigned int gomem_park_flush(struct gomem_holder *h, bool mark)
{
	struct gomem_owned *r[GOMEM_PARK_MAX];
	unsigned int i, n;

	/*
	 * A peek: a region parked without the arena lock just after a stale
	 * 0 was read is left for the next flush.
	 */
	if (!data_race(h->nr_parked))
		return 0;
	spin_lock(&h->park_lock);
	n = h->nr_parked;
	for (i = 0; i < n; i++) {
		r[i] = h->park[i].r;
		WRITE_ONCE(r[i]->park, GOMEM_PARK_NONE);
	}
	WRITE_ONCE(h->nr_parked, 0);
	h->parked_bytes = 0;
	spin_unlock(&h->park_lock);
	/* Out of the park, nothing but the arena lock's holders reach them. */
	for (i = 0; i < n; i++)
		gomem_region_drop(h, r[i], mark);
	return n;
}

/* Every holder's park, freed.  Arena lock held.  Return: regions freed. */
static u64 gomem_owners_flush_locked(struct gomem_owners *o)
{
	struct gomem_holder *h;
	u64 n = 0;

	list_for_each_entry(h, &o->all, node)
		n += gomem_park_flush(h, true);
	return n;
}

/* The arena's reclaim hook (gomem_arena_set_reclaim()). */
static int gomem_owners_reclaim(void *data)
{
	return gomem_owners_flush_locked(data) != 0;
}

/**
 * gomem_owners_flush() - give back the regions every holder parked
 * @o: the set
 *
 * Trim and allocations that find no room do it by themselves; this is
 * for tests and callers that want the arena as the holders left it.
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: the number of regions given back.
 */
u64 gomem_owners_flush(struct gomem_owners *o)
{
	u64 n;

	gomem_own_lock(o);
	n = gomem_owners_flush_locked(o);
	gomem_own_unlock(o);
	return n;
}
EXPORT_SYMBOL_GPL(gomem_owners_flush);

/* Most regions a holder of @o parks. */
static unsigned int gomem_park_max(const struct gomem_owners *o)
{
	return min_t(unsigned int, o->park_max, GOMEM_PARK_MAX);
}

/* May @h park a region of @size bytes at all? */
static bool gomem_park_takes(const struct gomem_holder *h, u64 size)
{
	return gomem_park_max(h->owners) && size <= GOMEM_PARK_SIZE;
}

/*
 * Instead of freeing @h's whole region @r (live, in no set), park it if
 * it may be parked, giving back the oldest parked region if the park is
 * full.  Caller holds the arena lock.  Return: true if parked.
 */
static bool gomem_park_keep(struct gomem_holder *h, struct gomem_owned *r)
{
	struct gomem_owned *old = NULL;

	if (!gomem_park_takes(h, r->size) || r->tag != h->id ||
	    gomem_region_shared(r))
		return false;
	spin_lock(&h->park_lock);
	if (h->nr_parked >= gomem_park_max(h->owners))
		old = gomem_park_del(h, 0);
	gomem_park_add(h, r);
	spin_unlock(&h->park_lock);
	if (old)
		gomem_region_drop(h, old, true);
	return true;
}

/*
 * @h's new region @r, in no set, goes in its hot set if it could be
 * parked, so that its free needs no arena lock.  Arena lock held.
 */
static void gomem_park_hot(struct gomem_holder *h, struct gomem_owned *r)
{
	if (!gomem_park_takes(h, r->size))
		return;
	spin_lock(&h->park_lock);
	gomem_hot_add(h, r);
	spin_unlock(&h->park_lock);
}

/* A new block of ids for @h's park, if it used up its own.  Locked. */
static void gomem_park_ids(struct gomem_holder *h)
{
	struct gomem_owners *o = h->owners;

	spin_lock(&h->park_lock);
	if (h->id_next == h->id_end) {
		h->id_next = o->next_id + 1;
		o->next_id += GOMEM_ID_BLOCK;
		h->id_end = o->next_id + 1;
	}
	spin_unlock(&h->park_lock);
}

/*
 * gomem_own_alloc() from @h's park: a parked region of the size @size
 * rounds to, at an offset aligned to @align.  Takes only park_lock.
 * Return: true and *@offset, *@id if the park had one and an id was left.
 */
static bool gomem_park_get(struct gomem_holder *h, u64 size, u64 align,
			   bool zero, u64 *offset, u64 *id)
{
	struct gomem_owners *o = h->owners;
	struct gomem_owned *r;
	u64 rsize;
	int i;

	/* Requests the arena would refuse are left to it (-EINVAL). */
	if (!data_race(h->nr_parked) || !size || size > GOMEM_PARK_SIZE ||
	    size > o->arena->params.max_size || align > PAGE_SIZE ||
	    (align & (align - 1)))
		return false;
	align = max_t(u64, align, 1);
	rsize = ALIGN(size, gomem_granule(o));
	spin_lock(&h->park_lock);
	/* The most recently parked first: its bytes are likely in cache. */
	for (i = h->nr_parked - 1; i >= 0; i--)
		if (h->park[i].size == rsize &&
		    IS_ALIGNED(h->park[i].offset, align))
			break;
	if (i < 0 || h->id_next == h->id_end) {
		spin_unlock(&h->park_lock);
		return false;
	}
	r = gomem_park_del(h, i);
	r->id = h->id_next++;
	gomem_hot_add(h, r);
	h->park_hits++;
	if (zero)
		h->park_skipped += rsize;
	*offset = r->offset;
	*id = r->id;
	spin_unlock(&h->park_lock);
	return true;
}

/*
 * gomem_own_free() of a whole region of @h's hot set: parked, if the park
 * has room.  Takes only park_lock.  Return: true if done.
 */
static bool gomem_park_put(struct gomem_holder *h, u64 offset, u64 size)
{
	struct gomem_owned *r;
	unsigned int i;
	bool done = false;

	/* A peek: a stale value only sends the free to the locked path. */
	if (!data_race(h->nr_hot))
		return false;
	spin_lock(&h->park_lock);
	for (i = 0; i < h->nr_hot && h->hot[i].offset != offset; i++)
		;
	if (i < h->nr_hot && h->nr_parked < gomem_park_max(h->owners)) {
		r = h->hot[i].r;
		if (size && size <= r->size &&
		    ALIGN(size, gomem_granule(h->owners)) == r->size) {
			gomem_hot_del(h, i);
			gomem_park_add(h, r);
			done = true;
		}
	}
	spin_unlock(&h->park_lock);
	return done;
}

/*
 * gomem_holder_room(), after giving back @h's park if that makes room.
 * Caller holds the arena lock.
 */
static bool gomem_holder_room_flush(struct gomem_holder *h)
{
	return gomem_holder_room(h) ||
	       (gomem_park_flush(h, true) && gomem_holder_room(h));
}

/* gomem_holder_bytes_room(), likewise.  Arena lock held. */
static bool gomem_holder_bytes_room_flush(struct gomem_holder *h, u64 bytes)
{
	return gomem_holder_bytes_room(h, bytes) ||
	       (gomem_park_flush(h, true) && gomem_holder_bytes_room(h, bytes));
}

/*
 * @r's owner let go of it while others hold it: it stays, ownerless, until
 * the last of them goes (gomem_region_put()).  Caller holds the lock.
 */
static void gomem_region_orphan(struct gomem_owned *r)
{
	struct gomem_holder *h = r->owner;
	struct gomem_owners *o = h->owners;

	hlist_del(&r->link);
	h->nr_regions--;
	h->in_use -= r->size;
	r->owner = NULL;
	o->nr_orphans++;
	o->orphan_bytes += r->size;
}

/*
 * A hold of @r went: if it was the last, @r goes back to the arena.
 * Caller holds the lock.  Return: true if @r was freed.
 */
static bool gomem_region_put(struct gomem_owners *o, struct gomem_owned *r)
{
	if (r->owner || gomem_region_shared(r))
		return false;
	/* A whole region: its node was reserved, this cannot fail. */
	WARN_ON_ONCE(gomem_arena_free_locked(o->arena, r->offset, r->size));
	if (r->tag != GOMEM_CLEAN_NONE)
		gomem_clean_mark(o, r->offset, r->size, r->tag);
	rb_erase(&r->node, &o->regions);
	o->nr_orphans--;
	o->orphan_bytes -= r->size;
	gomem_spare_put(o, r);
	return true;
}

/*
 * Allocate a region for @h and fill in @r, which is used only on success.
 * @zero: the caller wants zeroes.  The bytes of it @h may not see (see
 * "clean bytes") are zeroed now, under the lock, if they fit in what is
 * left of *@budget (which they use up), and the region is recorded as
 * @h's; else it is pending, and [*@lo, *@hi) is what the caller must zero
 * with the lock dropped before gomem_region_commit().  A region linked
 * at once gets *@lo == *@hi.  Caller holds the lock.
 * Return: 0; -EDQUOT @h is at its record or byte limit; as
 * gomem_arena_alloc().
 */
static int gomem_region_new(struct gomem_holder *h, struct gomem_owned *r,
			    u64 size, u64 align, bool zero, u64 *budget,
			    u64 *offset, u64 *lo, u64 *hi)
{
	struct gomem_owners *o = h->owners;
	u64 rsize = ALIGN(size, gomem_granule(o)), dirty;
	u8 *p;
	int err;

	if (!gomem_holder_room_flush(h))
		return -EDQUOT;
	/* A size no arena could give stays the arena's -EINVAL. */
	if (size && rsize <= o->arena->params.max_size &&
	    !gomem_holder_bytes_room_flush(h, rsize))
		return -EDQUOT;
	/*
	 * Hold the slot and the bytes while the arena allocates: a growth
	 * drops the lock, and another thread of @h must not take them too.
	 */
	h->nr_pending++;
	h->pending_bytes += rsize;
	err = gomem_arena_alloc_locked(o->arena, size, align ? align : 1, 0,
				       offset);
	h->nr_pending--;
	h->pending_bytes -= rsize;
	if (err)
		return err;
	gomem_clean_take(o, *offset, rsize, h->id, lo, hi);
	gomem_region_init(h, r, *offset, rsize);
	if (!zero) {
		*lo = *hi;
	} else {
		dirty = *hi - *lo;
		o->zeroed += dirty;
		o->zero_skipped += rsize - dirty;
		if (dirty <= *budget) {
			*budget -= dirty;
			p = gomem_arena_ptr_locked(o->arena, *lo, dirty);
			if (dirty && !WARN_ON_ONCE(!p))
				memset(p, 0, dirty);
			*lo = *hi;
		}
	}
	if (*lo == *hi) {
		gomem_region_attach(r);
		h->in_use += r->size;
	} else {
		r->dirty_lo = *lo;
		r->dirty_hi = *hi;
		h->nr_pending++;
		h->pending_bytes += r->size;
	}
	return 0;
}

/* A pending region (see gomem_region_new()) becomes its owner's.  Locked. */
static void gomem_region_commit(struct gomem_owned *r)
{
	r->claims = 0;
	r->tokens = 0;
	r->owner->nr_pending--;
	r->owner->pending_bytes -= r->size;
	r->owner->in_use += r->size;
	gomem_region_attach(r);
}

/*
 * Zero a pending region, without the lock: it is allocated in the arena,
 * so no allocation gets its bytes and trim keeps its chunk, and it has no
 * record in the tree yet, so no free, share or recycle can reach it.
 */
static void gomem_zero_region(struct gomem_owners *o, u64 offset, u64 size)
{
	u8 *p = gomem_arena_ptr(o->arena, offset, size);
	u64 done, n;

	if (WARN_ON_ONCE(!p))
		return;
	for (done = 0; done < size; done += n) {
		n = min_t(u64, size - done, GOMEM_ZERO_STEP);
		memset(p + done, 0, n);
		cond_resched();
	}
}

/**
 * gomem_own_alloc() - allocate a region owned by a holder
 * @h: the holder
 * @size: bytes (rounded up to the arena's granule)
 * @align: alignment, 0 for the granule
 * @flags: GOMEM_ALLOC_NOZERO or 0
 * @offset: receives the region's arena offset
 * @id: receives the region's id, for gomem_own_undo()
 *
 * A region of the size @h parked (see "the park") comes back from its
 * park, with the bytes @h left there.
 *
 * Context: process context, may sleep; takes the arena lock, or only
 * @h's park lock when its park serves the request.
 * Return: 0; -EINVAL an unknown flag, bad size or alignment; -EDQUOT @h
 * is at its record limit or the region would take it past its byte
 * limit; -ENOMEM no room or no memory.
 */
int gomem_own_alloc(struct gomem_holder *h, u64 size, u64 align, u32 flags,
		    u64 *offset, u64 *id)
{
	struct gomem_owners *o = h->owners;
	bool zero = !(flags & GOMEM_ALLOC_NOZERO);
	u64 budget = GOMEM_ZERO_LOCKED_MAX, lo = 0, hi = 0;
	struct gomem_owned *r;
	int err;

	if (flags & ~GOMEM_ALLOC_NOZERO)
		return -EINVAL;
	if (gomem_park_get(h, size, align, zero, offset, id))
		return 0;
	gomem_own_lock(o);
	/* Its park may have missed for want of ids only. */
	if (data_race(h->nr_parked)) {
		gomem_park_ids(h);
		if (gomem_park_get(h, size, align, zero, offset, id)) {
			gomem_own_unlock(o);
			return 0;
		}
	}
	r = gomem_record_get(o);
	if (!r) {
		err = -ENOMEM;
	} else {
		err = gomem_region_new(h, r, size, align, zero, &budget, offset,
				       &lo, &hi);
		if (err)
			gomem_spare_put(o, r);
	}
	if (!err && lo != hi) {
		gomem_own_unlock(o);
		gomem_zero_region(o, lo, hi - lo);
		gomem_own_lock(o);
		gomem_region_commit(r);
	}
	if (!err) {
		*id = r->id;
		gomem_park_hot(h, r);
	}
	gomem_own_unlock(o);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_own_alloc);

/*
 * Drop [offset, offset + size) from region @r, which nobody else holds,
 * splitting it with *@extra (then set to NULL) if the range is in its
 * middle.  Caller holds the lock.
 */
static void gomem_region_cut(struct gomem_holder *h, struct gomem_owned *r,
			     u64 offset, u64 size, struct gomem_owned **extra)
{
	struct gomem_owners *o = h->owners;
	u64 end = offset + size, rend = r->offset + r->size;

	h->in_use -= size;
	if (offset == r->offset && end == rend) {
		rb_erase(&r->node, &o->regions);
		hlist_del(&r->link);
		h->nr_regions--;
		gomem_spare_put(o, r);
	} else if (offset == r->offset) {
		/* Shrinks from the front: keeps its place in the tree. */
		r->offset = end;
		r->size = rend - end;
	} else {
		r->size = offset - r->offset;
		if (end < rend) {
			gomem_region_init(h, *extra, end, rend - end);
			/* Its bytes are whoever's @r's were. */
			(*extra)->tag = r->tag;
			gomem_region_attach(*extra);
			*extra = NULL;
		}
	}
}

/*
 * Free [@offset, @offset + @size) of one of @h's regions, or park it
 * (@park, and the region may be parked: see "the park").  Caller holds
 * the lock; a free from the middle of a region needs a second record, for
 * which the lock may be dropped (gomem_record_get()).
 */
static int gomem_region_free(struct gomem_holder *h, u64 offset, u64 size,
			     bool park)
{
	struct gomem_owners *o = h->owners;
	struct gomem_owned *r, *extra = NULL;
	u64 g = gomem_granule(o);
	bool middle;
	int err;

	if (!size || !IS_ALIGNED(offset, g))
		return -EINVAL;
retry:
	r = gomem_region_find_live(o, offset);
	if (!r) {
		err = -EINVAL;
	} else if (r->owner != h) {
		err = -EPERM;
	} else if (size > r->size ||
		   ALIGN(size, g) > r->offset + r->size - offset) {
		err = -EINVAL;
	} else if (gomem_region_shared(r)) {
		/* Whole: the owner lets go, the others keep it.  Part: no. */
		err = -EBUSY;
		if (offset == r->offset && ALIGN(size, g) == r->size) {
			gomem_region_orphan(r);
			err = 0;
		}
	} else {
		size = ALIGN(size, g);
		if (park && offset == r->offset && size == r->size &&
		    gomem_park_keep(h, r)) {
			err = 0;
			goto out;
		}
		middle = offset > r->offset &&
			 offset + size < r->offset + r->size;
		if (middle && !gomem_holder_room_flush(h)) {
			/* A split would make one region more. */
			err = -EDQUOT;
			goto out;
		}
		if (middle && !extra) {
			extra = gomem_record_get(o);
			if (!extra)
				return -ENOMEM;
			/* The lock may have been dropped: look again. */
			goto retry;
		}
		err = gomem_arena_free_part_locked(o->arena, r->offset, r->size,
						   offset, size);
		if (!err) {
			gomem_region_cut(h, r, offset, size, &extra);
			gomem_clean_mark(o, offset, size, h->id);
		}
	}
out:
	if (extra)
		gomem_spare_put(o, extra);
	return err;
}

/**
 * gomem_own_free() - end a holder's ownership of a region or part of one
 * @h: the holder
 * @offset: first byte, granule-aligned
 * @size: bytes, rounded up to the granule
 *
 * A region nobody else holds may be freed in part (head, tail or middle).
 * A region others hold can only be freed whole: @h's ownership ends and
 * the region stays allocated until its last holder lets go.  A small
 * region freed whole may stay in @h's park (see "the park"), free to
 * everybody else.
 *
 * Context: process context, may sleep; takes the arena lock, or only
 * @h's park lock when the region goes to its park that way.
 * Return: 0; -EINVAL not inside one region; -EPERM a region @h does not
 * own; -EBUSY a part of a region others hold; -EDQUOT a split at @h's
 * record limit; -ENOMEM.  On error nothing changed.
 */
int gomem_own_free(struct gomem_holder *h, u64 offset, u64 size)
{
	int err;

	if (gomem_park_put(h, offset, size))
		return 0;
	gomem_own_lock(h->owners);
	err = gomem_region_free(h, offset, size, true);
	gomem_own_unlock(h->owners);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_own_free);

/*
 * Take back the region of @h that record @id made at [@offset, @offset +
 * @size), if it is still exactly that and nobody else holds it: another
 * thread of the holder may have freed it, part of it, shared it, or freed
 * it and got the offset again meanwhile; then nothing is done.  Caller
 * holds the lock.
 */
static void gomem_region_undo(struct gomem_holder *h, u64 offset, u64 size,
			      u64 id)
{
	struct gomem_owners *o = h->owners;
	struct gomem_owned *r = gomem_region_find_live(o, offset);

	if (!r || r->id != id || r->owner != h || r->offset != offset ||
	    r->size != ALIGN(size, gomem_granule(o)) ||
	    gomem_region_shared(r))
		return;
	if (!gomem_arena_free_locked(o->arena, r->offset, r->size)) {
		gomem_clean_mark(o, offset, r->size, h->id);
		gomem_region_cut(h, r, r->offset, r->size, NULL);
	}
}

/**
 * gomem_own_undo() - take back an allocation its caller could not report
 * @h: the holder
 * @offset: as gomem_own_alloc() returned
 * @size: as asked of gomem_own_alloc()
 * @id: as gomem_own_alloc() returned
 *
 * Frees the region only if it is still exactly as allocated, owned by @h
 * and held by nobody else.
 *
 * Context: process context, may sleep; takes the arena lock.
 */
void gomem_own_undo(struct gomem_holder *h, u64 offset, u64 size, u64 id)
{
	gomem_own_lock(h->owners);
	gomem_region_undo(h, offset, size, id);
	gomem_own_unlock(h->owners);
}
EXPORT_SYMBOL_GPL(gomem_own_undo);

/*
 * End @h's ownership of its region @r: freed, or left to its other
 * holders.  @mark: remember the freed bytes as @h's (not when @h goes
 * away).  Caller holds the lock.  Return: the region's bytes.
 */
static u64 gomem_region_drop(struct gomem_holder *h, struct gomem_owned *r,
			     bool mark)
{
	struct gomem_owners *o = h->owners;
	u64 size = r->size;

	gomem_region_unset(h, r, true);
	if (gomem_region_shared(r)) {
		if (!mark)
			r->tag = GOMEM_CLEAN_NONE;
		gomem_region_orphan(r);
		return size;
	}
	/* A whole region: its node was reserved, this cannot fail. */
	WARN_ON_ONCE(gomem_arena_free_locked(o->arena, r->offset, r->size));
	if (mark)
		gomem_clean_mark(o, r->offset, size, h->id);
	gomem_region_cut(h, r, r->offset, size, NULL);
	return size;
}

/*
 * End @h's ownership of at most @budget of its regions (@mark as
 * gomem_region_drop()).  Caller holds the lock, which is let go every
 * GOMEM_ARENA_SLICE regions; between two slices @h is consistent, and
 * each region is taken afresh from the head of its list.  Return: regions
 * dropped; *@bytes their bytes; *@freed is increased by those that went
 * back to the arena.
 */
static u64 gomem_holder_drop_regions(struct gomem_holder *h, u64 budget,
				     bool mark, u64 *bytes, u64 *freed)
{
	struct gomem_owners *o = h->owners;
	unsigned int work = 0;
	struct gomem_owned *r;
	u64 n = 0;

	*bytes = 0;
	while (n < budget &&
	       (r = hlist_entry_safe(h->regions.first, struct gomem_owned,
				     link))) {
		*freed += !gomem_region_shared(r);
		*bytes += gomem_region_drop(h, r, mark);
		n++;
		gomem_arena_relax_locked(o->arena, &work);
	}
	return n;
}

/**
 * gomem_own_recycle() - free every region a holder owns
 * @h: the holder
 * @bytes: receives their bytes
 *
 * Each region is freed whole; one that others hold stays allocated for
 * them.  References and tokens of @h are kept.  The lock is let go every
 * %GOMEM_ARENA_SLICE regions; regions @h's other threads allocate
 * meanwhile may survive, but the call ends after as many regions as @h
 * owned when it began.
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: the number of regions.
 */
u64 gomem_own_recycle(struct gomem_holder *h, u64 *bytes)
{
	u64 n, freed = 0;

	gomem_own_lock(h->owners);
	gomem_park_flush(h, true);
	n = gomem_holder_drop_regions(h, h->nr_regions, true, bytes, &freed);
	gomem_own_unlock(h->owners);
	return n;
}
EXPORT_SYMBOL_GPL(gomem_own_recycle);

/* Between the entries of a long batch, let others have the lock and CPU. */
static void gomem_batch_resched(struct gomem_owners *o)
{
	if (need_resched()) {
		gomem_own_unlock(o);
		cond_resched();
		gomem_own_lock(o);
	}
}

/**
 * gomem_own_alloc_batch() - allocate many regions under one lock hold
 * @h: the holder
 * @e: entries: @size in; @offset and @result out (@pad must be zero in,
 *     and is used as scratch)
 * @n: number of entries
 * @align: alignment for every entry, 0 for the granule
 * @flags: GOMEM_ALLOC_NOZERO or 0 (checked by the caller)
 * @recs: room for @n record pointers (scratch)
 * @ids: receives each successful entry's region id, in entry order, for
 *       gomem_own_undo_batch()
 *
 * Records are gathered before the first allocation (spares, then the slab
 * allocator's bulk path, lock dropped); an entry without one gets -ENOMEM.
 * Zeroing beyond %GOMEM_ZERO_LOCKED_MAX bytes is done after the loop with
 * the lock dropped, the regions linked only then.
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: entries that succeeded.
 */
u32 gomem_own_alloc_batch(struct gomem_holder *h, struct gomem_batch_entry *e,
			  unsigned int n, u64 align, u32 flags,
			  struct gomem_owned **recs, u64 *ids)
{
	struct gomem_owners *o = h->owners;
	bool zero = !(flags & GOMEM_ALLOC_NOZERO), later = false;
	unsigned int i, used = 0, nr = 0;
	u64 budget = GOMEM_ZERO_LOCKED_MAX, lo, hi;

	gomem_own_lock(o);
	for (; nr < n; nr++) {
		recs[nr] = gomem_spare_get(o);
		if (!recs[nr])
			break;
	}
	if (nr < n) {
		gomem_own_unlock(o);
		nr += kmem_cache_alloc_bulk(gomem_owned_cache,
					    GFP_KERNEL | __GFP_NOWARN, n - nr,
					    (void **)recs + nr);
		gomem_own_lock(o);
	}
	for (i = 0; i < n; i++) {
		/*
		 * e[i].pad (zero, never written back) marks "zero later":
		 * the record's [dirty_lo, dirty_hi) then.
		 */
		e[i].result = -ENOMEM;
		if (used < nr)
			e[i].result = gomem_region_new(h, recs[used], e[i].size,
						       align, zero, &budget,
						       &e[i].offset, &lo, &hi);
		if (!e[i].result) {
			e[i].pad = lo != hi;
			later |= e[i].pad;
			/*
			 * Now, under the lock: once it is dropped (growth,
			 * resched), another thread of the holder may free a
			 * linked region and its record go back to the slab.
			 */
			ids[used] = recs[used]->id;
			used++;
		}
		gomem_batch_resched(o);
	}
	for (i = used; i < nr; i++)
		gomem_spare_put(o, recs[i]);
	if (later) {
		gomem_own_unlock(o);
		for (i = 0, nr = 0; i < n; i++) {
			if (e[i].result)
				continue;
			if (e[i].pad)
				gomem_zero_region(o, recs[nr]->dirty_lo,
						  recs[nr]->dirty_hi -
						  recs[nr]->dirty_lo);
			nr++;
		}
		gomem_own_lock(o);
		for (i = 0, nr = 0; i < n; i++) {
			if (e[i].result)
				continue;
			if (e[i].pad) {
				gomem_region_commit(recs[nr]);
				e[i].pad = 0;
			}
			nr++;
		}
	}
	gomem_own_unlock(o);
	return used;
}
EXPORT_SYMBOL_GPL(gomem_own_alloc_batch);

/**
 * gomem_own_undo_batch() - take back a batch's allocations
 * @h: the holder
 * @e: the entries gomem_own_alloc_batch() filled in
 * @n: their number
 * @ids: the ids it gave
 *
 * Each region is taken back as by gomem_own_undo().
 *
 * Context: process context, may sleep; takes the arena lock.
 */
void gomem_own_undo_batch(struct gomem_holder *h,
			  const struct gomem_batch_entry *e, unsigned int n,
			  const u64 *ids)
{
	struct gomem_owners *o = h->owners;
	unsigned int i, k = 0;

	gomem_own_lock(o);
	for (i = 0; i < n; i++) {
		if (e[i].result)
			continue;
		gomem_region_undo(h, e[i].offset, e[i].size, ids[k++]);
		gomem_batch_resched(o);
	}
	gomem_own_unlock(o);
}
EXPORT_SYMBOL_GPL(gomem_own_undo_batch);

/**
 * gomem_own_free_batch() - free many ranges under one lock hold
 * @h: the holder
 * @e: entries: @offset and @size in, @result out (as gomem_own_free())
 * @n: number of entries
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: entries that succeeded.
 */
u32 gomem_own_free_batch(struct gomem_holder *h, struct gomem_batch_entry *e,
			 unsigned int n)
{
	struct gomem_owners *o = h->owners;
	unsigned int i;
	u32 done = 0;

	gomem_own_lock(o);
	for (i = 0; i < n; i++) {
		/* Batches give back (libgomem's cache drains): no park. */
		e[i].result = gomem_region_free(h, e[i].offset, e[i].size,
						false);
		if (!e[i].result)
			done++;
		gomem_batch_resched(o);
	}
	gomem_own_unlock(o);
	return done;
}
EXPORT_SYMBOL_GPL(gomem_own_free_batch);

/* ---- references and tokens ---- */

/* @h's reference to @r, or NULL.  Caller holds the lock. */
static struct gomem_reference *gomem_ref_find(struct gomem_owned *r,
					      const struct gomem_holder *h)
{
	struct gomem_reference *ref;

	hlist_for_each_entry(ref, &r->refs, rlink)
		if (ref->holder == h)
			return ref;
	return NULL;
}

/*
 * Drop @count claims of @ref (all it has at most); the record goes with
 * its last claim, the region with its last hold.  Caller holds the lock.
 * Return: true if the region went back to the arena.
 */
static bool gomem_ref_put(struct gomem_owners *o, struct gomem_reference *ref,
			  u64 count)
{
	struct gomem_owned *r = ref->region;
	struct gomem_holder *h = ref->holder;

	ref->count -= count;
	r->claims -= count;
	if (!ref->count) {
		hlist_del(&ref->hlink);
		hlist_del(&ref->rlink);
		r->holders--;
		h->nr_refs--;
		h->ref_bytes -= r->size;
		o->nr_refs--;
		kmem_cache_free(gomem_ref_cache, ref);
	}
	return gomem_region_put(o, r);
}

/*
 * One round function per round: SipHash of the round number and the
 * right half, packed in one word (siphash_1u64(): eight SipRounds where
 * two words took ten), under the set's key.
 */
static u64 gomem_token_permute(const siphash_key_t *key, u64 x)
{
	u32 l = x >> 32, r = (u32)x, t;
	unsigned int i;

	for (i = 0; i < GOMEM_TOKEN_ROUNDS; i++) {
		t = l ^ (u32)siphash_1u64((u64)i << 32 | r, key);
		l = r;
		r = t;
	}
	return (u64)l << 32 | r;
}

/*
 * The next token value: a permutation of a counter that never repeats, so
 * no value is ever given twice; 0 is skipped.  Caller holds the lock.
 */
static u64 gomem_token_next(struct gomem_owners *o)
{
	u64 v;

	do {
		v = gomem_token_permute(&o->token_key, ++o->token_ctr);
	} while (!v);
	return v;
}

static struct gomem_share_token *gomem_token_find(struct gomem_owners *o, u64 value)
{
	struct rb_node *n = o->tokens.rb_node;
	struct gomem_share_token *t;

	while (n) {
		t = rb_entry(n, struct gomem_share_token, node);
		if (value < t->value)
			n = n->rb_left;
		else if (value > t->value)
			n = n->rb_right;
		else
			return t;
	}
	return NULL;
}

static void gomem_token_insert(struct gomem_owners *o, struct gomem_share_token *t)
{
	struct rb_node **p = &o->tokens.rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (t->value < rb_entry(parent, struct gomem_share_token, node)->value)
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&t->node, parent, p);
	rb_insert_color(&t->node, &o->tokens);
}

/* @t ends; the caller puts its region.  Caller holds the lock. */
static void gomem_token_drop(struct gomem_owners *o, struct gomem_share_token *t)
{
	rb_erase(&t->node, &o->tokens);
	hlist_del(&t->hlink);
	t->region->tokens--;
	t->maker->nr_tokens--;
	o->nr_tokens--;
	kmem_cache_free(gomem_token_cache, t);
}

/*
 * Make a token of [@offset, @offset + @size) with record @t (NULL if none
 * could be had: -ENOMEM once every other check passed), as
 * gomem_own_share() says.  Caller holds the lock.  On success @t is used
 * and *@token set; on error nothing changed and @t is left to the caller.
 */
static int gomem_token_make(struct gomem_holder *h, struct gomem_share_token *t,
			    u64 offset, u64 size, u32 claims, u64 *token)
{
	struct gomem_owners *o = h->owners;
	struct gomem_owned *r;
	u64 end;

	if (!claims)
		return -EINVAL;
	r = gomem_region_find_live(o, offset);
	if (!r)
		return -EINVAL;
	if (r->owner != h && !gomem_ref_find(r, h))
		return -EPERM;
	end = r->offset + r->size;
	if (!size)
		size = end - offset;
	if (size > end - offset)
		return -EINVAL;
	if (!gomem_holder_room_flush(h))
		return -EDQUOT;
	if (!t)
		return -ENOMEM;
	t->value = gomem_token_next(o);
	t->region = r;
	t->maker = h;
	t->offset = offset;
	t->size = size;
	t->claims = claims;
	gomem_token_insert(o, t);
	hlist_add_head(&t->hlink, &h->tokens);
	r->tokens++;
	h->nr_tokens++;
	o->nr_tokens++;
	*token = t->value;
	return 0;
}

/**
 * gomem_own_share() - make a share token of a region a holder holds
 * @h: the holder: the region's owner, or a holder of a reference to it
 * @offset: first byte to share (any byte of the region)
 * @size: bytes from @offset inside the region; 0 for up to its end
 * @claims: claims the token is good for, at least 1
 * @token: receives the token's value (never 0)
 *
 * The token holds the region until it is claimed @claims times, cancelled,
 * or @h goes away.
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: 0; -EINVAL @claims 0 or a range not inside one region; -EPERM a
 * region @h does not hold; -EDQUOT @h at its record limit; -ENOMEM.
 */
int gomem_own_share(struct gomem_holder *h, u64 offset, u64 size, u32 claims,
		    u64 *token)
{
	struct gomem_owners *o = h->owners;
	struct gomem_share_token *t;
	int err;

	if (!claims)
		return -EINVAL;
	t = kmem_cache_alloc(gomem_token_cache, GFP_KERNEL | __GFP_NOWARN);
	gomem_own_lock(o);
	err = gomem_token_make(h, t, offset, size, claims, token);
	gomem_own_unlock(o);
	if (err && t)
		kmem_cache_free(gomem_token_cache, t);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_own_share);

/**
 * gomem_own_share_batch() - make many share tokens under one lock hold
 * @h: the holder
 * @e: entries: @offset, @size and @claims in (as gomem_own_share()),
 *     @token and @result out; @token is left alone when @result is not 0
 * @n: number of entries
 * @recs: room for @n token record pointers (scratch)
 *
 * The records are allocated in bulk before the lock is taken; if that
 * fails, each entry that passed every other check gets -ENOMEM.  Entries
 * are done in order, each as by gomem_own_share(): its tokens count
 * against @h's record limit for the entries after it.  The lock is let
 * go every %GOMEM_ARENA_SLICE entries (gomem_arena_relax_locked()),
 * between two entries.  @flags and @pad of the entries are the caller's
 * to check.
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: entries that succeeded.
 */
u32 gomem_own_share_batch(struct gomem_holder *h, struct gomem_share_entry *e,
			  unsigned int n, struct gomem_share_token **recs)
{
	struct gomem_owners *o = h->owners;
	unsigned int i, work = 0, nr, used = 0;

	nr = kmem_cache_alloc_bulk(gomem_token_cache, GFP_KERNEL | __GFP_NOWARN,
				   n, (void **)recs);
	gomem_own_lock(o);
	for (i = 0; i < n; i++) {
		e[i].result = gomem_token_make(h, used < nr ? recs[used] : NULL,
					       e[i].offset, e[i].size,
					       e[i].claims, &e[i].token);
		if (!e[i].result)
			used++;
		gomem_arena_relax_locked(o->arena, &work);
	}
	gomem_own_unlock(o);
	if (used < nr)
		kmem_cache_free_bulk(gomem_token_cache, nr - used,
				     (void **)recs + used);
	return used;
}
EXPORT_SYMBOL_GPL(gomem_own_share_batch);

/*
 * Take a reference of @h through @token, with *@spare as its record if it
 * needs one (*@spare is then set to NULL); as gomem_own_claim() says.
 * Caller holds the lock.  On error nothing changed.
 */
static int gomem_token_claim(struct gomem_holder *h, u64 token,
			     struct gomem_reference **spare, u64 *offset,
			     u64 *size)
{
	struct gomem_owners *o = h->owners;
	struct gomem_reference *ref;
	struct gomem_share_token *t;
	struct gomem_owned *r;

	t = gomem_token_find(o, token);
	if (!t)
		return -ENOENT;
	r = t->region;
	ref = gomem_ref_find(r, h);
	if (!ref) {
		if (!gomem_holder_room_flush(h) ||
		    !gomem_holder_bytes_room_flush(h, r->size))
			return -EDQUOT;
		if (!*spare)
			return -ENOMEM;
		ref = *spare;
		*spare = NULL;
		ref->region = r;
		ref->holder = h;
		ref->count = 0;
		hlist_add_head(&ref->hlink, &h->refs);
		hlist_add_head(&ref->rlink, &r->refs);
		r->holders++;
		h->nr_refs++;
		h->ref_bytes += r->size;
		o->nr_refs++;
		/* A holder that may write makes the bytes nobody's. */
		if (!h->readonly && h->id != r->tag)
			r->tag = GOMEM_CLEAN_NONE;
	}
	ref->count++;
	r->claims++;
	*offset = t->offset;
	*size = t->size;
	/* The reference now holds the region: it cannot go here. */
	if (!--t->claims)
		gomem_token_drop(o, t);
	return 0;
}

/**
 * gomem_own_claim() - take a reference to a region through a token
 * @h: the claiming holder (any holder of the set, the token's maker too)
 * @token: the token's value
 * @offset: receives the shared range's first byte
 * @size: receives its bytes
 *
 * @h holds the region by one more claim until it releases it or goes
 * away; the token's last claim ends the token.
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: 0; -ENOENT no such outstanding token (used up, cancelled, its
 * maker gone, never made: all alike); -EDQUOT @h holds no reference to the
 * region yet and is at its record limit, or the region's bytes would take
 * it past its byte limit; -ENOMEM.
 */
int gomem_own_claim(struct gomem_holder *h, u64 token, u64 *offset,
		    u64 *size)
{
	struct gomem_owners *o = h->owners;
	struct gomem_reference *spare;
	int err;

	spare = kmem_cache_alloc(gomem_ref_cache, GFP_KERNEL | __GFP_NOWARN);
	gomem_own_lock(o);
	err = gomem_token_claim(h, token, &spare, offset, size);
	gomem_own_unlock(o);
	if (spare)
		kmem_cache_free(gomem_ref_cache, spare);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_own_claim);

/**
 * gomem_own_claim_batch() - claim many tokens under one lock hold
 * @h: the claiming holder
 * @e: entries: @token in; @offset, @size and @result out (as
 *     gomem_own_claim()); @offset and @size are left alone when @result
 *     is not 0
 * @n: number of entries
 * @recs: room for @n reference record pointers (scratch)
 *
 * Reference records are allocated in bulk before the lock is taken (an
 * entry gets -ENOMEM only if it needs one and none could be had); those
 * left over are freed after.  Entries are done in order, each as by
 * gomem_own_claim(): two entries may name one token, each taking a claim
 * while it has some left.  The lock is let go every %GOMEM_ARENA_SLICE
 * entries (gomem_arena_relax_locked()), between two entries.  @flags of
 * the entries are the caller's to check.
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: entries that succeeded.
 */
u32 gomem_own_claim_batch(struct gomem_holder *h, struct gomem_claim_entry *e,
			  unsigned int n, struct gomem_reference **recs)
{
	struct gomem_owners *o = h->owners;
	unsigned int i, work = 0, nr, used = 0;
	struct gomem_reference *spare;
	u32 done = 0;

	nr = kmem_cache_alloc_bulk(gomem_ref_cache, GFP_KERNEL | __GFP_NOWARN,
				   n, (void **)recs);
	gomem_own_lock(o);
	for (i = 0; i < n; i++) {
		spare = used < nr ? recs[used] : NULL;
		e[i].result = gomem_token_claim(h, e[i].token, &spare,
						&e[i].offset, &e[i].size);
		if (!e[i].result)
			done++;
		if (used < nr && !spare)
			used++;
		gomem_arena_relax_locked(o->arena, &work);
	}
	gomem_own_unlock(o);
	if (used < nr)
		kmem_cache_free_bulk(gomem_ref_cache, nr - used,
				     (void **)recs + used);
	return done;
}
EXPORT_SYMBOL_GPL(gomem_own_claim_batch);

/* Withdraw @h's outstanding token @token.  Caller holds the lock. */
static int gomem_token_cancel(struct gomem_holder *h, u64 token)
{
	struct gomem_owners *o = h->owners;
	struct gomem_share_token *t;
	struct gomem_owned *r;

	t = gomem_token_find(o, token);
	if (!t)
		return -ENOENT;
	if (t->maker != h)
		return -EPERM;
	r = t->region;
	gomem_token_drop(o, t);
	gomem_region_put(o, r);
	return 0;
}

/**
 * gomem_own_cancel() - withdraw an outstanding token
 * @h: the token's maker
 * @token: its value
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: 0; -ENOENT no such outstanding token; -EPERM another holder's.
 */
int gomem_own_cancel(struct gomem_holder *h, u64 token)
{
	int err;

	gomem_own_lock(h->owners);
	err = gomem_token_cancel(h, token);
	gomem_own_unlock(h->owners);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_own_cancel);

/* Release one claim of @h's reference to the region at @offset.  Locked. */
static int gomem_ref_release(struct gomem_holder *h, u64 offset)
{
	struct gomem_owners *o = h->owners;
	struct gomem_owned *r = gomem_region_find(o, offset);
	struct gomem_reference *ref = r ? gomem_ref_find(r, h) : NULL;

	if (!ref)
		return -EINVAL;
	gomem_ref_put(o, ref, 1);
	return 0;
}

/**
 * gomem_own_release() - drop one claim of a holder's reference
 * @h: the holder
 * @offset: any byte of the region
 *
 * The region returns to the arena if that was its last hold.
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: 0; -EINVAL @h holds no reference to a region at @offset.
 */
int gomem_own_release(struct gomem_holder *h, u64 offset)
{
	int err;

	gomem_own_lock(h->owners);
	err = gomem_ref_release(h, offset);
	gomem_own_unlock(h->owners);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_own_release);

/**
 * gomem_own_release_batch() - release many references under one lock hold
 * @h: the holder
 * @e: entries: @offset in, @size must be 0 (else -EINVAL), @result out
 * @n: number of entries
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: entries that succeeded.
 */
u32 gomem_own_release_batch(struct gomem_holder *h,
			    struct gomem_batch_entry *e, unsigned int n)
{
	struct gomem_owners *o = h->owners;
	unsigned int i;
	u32 done = 0;

	gomem_own_lock(o);
	for (i = 0; i < n; i++) {
		e[i].result = e[i].size ? -EINVAL :
					  gomem_ref_release(h, e[i].offset);
		if (!e[i].result)
			done++;
		gomem_batch_resched(o);
	}
	gomem_own_unlock(o);
	return done;
}
EXPORT_SYMBOL_GPL(gomem_own_release_batch);

/**
 * gomem_own_undo_share_batch() - withdraw the tokens of a share batch
 * @h: the holder
 * @e: the entries gomem_own_share_batch() filled in
 * @n: their number
 *
 * For a caller that could not report the tokens: each entry's token
 * (@result 0) is cancelled if it is still outstanding; one already
 * claimed to its end, or gone, is left alone.
 *
 * Context: process context, may sleep; takes the arena lock.
 */
void gomem_own_undo_share_batch(struct gomem_holder *h,
				const struct gomem_share_entry *e,
				unsigned int n)
{
	struct gomem_owners *o = h->owners;
	unsigned int i, work = 0;

	gomem_own_lock(o);
	for (i = 0; i < n; i++) {
		if (e[i].result)
			continue;
		gomem_token_cancel(h, e[i].token);
		gomem_arena_relax_locked(o->arena, &work);
	}
	gomem_own_unlock(o);
}
EXPORT_SYMBOL_GPL(gomem_own_undo_share_batch);

/**
 * gomem_own_undo_claim_batch() - release the claims of a claim batch
 * @h: the holder
 * @e: the entries gomem_own_claim_batch() filled in
 * @n: their number
 *
 * For a caller that could not report where its claims are: one claim of
 * @h's reference at each entry's @offset (@result 0) is released, as by
 * gomem_own_release(); the tokens' claims stay spent.
 *
 * Context: process context, may sleep; takes the arena lock.
 */
void gomem_own_undo_claim_batch(struct gomem_holder *h,
				const struct gomem_claim_entry *e,
				unsigned int n)
{
	struct gomem_owners *o = h->owners;
	unsigned int i, work = 0;

	gomem_own_lock(o);
	for (i = 0; i < n; i++) {
		if (e[i].result)
			continue;
		gomem_ref_release(h, e[i].offset);
		gomem_arena_relax_locked(o->arena, &work);
	}
	gomem_own_unlock(o);
}
EXPORT_SYMBOL_GPL(gomem_own_undo_claim_batch);

/* ---- holders and sets ---- */

/**
 * gomem_holder_init() - a new holder of a set
 * @o: the set
 * @h: the holder, not yet used
 *
 * Context: process context, may sleep; takes the arena lock.
 */
void gomem_holder_init(struct gomem_owners *o, struct gomem_holder *h)
{
	memset(h, 0, sizeof(*h));
	h->owners = o;
	INIT_HLIST_HEAD(&h->regions);
	INIT_HLIST_HEAD(&h->refs);
	INIT_HLIST_HEAD(&h->tokens);
	spin_lock_init(&h->park_lock);
	gomem_own_lock(o);
	h->id = ++o->next_holder;
	list_add_tail(&h->node, &o->all);
	o->holders++;
	gomem_own_unlock(o);
}
EXPORT_SYMBOL_GPL(gomem_holder_init);

/**
 * gomem_holder_exit() - a holder goes away, and everything it holds
 * @h: the holder; no other call on it may run or follow
 * @out: if not NULL, receives what was given back
 *
 * Its regions are freed whole (those others hold stay for them), its
 * references dropped, its outstanding tokens cancelled; each region whose
 * last hold that was returns to the arena.  The lock is let go every
 * %GOMEM_ARENA_SLICE records, so that a holder of millions holds up
 * nobody for long; between slices everything is consistent.
 *
 * Context: process context, may sleep; takes the arena lock.
 */
void gomem_holder_exit(struct gomem_holder *h, struct gomem_reclaim *out)
{
	struct gomem_owners *o = h->owners;
	struct gomem_reclaim rc = {};
	unsigned int work = 0;
	struct gomem_share_token *t;
	struct gomem_owned *r;
	struct gomem_reference *ref;

	gomem_own_lock(o);
	gomem_park_flush(h, false);
	o->park_hits += h->park_hits;
	o->zero_skipped += h->park_skipped;
	h->park_hits = 0;
	h->park_skipped = 0;
	rc.regions = gomem_holder_drop_regions(h, U64_MAX, false, &rc.bytes,
					       &rc.freed);
	while ((ref = hlist_entry_safe(h->refs.first, struct gomem_reference,
				       hlink))) {
		rc.freed += gomem_ref_put(o, ref, ref->count);
		rc.refs++;
		gomem_arena_relax_locked(o->arena, &work);
	}
	while ((t = hlist_entry_safe(h->tokens.first, struct gomem_share_token,
				     hlink))) {
		r = t->region;
		gomem_token_drop(o, t);
		rc.freed += gomem_region_put(o, r);
		rc.tokens++;
		gomem_arena_relax_locked(o->arena, &work);
	}
	list_del(&h->node);
	o->holders--;
	gomem_own_unlock(o);
	if (out)
		*out = rc;
}
EXPORT_SYMBOL_GPL(gomem_holder_exit);

/**
 * gomem_owners_init() - an empty set of records for an arena
 * @o: the set
 * @a: the arena, initialised, which outlives @o
 * @max_records: most records one holder may have
 *
 * Context: process context; gomem_owner_cache_init() done.
 */
void gomem_owners_init(struct gomem_owners *o, struct gomem_arena *a,
		       u64 max_records)
{
	memset(o, 0, sizeof(*o));
	o->arena = a;
	o->regions = RB_ROOT;
	o->tokens = RB_ROOT;
	o->clean = RB_ROOT;
	o->clean_min = GOMEM_CLEAN_MIN;
	INIT_LIST_HEAD(&o->clean_lru);
	INIT_LIST_HEAD(&o->clean_spare);
	INIT_HLIST_HEAD(&o->spare);
	INIT_LIST_HEAD(&o->all);
	o->max_records = max_records;
	get_random_bytes(&o->token_key, sizeof(o->token_key));
	gomem_arena_set_reclaim(a, gomem_owners_reclaim, o);
}
EXPORT_SYMBOL_GPL(gomem_owners_init);

/**
 * gomem_owners_destroy() - free a set's spare records and clean spans
 * @o: the set, with no holder left (hence no region, reference or token)
 *
 * Context: process context, may sleep.
 */
void gomem_owners_destroy(struct gomem_owners *o)
{
	struct gomem_owned *r;
	struct hlist_node *tmp;

	WARN_ON_ONCE(o->holders || !RB_EMPTY_ROOT(&o->regions) ||
		     !RB_EMPTY_ROOT(&o->tokens));
	gomem_arena_set_reclaim(o->arena, NULL, NULL);
	hlist_for_each_entry_safe(r, tmp, &o->spare, link)
		kmem_cache_free(gomem_owned_cache, r);
	INIT_HLIST_HEAD(&o->spare);
	o->nr_spare = 0;
	gomem_clean_forget_all(o);
}
EXPORT_SYMBOL_GPL(gomem_owners_destroy);

/*
 * gomem_own_stats() for @h, or for no holder (@h NULL: its fields are left
 * zero).  Caller holds the arena lock.
 */
static void gomem_owners_stats_locked(struct gomem_owners *o,
				      struct gomem_holder *h,
				      struct gomem_owner_stats *st,
				      struct gomem_arena_stats *as)
{
	struct gomem_holder *x;

	memset(st, 0, sizeof(*st));
	if (as)
		gomem_arena_stats_locked(o->arena, as);
	st->holders = o->holders;
	if (h) {
		st->in_use = h->in_use;
		st->regions = h->nr_regions;
		st->refs = h->nr_refs;
		st->ref_bytes = h->ref_bytes;
		st->tokens = h->nr_tokens;
	}
	st->all_refs = o->nr_refs;
	st->all_tokens = o->nr_tokens;
	st->orphans = o->nr_orphans;
	st->orphan_bytes = o->orphan_bytes;
	st->zeroed = o->zeroed;
	st->zero_skipped = o->zero_skipped;
	st->park_hits = o->park_hits;
	list_for_each_entry(x, &o->all, node) {
		spin_lock(&x->park_lock);
		st->parked += x->parked_bytes;
		st->parked_regions += x->nr_parked;
		st->park_hits += x->park_hits;
		st->zero_skipped += x->park_skipped;
		if (x == h) {
			st->session_parked = x->parked_bytes;
			st->in_use -= x->parked_bytes;
			st->regions -= x->nr_parked;
		}
		spin_unlock(&x->park_lock);
	}
	if (as) {
		as->in_use -= min(st->parked, as->in_use);
		as->allocs += st->park_hits;
		as->frees += st->park_hits + st->parked_regions;
	}
}

/**
 * gomem_own_stats() - a holder's counters and the set's totals
 * @h: the holder
 * @st: receives them
 * @as: if not NULL, receives the arena's statistics, taken under the
 *      same hold of the lock, as the holders see them: parked regions
 *      are counted as freed (out of in_use; their frees, and the parks'
 *      allocations, in frees and allocs), though they are in neither
 *      free nor largest_free (free is capacity - in_use - front_held -
 *      @st->parked); peak_in_use counts what the parks held
 *
 * Each holder's park is read under its own lock while the others go on:
 * the parks' counts are consistent with the rest only if nobody
 * allocates or frees meanwhile.
 *
 * Context: process context, may sleep; takes the arena lock.
 */
void gomem_own_stats(struct gomem_holder *h, struct gomem_owner_stats *st,
		     struct gomem_arena_stats *as)
{
	gomem_own_lock(h->owners);
	gomem_owners_stats_locked(h->owners, h, st, as);
	gomem_own_unlock(h->owners);
}
EXPORT_SYMBOL_GPL(gomem_own_stats);

/**
 * gomem_owners_stats() - a set's totals, and its arena's statistics
 * @o: the set
 * @st: receives the set's totals as gomem_own_stats() does (the fields
 *      of one holder zero)
 * @as: if not NULL, receives the arena's statistics as its holders see
 *      them, as gomem_own_stats() fills its @as
 *
 * Context: process context, may sleep; takes the arena lock.
 */
void gomem_owners_stats(struct gomem_owners *o, struct gomem_owner_stats *st,
			struct gomem_arena_stats *as)
{
	gomem_own_lock(o);
	gomem_owners_stats_locked(o, NULL, st, as);
	gomem_own_unlock(o);
}
EXPORT_SYMBOL_GPL(gomem_owners_stats);

/**
 * gomem_owners_walk() - call @fn for each live region from an offset on
 * @o: the set
 * @from: first arena offset of interest: the region holding it, if any,
 *        and those after it
 * @fn: called under the lock for each region, in offset order; returns
 *      non-zero to stop
 * @data: passed to @fn
 *
 * Context: process context, may sleep; takes the arena lock, which @fn
 * must not take nor drop.
 * Return: 0 if every region was visited, else what @fn returned.
 */
int gomem_owners_walk(struct gomem_owners *o, u64 from,
		      int (*fn)(void *data,
				const struct gomem_owner_region_info *ri),
		      void *data)
{
	struct gomem_owner_region_info ri;
	struct rb_node *n, *next = NULL;
	struct gomem_owned *r;
	int ret = 0;

	gomem_own_lock(o);
	/* The first region that ends after @from. */
	for (n = o->regions.rb_node; n;) {
		r = rb_entry(n, struct gomem_owned, node);
		if (from < r->offset + r->size) {
			next = n;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	for (n = next; n && !ret; n = rb_next(n)) {
		r = rb_entry(n, struct gomem_owned, node);
		/*
		 * Parked: free to everybody.  (Taking it out of a hot set is
		 * harmless: only its next free takes the lock.)
		 */
		if (!gomem_region_live(r))
			continue;
		ri = (struct gomem_owner_region_info) {
			.offset = r->offset, .size = r->size, .id = r->id,
			.owner = r->owner ? r->owner->id : 0,
			.refs = r->holders, .claims = r->claims,
			.tokens = r->tokens,
		};
		ret = fn(data, &ri);
	}
	gomem_own_unlock(o);
	return ret;
}
EXPORT_SYMBOL_GPL(gomem_owners_walk);

/* Is @cond false?  Then say why (for gomem_owners_check()). */
#define gomem_bad(cond, fmt, ...)					\
	(!(cond) && (pr_err("owner check: " fmt "\n", ##__VA_ARGS__), true))

/* The tokens' tree is ordered, each token consistent.  Lock held. */
static int gomem_owners_check_tokens(struct gomem_owners *o, u64 *tokens)
{
	struct gomem_share_token *t;
	struct rb_node *n;
	u64 last = 0;

	*tokens = 0;
	for (n = rb_first(&o->tokens); n; n = rb_next(n)) {
		t = rb_entry(n, struct gomem_share_token, node);
		if (gomem_bad(t->value && (!*tokens || t->value > last),
			      "token %llx out of order", t->value))
			return -EINVAL;
		if (gomem_bad(t->claims, "token %llx has no claims", t->value))
			return -EINVAL;
		if (gomem_bad(gomem_region_find(o, t->region->offset) ==
			      t->region, "token %llx: region not live",
			      t->value))
			return -EINVAL;
		if (gomem_bad(t->offset >= t->region->offset &&
			      t->size <= t->region->offset + t->region->size -
					 t->offset,
			      "token %llx: range outside its region", t->value))
			return -EINVAL;
		last = t->value;
		(*tokens)++;
	}
	return 0;
}

/* Each region is ordered, apart and consistent with its holds.  Locked. */
static int gomem_owners_check_regions(struct gomem_owners *o, u64 *refs,
				      u64 *tok_holds)
{
	u64 end = 0, g = gomem_granule(o), orphans = 0, obytes = 0, holders;
	u64 claims;
	struct gomem_owned *r;
	struct gomem_reference *ref;
	struct rb_node *n;

	*refs = 0;
	*tok_holds = 0;
	for (n = rb_first(&o->regions); n; n = rb_next(n)) {
		r = rb_entry(n, struct gomem_owned, node);
		if (gomem_bad(r->size && IS_ALIGNED(r->offset, g) &&
			      IS_ALIGNED(r->size, g),
			      "region %llu+%llu misaligned", r->offset, r->size))
			return -EINVAL;
		if (gomem_bad(r->offset >= end, "region %llu overlaps",
			      r->offset))
			return -EINVAL;
		end = r->offset + r->size;
		if (gomem_bad(r->owner || gomem_region_shared(r),
			      "region %llu: no holder, not freed", r->offset))
			return -EINVAL;
		if (!r->owner) {
			orphans++;
			obytes += r->size;
		}
		/* An owner's region is its bytes; a writer's claim ends that. */
		if (gomem_bad(r->tag == GOMEM_CLEAN_NONE ||
			      (r->tag && r->tag <= o->next_holder &&
			       (!r->owner || r->tag == r->owner->id)),
			      "region %llu: tag %llu", r->offset, r->tag))
			return -EINVAL;
		holders = 0;
		claims = 0;
		hlist_for_each_entry(ref, &r->refs, rlink) {
			if (gomem_bad(ref->region == r && ref->count,
				      "region %llu: bad reference", r->offset))
				return -EINVAL;
			holders++;
			claims += ref->count;
		}
		if (gomem_bad(holders == r->holders && claims == r->claims,
			      "region %llu: %llu/%llu references, %llu/%llu claims",
			      r->offset, holders, r->holders, claims, r->claims))
			return -EINVAL;
		*refs += holders;
		*tok_holds += r->tokens;
	}
	if (gomem_bad(orphans == o->nr_orphans && obytes == o->orphan_bytes,
		      "%llu orphans of %llu bytes, counted %llu of %llu",
		      orphans, obytes, o->nr_orphans, o->orphan_bytes))
		return -EINVAL;
	return 0;
}

/*
 * A holder's park and hot set hold regions of its own that may be parked,
 * each once, with what its records say.  Caller holds the arena lock.
 */
static int gomem_park_check(struct gomem_owners *o, struct gomem_holder *h)
{
	u64 bytes = 0, in_sets = 0;
	struct gomem_owned *r;
	unsigned int i;
	int err = -EINVAL;

	spin_lock(&h->park_lock);
	if (gomem_bad(h->nr_parked <= gomem_park_max(o) &&
		      h->nr_hot <= GOMEM_HOT_MAX &&
		      h->id_next <= h->id_end && h->id_end <= o->next_id + 1,
		      "holder %llu: %u parked, %u hot, ids %llu..%llu",
		      h->id, h->nr_parked, h->nr_hot, h->id_next, h->id_end))
		goto out;
	for (i = 0; i < h->nr_parked; i++) {
		r = h->park[i].r;
		if (gomem_bad(r->park == GOMEM_PARK_PARKED && r->owner == h &&
			      h->park[i].offset == r->offset &&
			      h->park[i].size == r->size &&
			      r->size <= GOMEM_PARK_SIZE && r->tag == h->id &&
			      !gomem_region_shared(r) &&
			      gomem_region_find(o, r->offset) == r,
			      "holder %llu: parked region %llu", h->id,
			      h->park[i].offset))
			goto out;
		bytes += r->size;
	}
	if (gomem_bad(bytes == h->parked_bytes,
		      "holder %llu: %llu bytes parked, counted %llu", h->id,
		      bytes, h->parked_bytes))
		goto out;
	for (i = 0; i < h->nr_hot; i++) {
		r = h->hot[i].r;
		if (gomem_bad(r->park == GOMEM_PARK_HOT && r->owner == h &&
			      h->hot[i].offset == r->offset &&
			      r->size <= GOMEM_PARK_SIZE &&
			      !gomem_region_shared(r) &&
			      gomem_region_find(o, r->offset) == r,
			      "holder %llu: hot region %llu", h->id,
			      h->hot[i].offset))
			goto out;
	}
	hlist_for_each_entry(r, &h->regions, link)
		in_sets += r->park != GOMEM_PARK_NONE;
	if (gomem_bad(in_sets == h->nr_parked + h->nr_hot,
		      "holder %llu: %llu regions parked or hot, %u listed",
		      h->id, in_sets, h->nr_parked + h->nr_hot))
		goto out;
	err = 0;
out:
	spin_unlock(&h->park_lock);
	return err;
}

/* A holder's lists agree with its counters and the regions.  Locked. */
static int gomem_holder_check(struct gomem_owners *o, struct gomem_holder *h,
			      u64 *tokens)
{
	u64 n = 0, bytes = 0;
	struct gomem_share_token *t;
	struct gomem_owned *r;
	struct gomem_reference *ref;

	hlist_for_each_entry(r, &h->regions, link) {
		if (gomem_bad(r->owner == h &&
			      gomem_region_find(o, r->offset) == r,
			      "holder %llu: region %llu not its own or not live",
			      h->id, r->offset))
			return -EINVAL;
		n++;
		bytes += r->size;
	}
	if (gomem_bad(n == h->nr_regions && bytes == h->in_use,
		      "holder %llu: %llu regions of %llu bytes, counted %llu of %llu",
		      h->id, n, bytes, h->nr_regions, h->in_use))
		return -EINVAL;
	n = 0;
	bytes = 0;
	hlist_for_each_entry(ref, &h->refs, hlink) {
		if (gomem_bad(ref->holder == h &&
			      gomem_ref_find(ref->region, h) == ref,
			      "holder %llu: stray reference", h->id))
			return -EINVAL;
		n++;
		bytes += ref->region->size;
	}
	if (gomem_bad(n == h->nr_refs && bytes == h->ref_bytes,
		      "holder %llu: %llu references of %llu bytes, counted %llu of %llu",
		      h->id, n, bytes, h->nr_refs, h->ref_bytes))
		return -EINVAL;
	n = 0;
	hlist_for_each_entry(t, &h->tokens, hlink) {
		if (gomem_bad(t->maker == h &&
			      gomem_token_find(o, t->value) == t,
			      "holder %llu: stray token", h->id))
			return -EINVAL;
		n++;
	}
	if (gomem_bad(n == h->nr_tokens, "holder %llu: %llu tokens, counted %llu",
		      h->id, n, h->nr_tokens))
		return -EINVAL;
	*tokens += n;
	if (gomem_bad(h->nr_regions + h->nr_pending + h->nr_refs + h->nr_tokens <=
		      o->max_records, "holder %llu over its limit", h->id))
		return -EINVAL;
	if (gomem_bad(gomem_holder_bytes_room(h, 0),
		      "holder %llu over its byte limit", h->id))
		return -EINVAL;
	return gomem_park_check(o, h);
}

/*
 * Clean spans are in order, apart, of known tags, none over a live region,
 * as many as counted and on the LRU list.  Caller holds the lock.
 */
static int gomem_owners_check_clean(struct gomem_owners *o)
{
	struct gomem_owned *r, *over;
	struct gomem_clean *c, *prev = NULL;
	unsigned int n = 0, lru = 0;
	struct rb_node *rn, *x;

	list_for_each_entry(c, &o->clean_lru, lru)
		lru++;
	for (rn = rb_first(&o->clean); rn; rn = rb_next(rn), prev = c) {
		c = gomem_clean_entry(rn);
		n++;
		/* The first region that ends after the span begins. */
		over = NULL;
		for (x = o->regions.rb_node; x;) {
			r = rb_entry(x, struct gomem_owned, node);
			if (r->offset + r->size > c->offset) {
				over = r;
				x = x->rb_left;
			} else {
				x = x->rb_right;
			}
		}
		if (c->offset >= c->end || (prev && prev->end > c->offset) ||
		    c->tag > o->next_holder || (over && over->offset < c->end)) {
			pr_err("owner check: clean span [%llu, %llu) tag %llu: empty, out of order, unknown tag or over a region\n",
			       c->offset, c->end, c->tag);
			return -EINVAL;
		}
	}
	if (n != o->nr_clean || lru != n || n > GOMEM_CLEAN_MAX) {
		pr_err("owner check: %u clean spans, %u on the list, counted %u\n",
		       n, lru, o->nr_clean);
		return -EINVAL;
	}
	return 0;
}

/**
 * gomem_owners_check() - verify every invariant of a set
 * @o: the set
 *
 * Regions ordered and apart, each with a holder; each region's references
 * and tokens match its counts; each holder's lists match its counters;
 * the set's totals match; clean spans are apart and over no region.  For
 * tests; O(records).
 *
 * Context: process context, may sleep; takes the arena lock.
 * Return: 0, or -EINVAL (with the first broken invariant logged).
 */
int gomem_owners_check(struct gomem_owners *o)
{
	u64 tokens, tok_holds, refs, held = 0, holders = 0;
	struct gomem_holder *h;
	int err;

	gomem_own_lock(o);
	err = gomem_owners_check_tokens(o, &tokens);
	if (!err)
		err = gomem_owners_check_regions(o, &refs, &tok_holds);
	if (!err)
		err = gomem_owners_check_clean(o);
	list_for_each_entry(h, &o->all, node) {
		if (err)
			break;
		err = gomem_holder_check(o, h, &held);
		holders++;
	}
	if (!err && (tokens != o->nr_tokens || tok_holds != tokens ||
		     held != tokens || refs != o->nr_refs ||
		     holders != o->holders)) {
		pr_err("owner check: %llu tokens (%llu held, %llu made, counted %llu), %llu references (counted %llu), %llu holders (counted %llu)\n",
		       tokens, tok_holds, held, o->nr_tokens, refs, o->nr_refs,
		       holders, o->holders);
		err = -EINVAL;
	}
	gomem_own_unlock(o);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_owners_check);
