// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reference model of the buddy allocator (see buddy_model.h), written from
 * the contract alone: plain scans of two unit maps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>

#include "buddy_model.h"
#include "gomem_buddy.h"

int bmodel_init_result(unsigned int order)
{
	return order > GOMEM_BUDDY_MAX_ORDER ? -EINVAL : 0;
}

static void *bmodel_calloc(u64 n)
{
	void *p = calloc(n, 1);

	if (!p) {
		fprintf(stderr, "buddy model: out of memory\n");
		abort();
	}
	return p;
}

void bmodel_init(struct buddy_model *m, unsigned int order)
{
	m->order = order;
	m->size = 1ULL << order;
	m->used = bmodel_calloc(m->size);
	m->head = bmodel_calloc(m->size);
	m->free = m->size;
}

void bmodel_destroy(struct buddy_model *m)
{
	free(m->used);
	free(m->head);
	m->used = NULL;
	m->head = NULL;
}

unsigned int bmodel_order_of(u64 nr)
{
	unsigned int k = 0;

	while ((1ULL << k) < nr)
		k++;
	return k;
}

bool bmodel_all_free(const struct buddy_model *m, u64 start, u64 n)
{
	return !memchr(m->used + start, BMODEL_USED, n);
}

/* The lowest size-aligned block of 2^@k units that is wholly free. */
static bool bmodel_lowest_fit(const struct buddy_model *m, unsigned int k,
			      u64 *unit)
{
	u64 p, n = 1ULL << k;

	for (p = 0; p < m->size; p += n) {
		if (bmodel_all_free(m, p, n)) {
			*unit = p;
			return true;
		}
	}
	return false;
}

int bmodel_alloc_result(const struct buddy_model *m, u64 nr, u64 *unit)
{
	if (!nr || nr > m->size)
		return -EINVAL;
	return bmodel_lowest_fit(m, bmodel_order_of(nr), unit) ? 0 : -ENOMEM;
}

int bmodel_free_result(const struct buddy_model *m, u64 unit)
{
	return bmodel_block_units(m, unit) ? 0 : -EINVAL;
}

u64 bmodel_block_units(const struct buddy_model *m, u64 unit)
{
	if (unit >= m->size || !m->head[unit])
		return 0;
	return 1ULL << (m->head[unit] - 1);
}

/* Largest aligned power-of-two run inside each maximal free run. */
u64 bmodel_largest(const struct buddy_model *m)
{
	const u8 *p, *q, *end = m->used + m->size;
	u64 best = 0, s, e, n, a;

	for (p = m->used; p < end; p = q) {
		p = memchr(p, BMODEL_FREE, end - p);
		if (!p)
			break;
		q = memchr(p, BMODEL_USED, end - p);
		if (!q)
			q = end;
		s = p - m->used;
		e = q - m->used;
		for (n = m->size; n > best; n >>= 1) {
			a = (s + n - 1) & ~(n - 1);
			if (a + n <= e) {
				best = n;
				break;
			}
		}
	}
	return best;
}

void bmodel_take(struct buddy_model *m, u64 unit, unsigned int k)
{
	memset(m->used + unit, BMODEL_USED, 1ULL << k);
	m->head[unit] = k + 1;
	m->free -= 1ULL << k;
}

void bmodel_give(struct buddy_model *m, u64 unit)
{
	u64 n = bmodel_block_units(m, unit);

	memset(m->used + unit, BMODEL_FREE, n);
	m->head[unit] = 0;
	m->free += n;
}
