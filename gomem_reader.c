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
 * A reader's position is a window, [@cur, @end), the unread rest of
 * segment @seg - 1, and @end_off, the stream offset of @end (see struct
 * gomem_reader).  The reads in gomem_reader.h are inline while the bytes
 * they want lie in the window; everything else is here.  An operation that
 * needs bytes beyond the window first "settles" the reader: it steps over
 * the used-up window and empty segments until the window holds the next
 * byte or every segment is taken (the end).  Settling when an operation
 * starts rather than when it ends is what lets a reader that reached the
 * end go on reading bytes pushed onto the memory later; and an operation
 * settles the reader only once it is sure to succeed (it looks first with
 * gomem_reader_peek()).
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
	/* Not the inline segments: only the first count are ever read. */
	m->ext = NULL;
	m->count = 0;
	m->cap = GOMEM_MEM_INLINE;
	m->max = max_t(unsigned int, max_segs, GOMEM_MEM_INLINE);
	m->gfp = gfp;
	m->size = 0;
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
	if (!data && len)
		return -EINVAL;
	m->inline_segs[0] = (struct gomem_seg) { .data = data, .len = len };
	m->count = 1;
	m->size = len;
	return 0;
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
	size_t size;

	/* Room in the array (so count < max too): no need to grow. */
	if (unlikely(m->count == m->cap))
		return gomem_mem_push_many(m, &seg, 1);
	if (!data && len)
		return -EINVAL;
	if (check_add_overflow(m->size, len, &size))
		return -EOVERFLOW;
	gomem_mem_slots(m)[m->count++] = seg;
	m->size = size;
	return 0;
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

/*
 * Copy between [@offset, @offset + @len) of @m and the flat buffer @buf,
 * out of the memory if @out, else into it; the range is checked.  Not
 * gomem_mem_walk_at() with a copying callback: an indirect call per
 * segment costs more than copying a short segment.
 */
static void gomem_mem_copy(const struct gomem_mem *m, size_t offset, u8 *buf,
			   size_t len, bool out)
{
	const struct gomem_seg *s = gomem_mem_segs(m);
	size_t step;

	/* The range lies inside: no segment index below runs off the end. */
	while (len) {
		if (offset >= s->len) {
			/* Before the range, or empty (no memcpy from NULL). */
			offset -= s->len;
			s++;
			continue;
		}
		step = min(len, s->len - offset);
		if (out)
			memcpy(buf, (u8 *)s->data + offset, step);
		else
			memcpy((u8 *)s->data + offset, buf, step);
		buf += step;
		len -= step;
		offset = 0;
		s++;
	}
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
	if (offset > m->size || len > m->size - offset)
		return -ENODATA;
	gomem_mem_copy(m, offset, buf, len, true);
	return 0;
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
	if (offset > m->size || len > m->size - offset)
		return -ENODATA;
	/* The source is only read: gomem_mem_copy() copies into the memory. */
	gomem_mem_copy(m, offset, (u8 *)buf, len, false);
	return 0;
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

/*
 * Make segment @r->seg the window, from its first byte.  An empty segment
 * makes an empty window (no arithmetic on its pointer, which may be NULL).
 */
static void gomem_reader_take(struct gomem_reader *r)
{
	const struct gomem_seg *s = &gomem_mem_segs(r->mem)[r->seg++];

	r->cur = s->data;
	r->end = s->len ? r->cur + s->len : r->cur;
	r->end_off += s->len;
}

/*
 * Settle @r (see the comment at the top): step over a used-up window and
 * empty segments.  Afterwards either the window holds the next byte, or @r
 * is at the end of the stream (window empty, every segment taken).
 * Return: the bytes in the window.
 *
 * This moves @r's fields (not its offset), so an operation settles only
 * once it knows it will succeed: gomem_reader_peek() looks first.
 */
static size_t gomem_reader_settle(struct gomem_reader *r)
{
	while (r->cur == r->end && r->seg < r->mem->count)
		gomem_reader_take(r);
	return gomem_reader_window(r);
}

/*
 * The window gomem_reader_settle() would give @r, without moving it: *@p is
 * set to its first byte.  Return: its length (0 at the end of the stream).
 *
 * Here and below a reader is never copied whole to try an operation on the
 * copy: besides being more to write, a compiler may copy it with vector
 * loads that straddle the scalar stores just made to it, and stall.
 */
static size_t gomem_reader_peek(const struct gomem_reader *r, u8 **p)
{
	const struct gomem_seg *segs = gomem_mem_segs(r->mem);
	unsigned int seg = r->seg;

	*p = r->cur;
	if (r->cur != r->end)
		return gomem_reader_window(r);
	while (seg < r->mem->count && !segs[seg].len)
		seg++;
	if (seg == r->mem->count)
		return 0;
	*p = segs[seg].data;
	return segs[seg].len;
}

/*
 * Copy the next @n bytes, which the caller has checked are there, to @dst
 * without moving @r.
 */
static void gomem_reader_peek_bytes(const struct gomem_reader *r, u8 *dst,
				    size_t n)
{
	const struct gomem_seg *s = gomem_mem_segs(r->mem) + r->seg;
	size_t step = min(n, gomem_reader_window(r));

	if (step)
		memcpy(dst, r->cur, step);
	for (n -= step, dst += step; n; n -= step, dst += step, s++) {
		step = min(n, s->len);
		if (step)
			memcpy(dst, s->data, step);
	}
}

/*
 * Move over the next @n bytes, which the caller has checked are there,
 * copying them to @dst unless it is NULL.
 */
static void gomem_reader_advance(struct gomem_reader *r, u8 *dst, size_t n)
{
	size_t step;

	while (n) {
		step = min(n, gomem_reader_window(r));
		if (!step) {
			/* Bytes remain past the window: a segment is left. */
			gomem_reader_take(r);
			continue;
		}
		if (dst) {
			memcpy(dst, r->cur, step);
			dst += step;
		}
		r->cur += step;
		n -= step;
	}
}

/*
 * Move over the next @n bytes, which the caller has checked are there,
 * first handing each non-empty piece that lies in one segment to @fn.  If
 * @fn refuses a piece, @r stays as it was before that piece.
 */
static int gomem_reader_feed(struct gomem_reader *r, size_t n,
			     int (*fn)(void *arg, void *data, size_t len),
			     void *arg)
{
	size_t step;
	u8 *p;
	int ret;

	while (n) {
		step = min(n, gomem_reader_peek(r, &p));
		ret = fn(arg, p, step);
		if (ret)
			return ret;
		/* Accepted: now move, to the same window peek found. */
		gomem_reader_settle(r);
		r->cur += step;
		n -= step;
	}
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
	/* Not inline: the header has no memcpy() (see gomem_reader.h). */
	if (n && n <= gomem_reader_window(r)) {
		memcpy(buf, r->cur, n);
		r->cur += n;
		return 0;
	}
	if (n > gomem_reader_remaining(r))
		return -ENODATA;
	gomem_reader_advance(r, buf, n);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_reader_read);

/**
 * gomem_reader_read_u8_slow() - gomem_reader_read_u8(), out of line
 * @r: reader
 *
 * The whole of gomem_reader_read_u8(), which calls it when the reader's
 * window is used up; the byte is the return value.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: the byte (0 to 255), or -ENODATA (the reader unchanged) at the
 * end.
 */
int gomem_reader_read_u8_slow(struct gomem_reader *r)
{
	if (!gomem_reader_remaining(r))
		return -ENODATA;
	/* A byte remains, so settling finds it. */
	gomem_reader_settle(r);
	return *r->cur++;
}
EXPORT_SYMBOL_GPL(gomem_reader_read_u8_slow);

/**
 * gomem_reader_read_be_slow() - gomem_reader_read_be(), out of line
 * @r: reader
 * @n: the integer's width in bytes, 1 to 8
 * @val: set to the integer
 *
 * The whole of gomem_reader_read_be(), which calls it when @n is bad or
 * the bytes do not all lie in the reader's window.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: as gomem_reader_read_be().
 */
int gomem_reader_read_be_slow(struct gomem_reader *r, unsigned int n,
			      u64 *val)
{
	u8 bytes[8];
	unsigned int i;
	u64 v = 0;

	if (!n || n > sizeof(bytes))
		return -EINVAL;
	if (n > gomem_reader_remaining(r))
		return -ENODATA;
	gomem_reader_advance(r, bytes, n);
	for (i = 0; i < n; i++)
		v = v << 8 | bytes[i];
	*val = v;
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_reader_read_be_slow);

/**
 * gomem_reader_read_bytes_slow() - gomem_reader_read_bytes(), out of line
 * @r: reader
 * @n: number of bytes
 * @buf: where to copy them if they cross a segment boundary, or NULL
 * @view: set to the bytes
 *
 * The whole of gomem_reader_read_bytes(), which calls it when @n is 0 or
 * the bytes do not all lie in the reader's window.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: as gomem_reader_read_bytes().
 */
int gomem_reader_read_bytes_slow(struct gomem_reader *r, size_t n, void *buf,
				 void **view)
{
	u8 *p;

	if (n > gomem_reader_remaining(r))
		return -ENODATA;
	if (!n) {
		*view = buf;
		return 0;
	}
	if (n <= gomem_reader_peek(r, &p)) {
		gomem_reader_settle(r);
		*view = p;
		r->cur += n;
		return 0;
	}
	if (!buf)
		return -EXDEV;
	*view = buf;
	gomem_reader_advance(r, buf, n);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_reader_read_bytes_slow);

/* Bytes of an unsigned LEB128 that a u64 can need: 64 bits in 7-bit groups. */
#define GOMEM_LEB128_MAX	10

/*
 * Decode an unsigned LEB128 from the @avail bytes at @p.  Return: its
 * length in bytes (*@val set), -ENODATA if it runs past @avail bytes, or
 * -EOVERFLOW if it does not fit a u64.
 */
static int gomem_leb128_decode(const u8 *p, size_t avail, u64 *val)
{
	unsigned int i;
	u64 v = 0;

	for (i = 0; i < GOMEM_LEB128_MAX; i++) {
		if (i == avail)
			return -ENODATA;
		/* Group 9 holds bit 63 only, and must end the number. */
		if (i == GOMEM_LEB128_MAX - 1 && p[i] > 1)
			return -EOVERFLOW;
		v |= (u64)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*val = v;
			return i + 1;
		}
	}
	/* Not reached: the last group either ends the number or fails. */
	return -EOVERFLOW;
}

/**
 * gomem_reader_read_uleb128_slow() - gomem_reader_read_uleb128(), out of line
 * @r: reader
 * @val: set to the number
 *
 * The whole of gomem_reader_read_uleb128(), which calls it for any number
 * but one of one byte in the reader's window.  A number inside the window
 * is decoded in place; one that crosses a segment boundary is gathered
 * first.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: as gomem_reader_read_uleb128().
 */
int gomem_reader_read_uleb128_slow(struct gomem_reader *r, u64 *val)
{
	size_t left = gomem_reader_remaining(r);
	u8 bytes[GOMEM_LEB128_MAX], *p;
	size_t avail;
	int len;

	avail = gomem_reader_peek(r, &p);
	len = gomem_leb128_decode(p, avail, val);
	if (len == -ENODATA && avail < left) {
		/* It goes on in the next segments: gather it, then decode. */
		avail = min_t(size_t, left, GOMEM_LEB128_MAX);
		gomem_reader_peek_bytes(r, bytes, avail);
		len = gomem_leb128_decode(bytes, avail, val);
	}
	if (len < 0)
		return len;
	gomem_reader_advance(r, NULL, len);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_reader_read_uleb128_slow);

/**
 * gomem_reader_skip_slow() - gomem_reader_skip(), out of line
 * @r: reader
 * @n: bytes to skip
 *
 * The whole of gomem_reader_skip(), which calls it when @n is 0 or
 * reaches beyond the reader's window.
 *
 * Context: any context; never allocates, never sleeps.
 * Return: as gomem_reader_skip().
 */
int gomem_reader_skip_slow(struct gomem_reader *r, size_t n)
{
	if (n > gomem_reader_remaining(r))
		return -ENODATA;
	gomem_reader_advance(r, NULL, n);
	return 0;
}
EXPORT_SYMBOL_GPL(gomem_reader_skip_slow);

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
	const struct gomem_seg *s;
	size_t off;

	if (n > gomem_reader_offset(r))
		return -EINVAL;
	/*
	 * n <= offset: while n is not 0, bytes were read, so a segment was
	 * taken; and while n is more than the window's offset, there are
	 * bytes, so segments, before the window's segment.
	 */
	while (n) {
		s = &segs[r->seg - 1];
		off = s->len ? r->cur - (u8 *)s->data : 0;
		if (n <= off) {
			r->cur -= n;
			break;
		}
		n -= off;
		/* The window becomes the previous segment, from its end. */
		r->end_off -= s->len;
		s = &segs[--r->seg - 1];
		r->cur = s->len ? (u8 *)s->data + s->len : s->data;
		r->end = r->cur;
	}
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
	if (!fn) {
		gomem_reader_move_to_end(r);
		return 0;
	}
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
	if (!fn) {
		gomem_reader_advance(r, NULL, n);
		return 0;
	}
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
	size_t avail;
	u8 *p;

	avail = gomem_reader_peek(r, &p);
	if (!avail)
		return -ENODATA;
	*data = p;
	*len = avail;
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
	if (!gomem_reader_remaining(r))
		return -ENODATA;
	*len = gomem_reader_settle(r);
	*data = r->cur;
	r->cur = r->end;
	return 0;
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
	struct gomem_mem *m = r->mem;

	gomem_reader_init(r, m);
	if (m->count) {
		/* The window is the last segment, used up. */
		r->seg = m->count - 1;
		gomem_reader_take(r);
		r->cur = r->end;
	}
	r->end_off = m->size;
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
	size_t dropped = gomem_reader_offset(r), off = 0;
	unsigned int i, k;
	bool at_end;

	if (!dropped)
		return 0;
	/*
	 * Drop segments [0, k) and the first @off bytes of segment k: k is
	 * the window's segment, or every segment if nothing remains.
	 */
	at_end = !gomem_reader_settle(r);
	k = at_end ? m->count : r->seg - 1;
	if (!at_end)
		off = r->cur - (u8 *)segs[k].data;
	if (fn) {
		for (i = 0; i < k; i++)
			fn(arg, segs[i].data, segs[i].len);
		if (off)
			fn(arg, segs[k].data, off);
	}
	if (off) {
		segs[k].data = r->cur;
		segs[k].len -= off;
	}
	memmove(segs, segs + k, (m->count - k) * sizeof(*segs));
	m->count -= k;
	m->size -= dropped;
	if (at_end) {
		gomem_reader_init(r, m);
	} else {
		/* The window, the same bytes, is all of segment 0 now. */
		r->seg = 1;
		r->end_off = r->end - r->cur;
	}
	return dropped;
}
EXPORT_SYMBOL_GPL(gomem_reader_clip_front);
