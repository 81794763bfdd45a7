/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * gomem userspace ABI: /dev/gomem, a memory arena shared by processes.
 *
 * Each open() of /dev/gomem is a session.  A session allocates regions of
 * the arena with ioctl() and reaches every region of every session by
 * mmap()ing the device: the file offset of a mapping is the arena offset.
 * A session may free only its own regions; when its last file reference
 * goes (close, exit, kill), its regions return to the arena.  A session
 * opened O_RDONLY may map read-only and read statistics, nothing else.
 *
 * Every struct has fixed-width fields and explicit padding that must be
 * zero.  Structs may grow at their end: the kernel copies the smaller of
 * its size and the caller's (the size encoded in the ioctl number), zeroes
 * the rest, and refuses (-E2BIG) a larger caller struct whose extra bytes
 * are not zero.
 *
 * Errors common to every ioctl: -ENOTTY unknown command, -EFAULT bad user
 * pointer (a command that changes something checks that it can write its
 * result first, so -EFAULT means nothing changed), -EINVAL unknown flag or
 * non-zero padding, -EBADF a read-only session asking for a change.
 */
#ifndef _UAPI_LINUX_GOMEM_H
#define _UAPI_LINUX_GOMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define GOMEM_ABI_VERSION	1

/* Policies and chunk sources, as reported by GOMEM_IOC_INFO. */
#define GOMEM_POLICY_TREAP_ABI	0
#define GOMEM_POLICY_AVL_ABI	1
#define GOMEM_SOURCE_VMALLOC	0
#define GOMEM_SOURCE_BUDDY	1

/* struct gomem_info.session_flags */
#define GOMEM_SESSION_READONLY	(1U << 0)

/**
 * struct gomem_info - GOMEM_IOC_INFO: the arena's geometry and the ABI
 * @abi_version: GOMEM_ABI_VERSION of the running module
 * @page_size: the kernel's page size; mmap offsets and lengths are
 *             multiples of it
 * @initial_size: first chunk, bytes
 * @max_chunk: largest growth chunk, bytes
 * @max_size: most bytes all chunks together may hold
 * @map_size: mmap window: every arena offset is below it
 * @granule: allocation unit: sizes are rounded up to it
 * @policy: GOMEM_POLICY_TREAP_ABI (lowest fit) or GOMEM_POLICY_AVL_ABI
 * @source: GOMEM_SOURCE_VMALLOC or GOMEM_SOURCE_BUDDY
 * @session_flags: GOMEM_SESSION_* of the calling session
 */
struct gomem_info {
	__u32 abi_version;
	__u32 page_size;
	__u64 initial_size;
	__u64 max_chunk;
	__u64 max_size;
	__u64 map_size;
	__u32 granule;
	__u32 policy;
	__u32 source;
	__u32 session_flags;
};

/* struct gomem_alloc.flags: skip zeroing; the region holds whatever its
 * bytes last held (data another session freed, or zeroes).  For speed
 * only: it weakens no protection.  Zeroing on allocation keeps a new owner
 * from stale bytes, never old data from other sessions: every session,
 * read-only ones included, can read the whole arena (freed bytes too,
 * until reused) by mmap() or read(), and every read-write session can
 * write all of it.  Sessions of one device trust each other fully.
 */
#define GOMEM_ALLOC_NOZERO	(1U << 0)

/**
 * struct gomem_alloc - GOMEM_IOC_ALLOC: allocate one region
 * @size: in: bytes (> 0, at most max_size); rounded up to the granule
 * @align: in: alignment of the offset: 0 for the granule, else a power of
 *         two up to the page size
 * @flags: in: GOMEM_ALLOC_*
 * @pad: must be zero
 * @offset: out: the region's arena offset
 *
 * Errors: -EINVAL bad size, alignment or flag; -ENOMEM no room.
 */
struct gomem_alloc {
	__u64 size;
	__u64 align;
	__u32 flags;
	__u32 pad;
	__u64 offset;
};

/**
 * struct gomem_free - GOMEM_IOC_FREE: free a region or part of one
 * @offset: in: start, granule-aligned
 * @size: in: bytes, rounded up to the granule
 *
 * The range must lie inside one region of this session; freeing its head,
 * tail or middle splits it.  Errors: -EINVAL not inside one allocated
 * region; -EPERM another session's region.
 */
struct gomem_free {
	__u64 offset;
	__u64 size;
};

/* Most entries one batch ioctl takes. */
#define GOMEM_BATCH_MAX		1024

/**
 * struct gomem_batch_entry - one region of a batch
 * @offset: alloc: out; free: in
 * @size: in
 * @result: out: 0 or a negative errno for this entry
 * @pad: must be zero
 */
struct gomem_batch_entry {
	__u64 offset;
	__u64 size;
	__s32 result;
	__u32 pad;
};

/**
 * struct gomem_batch - GOMEM_IOC_ALLOC_BATCH, GOMEM_IOC_FREE_BATCH
 * @entries: in: user pointer to @count struct gomem_batch_entry
 * @count: in: 1 to GOMEM_BATCH_MAX
 * @flags: in: alloc: GOMEM_ALLOC_*; free: 0
 * @align: in: alloc: alignment for every entry, as in struct gomem_alloc;
 *         free: 0
 * @done: out: entries that succeeded
 * @pad: must be zero
 *
 * Every entry is tried; each gets its own result.  The ioctl itself fails
 * only for a bad argument (-EINVAL: count, flags, alignment, padding;
 * -EFAULT: an entries array that cannot be read and written), with no
 * entry processed.
 */
struct gomem_batch {
	__u64 entries;
	__u32 count;
	__u32 flags;
	__u64 align;
	__u32 done;
	__u32 pad;
};

/**
 * struct gomem_stats - GOMEM_IOC_STATS: arena and session statistics
 * @capacity: bytes in all chunks
 * @in_use: bytes allocated, all sessions
 * @free: @capacity - @in_use
 * @largest_free: longest free block in any chunk
 * @chunks: number of chunks
 * @peak_in_use: highest @in_use seen
 * @allocs: successful allocations, all sessions
 * @frees: successful frees (partial ones included)
 * @failed_allocs: allocations refused for lack of room or memory
 * @grows: chunks added after the first
 * @trimmed: chunks released by trim
 * @sessions: sessions open now
 * @session_in_use: bytes this session holds
 * @session_regions: regions this session holds
 */
struct gomem_stats {
	__u64 capacity;
	__u64 in_use;
	__u64 free;
	__u64 largest_free;
	__u64 chunks;
	__u64 peak_in_use;
	__u64 allocs;
	__u64 frees;
	__u64 failed_allocs;
	__u64 grows;
	__u64 trimmed;
	__u64 sessions;
	__u64 session_in_use;
	__u64 session_regions;
};

/**
 * struct gomem_release - GOMEM_IOC_TRIM, GOMEM_IOC_RECYCLE
 * @bytes: out: bytes released (trim: chunk memory; recycle: the session's
 *         regions)
 * @count: out: chunks released (trim) or regions freed (recycle)
 */
struct gomem_release {
	__u64 bytes;
	__u64 count;
};

#define GOMEM_IOC_MAGIC		0xB9

#define GOMEM_IOC_INFO		_IOR(GOMEM_IOC_MAGIC, 0x0, struct gomem_info)
#define GOMEM_IOC_ALLOC		_IOWR(GOMEM_IOC_MAGIC, 0x1, struct gomem_alloc)
#define GOMEM_IOC_FREE		_IOW(GOMEM_IOC_MAGIC, 0x2, struct gomem_free)
#define GOMEM_IOC_ALLOC_BATCH	_IOWR(GOMEM_IOC_MAGIC, 0x3, struct gomem_batch)
#define GOMEM_IOC_FREE_BATCH	_IOWR(GOMEM_IOC_MAGIC, 0x4, struct gomem_batch)
#define GOMEM_IOC_STATS		_IOR(GOMEM_IOC_MAGIC, 0x5, struct gomem_stats)
#define GOMEM_IOC_TRIM		_IOR(GOMEM_IOC_MAGIC, 0x6, struct gomem_release)
#define GOMEM_IOC_RECYCLE	_IOR(GOMEM_IOC_MAGIC, 0x7, struct gomem_release)

#endif /* _UAPI_LINUX_GOMEM_H */
