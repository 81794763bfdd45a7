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
 * zero.  Structs may grow at their end.  The size encoded in the ioctl
 * number is the caller's: smaller than the struct's first version
 * (GOMEM_*_SIZE_VER0) is refused with -EINVAL and nothing done; between
 * that and the kernel's size, the kernel reads the caller's fields, takes
 * the missing ones as zero and writes back only what fits; larger than the
 * kernel's, the extra input bytes must be zero (-E2BIG otherwise), and
 * extra bytes of an output-only struct (INFO, STATS, TRIM, RECYCLE) come
 * back zeroed, as with copy_struct_to_user().  The kernel writes only
 * output fields (out below), never an input field.
 *
 * Errors common to every ioctl: -ENOTTY unknown command, -EINVAL unknown
 * flag, non-zero padding or a struct smaller than its first version,
 * -EBADF a read-only session asking for a change, -EFAULT bad user
 * pointer.  A command that changes something checks that its output
 * fields can be written before it does anything, so -EFAULT means nothing
 * changed, with one exception: if another thread of the caller unmaps or
 * write-protects the argument (or a batch's entries) during the call,
 * the final write-back fails after the work; then ALLOC and ALLOC_BATCH
 * take back their allocations (statistics count the allocation and the
 * free; a region another thread freed or changed meanwhile is left as it
 * is), while FREE_BATCH's frees, TRIM's release and RECYCLE's frees stand,
 * and the call still returns -EFAULT.
 */
#ifndef _UAPI_LINUX_GOMEM_H
#define _UAPI_LINUX_GOMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define GOMEM_ABI_VERSION	1

/* The first published size of each argument struct. */
#define GOMEM_INFO_SIZE_VER0	56	/* up to session_flags */
#define GOMEM_ALLOC_SIZE_VER0	32
#define GOMEM_FREE_SIZE_VER0	16
#define GOMEM_BATCH_SIZE_VER0	32
#define GOMEM_STATS_SIZE_VER0	112
#define GOMEM_RELEASE_SIZE_VER0	16

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
 * @max_session_regions: most regions one session may hold (module
 *                       parameter max_session_regions; not in
 *                       GOMEM_INFO_SIZE_VER0)
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
	__u64 max_session_regions;
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
 * Errors: -EINVAL bad size, alignment or flag; -ENOMEM no room;
 * -EDQUOT the session holds max_session_regions regions already
 * (struct gomem_info).  On error nothing changed.
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
 * region; -EPERM another session's region; -EDQUOT freeing a middle would
 * split a region of a session already at max_session_regions.  On error
 * nothing changed.
 */
struct gomem_free {
	__u64 offset;
	__u64 size;
};

/* Most entries one batch ioctl takes. */
#define GOMEM_BATCH_MAX		1024

/**
 * struct gomem_batch_entry - one region of a batch
 * @offset: alloc: out, left as it was when @result is not 0; free: in
 * @size: in
 * @result: out: 0 or a negative errno for this entry (as for
 *          GOMEM_IOC_ALLOC or GOMEM_IOC_FREE, -EDQUOT included)
 * @pad: must be zero (any entry's non-zero @pad fails the whole batch)
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
 * only for a bad argument (-EINVAL: count, flags, alignment, the batch's
 * or any entry's padding; -EFAULT: an entries array whose fields cannot be
 * read, or whose output fields cannot be written), with no entry
 * processed; -ENOMEM if the kernel's copy of the entries cannot be had.
 * The -EFAULT exception at the top of this file applies.
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
