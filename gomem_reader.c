// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem multi-segment memory and reader (GoMem's Memory and MemoryReader).
 *
 * A memory is a list of (pointer, length) segments; a reader is a position
 * in the byte stream they form.  Nothing here copies the bytes a memory is
 * given, and only growing the segment array allocates, so every reader
 * operation, and every memory operation but push, push_many, append and
 * reserve, is safe in atomic context.
 *
 * A reader's position is kept two ways: @pos (bytes before it), and
 * (@seg, @off), the segment and offset of the next byte.  Every operation
 * starts from the "settled" position, found by stepping over segments that
 * are used up or empty, so that either @seg is the memory's count (the
 * end) or @off < the length of segment @seg.  Settling when an operation
 * starts rather than when it ends is what lets a reader that reached the
 * end go on reading bytes pushed onto the memory later; and it is looked
 * up without writing it back (gomem_reader_next()) until the operation is
 * sure to succeed.
 *
 * Each operation checks that the bytes it needs are there before it moves,
 * so a refused operation leaves the reader exactly as it was.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gomem_reader.h"

static struct gomem_seg *gomem_mem_slots(struct gomem_mem *m)
{
	return m->ext ? m->ext : m->inline_segs;
}

/**
 * gomem_mem_init() - set up an empty memory
 * @m: memory to initialise (caller-owned)
 * @max_segs: the most segments @m may ever hold; values below
 *            %GOMEM_MEM_INLINE count as %GOMEM_MEM_INLINE (so 0 means
 *            "never allocate")
 * @gfp: flags for growing the segment array beyond %GOMEM_MEM_INLINE
 *
 * Context: any context; never allocates.
 */
void gomem_mem_init(struct gomem_mem *m, unsigned int max_segs, gfp_t gfp)
{
	*m = (struct gomem_mem) {
		.cap = GOMEM_MEM_INLINE,
		.max = max_t(unsigned int, max_segs, GOMEM_MEM_INLINE),
		.gfp = gfp,
	};
}
EXPORT_SYMBOL_GPL(gomem_mem_init);

/**
 * gomem_mem_init_buf() - set up a memory of one segment
 * @m: memory to initialise (caller-owned)
 * @data: the segment's bytes (not copied)
 * @len: their number
 *
 * Like gomem_mem_init(@m, 0, GFP_NOWAIT) followed by gomem_mem_push(): @m
 * holds at most %GOMEM_MEM_INLINE segments and never allocates.
 *
 * Context: any context; never allocates.
 * Return: 0, or -EINVAL if @data is NULL and @len is not 0 (@m is then
 * initialised and empty).
 */
int gomem_mem_init_buf(struct gomem_mem *m, void *data, size_t len)
{
	gomem_mem_init(m, 0, GFP_NOWAIT);
	return gomem_mem_push(m, data, len);
}
EXPORT_SYMBOL_GPL(gomem_mem_init_buf);

/**
 * gomem_mem_destroy() - release the segment array
 * @m: memory
 *
 * Frees what the memory allocated (never the bytes of its segments) and
 * leaves it empty, with the maximum and gfp it had: it may be used again
 * without a new init.  Readers over @m must not be used afterwards.
 *
 * Context: any context; does not sleep.
 */
void gomem_mem_destroy(struct gomem_mem *m)
{
	kfree(m->ext);
	m->ext = NULL;
	m->cap = GOMEM_MEM_INLINE;
	m->count = 0;
	m->size = 0;
}
EXPORT_SYMBOL_GPL(gomem_mem_destroy);

/*
 * Make room for @nr more segments.  If the array had to move, *@old is the
 * previous one, for the caller to free once it no longer reads from it (the
 * segments being added may come from that very array).
 */
static int gomem_mem_grow(struct gomem_mem *m, unsigned int nr, gfp_t gfp,
			  struct gomem_seg **old)
{
	struct gomem_seg *segs;
	unsigned int need, cap;

	*old = NULL;
	if (nr > m->max - m->count)
		return -ENOSPC;
	need = m->count + nr;
	if (need <= m->cap)
		return 0;
	/* Double, so that n pushes cost O(n) copying; never beyond max. */
	cap = m->cap > m->max / 2 ? m->max : m->cap * 2;
	cap = max(cap, need);
	segs = kmalloc_array(cap, sizeof(*segs), gfp);
	if (!segs)
		return -ENOMEM;
	memcpy(segs, gomem_mem_slots(m), m->count * sizeof(*segs));
	*old = m->ext;
	m->ext = segs;
	m->cap = cap;
	return 0;
}

/**
 * gomem_mem_reserve() - make room for more segments ahead of time
 * @m: memory
 * @nr: segments the next pushes will add
 * @gfp: allocation flags for this call
 *
 * Afterwards, pushing up to @nr segments does not allocate.  A caller that
 * pushes under a spinlock calls this first, outside the lock.
 *
 * Context: may sleep if @gfp allows it.
 * Return: 0; -ENOSPC if @m would then hold more than its maximum; -ENOMEM.
 * On error @m is unchanged.
 */
int gomem_mem_reserve(struct gomem_mem *m, unsigned int nr, gfp_t gfp)
{
	struct gomem_seg *old;
	int err;

	err = gomem_mem_grow(m, nr, gfp, &old);
	kfree(old);
	return err;
}
EXPORT_SYMBOL_GPL(gomem_mem_reserve);

/* Check @nr new segments and the size they bring: *@size is the new size. */
static int gomem_mem_check_segs(const struct gomem_mem *m,
				const struct gomem_seg *segs, unsigned int nr,
				size_t *size)
{
	size_t total = m->size;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (!segs[i].data && segs[i].len)
			return -EINVAL;
		if (check_add_overflow(total, segs[i].len, &total))
			return -EOVERFLOW;
	}
	*size = total;
	return 0;
}

/**
 * gomem_mem_push_many() - add segments at the end
 * @m: memory
 * @segs: segments to add, in order; may point into @m's own array
 * @nr: their number
 *
 * All or nothing.  The bytes are not copied: they must stay valid, and
 * in place, for as long as @m refers to them.
 *
 * Context: allocates (with the gfp given at init) only if @m's segment
 * array is full; may sleep only if that gfp allows it.  Never allocates
 * while gomem_mem_count() + @nr <= %GOMEM_MEM_INLINE, or after a
 * successful gomem_mem_reserve() of @nr.
 * Return: 0; -EINVAL if a segment has NULL data and a non-zero length;
 * -EOVERFLOW if the total size would not fit a size_t; -ENOSPC if @m would
 * hold more than its maximum; -ENOMEM.  On error @m is unchanged.
 */
int gomem_mem_push_many(struct gomem_mem *m, const struct gomem_seg *segs,
			unsigned int nr)
{
	struct gomem_seg *old;
	size_t size;
	int err;

	err = gomem_mem_check_segs(m, segs, nr, &size);
	if (err)
		return err;
	err = gomem_mem_grow(m, nr, m->gfp, &old);
	if (err)
		return err;
	/* Never overlapping: @segs are in use, the target slots are not. */
	memcpy(gomem_mem_slots(m) + m->count, segs, nr * sizeof(*segs));
	kfree(old);
	m->count += nr;
	m->size = size;
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_mem_push_many);

/**
 * gomem_mem_push() - add one segment at the end
 * @m: memory
 * @data: the segment's bytes (not copied); NULL only if @len is 0
 * @len: their number; 0 adds an empty segment
 *
 * Context: as gomem_mem_push_many() with one segment.
 * Return: as gomem_mem_push_many().  On error @m is unchanged.
 */
int gomem_mem_push(struct gomem_mem *m, void *data, size_t len)
{
	struct gomem_seg seg = { .data = data, .len = len };

	return gomem_mem_push_many(m, &seg, 1);
}
EXPORT_SYMBOL_GPL(gomem_mem_push);

/**
 * gomem_mem_append() - add every segment of another memory at the end
 * @m: memory
 * @other: memory whose segments are added, in order; may be @m itself
 *
 * @other is not changed; afterwards both refer to the same bytes.
 *
 * Context: as gomem_mem_push_many() with gomem_mem_count(@other) segments.
 * Return: as gomem_mem_push_many().  On error @m is unchanged.
 */
int gomem_mem_append(struct gomem_mem *m, const struct gomem_mem *other)
{
	return gomem_mem_push_many(m, gomem_mem_segs(other), other->count);
}
EXPORT_SYMBOL_GPL(gomem_mem_append);

/**
 * gomem_mem_update() - replace one segment
 * @m: memory
 * @index: which segment: 0 is the first; a negative index counts from the
 *         end, -1 being the last
 * @data: the new segment's bytes (not copied); NULL only if @len is 0
 * @len: their number
 *
 * Readers over @m must start again afterwards (gomem_reader_init()).
 *
 * Context: any context; never allocates.
 * Return: 0; -EINVAL if there is no segment @index, or @data is NULL and
 * @len is not 0; -EOVERFLOW if the total size would not fit a size_t.  On
 * error @m is unchanged.
 */
int gomem_mem_update(struct gomem_mem *m, int index, void *data, size_t len)
{
	struct gomem_seg *seg;
	s64 i = index;
	size_t size;

	if (i < 0)
		i += m->count;
	if (i < 0 || i >= m->count)
		return -EINVAL;
	if (!data && len)
		return -EINVAL;
	seg = &gomem_mem_slots(m)[i];
	if (check_add_overflow(m->size - seg->len, len, &size))
		return -EOVERFLOW;
	seg->data = data;
	seg->len = len;
	m->size = size;
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_mem_update);

/**
 * gomem_mem_reset() - drop every segment
 * @m: memory
 *
 * Keeps the segment array for reuse.  Readers over @m must start again
 * afterwards (gomem_reader_init()).
 *
 * Context: any context; never allocates.
 */
void gomem_mem_reset(struct gomem_mem *m)
{
	m->count = 0;
	m->size = 0;
}
EXPORT_SYMBOL_GPL(gomem_mem_reset);

/**
 * gomem_mem_walk() - visit every segment in order
 * @m: memory
 * @fn: called with @arg and each segment's data and length, empty segments
 *      included; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Context: @fn must not change @m.  Never allocates; does not sleep unless
 * @fn does.
 * Return: the first non-zero value @fn returned, else 0.
 */
int gomem_mem_walk(const struct gomem_mem *m,
		   int (*fn)(void *arg, void *data, size_t len), void *arg)
{
	const struct gomem_seg *segs = gomem_mem_segs(m);
	unsigned int i;
	int ret;

	for (i = 0; i < m->count; i++) {
		ret = fn(arg, segs[i].data, segs[i].len);
		if (ret)
			return ret;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_mem_walk);

/**
 * gomem_mem_walk_at() - visit the bytes [@offset, @offset + @len) in pieces
 * @m: memory
 * @offset: first byte, counted from the start of the first segment
 * @len: number of bytes
 * @fn: called with @arg and each non-empty piece of the range that lies in
 *      one segment, in order; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * The path through which the bytes of a memory are read or written where
 * they lie (gomem_mem_copy_out() and gomem_mem_copy_in() are built on it):
 * e.g. @fn may copy_to_user() each piece.  Finding @offset takes
 * O(segments before it).
 *
 * Context: @fn must not change @m.  Never allocates; does not sleep unless
 * @fn does.
 * Return: 0 (also when @len is 0, without calling @fn); -ENODATA, without
 * calling @fn, if the range does not lie inside the memory; otherwise the
 * first non-zero value @fn returned.
 */
int gomem_mem_walk_at(const struct gomem_mem *m, size_t offset, size_t len,
		      int (*fn)(void *arg, void *data, size_t len), void *arg)
{
	const struct gomem_seg *segs = gomem_mem_segs(m);
	unsigned int i = 0;
	size_t step;
	int ret;

	if (offset > m->size || len > m->size - offset)
		return -ENODATA;
	/* The range lies inside: no segment index below runs off the end. */
	while (len) {
		if (offset >= segs[i].len) {
			offset -= segs[i++].len;
			continue;
		}
		step = min(len, segs[i].len - offset);
		ret = fn(arg, (u8 *)segs[i].data + offset, step);
		if (ret)
			return ret;
		len -= step;
		offset = 0;
		i++;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_mem_walk_at);

static int gomem_copy_out_piece(void *arg, void *data, size_t len)
{
	u8 **dst = arg;

	memcpy(*dst, data, len);
	*dst += len;
	return 0;
}

static int gomem_copy_in_piece(void *arg, void *data, size_t len)
{
	const u8 **src = arg;

	memcpy(data, *src, len);
	*src += len;
	return 0;
}

/**
 * gomem_mem_copy_out() - copy bytes out of a memory into a flat buffer
 * @m: memory
 * @offset: first byte to copy, counted from the start of the memory
 * @buf: destination, @len bytes
 * @len: number of bytes
 *
 * gomem_mem_copy_out(@m, 0, @buf, gomem_mem_size(@m)) is GoMem's CopyTo().
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA (nothing copied) if [@offset, @offset + @len) does
 * not lie inside the memory.
 */
int gomem_mem_copy_out(const struct gomem_mem *m, size_t offset, void *buf,
		       size_t len)
{
	u8 *dst = buf;

	return gomem_mem_walk_at(m, offset, len, gomem_copy_out_piece, &dst);
}
EXPORT_SYMBOL_GPL(gomem_mem_copy_out);

/**
 * gomem_mem_copy_in() - write a flat buffer through the segments
 * @m: memory; its segments' bytes are written, its segment list is not
 * @offset: first byte to write, counted from the start of the memory
 * @buf: source, @len bytes
 * @len: number of bytes
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA (nothing written) if [@offset, @offset + @len)
 * does not lie inside the memory.
 */
int gomem_mem_copy_in(const struct gomem_mem *m, size_t offset,
		      const void *buf, size_t len)
{
	const u8 *src = buf;

	return gomem_mem_walk_at(m, offset, len, gomem_copy_in_piece, &src);
}
EXPORT_SYMBOL_GPL(gomem_mem_copy_in);

/**
 * gomem_mem_equal() - do two memories hold the same bytes
 * @a: memory
 * @b: memory
 *
 * Compares the byte streams, however each is split into segments.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: true if @a and @b have the same size and the same bytes.
 */
bool gomem_mem_equal(const struct gomem_mem *a, const struct gomem_mem *b)
{
	const struct gomem_seg *sa = gomem_mem_segs(a), *sb = gomem_mem_segs(b);
	unsigned int ia = 0, ib = 0;
	size_t oa = 0, ob = 0, left = a->size, step;

	if (a->size != b->size)
		return false;
	while (left) {
		/* Bytes remain in both, so neither index runs off the end. */
		if (oa == sa[ia].len) {
			ia++;
			oa = 0;
			continue;
		}
		if (ob == sb[ib].len) {
			ib++;
			ob = 0;
			continue;
		}
		step = min(sa[ia].len - oa, sb[ib].len - ob);
		if (memcmp((u8 *)sa[ia].data + oa, (u8 *)sb[ib].data + ob, step))
			return false;
		oa += step;
		ob += step;
		left -= step;
	}
	return true;
}
EXPORT_SYMBOL_GPL(gomem_mem_equal);

/**
 * gomem_reader_init() - start reading a memory at its first byte
 * @r: reader to initialise (caller-owned)
 * @m: memory to read
 *
 * Any number of readers may read one memory.  Pushing or appending to @m
 * keeps every reader valid (a reader at the end then sees the new bytes);
 * gomem_mem_update(), gomem_mem_reset(), gomem_mem_destroy() and another
 * reader's gomem_reader_clip_front() invalidate them: start them again
 * with this function.
 *
 * Context: any context.
 */
void gomem_reader_init(struct gomem_reader *r, struct gomem_mem *m)
{
	*r = (struct gomem_reader) { .mem = m };
}
EXPORT_SYMBOL_GPL(gomem_reader_init);

/*
 * The segment holding the next byte, and the offset in it (*@off): @r's
 * position settled (see the comment at the top), without moving @r, so
 * that an operation refused after looking leaves @r exactly as it was.
 */
static unsigned int gomem_reader_next(const struct gomem_reader *r,
				      size_t *off)
{
	const struct gomem_seg *segs = gomem_mem_segs(r->mem);
	unsigned int seg = r->seg;
	size_t o = r->off;

	while (seg < r->mem->count && o == segs[seg].len) {
		seg++;
		o = 0;
	}
	*off = o;
	return seg;
}

/*
 * Move over the next @n bytes, which the caller has checked are there,
 * first handing each non-empty piece that lies in one segment to @fn (if
 * any).  If @fn refuses a piece, @r stays as it was before that piece.
 */
static int gomem_reader_feed(struct gomem_reader *r, size_t n,
			     int (*fn)(void *arg, void *data, size_t len),
			     void *arg)
{
	const struct gomem_seg *segs = gomem_mem_segs(r->mem);
	unsigned int seg;
	size_t off, step;
	int ret;

	while (n) {
		seg = gomem_reader_next(r, &off);
		step = min(n, segs[seg].len - off);
		if (fn) {
			ret = fn(arg, (u8 *)segs[seg].data + off, step);
			if (ret)
				return ret;
		}
		r->seg = seg;
		r->off = off + step;
		r->pos += step;
		n -= step;
	}
	r->seg = gomem_reader_next(r, &r->off);
	return 0;
}

/**
 * gomem_reader_read() - copy the next bytes into a buffer
 * @r: reader
 * @buf: destination, @n bytes
 * @n: number of bytes
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA (nothing copied, the reader unchanged) if fewer
 * than @n bytes remain.
 */
int gomem_reader_read(struct gomem_reader *r, void *buf, size_t n)
{
	u8 *dst = buf;

	if (n > gomem_reader_remaining(r))
		return -ENODATA;
	return gomem_reader_feed(r, n, gomem_copy_out_piece, &dst);
}
EXPORT_SYMBOL_GPL(gomem_reader_read);

/**
 * gomem_reader_read_u8() - read one byte
 * @r: reader
 * @val: set to the byte
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA (the reader unchanged) at the end.
 */
int gomem_reader_read_u8(struct gomem_reader *r, u8 *val)
{
	const struct gomem_seg *segs = gomem_mem_segs(r->mem);
	unsigned int seg;
	size_t off;

	/*
	 * Fast path: the next byte is in the current segment, so this is
	 * what gomem_reader_feed() would do, without its segment walk.
	 */
	if (likely(r->seg < r->mem->count && r->off < segs[r->seg].len)) {
		*val = ((u8 *)segs[r->seg].data)[r->off++];
		r->pos++;
		return 0;
	}
	if (!gomem_reader_remaining(r))
		return -ENODATA;
	seg = gomem_reader_next(r, &off);
	*val = ((u8 *)segs[seg].data)[off];
	return gomem_reader_feed(r, 1, NULL, NULL);
}
EXPORT_SYMBOL_GPL(gomem_reader_read_u8);

/**
 * gomem_reader_read_be() - read a big-endian unsigned integer
 * @r: reader
 * @n: its width in bytes, 1 to 8
 * @val: set to the integer
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0; -EINVAL if @n is 0 or above 8; -ENODATA if fewer than @n
 * bytes remain.  On error the reader is unchanged.
 */
int gomem_reader_read_be(struct gomem_reader *r, unsigned int n, u64 *val)
{
	u8 bytes[8];
	unsigned int i;
	u64 v = 0;
	int err;

	if (!n || n > sizeof(bytes))
		return -EINVAL;
	err = gomem_reader_read(r, bytes, n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		v = v << 8 | bytes[i];
	*val = v;
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_reader_read_be);

/**
 * gomem_reader_read_bytes() - read the next bytes, without copying if can be
 * @r: reader
 * @n: number of bytes
 * @buf: where to copy them if they cross a segment boundary (@n bytes), or
 *       NULL to refuse to copy
 * @view: set to the bytes: a pointer into the segment that holds all @n of
 *        them, else @buf holding a copy (@buf, too, when @n is 0)
 *
 * A view points into the memory's segment: it stays valid as long as the
 * segment's bytes do, and writing through it writes the segment.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0; -ENODATA if fewer than @n bytes remain; -EXDEV if the bytes
 * cross a segment boundary and @buf is NULL.  On error the reader is
 * unchanged.
 */
int gomem_reader_read_bytes(struct gomem_reader *r, size_t n, void *buf,
			    void **view)
{
	const struct gomem_seg *segs = gomem_mem_segs(r->mem);
	unsigned int seg;
	size_t off;

	if (n > gomem_reader_remaining(r))
		return -ENODATA;
	if (!n) {
		*view = buf;
		return 0;
	}
	seg = gomem_reader_next(r, &off);
	if (n <= segs[seg].len - off) {
		*view = (u8 *)segs[seg].data + off;
		return gomem_reader_feed(r, n, NULL, NULL);
	}
	if (!buf)
		return -EXDEV;
	*view = buf;
	return gomem_reader_read(r, buf, n);
}
EXPORT_SYMBOL_GPL(gomem_reader_read_bytes);

/* Bytes of an unsigned LEB128 that a u64 can need: 64 bits in 7-bit groups. */
#define GOMEM_LEB128_MAX	10

/**
 * gomem_reader_read_uleb128() - read an unsigned LEB128 number
 * @r: reader
 * @val: set to the number
 *
 * Little-endian groups of 7 bits, the high bit of each byte set on all but
 * the last, as GoMem's LEB128Unmarshal() decodes them (AV1, DWARF, wasm).
 * Padding (0x80 ... 0x00) is accepted within the 10 bytes a u64 needs.
 * gomem_reader_offset() tells how many bytes were read.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0; -ENODATA if the stream ends before the last byte of the
 * number; -EOVERFLOW if the number does not fit a u64 (a 10th byte above
 * 1, continuation included).  On error the reader is unchanged.
 */
int gomem_reader_read_uleb128(struct gomem_reader *r, u64 *val)
{
	struct gomem_reader tmp = *r;
	unsigned int i;
	u64 v = 0;
	u8 b;

	for (i = 0; i < GOMEM_LEB128_MAX; i++) {
		if (gomem_reader_read_u8(&tmp, &b))
			return -ENODATA;
		/* Group 9 holds bit 63 only, and must end the number. */
		if (i == GOMEM_LEB128_MAX - 1 && b > 1)
			return -EOVERFLOW;
		v |= (u64)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*r = tmp;
			*val = v;
			return 0;
		}
	}
	/* Not reached: the last group either ends the number or fails. */
	return -EOVERFLOW;
}
EXPORT_SYMBOL_GPL(gomem_reader_read_uleb128);

/**
 * gomem_reader_skip() - move forward
 * @r: reader
 * @n: bytes to skip
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA (the reader unchanged) if fewer than @n bytes
 * remain.
 */
int gomem_reader_skip(struct gomem_reader *r, size_t n)
{
	if (n > gomem_reader_remaining(r))
		return -ENODATA;
	return gomem_reader_feed(r, n, NULL, NULL);
}
EXPORT_SYMBOL_GPL(gomem_reader_skip);

/**
 * gomem_reader_unread() - move back
 * @r: reader
 * @n: bytes to step back over, at most gomem_reader_offset()
 *
 * Takes O(segments stepped over).
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -EINVAL (the reader unchanged) if @n is more than the
 * bytes read so far.
 */
int gomem_reader_unread(struct gomem_reader *r, size_t n)
{
	const struct gomem_seg *segs = gomem_mem_segs(r->mem);

	if (n > r->pos)
		return -EINVAL;
	r->pos -= n;
	/* n <= pos: there is always a segment before while n > off. */
	while (n > r->off) {
		n -= r->off;
		r->off = segs[--r->seg].len;
	}
	r->off -= n;
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_reader_unread);

/**
 * gomem_reader_walk() - hand every remaining byte to a function, in pieces
 * @r: reader
 * @fn: called with @arg and each non-empty piece up to the end that lies
 *      in one segment (the rest of the current segment first), or NULL to
 *      move to the end; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * GoMem's Range().  The reader moves past each piece @fn accepts (returns
 * 0 for); if @fn refuses a piece, the reader stops at that piece's start.
 *
 * Context: @fn must not change the memory.  Never allocates; does not
 * sleep unless @fn does.
 * Return: 0, or the non-zero value @fn returned.
 */
int gomem_reader_walk(struct gomem_reader *r,
		      int (*fn)(void *arg, void *data, size_t len), void *arg)
{
	return gomem_reader_feed(r, gomem_reader_remaining(r), fn, arg);
}
EXPORT_SYMBOL_GPL(gomem_reader_walk);

/**
 * gomem_reader_walk_n() - hand the next @n bytes to a function, in pieces
 * @r: reader
 * @n: number of bytes
 * @fn: as for gomem_reader_walk(); the last piece ends after @n bytes,
 *      possibly inside a segment
 * @arg: passed to @fn
 *
 * GoMem's RangeN().  Moves as gomem_reader_walk() does.
 *
 * Context: @fn must not change the memory.  Never allocates; does not
 * sleep unless @fn does.
 * Return: 0; -ENODATA (@fn not called, the reader unchanged) if fewer than
 * @n bytes remain; or the non-zero value @fn returned.
 */
int gomem_reader_walk_n(struct gomem_reader *r, size_t n,
			int (*fn)(void *arg, void *data, size_t len),
			void *arg)
{
	if (n > gomem_reader_remaining(r))
		return -ENODATA;
	return gomem_reader_feed(r, n, fn, arg);
}
EXPORT_SYMBOL_GPL(gomem_reader_walk_n);

/**
 * gomem_reader_current() - the rest of the current segment, not consumed
 * @r: reader
 * @data: set to the next byte
 * @len: set to the bytes from there to the end of its segment (never 0)
 *
 * GoMem's GetCurrent().
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA at the end.
 */
int gomem_reader_current(const struct gomem_reader *r, void **data,
			 size_t *len)
{
	const struct gomem_seg *segs = gomem_mem_segs(r->mem);
	unsigned int seg;
	size_t off;

	seg = gomem_reader_next(r, &off);
	if (seg == r->mem->count)
		return -ENODATA;
	*data = (u8 *)segs[seg].data + off;
	*len = segs[seg].len - off;
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_reader_current);

/**
 * gomem_reader_pop() - take the rest of the current segment
 * @r: reader
 * @data: set to the next byte
 * @len: set to the bytes from there to the end of its segment (never 0)
 *
 * Like gomem_reader_current(), then moves past those bytes.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA at the end.
 */
int gomem_reader_pop(struct gomem_reader *r, void **data, size_t *len)
{
	int err;

	err = gomem_reader_current(r, data, len);
	if (err)
		return err;
	return gomem_reader_feed(r, *len, NULL, NULL);
}
EXPORT_SYMBOL_GPL(gomem_reader_pop);

/**
 * gomem_reader_move_to_end() - skip everything that remains
 * @r: reader
 *
 * Context: any context; never allocates, never sleeps.
 */
void gomem_reader_move_to_end(struct gomem_reader *r)
{
	r->seg = r->mem->count;
	r->off = 0;
	r->pos = r->mem->size;
}
EXPORT_SYMBOL_GPL(gomem_reader_move_to_end);

/**
 * gomem_reader_clip_front() - drop the bytes read so far from the memory
 * @r: reader
 * @fn: called, before the memory changes, with @arg and each piece
 *      dropped: every segment before the reader's position (empty ones
 *      included) and, if the position is inside a segment, that segment's
 *      head; may be NULL
 * @arg: passed to @fn
 *
 * GoMem's ClipFront(): the memory then begins with the next unread byte,
 * and the reader is at offset 0 of it.  @fn may release the dropped bytes
 * (the memory never owns them).  If nothing was read, nothing changes and
 * @fn is not called.  Other readers of the memory are invalidated.
 *
 * Context: @fn must not change the memory.  Never allocates; does not
 * sleep unless @fn does.
 * Return: the number of bytes dropped.
 */
size_t gomem_reader_clip_front(struct gomem_reader *r,
			       void (*fn)(void *arg, void *data, size_t len),
			       void *arg)
{
	struct gomem_mem *m = r->mem;
	struct gomem_seg *segs = gomem_mem_slots(m);
	size_t dropped = r->pos;
	unsigned int i;

	if (!dropped)
		return 0;
	r->seg = gomem_reader_next(r, &r->off);
	if (fn) {
		for (i = 0; i < r->seg; i++)
			fn(arg, segs[i].data, segs[i].len);
		if (r->off)
			fn(arg, segs[r->seg].data, r->off);
	}
	if (r->off) {
		segs[r->seg].data = (u8 *)segs[r->seg].data + r->off;
		segs[r->seg].len -= r->off;
	}
	memmove(segs, segs + r->seg, (m->count - r->seg) * sizeof(*segs));
	m->count -= r->seg;
	m->size -= dropped;
	r->seg = 0;
	r->off = 0;
	r->pos = 0;
	return dropped;
}
EXPORT_SYMBOL_GPL(gomem_reader_clip_front);
