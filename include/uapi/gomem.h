/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * gomem userspace ABI: /dev/gomem, a memory arena shared by processes.
 *
 * Each open() of /dev/gomem is a session.  A session allocates regions of
 * the arena with ioctl() and reaches every region of every session by
 * mmap()ing the device: the file offset of a mapping is the arena offset.
 * A session may free only its own regions.
 *
 * Hand-off: a session that holds a region turns it into a share token
 * (GOMEM_IOC_SHARE), an opaque 64-bit value it passes to other processes
 * by any channel; each of them claims it (GOMEM_IOC_CLAIM) and so holds a
 * reference to the region until it releases it (GOMEM_IOC_RELEASE).  A
 * region stays allocated while anything holds it: its owner (until it
 * frees it), each reference, each outstanding token.  When a session's
 * last file reference goes (close, exit, kill), everything it holds goes
 * with it: the regions it owns, its references and its unclaimed tokens;
 * a region returns to the arena when its last holder goes, so consumers
 * keep reading a frame whose producer was killed.  Tokens are drawn from
 * a keyed permutation of a counter under a random key: unguessable, and a
 * value never comes back, so a spent token never names a later region.
 *
 * A session opened O_RDONLY may map read-only, read statistics, claim
 * tokens, share what it holds by reference, cancel its own tokens and
 * release its references; it may not allocate, free, trim or recycle.
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
 * free; a region another thread freed, shared or changed meanwhile is
 * left as it is), SHARE cancels its token, CLAIM releases its reference
 * (the token's claim stays spent), SHARE_BATCH and CLAIM_BATCH do the
 * same for each entry that succeeded, while FREE_BATCH's frees,
 * RELEASE_BATCH's releases, TRIM's release and RECYCLE's frees stand, and
 * the call still returns -EFAULT.
 */
#ifndef _UAPI_LINUX_GOMEM_H
#define _UAPI_LINUX_GOMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Changes only for an incompatible change; additions (new commands, fields
 * at the end of a struct) keep it: an older module answers -ENOTTY.
 */
#define GOMEM_ABI_VERSION	1

/* The first published size of each argument struct. */
#define GOMEM_INFO_SIZE_VER0	56	/* up to session_flags */
#define GOMEM_ALLOC_SIZE_VER0	32
#define GOMEM_FREE_SIZE_VER0	16
#define GOMEM_BATCH_SIZE_VER0	32
#define GOMEM_STATS_SIZE_VER0	112
#define GOMEM_RELEASE_SIZE_VER0	16
#define GOMEM_SHARE_SIZE_VER0	32
#define GOMEM_CLAIM_SIZE_VER0	32
#define GOMEM_TOKEN_SIZE_VER0	16
#define GOMEM_REF_SIZE_VER0	16
#define GOMEM_SHARE_ENTRY_SIZE	40	/* struct gomem_share_entry */
#define GOMEM_CLAIM_ENTRY_SIZE	32	/* struct gomem_claim_entry */

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
 * @max_session_regions: most records one session may hold: regions it
 *                       owns, regions it holds by reference (once each,
 *                       however many claims) and its outstanding tokens
 *                       (module parameter max_session_regions; not in
 *                       GOMEM_INFO_SIZE_VER0)
 * @max_session_bytes: most bytes one session may hold: regions it owns
 *                     plus regions it holds by reference (one it owns and
 *                     references counts twice); 0 for no limit
 *                     but max_size (module parameter max_session_bytes,
 *                     or the arena's creation)
 * @arena_kind: GOMEM_ARENA_KIND_*: the device's arena, a private or a
 *              named one
 * @arena_id: 0 for the device's arena; a private arena's number, unique
 *            while the module is loaded, as debugfs's gomem/arenas
 *            names it ("private-<id>"): a name, not a handle (nothing
 *            takes it)
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
	__u64 max_session_bytes;
	__u32 arena_kind;
	__u32 arena_id;
};

/* struct gomem_info.arena_kind */
#define GOMEM_ARENA_KIND_DEVICE		0	/* /dev/gomem's, for all who open it */
#define GOMEM_ARENA_KIND_PRIVATE	1	/* GOMEM_IOC_ARENA_CREATE's */
#define GOMEM_ARENA_KIND_NAMED		2	/* configfs gomem/NAME: /dev/gomem-NAME */

/* struct gomem_alloc.flags: skip zeroing; the region holds whatever its
 * bytes last held (data another session freed, or zeroes).  Without it a
 * new region holds zeroes, except bytes this session itself freed while
 * no other session held them, which may come back as this session left
 * them (GOMEM_IOC_STATS' zero_skipped counts them): a session never finds
 * another's old bytes in a new region unless it asks for NOZERO, but
 * should not count on zeroes over its own freed bytes.  NOZERO is for
 * speed only: it weakens no protection.  Zeroing on allocation keeps a
 * new owner from stale bytes, never old data from other sessions: every session,
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
 * -EDQUOT the session holds max_session_regions regions already, or the
 * region would take it past max_session_bytes (struct gomem_info).  On
 * error nothing changed.
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
 * The range must lie inside one region this session owns; freeing its
 * head, tail or middle splits it.  A region that others hold (references,
 * outstanding tokens) can only be freed whole: the session's ownership
 * ends and the bytes stay for the other holders, returning to the arena
 * when the last one lets go.  A part of it cannot be freed (-EBUSY): the
 * holders were given the whole region and may be reading any of it.
 * Errors: -EINVAL not inside one allocated region; -EPERM a region this
 * session does not own (another's, or one it holds only by reference);
 * -EBUSY a part of a region others hold; -EDQUOT freeing a middle would
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
 * @free: @capacity - @in_use - @front_held - @parked
 * @largest_free: longest free block in any chunk
 * @chunks: number of chunks
 * @peak_in_use: highest @in_use seen (with what was @parked then)
 * @allocs: successful allocations, all sessions
 * @frees: successful frees (partial ones included)
 * @failed_allocs: allocations refused for lack of room or memory
 * @grows: chunks added after the first
 * @trimmed: chunks released by trim
 * @sessions: sessions open now
 * @session_in_use: bytes this session holds
 * @session_regions: regions this session owns
 * @session_refs: regions this session holds by reference (not in
 *                GOMEM_STATS_SIZE_VER0, nor the fields below)
 * @session_ref_bytes: their bytes
 * @session_tokens: outstanding tokens this session made
 * @refs: references of all sessions (a session's claims of one region
 *        count once)
 * @tokens: outstanding tokens of all sessions
 * @orphans: regions whose owner freed them or went away, kept allocated
 *           for the sessions that still hold them
 * @orphan_bytes: their bytes (part of @in_use)
 * @trim_busy: times trim kept an entirely free chunk because some of its
 *             pages were still pinned (get_user_pages(): io_uring fixed
 *             buffers, O_DIRECT in flight, vmsplice); modules older
 *             than it fill the struct only up to @orphan_bytes
 * @zeroed: bytes zeroed for allocations that asked for zeroes (every
 *          session)
 * @zero_skipped: bytes of such allocations that needed no zeroing: the
 *                allocating session's own, freed by it while nobody else
 *                held them; modules older than these two fill the struct
 *                only up to @trim_busy
 * @front_held: bytes of freed regions the per-CPU fronts keep for the
 *              next allocation of their size (module parameter
 *              front_max): free for allocations, counted in neither
 *              @in_use nor @free, given back to the chunks by trim and
 *              before the arena grows; older modules leave it out
 * @parked: bytes of regions that sessions freed and keep for their next
 *          allocation of the same size, each its own (module parameter
 *          park): counted in neither @in_use nor @free, nor in any
 *          session's @session_in_use; @allocs and @frees count their
 *          frees and allocations as any others.  Given back to the
 *          chunks when an allocation finds no room, by trim, by the
 *          session's GOMEM_IOC_RECYCLE and when it closes.  Older
 *          modules fill the struct only up to @front_held
 * @session_parked: those of this session
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
	__u64 session_refs;
	__u64 session_ref_bytes;
	__u64 session_tokens;
	__u64 refs;
	__u64 tokens;
	__u64 orphans;
	__u64 orphan_bytes;
	__u64 trim_busy;
	__u64 zeroed;
	__u64 zero_skipped;
	__u64 front_held;
	__u64 parked;
	__u64 session_parked;
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

/**
 * struct gomem_share - GOMEM_IOC_SHARE: make a share token
 * @offset: in: first byte to share, inside a region this session holds
 *          (owns, or holds by reference); any byte, no alignment needed
 * @size: in: bytes from @offset, inside the same region; 0: to its end
 * @claims: in: how many claims the token is good for (at least 1)
 * @flags: in: must be zero
 * @token: out: the token, never 0
 *
 * The token holds the region until it has been claimed @claims times, is
 * cancelled (GOMEM_IOC_CANCEL) or this session goes away.  It counts
 * against this session's max_session_regions until then.  Errors:
 * -EINVAL @claims 0, a flag, or a range not inside one allocated region;
 * -EPERM a region this session does not hold; -EDQUOT the session is at
 * max_session_regions; -ENOMEM.
 */
struct gomem_share {
	__u64 offset;
	__u64 size;
	__u32 claims;
	__u32 flags;
	__u64 token;
};

/**
 * struct gomem_claim - GOMEM_IOC_CLAIM: take a reference through a token
 * @token: in: a value GOMEM_IOC_SHARE returned, to any session
 * @flags: in: must be zero
 * @pad: must be zero
 * @offset: out: the shared range's first byte
 * @size: out: its bytes
 *
 * This session then holds the region by reference until it releases it
 * (GOMEM_IOC_RELEASE, once per claim) or goes away.  A token used up,
 * cancelled, whose maker went away, made for another arena, or never
 * made: -ENOENT, all alike.  Errors: -ENOENT; -EINVAL a flag or padding;
 * -EDQUOT the session holds no reference to the region yet and is at
 * max_session_regions, or the region's bytes would take it past
 * max_session_bytes; -ENOMEM.
 */
struct gomem_claim {
	__u64 token;
	__u32 flags;
	__u32 pad;
	__u64 offset;
	__u64 size;
};

/**
 * struct gomem_token - GOMEM_IOC_CANCEL: withdraw an outstanding token
 * @token: in: a token this session made
 * @flags: in: must be zero
 * @pad: must be zero
 *
 * Its remaining claims are void and its hold on the region goes.  Errors:
 * -ENOENT no such outstanding token; -EPERM another session's token;
 * -EINVAL a flag or padding.
 */
struct gomem_token {
	__u64 token;
	__u32 flags;
	__u32 pad;
};

/**
 * struct gomem_ref - GOMEM_IOC_RELEASE: drop a reference
 * @offset: in: any byte of a region this session holds by reference
 * @flags: in: must be zero
 * @pad: must be zero
 *
 * Drops one claim's reference; the region returns to the arena if that
 * was its last holder.  Errors: -EINVAL no region this session holds by
 * reference there (its own regions are freed with GOMEM_IOC_FREE), a
 * flag or padding.
 *
 * GOMEM_IOC_RELEASE_BATCH takes a struct gomem_batch whose entries give
 * offsets (@size 0, else that entry's result is -EINVAL), with @flags and
 * @align 0, and releases each as above.
 */
struct gomem_ref {
	__u64 offset;
	__u32 flags;
	__u32 pad;
};

/**
 * struct gomem_share_entry - one token of GOMEM_IOC_SHARE_BATCH
 * @offset: in: first byte to share, as in struct gomem_share
 * @size: in: bytes from @offset; 0: to the region's end
 * @claims: in: claims the token is good for (at least 1)
 * @flags: in: must be zero
 * @token: out: the token (never 0); left as it was when @result is not 0
 * @result: out: 0 or a negative errno for this entry, as for
 *          GOMEM_IOC_SHARE: -EINVAL @claims 0 or a range not inside one
 *          allocated region; -EPERM a region this session does not hold;
 *          -EDQUOT the session is at max_session_regions (the batch's
 *          earlier tokens count); -ENOMEM
 * @pad: must be zero
 *
 * A non-zero @flags or @pad in any entry fails the whole batch (-EINVAL,
 * nothing done): they are room for later fields, which a caller will
 * ask for by a flag.
 */
struct gomem_share_entry {
	__u64 offset;
	__u64 size;
	__u32 claims;
	__u32 flags;
	__u64 token;
	__s32 result;
	__u32 pad;
};

/**
 * struct gomem_claim_entry - one claim of GOMEM_IOC_CLAIM_BATCH
 * @token: in: a value GOMEM_IOC_SHARE or GOMEM_IOC_SHARE_BATCH returned
 * @flags: in: must be zero (any entry's non-zero @flags fails the whole
 *         batch with -EINVAL, nothing done)
 * @result: out: 0 or a negative errno for this entry, as for
 *          GOMEM_IOC_CLAIM: -ENOENT no such outstanding token (an earlier
 *          entry of the batch may have used up its last claim); -EDQUOT
 *          the session holds no reference to the region yet and is at
 *          max_session_regions; -ENOMEM
 * @offset: out: the shared range's first byte; left as it was when
 *          @result is not 0
 * @size: out: its bytes; likewise
 *
 * Each entry that succeeds is one claim, released by one
 * GOMEM_IOC_RELEASE (or one RELEASE_BATCH entry) of @offset.
 */
struct gomem_claim_entry {
	__u64 token;
	__u32 flags;
	__s32 result;
	__u64 offset;
	__u64 size;
};

/*
 * GOMEM_IOC_SHARE_BATCH and GOMEM_IOC_CLAIM_BATCH take a struct
 * gomem_batch whose @entries point to @count (1 to GOMEM_BATCH_MAX)
 * struct gomem_share_entry or struct gomem_claim_entry, with @flags and
 * @align 0; @done comes back as the number of entries that succeeded.
 * Entries are done in order, each as the single command would do it and
 * with its own @result: an entry's failure changes nothing for it and
 * does not stop the others.  The batch as a whole fails, with no entry
 * done and nothing written to the entries, for -EINVAL (count 0 or over
 * GOMEM_BATCH_MAX, non-zero @flags, @align or @pad of the batch, or
 * non-zero @flags or @pad of any entry), -EFAULT (entries unreadable, or
 * their output fields unwritable when first probed) and -ENOMEM (the
 * kernel's copy of the entries).  If the write-back fails after the work
 * (the -EFAULT exception at the top of this file), SHARE_BATCH cancels
 * the tokens it made and CLAIM_BATCH releases the claims it took.  Both
 * are allowed to read-only sessions.  Modules before them answer -ENOTTY.
 */

/*
 * Private arenas.  GOMEM_IOC_ARENA_CREATE, on a read-write session of any
 * arena, makes a new arena of its own geometry and returns a file
 * descriptor for it: an arena descriptor, the only way to it.  Nothing
 * names it (no path, no number to guess); a process reaches it only with
 * a descriptor it was given (SCM_RIGHTS, fork, exec without close-on-exec)
 * or derived from one.  An arena descriptor is not a session: each
 * process opens its own with GOMEM_IOC_ARENA_OPEN (a session is what owns
 * regions and what the kernel reclaims when the process goes), and a
 * session of a private arena works as one of /dev/gomem (every command,
 * mmap, read and write), on that arena alone: its offsets, tokens and
 * mappings mean nothing in another.  GOMEM_IOC_ARENA_DUP derives a
 * read-only arena descriptor, which opens read-only sessions only and
 * derives nothing writable (-EBADF); descriptors cannot be reopened
 * through /proc (-ENXIO).  GOMEM_IOC_INFO works on an arena descriptor
 * too (session_flags says whether it is read-only).  The arena goes, its
 * memory back to the system, when its last descriptor, session and
 * mapping are gone.
 *
 * Its chunks, owner records and sessions are charged to the memory
 * cgroup of the process that created it, whoever makes it grow (the
 * device's arena is charged to nobody).  Arenas a module may have at once:
 * module parameter max_arenas; more is -EMFILE.
 */

/* struct gomem_arena_create.flags, gomem_arena_open.flags */
#define GOMEM_ARENA_READONLY	(1U << 0)	/* OPEN, DUP: read-only */
#define GOMEM_ARENA_CLOEXEC	(1U << 1)	/* the new descriptor's O_CLOEXEC */

#define GOMEM_ARENA_CREATE_SIZE_VER0	56
#define GOMEM_ARENA_OPEN_SIZE_VER0	8

/**
 * struct gomem_arena_create - GOMEM_IOC_ARENA_CREATE: a private arena
 * @initial_size: in: first chunk, bytes; 0 for 1 MiB (at most @max_chunk)
 * @max_chunk: in: largest growth chunk; 0 for 4 MiB or @max_size if less
 * @max_size: in: most bytes the arena may hold; 0 for the device's
 *            max_size; at most the device's max_size
 * @max_session_bytes: in: most bytes one session may hold (owned and
 *                     referenced); 0 for no limit but @max_size
 * @max_session_regions: in: most records one session may hold (regions,
 *                       references, tokens); 0 for @max_size / 128, at
 *                       least 4096
 * @policy: in: GOMEM_POLICY_TREAP_ABI or GOMEM_POLICY_AVL_ABI
 * @source: in: GOMEM_SOURCE_VMALLOC or GOMEM_SOURCE_BUDDY (a pool of
 *          @max_size, rounded up to a power of two pages, reserved now)
 * @flags: in: GOMEM_ARENA_CLOEXEC
 * @fd: out: the arena descriptor (read-write)
 *
 * Errors: -EBADF a read-only session; -EINVAL a bad policy, source or
 * flag, or geometry the arena refuses (initial above max_chunk, max_chunk
 * above max_size, max_size above the device's); -EMFILE max_arenas
 * reached, or no free descriptor; -ENOMEM.  On error nothing changed.
 */
struct gomem_arena_create {
	__u64 initial_size;
	__u64 max_chunk;
	__u64 max_size;
	__u64 max_session_bytes;
	__u64 max_session_regions;
	__u32 policy;
	__u32 source;
	__u32 flags;
	__s32 fd;
};

/**
 * struct gomem_arena_open - GOMEM_IOC_ARENA_OPEN, GOMEM_IOC_ARENA_DUP
 * @flags: in: GOMEM_ARENA_READONLY, GOMEM_ARENA_CLOEXEC
 * @fd: out: OPEN: a new session of the arena (O_RDWR, or O_RDONLY with
 *      GOMEM_ARENA_READONLY); DUP: a new arena descriptor, read-only with
 *      GOMEM_ARENA_READONLY
 *
 * On an arena descriptor only.  Errors: -EINVAL an unknown flag; -EBADF
 * a writable session or descriptor asked of a read-only descriptor;
 * -EMFILE no free descriptor; -ENOMEM.
 */
struct gomem_arena_open {
	__u32 flags;
	__s32 fd;
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
#define GOMEM_IOC_SHARE		_IOWR(GOMEM_IOC_MAGIC, 0x8, struct gomem_share)
#define GOMEM_IOC_CLAIM		_IOWR(GOMEM_IOC_MAGIC, 0x9, struct gomem_claim)
#define GOMEM_IOC_CANCEL	_IOW(GOMEM_IOC_MAGIC, 0xA, struct gomem_token)
#define GOMEM_IOC_RELEASE	_IOW(GOMEM_IOC_MAGIC, 0xB, struct gomem_ref)
#define GOMEM_IOC_RELEASE_BATCH	_IOWR(GOMEM_IOC_MAGIC, 0xC, struct gomem_batch)
#define GOMEM_IOC_SHARE_BATCH	_IOWR(GOMEM_IOC_MAGIC, 0xD, struct gomem_batch)
#define GOMEM_IOC_CLAIM_BATCH	_IOWR(GOMEM_IOC_MAGIC, 0xE, struct gomem_batch)
#define GOMEM_IOC_ARENA_CREATE	_IOWR(GOMEM_IOC_MAGIC, 0xF, struct gomem_arena_create)
/* On an arena descriptor (besides GOMEM_IOC_INFO). */
#define GOMEM_IOC_ARENA_OPEN	_IOWR(GOMEM_IOC_MAGIC, 0x10, struct gomem_arena_open)
#define GOMEM_IOC_ARENA_DUP	_IOWR(GOMEM_IOC_MAGIC, 0x11, struct gomem_arena_open)

#endif /* _UAPI_LINUX_GOMEM_H */
