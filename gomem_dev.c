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
 * Locking: gomem_dev.lock (regions, sessions) nests outside the arena's
 * lock.  The fault path takes only the arena lock: mmap_lock -> arena lock
 * -> page table lock; trim takes arena lock -> i_mmap_rwsem.  Nothing
 * copies to or from user memory while holding either lock.
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

/**
 * struct gomem_device - the device and its one arena
 * @arena: the shared arena
 * @lock: protects @regions, every session's region list and counters, and
 *        @sessions
 * @regions: every live region of every session, by offset
 * @sessions: open sessions
 * @mnt: an internal mount of gomem's pseudo filesystem, holding @inode
 * @inode: an anonymous inode whose i_mapping every session's file uses, so
 *         that one unmap_mapping_range() reaches every process
 * @misc: /dev/gomem
 * @debugfs: gomem/default/ in debugfs
 */
struct gomem_device {
	struct gomem_arena arena;
	struct mutex lock;	/* regions, sessions; outside the arena lock */
	struct rb_root regions;
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
	struct list_head regions;
	u64 in_use;
	u64 nr_regions;
	bool readonly;
};

/**
 * struct gomem_owned - a region and the session that owns it
 * @node: in gomem_device.regions
 * @link: in the owner's list
 * @offset: arena offset
 * @size: bytes, a multiple of the granule
 * @owner: the session that allocated it
 */
struct gomem_owned {
	struct rb_node node;
	struct list_head link;
	u64 offset;
	u64 size;
	struct gomem_session *owner;
};

static struct gomem_device gomem_dev;

static u64 gomem_granule(void)
{
	return gomem_dev.arena.params.granule;
}

/* The region holding @offset, or NULL.  Caller holds gomem_dev.lock. */
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

/* Record [@offset, @offset + @size) as one of @s's regions. */
static void gomem_region_link(struct gomem_session *s, struct gomem_owned *r,
			      u64 offset, u64 size)
{
	r->offset = offset;
	r->size = size;
	r->owner = s;
	gomem_region_insert(r);
	list_add_tail(&r->link, &s->regions);
	s->nr_regions++;
}

static int gomem_session_alloc(struct gomem_session *s, u64 size, u64 align,
			       u32 flags, u64 *offset)
{
	struct gomem_owned *r;
	int err;

	if (flags & ~GOMEM_ALLOC_NOZERO)
		return -EINVAL;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = gomem_arena_alloc(&gomem_dev.arena, size, align ? align : 1,
				flags & GOMEM_ALLOC_NOZERO ? 0 : GOMEM_ALLOC_ZERO,
				offset);
	if (err) {
		kfree(r);
		return err;
	}
	size = ALIGN(size, gomem_granule());
	mutex_lock(&gomem_dev.lock);
	gomem_region_link(s, r, *offset, size);
	s->in_use += size;
	mutex_unlock(&gomem_dev.lock);
	return 0;
}

/* Drop [offset, offset + size) from region @r, splitting it with @spare. */
static void gomem_region_cut(struct gomem_session *s, struct gomem_owned *r,
			     u64 offset, u64 size, struct gomem_owned **spare)
{
	u64 end = offset + size, rend = r->offset + r->size;

	s->in_use -= size;
	if (offset == r->offset && end == rend) {
		rb_erase(&r->node, &gomem_dev.regions);
		list_del(&r->link);
		s->nr_regions--;
		kfree(r);
	} else if (offset == r->offset) {
		/* Shrinks from the front: keeps its place in the tree. */
		r->offset = end;
		r->size = rend - end;
	} else {
		r->size = offset - r->offset;
		if (end < rend) {
			gomem_region_link(s, *spare, end, rend - end);
			*spare = NULL;
		}
	}
}

static int gomem_session_free(struct gomem_session *s, u64 offset, u64 size)
{
	struct gomem_owned *r, *spare = NULL;
	u64 g = gomem_granule();
	int err;

	if (!size || !IS_ALIGNED(offset, g))
		return -EINVAL;
retry:
	mutex_lock(&gomem_dev.lock);
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
		/*
		 * Only a free from the middle splits the region; get its
		 * second half's record outside the lock, then look again.
		 */
		if (!spare && offset > r->offset &&
		    offset + size < r->offset + r->size) {
			mutex_unlock(&gomem_dev.lock);
			spare = kzalloc(sizeof(*spare), GFP_KERNEL);
			if (!spare)
				return -ENOMEM;
			goto retry;
		}
		err = gomem_arena_free(&gomem_dev.arena, offset, size);
		if (!err)
			gomem_region_cut(s, r, offset, size, &spare);
	}
	mutex_unlock(&gomem_dev.lock);
	kfree(spare);
	return err;
}

/* Free every region of @s.  Return: regions freed; *@bytes their bytes. */
static u64 gomem_session_recycle(struct gomem_session *s, u64 *bytes)
{
	struct gomem_owned *r, *tmp;
	u64 n = 0;

	*bytes = 0;
	mutex_lock(&gomem_dev.lock);
	list_for_each_entry_safe(r, tmp, &s->regions, link) {
		WARN_ON(gomem_arena_free(&gomem_dev.arena, r->offset, r->size));
		rb_erase(&r->node, &gomem_dev.regions);
		list_del(&r->link);
		*bytes += r->size;
		n++;
		kfree(r);
	}
	s->in_use = 0;
	s->nr_regions = 0;
	mutex_unlock(&gomem_dev.lock);
	return n;
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

static void gomem_ioc_alloc_undo(struct gomem_session *s, void *data)
{
	struct gomem_alloc *a = data;

	WARN_ON(gomem_session_free(s, a->offset, a->size));
}

static long gomem_ioc_free(struct gomem_session *s, void *data)
{
	struct gomem_free *f = data;

	return gomem_session_free(s, f->offset, f->size);
}

static long gomem_ioc_batch(struct gomem_session *s, struct gomem_batch *b,
			    bool alloc)
{
	struct gomem_batch_entry __user *uent = u64_to_user_ptr(b->entries);
	struct gomem_batch_entry *e;
	unsigned int i;
	long ret = 0;

	if (b->pad || !b->count || b->count > GOMEM_BATCH_MAX)
		return -EINVAL;
	if (!alloc && (b->flags || b->align))
		return -EINVAL;
	if (alloc && (b->flags & ~GOMEM_ALLOC_NOZERO))
		return -EINVAL;
	/* A bad alignment is a bad argument, not 1024 failed entries. */
	if (alloc && b->align && !gomem_valid_align(b->align))
		return -EINVAL;
	e = kvmalloc_array(b->count, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	if (copy_from_user(e, uent, b->count * sizeof(*e))) {
		ret = -EFAULT;
		goto out;
	}
	for (i = 0; i < b->count; i++) {
		if (e[i].pad) {
			ret = -EINVAL;
			goto out;
		}
	}
	/*
	 * Make sure the results can be written back before doing anything:
	 * a read-only entries array gets -EFAULT with nothing changed.
	 */
	if (copy_to_user(uent, e, b->count * sizeof(*e))) {
		ret = -EFAULT;
		goto out;
	}
	b->done = 0;
	for (i = 0; i < b->count; i++) {
		if (alloc)
			e[i].result = gomem_session_alloc(s, e[i].size, b->align,
							  b->flags,
							  &e[i].offset);
		else
			e[i].result = gomem_session_free(s, e[i].offset,
							 e[i].size);
		if (!e[i].result)
			b->done++;
	}
	if (copy_to_user(uent, e, b->count * sizeof(*e))) {
		/* The caller cannot learn the offsets: take them back. */
		for (i = 0; alloc && i < b->count; i++)
			if (!e[i].result)
				WARN_ON(gomem_session_free(s, e[i].offset,
							   e[i].size));
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
	mutex_lock(&gomem_dev.lock);
	st->sessions = gomem_dev.sessions;
	st->session_in_use = s->in_use;
	st->session_regions = s->nr_regions;
	mutex_unlock(&gomem_dev.lock);
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

	rel->count = gomem_session_recycle(s, &rel->bytes);
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
 * Table-driven, like drivers/dma-buf/dma-heap.c: the command's number
 * picks the handler; the caller's struct may be smaller than ours (the
 * missing tail reads as zero) or larger (its extra bytes must be zero:
 * copy_struct_from_user() says -E2BIG otherwise).
 */
static long gomem_ioctl(struct file *file, unsigned int ucmd,
			unsigned long arg)
{
	struct gomem_session *s = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct gomem_ioctl_desc *desc;
	union gomem_ioctl_arg kdata;
	unsigned int nr = _IOC_NR(ucmd), usize, ksize;
	long ret;

	if (_IOC_TYPE(ucmd) != GOMEM_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(gomem_ioctls))
		return -ENOTTY;
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
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
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

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	INIT_LIST_HEAD(&s->regions);
	s->readonly = !(file->f_mode & FMODE_WRITE);
	/* One address_space for every session: trim zaps them all. */
	file->f_mapping = gomem_dev.inode->i_mapping;
	file->private_data = s;
	mutex_lock(&gomem_dev.lock);
	gomem_dev.sessions++;
	mutex_unlock(&gomem_dev.lock);
	return 0;
}

/* The last reference to the session's file is gone: close, exit or kill. */
static int gomem_release(struct inode *inode, struct file *file)
{
	struct gomem_session *s = file->private_data;
	u64 bytes, regions;

	regions = gomem_session_recycle(s, &bytes);
	trace_gomem_session_release(gomem_dev.arena.params.name, regions, bytes);
	mutex_lock(&gomem_dev.lock);
	gomem_dev.sessions--;
	mutex_unlock(&gomem_dev.lock);
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
		   st.grows, st.trimmed, gomem_dev.sessions);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gomem_stats);

static int gomem_block_show(void *data, u64 offset, u64 len)
{
	struct seq_file *m = data;

	seq_printf(m, "  free %llu %llu\n", offset, len);
	return 0;
}

static int gomem_blocks_show(struct seq_file *m, void *v)
{
	struct gomem_arena *a = &gomem_dev.arena;
	struct gomem_chunk *c;
	unsigned int i;

	mutex_lock(&a->lock);
	for (i = 0; i < a->nr_chunks; i++) {
		c = a->chunks[i];
		seq_printf(m, "chunk %llu %llu free_bytes %llu blocks %llu\n",
			   c->base, c->size, gomem_range_free_bytes(&c->range),
			   gomem_range_nr_blocks(&c->range));
		gomem_range_walk(&c->range, gomem_block_show, m);
	}
	mutex_unlock(&a->lock);
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
	err = gomem_arena_init(&gomem_dev.arena, &p);
	if (err) {
		pr_err("cannot create the arena (initial_size=%llu max_chunk=%llu max_size=%llu): %d\n",
		       initial_size, max_chunk, max_size, err);
		goto out_cache;
	}
	mutex_init(&gomem_dev.lock);
	gomem_dev.regions = RB_ROOT;
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
out_cache:
	gomem_range_cache_exit();
	return err;
}

static void __exit gomem_exit(void)
{
	debugfs_remove_recursive(gomem_dev.debugfs);
	misc_deregister(&gomem_dev.misc);
	gomem_inode_destroy();
	gomem_arena_destroy(&gomem_dev.arena);
	gomem_range_cache_exit();
}

module_init(gomem_init);
module_exit(gomem_exit);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("gomem: a shared memory arena for zero-copy pipelines");
