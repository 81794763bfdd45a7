// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgomem: sessions, the stable mapping, regions, batches, hand-off
 * (share tokens and references), recyclable memory.  The region cache is
 * gomem_cache.c; the reader is ../../gomem_reader.c, compiled into the
 * library as it is (see Makefile).  The contract is in include/gomem.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gomem.h"
#include "gomem_cache.h"

#define GOMEM_EXPORT __attribute__((visibility("default")))

struct gomem {
	int fd;
	bool readonly;
	char *base;
	uint64_t map_size;
	uint64_t granule;
	uint64_t page_size;
	struct gomem_cache *cache;	/* NULL: off (GOMEM_LIB_NOCACHE) */
};

struct gomem_rec_entry {
	uint64_t offset;
	uint64_t size;
};

struct gomem_recyclable {
	struct gomem *g;
	struct gomem_rec_entry *v;
	size_t n;
	size_t cap;
	uint64_t bytes;
};

/* Entries per batch ioctl the library builds on its stack. */
#define GOMEM_LIB_BATCH	256

static int gomem_ioctl(const struct gomem *g, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(g->fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

static int gomem_batch_call(struct gomem *g, unsigned long cmd,
			    struct gomem_batch_entry *e, unsigned int n,
			    size_t align, unsigned int flags);

/* The cache's refill: @n regions of @size, not zeroed, in one batch. */
static int gomem_cache_dev_alloc(void *ctx, uint64_t size, uint64_t *offs,
				 unsigned int n)
{
	struct gomem_batch_entry e[64];
	struct gomem *g = ctx;
	unsigned int i, got = 0;
	int err, first = 0;

	if (n > 64)
		n = 64;
	memset(e, 0, n * sizeof(e[0]));
	for (i = 0; i < n; i++)
		e[i].size = size;
	/* Zeroed: the kernel clears only bytes not this session's own. */
	err = gomem_batch_call(g, GOMEM_IOC_ALLOC_BATCH, e, n, 0, 0);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (!e[i].result && e[i].offset < g->map_size)
			offs[got++] = e[i].offset;
		else if (!first)
			first = e[i].result ? e[i].result : -EPROTO;
	}
	return got ? (int)got : first;
}

/* The cache gives back @n regions of @size in one batch. */
static int gomem_cache_dev_free(void *ctx, uint64_t size, const uint64_t *offs,
				unsigned int n)
{
	struct gomem_batch_entry e[64];
	unsigned int i, k;
	int err = 0, r;

	while (n) {
		k = n > 64 ? 64 : n;
		memset(e, 0, k * sizeof(e[0]));
		for (i = 0; i < k; i++) {
			e[i].offset = offs[i];
			e[i].size = size;
		}
		r = gomem_batch_call(ctx, GOMEM_IOC_FREE_BATCH, e, k, 0, 0);
		if (r && !err)
			err = r;
		offs += k;
		n -= k;
	}
	return err;
}

static const struct gomem_cache_ops gomem_cache_dev_ops = {
	.alloc = gomem_cache_dev_alloc,
	.free = gomem_cache_dev_free,
};

/*
 * A handle on session @fd (read-only with GOMEM_LIB_READONLY in @flags),
 * however it was opened: the device's open(2) or a private arena's
 * GOMEM_IOC_ARENA_OPEN.  Both sessions answer INFO, mmap and every
 * command alike, so nothing below depends on where @fd came from.  @fd
 * is the handle's on success and closed on failure.  NULL with errno.
 */
static struct gomem *gomem_open_session(int fd, int flags)
{
	struct gomem_info info;
	struct gomem *g;
	int err, prot;
	void *base;

	g = calloc(1, sizeof(*g));
	if (!g) {
		err = errno;
		goto out_close;
	}
	g->fd = fd;
	g->readonly = flags & GOMEM_LIB_READONLY;
	memset(&info, 0, sizeof(info));
	err = -gomem_ioctl(g, GOMEM_IOC_INFO, &info);
	if (err) {
		/* Another device's driver may answer EINVAL, not ENOTTY. */
		if (err == EINVAL)
			err = ENOTTY;
		goto out_free;
	}
	if (info.abi_version != GOMEM_ABI_VERSION) {
		err = EPROTONOSUPPORT;
		goto out_free;
	}
	if (!info.map_size || info.map_size > SIZE_MAX || !info.granule) {
		err = EPROTO;
		goto out_free;
	}
	prot = PROT_READ | (g->readonly ? 0 : PROT_WRITE);
	base = mmap(NULL, (size_t)info.map_size, prot, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		err = errno;
		goto out_free;
	}
	g->base = base;
	g->map_size = info.map_size;
	g->granule = info.granule;
	g->page_size = info.page_size;
	/* A read-only session allocates nothing: no cache. */
	if (!g->readonly && !(flags & GOMEM_LIB_NOCACHE)) {
		g->cache = gomem_cache_new(&gomem_cache_dev_ops, g,
					   g->map_size, g->granule,
					   GOMEM_CACHE_DEFAULT_LIMIT);
		if (!g->cache) {
			err = errno;
			munmap(base, (size_t)info.map_size);
			goto out_free;
		}
	}
	return g;

out_free:
	free(g);
out_close:
	close(fd);
	errno = err;
	return NULL;
}

GOMEM_EXPORT struct gomem *gomem_open(const char *path, int flags)
{
	int fd;

	if (flags & ~(GOMEM_LIB_READONLY | GOMEM_LIB_NOCACHE)) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path ? path : GOMEM_DEFAULT_PATH,
		  (flags & GOMEM_LIB_READONLY ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	return gomem_open_session(fd, flags);
}

GOMEM_EXPORT int gomem_close(struct gomem *g)
{
	int ret = 0;

	if (!g)
		return 0;
	/* The cached regions go back before the session may go. */
	gomem_cache_destroy(g->cache);
	munmap(g->base, (size_t)g->map_size);
	if (close(g->fd) < 0 && errno != EINTR)
		ret = -errno;
	free(g);
	return ret;
}

GOMEM_EXPORT int gomem_fd(const struct gomem *g)
{
	return g->fd;
}

GOMEM_EXPORT int gomem_readonly(const struct gomem *g)
{
	return g->readonly;
}

GOMEM_EXPORT void *gomem_base(const struct gomem *g)
{
	return g->base;
}

GOMEM_EXPORT uint64_t gomem_map_size(const struct gomem *g)
{
	return g->map_size;
}

GOMEM_EXPORT int gomem_info(struct gomem *g, struct gomem_info *info)
{
	memset(info, 0, sizeof(*info));
	return gomem_ioctl(g, GOMEM_IOC_INFO, info);
}

GOMEM_EXPORT int gomem_stats(struct gomem *g, struct gomem_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	return gomem_ioctl(g, GOMEM_IOC_STATS, stats);
}

/* Offset of @ptr in the mapping; false if it is not inside. */
static bool gomem_to_offset(const struct gomem *g, const void *ptr,
			    uint64_t *offset)
{
	uintptr_t p = (uintptr_t)ptr, b = (uintptr_t)g->base;

	if (!ptr || p < b || p - b >= g->map_size)
		return false;
	*offset = p - b;
	return true;
}

GOMEM_EXPORT void *gomem_ptr(const struct gomem *g, uint64_t offset)
{
	if (offset >= g->map_size) {
		errno = EINVAL;
		return NULL;
	}
	return g->base + offset;
}

GOMEM_EXPORT int64_t gomem_offset(const struct gomem *g, const void *ptr)
{
	uint64_t off;

	if (!gomem_to_offset(g, ptr, &off))
		return -EINVAL;
	return (int64_t)off;
}

static int gomem_alloc_offset(struct gomem *g, size_t size, size_t align,
			      unsigned int flags, uint64_t *offset)
{
	struct gomem_alloc a;
	int err;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.align = align;
	a.flags = flags;
	err = gomem_ioctl(g, GOMEM_IOC_ALLOC, &a);
	if (!err && a.offset >= g->map_size)
		err = -EPROTO;	/* the module broke its word: never */
	if (!err)
		*offset = a.offset;
	return err;
}

static int gomem_free_dev(struct gomem *g, uint64_t offset, uint64_t size)
{
	struct gomem_free f;

	memset(&f, 0, sizeof(f));
	f.offset = offset;
	f.size = size;
	return gomem_ioctl(g, GOMEM_IOC_FREE, &f);
}

/* A free the cache does not take (a part of a region, for one). */
static int gomem_free_offset(struct gomem *g, uint64_t offset, uint64_t size)
{
	if (g->cache && gomem_cache_forget(g->cache, offset))
		return -EINVAL;	/* inside a region the cache holds */
	return gomem_free_dev(g, offset, size);
}

GOMEM_EXPORT void *gomem_alloc(struct gomem *g, size_t size, size_t align,
			       unsigned int flags)
{
	uint64_t off;
	int err = -ENOENT;

	/* The cache serves granule alignment and no flag but NOZERO. */
	if (g->cache && align <= g->granule &&
	    !(flags & ~GOMEM_ALLOC_NOZERO) && !(align & (align - 1))) {
		/*
		 * Refills are zeroed by the kernel, and what the cache took
		 * back is this session's own: nothing to clear (see
		 * "Zeroing" in gomem_cache.c).
		 */
		err = gomem_cache_alloc(g->cache, size, &off);
		if (!err)
			return g->base + off;
	}
	if (err == -ENOENT)
		err = gomem_alloc_offset(g, size, align, flags, &off);
	if (err) {
		errno = -err;
		return NULL;
	}
	return g->base + off;
}

GOMEM_EXPORT int gomem_free(struct gomem *g, void *ptr, size_t size)
{
	uint64_t off;

	if (!gomem_to_offset(g, ptr, &off))
		return -EINVAL;
	if (g->cache) {
		int r = gomem_cache_free(g->cache, off, size);

		if (r <= 0)
			return r;	/* cached, or a double free */
	}
	return gomem_free_dev(g, off, size);
}

GOMEM_EXPORT int gomem_free_rest(struct gomem *g, void *ptr, size_t size,
				 size_t keep)
{
	uint64_t off, start, end, gr = g->granule;

	if (!gomem_to_offset(g, ptr, &off) || keep > size || !size)
		return -EINVAL;
	start = ((uint64_t)keep + gr - 1) / gr * gr;
	end = ((uint64_t)size + gr - 1) / gr * gr;
	if (start >= end)
		return 0;
	return gomem_free_offset(g, off + start, end - start);
}

/*
 * One batch ioctl over @n (<= GOMEM_LIB_BATCH) entries.  Return: 0 or the
 * ioctl's negative errno (no entry processed).
 */
static int gomem_batch_call(struct gomem *g, unsigned long cmd,
			    struct gomem_batch_entry *e, unsigned int n,
			    size_t align, unsigned int flags)
{
	struct gomem_batch b;

	memset(&b, 0, sizeof(b));
	b.entries = (uintptr_t)e;
	b.count = n;
	b.flags = flags;
	b.align = align;
	return gomem_ioctl(g, cmd, &b);
}

GOMEM_EXPORT int gomem_alloc_batch(struct gomem *g,
				   struct gomem_region *regions, size_t n,
				   size_t align, unsigned int flags)
{
	struct gomem_batch_entry e[GOMEM_LIB_BATCH];
	size_t i, j, k, done = 0;
	int err;

	if (n > INT32_MAX)
		return -EINVAL;
	/* The same for every region: refuse a bad one for the whole call,
	 * whatever the module would make of it. */
	if (align & (align - 1) || align > g->page_size) {
		for (i = 0; i < n; i++) {
			regions[i].ptr = NULL;
			regions[i].result = -EINVAL;
		}
		return n ? -EINVAL : 0;
	}
	for (i = 0; i < n; i += k) {
		k = n - i < GOMEM_LIB_BATCH ? n - i : GOMEM_LIB_BATCH;
		memset(e, 0, k * sizeof(e[0]));
		for (j = 0; j < k; j++)
			e[j].size = regions[i + j].size;
		err = gomem_batch_call(g, GOMEM_IOC_ALLOC_BATCH, e,
				       (unsigned int)k, align, flags);
		for (j = 0; j < k; j++) {
			struct gomem_region *r = &regions[i + j];

			r->result = err ? err : e[j].result;
			if (!r->result && e[j].offset >= g->map_size)
				r->result = -EPROTO;
			r->ptr = r->result ? NULL : g->base + e[j].offset;
			done += !r->result;
		}
		if (err && !i) {
			for (j = k; j < n; j++) {
				regions[j].ptr = NULL;
				regions[j].result = err;
			}
			return err;
		}
	}
	return (int)done;
}

/*
 * FREE_BATCH and RELEASE_BATCH: the regions' offsets (and, for a free,
 * sizes) in slices of GOMEM_LIB_BATCH, a result per region.
 */
static int gomem_offsets_batch(struct gomem *g, unsigned long cmd,
			       struct gomem_region *regions, size_t n)
{
	struct gomem_batch_entry e[GOMEM_LIB_BATCH];
	unsigned int idx[GOMEM_LIB_BATCH];
	size_t i = 0, j, done = 0;
	bool first = true;
	unsigned int k;
	uint64_t off;
	int err;

	if (n > INT32_MAX)
		return -EINVAL;
	while (i < n) {
		/* Gather up to GOMEM_LIB_BATCH valid entries. */
		for (k = 0; i < n && k < GOMEM_LIB_BATCH; i++) {
			/* A pointer outside the mapping, or inside a
			 * region the cache holds (freed already). */
			if (!gomem_to_offset(g, regions[i].ptr, &off) ||
			    (g->cache && cmd == GOMEM_IOC_FREE_BATCH &&
			     gomem_cache_forget(g->cache, off))) {
				regions[i].result = -EINVAL;
				continue;
			}
			memset(&e[k], 0, sizeof(e[k]));
			e[k].offset = off;
			/* A release names a region by offset: size 0. */
			if (cmd == GOMEM_IOC_FREE_BATCH)
				e[k].size = regions[i].size;
			idx[k++] = (unsigned int)i;
		}
		if (!k)
			break;
		err = gomem_batch_call(g, cmd, e, k, 0, 0);
		for (j = 0; j < k; j++) {
			regions[idx[j]].result = err ? err : e[j].result;
			done += !regions[idx[j]].result;
		}
		if (err && first) {
			for (; i < n; i++)
				regions[i].result = err;
			return err;
		}
		first = false;
	}
	return (int)done;
}

GOMEM_EXPORT int gomem_free_batch(struct gomem *g,
				  struct gomem_region *regions, size_t n)
{
	return gomem_offsets_batch(g, GOMEM_IOC_FREE_BATCH, regions, n);
}

GOMEM_EXPORT int gomem_trim(struct gomem *g, struct gomem_release *out)
{
	struct gomem_release rel;
	int err;

	memset(&rel, 0, sizeof(rel));
	/* What the caches hold is free as far as the caller knows. */
	if (g->cache)
		gomem_cache_drain(g->cache);
	err = gomem_ioctl(g, GOMEM_IOC_TRIM, &rel);
	if (!err && out)
		*out = rel;
	return err;
}

GOMEM_EXPORT int gomem_recycle_all(struct gomem *g, struct gomem_release *out)
{
	struct gomem_release rel;
	int err;

	memset(&rel, 0, sizeof(rel));
	err = gomem_ioctl(g, GOMEM_IOC_RECYCLE, &rel);
	/* The cached regions went with the rest. */
	if (!err && g->cache)
		gomem_cache_reset(g->cache);
	if (!err && out)
		*out = rel;
	return err;
}

/* ---- hand-off ---- */

GOMEM_EXPORT int gomem_share(struct gomem *g, const void *ptr, size_t size,
			     uint32_t claims, uint64_t *token)
{
	struct gomem_share sh;
	uint64_t off;
	int err;

	if (!token || !gomem_to_offset(g, ptr, &off))
		return -EINVAL;
	/* A region once shared never enters a cache. */
	if (g->cache && gomem_cache_forget(g->cache, off))
		return -EINVAL;	/* inside a region the cache holds */
	memset(&sh, 0, sizeof(sh));
	sh.offset = off;
	sh.size = size;
	sh.claims = claims;
	err = gomem_ioctl(g, GOMEM_IOC_SHARE, &sh);
	if (!err && !sh.token)
		err = -EPROTO;	/* never 0, says the ABI */
	if (!err)
		*token = sh.token;
	return err;
}

static int gomem_release_offset(struct gomem *g, uint64_t offset)
{
	struct gomem_ref r;

	memset(&r, 0, sizeof(r));
	r.offset = offset;
	return gomem_ioctl(g, GOMEM_IOC_RELEASE, &r);
}

GOMEM_EXPORT void *gomem_claim(struct gomem *g, uint64_t token, size_t *size)
{
	struct gomem_claim c;
	int err;

	memset(&c, 0, sizeof(c));
	c.token = token;
	err = gomem_ioctl(g, GOMEM_IOC_CLAIM, &c);
	if (!err && (c.offset >= g->map_size || c.size > g->map_size - c.offset ||
		     c.size > SIZE_MAX)) {
		/* The module broke its word (never): hold nothing unnamed. */
		gomem_release_offset(g, c.offset);
		err = -EPROTO;
	}
	if (err) {
		errno = -err;
		return NULL;
	}
	/* Held by reference: its free must reach the device (EPERM). */
	if (g->cache)
		gomem_cache_forget(g->cache, c.offset);
	if (size)
		*size = (size_t)c.size;
	return g->base + c.offset;
}

GOMEM_EXPORT int gomem_cancel(struct gomem *g, uint64_t token)
{
	struct gomem_token t;

	memset(&t, 0, sizeof(t));
	t.token = token;
	return gomem_ioctl(g, GOMEM_IOC_CANCEL, &t);
}

GOMEM_EXPORT int gomem_release(struct gomem *g, const void *ptr)
{
	uint64_t off;

	if (!gomem_to_offset(g, ptr, &off))
		return -EINVAL;
	return gomem_release_offset(g, off);
}

GOMEM_EXPORT int gomem_release_batch(struct gomem *g,
				     struct gomem_region *regions, size_t n)
{
	return gomem_offsets_batch(g, GOMEM_IOC_RELEASE_BATCH, regions, n);
}

/* The ioctl of a share or claim batch of @n entries at @e. */
static int gomem_hold_batch_call(struct gomem *g, unsigned long cmd, void *e,
				 unsigned int n)
{
	struct gomem_batch b;

	memset(&b, 0, sizeof(b));
	b.entries = (uintptr_t)e;
	b.count = n;
	return gomem_ioctl(g, cmd, &b);
}

GOMEM_EXPORT int gomem_share_batch(struct gomem *g,
				   struct gomem_share_req *reqs, size_t n)
{
	struct gomem_share_entry e[GOMEM_LIB_BATCH];
	unsigned int idx[GOMEM_LIB_BATCH];
	size_t i = 0, j, done = 0;
	bool first = true;
	unsigned int k;
	uint64_t off;
	int err;

	if (n > INT32_MAX)
		return -EINVAL;
	while (i < n) {
		for (k = 0; i < n && k < GOMEM_LIB_BATCH; i++) {
			/* A region once shared never enters a cache. */
			if (!gomem_to_offset(g, reqs[i].ptr, &off) ||
			    (g->cache && gomem_cache_forget(g->cache, off))) {
				reqs[i].result = -EINVAL;
				continue;
			}
			memset(&e[k], 0, sizeof(e[k]));
			e[k].offset = off;
			e[k].size = reqs[i].size;
			e[k].claims = reqs[i].claims;
			idx[k++] = (unsigned int)i;
		}
		if (!k)
			break;
		err = gomem_hold_batch_call(g, GOMEM_IOC_SHARE_BATCH, e, k);
		for (j = 0; j < k; j++) {
			struct gomem_share_req *q = &reqs[idx[j]];

			q->result = err ? err : e[j].result;
			if (!q->result && !e[j].token)
				q->result = -EPROTO;	/* never 0 */
			if (!q->result) {
				q->token = e[j].token;
				done++;
			}
		}
		if (err && first) {
			for (; i < n; i++)
				reqs[i].result = err;
			return err;
		}
		first = false;
	}
	return (int)done;
}

GOMEM_EXPORT int gomem_claim_batch(struct gomem *g,
				   struct gomem_claim_req *reqs, size_t n)
{
	struct gomem_claim_entry e[GOMEM_LIB_BATCH];
	size_t i = 0, done = 0;
	unsigned int j, k;
	int err;

	if (n > INT32_MAX)
		return -EINVAL;
	while (i < n) {
		k = n - i < GOMEM_LIB_BATCH ? (unsigned int)(n - i) :
					      GOMEM_LIB_BATCH;
		memset(e, 0, k * sizeof(e[0]));
		for (j = 0; j < k; j++) {
			e[j].token = reqs[i + j].token;
			reqs[i + j].ptr = NULL;
			reqs[i + j].size = 0;
		}
		err = gomem_hold_batch_call(g, GOMEM_IOC_CLAIM_BATCH, e, k);
		for (j = 0; j < k; j++) {
			struct gomem_claim_req *q = &reqs[i + j];

			q->result = err ? err : e[j].result;
			if (!q->result &&
			    (e[j].offset >= g->map_size ||
			     e[j].size > g->map_size - e[j].offset ||
			     e[j].size > SIZE_MAX)) {
				/* The module broke its word (never). */
				gomem_release_offset(g, e[j].offset);
				q->result = -EPROTO;
			}
			if (q->result)
				continue;
			/* Held by reference: its free must reach the device. */
			if (g->cache)
				gomem_cache_forget(g->cache, e[j].offset);
			q->ptr = g->base + e[j].offset;
			q->size = (size_t)e[j].size;
			done++;
		}
		if (err && i == 0)
			return err;
		i += k;
	}
	return (int)done;
}

/* ---- recyclable ---- */

GOMEM_EXPORT struct gomem_recyclable *gomem_recyclable_new(struct gomem *g)
{
	struct gomem_recyclable *r;

	if (!g) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r)
		r->g = g;
	return r;
}

static int gomem_rec_reserve(struct gomem_recyclable *r, size_t more)
{
	struct gomem_rec_entry *v;
	size_t cap;

	if (more <= r->cap - r->n)
		return 0;
	if (more > SIZE_MAX / sizeof(*v) - r->n)
		return -ENOMEM;
	cap = r->cap ? r->cap : 16;
	while (cap - r->n < more)
		cap = cap > SIZE_MAX / sizeof(*v) / 2 ? r->n + more : cap * 2;
	v = realloc(r->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	r->cap = cap;
	return 0;
}

static void gomem_rec_push(struct gomem_recyclable *r, uint64_t offset,
			   uint64_t size)
{
	r->v[r->n].offset = offset;
	r->v[r->n].size = size;
	r->n++;
	r->bytes += size;
}

GOMEM_EXPORT void *gomem_recyclable_alloc(struct gomem_recyclable *r,
					  size_t size)
{
	uint64_t off;
	int err;

	err = gomem_rec_reserve(r, 1);
	if (!err)
		err = gomem_alloc_offset(r->g, size, 0, 0, &off);
	if (err) {
		errno = -err;
		return NULL;
	}
	gomem_rec_push(r, off, size);
	return r->g->base + off;
}

GOMEM_EXPORT int gomem_recyclable_alloc_n(struct gomem_recyclable *r,
					  size_t size, size_t n, void **ptrs)
{
	struct gomem_batch_entry e[GOMEM_LIB_BATCH];
	size_t start = r->n, i, j, k;
	int err = 0;

	if (!n)
		return 0;
	err = gomem_rec_reserve(r, n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i += k) {
		k = n - i < GOMEM_LIB_BATCH ? n - i : GOMEM_LIB_BATCH;
		memset(e, 0, k * sizeof(e[0]));
		for (j = 0; j < k; j++)
			e[j].size = size;
		err = gomem_batch_call(r->g, GOMEM_IOC_ALLOC_BATCH, e,
				       (unsigned int)k, 0, 0);
		if (err)
			break;
		for (j = 0; j < k; j++) {
			if (e[j].result) {
				if (!err)
					err = e[j].result;
				continue;
			}
			if (e[j].offset >= r->g->map_size) {
				/* Never: but do not hand it out. */
				if (!err)
					err = -EPROTO;
			}
			ptrs[i + j] = r->g->base + e[j].offset;
			gomem_rec_push(r, e[j].offset, size);
		}
	}
	if (err) {
		/* All or nothing: give back what this call got. */
		struct gomem_recyclable undo = {
			.g = r->g, .v = r->v + start, .n = r->n - start,
		};

		gomem_recyclable_recycle(&undo);
		for (j = start; j < r->n; j++)
			r->bytes -= r->v[j].size;
		r->n = start;
		for (i = 0; i < n; i++)
			ptrs[i] = NULL;
	}
	return err;
}

GOMEM_EXPORT int gomem_recyclable_add(struct gomem_recyclable *r, void *ptr,
				      size_t size)
{
	uint64_t off;
	int err;

	if (!gomem_to_offset(r->g, ptr, &off) || !size)
		return -EINVAL;
	/* Recycled by batch: the cache must not take it back too. */
	if (r->g->cache && gomem_cache_forget(r->g->cache, off))
		return -EINVAL;
	err = gomem_rec_reserve(r, 1);
	if (err)
		return err;
	gomem_rec_push(r, off, size);
	return 0;
}

GOMEM_EXPORT size_t gomem_recyclable_count(const struct gomem_recyclable *r)
{
	return r->n;
}

GOMEM_EXPORT uint64_t gomem_recyclable_bytes(const struct gomem_recyclable *r)
{
	return r->bytes;
}

GOMEM_EXPORT int gomem_recyclable_recycle(struct gomem_recyclable *r)
{
	struct gomem_batch_entry e[GOMEM_LIB_BATCH];
	size_t i, j, k, done = 0;
	int err, first = 0;

	for (i = 0; i < r->n; i += k) {
		k = r->n - i < GOMEM_LIB_BATCH ? r->n - i : GOMEM_LIB_BATCH;
		memset(e, 0, k * sizeof(e[0]));
		for (j = 0; j < k; j++) {
			e[j].offset = r->v[i + j].offset;
			e[j].size = r->v[i + j].size;
		}
		err = gomem_batch_call(r->g, GOMEM_IOC_FREE_BATCH, e,
				       (unsigned int)k, 0, 0);
		for (j = 0; j < k; j++) {
			int res = err ? err : e[j].result;

			if (res && !first)
				first = res;
			done += !res;
		}
	}
	r->n = 0;
	r->bytes = 0;
	if (first)
		return first;
	return done > INT32_MAX ? INT32_MAX : (int)done;
}

GOMEM_EXPORT void gomem_recyclable_destroy(struct gomem_recyclable *r)
{
	if (!r)
		return;
	gomem_recyclable_recycle(r);
	free(r->v);
	free(r);
}

/* ---- the region cache ---- */

GOMEM_EXPORT int gomem_cache_info(struct gomem *g,
				  struct gomem_cache_stats *stats)
{
	if (!stats)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	if (g->cache)
		gomem_cache_get_stats(g->cache, stats);
	return 0;
}

GOMEM_EXPORT int gomem_cache_limit(struct gomem *g, uint64_t bytes)
{
	if (!g->cache)
		return -EOPNOTSUPP;
	gomem_cache_set_limit(g->cache, bytes);
	return 0;
}

/* ---- private arenas ---- */

/* An ioctl on a descriptor no handle has yet: 0 or a negative errno. */
static int gomem_fd_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

GOMEM_EXPORT int gomem_arena_create(struct gomem *g,
				    const struct gomem_arena_params *params,
				    int flags)
{
	struct gomem_arena_create c;
	int err;

	if (flags & ~GOMEM_LIB_CLOEXEC)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	if (params) {
		c.initial_size = params->initial_size;
		c.max_chunk = params->max_chunk;
		c.max_size = params->max_size;
		c.max_session_bytes = params->max_session_bytes;
		c.max_session_regions = params->max_session_regions;
		c.policy = params->policy;
		c.source = params->source;
	}
	if (flags & GOMEM_LIB_CLOEXEC)
		c.flags |= GOMEM_ARENA_CLOEXEC;
	err = gomem_ioctl(g, GOMEM_IOC_ARENA_CREATE, &c);
	if (err)
		return err;
	return c.fd;
}

/* GOMEM_IOC_ARENA_OPEN or GOMEM_IOC_ARENA_DUP on @arena_fd. */
static int gomem_arena_derive(int arena_fd, unsigned long cmd, int flags)
{
	struct gomem_arena_open o;
	int err;

	memset(&o, 0, sizeof(o));
	if (flags & GOMEM_LIB_READONLY)
		o.flags |= GOMEM_ARENA_READONLY;
	if (flags & GOMEM_LIB_CLOEXEC)
		o.flags |= GOMEM_ARENA_CLOEXEC;
	err = gomem_fd_ioctl(arena_fd, cmd, &o);
	if (err)
		return err;
	return o.fd;
}

GOMEM_EXPORT struct gomem *gomem_arena_open(int arena_fd, int flags)
{
	int fd;

	if (flags & ~(GOMEM_LIB_READONLY | GOMEM_LIB_NOCACHE)) {
		errno = EINVAL;
		return NULL;
	}
	/* Close-on-exec, as gomem_open()'s. */
	fd = gomem_arena_derive(arena_fd, GOMEM_IOC_ARENA_OPEN,
				flags | GOMEM_LIB_CLOEXEC);
	if (fd < 0) {
		/* A session or another device's descriptor. */
		errno = fd == -EINVAL ? ENOTTY : -fd;
		return NULL;
	}
	return gomem_open_session(fd, flags);
}

GOMEM_EXPORT int gomem_arena_dup(int arena_fd, int flags)
{
	if (flags & ~(GOMEM_LIB_READONLY | GOMEM_LIB_CLOEXEC))
		return -EINVAL;
	return gomem_arena_derive(arena_fd, GOMEM_IOC_ARENA_DUP, flags);
}

GOMEM_EXPORT int gomem_arena_info(int arena_fd, struct gomem_info *info)
{
	memset(info, 0, sizeof(*info));
	return gomem_fd_ioctl(arena_fd, GOMEM_IOC_INFO, info);
}

/* The byte a descriptor travels with (SCM_RIGHTS needs one). */
#define GOMEM_ARENA_MSG	'A'

GOMEM_EXPORT int gomem_arena_send(int sock, int arena_fd)
{
	char byte = GOMEM_ARENA_MSG, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &arena_fd, sizeof(int));
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 1 ? 0 : -EIO;
}

GOMEM_EXPORT int gomem_arena_recv(int sock)
{
	char byte = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct gomem_info info;
	struct msghdr msg;
	struct cmsghdr *cm;
	int fd = -1, err;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;	/* the peer went, nothing sent */
	/* Every descriptor that came is closed unless it is the one. */
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)) && fd < 0)
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_level == SOL_SOCKET &&
			 cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int other;

			for (size_t i = 0; i < k; i++) {
				memcpy(&other, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(int));
				close(other);
			}
		}
	}
	if (fd < 0 || byte != GOMEM_ARENA_MSG ||
	    (msg.msg_flags & MSG_CTRUNC)) {
		if (fd >= 0)
			close(fd);
		return -EBADMSG;
	}
	/* A gomem descriptor, of this ABI, or nothing. */
	err = gomem_arena_info(fd, &info);
	if (!err && info.abi_version != GOMEM_ABI_VERSION)
		err = -EPROTONOSUPPORT;
	if (err) {
		close(fd);
		return err == -EINVAL ? -ENOTTY : err;
	}
	return fd;
}

/* ---- misc ---- */

GOMEM_EXPORT const char *gomem_errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
#define N(e) { e, #e }
		N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO),
		N(E2BIG), N(ENOEXEC), N(EBADF), N(ECHILD), N(EAGAIN),
		N(ENOMEM), N(EACCES), N(EFAULT), N(EBUSY), N(EEXIST),
		N(EXDEV), N(ENODEV), N(ENOTDIR), N(EISDIR), N(EINVAL),
		N(ENFILE), N(EMFILE), N(ENOTTY), N(EFBIG), N(ENOSPC),
		N(ESPIPE), N(EROFS), N(EPIPE), N(EDOM), N(ERANGE),
		N(EDEADLK), N(ENAMETOOLONG), N(ENOSYS), N(ENOTEMPTY),
		N(ELOOP), N(ENODATA), N(ETIME), N(EPROTO), N(EBADMSG),
		N(EOVERFLOW), N(EILSEQ), N(EMSGSIZE), N(EPROTONOSUPPORT),
		N(EOPNOTSUPP), N(ETIMEDOUT), N(ECANCELED), N(EUCLEAN),
		N(ENOTSUP), N(EDQUOT), N(ENOTSOCK), N(ECONNRESET),
		N(ENOTCONN),
#undef N
	};
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}

GOMEM_EXPORT const char *gomem_version(void)
{
	return GOMEM_LIB_VERSION;
}
