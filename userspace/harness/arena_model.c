// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reference model of an arena (see arena_model.h), from docs/arena.md:
 *
 *  - alloc: the lowest-offset chunk that can hold the request, placed in it
 *    by the policy's rule (treap: lowest fitting offset; avl: best fit, the
 *    smallest free block that holds an aligned placement, lowest first),
 *    else one new chunk, else -ENOMEM (counted as a failed allocation);
 *    -EINVAL for a zero size, a size above max_size, an align that is not
 *    a power of two <= PAGE_SIZE, or an unknown flag (not counted);
 *  - growth: the next size in the doubling sequence (or the first in it
 *    that holds the request), at most max_chunk; above max_chunk a
 *    dedicated chunk of the page-rounded size that leaves the sequence
 *    alone; buddy source: a power of two pages; near max_size the chunk
 *    shrinks to what is left if that still holds the request; its base is
 *    the lowest gap of the offset window (2 x max_size) that holds it;
 *  - free: any allocated sub-range inside one chunk, else -EINVAL;
 *  - trim: every entirely free chunk but the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/align.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <asm/page.h>

#include "arena_model.h"

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static u64 pow2_up(u64 x)
{
	u64 p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

static u64 pow2_down(u64 x)
{
	u64 p = 1;

	while (p <= x / 2)
		p <<= 1;
	return p;
}

static unsigned int log2_up(u64 x)
{
	unsigned int k = 0;

	while ((1ULL << k) < x)
		k++;
	return k;
}

static bool buddy(const struct amodel *am)
{
	return am->p.source == GOMEM_CHUNKS_BUDDY;
}

/* A buddy chunk is a power of two pages. */
static u64 chunk_size(const struct amodel *am, u64 size)
{
	if (!buddy(am))
		return size;
	return pow2_up(size / PAGE_SIZE) * PAGE_SIZE;
}

/* Lowest gap of the window that holds @size bytes, or false. */
static bool window_gap(const struct amodel *am, u64 size, u64 *base)
{
	u64 end = 0;
	unsigned int i;

	for (i = 0; i < am->nr; i++) {
		if (am->chunks[i].base - end >= size) {
			*base = end;
			return true;
		}
		end = am->chunks[i].base + am->chunks[i].size;
	}
	if (am->window - end >= size) {
		*base = end;
		return true;
	}
	return false;
}

/* Insert a chunk of @size bytes at @base (and @unit); returns its index. */
static unsigned int chunk_insert(struct amodel *am, u64 base, u64 size,
				 u64 unit)
{
	struct amodel_chunk *c;
	unsigned int i;

	if (am->nr == am->cap) {
		am->cap = am->cap ? 2 * am->cap : 8;
		am->chunks = realloc(am->chunks, am->cap * sizeof(*am->chunks));
		if (!am->chunks) {
			fprintf(stderr, "arena model: out of memory\n");
			abort();
		}
	}
	for (i = am->nr; i > 0 && am->chunks[i - 1].base > base; i--)
		am->chunks[i] = am->chunks[i - 1];
	c = &am->chunks[i];
	c->base = base;
	c->size = size;
	c->unit = unit;
	model_init(&c->m, size, am->p.granule);
	am->nr++;
	am->st.capacity += size;
	return i;
}

void amodel_init(struct amodel *am, const struct gomem_arena_params *p)
{
	u64 unit = 0, size;

	memset(am, 0, sizeof(*am));
	am->p = *p;
	if (!am->p.granule)
		am->p.granule = GOMEM_RANGE_DEFAULT_GRANULE;
	am->p.initial_size = ALIGN(p->initial_size, PAGE_SIZE);
	am->p.max_chunk = ALIGN(p->max_chunk, PAGE_SIZE);
	am->p.max_size = ALIGN(p->max_size, PAGE_SIZE);
	am->window = 2 * am->p.max_size;
	size = chunk_size(am, am->p.initial_size);
	if (buddy(am)) {
		bmodel_init(&am->pool, log2_up(am->p.max_size / PAGE_SIZE));
		if (bmodel_alloc_result(&am->pool, size / PAGE_SIZE, &unit)) {
			fprintf(stderr, "arena model: no first chunk\n");
			abort();
		}
		bmodel_take(&am->pool, unit, log2_up(size / PAGE_SIZE));
	}
	chunk_insert(am, 0, size, unit);
	am->next_size = min(2 * am->p.initial_size, am->p.max_chunk);
}

void amodel_destroy(struct amodel *am)
{
	unsigned int i;

	for (i = 0; i < am->nr; i++)
		model_destroy(&am->chunks[i].m);
	free(am->chunks);
	if (buddy(am))
		bmodel_destroy(&am->pool);
	memset(am, 0, sizeof(*am));
}

struct amodel_chunk *amodel_chunk_of(const struct amodel *am, u64 off)
{
	unsigned int i;

	for (i = 0; i < am->nr; i++)
		if (off >= am->chunks[i].base &&
		    off - am->chunks[i].base < am->chunks[i].size)
			return &am->chunks[i];
	return NULL;
}

static int check_request(const struct amodel *am, u64 size, u64 align)
{
	if (!size || size > am->p.max_size)
		return -EINVAL;
	if (!is_pow2(align) || align > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

/* Where the request goes without growing: chunk index and offset in it. */
static int place(struct amodel *am, u64 size, u64 align, unsigned int *idx,
		 u64 *rel)
{
	u64 rounded = ALIGN(size, am->p.granule);
	unsigned int i;

	for (i = 0; i < am->nr; i++) {
		if (rounded > am->chunks[i].size)
			continue;
		if (!model_alloc_result(&am->chunks[i].m, am->p.policy, rounded,
					align, rel)) {
			*idx = i;
			return 0;
		}
	}
	return -ENOMEM;
}

/* Add the chunk growth adds for @size bytes; its index in *@idx. */
static int grow(struct amodel *am, u64 size, unsigned int *idx)
{
	u64 want = ALIGN(size, PAGE_SIZE), cs, next = am->next_size, left;
	u64 base, unit = 0;
	bool dedicated = want > am->p.max_chunk;

	if (dedicated) {
		cs = want;
	} else {
		cs = next;
		while (cs < want)
			cs <<= 1;
		cs = min(cs, am->p.max_chunk);
		next = min(2 * cs, am->p.max_chunk);
	}
	cs = chunk_size(am, cs);
	left = am->p.max_size - am->st.capacity;
	if (cs > left) {
		cs = ALIGN_DOWN(left, PAGE_SIZE);
		if (buddy(am) && cs)
			cs = pow2_down(cs / PAGE_SIZE) * PAGE_SIZE;
		if (cs < want)
			return -ENOMEM;
	}
	if (!window_gap(am, cs, &base))
		return -ENOMEM;
	if (buddy(am)) {
		if (bmodel_alloc_result(&am->pool, cs / PAGE_SIZE, &unit))
			return -ENOMEM;
		bmodel_take(&am->pool, unit, log2_up(cs / PAGE_SIZE));
	}
	*idx = chunk_insert(am, base, cs, unit);
	if (!dedicated)
		am->next_size = next;
	am->st.grows++;
	return 0;
}

int amodel_find(struct amodel *am, u64 size, u64 align, u64 *off)
{
	unsigned int i;
	u64 rel;
	int err;

	err = check_request(am, size, align);
	if (err)
		return err;
	err = place(am, size, align, &i, &rel);
	if (!err)
		*off = am->chunks[i].base + rel;
	return err;
}

int amodel_alloc(struct amodel *am, u64 size, u64 align, unsigned int flags,
		 u64 *off)
{
	u64 rounded = ALIGN(size, am->p.granule), rel;
	struct amodel_chunk *c;
	unsigned int i;
	int err;

	if (flags & ~GOMEM_ALLOC_ZERO)
		return -EINVAL;
	err = check_request(am, size, align);
	if (err)
		return err;
	err = place(am, size, align, &i, &rel);
	if (err == -ENOMEM) {
		err = grow(am, size, &i);
		if (!err)
			err = model_alloc_result(&am->chunks[i].m,
						 am->p.policy, rounded, align,
						 &rel);
	}
	if (err) {
		am->st.failed_allocs++;
		return err;
	}
	c = &am->chunks[i];
	model_set(&c->m, rel, rounded, MODEL_USED);
	am->st.allocs++;
	am->st.in_use += rounded;
	am->st.peak_in_use = max(am->st.peak_in_use, am->st.in_use);
	*off = c->base + rel;
	return 0;
}

int amodel_borrow(struct amodel *am, u64 size, u64 *off)
{
	unsigned int i;
	u64 rel;
	int err;

	err = check_request(am, size, 1);
	if (err)
		return err;
	err = place(am, size, 1, &i, &rel);
	if (err == -ENOMEM) {
		err = grow(am, size, &i);
		rel = 0;
	}
	if (!err)
		*off = am->chunks[i].base + rel;
	return err;
}

int amodel_free_result(const struct amodel *am, u64 off, u64 size)
{
	const struct amodel_chunk *c = amodel_chunk_of(am, off);

	if (!c)
		return -EINVAL;
	return model_free_result(&c->m, off - c->base, size);
}

int amodel_free(struct amodel *am, u64 off, u64 size)
{
	struct amodel_chunk *c = amodel_chunk_of(am, off);
	u64 rounded;
	int err;

	err = amodel_free_result(am, off, size);
	if (err)
		return err;
	rounded = model_round(&c->m, size);
	model_set(&c->m, off - c->base, rounded, MODEL_FREE);
	am->st.frees++;
	am->st.in_use -= rounded;
	return 0;
}

int amodel_free_rest(struct amodel *am, u64 off, u64 size, u64 keep,
		     bool commit, bool *frees)
{
	int err;

	if (frees)
		*frees = false;
	if (keep > size || size > am->p.max_size)
		return -EINVAL;
	keep = ALIGN(keep, am->p.granule);
	if (keep >= ALIGN(size, am->p.granule))
		return 0;
	/*
	 * The rest is [off + keep, off + size): past the end of the offset
	 * space there is no chunk, so it is not allocated (it does not wrap
	 * around to offset 0).
	 */
	if (off > U64_MAX - size)
		return -EINVAL;
	err = amodel_free_result(am, off + keep, size - keep);
	if (err)
		return err;
	if (frees)
		*frees = true;
	return commit ? amodel_free(am, off + keep, size - keep) : 0;
}

bool amodel_chunk_idle(struct amodel *am, unsigned int i)
{
	struct model *m = &am->chunks[i].m;

	model_refresh(m);
	return m->free_bytes == m->size;
}

u64 amodel_trim(struct amodel *am, u64 busy)
{
	u64 released = 0;
	unsigned int i;

	for (i = am->nr; i-- > 1;) {
		if (!amodel_chunk_idle(am, i))
			continue;
		if (am->chunks[i].base == busy) {
			am->st.trim_busy++;
			continue;
		}
		released += am->chunks[i].size;
		am->st.capacity -= am->chunks[i].size;
		am->st.trimmed++;
		if (buddy(am))
			bmodel_give(&am->pool, am->chunks[i].unit);
		model_destroy(&am->chunks[i].m);
		am->nr--;
		memmove(&am->chunks[i], &am->chunks[i + 1],
			(am->nr - i) * sizeof(am->chunks[0]));
	}
	return released;
}

void amodel_stats(struct amodel *am, struct gomem_arena_stats *st)
{
	unsigned int i;

	*st = am->st;
	st->free = st->capacity - st->in_use;
	st->chunks = am->nr;
	st->largest_free = 0;
	for (i = 0; i < am->nr; i++) {
		model_refresh(&am->chunks[i].m);
		st->largest_free = max(st->largest_free,
				       am->chunks[i].m.largest);
	}
}
