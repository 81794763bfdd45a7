// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: an input is an operation sequence on one buddy
 * allocator, checked after every operation against the model exactly as
 * buddy_diff does (buddy_check.c): any mismatch, WARN or leak aborts,
 * which libFuzzer records as a crash.
 *
 * Input format (gen_corpus_buddy.sh writes the seed corpus):
 *   [0] order: bit 7 set: an invalid order, GOMEM_BUDDY_MAX_ORDER + 1 +
 *       ([0] & 0x7f); else [0] % (FUZZ_MAX_ORDER + 1)
 * Then operations until the input ends; a missing byte reads as 0.  The
 * opcode is the first byte modulo FUZZ_OP_COUNT:
 *   0 ALLOC      v lo, v hi, mode     alloc(nr): mode % 4 = 0: nr = v;
 *                                     1: nr = 1 + v % size; 2: nr =
 *                                     size + v; 3: nr = U64_MAX - v
 *   1 FREE_HELD  idx, twice           free held block idx % count (none
 *                                     held: nothing); if twice & 1,
 *                                     free it again
 *   2 FREE_RAW   mode, v lo, v hi     free(unit): mode % 4 = 0: unit =
 *                                     v; 1: inside held block (v picks
 *                                     which and where); 2: size + v;
 *                                     3: U64_MAX - v
 *   3 QUERY      v lo, v hi           block_units(v)
 *   4 REINIT                          destroy and init, same order
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/limits.h>

#include "buddy_check.h"
#include "shim.h"

/* Pools of up to 2^10 units keep the O(n) checks of an input fast. */
#define FUZZ_MAX_ORDER		10

enum fuzz_buddy_op {
	FUZZ_ALLOC,
	FUZZ_FREE_HELD,
	FUZZ_FREE_RAW,
	FUZZ_QUERY,
	FUZZ_REINIT,
	FUZZ_OP_COUNT
};

struct reader {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static u8 get8(struct reader *rd)
{
	return rd->pos < rd->len ? rd->p[rd->pos++] : 0;
}

static u64 get16(struct reader *rd)
{
	u64 lo = get8(rd);

	return lo | (u64)get8(rd) << 8;
}

static void op_alloc(struct bdiff *d, struct reader *rd)
{
	u64 v = get16(rd), size = d->m.size, nr;

	switch (get8(rd) % 4) {
	case 0:
		nr = v;
		break;
	case 1:
		nr = 1 + v % size;
		break;
	case 2:
		nr = size + v;
		break;
	default:
		nr = U64_MAX - v;
		break;
	}
	bdiff_alloc(d, nr);
}

static void op_free_raw(struct bdiff *d, struct reader *rd)
{
	u8 mode = get8(rd);
	u64 v = get16(rd);
	const struct bheld *h;

	switch (mode % 4) {
	case 0:
		bdiff_free(d, v);
		break;
	case 1:
		if (!d->nr_held)
			break;
		h = &d->held[(v & 0xff) % d->nr_held];
		bdiff_free(d, h->unit + (v >> 8) % h->units);
		break;
	case 2:
		bdiff_free(d, d->m.size + v);
		break;
	default:
		bdiff_free(d, U64_MAX - v);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct bdiff d;
	struct reader rd = { .p = data, .len = len };
	u8 hdr = get8(&rd), idx, twice;
	unsigned int order;

	if (hdr & 0x80)
		order = GOMEM_BUDDY_MAX_ORDER + 1 + (hdr & 0x7f);
	else
		order = hdr % (FUZZ_MAX_ORDER + 1);

	memset(&d, 0, sizeof(d));
	d.full_every = 8;
	d.abort_on_failure = true;
	snprintf(d.where, sizeof(d.where), "fuzz input (%zu bytes)", len);

	bdiff_init(&d, order);
	if (!d.live)
		return 0;
	while (rd.pos < rd.len) {
		switch (get8(&rd) % FUZZ_OP_COUNT) {
		case FUZZ_ALLOC:
			op_alloc(&d, &rd);
			break;
		case FUZZ_FREE_HELD:
			idx = get8(&rd);
			twice = get8(&rd);
			if (d.nr_held)
				bdiff_free_held(&d, idx % d.nr_held, twice & 1);
			break;
		case FUZZ_FREE_RAW:
			op_free_raw(&d, &rd);
			break;
		case FUZZ_QUERY:
			bdiff_block_units(&d, get16(&rd));
			break;
		default:
			bdiff_reinit(&d);
			break;
		}
	}
	bdiff_verify_all(&d);
	bdiff_destroy(&d);
	return 0;
}
