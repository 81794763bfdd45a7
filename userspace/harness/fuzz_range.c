// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: an input is an operation sequence on one range
 * allocator (format in fuzz_format.h), checked after every operation
 * against the model exactly as range_diff does (check.c): any mismatch,
 * WARN or leaked node aborts, which libFuzzer records as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/limits.h>

#include "check.h"
#include "fuzz_format.h"
#include "shim.h"

struct reader {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static u8 get8(struct reader *rd)
{
	return rd->pos < rd->len ? rd->p[rd->pos++] : 0;
}

static u64 get_le(struct reader *rd, int bytes)
{
	u64 v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (u64)get8(rd) << (8 * i);
	return v;
}

static u64 dec_size(const struct diff *d, u64 v, u8 sel)
{
	switch (sel & 0xc0) {
	case FUZZ_SIZE_BYTES:
		return v;
	case FUZZ_SIZE_GRANULES:
		return v * d->m.granule;
	case FUZZ_SIZE_OVER:
		return d->m.size + v;
	default:
		return U64_MAX - v;
	}
}

static u64 dec_align(u8 sel)
{
	u8 x = sel & 63;

	if (x < 14)
		return 1ULL << x;
	if (x == 14)
		return 0;
	if (x == 15)
		return 3;
	if (x == 16)
		return U64_MAX;
	return 1ULL << (x % 13);
}

static void op_free_held(struct diff *d, struct reader *rd)
{
	u8 idx = get8(rd), kind = get8(rd), a = get8(rd), b = get8(rd);
	u64 gr = d->m.granule, len, skip, n;
	u64 i;

	if (!d->nr_held)
		return;
	i = idx % d->nr_held;
	len = d->held[i].len / gr;
	switch (len < 2 ? FUZZ_WHOLE : kind % 4) {
	case FUZZ_WHOLE:
		skip = 0;
		n = len;
		break;
	case FUZZ_HEAD:
		skip = 0;
		n = 1 + a % (len - 1);
		break;
	case FUZZ_TAIL:
		n = 1 + a % (len - 1);
		skip = len - n;
		break;
	default:
		if (len < 3)
			return;
		skip = 1 + a % (len - 2);
		n = 1 + b % (len - 1 - skip);
		break;
	}
	/* b's low bits shave bytes off the size: it still rounds to n. */
	diff_free_held(d, i, skip * gr, n * gr - (b % gr));
}

static void op_free_raw(struct diff *d, struct reader *rd)
{
	u8 flags = get8(rd);
	u64 off = get_le(rd, 3), size = get_le(rd, 3);

	if (flags & FUZZ_RAW_OFF_GRANULES)
		off *= d->m.granule;
	if (flags & FUZZ_RAW_SIZE_GRANULES)
		size *= d->m.granule;
	if (flags & FUZZ_RAW_OFF_NEG)
		off = U64_MAX - off;
	if (flags & FUZZ_RAW_SIZE_NEG)
		size = U64_MAX - size;
	diff_free(d, off, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct diff d;
	struct reader rd = { .p = data, .len = len };
	u8 hdr0 = get8(&rd), shift = get8(&rd) % 14;
	u64 granule = 1ULL << shift;
	u64 granules = get_le(&rd, 2) % (FUZZ_MAX_GRANULES + 1);
	u64 space = granules * granule, v, seed;
	int policy = hdr0 & FUZZ_HDR_AVL;
	u8 sel;

	if (hdr0 & FUZZ_HDR_BAD_POLICY)
		policy = 2;
	if (hdr0 & FUZZ_HDR_ODD_SIZE)
		space += granule / 2;

	memset(&d, 0, sizeof(d));
	d.walk_every = 1;
	d.abort_on_failure = true;
	snprintf(d.where, sizeof(d.where), "fuzz input (%zu bytes)", len);
	/* Treap priorities follow the header, so an input always replays. */
	seed = 0;
	memcpy(&seed, data, len < FUZZ_HDR_LEN ? len : FUZZ_HDR_LEN);
	shim_random_seed(seed);

	diff_init(&d, policy, space, granule);
	if (!d.live)
		return 0;
	while (rd.pos < rd.len) {
		switch (get8(&rd) % FUZZ_OP_COUNT) {
		case FUZZ_ALLOC:
			v = get_le(&rd, 2);
			sel = get8(&rd);
			diff_alloc(&d, dec_size(&d, v, sel), dec_align(sel));
			break;
		case FUZZ_FIND:
			v = get_le(&rd, 2);
			sel = get8(&rd);
			diff_find(&d, dec_size(&d, v, sel), dec_align(sel),
				  get8(&rd) & 1);
			break;
		case FUZZ_FREE_HELD:
			op_free_held(&d, &rd);
			break;
		case FUZZ_FREE_RAW:
			op_free_raw(&d, &rd);
			break;
		default:
			diff_reset(&d);
			break;
		}
	}
	diff_verify_all(&d);
	diff_destroy(&d);
	return 0;
}
