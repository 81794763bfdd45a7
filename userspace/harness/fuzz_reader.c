// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the multi-segment memory and reader
 * (gomem_reader.c): an input is split into random segments, a random
 * operation sequence runs over them, and every result is checked against
 * a flat copy of the same bytes.  Any mismatch aborts, which libFuzzer
 * records as a crash.
 *
 * Input format (every byte string is a valid input; what is missing reads
 * as zero bytes):
 *   byte 0        number of layout bytes (mod 64)
 *   byte 1        number of operation bytes
 *   layout bytes  one segment length each: below 0x80, 0..4 (empty and
 *                 one-byte segments are common); else 0..127.  The pieces
 *                 are cut from the data in order; data left over after
 *                 the layout is one more piece.  The first half of the
 *                 pieces is pushed at the start, the others by PUSH.
 *   op bytes      an operation code, then its argument bytes (see below)
 *   the rest      the data
 *
 * The memory's segments point into a writable copy of the data; a second
 * copy, the model, is what every read is compared with and what
 * gomem_mem_copy_in() writes are mirrored into.  An operation refused with
 * an error must leave every field of the reader as it was.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>

#include "gomem_reader.h"

#define MAX_SEGS	256
#define PIECES_MAX	512

#define CHECK(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_reader: op %u: %s: " fmt "\n",	\
			st->op, #cond, ##__VA_ARGS__);			\
		abort();						\
	}								\
} while (0)

enum {
	OP_READ, OP_READ_U8, OP_READ_BE, OP_READ_BYTES, OP_SKIP, OP_UNREAD,
	OP_WALK_N, OP_ULEB128, OP_CURRENT, OP_CLIP, OP_PUSH, OP_COPY_OUT,
	OP_COPY_IN, OP_WALK, OP_EQUAL, OP_REINIT, OP_WALK_AT, OP_COUNT
};

struct stream {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

struct piece {
	size_t off;
	size_t len;
};

struct state {
	struct gomem_mem m;
	struct gomem_reader r;
	u8 *flat;		/* what the segments point into */
	u8 *model;		/* what they must hold */
	size_t base;		/* the memory holds flat[base, end) */
	size_t end;
	size_t pos;		/* the reader's offset in the memory */
	struct piece pieces[MAX_SEGS];
	unsigned int nr_pieces;
	unsigned int pushed;
	unsigned int op;
	u8 *out;		/* scratch, as long as the data */
	size_t cap;
};

/* A walk's pieces, checked as they come. */
struct walk {
	struct state *st;
	size_t at;		/* model offset the next piece must start at */
	unsigned int nr;
	unsigned int refuse;	/* refuse the piece with this 1-based index */
};

static u8 get8(struct stream *s)
{
	return s->pos < s->len ? s->p[s->pos++] : 0;
}

static size_t get_len(struct stream *s)
{
	u8 b = get8(s);

	/* Mostly short, sometimes long, sometimes absurd. */
	if (b < 0xf0)
		return b % 40;
	if (b < 0xff)
		return (size_t)(b - 0xf0) * 64 + get8(s);
	return SIZE_MAX - get8(s);
}

static void check_same_reader(struct state *st,
			      const struct gomem_reader *before)
{
	CHECK(st->r.mem == before->mem, "reader's memory changed");
	CHECK(st->r.seg == before->seg && st->r.cur == before->cur &&
	      st->r.end == before->end && st->r.end_off == before->end_off,
	      "refused operation moved the reader (%u,%p,%p,%zu) -> (%u,%p,%p,%zu)",
	      before->seg, (void *)before->cur, (void *)before->end,
	      before->end_off, st->r.seg, (void *)st->r.cur,
	      (void *)st->r.end, st->r.end_off);
}

static void check_bytes(struct state *st, const void *got, size_t at,
			size_t n)
{
	CHECK(!memcmp(got, st->model + st->base + at, n),
	      "%zu bytes at %zu differ", n, at);
}

static int walk_piece(void *arg, void *data, size_t len)
{
	struct walk *w = arg;
	struct state *st = w->st;

	CHECK(len, "empty piece");
	CHECK(data == st->flat + st->base + w->at,
	      "piece at %zu is not the next byte", w->at);
	if (w->refuse && w->nr + 1 == w->refuse)
		return -EFAULT;
	check_bytes(st, data, w->at, len);
	w->at += len;
	w->nr++;
	return 0;
}

static void push_piece(struct state *st)
{
	struct piece *p;

	if (st->pushed == st->nr_pieces)
		return;
	p = &st->pieces[st->pushed++];
	CHECK(gomem_mem_push(&st->m, p->len ? st->flat + p->off : NULL,
			     p->len) == 0, "push");
	st->end = p->off + p->len;
}

/* The contract's LEB128, decoded straight from the model. */
static int model_uleb128(const u8 *p, size_t avail, u64 *val, size_t *used)
{
	u64 v = 0;
	size_t i;

	for (i = 0; i < 10; i++) {
		if (i == avail)
			return -ENODATA;
		if (i == 9 && p[i] > 1)
			return -EOVERFLOW;
		v |= (u64)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*val = v;
			*used = i + 1;
			return 0;
		}
	}
	return -EOVERFLOW;
}

static void dropped_piece(void *arg, void *data, size_t len)
{
	size_t *total = arg;

	*total += len;
}

static void run_op(struct state *st, struct stream *ops)
{
	struct gomem_reader before = st->r;
	size_t left = st->end - st->base - st->pos;
	size_t size = st->end - st->base;
	size_t n, off, used;
	struct gomem_mem one;
	struct walk w;
	u64 v, want;
	void *view;
	int err = 0, werr;
	u8 b;

	switch (get8(ops) % OP_COUNT) {
	case OP_READ:
		/* n > left whenever n > cap: the buffer is never overrun. */
		n = get_len(ops);
		err = gomem_reader_read(&st->r, st->out, n);
		if (n > left) {
			CHECK(err == -ENODATA, "read %zu: %d", n, err);
			break;
		}
		CHECK(!err, "read %zu: %d", n, err);
		check_bytes(st, st->out, st->pos, n);
		st->pos += n;
		break;
	case OP_READ_U8:
		err = gomem_reader_read_u8(&st->r, &b);
		CHECK(err == (left ? 0 : -ENODATA), "read_u8: %d", err);
		if (!err)
			check_bytes(st, &b, st->pos++, 1);
		break;
	case OP_READ_BE:
		n = get8(ops) % 10;
		err = gomem_reader_read_be(&st->r, n, &v);
		CHECK(err == (!n || n > 8 ? -EINVAL : n <= left ? 0 : -ENODATA),
		      "read_be %zu: %d", n, err);
		if (err)
			break;
		for (want = 0, off = 0; off < n; off++)
			want = want << 8 | st->model[st->base + st->pos + off];
		CHECK(v == want, "read_be %zu", n);
		st->pos += n;
		break;
	case OP_READ_BYTES:
		b = get8(ops);
		n = get_len(ops);
		err = gomem_reader_read_bytes(&st->r, n, b & 1 ? NULL : st->out,
					      &view);
		if (n > left) {
			CHECK(err == -ENODATA, "read_bytes %zu: %d", n, err);
			break;
		}
		if (err == -EXDEV && (b & 1))
			break;
		CHECK(!err, "read_bytes %zu: %d", n, err);
		if (n) {
			CHECK(view == st->out ||
			      view == st->flat + st->base + st->pos,
			      "view is neither the buffer nor the bytes");
			check_bytes(st, view, st->pos, n);
		}
		st->pos += n;
		break;
	case OP_SKIP:
		n = get_len(ops);
		err = gomem_reader_skip(&st->r, n);
		CHECK(err == (n <= left ? 0 : -ENODATA), "skip %zu: %d", n, err);
		if (!err)
			st->pos += n;
		break;
	case OP_UNREAD:
		n = get_len(ops);
		err = gomem_reader_unread(&st->r, n);
		CHECK(err == (n <= st->pos ? 0 : -EINVAL), "unread %zu: %d",
		      n, err);
		if (!err)
			st->pos -= n;
		break;
	case OP_WALK_N:
		n = get_len(ops);
		w = (struct walk) { .st = st, .at = st->pos,
				    .refuse = get8(ops) % 4 };
		err = gomem_reader_walk_n(&st->r, n, walk_piece, &w);
		if (n > left) {
			CHECK(err == -ENODATA && !w.nr, "walk_n %zu: %d", n, err);
			break;
		}
		CHECK(err == 0 || err == -EFAULT, "walk_n %zu: %d", n, err);
		CHECK(err || w.at == st->pos + n, "walk_n %zu: short", n);
		if (err && !w.nr)
			check_same_reader(st, &before);
		st->pos = w.at;
		break;
	case OP_ULEB128:
		err = gomem_reader_read_uleb128(&st->r, &v);
		werr = model_uleb128(st->model + st->base + st->pos, left, &want,
				     &used);
		CHECK(err == werr, "uleb128: %d, model %d", err, werr);
		if (!err) {
			CHECK(v == want, "uleb128 value");
			st->pos += used;
		}
		break;
	case OP_CURRENT:
		b = get8(ops);
		if (b & 1)
			err = gomem_reader_pop(&st->r, &view, &n);
		else
			err = gomem_reader_current(&st->r, &view, &n);
		CHECK(err == (left ? 0 : -ENODATA), "current/pop: %d", err);
		if (err)
			break;
		CHECK(view == st->flat + st->base + st->pos && n && n <= left,
		      "current/pop: wrong piece");
		if (b & 1)
			st->pos += n;
		break;
	case OP_CLIP:
		used = 0;
		n = gomem_reader_clip_front(&st->r, dropped_piece, &used);
		CHECK(n == st->pos && used == st->pos, "clip_front %zu, %zu",
		      n, used);
		st->base += st->pos;
		st->pos = 0;
		break;
	case OP_PUSH:
		push_piece(st);
		break;
	case OP_COPY_OUT:
		off = get_len(ops);
		n = get_len(ops);
		err = gomem_mem_copy_out(&st->m, off, st->out, n);
		if (off > size || n > size - off) {
			CHECK(err == -ENODATA, "copy_out %zu at %zu", n, off);
			break;
		}
		CHECK(!err, "copy_out %zu at %zu: %d", n, off, err);
		check_bytes(st, st->out, off, n);
		break;
	case OP_COPY_IN:
		off = get_len(ops);
		n = get_len(ops);
		b = get8(ops);
		memset(st->out, b, min(n, st->cap));
		err = gomem_mem_copy_in(&st->m, off, st->out, n);
		if (off > size || n > size - off) {
			CHECK(err == -ENODATA, "copy_in %zu at %zu", n, off);
			break;
		}
		CHECK(!err, "copy_in %zu at %zu: %d", n, off, err);
		memset(st->model + st->base + off, b, n);
		break;
	case OP_WALK:
		if (get8(ops) & 1) {
			gomem_reader_move_to_end(&st->r);
			st->pos = size;
			break;
		}
		w = (struct walk) { .st = st, .at = st->pos };
		CHECK(!gomem_reader_walk(&st->r, walk_piece, &w), "walk");
		CHECK(w.at == size, "walk ended at %zu", w.at);
		st->pos = size;
		break;
	case OP_EQUAL:
		off = get_len(ops) % (size + 1);
		gomem_mem_init(&one, 2, GFP_KERNEL);
		CHECK(!gomem_mem_push(&one, st->model + st->base, off), "push");
		CHECK(!gomem_mem_push(&one, st->model + st->base + off,
				      size - off), "push");
		CHECK(gomem_mem_equal(&st->m, &one), "equal");
		if (size) {
			st->model[st->base + size - 1] ^= 0x10;
			CHECK(!gomem_mem_equal(&one, &st->m), "unequal");
			st->model[st->base + size - 1] ^= 0x10;
		}
		gomem_mem_destroy(&one);
		break;
	case OP_REINIT:
		gomem_reader_init(&st->r, &st->m);
		st->pos = 0;
		break;
	default:
		off = get_len(ops);
		n = get_len(ops);
		w = (struct walk) { .st = st, .at = off };
		err = gomem_mem_walk_at(&st->m, off, n, walk_piece, &w);
		if (off > size || n > size - off) {
			CHECK(err == -ENODATA && !w.nr, "walk_at %zu at %zu", n,
			      off);
			break;
		}
		CHECK(!err && w.at == off + n, "walk_at %zu at %zu: %d", n,
		      off, err);
		break;
	}
	/* A reader operation refused with an error did not move it at all. */
	if (err && err != -EFAULT)
		check_same_reader(st, &before);
	CHECK(gomem_reader_offset(&st->r) == st->pos,
	      "reader at %zu, model at %zu", gomem_reader_offset(&st->r),
	      st->pos);
	CHECK(gomem_reader_remaining(&st->r) == st->end - st->base - st->pos,
	      "remaining");
	CHECK(gomem_mem_size(&st->m) == st->end - st->base, "size");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct state state;
	struct state *st = &state;
	struct stream hdr = { .p = data, .len = len };
	size_t nl = get8(&hdr) % 64, no = get8(&hdr), at = 0, dlen;
	struct stream layout, ops;
	const u8 *d;
	unsigned int i;

	layout = (struct stream) { .p = data + hdr.pos,
				   .len = min(nl, len - hdr.pos) };
	ops = (struct stream) { .p = layout.p + layout.len,
				.len = min(no, len - hdr.pos - layout.len) };
	d = ops.p + ops.len;
	dlen = len - hdr.pos - layout.len - ops.len;

	memset(st, 0, sizeof(*st));
	st->cap = dlen;
	st->flat = malloc(dlen + 1);
	st->model = malloc(dlen + 1);
	st->out = malloc(dlen + 1);
	if (!st->flat || !st->model || !st->out)
		abort();
	memcpy(st->flat, d, dlen);
	memcpy(st->model, d, dlen);

	while (layout.pos < layout.len && st->nr_pieces < MAX_SEGS - 1) {
		u8 v = get8(&layout);
		size_t plen = v < 0x80 ? v % 5 : v & 0x7f;

		plen = min(plen, dlen - at);
		st->pieces[st->nr_pieces++] = (struct piece) { at, plen };
		at += plen;
	}
	if (at < dlen)
		st->pieces[st->nr_pieces++] = (struct piece) { at, dlen - at };

	gomem_mem_init(&st->m, MAX_SEGS, GFP_KERNEL);
	for (i = 0; i < (st->nr_pieces + 1) / 2; i++)
		push_piece(st);
	gomem_reader_init(&st->r, &st->m);

	for (st->op = 0; ops.pos < ops.len; st->op++)
		run_op(st, &ops);

	/* The flat copy was written exactly where the model says. */
	CHECK(!memcmp(st->flat, st->model, dlen), "bytes written astray");
	gomem_mem_destroy(&st->m);
	free(st->flat);
	free(st->model);
	free(st->out);
	return 0;
}
