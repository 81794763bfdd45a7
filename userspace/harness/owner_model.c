// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reference model of the ownership layer (see owner_model.h), from the
 * table and the rules at the edges of docs/ownership.md:
 *
 *  - alloc: -EINVAL for flags other than NOZERO; -EDQUOT when the holder
 *    has max_records records; -EINVAL a size of 0 or above max_size, an
 *    alignment that is neither 0 nor a power of two up to the page size
 *    (the table gives no order: this is gomem_owner.c's);
 *  - free: -EINVAL for size 0 or an offset off the granule, or no region
 *    at the offset; -EPERM a region the caller does not own; -EINVAL a
 *    range past the region's end (size rounded up to the granule);
 *    -EBUSY a part of a region anything but its owner holds; -EDQUOT a
 *    middle split at the record limit.  A whole free of a shared region
 *    ends the owner's hold only;
 *  - share: -EINVAL claims 0 or no region at the offset; -EPERM a region
 *    the caller neither owns nor references; -EINVAL a range past its end
 *    (size 0: to its end); -EDQUOT at the limit;
 *  - claim: -ENOENT no such token; -EDQUOT a first reference at the
 *    limit; the token's last claim ends it;
 *  - cancel: -ENOENT, -EPERM another's token;
 *  - release: -EINVAL unless the caller references the region at the
 *    offset; drops one claim;
 *  - undo: only a region still exactly as made (offset, rounded size, id,
 *    owner) that nothing else holds;
 *  - recycle and holder exit: every owned region freed whole; exit also
 *    drops every reference (all claims) and cancels every token made.
 * A region goes back to the arena when its last hold goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/align.h>
#include <linux/errno.h>
#include <uapi/gomem.h>

#include "owner_model.h"

static void *grow(void *p, unsigned int *cap, size_t each)
{
	*cap = *cap ? 2 * *cap : 64;
	p = realloc(p, *cap * each);
	if (!p) {
		fprintf(stderr, "owner_model: out of memory\n");
		abort();
	}
	return p;
}

void om_init(struct omodel *m, u64 granule, u64 max_size, u64 page_size,
	     u64 max_records)
{
	memset(m, 0, sizeof(*m));
	m->granule = granule;
	m->max_size = max_size;
	m->page_size = page_size;
	m->max_records = max_records;
}

void om_destroy(struct omodel *m)
{
	free(m->regions);
	free(m->tokens);
	free(m->freed);
	memset(m, 0, sizeof(*m));
}

void om_holder_new(struct omodel *m, int h, u64 id, bool ro)
{
	m->live[h] = true;
	m->ro[h] = ro;
	m->hid[h] = id;
}

int om_free_slot(const struct omodel *m)
{
	int h;

	for (h = 0; h < OM_HOLDERS; h++)
		if (!m->live[h])
			return h;
	return -1;
}

unsigned int om_holders(const struct omodel *m)
{
	unsigned int n = 0;
	int h;

	for (h = 0; h < OM_HOLDERS; h++)
		n += m->live[h];
	return n;
}

u64 om_records(const struct omodel *m, int h)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < m->nr_regions; i++)
		n += (m->regions[i].owner == h) + !!m->regions[i].claims[h];
	for (i = 0; i < m->nr_tokens; i++)
		n += m->tokens[i].maker == h;
	return n;
}

static bool at_limit(const struct omodel *m, int h)
{
	return om_records(m, h) >= m->max_records;
}

/*
 * The bytes @h holds: the regions it owns plus those it references (a
 * region it owns and references too counts twice, as in_use and
 * ref_bytes each count it).
 */
static u64 om_bytes(const struct omodel *m, int h)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < m->nr_regions; i++)
		n += m->regions[i].size * ((m->regions[i].owner == h) +
					   !!m->regions[i].claims[h]);
	return n;
}

/* Would @bytes more take @h past max_bytes? */
static bool over_bytes(const struct omodel *m, int h, u64 bytes)
{
	return m->max_bytes && om_bytes(m, h) + bytes > m->max_bytes;
}

int om_region_at(const struct omodel *m, u64 off)
{
	unsigned int i;

	for (i = 0; i < m->nr_regions; i++)
		if (off >= m->regions[i].off &&
		    off - m->regions[i].off < m->regions[i].size)
			return i;
	return -1;
}

int om_token_find(const struct omodel *m, u64 value)
{
	unsigned int i;

	for (i = 0; i < m->nr_tokens; i++)
		if (m->tokens[i].value == value)
			return i;
	return -1;
}

static unsigned int tokens_of(const struct omodel *m, unsigned int r)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr_tokens; i++)
		n += m->tokens[i].reg == r;
	return n;
}

static bool any_claims(const struct om_region *r)
{
	int h;

	for (h = 0; h < OM_HOLDERS; h++)
		if (r->claims[h])
			return true;
	return false;
}

bool om_shared(const struct omodel *m, unsigned int i)
{
	return any_claims(&m->regions[i]) || tokens_of(m, i);
}

static void freed_push(struct omodel *m, u64 off, u64 size, u8 tag, int by)
{
	if (m->nr_freed == m->cap_freed)
		m->freed = grow(m->freed, &m->cap_freed, sizeof(*m->freed));
	m->freed[m->nr_freed++] = (struct om_range){ off, size, tag, by };
	m->arena_frees++;
}

/*
 * Region @i goes back to the arena if nothing holds it any more: its
 * bytes holder @by's (its owner freeing it), or nobody's (-1).
 */
static void free_region_by(struct omodel *m, unsigned int i, int by)
{
	struct om_region *r = &m->regions[i];
	unsigned int last = m->nr_regions - 1, t;

	if (r->owner >= 0 || om_shared(m, i))
		return;
	freed_push(m, r->off, r->size, r->tag, by);
	/* Move the last region into slot @i: its tokens follow it. */
	m->regions[i] = m->regions[last];
	for (t = 0; t < m->nr_tokens; t++)
		if (m->tokens[t].reg == last)
			m->tokens[t].reg = i;
	m->nr_regions--;
}

/* The last hold of region @i may have gone: its bytes stay its keeper's. */
static void maybe_free_region(struct omodel *m, unsigned int i)
{
	free_region_by(m, i, m->regions[i].keeper);
}

static void token_remove(struct omodel *m, unsigned int t)
{
	unsigned int reg = m->tokens[t].reg;

	m->tokens[t] = m->tokens[--m->nr_tokens];
	maybe_free_region(m, reg);
}

static bool valid_align(const struct omodel *m, u64 align)
{
	return !align || (!(align & (align - 1)) && align <= m->page_size);
}

int om_alloc_check(const struct omodel *m, int h, u64 size, u64 align,
		   u32 flags)
{
	if (flags & ~GOMEM_ALLOC_NOZERO)
		return -EINVAL;
	if (at_limit(m, h))
		return -EDQUOT;
	/* The byte limit, for a size some arena could give. */
	if (size && size <= m->max_size &&
	    over_bytes(m, h, (size + m->granule - 1) / m->granule * m->granule))
		return -EDQUOT;
	if (!size || size > m->max_size || !valid_align(m, align))
		return -EINVAL;
	return 0;
}

static struct om_region *region_new(struct omodel *m)
{
	struct om_region *r;

	if (m->nr_regions == m->cap_regions)
		m->regions = grow(m->regions, &m->cap_regions,
				  sizeof(*m->regions));
	r = &m->regions[m->nr_regions++];
	memset(r, 0, sizeof(*r));
	return r;
}

int om_alloc_commit(struct omodel *m, int h, u64 off, u64 size, u64 id,
		    u8 tag)
{
	struct om_region *r;
	unsigned int i;

	size = ALIGN(size, m->granule);
	for (i = 0; i < m->nr_regions; i++)
		if (off < m->regions[i].off + m->regions[i].size &&
		    m->regions[i].off < off + size)
			return -EEXIST;
	r = region_new(m);
	r->off = off;
	r->size = size;
	r->id = id;
	r->owner = h;
	r->keeper = h;
	r->tag = tag;
	m->arena_allocs++;
	return 0;
}

int om_free(struct omodel *m, int h, u64 off, u64 size)
{
	u64 g = m->granule, end, rend;
	struct om_region *r, *tail;
	int i;

	m->nr_freed = 0;
	if (!size || off % g)
		return -EINVAL;
	i = om_region_at(m, off);
	if (i < 0)
		return -EINVAL;
	r = &m->regions[i];
	if (r->owner != h)
		return -EPERM;
	rend = r->off + r->size;
	if (size > rend - off || ALIGN(size, g) > rend - off)
		return -EINVAL;
	size = ALIGN(size, g);
	end = off + size;
	if (off == r->off && end == rend) {
		r->owner = -1;
		free_region_by(m, i, h);
		return 0;
	}
	if (om_shared(m, i))
		return -EBUSY;
	if (off > r->off && end < rend) {
		if (at_limit(m, h))
			return -EDQUOT;
		r->size = off - r->off;
		tail = region_new(m);
		r = &m->regions[i];
		*tail = *r;
		tail->off = end;
		tail->size = rend - end;
		tail->id = 0;	/* om_set_id() */
	} else if (off == r->off) {
		r->off = end;
		r->size = rend - end;
	} else {
		r->size = off - r->off;
	}
	freed_push(m, off, size, r->tag, h);
	return 0;
}

void om_set_id(struct omodel *m, unsigned int i, u64 id)
{
	m->regions[i].id = id;
}

u64 om_recycle(struct omodel *m, int h, u64 *bytes)
{
	unsigned int i;
	u64 n = 0;

	m->nr_freed = 0;
	*bytes = 0;
	/* Backwards: freeing region i moves the last one into its slot. */
	for (i = m->nr_regions; i-- > 0;) {
		if (m->regions[i].owner != h)
			continue;
		n++;
		*bytes += m->regions[i].size;
		m->regions[i].owner = -1;
		free_region_by(m, i, h);
	}
	return n;
}

bool om_undo(struct omodel *m, int h, u64 off, u64 size, u64 id)
{
	struct om_region *r;
	int i = om_region_at(m, off);

	m->nr_freed = 0;
	if (i < 0)
		return false;
	r = &m->regions[i];
	if (r->id != id || r->owner != h || r->off != off ||
	    r->size != ALIGN(size, m->granule) || om_shared(m, i))
		return false;
	r->owner = -1;
	free_region_by(m, i, h);
	return true;
}

int om_share(struct omodel *m, int h, u64 off, u64 size, u32 claims,
	     int *tok)
{
	struct om_region *r;
	struct om_token *t;
	u64 rend;
	int i;

	if (!claims)
		return -EINVAL;
	i = om_region_at(m, off);
	if (i < 0)
		return -EINVAL;
	r = &m->regions[i];
	if (r->owner != h && !r->claims[h])
		return -EPERM;
	rend = r->off + r->size;
	if (!size)
		size = rend - off;
	if (size > rend - off)
		return -EINVAL;
	if (at_limit(m, h))
		return -EDQUOT;
	if (m->nr_tokens == m->cap_tokens)
		m->tokens = grow(m->tokens, &m->cap_tokens, sizeof(*m->tokens));
	*tok = m->nr_tokens;
	t = &m->tokens[m->nr_tokens++];
	*t = (struct om_token){ .value = 0, .off = off, .size = size,
				.left = claims, .maker = h, .reg = i };
	return 0;
}

void om_share_value(struct omodel *m, int tok, u64 value)
{
	m->tokens[tok].value = value;
}

int om_claim(struct omodel *m, int h, u64 value, u64 *off, u64 *size)
{
	struct om_token *t;
	struct om_region *r;
	int i;

	m->nr_freed = 0;
	i = om_token_find(m, value);
	if (i < 0)
		return -ENOENT;
	t = &m->tokens[i];
	r = &m->regions[t->reg];
	if (!r->claims[h] && (at_limit(m, h) || over_bytes(m, h, r->size)))
		return -EDQUOT;
	if (!r->claims[h] && !m->ro[h] && h != r->keeper)
		r->keeper = -1;
	r->claims[h]++;
	*off = t->off;
	*size = t->size;
	if (!--t->left)
		token_remove(m, i);	/* the claim holds it: not freed */
	return 0;
}

int om_cancel(struct omodel *m, int h, u64 value)
{
	int i;

	m->nr_freed = 0;
	i = om_token_find(m, value);
	if (i < 0)
		return -ENOENT;
	if (m->tokens[i].maker != h)
		return -EPERM;
	token_remove(m, i);
	return 0;
}

int om_release(struct omodel *m, int h, u64 off)
{
	int i;

	m->nr_freed = 0;
	i = om_region_at(m, off);
	if (i < 0 || !m->regions[i].claims[h])
		return -EINVAL;
	m->regions[i].claims[h]--;
	maybe_free_region(m, i);
	return 0;
}

void om_holder_exit(struct omodel *m, int h, struct gomem_reclaim *out)
{
	unsigned int i, before;

	memset(out, 0, sizeof(*out));
	m->nr_freed = 0;
	/* Tokens first: each may be the last hold of a region. */
	for (i = m->nr_tokens; i-- > 0;) {
		if (m->tokens[i].maker != h)
			continue;
		out->tokens++;
		token_remove(m, i);
	}
	for (i = m->nr_regions; i-- > 0;) {
		struct om_region *r = &m->regions[i];

		if (r->claims[h]) {
			out->refs++;
			r->claims[h] = 0;
		}
		if (r->owner == h) {
			out->regions++;
			out->bytes += r->size;
			r->owner = -1;
		}
		/* Its bytes are nobody's now: no holder of this slot wrote them. */
		if (r->keeper == h)
			r->keeper = -1;
		/* The last region may now be in slot i: it was visited. */
		maybe_free_region(m, i);
	}
	before = m->nr_freed;
	out->freed = before;
	m->live[h] = false;
	m->hid[h] = 0;
}

void om_stats(const struct omodel *m, int h, struct gomem_owner_stats *st)
{
	const struct om_region *r;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->holders = om_holders(m);
	for (i = 0; i < m->nr_regions; i++) {
		r = &m->regions[i];
		if (r->owner == h) {
			st->regions++;
			st->in_use += r->size;
		} else if (r->owner < 0) {
			st->orphans++;
			st->orphan_bytes += r->size;
		}
		if (r->claims[h]) {
			st->refs++;
			st->ref_bytes += r->size;
		}
	}
	for (i = 0; i < m->nr_regions; i++) {
		int k;

		for (k = 0; k < OM_HOLDERS; k++)
			st->all_refs += !!m->regions[i].claims[k];
	}
	for (i = 0; i < m->nr_tokens; i++)
		st->tokens += m->tokens[i].maker == h;
	st->all_tokens = m->nr_tokens;
}

u64 om_in_use(const struct omodel *m)
{
	unsigned int i;
	u64 n = 0;

	for (i = 0; i < m->nr_regions; i++)
		n += m->regions[i].size;
	return n;
}

void om_region_info(const struct omodel *m, unsigned int i,
		    struct gomem_owner_region_info *ri)
{
	const struct om_region *r = &m->regions[i];
	int h;

	memset(ri, 0, sizeof(*ri));
	ri->offset = r->off;
	ri->size = r->size;
	ri->id = r->id;
	ri->owner = r->owner >= 0 ? m->hid[r->owner] : 0;
	for (h = 0; h < OM_HOLDERS; h++) {
		ri->refs += !!r->claims[h];
		ri->claims += r->claims[h];
	}
	ri->tokens = tokens_of(m, i);
}
