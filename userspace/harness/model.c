// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reference model of a range allocator (see model.h), written from
 * docs/range-allocator.md alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>

#include "model.h"

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

int model_init_result(int policy, u64 size, u64 granule)
{
	if (policy != GOMEM_POLICY_TREAP && policy != GOMEM_POLICY_AVL)
		return -EINVAL;
	if (!is_pow2(granule) || granule > MODEL_PAGE_SIZE)
		return -EINVAL;
	if (!size || size % granule)
		return -EINVAL;
	return 0;
}

static void *model_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "model: out of memory\n");
		abort();
	}
	return p;
}

void model_init(struct model *m, u64 size, u64 granule)
{
	m->size = size;
	m->granule = granule;
	m->nr = size / granule;
	m->map = model_calloc(m->nr, 1);
	/* At most one block per two granules, plus one. */
	m->blocks = model_calloc(m->nr / 2 + 1, sizeof(*m->blocks));
	model_reset(m);
}

void model_destroy(struct model *m)
{
	free(m->map);
	free(m->blocks);
	m->map = NULL;
	m->blocks = NULL;
}

void model_reset(struct model *m)
{
	memset(m->map, MODEL_FREE, m->nr);
	m->dirty = true;
}

void model_set(struct model *m, u64 off, u64 len, u8 state)
{
	memset(m->map + off / m->granule, state, len / m->granule);
	m->dirty = true;
}

bool model_all(const struct model *m, u64 off, u64 len, u8 state)
{
	u8 other = state == MODEL_FREE ? MODEL_USED : MODEL_FREE;

	return !memchr(m->map + off / m->granule, other, len / m->granule);
}

/* First granule at or after @i that is not in @state, eight at a time. */
static u64 skip_run(const u8 *map, u64 i, u64 nr, u8 state)
{
	const u64 all = state == MODEL_FREE ? 0x0101010101010101ULL : 0;
	u64 w;

	while (i + 8 <= nr) {
		memcpy(&w, map + i, sizeof(w));
		if (w != all)
			break;
		i += 8;
	}
	while (i < nr && map[i] == state)
		i++;
	return i;
}

void model_refresh(struct model *m)
{
	u64 i = 0, start, len;

	if (!m->dirty)
		return;
	m->nr_blocks = 0;
	m->free_bytes = 0;
	m->largest = 0;
	while (i < m->nr) {
		i = skip_run(m->map, i, m->nr, MODEL_USED);
		if (i == m->nr)
			break;
		start = i;
		i = skip_run(m->map, i, m->nr, MODEL_FREE);
		len = (i - start) * m->granule;
		m->blocks[m->nr_blocks].start = start * m->granule;
		m->blocks[m->nr_blocks].len = len;
		m->nr_blocks++;
		m->free_bytes += len;
		if (len > m->largest)
			m->largest = len;
	}
	m->dirty = false;
}

int model_alloc_result(struct model *m, enum gomem_policy policy, u64 size,
		       u64 align, u64 *off)
{
	u64 rounded, ealign, p, i, best_len = 0;
	const struct model_block *b;
	bool found = false;

	if (!size || size > m->size)
		return -EINVAL;
	if (!is_pow2(align) || align > MODEL_PAGE_SIZE)
		return -EINVAL;
	rounded = model_round(m, size);
	ealign = align > m->granule ? align : m->granule;

	model_refresh(m);
	for (i = 0; i < m->nr_blocks; i++) {
		b = &m->blocks[i];
		p = (b->start + ealign - 1) & ~(ealign - 1);
		if (p + rounded > b->start + b->len)
			continue;
		/* treap: lowest offset, i.e. the first block that can hold it. */
		if (policy == GOMEM_POLICY_TREAP) {
			*off = p;
			return 0;
		}
		/* avl: smallest such block; blocks come by offset, so the
		 * first of equal length wins.
		 */
		if (!found || b->len < best_len) {
			found = true;
			best_len = b->len;
			*off = p;
		}
	}
	return found ? 0 : -ENOMEM;
}

int model_free_result(const struct model *m, u64 off, u64 size)
{
	if (!size || off % m->granule)
		return -EINVAL;
	if (off > m->size || size > m->size - off)
		return -EINVAL;
	if (!model_all(m, off, model_round(m, size), MODEL_USED))
		return -EINVAL;
	return 0;
}

int model_walk_cmp(void *arg, u64 offset, u64 len)
{
	struct model_walk_cmp *w = arg;
	const struct model_block *b;

	b = w->i < w->m->nr_blocks ? &w->m->blocks[w->i] : NULL;
	if (!b || b->start != offset || b->len != len) {
		w->off = offset;
		w->len = len;
		return 1;
	}
	w->i++;
	return 0;
}
