// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * /dev/gomem: one arena shared by processes.
 *
 * Each open() is a session (struct gomem_session).  Sessions allocate and
 * free regions with ioctl() (include/uapi/gomem.h) and reach the whole
 * arena with mmap(), the file offset being the arena offset.  The device
 * keeps who holds each region in the ownership layer (gomem_owner.c:
 * regions, references, share tokens), each session being one holder, so
 * that a session frees only its own regions, others hold them through
 * tokens, and when the session's last file reference goes, everything it
 * held goes with it.  This file only translates system calls.
 *
 * Mappings: every session's file shares the address_space of one
 * anonymous inode (as DRM does), so trim can zap a chunk from every
 * process before the chunk's memory goes.  Pages are refcounted, mapped
 * at fault time without any lock of gomem's (see gomem_fault()), so that
 * get_user_pages() and everything built on it works on gomem memory.
 *
 * Locking: one lock, the arena's (gomem_arena_lock()), taken inside the
 * ownership layer's calls.  It protects the arena and the records of who
 * holds what, so that a region and its records change together and an
 * ioctl takes one lock (a batch takes it once for all its entries).  The
 * fault path looks chunks up under RCU; only while trim decides about
 * the chunk it wants does it wait for the lock, inside mmap_lock:
 * mmap_lock -> arena lock; trim takes arena lock -> i_mmap_rwsem.
 * Nothing copies to or from user memory while holding it.
 * vm_ops->access (/proc/PID/mem, ptrace) takes it inside mmap_lock, as
 * the fault path may.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/memcontrol.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/pseudo_fs.h>
#include <linux/rbtree.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define CREATE_TRACE_POINTS
#include <gomem_trace.h>

#include "gomem_arena.h"
#include "gomem_owner.h"
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

static unsigned long long front_max;
module_param(front_max, ullong, 0444);
MODULE_PARM_DESC(front_max, "largest region the per-CPU fronts keep when freed, for the next allocation of its size on that CPU (at most 16384; default 0: no fronts)");

/*
 * Each region costs kernel memory outside the arena (a struct gomem_owned
 * and, once freed around, range-tree nodes): about 200 bytes at worst; a
 * reference or a token less.  One record per 128 arena bytes keeps one
 * session's metadata within about the arena's size.
 */
#define GOMEM_REGIONS_PER_BYTE_SHIFT	7
#define GOMEM_SESSION_REGIONS_MIN	4096U

static unsigned int park = 16;
module_param(park, uint, 0444);
MODULE_PARM_DESC(park, "most regions of up to 64 KiB one session keeps when it frees them whole, for its next allocation of their size without the arena lock (at most 32; default 16; 0: none)");

static unsigned int max_session_regions;
module_param(max_session_regions, uint, 0444);
MODULE_PARM_DESC(max_session_regions, "most records (regions owned, regions referenced, tokens outstanding) one session may hold (default 0: max_size / 128, at least 4096)");

static unsigned long long max_session_bytes;
module_param(max_session_bytes, ullong, 0444);
MODULE_PARM_DESC(max_session_bytes, "most bytes one session of /dev/gomem may hold, owned and referenced (default 0: no limit but max_size)");

static unsigned int max_arenas = 64;
module_param(max_arenas, uint, 0444);
MODULE_PARM_DESC(max_arenas, "most private arenas (GOMEM_IOC_ARENA_CREATE) that may exist at once (default 64)");

/* Most named arenas the "arenas" parameter may make. */
#define GOMEM_LOAD_ARENAS_MAX	16

static char *arenas;
module_param(arenas, charp, 0444);
MODULE_PARM_DESC(arenas, "named arenas made and enabled at load, with the device's geometry: NAME[,NAME...], at most 16 (each is configfs gomem/NAME, reconfigurable but not removable, and /dev/gomem-NAME)");

/**
 * struct gomem_device - an arena and who holds what in it
 * @arena: the arena; its lock also protects @owners
 * @owners: who holds which region (gomem_owner.c)
 * @inode: an anonymous inode of gomem's internal mount whose i_mapping
 *         every session's file of this arena uses, so that one
 *         unmap_mapping_range() reaches every process (arenas' offsets
 *         overlap: each has its own)
 * @ref: one per session and per arena descriptor, and the module's for
 *       the device's arena: the arena goes with the last
 * @memcg: a private arena's creator's memory cgroup, made active around
 *         every call that may allocate for the arena (NULL: the device's
 *         arena, charged to nobody)
 * @kind: GOMEM_ARENA_KIND_*
 * @id: 0 for the device's arena, else a private or named arena's number
 * @node: in gomem_arenas (under gomem_arenas_lock)
 * @misc: the device node of the device's arena (/dev/gomem) and of a
 *        named one (/dev/gomem-NAME), registered while it is enabled; its
 *        open() finds the arena from it
 * @misc_name: @misc's name
 * @debugfs: its directory in debugfs, gomem/@name (stats, blocks, regions)
 * @name: for tracepoints, logs, debugfs's gomem/arenas and its directory
 */
struct gomem_device {
	struct gomem_arena arena;
	struct gomem_owners owners;
	struct inode *inode;
	struct kref ref;
	struct mem_cgroup *memcg;
	u32 kind;
	u32 id;
	struct list_head node;
	struct miscdevice misc;
	char misc_name[32];
	struct dentry *debugfs;
	char name[24];
};

/**
 * struct gomem_session - one open() of /dev/gomem, or a GOMEM_IOC_ARENA_OPEN
 * @holder: what it holds (regions, references, tokens) in its arena
 *          (holder.owners is inside the struct gomem_device, which the
 *          session holds a reference to); holder.readonly: opened without
 *          write access: may map read-only, read statistics, and hold
 *          references (claim, share what it holds, cancel, release),
 *          nothing else
 */
struct gomem_session {
	struct gomem_holder holder;
};

/* The session's arena. */
static inline struct gomem_device *gomem_sdev(const struct gomem_session *s)
{
	return container_of(s->holder.owners, struct gomem_device, owners);
}

/* gomem's internal mount, holding every arena's inode. */
static struct vfsmount *gomem_mnt;
/* /dev/gomem's arena. */
static struct gomem_device *gomem_default;
static struct dentry *gomem_debugfs;
/* Private arenas that exist (max_arenas). */
static atomic_t gomem_nr_arenas = ATOMIC_INIT(0);
/* For the numbers of private arenas. */
static atomic_t gomem_arena_seq = ATOMIC_INIT(0);
/* Every arena, for debugfs's gomem/arenas. */
static LIST_HEAD(gomem_arenas);
static DEFINE_MUTEX(gomem_arenas_lock);
/*
 * Sessions come from a cache of their own, charged to the opener's memory
 * cgroup; its constructor keeps it from being merged with other caches,
 * so /sys/kernel/slab/gomem_session counts gomem's sessions alone (the
 * VM tests compare it with the number of open sessions).
 */
static struct kmem_cache *gomem_session_cache;

static void gomem_session_ctor(void *obj)
{
	memset(obj, 0, sizeof(struct gomem_session));
}

/* ---- ioctl ---- */

/**
 * struct gomem_ioctl_kdata - the kernel's copy of an ioctl's argument
 * @arg: the argument struct (first: handlers get its address)
 * @uarg: the caller's struct
 * @id: GOMEM_IOC_ALLOC: the new region's record id, for the undo
 * @file: GOMEM_IOC_ARENA_CREATE: the descriptor's file, installed last
 */
struct gomem_ioctl_kdata {
	union {
		struct gomem_info info;
		struct gomem_alloc alloc;
		struct gomem_free free;
		struct gomem_batch batch;
		struct gomem_stats stats;
		struct gomem_release release;
		struct gomem_arena_create arena_create;
	} arg;
	void __user *uarg;
	u64 id;
	struct file *file;
};

static struct gomem_ioctl_kdata *gomem_kdata(void *data)
{
	return container_of(data, struct gomem_ioctl_kdata, arg);
}

/* GOMEM_IOC_INFO of arena @d, for a session or descriptor @readonly. */
static void gomem_info_fill(struct gomem_device *d, bool readonly,
			    struct gomem_info *info)
{
	const struct gomem_arena_params *p = &d->arena.params;

	info->abi_version = GOMEM_ABI_VERSION;
	info->page_size = PAGE_SIZE;
	info->initial_size = p->initial_size;
	info->max_chunk = p->max_chunk;
	info->max_size = p->max_size;
	info->map_size = gomem_arena_span(&d->arena);
	info->granule = p->granule;
	info->policy = p->policy == GOMEM_POLICY_AVL ? GOMEM_POLICY_AVL_ABI :
						       GOMEM_POLICY_TREAP_ABI;
	info->source = p->source == GOMEM_CHUNKS_BUDDY ? GOMEM_SOURCE_BUDDY :
							 GOMEM_SOURCE_VMALLOC;
	info->session_flags = readonly ? GOMEM_SESSION_READONLY : 0;
	info->max_session_regions = d->owners.max_records;
	info->max_session_bytes = d->owners.max_bytes;
	info->arena_kind = d->kind;
	info->arena_id = d->id;
}

static long gomem_ioc_info(struct gomem_session *s, void *data)
{
	gomem_info_fill(gomem_sdev(s), s->holder.readonly, data);
	return 0;
}

/* Table path: @data is a struct gomem_ioctl_kdata's argument. */
static long gomem_ioc_alloc(struct gomem_session *s, void *data)
{
	struct gomem_alloc *a = data;

	if (a->pad)
		return -EINVAL;
	return gomem_own_alloc(&s->holder, a->size, a->align, a->flags,
			       &a->offset, &gomem_kdata(data)->id);
}

/* Only the region gomem_ioc_alloc() made, if it is still there as made. */
static void gomem_ioc_alloc_undo(struct gomem_session *s, void *data)
{
	struct gomem_alloc *a = data;

	gomem_own_undo(&s->holder, a->offset, a->size, gomem_kdata(data)->id);
}

static long gomem_ioc_free(struct gomem_session *s, void *data)
{
	struct gomem_free *f = data;

	return gomem_own_free(&s->holder, f->offset, f->size);
}

/*
 * Read the fields of @n entries that the kernel uses (offset only for a
 * free), and make sure that the fields it will write can be written: one
 * of them in each page they span (an entry's result, or an alloc's
 * offset) is read and stored back unchanged.  Those are the kernel's
 * outputs, which the caller does not store to during the call, so no
 * store of the caller's is lost, and no input field is written.  Field by
 * field, not one copy_from_user() of the array: a batch uses two thirds
 * of each entry's bytes, and the hardened-usercopy checks of a
 * variable-sized copy cost more than the loads.
 * Return: 0; -EFAULT if any of those fields cannot be read or written,
 * else -EINVAL if any entry's padding is not zero.
 */
static int gomem_batch_read(struct gomem_batch_entry __user *u,
			    struct gomem_batch_entry *e, unsigned int n,
			    bool alloc)
{
	unsigned long probed = ULONG_MAX;
	unsigned int i;
	u32 pad, pads = 0;
	u64 off;
	s32 res;

	if (!user_access_begin(u, n * sizeof(*u)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if (alloc) {
			/* Outputs only: probe the page if not done yet. */
			if ((unsigned long)&u[i].offset >> PAGE_SHIFT != probed) {
				probed = (unsigned long)&u[i].offset >> PAGE_SHIFT;
				unsafe_get_user(off, &u[i].offset, efault);
				unsafe_put_user(off, &u[i].offset, efault);
			}
		} else {
			unsafe_get_user(e[i].offset, &u[i].offset, efault);
		}
		unsafe_get_user(e[i].size, &u[i].size, efault);
		unsafe_get_user(pad, &u[i].pad, efault);
		pads |= pad;
		if ((unsigned long)&u[i].result >> PAGE_SHIFT != probed) {
			probed = (unsigned long)&u[i].result >> PAGE_SHIFT;
			unsafe_get_user(res, &u[i].result, efault);
			unsafe_put_user(res, &u[i].result, efault);
		}
		e[i].pad = 0;
	}
	user_access_end();
	return pads ? -EINVAL : 0;
efault:
	user_access_end();
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

/*
 * Both batches.  The entries are read and their output fields probed
 * (gomem_batch_read()), and @done is probed, before anything is done, so
 * that a bad pointer gets -EFAULT with nothing changed.  If another
 * thread makes them unwritable during the call, the write-back fails:
 * an alloc batch then takes back its allocations (by record id), a free
 * batch's frees stand; -EFAULT either way, as the header says.
 */
static long gomem_ioc_batch(struct gomem_session *s, struct gomem_batch *b,
			    unsigned int cmd)
{
	bool alloc = cmd == GOMEM_IOC_ALLOC_BATCH;
	struct gomem_batch __user *ub = gomem_kdata(b)->uarg;
	struct gomem_batch_entry __user *uent = u64_to_user_ptr(b->entries);
	struct gomem_batch_entry *e;
	struct gomem_owned **recs;
	size_t len;
	long ret;
	u64 *ids;
	u32 done;

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
	/*
	 * An alloc batch's records and their ids go after the entries.  A
	 * user asked for it: failing is -ENOMEM, not a stack dump in the log.
	 */
	e = kvmalloc(len + (alloc ? b->count * (sizeof(*recs) + sizeof(*ids)) :
				    0), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!e)
		return -ENOMEM;
	recs = (void *)e + len;
	ids = (void *)(recs + b->count);
	ret = gomem_batch_read(uent, e, b->count, alloc);
	if (ret)
		goto out;
	/* @done is an output: probed like the entries' results. */
	if (get_user(done, &ub->done) || put_user(done, &ub->done)) {
		ret = -EFAULT;
		goto out;
	}
	if (alloc)
		b->done = gomem_own_alloc_batch(&s->holder, e, b->count,
						b->align, b->flags, recs, ids);
	else if (cmd == GOMEM_IOC_FREE_BATCH)
		b->done = gomem_own_free_batch(&s->holder, e, b->count);
	else
		b->done = gomem_own_release_batch(&s->holder, e, b->count);
	if (gomem_batch_write(uent, e, b->count, alloc) ||
	    put_user(b->done, &ub->done)) {
		/* The caller cannot learn the offsets: take them back. */
		if (alloc)
			gomem_own_undo_batch(&s->holder, e, b->count, ids);
		ret = -EFAULT;
	}
out:
	kvfree(e);
	return ret;
}

static long gomem_ioc_alloc_batch(struct gomem_session *s, void *data)
{
	return gomem_ioc_batch(s, data, GOMEM_IOC_ALLOC_BATCH);
}

static long gomem_ioc_free_batch(struct gomem_session *s, void *data)
{
	return gomem_ioc_batch(s, data, GOMEM_IOC_FREE_BATCH);
}

static long gomem_ioc_release_batch(struct gomem_session *s, void *data)
{
	return gomem_ioc_batch(s, data, GOMEM_IOC_RELEASE_BATCH);
}

/*
 * Is the user field at @p on a page not probed yet (*@probed: the page
 * last probed)?  If so it becomes the page last probed, and the caller
 * probes that the field can be written: reads it and stores it back.
 */
static __always_inline bool gomem_probe_due(const void __user *p,
					    unsigned long *probed)
{
	if ((unsigned long)p >> PAGE_SHIFT == *probed)
		return false;
	*probed = (unsigned long)p >> PAGE_SHIFT;
	return true;
}

/*
 * Read a share batch's inputs and probe its outputs (@token, @result), as
 * gomem_batch_read() does.  Return: 0; -EFAULT; else -EINVAL if any
 * entry's @flags or @pad is not zero.
 */
static int gomem_share_batch_read(struct gomem_share_entry __user *u,
				  struct gomem_share_entry *e, unsigned int n)
{
	unsigned long probed = ULONG_MAX;
	unsigned int i;
	u32 flags, pad, bad = 0;
	u64 tok;
	s32 res;

	if (!user_access_begin(u, n * sizeof(*u)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(e[i].offset, &u[i].offset, efault);
		unsafe_get_user(e[i].size, &u[i].size, efault);
		unsafe_get_user(e[i].claims, &u[i].claims, efault);
		unsafe_get_user(flags, &u[i].flags, efault);
		unsafe_get_user(pad, &u[i].pad, efault);
		bad |= flags | pad;
		if (gomem_probe_due(&u[i].token, &probed)) {
			unsafe_get_user(tok, &u[i].token, efault);
			unsafe_put_user(tok, &u[i].token, efault);
		}
		if (gomem_probe_due(&u[i].result, &probed)) {
			unsafe_get_user(res, &u[i].result, efault);
			unsafe_put_user(res, &u[i].result, efault);
		}
		e[i].flags = 0;
		e[i].pad = 0;
	}
	user_access_end();
	return bad ? -EINVAL : 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* Write back each share entry's result and, if it succeeded, its token. */
static int gomem_share_batch_write(struct gomem_share_entry __user *u,
				   const struct gomem_share_entry *e,
				   unsigned int n)
{
	unsigned int i;

	if (!user_write_access_begin(u, n * sizeof(*u)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if (!e[i].result)
			unsafe_put_user(e[i].token, &u[i].token, efault);
		unsafe_put_user(e[i].result, &u[i].result, efault);
	}
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * Read a claim batch's tokens and probe its outputs (@result, @offset,
 * @size).  Return: 0; -EFAULT; else -EINVAL if any entry's @flags is not
 * zero.
 */
static int gomem_claim_batch_read(struct gomem_claim_entry __user *u,
				  struct gomem_claim_entry *e, unsigned int n)
{
	unsigned long probed = ULONG_MAX;
	unsigned int i;
	u32 flags, bad = 0;
	u64 val;
	s32 res;

	if (!user_access_begin(u, n * sizeof(*u)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(e[i].token, &u[i].token, efault);
		unsafe_get_user(flags, &u[i].flags, efault);
		bad |= flags;
		if (gomem_probe_due(&u[i].result, &probed)) {
			unsafe_get_user(res, &u[i].result, efault);
			unsafe_put_user(res, &u[i].result, efault);
		}
		if (gomem_probe_due(&u[i].offset, &probed)) {
			unsafe_get_user(val, &u[i].offset, efault);
			unsafe_put_user(val, &u[i].offset, efault);
		}
		if (gomem_probe_due(&u[i].size, &probed)) {
			unsafe_get_user(val, &u[i].size, efault);
			unsafe_put_user(val, &u[i].size, efault);
		}
		e[i].flags = 0;
	}
	user_access_end();
	return bad ? -EINVAL : 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* Write back each claim entry's result and, if it succeeded, its range. */
static int gomem_claim_batch_write(struct gomem_claim_entry __user *u,
				   const struct gomem_claim_entry *e,
				   unsigned int n)
{
	unsigned int i;

	if (!user_write_access_begin(u, n * sizeof(*u)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if (!e[i].result) {
			unsafe_put_user(e[i].offset, &u[i].offset, efault);
			unsafe_put_user(e[i].size, &u[i].size, efault);
		}
		unsafe_put_user(e[i].result, &u[i].result, efault);
	}
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * The batch's own fields, as for FREE_BATCH and RELEASE_BATCH, and @done
 * probed (an output).  Return: 0, -EINVAL or -EFAULT.
 */
static int gomem_hold_batch_check(struct gomem_batch *b)
{
	struct gomem_batch __user *ub = gomem_kdata(b)->uarg;
	u32 done;

	if (b->pad || !b->count || b->count > GOMEM_BATCH_MAX || b->flags ||
	    b->align)
		return -EINVAL;
	if (get_user(done, &ub->done) || put_user(done, &ub->done))
		return -EFAULT;
	return 0;
}

/*
 * GOMEM_IOC_SHARE_BATCH.  Everything is checked and probed before any
 * token is made; if the write-back fails after all (another thread
 * unmapped the entries), the tokens are withdrawn: nobody can learn them.
 */
static long gomem_ioc_share_batch(struct gomem_session *s, void *data)
{
	struct gomem_batch *b = data;
	struct gomem_batch __user *ub = gomem_kdata(b)->uarg;
	struct gomem_share_entry __user *uent = u64_to_user_ptr(b->entries);
	struct gomem_share_token **recs;
	struct gomem_share_entry *e;
	long ret;

	ret = gomem_hold_batch_check(b);
	if (ret)
		return ret;
	e = kvmalloc_array(b->count, sizeof(*e) + sizeof(*recs),
			   GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!e)
		return -ENOMEM;
	recs = (void *)(e + b->count);
	ret = gomem_share_batch_read(uent, e, b->count);
	if (ret)
		goto out;
	b->done = gomem_own_share_batch(&s->holder, e, b->count, recs);
	if (gomem_share_batch_write(uent, e, b->count) ||
	    put_user(b->done, &ub->done)) {
		gomem_own_undo_share_batch(&s->holder, e, b->count);
		ret = -EFAULT;
	}
out:
	kvfree(e);
	return ret;
}

/*
 * GOMEM_IOC_CLAIM_BATCH, checked and probed the same way; if the
 * write-back fails, the claims are released (the tokens' claims stay
 * spent, as for GOMEM_IOC_CLAIM).
 */
static long gomem_ioc_claim_batch(struct gomem_session *s, void *data)
{
	struct gomem_batch *b = data;
	struct gomem_batch __user *ub = gomem_kdata(b)->uarg;
	struct gomem_claim_entry __user *uent = u64_to_user_ptr(b->entries);
	struct gomem_reference **recs;
	struct gomem_claim_entry *e;
	long ret;

	ret = gomem_hold_batch_check(b);
	if (ret)
		return ret;
	e = kvmalloc_array(b->count, sizeof(*e) + sizeof(*recs),
			   GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!e)
		return -ENOMEM;
	recs = (void *)(e + b->count);
	ret = gomem_claim_batch_read(uent, e, b->count);
	if (ret)
		goto out;
	b->done = gomem_own_claim_batch(&s->holder, e, b->count, recs);
	if (gomem_claim_batch_write(uent, e, b->count) ||
	    put_user(b->done, &ub->done)) {
		gomem_own_undo_claim_batch(&s->holder, e, b->count);
		ret = -EFAULT;
	}
out:
	kvfree(e);
	return ret;
}

static long gomem_ioc_stats(struct gomem_session *s, void *data)
{
	struct gomem_stats *st = data;
	struct gomem_owner_stats os;
	struct gomem_arena_stats as;

	gomem_own_stats(&s->holder, &os, &as);
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
	st->sessions = os.holders;
	st->session_in_use = os.in_use;
	st->session_regions = os.regions;
	st->session_refs = os.refs;
	st->session_ref_bytes = os.ref_bytes;
	st->session_tokens = os.tokens;
	st->refs = os.all_refs;
	st->tokens = os.all_tokens;
	st->orphans = os.orphans;
	st->orphan_bytes = os.orphan_bytes;
	st->trim_busy = as.trim_busy;
	st->zeroed = os.zeroed;
	st->zero_skipped = os.zero_skipped;
	st->front_held = as.front_held;
	st->parked = os.parked;
	st->session_parked = os.session_parked;
	return 0;
}

static long gomem_ioc_trim(struct gomem_session *s, void *data)
{
	struct gomem_release *rel = data;
	struct gomem_arena *a = &gomem_sdev(s)->arena;
	struct gomem_arena_stats before, after;

	gomem_arena_stats(a, &before);
	rel->bytes = gomem_arena_trim(a);
	gomem_arena_stats(a, &after);
	rel->count = after.trimmed - before.trimmed;
	return 0;
}

static long gomem_ioc_recycle(struct gomem_session *s, void *data)
{
	struct gomem_release *rel = data;

	rel->count = gomem_own_recycle(&s->holder, &rel->bytes);
	return 0;
}

static long gomem_ioc_share(struct gomem_session *s, void *data)
{
	struct gomem_share *sh = data;

	if (sh->flags)
		return -EINVAL;
	return gomem_own_share(&s->holder, sh->offset, sh->size, sh->claims,
			       &sh->token);
}

/* A token the caller cannot learn is no use to anyone: withdraw it. */
static void gomem_ioc_share_undo(struct gomem_session *s, void *data)
{
	struct gomem_share *sh = data;

	gomem_own_cancel(&s->holder, sh->token);
}

static long gomem_ioc_claim(struct gomem_session *s, void *data)
{
	struct gomem_claim *c = data;

	if (c->flags || c->pad)
		return -EINVAL;
	return gomem_own_claim(&s->holder, c->token, &c->offset, &c->size);
}

/* The caller cannot learn where its claim is: release it. */
static void gomem_ioc_claim_undo(struct gomem_session *s, void *data)
{
	struct gomem_claim *c = data;

	gomem_own_release(&s->holder, c->offset);
}

static long gomem_ioc_cancel(struct gomem_session *s, void *data)
{
	struct gomem_token *t = data;

	if (t->flags || t->pad)
		return -EINVAL;
	return gomem_own_cancel(&s->holder, t->token);
}

static long gomem_ioc_release(struct gomem_session *s, void *data)
{
	struct gomem_ref *r = data;

	if (r->flags || r->pad)
		return -EINVAL;
	return gomem_own_release(&s->holder, r->offset);
}

/**
 * struct gomem_ioctl_desc - one ioctl command
 * @cmd: the command as this module defines it (its size is the kernel's)
 * @size_ver0: the struct's first published size (GOMEM_*_SIZE_VER0): a
 *             caller's struct must be at least that big
 * @out_off: offset of the fields the kernel writes back (all of them
 *           outputs only; a batch writes its own)
 * @out_len: their bytes (0: nothing)
 * @fn: the handler; works on a kernel copy of the argument
 * @undo: if set, called when the result cannot be copied back, to take
 *        back what @fn did
 * @done: called once the output is written back (only then may a new
 *        descriptor be installed)
 * @changes: refused (-EBADF) to read-only sessions
 * @holds: changes what the session holds, allowed to read-only sessions:
 *         output fields are probed before, as for @changes
 */
struct gomem_ioctl_desc {
	unsigned int cmd;
	unsigned short size_ver0;
	unsigned short out_off;
	unsigned short out_len;
	long (*fn)(struct gomem_session *s, void *data);
	void (*undo)(struct gomem_session *s, void *data);
	void (*done)(struct gomem_session *s, void *data);
	bool changes;
	bool holds;
};

static long gomem_ioc_arena_create(struct gomem_session *s, void *data);
static void gomem_ioc_arena_undo(struct gomem_session *s, void *data);
static void gomem_ioc_arena_done(struct gomem_session *s, void *data);

static const struct gomem_ioctl_desc gomem_ioctls[] = {
	[_IOC_NR(GOMEM_IOC_INFO)] = {
		.cmd = GOMEM_IOC_INFO, .size_ver0 = GOMEM_INFO_SIZE_VER0,
		.out_len = sizeof(struct gomem_info), .fn = gomem_ioc_info },
	[_IOC_NR(GOMEM_IOC_ALLOC)] = {
		.cmd = GOMEM_IOC_ALLOC, .size_ver0 = GOMEM_ALLOC_SIZE_VER0,
		.out_off = offsetof(struct gomem_alloc, offset),
		.out_len = sizeof_field(struct gomem_alloc, offset),
		.fn = gomem_ioc_alloc, .undo = gomem_ioc_alloc_undo,
		.changes = true },
	[_IOC_NR(GOMEM_IOC_FREE)] = {
		.cmd = GOMEM_IOC_FREE, .size_ver0 = GOMEM_FREE_SIZE_VER0,
		.fn = gomem_ioc_free, .changes = true },
	/* Entries and @done are probed and written back inside. */
	[_IOC_NR(GOMEM_IOC_ALLOC_BATCH)] = {
		.cmd = GOMEM_IOC_ALLOC_BATCH,
		.size_ver0 = GOMEM_BATCH_SIZE_VER0,
		.fn = gomem_ioc_alloc_batch, .changes = true },
	[_IOC_NR(GOMEM_IOC_FREE_BATCH)] = {
		.cmd = GOMEM_IOC_FREE_BATCH,
		.size_ver0 = GOMEM_BATCH_SIZE_VER0,
		.fn = gomem_ioc_free_batch, .changes = true },
	[_IOC_NR(GOMEM_IOC_STATS)] = {
		.cmd = GOMEM_IOC_STATS, .size_ver0 = GOMEM_STATS_SIZE_VER0,
		.out_len = sizeof(struct gomem_stats), .fn = gomem_ioc_stats },
	[_IOC_NR(GOMEM_IOC_TRIM)] = {
		.cmd = GOMEM_IOC_TRIM, .size_ver0 = GOMEM_RELEASE_SIZE_VER0,
		.out_len = sizeof(struct gomem_release), .fn = gomem_ioc_trim,
		.changes = true },
	[_IOC_NR(GOMEM_IOC_RECYCLE)] = {
		.cmd = GOMEM_IOC_RECYCLE, .size_ver0 = GOMEM_RELEASE_SIZE_VER0,
		.out_len = sizeof(struct gomem_release),
		.fn = gomem_ioc_recycle, .changes = true },
	/* Holding needs no write access: read-only sessions may. */
	[_IOC_NR(GOMEM_IOC_SHARE)] = {
		.cmd = GOMEM_IOC_SHARE, .size_ver0 = GOMEM_SHARE_SIZE_VER0,
		.out_off = offsetof(struct gomem_share, token),
		.out_len = sizeof_field(struct gomem_share, token),
		.fn = gomem_ioc_share, .undo = gomem_ioc_share_undo,
		.holds = true },
	[_IOC_NR(GOMEM_IOC_CLAIM)] = {
		.cmd = GOMEM_IOC_CLAIM, .size_ver0 = GOMEM_CLAIM_SIZE_VER0,
		.out_off = offsetof(struct gomem_claim, offset),
		.out_len = sizeof_field(struct gomem_claim, offset) +
			   sizeof_field(struct gomem_claim, size),
		.fn = gomem_ioc_claim, .undo = gomem_ioc_claim_undo,
		.holds = true },
	[_IOC_NR(GOMEM_IOC_CANCEL)] = {
		.cmd = GOMEM_IOC_CANCEL, .size_ver0 = GOMEM_TOKEN_SIZE_VER0,
		.fn = gomem_ioc_cancel, .holds = true },
	[_IOC_NR(GOMEM_IOC_RELEASE)] = {
		.cmd = GOMEM_IOC_RELEASE, .size_ver0 = GOMEM_REF_SIZE_VER0,
		.fn = gomem_ioc_release, .holds = true },
	[_IOC_NR(GOMEM_IOC_RELEASE_BATCH)] = {
		.cmd = GOMEM_IOC_RELEASE_BATCH,
		.size_ver0 = GOMEM_BATCH_SIZE_VER0,
		.fn = gomem_ioc_release_batch, .holds = true },
	[_IOC_NR(GOMEM_IOC_SHARE_BATCH)] = {
		.cmd = GOMEM_IOC_SHARE_BATCH,
		.size_ver0 = GOMEM_BATCH_SIZE_VER0,
		.fn = gomem_ioc_share_batch, .holds = true },
	[_IOC_NR(GOMEM_IOC_CLAIM_BATCH)] = {
		.cmd = GOMEM_IOC_CLAIM_BATCH,
		.size_ver0 = GOMEM_BATCH_SIZE_VER0,
		.fn = gomem_ioc_claim_batch, .holds = true },
	[_IOC_NR(GOMEM_IOC_ARENA_CREATE)] = {
		.cmd = GOMEM_IOC_ARENA_CREATE,
		.size_ver0 = GOMEM_ARENA_CREATE_SIZE_VER0,
		.out_off = offsetof(struct gomem_arena_create, fd),
		.out_len = sizeof_field(struct gomem_arena_create, fd),
		.fn = gomem_ioc_arena_create, .undo = gomem_ioc_arena_undo,
		.done = gomem_ioc_arena_done, .changes = true },
};

/*
 * GOMEM_IOC_ALLOC at this module's struct size, without the generic
 * copies (the hot path: a constant size skips the hardened-usercopy
 * checks, and one user access window reads the request and probes that
 * the offset, an output only, can be written, by storing back what it
 * holds).  If the offset cannot be written after all (another thread
 * unmapped it meanwhile), the region is taken back by its record id.
 * Same semantics as the table's gomem_ioc_alloc().
 */
static long gomem_ioctl_alloc(struct gomem_session *s,
			      struct gomem_alloc __user *ua)
{
	struct gomem_alloc a;
	long err;
	u64 id;

	if (s->holder.readonly)
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

	if (a.pad)
		return -EINVAL;
	err = gomem_own_alloc(&s->holder, a.size, a.align, a.flags, &a.offset,
			      &id);
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
	gomem_own_undo(&s->holder, a.offset, a.size, id);
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

	if (s->holder.readonly)
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
 * Write the output fields of @k back to the caller's struct of @usize
 * bytes: those inside it, and for an output-only struct larger than ours,
 * zeroes over the caller's extra bytes (copy_struct_to_user(), which 6.1
 * lacks).  An in-out struct's extra bytes were checked to be zero on the
 * way in and are not written.
 */
static int gomem_ioctl_out(const struct gomem_ioctl_desc *desc,
			   const struct gomem_ioctl_kdata *k, unsigned int ucmd,
			   unsigned int usize)
{
	unsigned int ksize = _IOC_SIZE(desc->cmd);
	unsigned int end = min_t(unsigned int, usize,
				 desc->out_off + desc->out_len);

	if (end > desc->out_off &&
	    copy_to_user(k->uarg + desc->out_off,
			 (const void *)&k->arg + desc->out_off,
			 end - desc->out_off))
		return -EFAULT;
	if (!(_IOC_DIR(ucmd) & _IOC_WRITE) && usize > ksize &&
	    clear_user(k->uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

/*
 * Table-driven, like drivers/dma-buf/dma-heap.c: the command's number
 * picks the handler; the caller's struct may be smaller than ours, but no
 * smaller than the struct's first version (-EINVAL: a size that cuts an
 * input or an output field), the missing tail reading as zero; or larger:
 * an in-out struct's extra bytes must be zero (copy_struct_from_user()
 * says -E2BIG otherwise), an output-only struct's extra bytes are zeroed.
 * Every command but the two hot ones (gomem_ioctl_alloc(),
 * gomem_ioctl_free()) comes here, with a number inside the table.
 * Not inlined into gomem_ioctl(): the kernel's stack auto-initialisation
 * zeroes its argument buffer on entry, a cost the hot paths need not pay.
 */
static noinline long gomem_ioctl_table(struct gomem_session *s,
				       unsigned int ucmd, void __user *uarg)
{
	const struct gomem_ioctl_desc *desc;
	struct gomem_ioctl_kdata k;
	unsigned int nr = _IOC_NR(ucmd), usize, ksize;
	long ret;

	nr = array_index_nospec(nr, ARRAY_SIZE(gomem_ioctls));
	desc = &gomem_ioctls[nr];
	if (!desc->fn || _IOC_DIR(ucmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;
	if (desc->changes && s->holder.readonly)
		return -EBADF;

	usize = _IOC_SIZE(ucmd);
	ksize = _IOC_SIZE(desc->cmd);
	if (usize < desc->size_ver0)
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	k.uarg = uarg;
	if (_IOC_DIR(ucmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(&k.arg, ksize, uarg, usize);
		if (ret)
			return ret;
	}
	/*
	 * A command that changes something must be able to report it: write
	 * its output fields first (the caller's own values of them, or an
	 * output-only struct's zeroes), never an input field, so that a bad
	 * pointer gets -EFAULT with nothing done.
	 */
	if ((desc->changes || desc->holds) &&
	    gomem_ioctl_out(desc, &k, ucmd, usize))
		return -EFAULT;
	ret = desc->fn(s, &k.arg);
	if (ret)
		return ret;
	if (gomem_ioctl_out(desc, &k, ucmd, usize)) {
		if (desc->undo)
			desc->undo(s, &k.arg);
		return -EFAULT;
	}
	if (desc->done)
		desc->done(s, &k.arg);
	return 0;
}

static __always_inline long gomem_ioctl_cmd(struct gomem_session *s,
					    unsigned int ucmd,
					    void __user *uarg)
{
	if (ucmd == GOMEM_IOC_ALLOC)
		return gomem_ioctl_alloc(s, uarg);
	if (ucmd == GOMEM_IOC_FREE)
		return gomem_ioctl_free(s, uarg);
	if (_IOC_TYPE(ucmd) != GOMEM_IOC_MAGIC ||
	    _IOC_NR(ucmd) >= ARRAY_SIZE(gomem_ioctls))
		return -ENOTTY;
	return gomem_ioctl_table(s, ucmd, uarg);
}

static long gomem_ioctl(struct file *file, unsigned int ucmd,
			unsigned long arg)
{
	struct gomem_session *s = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct mem_cgroup *memcg = gomem_sdev(s)->memcg, *old = NULL;
	long ret;

	/*
	 * A private arena's memory is charged to its creator's cgroup.  One
	 * call site of gomem_ioctl_cmd(): two made the compiler keep the hot
	 * handlers out of line, a call and a return more per ioctl.
	 */
	if (unlikely(memcg))
		old = set_active_memcg(memcg);
	ret = gomem_ioctl_cmd(s, ucmd, uarg);
	if (unlikely(memcg))
		set_active_memcg(old);
	return ret;
}

/* ---- mmap ---- */

/*
 * Faults take no lock of gomem's: the chunk is looked up under RCU and the
 * page's reference taken inside the read-side section; the core mm maps
 * it (a refcounted page, not a PFN, so get_user_pages() works on gomem
 * memory: O_DIRECT, io_uring fixed buffers, vmsplice, process_vm_readv).
 * Trim takes a chunk away from lookups, waits a grace period, zaps its
 * mappings and releases it only if then no page has a reference left
 * (gomem_zap()), so a page of a released chunk is never mapped, pinned
 * or reused while pinned.
 */
static vm_fault_t gomem_fault(struct vm_fault *vmf)
{
	struct gomem_session *s = vmf->vma->vm_file->private_data;
	u64 offset = (u64)vmf->pgoff << PAGE_SHIFT;
	struct gomem_arena *a = &gomem_sdev(s)->arena;
	struct page *page;
	void *kaddr;

	for (;;) {
		rcu_read_lock();
		kaddr = gomem_arena_lookup_rcu(a, offset);
		if (!IS_ERR_OR_NULL(kaddr)) {
			page = vmalloc_to_page(kaddr);
			get_page(page);
			rcu_read_unlock();
			vmf->page = page;
			return 0;
		}
		rcu_read_unlock();
		if (!kaddr)
			return VM_FAULT_SIGBUS;
		/* Trim is deciding about this chunk: wait for it. */
		gomem_arena_trim_wait(a);
	}
}

/*
 * access_remote_vm() (/proc/PID/mem, ptrace, gdb) where get_user_pages()
 * did not map the page: copy through the arena, which stops at the first
 * byte no chunk backs, as a fault would.  Writes need a
 * writable mapping, as for a fault.  Called with the mapping's mmap_lock
 * held, the order the fault path takes (mmap_lock -> arena lock).
 * Return: bytes copied; -EIO if none (unbacked); -EACCES a write to a
 * mapping that is not writable.
 */
static int gomem_access(struct vm_area_struct *vma, unsigned long addr,
			void *buf, int len, int write)
{
	u64 offset = ((u64)vma->vm_pgoff << PAGE_SHIFT) +
		     (addr - vma->vm_start);
	struct gomem_session *s = vma->vm_file->private_data;
	size_t n;

	/* The callers pass their gup flags: FOLL_WRITE is a write. */
	write &= FOLL_WRITE;
	if (write && !(vma->vm_flags & VM_WRITE))
		return -EACCES;
	if (len <= 0)
		return 0;
	len = min_t(unsigned long, len, vma->vm_end - addr);
	n = gomem_arena_copy(&gomem_sdev(s)->arena, offset, buf, len, write);
	return n ? n : -EIO;
}

/*
 * Fault-around: the core mm calls this on a read fault (never on a write
 * to a shared mapping) for the pages around the faulting one that share
 * its page table.  Each page backed by a live chunk and not mapped yet is
 * inserted as gomem_fault() would map it, its lookup and its reference
 * (vm_insert_page() takes one and installs the PTE) in one RCU read-side
 * section, so trim's grace period, zap and reference count see it.  6.12
 * calls this inside rcu_read_lock(), so nothing here may sleep: without a
 * page table (allocating one sleeps) it maps nothing and ->fault does.
 * vm_insert_page() from a fault handler wants VM_MIXEDMAP (gomem_mmap()).
 */
static vm_fault_t gomem_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				  pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	struct gomem_session *s = vma->vm_file->private_data;
	struct gomem_arena *a = &gomem_sdev(s)->arena;
	vm_fault_t ret = 0;
	unsigned long addr;
	pgoff_t pgoff;
	void *kaddr;

	if (pmd_none(*vmf->pmd))
		return 0;
	rcu_read_lock();
	for (pgoff = start_pgoff; pgoff <= end_pgoff; pgoff++) {
		kaddr = gomem_arena_lookup_rcu(a, (u64)pgoff << PAGE_SHIFT);
		if (IS_ERR_OR_NULL(kaddr))
			continue;
		addr = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		if (vm_insert_page(vma, addr, vmalloc_to_page(kaddr)))
			continue;
		if (pgoff == vmf->pgoff)
			ret = VM_FAULT_NOPAGE;
	}
	rcu_read_unlock();
	return ret;
}

static const struct vm_operations_struct gomem_vm_ops = {
	.fault = gomem_fault,
	.map_pages = gomem_map_pages,
	.access = gomem_access,
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
	struct gomem_session *s = file->private_data;
	u64 span = gomem_arena_span(&gomem_sdev(s)->arena);
	u64 len = vma->vm_end - vma->vm_start, offset;

	/* Private copies of shared memory make no sense: MAP_SHARED only. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff > span >> PAGE_SHIFT)
		return -EINVAL;
	offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	if (len > span - offset)
		return -EINVAL;
	/*
	 * Not VM_PFNMAP: the pages are refcounted (gomem_fault()).  Not
	 * VM_IO either, which would refuse get_user_pages().  VM_MIXEDMAP
	 * because gomem_map_pages() calls vm_insert_page() from a fault,
	 * which wants it set already; the pages stay normal pages to the
	 * core mm (vm_normal_page() finds them: GUP, rmap, zap).
	 */
	gomem_vma_set_flags(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_MIXEDMAP);
	vma->vm_ops = &gomem_vm_ops;
	return 0;
}

/*
 * Zap hook: called by trim under the arena lock for each chunk it would
 * release, after a grace period since lookups stopped finding the chunk.
 * Every reference to a page besides vmalloc's own is then a mapping
 * (which the zap removes: the mmu_gather drops its references before
 * unmap_mapping_range() returns) or a get_user_pages() one, a pin: the
 * chunk stays while one is left.
 */
static int gomem_zap(void *data, u64 offset, void *mem, u64 size)
{
	struct gomem_device *d = data;
	u64 done;

	unmap_mapping_range(d->inode->i_mapping, offset, size, 1);
	for (done = 0; done < size; done += PAGE_SIZE)
		if (page_count(vmalloc_to_page(mem + done)) != 1)
			return -EBUSY;
	return 0;
}

/* ---- read / write ---- */

static ssize_t gomem_rw(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos, bool write)
{
	struct gomem_session *s = file->private_data;
	struct gomem_arena *a = &gomem_sdev(s)->arena;
	u64 span = gomem_arena_span(a), pos = *ppos;
	size_t done = 0, want, n;
	void *bounce;
	ssize_t ret = 0;

	if (*ppos < 0)
		return -EINVAL;
	if (pos >= span || !count)
		return 0;
	count = min_t(u64, count, span - pos);
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		want = min_t(size_t, count - done, PAGE_SIZE);
		if (write && copy_from_user(bounce, ubuf + done, want)) {
			ret = -EFAULT;
			break;
		}
		/* No lock is held while user memory is touched. */
		n = gomem_arena_copy(a, pos + done, bounce, want, write);
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

/* ---- arenas ---- */

static void gomem_device_free(struct kref *ref)
{
	struct gomem_device *d = container_of(ref, struct gomem_device, ref);

	/* Waits for readers of its files. */
	debugfs_remove_recursive(d->debugfs);
	mutex_lock(&gomem_arenas_lock);
	list_del(&d->node);
	mutex_unlock(&gomem_arenas_lock);
	gomem_owners_destroy(&d->owners);
	gomem_arena_destroy(&d->arena);
	iput(d->inode);
	if (d->memcg)
		mem_cgroup_put(d->memcg);
	if (d->kind == GOMEM_ARENA_KIND_PRIVATE)
		atomic_dec(&gomem_nr_arenas);
	kfree(d);
}

/* Context: process context, may sleep (the arena may go). */
static void gomem_device_put(struct gomem_device *d)
{
	kref_put(&d->ref, gomem_device_free);
}

static const struct file_operations gomem_stats_fops;
static const struct file_operations gomem_blocks_fops;
static const struct file_operations gomem_regions_fops;

/*
 * debugfs gomem/NAME/{stats,blocks,regions} of @d.  None if the name is
 * taken (a named arena enabled again while sessions keep the last one).
 */
static void gomem_device_debugfs(struct gomem_device *d)
{
	struct dentry *old = debugfs_lookup(d->name, gomem_debugfs);

	/* An ERR_PTR: no debugfs (the calls below are no-ops then). */
	if (!IS_ERR_OR_NULL(old)) {
		dput(old);
		return;
	}
	d->debugfs = debugfs_create_dir(d->name, gomem_debugfs);
	debugfs_create_file("stats", 0444, d->debugfs, d, &gomem_stats_fops);
	debugfs_create_file("blocks", 0444, d->debugfs, d, &gomem_blocks_fops);
	debugfs_create_file("regions", 0444, d->debugfs, d,
			    &gomem_regions_fops);
}

/*
 * A new arena: its first chunk, records and inode.  @memcg (a reference
 * the arena takes over on success; NULL for none) is charged for its
 * memory.  Return: the arena with one reference, or an ERR_PTR.
 */
static struct gomem_device *gomem_device_create(const struct gomem_arena_params *p,
						u64 max_records, u64 max_bytes,
						u32 kind, struct mem_cgroup *memcg)
{
	struct gomem_arena_params params = *p;
	struct mem_cgroup *old;
	struct gomem_device *d;
	int err;

	old = set_active_memcg(memcg);
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!d) {
		err = -ENOMEM;
		goto out;
	}
	if (kind == GOMEM_ARENA_KIND_PRIVATE) {
		d->id = atomic_inc_return(&gomem_arena_seq);
		snprintf(d->name, sizeof(d->name), "private-%u", d->id);
	} else if (kind == GOMEM_ARENA_KIND_NAMED) {
		d->id = atomic_inc_return(&gomem_arena_seq);
		snprintf(d->name, sizeof(d->name), "named-%s", p->name);
	} else {
		strscpy(d->name, "default", sizeof(d->name));
	}
	params.name = d->name;
	params.account = !!memcg;
	err = gomem_arena_init(&d->arena, &params);
	if (err)
		goto out_free;
	d->inode = alloc_anon_inode(gomem_mnt->mnt_sb);
	if (IS_ERR(d->inode)) {
		err = PTR_ERR(d->inode);
		goto out_arena;
	}
	gomem_owners_init(&d->owners, &d->arena, max_records);
	d->owners.max_bytes = max_bytes;
	d->owners.park_max = park;
	gomem_arena_set_zap(&d->arena, gomem_zap, d);
	kref_init(&d->ref);
	d->memcg = memcg;
	d->kind = kind;
	mutex_lock(&gomem_arenas_lock);
	list_add_tail(&d->node, &gomem_arenas);
	mutex_unlock(&gomem_arenas_lock);
	gomem_device_debugfs(d);
	set_active_memcg(old);
	return d;

out_arena:
	gomem_arena_destroy(&d->arena);
out_free:
	kfree(d);
out:
	set_active_memcg(old);
	return ERR_PTR(err);
}

/* ---- sessions ---- */

/* A session of @d (which it takes a reference of), read-only or not. */
static struct gomem_session *gomem_session_new(struct gomem_device *d,
					       bool readonly)
{
	struct gomem_session *s;

	s = kmem_cache_alloc(gomem_session_cache, GFP_KERNEL | __GFP_NOWARN);
	if (!s)
		return NULL;
	kref_get(&d->ref);
	gomem_holder_init(&d->owners, &s->holder);
	s->holder.readonly = readonly;
	return s;
}

/*
 * Everything @s held goes: its regions (those others hold stay for them),
 * its references, its outstanding tokens; then its reference to its
 * arena, which may be the last.
 */
static void gomem_session_end(struct gomem_session *s)
{
	struct gomem_device *d = gomem_sdev(s);
	struct gomem_reclaim rc;

	gomem_holder_exit(&s->holder, &rc);
	trace_gomem_session_release(d->name, rc.regions, rc.bytes);
	kmem_cache_free(gomem_session_cache, s);
	gomem_device_put(d);
}

/*
 * open() of /dev/gomem or of a named arena's node: a session of its arena.
 * The misc core calls this with its list lock held and private_data set
 * to the struct miscdevice, which misc_deregister() waits for: the arena
 * is alive here, and the session's reference keeps it so.
 */
static int gomem_open(struct inode *inode, struct file *file)
{
	struct gomem_device *d = container_of(file->private_data,
					      struct gomem_device, misc);
	struct gomem_session *s;

	s = gomem_session_new(d, !(file->f_mode & FMODE_WRITE));
	if (!s)
		return -ENOMEM;
	/* One address_space for every session of the arena: trim zaps all. */
	file->f_mapping = d->inode->i_mapping;
	file->private_data = s;
	return 0;
}

/* The last reference to the session's file is gone: close, exit or kill. */
static int gomem_release(struct inode *inode, struct file *file)
{
	gomem_session_end(file->private_data);
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

/* ---- private arenas ---- */

/*
 * An arena descriptor: file->private_data is its struct gomem_device, of
 * which it holds a reference; read-only if not FMODE_WRITE.
 */
static int gomem_arena_release(struct inode *inode, struct file *file)
{
	gomem_device_put(file->private_data);
	return 0;
}

/*
 * A new session file of @d: a file of gomem's internal mount on the
 * arena's inode (so its mapping is the arena's), which no path names and
 * /proc cannot reopen (the inode has no open method: -ENXIO).  Return:
 * the file, or an ERR_PTR; the reserved descriptor is the caller's.
 */
static struct file *gomem_session_file(struct gomem_device *d, bool readonly)
{
	struct gomem_session *s;
	struct file *file;

	s = gomem_session_new(d, readonly);
	if (!s)
		return ERR_PTR(-ENOMEM);
	/* The file's release puts the module, as for any opened file. */
	__module_get(THIS_MODULE);
	ihold(d->inode);
	file = alloc_file_pseudo(d->inode, gomem_mnt, "gomem",
				 readonly ? O_RDONLY : O_RDWR, &gomem_fops);
	if (IS_ERR(file)) {
		iput(d->inode);
		module_put(THIS_MODULE);
		gomem_session_end(s);
		return file;
	}
	file->f_mode |= FMODE_PREAD | FMODE_PWRITE;
	file->private_data = s;
	return file;
}

static const struct file_operations gomem_arena_fops;

/*
 * GOMEM_IOC_ARENA_OPEN (a session) or GOMEM_IOC_ARENA_DUP (an arena
 * descriptor) on arena descriptor @file: the new file is made and its
 * number written back before it is installed, so that -EFAULT leaves
 * nothing behind.
 */
static long gomem_arena_derive(struct file *file, unsigned int cmd,
			       struct gomem_arena_open __user *u)
{
	struct gomem_device *d = file->private_data;
	struct gomem_arena_open o;
	struct file *nf;
	bool readonly;
	int fd, err;

	if (_IOC_SIZE(cmd) < GOMEM_ARENA_OPEN_SIZE_VER0)
		return -EINVAL;
	err = copy_struct_from_user(&o, sizeof(o), u, _IOC_SIZE(cmd));
	if (err)
		return err;
	if (o.flags & ~(GOMEM_ARENA_READONLY | GOMEM_ARENA_CLOEXEC))
		return -EINVAL;
	readonly = o.flags & GOMEM_ARENA_READONLY;
	if (!readonly && !(file->f_mode & FMODE_WRITE))
		return -EBADF;
	fd = get_unused_fd_flags(o.flags & GOMEM_ARENA_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0)
		return fd;
	if (_IOC_NR(cmd) == _IOC_NR(GOMEM_IOC_ARENA_OPEN)) {
		nf = gomem_session_file(d, readonly);
	} else {
		kref_get(&d->ref);
		nf = anon_inode_getfile("[gomem-arena]", &gomem_arena_fops, d,
					readonly ? O_RDONLY : O_RDWR);
		if (IS_ERR(nf))
			gomem_device_put(d);
	}
	if (IS_ERR(nf)) {
		put_unused_fd(fd);
		return PTR_ERR(nf);
	}
	if (put_user(fd, &u->fd)) {
		fput(nf);
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, nf);
	return 0;
}

/* GOMEM_IOC_INFO on an arena descriptor, at the caller's struct size. */
static long gomem_arena_info(struct file *file, unsigned int cmd,
			     void __user *u)
{
	unsigned int usize = _IOC_SIZE(cmd);
	struct gomem_info info = { 0 };

	if (usize < GOMEM_INFO_SIZE_VER0)
		return -EINVAL;
	gomem_info_fill(file->private_data, !(file->f_mode & FMODE_WRITE),
			&info);
	if (copy_to_user(u, &info, min_t(unsigned int, usize, sizeof(info))))
		return -EFAULT;
	if (usize > sizeof(info) &&
	    clear_user(u + sizeof(info), usize - sizeof(info)))
		return -EFAULT;
	return 0;
}

static long gomem_arena_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct gomem_device *d = file->private_data;
	void __user *u = (void __user *)arg;
	struct mem_cgroup *old;
	long ret;

	if (_IOC_TYPE(cmd) != GOMEM_IOC_MAGIC)
		return -ENOTTY;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(GOMEM_IOC_INFO):
		if (_IOC_DIR(cmd) != _IOC_DIR(GOMEM_IOC_INFO))
			return -ENOTTY;
		return gomem_arena_info(file, cmd, u);
	case _IOC_NR(GOMEM_IOC_ARENA_OPEN):
	case _IOC_NR(GOMEM_IOC_ARENA_DUP):
		if (_IOC_DIR(cmd) != _IOC_DIR(GOMEM_IOC_ARENA_OPEN))
			return -ENOTTY;
		/* The session is charged as the arena is. */
		old = set_active_memcg(d->memcg);
		ret = gomem_arena_derive(file, cmd, u);
		set_active_memcg(old);
		return ret;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations gomem_arena_fops = {
	.owner = THIS_MODULE,
	.release = gomem_arena_release,
	.unlocked_ioctl = gomem_arena_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * GOMEM_IOC_ARENA_CREATE, table path: the arena and its descriptor's file
 * are made here, the number reserved; gomem_ioc_arena_done() installs it
 * once the number is written back, gomem_ioc_arena_undo() drops both if
 * it cannot be.
 */
static long gomem_ioc_arena_create(struct gomem_session *s, void *data)
{
	struct gomem_ioctl_kdata *k = gomem_kdata(data);
	struct gomem_arena_create *c = data;
	struct gomem_arena_params p = { 0 };
	u64 records, bytes = c->max_session_bytes;
	struct mem_cgroup *memcg;
	struct gomem_device *d;
	struct file *file;
	long err;
	int fd;

	if (c->flags & ~GOMEM_ARENA_CLOEXEC)
		return -EINVAL;
	if (c->policy == GOMEM_POLICY_TREAP_ABI)
		p.policy = GOMEM_POLICY_TREAP;
	else if (c->policy == GOMEM_POLICY_AVL_ABI)
		p.policy = GOMEM_POLICY_AVL;
	else
		return -EINVAL;
	if (c->source == GOMEM_SOURCE_VMALLOC)
		p.source = GOMEM_CHUNKS_VMALLOC;
	else if (c->source == GOMEM_SOURCE_BUDDY)
		p.source = GOMEM_CHUNKS_BUDDY;
	else
		return -EINVAL;
	p.max_size = c->max_size ? c->max_size : max_size;
	if (p.max_size > max_size)
		return -EINVAL;
	p.max_chunk = c->max_chunk ? c->max_chunk :
		      min_t(u64, GOMEM_ARENA_DEFAULT_MAX_CHUNK, p.max_size);
	p.initial_size = c->initial_size ? c->initial_size :
			 min_t(u64, SZ_1M, p.max_chunk);
	records = c->max_session_regions;
	if (!records)
		records = clamp_t(u64, p.max_size >> GOMEM_REGIONS_PER_BYTE_SHIFT,
				  GOMEM_SESSION_REGIONS_MIN, UINT_MAX);
	/* Records are kernel memory a session makes: no more than here. */
	if (records > max(max_session_regions, GOMEM_SESSION_REGIONS_MIN))
		return -EINVAL;

	if (atomic_inc_return(&gomem_nr_arenas) > max_arenas) {
		atomic_dec(&gomem_nr_arenas);
		return -EMFILE;
	}
	memcg = get_mem_cgroup_from_mm(current->mm);
	d = gomem_device_create(&p, records, bytes, GOMEM_ARENA_KIND_PRIVATE,
				memcg);
	if (IS_ERR(d)) {
		if (memcg)
			mem_cgroup_put(memcg);
		atomic_dec(&gomem_nr_arenas);
		return PTR_ERR(d);
	}
	fd = get_unused_fd_flags(c->flags & GOMEM_ARENA_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	file = anon_inode_getfile("[gomem-arena]", &gomem_arena_fops, d,
				  O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		err = PTR_ERR(file);
		goto out;
	}
	k->file = file;
	c->fd = fd;
	return 0;
out:
	gomem_device_put(d);
	return err;
}

static void gomem_ioc_arena_undo(struct gomem_session *s, void *data)
{
	struct gomem_arena_create *c = data;

	fput(gomem_kdata(data)->file);
	put_unused_fd(c->fd);
}

static void gomem_ioc_arena_done(struct gomem_session *s, void *data)
{
	struct gomem_arena_create *c = data;

	fd_install(c->fd, gomem_kdata(data)->file);
}

/* ---- named arenas (configfs) ---- */

/*
 * Register @d's device node, /dev/@name (mode 0660; udev rules give it
 * its owner, group and mode).  Context: process context, may sleep.
 */
static int gomem_device_register(struct gomem_device *d, const char *name)
{
	strscpy(d->misc_name, name, sizeof(d->misc_name));
	d->misc = (struct miscdevice) {
		.minor = MISC_DYNAMIC_MINOR,
		.name = d->misc_name,
		.fops = &gomem_fops,
		.mode = 0660,
	};
	return misc_register(&d->misc);
}

/* Longest name of a named arena: /dev/gomem-NAME. */
#define GOMEM_NAME_MAX	16

/* The attributes of a named arena but enable, indexes of gomem_named.val. */
enum gomem_named_attr {
	named_initial_size,
	named_max_chunk,
	named_max_size,
	named_max_session_bytes,
	named_max_session_regions,
	named_policy,
	named_source,
	named_account,
	named_nr_attrs,
};

/* The names "policy" and "source" take, by enum value. */
static const char *const gomem_named_policy_names[] = {
	[GOMEM_POLICY_TREAP] = "treap",
	[GOMEM_POLICY_AVL] = "avl",
};

static const char *const gomem_named_source_names[] = {
	[GOMEM_CHUNKS_VMALLOC] = "vmalloc",
	[GOMEM_CHUNKS_BUDDY] = "buddy",
};

/**
 * struct gomem_named - a named arena: a directory of configfs's gomem/
 * @group: its configfs directory
 * @lock: protects the rest
 * @val: initial_size, max_chunk, max_size (its arena's geometry),
 *       max_session_bytes (0: no limit), max_session_regions (0: as the
 *       device's default), policy and source (enum gomem_policy and
 *       gomem_chunk_source) and account (1: charge the arena to the memory
 *       cgroup of whoever enables it), by enum gomem_named_attr
 * @p: the rest of its arena's parameters (the device's, no front)
 * @dev: the arena while enabled, NULL before (one reference, dropped on
 *       disabling or rmdir; sessions keep their own)
 *
 * mkdir /sys/kernel/config/gomem/NAME makes one, its attributes set the
 * geometry, "enable" 1 creates the arena and /dev/gomem-NAME, "enable" 0
 * or rmdir removes the node (sessions open on it keep the arena until
 * they go).  Attributes other than enable are read-only while enabled
 * (-EBUSY).
 */
struct gomem_named {
	struct config_group group;
	struct mutex lock;	/* protects the rest */
	u64 val[named_nr_attrs];
	struct gomem_arena_params p;
	struct gomem_device *dev;
};

static struct gomem_named *to_gomem_named(struct config_item *item)
{
	return container_of(item, struct gomem_named, group.cg_item);
}

static u64 gomem_named_get(struct config_item *item, enum gomem_named_attr i)
{
	struct gomem_named *n = to_gomem_named(item);
	u64 v;

	mutex_lock(&n->lock);
	v = n->val[i];
	mutex_unlock(&n->lock);
	return v;
}

/* Store @v in attribute @i: -EBUSY while enabled, else @len. */
static ssize_t gomem_named_set(struct config_item *item,
			       enum gomem_named_attr i, u64 v, size_t len)
{
	struct gomem_named *n = to_gomem_named(item);
	ssize_t ret = len;

	mutex_lock(&n->lock);
	if (n->dev)
		ret = -EBUSY;
	else
		n->val[i] = v;
	mutex_unlock(&n->lock);
	return ret;
}

#define GOMEM_NAMED_U64_ATTR(_field)					\
static ssize_t gomem_named_##_field##_show(struct config_item *item,	\
					   char *page)			\
{									\
	return sprintf(page, "%llu\n",					\
		       gomem_named_get(item, named_##_field));		\
}									\
static ssize_t gomem_named_##_field##_store(struct config_item *item,	\
					    const char *page, size_t len) \
{									\
	u64 v;								\
									\
	if (kstrtou64(page, 0, &v))					\
		return -EINVAL;						\
	return gomem_named_set(item, named_##_field, v, len);		\
}									\
CONFIGFS_ATTR(gomem_named_, _field)

GOMEM_NAMED_U64_ATTR(initial_size);
GOMEM_NAMED_U64_ATTR(max_chunk);
GOMEM_NAMED_U64_ATTR(max_size);
GOMEM_NAMED_U64_ATTR(max_session_bytes);
GOMEM_NAMED_U64_ATTR(max_session_regions);

/* An attribute that takes one of gomem_named_<_field>_names. */
#define GOMEM_NAMED_CHOICE_ATTR(_field)					\
static ssize_t gomem_named_##_field##_show(struct config_item *item,	\
					   char *page)			\
{									\
	return sprintf(page, "%s\n",					\
		       gomem_named_##_field##_names[gomem_named_get(item,	\
						named_##_field)]);	\
}									\
static ssize_t gomem_named_##_field##_store(struct config_item *item,	\
					    const char *page, size_t len) \
{									\
	int v = sysfs_match_string(gomem_named_##_field##_names, page); \
									\
	if (v < 0)							\
		return -EINVAL;						\
	return gomem_named_set(item, named_##_field, v, len);		\
}									\
CONFIGFS_ATTR(gomem_named_, _field)

GOMEM_NAMED_CHOICE_ATTR(policy);
GOMEM_NAMED_CHOICE_ATTR(source);

static ssize_t gomem_named_account_show(struct config_item *item, char *page)
{
	return sprintf(page, "%llu\n", gomem_named_get(item, named_account));
}

static ssize_t gomem_named_account_store(struct config_item *item,
					 const char *page, size_t len)
{
	bool v;

	if (kstrtobool(page, &v))
		return -EINVAL;
	return gomem_named_set(item, named_account, v, len);
}
CONFIGFS_ATTR(gomem_named_, account);

/* Take @n's arena and node away, if enabled.  Caller holds n->lock. */
static void gomem_named_disable(struct gomem_named *n)
{
	if (!n->dev)
		return;
	/* Waits for an open() in progress; none can start after. */
	misc_deregister(&n->dev->misc);
	gomem_device_put(n->dev);
	n->dev = NULL;
}

static int gomem_named_enable(struct gomem_named *n)
{
	struct gomem_arena_params p = n->p;
	struct mem_cgroup *memcg = NULL;
	struct gomem_device *d;
	char node[32];
	u64 records;
	int err;

	if (n->dev)
		return 0;
	p.initial_size = n->val[named_initial_size];
	p.max_chunk = n->val[named_max_chunk];
	p.max_size = n->val[named_max_size];
	p.policy = n->val[named_policy];
	p.source = n->val[named_source];
	records = n->val[named_max_session_regions];
	if (!records)
		records = clamp_t(u64, p.max_size >> GOMEM_REGIONS_PER_BYTE_SHIFT,
				  GOMEM_SESSION_REGIONS_MIN, UINT_MAX);
	if (n->val[named_account])
		memcg = get_mem_cgroup_from_mm(current->mm);
	d = gomem_device_create(&p, records, n->val[named_max_session_bytes],
				GOMEM_ARENA_KIND_NAMED, memcg);
	if (IS_ERR(d)) {
		if (memcg)
			mem_cgroup_put(memcg);
		return PTR_ERR(d);
	}
	snprintf(node, sizeof(node), "gomem-%s", config_item_name(&n->group.cg_item));
	err = gomem_device_register(d, node);
	if (err) {
		gomem_device_put(d);
		return err;
	}
	n->dev = d;
	return 0;
}

static ssize_t gomem_named_enable_show(struct config_item *item, char *page)
{
	struct gomem_named *n = to_gomem_named(item);
	bool on;

	mutex_lock(&n->lock);
	on = n->dev;
	mutex_unlock(&n->lock);
	return sprintf(page, "%d\n", on);
}

static ssize_t gomem_named_enable_store(struct config_item *item,
					const char *page, size_t len)
{
	struct gomem_named *n = to_gomem_named(item);
	int err = 0;
	bool v;

	if (kstrtobool(page, &v))
		return -EINVAL;
	mutex_lock(&n->lock);
	if (v)
		err = gomem_named_enable(n);
	else
		gomem_named_disable(n);
	mutex_unlock(&n->lock);
	return err ? err : len;
}
CONFIGFS_ATTR(gomem_named_, enable);

static struct configfs_attribute *gomem_named_attrs[] = {
	&gomem_named_attr_initial_size,
	&gomem_named_attr_max_chunk,
	&gomem_named_attr_max_size,
	&gomem_named_attr_max_session_bytes,
	&gomem_named_attr_max_session_regions,
	&gomem_named_attr_policy,
	&gomem_named_attr_source,
	&gomem_named_attr_account,
	&gomem_named_attr_enable,
	NULL,
};

static void gomem_named_release(struct config_item *item)
{
	kfree(to_gomem_named(item));
}

static struct configfs_item_operations gomem_named_item_ops = {
	.release = gomem_named_release,
};

static const struct config_item_type gomem_named_type = {
	.ct_item_ops = &gomem_named_item_ops,
	.ct_attrs = gomem_named_attrs,
	.ct_owner = THIS_MODULE,
};

/* A name is 1 to GOMEM_NAME_MAX of [a-z0-9_-], not starting with '-'. */
static bool gomem_named_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len > GOMEM_NAME_MAX || name[0] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!islower(name[i]) && !isdigit(name[i]) &&
		    name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

/* A named arena called @name, with the device's geometry, not enabled. */
static struct gomem_named *gomem_named_new(const char *name)
{
	struct gomem_named *n;

	if (!gomem_named_valid(name))
		return ERR_PTR(-EINVAL);
	n = kzalloc(sizeof(*n), GFP_KERNEL | __GFP_NOWARN);
	if (!n)
		return ERR_PTR(-ENOMEM);
	mutex_init(&n->lock);
	/* The device's geometry until told otherwise; no front. */
	n->p = gomem_default->arena.params;
	n->p.front_max = 0;
	n->p.account = false;
	n->val[named_initial_size] = n->p.initial_size;
	n->val[named_max_chunk] = n->p.max_chunk;
	n->val[named_max_size] = n->p.max_size;
	n->val[named_policy] = n->p.policy;
	n->val[named_source] = n->p.source;
	config_group_init_type_name(&n->group, name, &gomem_named_type);
	n->p.name = config_item_name(&n->group.cg_item);
	return n;
}

/* mkdir gomem/NAME */
static struct config_group *gomem_named_make(struct config_group *group,
					     const char *name)
{
	struct gomem_named *n = gomem_named_new(name);

	return IS_ERR(n) ? ERR_CAST(n) : &n->group;
}

/* rmdir: the node goes; sessions open on it keep the arena. */
static void gomem_named_drop(struct config_group *group,
			     struct config_item *item)
{
	struct gomem_named *n = to_gomem_named(item);

	mutex_lock(&n->lock);
	gomem_named_disable(n);
	mutex_unlock(&n->lock);
	config_item_put(item);
}

static struct configfs_group_operations gomem_cfs_group_ops = {
	.make_group = gomem_named_make,
	.drop_item = gomem_named_drop,
};

static const struct config_item_type gomem_cfs_type = {
	.ct_group_ops = &gomem_cfs_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem gomem_cfs = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "gomem",
			.ci_type = &gomem_cfs_type,
		},
	},
};

/* The named arenas of the "arenas" parameter, made at load. */
static struct gomem_named *gomem_load_arenas[GOMEM_LOAD_ARENAS_MAX];
static unsigned int gomem_nr_load_arenas;

/* Disable and remove the arenas made at load; no configfs write runs. */
static void gomem_load_arenas_remove(void)
{
	struct gomem_named *n;

	while (gomem_nr_load_arenas) {
		n = gomem_load_arenas[--gomem_nr_load_arenas];
		mutex_lock(&n->lock);
		gomem_named_disable(n);
		mutex_unlock(&n->lock);
		configfs_unregister_group(&n->group);
		config_group_put(&n->group);
	}
}

/*
 * Make and enable each arena the "arenas" parameter names: a directory
 * of configfs's gomem/ that rmdir refuses (-EPERM) and whose attributes
 * work as a mkdir'ed one's.  A bad name, a repeated one, more than
 * GOMEM_LOAD_ARENAS_MAX or an arena that cannot be made fails the load.
 */
static int gomem_load_arenas_make(void)
{
	char *list, *rest, *name;
	struct gomem_named *n;
	int err = 0;

	if (!arenas || !*arenas)
		return 0;
	list = kstrdup(arenas, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	rest = list;
	while ((name = strsep(&rest, ","))) {
		if (gomem_nr_load_arenas == GOMEM_LOAD_ARENAS_MAX) {
			pr_err("arenas: more than %d names\n",
			       GOMEM_LOAD_ARENAS_MAX);
			err = -EINVAL;
			break;
		}
		n = gomem_named_new(name);
		if (IS_ERR(n)) {
			err = PTR_ERR(n);
			pr_err("arenas: bad name '%s'\n", name);
			break;
		}
		err = configfs_register_group(&gomem_cfs.su_group, &n->group);
		if (err) {
			pr_err("arenas: cannot make gomem/%s: %d\n", name, err);
			config_group_put(&n->group);
			break;
		}
		gomem_load_arenas[gomem_nr_load_arenas++] = n;
		mutex_lock(&n->lock);
		err = gomem_named_enable(n);
		mutex_unlock(&n->lock);
		if (err) {
			pr_err("arenas: cannot enable %s: %d\n", name, err);
			break;
		}
	}
	kfree(list);
	if (err)
		gomem_load_arenas_remove();
	return err;
}

static int gomem_named_init(void)
{
	int err;

	config_group_init(&gomem_cfs.su_group);
	mutex_init(&gomem_cfs.su_mutex);
	err = configfs_register_subsystem(&gomem_cfs);
	if (err)
		return err;
	err = gomem_load_arenas_make();
	if (err)
		configfs_unregister_subsystem(&gomem_cfs);
	return err;
}

static void gomem_named_exit(void)
{
	gomem_load_arenas_remove();
	configfs_unregister_subsystem(&gomem_cfs);
}

/* ---- debugfs ---- */

static int gomem_stats_show(struct seq_file *m, void *v)
{
	struct gomem_device *d = m->private;
	struct gomem_owner_stats os;
	struct gomem_arena_stats st;

	gomem_owners_stats(&d->owners, &os, &st);
	seq_printf(m, "capacity: %llu\nin_use: %llu\nfree: %llu\n",
		   st.capacity, st.in_use, st.free);
	seq_printf(m, "largest_free: %llu\nchunks: %llu\npeak_in_use: %llu\n",
		   st.largest_free, st.chunks, st.peak_in_use);
	seq_printf(m, "allocs: %llu\nfrees: %llu\nfailed_allocs: %llu\n",
		   st.allocs, st.frees, st.failed_allocs);
	seq_printf(m, "grows: %llu\ntrimmed: %llu\nsessions: %llu\n",
		   st.grows, st.trimmed, os.holders);
	seq_printf(m, "relaxed: %llu\nrefs: %llu\ntokens: %llu\n", st.relaxed,
		   os.all_refs, os.all_tokens);
	seq_printf(m, "orphans: %llu\norphan_bytes: %llu\ntrim_busy: %llu\n",
		   os.orphans, os.orphan_bytes, st.trim_busy);
	seq_printf(m, "zeroed: %llu\nzero_skipped: %llu\nfront_held: %llu\n",
		   os.zeroed, os.zero_skipped, st.front_held);
	seq_printf(m, "parked: %llu\nparked_regions: %llu\npark_hits: %llu\n",
		   os.parked, os.parked_regions, os.park_hits);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gomem_stats);

/*
 * Every arena, one line each: name, kind, sessions, arena descriptors and
 * sessions holding it (refs), capacity, in_use, max_size.
 */
static int gomem_arenas_show(struct seq_file *m, void *v)
{
	struct gomem_owner_stats os;
	struct gomem_arena_stats st;
	struct gomem_device *d;

	mutex_lock(&gomem_arenas_lock);
	list_for_each_entry(d, &gomem_arenas, node) {
		gomem_owners_stats(&d->owners, &os, &st);
		seq_printf(m, "%s %s sessions %llu refs %u capacity %llu in_use %llu max_size %llu\n",
			   d->name,
			   d->kind == GOMEM_ARENA_KIND_PRIVATE ? "private" :
			   d->kind == GOMEM_ARENA_KIND_NAMED ? "named" : "device",
			   READ_ONCE(d->owners.holders), kref_read(&d->ref),
			   st.capacity, st.in_use, d->arena.params.max_size);
	}
	mutex_unlock(&gomem_arenas_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gomem_arenas);

/* Where the regions walk is: GOMEM_ARENA_SLICE regions per lock hold. */
struct gomem_regions_walk {
	struct seq_file *m;
	unsigned int n;
	u64 next;
};

static int gomem_region_show(void *data,
			     const struct gomem_owner_region_info *ri)
{
	struct gomem_regions_walk *w = data;

	seq_printf(w->m, "region %llu %llu id %llu owner %llu refs %llu claims %llu tokens %llu\n",
		   ri->offset, ri->size, ri->id, ri->owner, ri->refs,
		   ri->claims, ri->tokens);
	w->next = ri->offset + ri->size;
	return ++w->n >= GOMEM_ARENA_SLICE;
}

/*
 * Every live region and its holds ("owner 0": its owner let go, others
 * hold it), GOMEM_ARENA_SLICE regions per hold of the lock, resumed from
 * where the last slice stopped: not one snapshot, as for blocks.
 */
static int gomem_regions_show(struct seq_file *m, void *v)
{
	struct gomem_regions_walk w = { .m = m };
	struct gomem_device *d = m->private;

	do {
		w.n = 0;
		if (!gomem_owners_walk(&d->owners, w.next,
				       gomem_region_show, &w))
			break;
		if (seq_has_overflowed(m))
			break;
		cond_resched();
	} while (true);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gomem_regions);

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
	struct gomem_device *d = m->private;
	struct gomem_arena *a = &d->arena;
	bool inside = false;
	struct gomem_chunk *c;
	unsigned int i;
	u64 pos = 0;

	for (;;) {
		gomem_arena_lock(a);
		for (i = 0; i < a->nr_chunks; i++)
			if (a->chunks[i]->base + a->chunks[i]->size > pos)
				break;
		if (i == a->nr_chunks) {
			gomem_arena_unlock(a);
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
		gomem_arena_unlock(a);
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

static int gomem_parse_params(struct gomem_arena_params *p)
{
	*p = (struct gomem_arena_params) {
		.name = "default",
		.initial_size = initial_size,
		.max_chunk = max_chunk,
		.max_size = max_size,
		.front_max = front_max,
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
	if (park > GOMEM_PARK_MAX) {
		pr_err("park=%u: at most %u\n", park, GOMEM_PARK_MAX);
		return -EINVAL;
	}
	return 0;
}

static int __init gomem_init(void)
{
	struct gomem_arena_params p;
	int err;

	BUILD_BUG_ON(offsetofend(struct gomem_info, session_flags) !=
		     GOMEM_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_alloc) != GOMEM_ALLOC_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_free) != GOMEM_FREE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_batch) != GOMEM_BATCH_SIZE_VER0);
	BUILD_BUG_ON(offsetofend(struct gomem_stats, session_regions) !=
		     GOMEM_STATS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_release) != GOMEM_RELEASE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_share) != GOMEM_SHARE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_claim) != GOMEM_CLAIM_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_share_entry) !=
		     GOMEM_SHARE_ENTRY_SIZE);
	BUILD_BUG_ON(sizeof(struct gomem_claim_entry) !=
		     GOMEM_CLAIM_ENTRY_SIZE);
	BUILD_BUG_ON(sizeof(struct gomem_token) != GOMEM_TOKEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_ref) != GOMEM_REF_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_arena_create) !=
		     GOMEM_ARENA_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gomem_arena_open) !=
		     GOMEM_ARENA_OPEN_SIZE_VER0);
	err = gomem_parse_params(&p);
	if (err)
		return err;
	if (!max_session_regions)
		max_session_regions = clamp_t(u64, max_size >>
					      GOMEM_REGIONS_PER_BYTE_SHIFT,
					      GOMEM_SESSION_REGIONS_MIN,
					      UINT_MAX);
	err = gomem_range_cache_init();
	if (err)
		return err;
	/* Records are caused by users: charged to their memory cgroup. */
	err = gomem_owner_cache_init();
	if (err)
		goto out_cache;
	gomem_session_cache = kmem_cache_create("gomem_session",
						sizeof(struct gomem_session), 0,
						SLAB_ACCOUNT, gomem_session_ctor);
	if (!gomem_session_cache) {
		err = -ENOMEM;
		goto out_owned;
	}
	gomem_mnt = kern_mount(&gomem_fs_type);
	if (IS_ERR(gomem_mnt)) {
		err = PTR_ERR(gomem_mnt);
		goto out_owned;
	}
	/* Each arena's directory goes in it: gomem/default first. */
	gomem_debugfs = debugfs_create_dir("gomem", NULL);
	debugfs_create_file("arenas", 0444, gomem_debugfs, NULL,
			    &gomem_arenas_fops);
	gomem_default = gomem_device_create(&p, max_session_regions,
					    max_session_bytes,
					    GOMEM_ARENA_KIND_DEVICE, NULL);
	if (IS_ERR(gomem_default)) {
		err = PTR_ERR(gomem_default);
		pr_err("cannot create the arena (initial_size=%llu max_chunk=%llu max_size=%llu): %d\n",
		       initial_size, max_chunk, max_size, err);
		goto out_mnt;
	}

	err = gomem_device_register(gomem_default, "gomem");
	if (err)
		goto out_default;
	err = gomem_named_init();
	if (err)
		goto out_misc;

	pr_info("/dev/gomem: %s arena, %llu bytes first chunk, chunks up to %llu, at most %llu bytes, %s chunks\n",
		policy, p.initial_size, p.max_chunk, p.max_size, source);
	return 0;

out_misc:
	misc_deregister(&gomem_default->misc);
out_default:
	gomem_device_put(gomem_default);
out_mnt:
	debugfs_remove_recursive(gomem_debugfs);
	kern_unmount(gomem_mnt);
out_owned:
	kmem_cache_destroy(gomem_session_cache);
	gomem_owner_cache_exit();
out_cache:
	gomem_range_cache_exit();
	return err;
}

/*
 * No session or arena descriptor is open (each holds the module), so the
 * device's arena has only the module's reference and every private arena
 * is gone.
 */
static void __exit gomem_exit(void)
{
	gomem_named_exit();
	misc_deregister(&gomem_default->misc);
	WARN_ON(kref_read(&gomem_default->ref) != 1);
	gomem_device_put(gomem_default);
	debugfs_remove_recursive(gomem_debugfs);
	kern_unmount(gomem_mnt);
	kmem_cache_destroy(gomem_session_cache);
	gomem_owner_cache_exit();
	gomem_range_cache_exit();
}

module_init(gomem_init);
module_exit(gomem_exit);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("gomem: a shared memory arena for zero-copy pipelines");
