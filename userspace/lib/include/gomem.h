/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgomem: the userspace library of /dev/gomem, a memory arena shared by
 * processes.  docs/libgomem.md is the manual; this header is the contract.
 *
 * gomem_open() opens a session and maps the arena's whole offset window
 * (gomem_info.map_size) once, so every pointer the library hands out stays
 * valid, at the same address, for the life of the handle, however the
 * arena grows.  An arena offset is the same in every process; a pointer is
 * not: pass offsets between processes (gomem_offset(), gomem_ptr()).
 *
 * Errors, one convention for the whole library:
 *  - functions returning int (or int64_t) return a negative errno value on
 *    failure (-ENOMEM, -EINVAL, ...) and 0 or a count on success;
 *  - functions returning a pointer return NULL on failure and set errno;
 *  - nothing aborts, exits or prints.
 * gomem_errname() turns an errno value into its name ("ENOMEM").
 *
 * Threads: a struct gomem may be used by many threads at once, except
 * gomem_close(), which must come last.  A struct gomem_recyclable is not
 * thread-safe.  After fork() the child shares the parent's session and
 * mapping (and starts with empty region caches).
 *
 * The region cache (since 1.2.0, on unless GOMEM_LIB_NOCACHE): each thread
 * keeps regions of up to 64 KiB that this handle allocated and freed, and
 * hands them out again with no system call; see "the region cache" below.
 *
 * Private arenas (since 1.4.0): gomem_arena_create() makes an arena of
 * one's own, reached only through the descriptor it returns (or one
 * passed on: gomem_arena_send(), gomem_arena_recv(), fork, exec);
 * gomem_arena_open() opens a handle on it that works as gomem_open()'s.
 *
 * Usable from C (C99 or later) and C++.
 */
#ifndef GOMEM_LIB_H
#define GOMEM_LIB_H

#include <stddef.h>
#include <stdint.h>

#include <gomem/uapi.h>
#include <gomem/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GOMEM_LIB_VERSION	"1.4.0"

/* The device gomem_open(NULL, ...) opens. */
#define GOMEM_DEFAULT_PATH	"/dev/gomem"

/* gomem_open() flags: a read-only consumer session (no alloc, free, trim;
 * the mapping is read-only). */
#define GOMEM_LIB_READONLY	0x1
/* gomem_open() flags (since 1.2.0): no region cache for this handle; every
 * gomem_alloc() and gomem_free() is a system call, checked by the device. */
#define GOMEM_LIB_NOCACHE	0x2
/* gomem_arena_create(), gomem_arena_dup() flags (since 1.4.0): the new
 * arena descriptor is close-on-exec. */
#define GOMEM_LIB_CLOEXEC	0x4

struct gomem;
struct gomem_recyclable;

/**
 * struct gomem_region - one region of a batch call
 * @ptr: gomem_alloc_batch(): out, the region or NULL; gomem_free_batch(),
 *       gomem_release_batch(): in
 * @size: in: bytes (gomem_release_batch(): not used)
 * @result: out: 0 or a negative errno for this region
 */
struct gomem_region {
	void *ptr;
	size_t size;
	int result;
};

/* ---- sessions ---- */

/*
 * Open the device at @path (NULL: GOMEM_DEFAULT_PATH) as a new session and
 * map its whole window, shared, read-write (read-only with
 * GOMEM_LIB_READONLY).  The file descriptor is close-on-exec.
 * Errors (NULL, errno): whatever open(2) or mmap(2) say (ENOENT, EACCES,
 * ENOMEM, ...); EINVAL unknown @flags; ENOTTY @path is not a gomem device;
 * EPROTONOSUPPORT the module speaks another ABI version.
 */
struct gomem *gomem_open(const char *path, int flags);

/*
 * Unmap, close and free @g (NULL is allowed: returns 0).  The session's
 * regions go back to the arena once no other reference to the session is
 * left (a fork()ed child, for instance).  Every pointer into the mapping
 * becomes invalid.  Return: 0, or a negative errno from close(2) (@g is
 * freed all the same).
 */
int gomem_close(struct gomem *g);

/* The session's file descriptor (for poll, fstat, or raw ioctls). */
int gomem_fd(const struct gomem *g);
/* Non-zero for a read-only (consumer) session. */
int gomem_readonly(const struct gomem *g);
/* Start of the mapping: the address of arena offset 0. */
void *gomem_base(const struct gomem *g);
/* Bytes mapped: the arena's whole offset window (gomem_info.map_size). */
uint64_t gomem_map_size(const struct gomem *g);

/* GOMEM_IOC_INFO.  Return: 0 or a negative errno. */
int gomem_info(struct gomem *g, struct gomem_info *info);
/* GOMEM_IOC_STATS: arena and session statistics.  0 or a negative errno. */
int gomem_stats(struct gomem *g, struct gomem_stats *stats);

/* ---- regions ---- */

/*
 * Allocate @size bytes (rounded up to the arena's granule) at an offset
 * aligned to @align (0: the granule; else a power of two up to the page
 * size).  @flags: GOMEM_ALLOC_NOZERO to skip zeroing, else 0.
 * Return: a pointer into the mapping, or NULL with errno: EINVAL bad size,
 * alignment or flags; ENOMEM no room; EDQUOT the session holds the
 * device's max_session_regions; EBADF read-only session.
 * Touching the region never faults with SIGBUS while it is allocated.
 */
void *gomem_alloc(struct gomem *g, size_t size, size_t align,
		  unsigned int flags);

/*
 * Free @size bytes at @ptr: a whole region, or its head, tail or middle
 * (partial free; the rest stays allocated).  @ptr must be granule-aligned.
 * A region others hold (references, outstanding tokens: see hand-off
 * below) can only be freed whole: this session's ownership ends and the
 * bytes stay for the other holders until the last one lets go.
 * Return: 0; -EINVAL @ptr outside the mapping, or the range not inside one
 * allocated region (double free); -EPERM another session's region, or one
 * this session holds only by reference (gomem_release() it); -EBUSY a part
 * of a region others hold; -EDQUOT a middle free would split a region of a
 * session at the device's max_session_regions; -EBADF read-only session.
 */
int gomem_free(struct gomem *g, void *ptr, size_t size);

/*
 * Keep the first @keep bytes of the region of @size bytes at @ptr and free
 * the rest (GoMem's FreeRest).  @keep is rounded up to the granule; if that
 * leaves nothing to free, nothing happens (0).  @keep 0 frees it all.
 * A partial free: -EBUSY while others hold the region.
 * Return: 0; -EINVAL @keep > @size, and as gomem_free().
 */
int gomem_free_rest(struct gomem *g, void *ptr, size_t size, size_t keep);

/*
 * The address of arena @offset in this process's mapping, or NULL with
 * errno EINVAL if @offset is not below gomem_map_size().  An offset that no
 * chunk backs raises SIGBUS when touched.
 */
void *gomem_ptr(const struct gomem *g, uint64_t offset);

/*
 * The arena offset of @ptr, to hand to another process (which calls
 * gomem_ptr()).  Return: the offset (>= 0), or -EINVAL if @ptr is not in
 * the mapping.
 */
int64_t gomem_offset(const struct gomem *g, const void *ptr);

/*
 * Allocate @n regions of regions[i].size bytes each, all with the same
 * @align and @flags (as gomem_alloc()), in GOMEM_IOC_ALLOC_BATCH calls of
 * up to 256 regions each (the library's limit, below the kernel's
 * GOMEM_BATCH_MAX).  Every region gets its own result and pointer (NULL
 * if it failed).
 * Return: how many regions were allocated (0 to @n: check each result;
 * a bad size fails its region with -EINVAL), or a negative errno when the
 * first call failed as a whole (-EINVAL bad @align or unknown @flags,
 * -EBADF read-only session), nothing allocated; every result is then that
 * errno.  A later call failing as a whole sets its regions' results.
 * @n 0 returns 0.
 */
int gomem_alloc_batch(struct gomem *g, struct gomem_region *regions,
		      size_t n, size_t align, unsigned int flags);

/*
 * Free @n regions (or parts of regions, as gomem_free()) in as few
 * GOMEM_IOC_FREE_BATCH calls as possible.  A pointer outside the mapping
 * gets -EINVAL as its result and is not sent.
 * Return: how many were freed (check each result), or a negative errno
 * when the first call failed as a whole (-EBADF read-only session).
 */
int gomem_free_batch(struct gomem *g, struct gomem_region *regions,
		     size_t n);

/*
 * GOMEM_IOC_TRIM: give every entirely free chunk but the first back to the
 * system; any mapping of it raises SIGBUS until the arena grows again.
 * @out (may be NULL): bytes and chunks released.  0 or a negative errno
 * (-EBADF read-only session).
 */
int gomem_trim(struct gomem *g, struct gomem_release *out);

/*
 * GOMEM_IOC_RECYCLE: free every region this session owns, whole (a region
 * others hold stays allocated for them, as with gomem_free()); references
 * and tokens are kept.  @out (may be NULL): bytes and regions freed.
 * 0 or a negative errno (-EBADF).
 */
int gomem_recycle_all(struct gomem *g, struct gomem_release *out);

/* ---- hand-off: share tokens and references (since 1.1.0) ---- */

/*
 * A region stays allocated while anything holds it: its owner (the session
 * that allocated it, until it frees it), every reference (a session that
 * claimed a token of it, until it releases it), every outstanding token.
 * So a producer shares a frame, passes the token to consumers by any
 * channel (a pipe, a socket, a file), each claims it and reads it through
 * its own mapping, and the frame survives the producer's exit or kill -9
 * until the last consumer releases it.  A token is an unguessable 64-bit
 * value, never 0, good for one arena only, and never names a later region:
 * once used up, cancelled or gone with its maker, claiming it is -ENOENT.
 * When a session goes (close, exit, kill), everything it holds goes with
 * it: its regions, its references and its unclaimed tokens, so a producer
 * must stay until its tokens are claimed.
 *
 * A read-only session (GOMEM_LIB_READONLY) may claim, release, share what
 * it holds by reference and cancel its own tokens.
 */

/*
 * Make a token for @size bytes at @ptr (@size 0: to the end of the region)
 * inside one region this session holds (owns or holds by reference; a
 * pipeline stage may forward a frame it was given), good for @claims
 * claims (at least 1).  @ptr needs no alignment.  The token holds the
 * region until it has been claimed @claims times, is cancelled, or this
 * session goes away; until then it counts against the session's
 * max_session_regions.  Return: 0 and *@token; -EINVAL @ptr outside the
 * mapping, @token NULL, @claims 0, or the range not inside one allocated
 * region; -EPERM a region this session does not hold; -EDQUOT the session
 * is at max_session_regions; -ENOMEM; -ENOTTY a module without hand-off.
 */
int gomem_share(struct gomem *g, const void *ptr, size_t size,
		uint32_t claims, uint64_t *token);

/*
 * Claim @token (made by any session of this arena, this one included):
 * this session then holds the shared region by reference, one more claim,
 * until it calls gomem_release() once per claim or goes away.  Return: the
 * address of the shared range in this process's mapping, and its bytes in
 * *@size (@size may be NULL); or NULL with errno: ENOENT no such
 * outstanding token (used up, cancelled, its maker gone, another arena's,
 * never made: all alike); EDQUOT this session holds no reference to the
 * region yet and is at max_session_regions; ENOMEM; ENOTTY a module
 * without hand-off.
 */
void *gomem_claim(struct gomem *g, uint64_t token, size_t *size);

/*
 * Withdraw @token, made by this session: its remaining claims are void and
 * its hold on the region goes (references already taken stay).
 * Return: 0; -ENOENT no such outstanding token; -EPERM another session's.
 */
int gomem_cancel(struct gomem *g, uint64_t token);

/*
 * Drop one claim of this session's reference to the region holding @ptr
 * (any byte of it); the region returns to the arena if that was its last
 * holder.  Return: 0; -EINVAL @ptr outside the mapping, or this session
 * holds no reference there (its own regions are freed with gomem_free();
 * a reference released as often as it was claimed is gone).
 */
int gomem_release(struct gomem *g, const void *ptr);

/*
 * gomem_release() for @n regions, in as few GOMEM_IOC_RELEASE_BATCH calls
 * as possible (up to 256 regions each), as gomem_free_batch() frees:
 * regions[i].ptr names the region (any byte of it), regions[i].size is not
 * used, regions[i].result gets 0 or that region's negative errno (as
 * gomem_release(); a pointer outside the mapping is -EINVAL and not sent).
 * Return: how many were released (check each result), or a negative errno
 * when the first call failed as a whole (-ENOTTY a module without
 * hand-off): nothing released, every result that errno but a pointer
 * outside the mapping's -EINVAL.  @n 0 returns 0.
 */
int gomem_release_batch(struct gomem *g, struct gomem_region *regions,
			size_t n);

/* ---- batched hand-off (since 1.3.0) ---- */

/**
 * struct gomem_share_req - one token of gomem_share_batch()
 * @ptr: in: first byte to share, as for gomem_share()
 * @size: in: bytes (0: to the end of the region)
 * @claims: in: claims the token is good for (at least 1)
 * @result: out: 0 or this token's negative errno (as gomem_share())
 * @token: out: the token when @result is 0, else left as it was
 */
struct gomem_share_req {
	const void *ptr;
	size_t size;
	uint32_t claims;
	int result;
	uint64_t token;
};

/**
 * struct gomem_claim_req - one claim of gomem_claim_batch()
 * @token: in: the token to claim
 * @ptr: out: the shared range in this process's mapping when @result is
 *       0, else NULL
 * @size: out: its bytes when @result is 0, else 0
 * @result: out: 0 or this claim's negative errno (as gomem_claim())
 */
struct gomem_claim_req {
	uint64_t token;
	void *ptr;
	size_t size;
	int result;
};

/*
 * gomem_share() for @n ranges, in as few GOMEM_IOC_SHARE_BATCH calls as
 * possible (up to 256 each), in order: each request gets its own result
 * and, on success, its token; a failed one changes nothing (a pointer
 * outside the mapping is -EINVAL and not sent).  Return: how many tokens
 * were made (check each result), or a negative errno when the first call
 * failed as a whole (-ENOTTY a module without batched hand-off: use
 * gomem_share()): nothing made, every result that errno but a pointer
 * outside the mapping's -EINVAL.  @n 0 returns 0.
 */
int gomem_share_batch(struct gomem *g, struct gomem_share_req *reqs,
		      size_t n);

/*
 * gomem_claim() for @n tokens, in GOMEM_IOC_CLAIM_BATCH calls of up to
 * 256, in order (a token of several claims may be named several times,
 * a claim each): each request gets its own result and, on success, the
 * shared range; each success is one claim, dropped by one gomem_release()
 * (or one gomem_release_batch() entry).  Return: how many were claimed,
 * or a negative errno when the first call failed as a whole (-ENOTTY a
 * module without batched hand-off): nothing claimed, every result that
 * errno.  @n 0 returns 0.
 */
int gomem_claim_batch(struct gomem *g, struct gomem_claim_req *reqs,
		      size_t n);

/* ---- the region cache (since 1.2.0) ---- */

/*
 * gomem_alloc() of up to 64 KiB with granule alignment (align 0 or the
 * granule) is served from the calling thread's cache: regions of that
 * exact size this handle freed, or a batch of them allocated in one ioctl
 * (refill).  gomem_free() of such a region, whole, puts it back in the
 * freeing thread's cache (past the cache's bound, half a bin goes back to
 * the arena in one ioctl).  So a steady alloc/free loop makes no system
 * call.  What the cache does not take, the device checks as without it:
 * a region the cache did not hand out, a partial free, a double free, a
 * region shared (gomem_share()) or held by reference (gomem_claim()) at
 * any time: such a region never enters a cache.  A free racing another
 * free, a gomem_share() or a gomem_claim() of the same region on another
 * thread is a data race in the caller, as two racing free()s are: the
 * cache may then take the region twice, or take a shared one.  Regions
 * handed out are zeroed (granule-rounded) unless GOMEM_ALLOC_NOZERO, as
 * the device's are.
 * The cache gives everything back on gomem_trim() and gomem_close(),
 * forgets it on gomem_recycle_all() (the device freed it), and when a
 * thread exits; a fork()ed child starts with empty caches (the regions in
 * them stay the parent's).  The session's statistics (gomem_stats())
 * count cached regions as allocated; gomem_cache_info() says what the
 * caches hold.  Regions freed behind the library's back (raw ioctls on
 * gomem_fd()) must not have come from gomem_alloc() with the cache on.
 */

/**
 * struct gomem_cache_stats - what a handle's region caches hold and did
 * @regions: regions held now, all threads
 * @bytes: their bytes (granule-rounded)
 * @threads: threads with a cache of this handle now
 * @limit: bound of one thread's cache, in bytes
 * @hits: allocations served from a cache
 * @refills: allocations that refilled a cache (one ioctl each)
 * @refill_regions: regions those refills brought
 * @drains: times a cache gave regions back (one ioctl each, or more)
 * @drained_regions: regions given back
 * @bypassed: frees of regions the cache handed out that it did not take
 *            back (a bound of 0)
 */
struct gomem_cache_stats {
	uint64_t regions;
	uint64_t bytes;
	uint64_t threads;
	uint64_t limit;
	uint64_t hits;
	uint64_t refills;
	uint64_t refill_regions;
	uint64_t drains;
	uint64_t drained_regions;
	uint64_t bypassed;
};

/*
 * Fill @stats (all zero for a handle without a cache).  Return: 0, or
 * -EINVAL @stats NULL.
 */
int gomem_cache_info(struct gomem *g, struct gomem_cache_stats *stats);

/*
 * Bound each thread's cache to @bytes (default 4 MiB; a bin holds at most
 * half of it); 0 turns caching off and gives back what the caches hold.
 * Return: 0; -EOPNOTSUPP a handle without a cache (GOMEM_LIB_NOCACHE or
 * read-only).
 */
int gomem_cache_limit(struct gomem *g, uint64_t bytes);

/* ---- private arenas (since 1.4.0) ---- */

/*
 * A private arena is an arena of its own geometry and per-session limits,
 * made by gomem_arena_create() and reached only through an arena
 * descriptor: a file descriptor no path names and nobody can guess, which
 * a process gets by being given it (gomem_arena_send() and
 * gomem_arena_recv() over a Unix socket, fork(), exec without
 * close-on-exec) or by deriving one (gomem_arena_dup()).  An arena
 * descriptor is not a session: each process opens its own handle on it
 * with gomem_arena_open(), and that handle works as one of gomem_open()
 * (regions, batches, hand-off, the region cache, the reader, fork), on
 * that arena alone: its offsets and tokens mean nothing in another arena,
 * the device's included.  The arena and its memory go when its last
 * descriptor, handle and mapping are gone.  A read-only descriptor opens
 * read-only handles and derives read-only descriptors only.  The arena is
 * charged to the memory cgroup of the process that created it.
 */

/**
 * struct gomem_arena_params - a private arena's geometry and limits
 * @initial_size: first chunk, bytes; 0 for 1 MiB (at most @max_chunk)
 * @max_chunk: largest growth chunk; 0 for 4 MiB, or @max_size if less
 * @max_size: most bytes the arena may hold; 0 for the device's max_size,
 *            and never more than it
 * @max_session_bytes: most bytes one session may hold (owned and held by
 *                     reference); 0 for no limit but @max_size
 * @max_session_regions: most records one session may hold (regions,
 *                       references, tokens); 0 for @max_size / 128, at
 *                       least 4096
 * @policy: GOMEM_POLICY_TREAP_ABI (0, lowest fit) or GOMEM_POLICY_AVL_ABI
 * @source: GOMEM_SOURCE_VMALLOC (0) or GOMEM_SOURCE_BUDDY (a pool of
 *          @max_size, rounded up to a power of two pages, reserved at
 *          creation)
 *
 * All zero (or a NULL pointer) asks for every default.
 */
struct gomem_arena_params {
	uint64_t initial_size;
	uint64_t max_chunk;
	uint64_t max_size;
	uint64_t max_session_bytes;
	uint64_t max_session_regions;
	uint32_t policy;
	uint32_t source;
};

/*
 * Create a private arena of @params (NULL: every default) through @g, a
 * read-write handle on any arena (the device's, or a private one).
 * @flags: GOMEM_LIB_CLOEXEC for a close-on-exec descriptor, else 0 (it
 * then survives exec, to hand the arena to the program exec'd).
 * Return: the new arena descriptor (>= 0, read-write), the caller's to
 * close(2); or a negative errno: -EINVAL unknown @flags, a bad policy or
 * source, or geometry the arena refuses (@initial_size above @max_chunk,
 * @max_chunk above @max_size, @max_size above the device's); -EBADF @g
 * is read-only; -EMFILE the module's max_arenas reached, or no free
 * descriptor; -ENOMEM; -ENOTTY a module without private arenas.
 */
int gomem_arena_create(struct gomem *g, const struct gomem_arena_params *params,
		       int flags);

/*
 * Open a new session of the private arena of @arena_fd and map it, as
 * gomem_open() does the device: @flags GOMEM_LIB_READONLY (a read-only
 * handle; the only kind a read-only descriptor opens), GOMEM_LIB_NOCACHE.
 * The handle's descriptor is close-on-exec; @arena_fd stays the caller's
 * (closing it later does not affect the handle, which keeps the arena).
 * Errors (NULL, errno): EINVAL unknown @flags; EBADF @arena_fd is not
 * open, or is read-only and @flags asks for read-write; ENOTTY @arena_fd
 * is not an arena descriptor (a session of /dev/gomem is not one either);
 * EMFILE, ENOMEM; and as gomem_open() (EPROTONOSUPPORT, mmap's errors).
 */
struct gomem *gomem_arena_open(int arena_fd, int flags);

/*
 * Derive another descriptor of the arena of @arena_fd, to keep or to give
 * away: read-only with GOMEM_LIB_READONLY in @flags, close-on-exec with
 * GOMEM_LIB_CLOEXEC.  A read-only descriptor can derive no writable one.
 * Return: the new descriptor (>= 0), or a negative errno: -EINVAL unknown
 * @flags; -EBADF @arena_fd is not open, or is read-only and @flags asks
 * for read-write; -ENOTTY not an arena descriptor; -EMFILE; -ENOMEM.
 */
int gomem_arena_dup(int arena_fd, int flags);

/*
 * GOMEM_IOC_INFO of the arena of descriptor @arena_fd, no session needed:
 * its geometry, info->max_session_bytes and max_session_regions,
 * info->arena_kind (GOMEM_ARENA_KIND_PRIVATE) and info->arena_id (its
 * name in debugfs's gomem/arenas, "private-<id>"; a name, not a handle),
 * and GOMEM_SESSION_READONLY in info->session_flags for a read-only
 * descriptor.  Works on a handle's gomem_fd() too.  Return: 0 or a
 * negative errno (-ENOTTY not a gomem descriptor, -EBADF not open).
 */
int gomem_arena_info(int arena_fd, struct gomem_info *info);

/*
 * Send arena descriptor @arena_fd over the connected Unix socket @sock
 * (SCM_RIGHTS, with one byte of data, so a stream socket carries it too);
 * @arena_fd stays open here.  Whoever receives it reaches the arena with
 * the rights of @arena_fd: send a gomem_arena_dup(..., GOMEM_LIB_READONLY)
 * to a consumer.  Return: 0, or a negative errno from sendmsg(2) (-EPIPE
 * the peer is gone: no SIGPIPE is raised; -ENOTSOCK, -EBADF, ...).
 */
int gomem_arena_send(int sock, int arena_fd);

/*
 * Receive one arena descriptor that gomem_arena_send() sent on @sock
 * (blocking unless @sock is non-blocking).  The descriptor is
 * close-on-exec (fcntl(2) F_SETFD clears it, to pass it on by exec).
 * Return: the descriptor (>= 0), the caller's to close(2); or a negative
 * errno: -ECONNRESET the peer closed the socket; -EBADMSG a message that
 * is not one descriptor with gomem_arena_send()'s byte (anything that
 * came is closed); -ENOTTY a descriptor that is not gomem's (closed);
 * -EAGAIN nothing yet on a non-blocking @sock; recvmsg(2)'s errors.
 */
int gomem_arena_recv(int sock);

/* ---- recyclable memory (GoMem's RecyclableMemory) ---- */

/*
 * A list of regions that are freed together, in batched ioctls, by
 * gomem_recyclable_recycle().  Do not free its regions one by one.
 * gomem_recyclable_new(): NULL with errno ENOMEM (or EINVAL, @g NULL).
 */
struct gomem_recyclable *gomem_recyclable_new(struct gomem *g);

/* Allocate one region (as gomem_alloc(g, size, 0, 0)) and keep it on the
 * list.  NULL with errno as gomem_alloc(), or ENOMEM for the list. */
void *gomem_recyclable_alloc(struct gomem_recyclable *r, size_t size);

/*
 * Allocate @n regions of @size bytes in batched ioctls, all or nothing, and
 * store their pointers in @ptrs[0..n-1].  Return: 0, or a negative errno
 * (the first failure; the regions this call allocated are freed again).
 */
int gomem_recyclable_alloc_n(struct gomem_recyclable *r, size_t size,
			     size_t n, void **ptrs);

/* Put a region allocated elsewhere (gomem_alloc()) on the list.
 * Return: 0; -EINVAL @ptr outside the mapping or @size 0; -ENOMEM. */
int gomem_recyclable_add(struct gomem_recyclable *r, void *ptr, size_t size);

/* Regions and bytes (as asked for, not rounded) on the list. */
size_t gomem_recyclable_count(const struct gomem_recyclable *r);
uint64_t gomem_recyclable_bytes(const struct gomem_recyclable *r);

/*
 * Free every region on the list in batched ioctls; the list is empty
 * afterwards, and can be used again.  Return: the number of regions
 * freed, or the first negative errno met (a region the kernel refused,
 * e.g. one freed by hand already, is dropped from the list all the same).
 */
int gomem_recyclable_recycle(struct gomem_recyclable *r);

/* Recycle and free @r (NULL is allowed).  Call before gomem_close(). */
void gomem_recyclable_destroy(struct gomem_recyclable *r);

/* ---- misc ---- */

/* "ENOMEM" for ENOMEM or -ENOMEM; "E?" for a value it does not know.
 * Never NULL; the string is static. */
const char *gomem_errname(int err);

/* GOMEM_LIB_VERSION of the library actually linked. */
const char *gomem_version(void);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_LIB_H */
