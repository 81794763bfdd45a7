// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * /dev/gomem: one arena shared by processes.
 *
 * Each open() is a session (struct gomem_session).  Sessions allocate and
 * free regions with ioctl() (include/uapi/gomem.h) and reach the whole
 * arena with mmap(), the file offset being the arena offset.  The device
 * records who owns each region (struct gomem_owned, in one rbtree by
 * offset), so that a session frees only its own, and when the session's
 * last file reference goes, all its regions return to the arena.
 *
 * Mappings: every session's file shares the address_space of one
 * anonymous inode (as DRM does), so trim can zap a chunk from every
 * process before the chunk's memory goes.  Pages
 * are inserted at fault time, under the arena lock (see gomem_fault()).
 *
 * Locking: one lock, the arena's (gomem_arena_lock()).  It protects the
 * arena and also the device's records of who owns what, so that a region
 * and its record change together and an ioctl takes one lock (a batch
 * takes it once for all its entries).  The fault path takes it inside
 * mmap_lock: mmap_lock -> arena lock -> page table lock; trim takes arena
 * lock -> i_mmap_rwsem.  Nothing copies to or from user memory while
 * holding it; it is dropped to allocate a record when no spare is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/pseudo_fs.h>
#include <linux/rbtree.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define CREATE_TRACE_POINTS
#include <gomem_trace.h>

#include "gomem_arena.h"
#include "uapi/gomem.h"

static unsigned long long initial_size = 1ULL << 20;
module_param(initial_size, ullong, 0444);
MODULE_PARM_DESC(initial_size, "bytes in the arena's first chunk (default 1 MiB)");

static unsigned long long max_chunk = GOMEM_ARENA_DEFAULT_MAX_CHUNK;
module_param(max_chunk, ullong, 0444);
MODULE_PARM_DESC(max_chunk, "largest growth chunk in bytes (default 4 MiB)");

static unsigned long long max_size = 256ULL << 20;
module_param(max_size, ullong, 0444);
MODULE_PARM_DESC(max_size, "most bytes the arena may hold (default 256 MiB)");

static char *policy = "treap";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy, "range allocator: treap (lowest fit, default) or avl (best fit)");

static char *source = "vmalloc";
module_param(source, charp, 0444);
MODULE_PARM_DESC(source, "chunk memory: vmalloc (default) or buddy (a pool reserved at load)");

/* Most unused ownership records the device keeps for reuse. */
#define GOMEM_SPARE_MAX		256

/**
 * struct gomem_device - the device and its one arena
 * @arena: the shared arena; its lock also protects @regions, @spare,
 *         @nr_spare, @sessions and every session's regions and counters
 * @regions: every live region of every session, by offset
 * @spare: unused records (struct gomem_owned.link), so that most
 *         allocations need no trip to the slab allocator (hlists, not
 *         list_heads: no list debugging calls on the hot path)
 * @nr_spare: records on @spare, at most %GOMEM_SPARE_MAX
 * @sessions: open sessions
 * @mnt: an internal mount of gomem's pseudo filesystem, holding @inode
 * @inode: an anonymous inode whose i_mapping every session's file uses, so
 *         that one unmap_mapping_range() reaches every process
 * @misc: /dev/gomem
 * @debugfs: gomem/default/ in debugfs
 */
struct gomem_device {
	struct gomem_arena arena;
	struct rb_root regions;
	struct hlist_head spare;
	unsigned int nr_spare;
	u64 sessions;
	struct vfsmount *mnt;
	struct inode *inode;
	struct miscdevice misc;
	struct dentry *debugfs;
};

/**
 * struct gomem_session - one open() of /dev/gomem
 * @regions: its regions (struct gomem_owned.link)
 * @in_use: bytes it holds
 * @nr_regions: regions it holds
 * @readonly: opened without write access: may map read-only and read
 *            statistics, nothing else
 */
struct gomem_session {
	struct hlist_head regions;
	u64 in_use;
	u64 nr_regions;
	bool readonly;
};

/**
 * struct gomem_owned - a region and the session that owns it
 * @node: in gomem_device.regions
 * @link: in the owner's list, or in gomem_device.spare while unused
 * @offset: arena offset
 * @size: bytes, a multiple of the granule
 * @owner: the session that allocated it
 */
struct gomem_owned {
	struct rb_node node;
	struct hlist_node link;
	u64 offset;
	u64 size;
	struct gomem_session *owner;
};

static struct gomem_device gomem_dev;
static struct kmem_cache *gomem_owned_cache;

static u64 gomem_granule(void)
{
	return gomem_dev.arena.params.granule;
}

/* The region holding @offset, or NULL.  Caller holds the lock. */
static struct gomem_owned *gomem_region_find(u64 offset)
{
	struct rb_node *n = gomem_dev.regions.rb_node;
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

static void gomem_region_insert(struct gomem_owned *r)
{
	struct rb_node **p = &gomem_dev.regions.rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (r->offset < rb_entry(parent, struct gomem_owned, node)->offset)
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&r->node, parent, p);
	rb_insert_color(&r->node, &gomem_dev.regions);
}

static void gomem_lock(void)
{
	gomem_arena_lock(&gomem_dev.arena);
}

static void gomem_unlock(void)
{
	gomem_arena_unlock(&gomem_dev.arena);
}

/* An unused record, or NULL if none is spare.  Caller holds the lock. */
static struct gomem_owned *gomem_spare_get(void)
{
	struct gomem_owned *r;

	r = hlist_entry_safe(gomem_dev.spare.first, struct gomem_owned, link);
	if (r) {
		hlist_del(&r->link);
		gomem_dev.nr_spare--;
	}
	return r;
}

/* Keep @r for reuse, or free it if enough are kept.  Caller holds the lock. */
static void gomem_spare_put(struct gomem_owned *r)
{
	if (gomem_dev.nr_spare >= GOMEM_SPARE_MAX) {
		kmem_cache_free(gomem_owned_cache, r);
		return;
	}
	hlist_add_head(&r->link, &gomem_dev.spare);
	gomem_dev.nr_spare++;
}

/*
 * A record, with the lock held: a spare one, or else the lock is dropped
 * to allocate one and taken again, so the caller must not rely on what it
 * saw before.  Return: the record, or NULL (no memory).
 */
static struct gomem_owned *gomem_record_get(void)
{
	struct gomem_owned *r = gomem_spare_get();

	if (r)
		return r;
	gomem_unlock();
	r = kmem_cache_alloc(gomem_owned_cache, GFP_KERNEL);
	gomem_lock();
	return r;
}

/* Record [@offset, @offset + @size) as one of @s's regions. */
static void gomem_region_link(struct gomem_session *s, struct gomem_owned *r,
			      u64 offset, u64 size)
{
	r->offset = offset;
	r->size = size;
	r->owner = s;
	gomem_region_insert(r);
	hlist_add_head(&r->link, &s->regions);
	s->nr_regions++;
}

/*
 * Allocate a region for @s and record it in @r, which is used only on
 * success.  @flags are already checked.  Caller holds the lock.
 */
static int gomem_region_new(struct gomem_session *s, struct gomem_owned *r,
			    u64 size, u64 align, u32 flags, u64 *offset)
{
	int err;

	err = gomem_arena_alloc_locked(&gomem_dev.arena, size,
				       align ? align : 1,
				       flags & GOMEM_ALLOC_NOZERO ?
				       0 : GOMEM_ALLOC_ZERO, offset);
	if (err)
		return err;
	size = ALIGN(size, gomem_granule());
	gomem_region_link(s, r, *offset, size);
	s->in_use += size;
	return 0;
}

static int gomem_session_alloc(struct gomem_session *s, u64 size, u64 align,
			       u32 flags, u64 *offset)
{
	struct gomem_owned *r;
	int err;

	if (flags & ~GOMEM_ALLOC_NOZERO)
		return -EINVAL;
	gomem_lock();
	r = gomem_record_get();
	if (!r) {
		err = -ENOMEM;
	} else {
		err = gomem_region_new(s, r, size, align, flags, offset);
		if (err)
			gomem_spare_put(r);
	}
	gomem_unlock();
	return err;
}

/*
 * Drop [offset, offset + size) from region @r, splitting it with *@extra
 * (then set to NULL) if the range is in its middle.  Caller holds the lock.
 */
static void gomem_region_cut(struct gomem_session *s, struct gomem_owned *r,
			     u64 offset, u64 size, struct gomem_owned **extra)
{
	u64 end = offset + size, rend = r->offset + r->size;

	s->in_use -= size;
	if (offset == r->offset && end == rend) {
		rb_erase(&r->node, &gomem_dev.regions);
		hlist_del(&r->link);
		s->nr_regions--;
		gomem_spare_put(r);
	} else if (offset == r->offset) {
		/* Shrinks from the front: keeps its place in the tree. */
		r->offset = end;
		r->size = rend - end;
	} else {
		r->size = offset - r->offset;
		if (end < rend) {
			gomem_region_link(s, *extra, end, rend - end);
			*extra = NULL;
		}
	}
}

/*
 * Free [@offset, @offset + @size) of one of @s's regions.  Caller holds the
 * lock; a free from the middle of a region needs a second record, for
 * which the lock may be dropped (gomem_record_get()).
 */
static int gomem_region_free(struct gomem_session *s, u64 offset, u64 size)
{
	struct gomem_owned *r, *extra = NULL;
	u64 g = gomem_granule();
	int err;

	if (!size || !IS_ALIGNED(offset, g))
		return -EINVAL;
retry:
	r = gomem_region_find(offset);
	if (!r) {
		err = -EINVAL;
	} else if (r->owner != s) {
		err = -EPERM;
	} else if (size > r->size ||
		   ALIGN(size, g) > r->offset + r->size - offset) {
		err = -EINVAL;
	} else {
		size = ALIGN(size, g);
		if (!extra && offset > r->offset &&
		    offset + size < r->offset + r->size) {
			extra = gomem_record_get();
			if (!extra)
				return -ENOMEM;
			/* The lock may have been dropped: look again. */
			goto retry;
		}
		err = gomem_arena_free_part_locked(&gomem_dev.arena, r->offset,
						   r->size, offset, size);
		if (!err)
			gomem_region_cut(s, r, offset, size, &extra);
	}
	if (extra)
		gomem_spare_put(extra);
	return err;
}

static int gomem_session_free(struct gomem_session *s, u64 offset, u64 size)
{
	int err;

	gomem_lock();
	err = gomem_region_free(s, offset, size);
	gomem_unlock();
	return err;
}

/*
 * Free the regions of @s.  Caller holds the lock, which is let go every
 * GOMEM_ARENA_SLICE regions (gomem_arena_relax_locked()), so that a
 * session with millions of regions holds up nobody for long.  Between two
 * slices the session is consistent (each region goes with its record and
 * counters), and its other threads may run: each region is taken afresh
 * from the head of its list, and the loop stops after as many regions as
 * the session held at the start, so that regions allocated meanwhile may
 * survive but the loop ends.  Return: regions freed; *@bytes their bytes.
 */
static u64 gomem_session_recycle_locked(struct gomem_session *s, u64 *bytes)
{
	u64 n = 0, budget = s->nr_regions;
	unsigned int work = 0;
	struct gomem_owned *r;

	*bytes = 0;
	while (n < budget &&
	       (r = hlist_entry_safe(s->regions.first, struct gomem_owned,
				     link))) {
		/* A whole region: its node was reserved, this cannot fail. */
		gomem_arena_free_locked(&gomem_dev.arena, r->offset, r->size);
		rb_erase(&r->node, &gomem_dev.regions);
		hlist_del(&r->link);
		s->in_use -= r->size;
		s->nr_regions--;
		*bytes += r->size;
		n++;
		gomem_spare_put(r);
		gomem_arena_relax_locked(&gomem_dev.arena, &work);
	}
	return n;
}

/* Between the entries of a long batch, let others have the lock and CPU. */
static void gomem_batch_resched(void)
{
	if (need_resched()) {
		gomem_unlock();
		cond_resched();
		gomem_lock();
	}
}

/*
 * Allocate a region for each of the @n entries under one acquisition of the
 * lock.  @recs has room for @n records, gathered before the first
 * allocation (spares, then the slab allocator's bulk path, lock dropped).
 * An entry without a record gets -ENOMEM.  Return: entries that succeeded.
 */
static u32 gomem_batch_alloc(struct gomem_session *s,
			     struct gomem_batch_entry *e, unsigned int n,
			     u64 align, u32 flags, struct gomem_owned **recs)
{
	unsigned int i, used = 0, nr = 0;

	gomem_lock();
	for (; nr < n; nr++) {
		recs[nr] = gomem_spare_get();
		if (!recs[nr])
			break;
	}
	if (nr < n) {
		gomem_unlock();
		nr += kmem_cache_alloc_bulk(gomem_owned_cache, GFP_KERNEL,
					    n - nr, (void **)recs + nr);
		gomem_lock();
	}
	for (i = 0; i < n; i++) {
		e[i].result = -ENOMEM;
		if (used < nr)
			e[i].result = gomem_region_new(s, recs[used], e[i].size,
						       align, flags,
						       &e[i].offset);
		if (!e[i].result)
			used++;
		gomem_batch_resched();
	}
	for (i = used; i < nr; i++)
		gomem_spare_put(recs[i]);
	gomem_unlock();
	return used;
}

/* Free each entry's range under one acquisition of the lock. */
static u32 gomem_batch_free(struct gomem_session *s,
			    struct gomem_batch_entry *e, unsigned int n)
{
	unsigned int i;
	u32 done = 0;

	gomem_lock();
	for (i = 0; i < n; i++) {
		e[i].result = gomem_region_free(s, e[i].offset, e[i].size);
		if (!e[i].result)
			done++;
		gomem_batch_resched();
	}
	gomem_unlock();
	return done;
}

/*
 * Take back a batch's allocations whose offsets could not be reported.  A
 * region the session's other threads freed meanwhile is simply gone.
 */
static void gomem_batch_undo(struct gomem_session *s,
			     const struct gomem_batch_entry *e, unsigned int n)
{
	unsigned int i;

	gomem_lock();
	for (i = 0; i < n; i++)
		if (!e[i].result)
			gomem_region_free(s, e[i].offset, e[i].size);
	gomem_unlock();
}

/* ---- ioctl ---- */

static long gomem_ioc_info(struct gomem_session *s, void *data)
{
	const struct gomem_arena_params *p = &gomem_dev.arena.params;
	struct gomem_info *info = data;

	info->abi_version = GOMEM_ABI_VERSION;
	info->page_size = PAGE_SIZE;
	info->initial_size = p->initial_size;
	info->max_chunk = p->max_chunk;
	info->max_size = p->max_size;
	info->map_size = gomem_arena_span(&gomem_dev.arena);
	info->granule = p->granule;
	info->policy = p->policy == GOMEM_POLICY_AVL ? GOMEM_POLICY_AVL_ABI :
						       GOMEM_POLICY_TREAP_ABI;
	info->source = p->source == GOMEM_CHUNKS_BUDDY ? GOMEM_SOURCE_BUDDY :
							 GOMEM_SOURCE_VMALLOC;
	info->session_flags = s->readonly ? GOMEM_SESSION_READONLY : 0;
	return 0;
}

static long gomem_ioc_alloc(struct gomem_session *s, void *data)
{
	struct gomem_alloc *a = data;

	if (a->pad)
		return -EINVAL;
	return gomem_session_alloc(s, a->size, a->align, a->flags, &a->offset);
}

/* As gomem_batch_undo(): the session's other threads may have freed it. */
static void gomem_ioc_alloc_undo(struct gomem_session *s, void *data)
{
	struct gomem_alloc *a = data;

	gomem_session_free(s, a->offset, a->size);
}

static long gomem_ioc_free(struct gomem_session *s, void *data)
{
	struct gomem_free *f = data;

	return gomem_session_free(s, f->offset, f->size);
}

/*
 * Make sure the @len (> 0) bytes at @u can be written, by writing one
 * byte of each page they span back to itself: what a copy_to_user() of
 * the array's own contents would check, at a few loads' and stores' cost.
 */
static int gomem_probe_writable(void __user *u, size_t len)
{
	unsigned long start = (unsigned long)u, end = start + len, addr;
	u8 byte;

	if (!user_access_begin(u, len))
		return -EFAULT;
	for (addr = start; addr < end; addr = (addr | (PAGE_SIZE - 1)) + 1) {
		unsafe_get_user(byte, (u8 __user *)addr, efault);
		unsafe_put_user(byte, (u8 __user *)addr, efault);
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Read the fields of @n entries that the kernel uses (offset only for a
 * free; the batch sets every result, and an alloc's offsets where it
 * succeeds).  Field by field, not one copy_from_user() of the array: a
 * batch uses two thirds of each entry's bytes, and the hardened-usercopy
 * checks of a variable-sized copy cost more than the loads.
 * Return: 0; -EFAULT if any entry cannot be read, else -EINVAL if any
 * entry's padding is not zero.
 */
static int gomem_batch_read(const struct gomem_batch_entry __user *u,
			    struct gomem_batch_entry *e, unsigned int n,
			    bool alloc)
{
	unsigned int i;
	u32 pad, pads = 0;

	if (!user_read_access_begin(u, n * sizeof(*u)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if (!alloc)
			unsafe_get_user(e[i].offset, &u[i].offset, efault);
		unsafe_get_user(e[i].size, &u[i].size, efault);
		unsafe_get_user(pad, &u[i].pad, efault);
		pads |= pad;
	}
	user_read_access_end();
	return pads ? -EINVAL : 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

/* Write back what a batch produced: each result, and an alloc's offsets. */
static int gomem_batch_write(struct gomem_batch_entry __user *u,
			     const struct gomem_batch_entry *e, unsigned int n,
			     bool alloc)
{
	unsigned int i;

	if (!user_write_access_begin(u, n * sizeof(*u)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if (alloc && !e[i].result)
			unsafe_put_user(e[i].offset, &u[i].offset, efault);
		unsafe_put_user(e[i].result, &u[i].result, efault);
	}
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static long gomem_ioc_batch(struct gomem_session *s, struct gomem_batch *b,
			    bool alloc)
{
	struct gomem_batch_entry __user *uent = u64_to_user_ptr(b->entries);
	struct gomem_batch_entry *e;
	size_t len;
	long ret;

	if (b->pad || !b->count || b->count > GOMEM_BATCH_MAX)
		return -EINVAL;
	if (!alloc && (b->flags || b->align))
		return -EINVAL;
	if (alloc && (b->flags & ~GOMEM_ALLOC_NOZERO))
		return -EINVAL;
	/* A bad alignment is a bad argument, not 1024 failed entries. */
	if (alloc && b->align && !gomem_valid_align(b->align))
		return -EINVAL;
	len = b->count * sizeof(*e);
	/* An alloc batch's records go after the entries (see below). */
	e = kvmalloc(len + (alloc ? b->count * sizeof(struct gomem_owned *) :
				    0), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	ret = gomem_batch_read(uent, e, b->count, alloc);
	if (ret)
		goto out;
	/*
	 * Make sure the results can be written back before doing anything:
	 * a read-only entries array gets -EFAULT with nothing changed.
	 */
	if (gomem_probe_writable(uent, len)) {
		ret = -EFAULT;
		goto out;
	}
	if (alloc)
		b->done = gomem_batch_alloc(s, e, b->count, b->align, b->flags,
					    (void *)e + len);
	else
		b->done = gomem_batch_free(s, e, b->count);
	if (gomem_batch_write(uent, e, b->count, alloc)) {
		/* The caller cannot learn the offsets: take them back. */
		if (alloc)
			gomem_batch_undo(s, e, b->count);
		ret = -EFAULT;
	}
out:
	kvfree(e);
	return ret;
}

static long gomem_ioc_alloc_batch(struct gomem_session *s, void *data)
{
	return gomem_ioc_batch(s, data, true);
}

static long gomem_ioc_free_batch(struct gomem_session *s, void *data)
{
	return gomem_ioc_batch(s, data, false);
}

static long gomem_ioc_stats(struct gomem_session *s, void *data)
{
	struct gomem_stats *st = data;
	struct gomem_arena_stats as;

	gomem_arena_stats(&gomem_dev.arena, &as);
	st->capacity = as.capacity;
	st->in_use = as.in_use;
	st->free = as.free;
	st->largest_free = as.largest_free;
	st->chunks = as.chunks;
	st->peak_in_use = as.peak_in_use;
	st->allocs = as.allocs;
	st->frees = as.frees;
	st->failed_allocs = as.failed_allocs;
	st->grows = as.grows;
	st->trimmed = as.trimmed;
	gomem_lock();
	st->sessions = gomem_dev.sessions;
	st->session_in_use = s->in_use;
	st->session_regions = s->nr_regions;
	gomem_unlock();
	return 0;
}

static long gomem_ioc_trim(struct gomem_session *s, void *data)
{
	struct gomem_release *rel = data;
	struct gomem_arena_stats before, after;

	gomem_arena_stats(&gomem_dev.arena, &before);
	rel->bytes = gomem_arena_trim(&gomem_dev.arena);
	gomem_arena_stats(&gomem_dev.arena, &after);
	rel->count = after.trimmed - before.trimmed;
	return 0;
}

static long gomem_ioc_recycle(struct gomem_session *s, void *data)
{
	struct gomem_release *rel = data;

	gomem_lock();
	rel->count = gomem_session_recycle_locked(s, &rel->bytes);
	gomem_unlock();
	return 0;
}

/**
 * struct gomem_ioctl_desc - one ioctl command
 * @cmd: the command as this module defines it (its size is the kernel's)
 * @fn: the handler; works on a kernel copy of the argument
 * @undo: if set, called when the result cannot be copied back, to take
 *        back what @fn did
 * @changes: refused (-EBADF) to read-only sessions
 */
struct gomem_ioctl_desc {
	unsigned int cmd;
	long (*fn)(struct gomem_session *s, void *data);
	void (*undo)(struct gomem_session *s, void *data);
	bool changes;
};

static const struct gomem_ioctl_desc gomem_ioctls[] = {
	[_IOC_NR(GOMEM_IOC_INFO)] = {
		GOMEM_IOC_INFO, gomem_ioc_info, NULL, false },
	[_IOC_NR(GOMEM_IOC_ALLOC)] = {
		GOMEM_IOC_ALLOC, gomem_ioc_alloc, gomem_ioc_alloc_undo, true },
	[_IOC_NR(GOMEM_IOC_FREE)] = {
		GOMEM_IOC_FREE, gomem_ioc_free, NULL, true },
	/* Entries are written back inside; only @done could be lost. */
	[_IOC_NR(GOMEM_IOC_ALLOC_BATCH)] = {
		GOMEM_IOC_ALLOC_BATCH, gomem_ioc_alloc_batch, NULL, true },
	[_IOC_NR(GOMEM_IOC_FREE_BATCH)] = {
		GOMEM_IOC_FREE_BATCH, gomem_ioc_free_batch, NULL, true },
	[_IOC_NR(GOMEM_IOC_STATS)] = {
		GOMEM_IOC_STATS, gomem_ioc_stats, NULL, false },
	[_IOC_NR(GOMEM_IOC_TRIM)] = {
		GOMEM_IOC_TRIM, gomem_ioc_trim, NULL, true },
	[_IOC_NR(GOMEM_IOC_RECYCLE)] = {
		GOMEM_IOC_RECYCLE, gomem_ioc_recycle, NULL, true },
};

/* Room for the largest argument struct. */
union gomem_ioctl_arg {
	struct gomem_info info;
	struct gomem_alloc alloc;
	struct gomem_free free;
	struct gomem_batch batch;
	struct gomem_stats stats;
	struct gomem_release release;
};

/*
 * GOMEM_IOC_ALLOC at this module's struct size, without the generic
 * copies (the hot path: a constant size skips the hardened-usercopy
 * checks, and one user access window reads the request and probes that
 * the result can be written, so that -EFAULT means nothing changed).
 * Same semantics as the table's gomem_ioc_alloc().
 */
static long gomem_ioctl_alloc(struct gomem_session *s,
			      struct gomem_alloc __user *ua)
{
	struct gomem_alloc a;
	long err;

	if (s->readonly)
		return -EBADF;
	if (!user_access_begin(ua, sizeof(*ua)))
		return -EFAULT;
	unsafe_get_user(a.size, &ua->size, efault);
	unsafe_get_user(a.align, &ua->align, efault);
	unsafe_get_user(a.flags, &ua->flags, efault);
	unsafe_get_user(a.pad, &ua->pad, efault);
	unsafe_get_user(a.offset, &ua->offset, efault);
	unsafe_put_user(a.offset, &ua->offset, efault);
	user_access_end();

	err = gomem_ioc_alloc(s, &a);
	if (err)
		return err;
	if (!user_access_begin(&ua->offset, sizeof(ua->offset)))
		goto undo;
	unsafe_put_user(a.offset, &ua->offset, efault_undo);
	user_access_end();
	return 0;
efault_undo:
	user_access_end();
undo:
	gomem_ioc_alloc_undo(s, &a);
	return -EFAULT;
efault:
	user_access_end();
	return -EFAULT;
}

/* GOMEM_IOC_FREE at this module's struct size, as above. */
static long gomem_ioctl_free(struct gomem_session *s,
			     struct gomem_free __user *uf)
{
	struct gomem_free f;

	if (s->readonly)
		return -EBADF;
	if (!user_access_begin(uf, sizeof(*uf)))
		return -EFAULT;
	unsafe_get_user(f.offset, &uf->offset, efault);
	unsafe_get_user(f.size, &uf->size, efault);
	user_access_end();
	return gomem_ioc_free(s, &f);
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Table-driven, like drivers/dma-buf/dma-heap.c: the command's number
 * picks the handler; the caller's struct may be smaller than ours (the
 * missing tail reads as zero) or larger (its extra bytes must be zero:
 * copy_struct_from_user() says -E2BIG otherwise).  Every command but
 * the two hot ones (gomem_ioctl_alloc(), gomem_ioctl_free()) comes here,
 * with a number inside the table.
 * Not inlined into gomem_ioctl(): the kernel's stack auto-initialisation
 * zeroes its argument buffer on entry, a cost the hot paths need not pay.
 */
static noinline long gomem_ioctl_table(struct gomem_session *s,
				       unsigned int ucmd, void __user *uarg)
{
	const struct gomem_ioctl_desc *desc;
	union gomem_ioctl_arg kdata;
	unsigned int nr = _IOC_NR(ucmd), usize, ksize;
	long ret;

	nr = array_index_nospec(nr, ARRAY_SIZE(gomem_ioctls));
	desc = &gomem_ioctls[nr];
	if (!desc->fn || _IOC_DIR(ucmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;
	if (desc->changes && s->readonly)
		return -EBADF;

	usize = _IOC_SIZE(ucmd);
	ksize = _IOC_SIZE(desc->cmd);
	memset(&kdata, 0, sizeof(kdata));
	if (_IOC_DIR(ucmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(&kdata, ksize, uarg, usize);
		if (ret)
			return ret;
	}
	/*
	 * A command that changes something must be able to report it: probe
	 * the result area first, so that a bad pointer gets -EFAULT with
	 * nothing done (writing back the caller's own input, or zeroes).
	 */
	if (desc->changes && (_IOC_DIR(ucmd) & _IOC_READ) &&
	    copy_to_user(uarg, &kdata, min(usize, ksize)))
		return -EFAULT;
	ret = desc->fn(s, &kdata);
	if (ret)
		return ret;
	if (_IOC_DIR(ucmd) & _IOC_READ) {
		if (copy_to_user(uarg, &kdata, min(usize, ksize))) {
			if (desc->undo)
				desc->undo(s, &kdata);
			return -EFAULT;
		}
	}
	return 0;
}

static long gomem_ioctl(struct file *file, unsigned int ucmd,
			unsigned long arg)
{
	struct gomem_session *s = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (ucmd == GOMEM_IOC_ALLOC)
		return gomem_ioctl_alloc(s, uarg);
	if (ucmd == GOMEM_IOC_FREE)
		return gomem_ioctl_free(s, uarg);
	if (_IOC_TYPE(ucmd) != GOMEM_IOC_MAGIC ||
	    _IOC_NR(ucmd) >= ARRAY_SIZE(gomem_ioctls))
		return -ENOTTY;
	return gomem_ioctl_table(s, ucmd, uarg);
}

/* ---- mmap ---- */

struct gomem_fault_ctx {
	struct vm_fault *vmf;
	vm_fault_t ret;
};

static int gomem_insert_page(void *data, void *kaddr)
{
	struct gomem_fault_ctx *ctx = data;

	ctx->ret = vmf_insert_pfn(ctx->vmf->vma,
				  ctx->vmf->address & PAGE_MASK,
				  vmalloc_to_pfn(kaddr));
	return 0;
}

/*
 * Pages are inserted while the arena lock is held, and trim zaps mappings
 * under the same lock before it frees a chunk: a fault either maps a page
 * that the zap will remove, or finds no chunk and raises SIGBUS.
 */
static vm_fault_t gomem_fault(struct vm_fault *vmf)
{
	struct gomem_fault_ctx ctx = { .vmf = vmf };
	u64 offset = (u64)vmf->pgoff << PAGE_SHIFT;

	if (gomem_arena_access_page(&gomem_dev.arena, offset,
				    gomem_insert_page, &ctx))
		return VM_FAULT_SIGBUS;
	return ctx.ret;
}

static const struct vm_operations_struct gomem_vm_ops = {
	.fault = gomem_fault,
};

/*
 * vm_flags became read-only behind vm_flags_set() in 6.3; Kbuild defines
 * GOMEM_HAVE_VM_FLAGS_SET when the kernel's headers have it.
 */
static void gomem_vma_set_flags(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef GOMEM_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static int gomem_mmap(struct file *file, struct vm_area_struct *vma)
{
	u64 span = gomem_arena_span(&gomem_dev.arena);
	u64 len = vma->vm_end - vma->vm_start, offset;

	/* Private copies of shared memory make no sense: MAP_SHARED only. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff > span >> PAGE_SHIFT)
		return -EINVAL;
	offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	if (len > span - offset)
		return -EINVAL;
	gomem_vma_set_flags(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &gomem_vm_ops;
	return 0;
}

/* Zap hook: called by trim under the arena lock for each chunk. */
static void gomem_zap(void *data, u64 offset, u64 size)
{
	unmap_mapping_range(gomem_dev.inode->i_mapping, offset, size, 1);
}

/* ---- read / write ---- */

static ssize_t gomem_rw(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos, bool write)
{
	u64 span = gomem_arena_span(&gomem_dev.arena), pos = *ppos;
	size_t done = 0, want, n;
	void *bounce;
	ssize_t ret = 0;

	if (*ppos < 0)
		return -EINVAL;
	if (pos >= span || !count)
		return 0;
	count = min_t(u64, count, span - pos);
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		want = min_t(size_t, count - done, PAGE_SIZE);
		if (write && copy_from_user(bounce, ubuf + done, want)) {
			ret = -EFAULT;
			break;
		}
		/* No lock is held while user memory is touched. */
		n = gomem_arena_copy(&gomem_dev.arena, pos + done, bounce, want,
				     write);
		if (!write && copy_to_user(ubuf + done, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
		if (n < want)
			break;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	kfree(bounce);
	if (done) {
		*ppos = pos + done;
		return done;
	}
	return ret ? ret : -ENXIO;
}

static ssize_t gomem_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	return gomem_rw(file, buf, count, ppos, false);
}

static ssize_t gomem_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	return gomem_rw(file, (char __user *)buf, count, ppos, true);
}

/* ---- sessions ---- */

static int gomem_open(struct inode *inode, struct file *file)
{
	struct gomem_session *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	INIT_HLIST_HEAD(&s->regions);
	s->readonly = !(file->f_mode & FMODE_WRITE);
	/* One address_space for every session: trim zaps them all. */
	file->f_mapping = gomem_dev.inode->i_mapping;
	file->private_data = s;
	gomem_lock();
	gomem_dev.sessions++;
	gomem_unlock();
	return 0;
}

/* The last reference to the session's file is gone: close, exit or kill. */
static int gomem_release(struct inode *inode, struct file *file)
{
	struct gomem_session *s = file->private_data;
	u64 bytes, regions;

	gomem_lock();
	regions = gomem_session_recycle_locked(s, &bytes);
	gomem_dev.sessions--;
	gomem_unlock();
	trace_gomem_session_release(gomem_dev.arena.params.name, regions, bytes);
	kfree(s);
	return 0;
}

static const struct file_operations gomem_fops = {
	.owner = THIS_MODULE,
	.open = gomem_open,
	.release = gomem_release,
	.unlocked_ioctl = gomem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = gomem_mmap,
	.read = gomem_read,
	.write = gomem_write,
	.llseek = default_llseek,
};

/* ---- debugfs ---- */

static int gomem_stats_show(struct seq_file *m, void *v)
{
	struct gomem_arena_stats st;

	gomem_arena_stats(&gomem_dev.arena, &st);
	seq_printf(m, "capacity: %llu\nin_use: %llu\nfree: %llu\n",
		   st.capacity, st.in_use, st.free);
	seq_printf(m, "largest_free: %llu\nchunks: %llu\npeak_in_use: %llu\n",
		   st.largest_free, st.chunks, st.peak_in_use);
	seq_printf(m, "allocs: %llu\nfrees: %llu\nfailed_allocs: %llu\n",
		   st.allocs, st.frees, st.failed_allocs);
	seq_printf(m, "grows: %llu\ntrimmed: %llu\nsessions: %llu\n",
		   st.grows, st.trimmed, READ_ONCE(gomem_dev.sessions));
	seq_printf(m, "relaxed: %llu\n", st.relaxed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gomem_stats);

/* Where the blocks walk is: GOMEM_ARENA_SLICE blocks per lock hold. */
struct gomem_blocks_walk {
	struct seq_file *m;
	unsigned int n;
	u64 next;
};

static int gomem_block_show(void *data, u64 offset, u64 len)
{
	struct gomem_blocks_walk *w = data;

	seq_printf(w->m, "  free %llu %llu\n", offset, len);
	w->next = offset + len;
	return ++w->n >= GOMEM_ARENA_SLICE;
}

/*
 * Every chunk and its free blocks, walked in pieces of GOMEM_ARENA_SLICE
 * blocks, each under one hold of the lock and resumed from the arena
 * offset where the last one stopped (gomem_range_walk_from()): a
 * fragmented arena does not hold everyone up for the whole walk.  The
 * output is therefore not one snapshot: each chunk's header and first
 * blocks are, later pieces show the chunk as it is when they run.
 */
static int gomem_blocks_show(struct seq_file *m, void *v)
{
	struct gomem_blocks_walk w = { .m = m };
	struct gomem_arena *a = &gomem_dev.arena;
	bool inside = false;
	struct gomem_chunk *c;
	unsigned int i;
	u64 pos = 0;

	for (;;) {
		gomem_lock();
		for (i = 0; i < a->nr_chunks; i++)
			if (a->chunks[i]->base + a->chunks[i]->size > pos)
				break;
		if (i == a->nr_chunks) {
			gomem_unlock();
			break;
		}
		c = a->chunks[i];
		w.next = 0;
		if (inside && pos >= c->base)
			w.next = pos - c->base;
		else
			seq_printf(m, "chunk %llu %llu free_bytes %llu blocks %llu\n",
				   c->base, c->size,
				   gomem_range_free_bytes(&c->range),
				   gomem_range_nr_blocks(&c->range));
		w.n = 0;
		inside = gomem_range_walk_from(&c->range, w.next,
					       gomem_block_show, &w);
		pos = c->base + (inside ? w.next : c->size);
		gomem_unlock();
		/* seq_file calls again with a larger buffer. */
		if (seq_has_overflowed(m))
			break;
		cond_resched();
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gomem_blocks);

/* ---- module ---- */

/* "gome": the magic of gomem's pseudo filesystem. */
#define GOMEM_FS_MAGIC	0x676f6d65

static int gomem_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, GOMEM_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * Only the module's own kern_mount() uses it: never registered, so never
 * mountable from userspace.  No .owner, since the mount would then pin the
 * module for good; gomem_exit() unmounts it before the code goes.
 */
static struct file_system_type gomem_fs_type = {
	.name = "gomem",
	.init_fs_context = gomem_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

static int gomem_inode_create(void)
{
	gomem_dev.mnt = kern_mount(&gomem_fs_type);
	if (IS_ERR(gomem_dev.mnt))
		return PTR_ERR(gomem_dev.mnt);
	gomem_dev.inode = alloc_anon_inode(gomem_dev.mnt->mnt_sb);
	if (IS_ERR(gomem_dev.inode)) {
		kern_unmount(gomem_dev.mnt);
		return PTR_ERR(gomem_dev.inode);
	}
	return 0;
}

static void gomem_inode_destroy(void)
{
	iput(gomem_dev.inode);
	kern_unmount(gomem_dev.mnt);
}

static int gomem_parse_params(struct gomem_arena_params *p)
{
	*p = (struct gomem_arena_params) {
		.name = "default",
		.initial_size = initial_size,
		.max_chunk = max_chunk,
		.max_size = max_size,
	};
	if (!strcmp(policy, "treap")) {
		p->policy = GOMEM_POLICY_TREAP;
	} else if (!strcmp(policy, "avl")) {
		p->policy = GOMEM_POLICY_AVL;
	} else {
		pr_err("policy=%s: must be treap or avl\n", policy);
		return -EINVAL;
	}
	if (!strcmp(source, "vmalloc")) {
		p->source = GOMEM_CHUNKS_VMALLOC;
	} else if (!strcmp(source, "buddy")) {
		p->source = GOMEM_CHUNKS_BUDDY;
	} else {
		pr_err("source=%s: must be vmalloc or buddy\n", source);
		return -EINVAL;
	}
	return 0;
}

static int __init gomem_init(void)
{
	struct gomem_arena_params p;
	struct dentry *dir;
	int err;

	err = gomem_parse_params(&p);
	if (err)
		return err;
	err = gomem_range_cache_init();
	if (err)
		return err;
	/* Records are caused by users: charged to their memory cgroup. */
	gomem_owned_cache = KMEM_CACHE(gomem_owned, SLAB_ACCOUNT);
	if (!gomem_owned_cache) {
		err = -ENOMEM;
		goto out_cache;
	}
	err = gomem_arena_init(&gomem_dev.arena, &p);
	if (err) {
		pr_err("cannot create the arena (initial_size=%llu max_chunk=%llu max_size=%llu): %d\n",
		       initial_size, max_chunk, max_size, err);
		goto out_owned;
	}
	gomem_dev.regions = RB_ROOT;
	INIT_HLIST_HEAD(&gomem_dev.spare);
	err = gomem_inode_create();
	if (err)
		goto out_arena;
	gomem_arena_set_zap(&gomem_dev.arena, gomem_zap, NULL);

	gomem_dev.misc = (struct miscdevice) {
		.minor = MISC_DYNAMIC_MINOR,
		.name = "gomem",
		.fops = &gomem_fops,
		.mode = 0660,
	};
	err = misc_register(&gomem_dev.misc);
	if (err)
		goto out_inode;

	gomem_dev.debugfs = debugfs_create_dir("gomem", NULL);
	dir = debugfs_create_dir("default", gomem_dev.debugfs);
	debugfs_create_file("stats", 0444, dir, NULL, &gomem_stats_fops);
	debugfs_create_file("blocks", 0444, dir, NULL, &gomem_blocks_fops);
	pr_info("/dev/gomem: %s arena, %llu bytes first chunk, chunks up to %llu, at most %llu bytes, %s chunks\n",
		policy, p.initial_size, p.max_chunk, p.max_size, source);
	return 0;

out_inode:
	gomem_inode_destroy();
out_arena:
	gomem_arena_destroy(&gomem_dev.arena);
out_owned:
	kmem_cache_destroy(gomem_owned_cache);
out_cache:
	gomem_range_cache_exit();
	return err;
}

/* At unload, when no session is left: free the spare records. */
static void gomem_spare_drain(void)
{
	struct gomem_owned *r;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(r, tmp, &gomem_dev.spare, link)
		kmem_cache_free(gomem_owned_cache, r);
	INIT_HLIST_HEAD(&gomem_dev.spare);
	gomem_dev.nr_spare = 0;
}

static void __exit gomem_exit(void)
{
	debugfs_remove_recursive(gomem_dev.debugfs);
	misc_deregister(&gomem_dev.misc);
	gomem_inode_destroy();
	gomem_arena_destroy(&gomem_dev.arena);
	gomem_spare_drain();
	kmem_cache_destroy(gomem_owned_cache);
	gomem_range_cache_exit();
}

module_init(gomem_init);
module_exit(gomem_exit);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("gomem: a shared memory arena for zero-copy pipelines");
