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
 * @seg: index of the segment holding the next byte, or of a used-up or
 *       empty segment before it (each operation starts by stepping over
 *       those; see gomem_reader.c)
 * @off: offset of the next byte inside segment @seg
 * @pos: bytes before the next byte (the reader's offset in the stream)
 *
 * Fields are private; read them through the accessors.
 */
struct gomem_reader {
	struct gomem_mem *mem;
	unsigned int seg;
	size_t off;
	size_t pos;
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
int gomem_mem_walk(const struct gomem_mem *m,
		   int (*fn)(void *arg, void *data, size_t len), void *arg);
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

void gomem_reader_init(struct gomem_reader *r, struct gomem_mem *m);
int gomem_reader_read(struct gomem_reader *r, void *buf, size_t n);
int gomem_reader_read_u8(struct gomem_reader *r, u8 *val);
int gomem_reader_read_be(struct gomem_reader *r, unsigned int n, u64 *val);
int gomem_reader_read_bytes(struct gomem_reader *r, size_t n, void *buf,
			    void **view);
int gomem_reader_read_uleb128(struct gomem_reader *r, u64 *val);
int gomem_reader_skip(struct gomem_reader *r, size_t n);
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
 * gomem_reader_offset() - bytes read so far
 * @r: reader
 *
 * Context: any context.
 * Return: the offset of the next byte in the stream (GoMem's Offset()).
 */
static inline size_t gomem_reader_offset(const struct gomem_reader *r)
{
	return r->pos;
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
	return r->mem->size - r->pos;
}

#endif /* _GOMEM_READER_H */
