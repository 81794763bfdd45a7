/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gomem multi-segment memory and reader: bytes that lie in several
 * separate pieces, read as one stream without first copying them together.
 *
 * A struct gomem_mem is a list of (pointer, length) segments and their
 * total size (GoMem's Memory).  It never copies, owns or frees the bytes
 * its segments point to.  The first GOMEM_MEM_INLINE segments live inside
 * the struct; beyond them the segment array is allocated, with the gfp
 * given at init, and never grows past the maximum given at init.
 *
 * A struct gomem_reader reads a memory from front to back (GoMem's
 * MemoryReader): copies, bytes, big-endian integers, LEB128, views of the
 * segments.  An operation that would run past the end fails with -ENODATA
 * and leaves the reader exactly where it was.
 *
 * Locking: none inside.  The caller serialises calls on one memory and on
 * every reader over it.  docs/reader.md has the whole contract.
 */
#ifndef _GOMEM_READER_H
#define _GOMEM_READER_H

#include <linux/types.h>

/* Segments held inside struct gomem_mem: pushing this many never allocates. */
#define GOMEM_MEM_INLINE	4

/**
 * struct gomem_seg - one segment of a memory
 * @data: first byte; may be NULL only if @len is 0
 * @len: number of bytes at @data; 0 is allowed (an empty segment)
 */
struct gomem_seg {
	void *data;
	size_t len;
};

/**
 * struct gomem_mem - a list of byte segments with a total size
 * @ext: the segment array once it outgrew @inline_segs, else NULL
 * @count: segments in use
 * @cap: room for segments: GOMEM_MEM_INLINE, or the length of @ext
 * @max: the most segments this memory may ever hold (>= GOMEM_MEM_INLINE)
 * @gfp: allocation flags for growing the segment array
 * @size: sum of the lengths of the segments in use
 * @inline_segs: the first segments, while @ext is NULL
 *
 * Invariants: @count <= @cap <= @max; @size is the sum of the @count
 * segment lengths.  Fields are private; read them through the accessors.
 * The struct holds no pointer into itself, so it may be moved while no
 * reader points to it.
 */
struct gomem_mem {
	struct gomem_seg *ext;
	unsigned int count;
	unsigned int cap;
	unsigned int max;
	gfp_t gfp;
	size_t size;
	struct gomem_seg inline_segs[GOMEM_MEM_INLINE];
};

/**
 * struct gomem_reader - a read position in a memory
 * @mem: the memory read
 * @cur: the next byte, inside the window: the segment the reader is in
 * @end: the end of the window (one past its last byte)
 * @end_off: the offset of @end in the stream: the bytes of the segments
 *           taken so far
 * @seg: segments of @mem taken so far; once it is not 0 the window is
 *       segment @seg - 1, else the window is empty (@cur == @end == NULL)
 *
 * The window lets the inline fast paths below read without looking at the
 * segment array: while @cur < @end the next byte is *@cur, and reading
 * moves @cur only (the offset is @end_off - (@end - @cur)).  When the window
 * is used up (@cur == @end) the out-of-line functions step to the next
 * non-empty segment.  Caching a segment's pointer and length is safe
 * because pushing only adds segments (the array may move, the segments do
 * not change); the calls that change segments invalidate readers.
 *
 * Fields are private; read them through the accessors.
 */
struct gomem_reader {
	struct gomem_mem *mem;
	u8 *cur;
	u8 *end;
	size_t end_off;
	unsigned int seg;
};

void gomem_mem_init(struct gomem_mem *m, unsigned int max_segs, gfp_t gfp);
int gomem_mem_init_buf(struct gomem_mem *m, void *data, size_t len);
void gomem_mem_destroy(struct gomem_mem *m);
int gomem_mem_reserve(struct gomem_mem *m, unsigned int nr, gfp_t gfp);
int gomem_mem_push(struct gomem_mem *m, void *data, size_t len);
int gomem_mem_push_many(struct gomem_mem *m, const struct gomem_seg *segs,
			unsigned int nr);
int gomem_mem_append(struct gomem_mem *m, const struct gomem_mem *other);
int gomem_mem_update(struct gomem_mem *m, int index, void *data, size_t len);
void gomem_mem_reset(struct gomem_mem *m);
int gomem_mem_walk_at(const struct gomem_mem *m, size_t offset, size_t len,
		      int (*fn)(void *arg, void *data, size_t len), void *arg);
int gomem_mem_copy_out(const struct gomem_mem *m, size_t offset, void *buf,
		       size_t len);
int gomem_mem_copy_in(const struct gomem_mem *m, size_t offset,
		      const void *buf, size_t len);
bool gomem_mem_equal(const struct gomem_mem *a, const struct gomem_mem *b);

/**
 * gomem_mem_count() - number of segments
 * @m: memory
 *
 * Context: any context.
 * Return: how many segments @m holds, empty ones included.
 */
static inline unsigned int gomem_mem_count(const struct gomem_mem *m)
{
	return m->count;
}

/**
 * gomem_mem_size() - total size
 * @m: memory
 *
 * Context: any context.
 * Return: the sum of the lengths of @m's segments.
 */
static inline size_t gomem_mem_size(const struct gomem_mem *m)
{
	return m->size;
}

/**
 * gomem_mem_segs() - the segment array
 * @m: memory
 *
 * Context: any context.  Valid until the next push, append, reserve or
 * destroy.
 * Return: @m's gomem_mem_count() segments, in order.
 */
static inline const struct gomem_seg *gomem_mem_segs(const struct gomem_mem *m)
{
	return m->ext ? m->ext : m->inline_segs;
}

/**
 * gomem_mem_walk() - visit every segment in order
 * @m: memory
 * @fn: called with @arg and each segment's data and length, empty segments
 *      included; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Inline, so that a caller passing a function it can see gets it inlined
 * (no indirect call per segment, which costs a retpoline in the kernel).
 *
 * Context: @fn must not change @m.  Never allocates; does not sleep unless
 * @fn does.
 * Return: the first non-zero value @fn returned, else 0.
 */
static inline int gomem_mem_walk(const struct gomem_mem *m,
				 int (*fn)(void *arg, void *data, size_t len),
				 void *arg)
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

int gomem_reader_read(struct gomem_reader *r, void *buf, size_t n);
int gomem_reader_read_u8_slow(struct gomem_reader *r);
int gomem_reader_read_be_slow(struct gomem_reader *r, unsigned int n,
			      u64 *val);
int gomem_reader_read_bytes_slow(struct gomem_reader *r, size_t n, void *buf,
				 void **view);
int gomem_reader_read_uleb128_slow(struct gomem_reader *r, u64 *val);
int gomem_reader_skip_slow(struct gomem_reader *r, size_t n);
int gomem_reader_unread(struct gomem_reader *r, size_t n);
int gomem_reader_walk(struct gomem_reader *r,
		      int (*fn)(void *arg, void *data, size_t len), void *arg);
int gomem_reader_walk_n(struct gomem_reader *r, size_t n,
			int (*fn)(void *arg, void *data, size_t len),
			void *arg);
int gomem_reader_current(const struct gomem_reader *r, void **data,
			 size_t *len);
int gomem_reader_pop(struct gomem_reader *r, void **data, size_t *len);
void gomem_reader_move_to_end(struct gomem_reader *r);
size_t gomem_reader_clip_front(struct gomem_reader *r,
			       void (*fn)(void *arg, void *data, size_t len),
			       void *arg);

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
static inline void gomem_reader_init(struct gomem_reader *r,
				     struct gomem_mem *m)
{
	/* Positional: C++11 (libgomem) has no designated initializers. */
	struct gomem_reader start = { m, NULL, NULL, 0, 0 };

	*r = start;
}

/* Bytes left in @r's window: readable without leaving the segment. */
static inline size_t gomem_reader_window(const struct gomem_reader *r)
{
	return r->end - r->cur;
}

/*
 * The reads below are inline for the common case, all the bytes wanted
 * lying in the window, and leave every other case (the window used up, a
 * segment boundary crossed, the end of the stream, a bad argument) to the
 * gomem_reader_*_slow() function of the same name, which does the whole
 * operation.  This header is installed for userspace too (libgomem, C99
 * and C++11), so it uses no kernel macro: no likely(), no memcpy().
 */

/**
 * gomem_reader_read_u8() - read one byte
 * @r: reader
 * @val: set to the byte
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA (the reader unchanged) at the end.
 */
static inline int gomem_reader_read_u8(struct gomem_reader *r, u8 *val)
{
	int c;

	if (r->cur != r->end) {
		*val = *r->cur++;
		return 0;
	}
	/* The byte comes back in the return value: @val stays a register. */
	c = gomem_reader_read_u8_slow(r);
	if (c < 0)
		return c;
	*val = c;
	return 0;
}

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
static inline int gomem_reader_read_be(struct gomem_reader *r, unsigned int n,
				       u64 *val)
{
	unsigned int i;
	u64 v = 0;

	/* n - 1 < 8: 1 <= n <= 8, the unsigned wrap refusing 0. */
	if (n - 1 < 8 && n <= gomem_reader_window(r)) {
		for (i = 0; i < n; i++)
			v = v << 8 | r->cur[i];
		r->cur += n;
		*val = v;
		return 0;
	}
	return gomem_reader_read_be_slow(r, n, val);
}

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
static inline int gomem_reader_read_bytes(struct gomem_reader *r, size_t n,
					  void *buf, void **view)
{
	if (n && n <= gomem_reader_window(r)) {
		*view = r->cur;
		r->cur += n;
		return 0;
	}
	return gomem_reader_read_bytes_slow(r, n, buf, view);
}

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
static inline int gomem_reader_read_uleb128(struct gomem_reader *r, u64 *val)
{
	/* A one-byte number: the commonest by far (lengths, small values). */
	if (r->cur != r->end && !(*r->cur & 0x80)) {
		*val = *r->cur++;
		return 0;
	}
	return gomem_reader_read_uleb128_slow(r, val);
}

/**
 * gomem_reader_skip() - move forward
 * @r: reader
 * @n: bytes to skip
 *
 * Context: any context; never allocates, never sleeps.
 * Return: 0, or -ENODATA (the reader unchanged) if fewer than @n bytes
 * remain.
 */
static inline int gomem_reader_skip(struct gomem_reader *r, size_t n)
{
	if (n && n <= gomem_reader_window(r)) {
		r->cur += n;
		return 0;
	}
	return gomem_reader_skip_slow(r, n);
}

/**
 * gomem_reader_offset() - bytes read so far
 * @r: reader
 *
 * Context: any context.
 * Return: the offset of the next byte in the stream (GoMem's Offset()).
 */
static inline size_t gomem_reader_offset(const struct gomem_reader *r)
{
	return r->end_off - (r->end - r->cur);
}

/**
 * gomem_reader_remaining() - bytes left to read
 * @r: reader
 *
 * Bytes pushed onto the memory since the reader started count too.
 *
 * Context: any context.
 * Return: gomem_mem_size() minus gomem_reader_offset() (GoMem's Length).
 */
static inline size_t gomem_reader_remaining(const struct gomem_reader *r)
{
	return r->mem->size - gomem_reader_offset(r);
}

#endif /* _GOMEM_READER_H */
