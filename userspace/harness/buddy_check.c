// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Differential checking of the buddy allocator against its model. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/limits.h>

#include "buddy_check.h"
#include "shim.h"

/* What an output unit holds until the allocator writes it. */
#define UNIT_POISON	0x5a5a5a5a5a5a5a5aULL

static __printf(2, 3) bool bdiff_fail(struct bdiff *d, const char *fmt, ...)
{
	va_list ap;

	d->failures++;
	printf("FAIL: %s: op %llu: ", d->where, d->st.ops);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (d->abort_on_failure)
		abort();
	return false;
}

static u64 bdiff_nodes(const struct bdiff *d)
{
	return (2ULL << d->m.order) - 1;
}

static bool bdiff_verify(struct bdiff *d, bool full)
{
	const struct buddy_model *m = &d->m;
	u64 u, got, want;
	int err;

	err = gomem_buddy_check(&d->b);
	if (err)
		return bdiff_fail(d, "gomem_buddy_check() = %d", err);
	if (shim_problems() != d->problems_before)
		return bdiff_fail(d, "WARN or other shim problem (see above)");
	if (gomem_buddy_size(&d->b) != m->size)
		return bdiff_fail(d, "size %llu, model %llu",
				  gomem_buddy_size(&d->b), m->size);
	if (gomem_buddy_free_units(&d->b) != m->free)
		return bdiff_fail(d, "free units %llu, model %llu",
				  gomem_buddy_free_units(&d->b), m->free);
	want = bmodel_largest(m);
	if (gomem_buddy_largest(&d->b) != want)
		return bdiff_fail(d, "largest %llu, model %llu",
				  gomem_buddy_largest(&d->b), want);
	if (!full)
		return true;
	d->st.full++;
	for (u = 0; u < m->size + 2; u++) {
		got = gomem_buddy_block_units(&d->b, u);
		want = bmodel_block_units(m, u);
		if (got != want)
			return bdiff_fail(d, "block_units(%llu) = %llu, model %llu",
					  u, got, want);
	}
	return true;
}

static bool bdiff_done(struct bdiff *d)
{
	return bdiff_verify(d, d->full_every &&
			    d->st.ops % d->full_every == 0);
}

bool bdiff_verify_all(struct bdiff *d)
{
	return bdiff_verify(d, true);
}

/* Before a call the model says must fail: remember the whole state. */
static void bdiff_snap(struct bdiff *d)
{
	memcpy(d->snap, d->b.longest, bdiff_nodes(d));
	d->snap_free = d->b.free_units;
}

static bool bdiff_unchanged(struct bdiff *d, const char *call)
{
	if (memcmp(d->snap, d->b.longest, bdiff_nodes(d)) ||
	    d->snap_free != d->b.free_units)
		return bdiff_fail(d, "%s was refused but changed the tree", call);
	return true;
}

static void held_push(struct bdiff *d, u64 unit, u64 units)
{
	if (d->nr_held == d->cap_held) {
		d->cap_held = d->cap_held ? 2 * d->cap_held : 64;
		d->held = realloc(d->held, d->cap_held * sizeof(*d->held));
		if (!d->held) {
			fprintf(stderr, "buddy check: out of memory\n");
			abort();
		}
	}
	d->held[d->nr_held].unit = unit;
	d->held[d->nr_held].units = units;
	d->nr_held++;
}

static void held_drop(struct bdiff *d, u64 unit)
{
	u64 i;

	for (i = 0; i < d->nr_held; i++) {
		if (d->held[i].unit == unit) {
			d->held[i] = d->held[--d->nr_held];
			return;
		}
	}
	fprintf(stderr, "buddy check: freed block %llu is not held\n", unit);
	abort();
}

static bool bdiff_setup(struct bdiff *d, unsigned int order)
{
	int want = bmodel_init_result(order);
	int got;

	d->live = false;
	d->b = (struct gomem_buddy) { .order = 7 };
	got = gomem_buddy_init(&d->b, order, GFP_KERNEL);
	if (got != want) {
		if (!got)
			gomem_buddy_destroy(&d->b);
		return bdiff_fail(d, "init(%u) = %d, contract says %d", order,
				  got, want);
	}
	if (got) {
		if (d->b.order != 7 || d->b.longest)
			return bdiff_fail(d, "init(%u) = %d but changed the buddy",
					  order, got);
		return true;
	}
	d->live = true;
	bmodel_init(&d->m, order);
	d->snap = malloc(bdiff_nodes(d));
	if (!d->snap) {
		fprintf(stderr, "buddy check: out of memory\n");
		abort();
	}
	return bdiff_verify(d, true);
}

bool bdiff_init(struct bdiff *d, unsigned int order)
{
	d->nr_held = 0;
	memset(&d->st, 0, sizeof(d->st));
	d->live_before = shim_slab_live_total();
	d->problems_before = shim_problems();
	return bdiff_setup(d, order);
}

static void bdiff_teardown(struct bdiff *d)
{
	gomem_buddy_destroy(&d->b);
	bmodel_destroy(&d->m);
	free(d->snap);
	d->snap = NULL;
	d->nr_held = 0;
	d->live = false;
}

bool bdiff_destroy(struct bdiff *d)
{
	unsigned long live;

	if (!d->live)
		return true;
	bdiff_teardown(d);
	free(d->held);
	d->held = NULL;
	d->cap_held = 0;
	live = shim_slab_live_total();
	if (live != d->live_before)
		return bdiff_fail(d, "destroy left %lu allocations live, %lu before init",
				  live, d->live_before);
	return true;
}

bool bdiff_reinit(struct bdiff *d)
{
	unsigned int order = d->m.order;

	d->st.ops++;
	d->st.reinits++;
	bdiff_teardown(d);
	if (shim_slab_live_total() != d->live_before)
		return bdiff_fail(d, "destroy with %llu blocks out leaked",
				  d->nr_held);
	return bdiff_setup(d, order);
}

bool bdiff_alloc(struct bdiff *d, u64 nr)
{
	struct buddy_model *m = &d->m;
	u64 want_unit = 0, unit = UNIT_POISON, units;
	unsigned int k;
	int want, err;

	d->st.ops++;
	want = bmodel_alloc_result(m, nr, &want_unit);
	if (want)
		bdiff_snap(d);
	err = gomem_buddy_alloc(&d->b, nr, &unit);
	if (err != want)
		return bdiff_fail(d, "alloc(%llu) = %d (unit %llu), contract says %d (unit %llu)",
				  nr, err, unit, want, want_unit);
	if (err) {
		if (unit != UNIT_POISON)
			return bdiff_fail(d, "alloc(%llu) = %d but wrote unit %llu",
					  nr, err, unit);
		if (!bdiff_unchanged(d, "alloc"))
			return false;
		d->st.errors++;
		d->st.nomem += err == -ENOMEM;
		return bdiff_done(d);
	}
	k = bmodel_order_of(nr);
	units = 1ULL << k;
	if (unit >= m->size || units > m->size - unit)
		return bdiff_fail(d, "alloc(%llu) = [%llu, +%llu) out of a pool of %llu",
				  nr, unit, units, m->size);
	if (unit % units)
		return bdiff_fail(d, "alloc(%llu) = %llu, not aligned to %llu",
				  nr, unit, units);
	if (!bmodel_all_free(m, unit, units))
		return bdiff_fail(d, "alloc(%llu) = [%llu, +%llu) overlaps an allocated block",
				  nr, unit, units);
	if (unit != want_unit)
		return bdiff_fail(d, "alloc(%llu) = %llu, the lowest fit is %llu",
				  nr, unit, want_unit);
	if (gomem_buddy_block_units(&d->b, unit) != units)
		return bdiff_fail(d, "alloc(%llu) = %llu, whose block has %llu units, not %llu",
				  nr, unit, gomem_buddy_block_units(&d->b, unit),
				  units);
	bmodel_take(m, unit, k);
	held_push(d, unit, units);
	if (m->size - m->free > d->st.peak_used)
		d->st.peak_used = m->size - m->free;
	d->st.allocs++;
	return bdiff_done(d);
}

bool bdiff_free(struct bdiff *d, u64 unit)
{
	int want, err;

	d->st.ops++;
	want = bmodel_free_result(&d->m, unit);
	if (want)
		bdiff_snap(d);
	err = gomem_buddy_free(&d->b, unit);
	if (err != want)
		return bdiff_fail(d, "free(%llu) = %d, contract says %d", unit,
				  err, want);
	if (err) {
		if (!bdiff_unchanged(d, "free"))
			return false;
		d->st.errors++;
		return bdiff_done(d);
	}
	bmodel_give(&d->m, unit);
	held_drop(d, unit);
	d->st.frees++;
	return bdiff_done(d);
}

bool bdiff_free_held(struct bdiff *d, u64 idx, bool twice)
{
	u64 unit = d->held[idx].unit;

	/* Held blocks are allocated by construction: else a harness bug. */
	if (bmodel_block_units(&d->m, unit) != d->held[idx].units) {
		fprintf(stderr, "buddy check: held block %llu is not allocated\n",
			unit);
		abort();
	}
	if (!bdiff_free(d, unit))
		return false;
	return !twice || bdiff_free(d, unit);
}

bool bdiff_block_units(struct bdiff *d, u64 unit)
{
	u64 got, want;

	d->st.ops++;
	d->st.queries++;
	got = gomem_buddy_block_units(&d->b, unit);
	want = bmodel_block_units(&d->m, unit);
	if (got != want)
		return bdiff_fail(d, "block_units(%llu) = %llu, model %llu",
				  unit, got, want);
	return bdiff_done(d);
}
