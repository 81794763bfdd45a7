// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem-fuzz: a hostile user of /dev/gomem, reproducible from a seed.
 *
 * The parent (the checker) forks P worker processes of T threads each.
 * Every worker opens 1-3 sessions, maps the window through a session of
 * its own that never allocates, and runs random operations on its
 * sessions: every ioctl with valid, near-valid and garbage arguments,
 * mmap/munmap/mprotect/mremap/madvise, read/write/pread/pwrite/lseek,
 * dup/close, forked children that verify through the inherited mapping,
 * children that allocate and are SIGKILLed, and private arenas
 * (ARENA_CREATE, ARENA_OPEN, ARENA_DUP, their sessions, their descriptors
 * inherited by or sent to children).  See README.md for the oracles.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/io_uring.h>

#include <gomem.h>

#include "kcov.h"

typedef unsigned long long u64;
typedef long long s64;

#define MAXPROCS	64
#define MAXTHREADS	16
#define MAXSESS		3
#define MAXFDS		4
/*
 * Regions of one session: allocations stop at SOFTREG, and a free that
 * would split a region (its middle) is generated only below SOFTREG too,
 * so that the bookkeeping (MAXREG) always has room.
 */
#define SOFTREG		192
#define MAXREG		2048
#define NPUB		32
#define MAXREF		64	/* regions one session holds by reference */
#define MAXSTOK		64	/* tokens one session keeps track of */
#define NERR		136	/* 0 ok, 1..133 errno, 134 SIGBUS, 135 other */
#define E_SIGBUS	134
#define E_OTHER		135

/* ---- options ---- */

static u64 opt_seed;
static double opt_seconds = 10;
static int opt_procs = 4, opt_threads = 2;
static u64 opt_ops;
static const char *opt_dev = "/dev/gomem";
static int opt_fail_nth, opt_make_it_fail, opt_verbose;
static int fault_mode;		/* ENOMEM/EINTR/EAGAIN allowed */

/* ---- calls, for the errno table ---- */

enum call {
	C_INFO, C_ALLOC, C_FREE, C_ALLOC_BATCH, C_FREE_BATCH, C_STATS, C_TRIM,
	C_RECYCLE, C_BADIOCTL, C_ENTRY_ALLOC, C_ENTRY_FREE, C_OPEN, C_CLOSE,
	C_DUP, C_MMAP, C_MUNMAP, C_MPROTECT, C_MREMAP, C_MADVISE, C_READ,
	C_WRITE, C_PREAD, C_PWRITE, C_LSEEK, C_FORK, C_TOUCH, C_FAILNTH,
	C_PROCMEM, C_DEBUGFS, C_SHARE, C_CLAIM, C_CANCEL, C_RELEASE,
	C_RELEASE_BATCH, C_ENTRY_RELEASE, C_CLAIM_LIVE, C_CLAIM_SPENT,
	C_CLAIM_CANCELLED, C_CLAIM_GONE, C_CLAIM_FORGED, C_GUP, C_SHARE_BATCH,
	C_ENTRY_SHARE, C_CLAIM_BATCH, C_ENTRY_CLAIM, C_ODIRECT,
	C_AR_CREATE, C_AR_OPEN, C_AR_DUP, C_AR_INFO, C_AR_BAD, C_AR_ALLOC,
	C_AR_FREE, C_AR_STATS, C_AR_TRIM, C_AR_SHARE, C_AR_CLAIM, C_AR_XCLAIM,
	C_AR_RELEASE, C_AR_CANCEL, C_AR_CLOSE, C_AR_MMAP, C_AR_TOUCH,
	C_AR_PREAD, C_AR_SCM, C_AR_CHILD, C_NAMED, NCALL
};

static const char *const call_name[NCALL] = {
	"info", "alloc", "free", "alloc_batch", "free_batch", "stats", "trim",
	"recycle", "bad_ioctl", "alloc_entry", "free_entry", "open", "close",
	"dup", "mmap", "munmap", "mprotect", "mremap", "madvise", "read",
	"write", "pread", "pwrite", "lseek", "fork", "touch", "fail_nth",
	"procmem", "debugfs", "share", "claim", "cancel", "release",
	"release_batch", "release_entry", "claim_live", "claim_spent",
	"claim_cancelled", "claim_maker_gone", "claim_forged", "gup",
	"share_batch", "share_entry", "claim_batch", "claim_entry", "o_direct",
	"arena_create", "arena_open", "arena_dup", "arena_info", "arena_bad",
	"arena_alloc", "arena_free", "arena_stats", "arena_trim",
	"arena_share", "arena_claim", "arena_xclaim", "arena_release",
	"arena_cancel", "arena_close", "arena_mmap", "arena_touch",
	"arena_pread", "arena_scm", "arena_child", "named",
};

/* ---- shared memory: holdings, counters, the errno table ---- */

/*
 * Holdings of a worker (or of one thread's child) as the parent sees
 * them: @inflight is non-zero while a call that may change the bytes held
 * runs, @gen moves after each such call.  A snapshot is exact when every
 * inflight is zero and every gen is the same before and after the
 * parent's GOMEM_IOC_STATS.
 */
struct slot {
	_Atomic s64 inflight;
	_Atomic u64 gen;
	_Atomic s64 holdings;
};

/*
 * Hand-off bookkeeping, shared by every process of the run.  An entry is
 * a region that was shared (its first SHARE made it one): @refs counts the
 * worker sessions holding a reference to it (a child's claims are not
 * counted: its slot is in flight while it lives), @owned says whether its
 * owner still owns it.  A token slot is one SHARE: @state is 0 while it is
 * being made, TS_PUB | claims left once made, TS_DEAD | why << 32 (and
 * TS_PUB if it was made) once known to be gone; @value is set before
 * TS_PUB.  Every change is made inside an in-flight window of the slot of
 * the process making it, so at the parent's exact comparisons (oracle 4)
 * the kernel's in_use is what the workers own plus the bytes of the
 * orphans (entries not owned but held by a reference or a live token),
 * its tokens the live slots, its refs the sum of @refs.  Slots are never
 * reused; when a table is full, sharing stops.
 */
#define NENT		16384
#define NTOK		32768
#define TS_PUB		(1ULL << 63)
#define TS_DEAD		(1ULL << 62)
#define TS_LEFT(st)	((unsigned int)(st))
#define TS_WHY(st)	((unsigned int)((st) >> 32) & 0xff)

enum { WHY_FAILED = 1, WHY_CANCEL, WHY_CLOSED, WHY_KILLED };

struct ent {
	u64 off, size, tag;
	_Atomic int refs;
	_Atomic int owned;
	/*
	 * CLAIMs (single or batched) of its tokens in flight: the kernel
	 * holds the region from inside the call, the claimer's tables only
	 * after it returns (ref_add()), and meanwhile the token may die in
	 * the tables (its maker cancels it): the region is maybe held.
	 */
	_Atomic int claiming;
};

struct tokslot {
	_Atomic u64 state;
	_Atomic u64 value;
	int ent;		/* its region's entry */
	int priv;		/* made for a child of its maker's worker only */
	int maker_w;		/* the maker's worker */
	unsigned int maker_s;	/* its struct sess.id, or CHILD_MAKER | n */
	u64 off, size;		/* the range it shares */
};

#define CHILD_MAKER	0x80000000U

/* What a killed child made, for the cleanup after it is reaped. */
struct crec {
	_Atomic int nent, ntok;
	int ent[4], tok[4];
};

struct wshm {
	struct slot main;
	struct slot child[MAXTHREADS];
	struct crec crec[MAXTHREADS];
	_Atomic u64 ops, kills, forks;
	_Atomic u64 pub_off[NPUB], pub_size[NPUB];
	_Atomic int done;
};

struct shm {
	_Atomic int pause;
	_Atomic unsigned int next_hid;	/* the last struct sess.hid given */
	_Atomic int failed;
	_Atomic u64 cnt[NCALL][NERR];
	struct wshm w[MAXPROCS];
	_Atomic int nent, ntok;
	struct ent ent[NENT];
	struct tokslot tok[NTOK];
};

static struct shm *shm;
/*
 * Per granule of the arena, the hid of the session that allocated it last
 * (0: none yet).  A zeroed allocation may show a session the bytes of a
 * region it owned and freed itself, never anyone else's (the kernel's
 * clean spans): a non-zero byte is allowed only in a granule whose last
 * allocator is the session now allocating it.
 */
static _Atomic unsigned int *last_holder;
static struct gomem_info ginfo;
static u64 G;		/* granule */
static u64 PS;		/* page size */
static u64 MAPSZ;

/* ---- random ---- */

static u64 mix64(u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 rnd(u64 *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return mix64(*s);
}

static u64 rn(u64 *s, u64 n)
{
	return n ? rnd(s) % n : 0;
}

static int chance(u64 *s, unsigned int pct)
{
	return rn(s, 100) < pct;
}

/* ---- patterns ---- */

static inline uint8_t pat_byte(u64 tag, u64 o)
{
	return mix64(tag ^ ((o >> 3) * 0x9e3779b97f4a7c15ULL)) >> ((o & 7) * 8);
}

static void pat_fill(uint8_t *p, u64 tag, u64 off, u64 len)
{
	u64 o = off, end = off + len;

	while (o < end) {
		if (!(o & 7) && o + 8 <= end) {
			u64 v = mix64(tag ^ ((o >> 3) * 0x9e3779b97f4a7c15ULL));

			memcpy(p + (o - off), &v, 8);
			o += 8;
		} else {
			p[o - off] = pat_byte(tag, o);
			o++;
		}
	}
}

/* Offset of the first wrong byte, or UINT64_MAX. */
static u64 pat_check(const uint8_t *p, u64 tag, u64 off,
			  u64 len)
{
	u64 o = off, end = off + len;

	while (o < end) {
		if (!(o & 7) && o + 8 <= end) {
			u64 v = mix64(tag ^ ((o >> 3) * 0x9e3779b97f4a7c15ULL)), g;

			memcpy(&g, p + (o - off), 8);
			if (g != v) {
				while (p[o - off] == pat_byte(tag, o))
					o++;
				return o;
			}
			o += 8;
		} else {
			if (p[o - off] != pat_byte(tag, o))
				return o;
			o++;
		}
	}
	return UINT64_MAX;
}

/* ---- worker state ---- */

/*
 * @ent: its entry once shared (-1: never, or split since); @frozen: shared
 * once, so never written again (its holders check its pattern).
 */
struct region {
	u64 off, size, tag;
	int ent, frozen;
};

/* A region the session holds by reference, and its claims. */
struct sref {
	int ent;
	unsigned int claims;
};

struct sess {
	pthread_mutex_t lock;
	int open;
	int mode;		/* O_RDWR, O_RDONLY, O_WRONLY */
	int nfds, fds[MAXFDS];
	int nreg;
	struct region reg[MAXREG];
	u64 bytes;
	u64 freed[8];	/* recently freed offsets: double frees */
	unsigned int nfreed;
	unsigned int id;	/* index << 24 | generation: a token's maker */
	unsigned int hid;	/* unique in the run, for last_holder[] */
	int nref;
	struct sref ref[MAXREF];
	int ntok;
	int tok[MAXSTOK];	/* token slots it made (dead ones pruned) */
	int live_before;	/* its live tokens before a batch call, or -1 */
};

struct thr {
	int w, t;
	u64 rng;
	u64 opn;		/* this thread's operation number */
	uint8_t *scr;		/* 4 pages: RW RW NONE RO */
	uint8_t *ent;		/* entries area, EPAGES RW then NONE */
	uint8_t *buf;		/* I/O buffer, BUFPAGES RW then NONE */
	uint8_t *cpy;		/* batch entries as sent, EPAGES */
	int fnfd;		/* /proc/thread-self/fail-nth */
	int injected;		/* fail-nth armed for this call */
	int slot_busy;
	pthread_t th;
};

#define EPAGES		8
#define BUFPAGES	16

static int W = -1;		/* worker index; -1: parent */
static struct wshm *me;
static struct sess sess[MAXSESS];
static int nsess;
static int map_fd = -1;
static uint8_t *win;
static struct thr thr[MAXTHREADS];
static pthread_rwlock_t reflock = PTHREAD_RWLOCK_INITIALIZER;
static _Atomic unsigned int sess_gen;
static _Atomic u64 w_opn;
static double deadline;

static pid_t g_pids[MAXPROCS];
static __thread struct thr *cur;
static __thread sigjmp_buf *tjb;
static __thread volatile int tjb_sig;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Print a line with one write(): safe in forked children too. */
static void say(const char *fmt, ...)
{
	char b[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(b) - 2)
		n = sizeof(b) - 2;
	b[n++] = '\n';
	if (write(1, b, n) < 0)
		_exit(2);
}

static __attribute__((noreturn, format(printf, 1, 2)))
void fail(const char *fmt, ...)
{
	char b[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	say("gomem-fuzz: FAIL seed %llu worker %d op#%llu: %s",
	    opt_seed, W, cur ? cur->opn : 0, b);
	if (shm)
		atomic_store(&shm->failed, 1);
	if (W < 0) {
		int i;

		for (i = 0; i < MAXPROCS; i++)
			if (g_pids[i] > 0)
				kill(g_pids[i], SIGKILL);
	}
	_exit(1);
}

static void rec(int call, int err)
{
	if (err < 0 || err >= NERR)
		err = E_OTHER;
	atomic_fetch_add_explicit(&shm->cnt[call][err], 1, memory_order_relaxed);
}

typedef unsigned __int128 emask;
#define B(e)	((emask)1 << (e))
#define OK	B(0)

/*
 * Oracle 1: @err (0 for success) must be in @allowed.  In fault mode
 * ENOMEM and EINTR are allowed everywhere, and EFAULT too when fail-nth
 * was armed for the call (it can fail a user copy).
 */
static void chk(int call, int err, emask allowed, const char *what)
{
	rec(call, err);
	if (err >= 0 && err < 128 && (allowed & B(err)))
		return;
	if (fault_mode && (err == ENOMEM || err == EINTR))
		return;
	if (cur && cur->injected && err == EFAULT)
		return;
	fail("%s: %s got %s (%d)", call_name[call], what,
	     err ? strerrorname_np(err) ? strerrorname_np(err) : "?" : "success",
	     err);
}

/* ---- fault injection ---- */

static void fi_begin(void)
{
	char b[16];
	int n;

	cur->injected = 0;
	if (!opt_fail_nth || cur->fnfd < 0 || !chance(&cur->rng, opt_fail_nth))
		return;
	n = snprintf(b, sizeof(b), "%d", (int)(1 + rn(&cur->rng, 20)));
	if (pwrite(cur->fnfd, b, n, 0) == n)
		cur->injected = 1;
}

static void fi_end(void)
{
	char b[16];

	if (!cur->injected)
		return;
	memset(b, 0, sizeof(b));
	if (pread(cur->fnfd, b, sizeof(b) - 1, 0) < 0)
		fail("reading fail-nth: %s", strerror(errno));
	/* 0: the Nth fault point was reached and failed; else not reached */
	rec(C_FAILNTH, atoi(b) ? E_OTHER : 0);
	if (pwrite(cur->fnfd, "0", 1, 0) != 1)
		fail("clearing fail-nth: %s", strerror(errno));
}

static void clear_injected(void)
{
	if (cur)
		cur->injected = 0;
}

/* ---- holdings (oracle 4) ---- */

static void hold_begin(struct slot *s)
{
	atomic_fetch_add(&s->inflight, 1);
}

static void hold_end(struct slot *s, s64 delta)
{
	if (delta)
		atomic_fetch_add(&s->holdings, delta);
	atomic_fetch_add(&s->gen, 1);
	atomic_fetch_sub(&s->inflight, 1);
}

/* ---- hand-off tables ---- */

/* A new entry for a region about to be shared, owned; -1 if full. */
static int ent_new(u64 off, u64 size, u64 tag)
{
	int i = atomic_fetch_add(&shm->nent, 1);
	struct ent *e;

	if (i >= NENT)
		return -1;
	e = &shm->ent[i];
	e->off = off;
	e->size = size;
	e->tag = tag;
	atomic_store(&e->refs, 0);
	atomic_store(&e->owned, 1);
	atomic_store(&e->claiming, 0);
	return i;
}

/* A token slot, being made (state 0); -1 if full. */
static int tok_new(int ent, u64 off, u64 size, int priv, unsigned int maker_s)
{
	int i = atomic_fetch_add(&shm->ntok, 1);
	struct tokslot *t;

	if (i >= NTOK)
		return -1;
	t = &shm->tok[i];
	t->ent = ent;
	t->priv = priv;
	t->maker_w = W;
	t->maker_s = maker_s;
	t->off = off;
	t->size = size;
	return i;
}

static void tok_publish(int i, u64 value, unsigned int claims)
{
	atomic_store(&shm->tok[i].value, value);
	atomic_store(&shm->tok[i].state, TS_PUB | claims);
}

/* Mark token slot @i gone (unless it is already); its state before. */
static u64 tok_kill(int i, unsigned int why)
{
	u64 old = atomic_load(&shm->tok[i].state);

	while (!(old & TS_DEAD) &&
	       !atomic_compare_exchange_weak(&shm->tok[i].state, &old,
					     TS_DEAD | (u64)why << 32 |
					     (old & TS_PUB)))
		;
	return old;
}

static int tok_live(u64 st)
{
	return (st & TS_PUB) && !(st & TS_DEAD) && TS_LEFT(st);
}

/*
 * A claim of token slot @i succeeded: one claim fewer.  The table has
 * never fewer claims left than the kernel (a slot loses one only after a
 * claim succeeded), so none left means the kernel granted one too many:
 * -1.  A slot already dead was withdrawn after the claim: 0.
 */
static int tok_take(int i)
{
	u64 old = atomic_load(&shm->tok[i].state);

	for (;;) {
		if (old & TS_DEAD)
			return 0;
		if (!TS_LEFT(old))
			return -1;
		if (atomic_compare_exchange_weak(&shm->tok[i].state, &old,
						 old - 1))
			return 0;
	}
}

static int tok_count(void)
{
	int n = atomic_load(&shm->ntok);

	return n < NTOK ? n : NTOK;
}

static int ent_count(void)
{
	int n = atomic_load(&shm->nent);

	return n < NENT ? n : NENT;
}

/* Live tokens of entry @e in the table (the kernel has at most these). */
static int ent_tokens(int e)
{
	int n = tok_count(), i, c = 0;

	for (i = 0; i < n; i++) {
		u64 st = atomic_load(&shm->tok[i].state);

		if (tok_live(st) && shm->tok[i].ent == e)
			c++;
	}
	return c;
}

/* Might anybody but its owner hold entry @e's region? */
static int ent_maybe_held(int e)
{
	return atomic_load(&shm->ent[e].refs) > 0 ||
	       atomic_load(&shm->ent[e].claiming) > 0 || ent_tokens(e) > 0;
}

/* ---- SIGBUS/SIGSEGV while touching mappings ---- */

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (tjb) {
		sigjmp_buf *j = tjb;

		tjb = NULL;
		tjb_sig = sig;
		siglongjmp(*j, 1);
	}
	signal(sig, SIG_DFL);
}

enum tkind { T_READ, T_FILL, T_CHECK, T_ZERO };

/*
 * Touch [@p, @p + @len) of a mapping: read it, fill it with the pattern
 * of @tag at arena offset @off, check it against that pattern, or check
 * that it is zero but where session @tag allocated last (T_ZERO).  Return: 0; -1 and *@bad set on a mismatch; the
 * signal number if one was raised.
 */
static __attribute__((noinline)) int touch_work(enum tkind k, volatile uint8_t *p,
						u64 tag, u64 off, u64 len,
						u64 *bad)
{
	switch (k) {
	case T_READ: {
		u64 i;
		uint8_t x = 0;

		for (i = 0; i < len; i += PS)
			x ^= p[i];
		if (len)
			x ^= p[len - 1];
		*bad = x;
		return 0;
	}
	case T_FILL:
		pat_fill((uint8_t *)p, tag, off, len);
		return 0;
	case T_CHECK:
		*bad = pat_check((const uint8_t *)p, tag, off, len);
		return *bad != UINT64_MAX ? -1 : 0;
	case T_ZERO: {		/* @tag: the allocating session's hid */
		u64 i;

		for (i = 0; i < len; i++)
			if (p[i] && (!tag ||
				     atomic_load_explicit(&last_holder[(off + i) / G],
							  memory_order_relaxed) != tag)) {
				*bad = off + i;
				return -1;
			}
		return 0;
	}
	}
	return 0;
}

static int touch(enum tkind k, volatile uint8_t *p, u64 tag, u64 off,
		 u64 len, u64 *bad)
{
	sigjmp_buf jb;
	int ret;

	tjb_sig = 0;
	if (sigsetjmp(jb, 1)) {
		tjb = NULL;
		return tjb_sig;
	}
	tjb = &jb;
	ret = touch_work(k, p, tag, off, len, bad);
	tjb = NULL;
	return ret;
}

/* Fill or check a region range through the window; a signal is a failure. */
/* Session @hid allocated [@off, +@len): its granules' last allocator. */
static void holder_set(unsigned int hid, u64 off, u64 len)
{
	u64 g;

	for (g = off / G; g < (off + len) / G; g++)
		atomic_store_explicit(&last_holder[g], hid,
				      memory_order_relaxed);
}

static void win_fill(u64 tag, u64 off, u64 len)
{
	u64 bad;
	int r = touch(T_FILL, win + off, tag, off, len, &bad);

	if (r)
		fail("signal %d writing own region [%#llx, +%#llx)",
		     r, off, len);
}

static void win_check(const struct region *rg, u64 off, u64 len,
		      const char *when)
{
	u64 bad = 0;
	int r = touch(T_CHECK, win + off, rg->tag, off, len, &bad);

	if (r > 0)
		fail("signal %d reading own region %#llx+%#llx (%s)",
		     r, rg->off, rg->size, when);
	if (r < 0)
		fail("pattern of region %#llx+%#llx tag %#llx"
		     " wrong at %#llx: %#x, want %#x (%s)", rg->off,
		     rg->size, rg->tag, bad, win[bad], pat_byte(rg->tag, bad),
		     when);
}

static void check_region(struct sess *s, const struct region *rg,
			 const char *when)
{
	uint8_t *b;
	u64 len, bad, o;
	ssize_t n;
	int fd;

	win_check(rg, rg->off, rg->size, when);
	/* Sometimes through pread() as well, on a session that may read. */
	if (!chance(&cur->rng, 10) || s->mode == O_WRONLY)
		return;
	fd = s->fds[0];
	o = rg->off + rn(&cur->rng, rg->size) / G * G;
	len = rg->off + rg->size - o;
	if (len > BUFPAGES * PS)
		len = BUFPAGES * PS;
	b = cur->buf;
	n = pread(fd, b, len, o);
	chk(C_PREAD, n < 0 ? errno : 0, OK, "pread of own region");
	if (n < 0)
		return;		/* fault injection */
	if ((u64)n != len)
		fail("pread of own region at %#llx len %#llx returned %zd",
		     o, len, n);
	bad = pat_check(b, rg->tag, o, len);
	if (bad != UINT64_MAX)
		fail("pread: region %#llx+%#llx wrong at %#llx (%s)",
		     rg->off, rg->size, bad, when);
}

static void check_sess_patterns(struct sess *s, const char *when)
{
	int i;

	for (i = 0; i < s->nreg; i++)
		check_region(s, &s->reg[i], when);
}

/* ---- session bookkeeping ---- */

static int reg_find(const struct sess *s, u64 off)
{
	int i;

	for (i = 0; i < s->nreg; i++)
		if (off >= s->reg[i].off && off - s->reg[i].off < s->reg[i].size)
			return i;
	return -1;
}

/* Does [off, off + len) overlap any region of @s? */
static int reg_overlaps(const struct sess *s, u64 off, u64 len)
{
	int i;

	for (i = 0; i < s->nreg; i++)
		if (off < s->reg[i].off + s->reg[i].size &&
		    s->reg[i].off < off + len)
			return 1;
	return 0;
}

static void publish(u64 off, u64 size)
{
	unsigned int i = rn(&cur->rng, NPUB);

	atomic_store(&me->pub_off[i], off);
	atomic_store(&me->pub_size[i], size);
}

static void reg_add(struct sess *s, u64 off, u64 size, u64 tag)
{
	if (s->nreg >= MAXREG)
		fail("bookkeeping: more than %d regions", MAXREG);
	s->reg[s->nreg++] = (struct region){ off, size, tag, -1, 0 };
	s->bytes += size;
	publish(off, size);
}

/* Cut [off, off + size) (size rounded) out of region @i, as the kernel. */
static void reg_cut(struct sess *s, int i, u64 off, u64 size)
{
	struct region *r = &s->reg[i];
	u64 end = off + size, rend = r->off + r->size;

	/* Freed whole or cut: the entry's region is no more (the kernel
	 * cut it only if nobody else held it). */
	if (r->ent >= 0) {
		atomic_store(&shm->ent[r->ent].owned, 0);
		r->ent = -1;
	}
	s->bytes -= size;
	s->freed[s->nfreed++ % 8] = off;
	if (off == r->off && end == rend) {
		*r = s->reg[--s->nreg];
	} else if (off == r->off) {
		r->off = end;
		r->size = rend - end;
	} else {
		r->size = off - r->off;
		if (end < rend) {
			if (s->nreg >= MAXREG)
				fail("bookkeeping: split past %d regions", MAXREG);
			s->reg[s->nreg++] = (struct region){ end, rend - end,
							     r->tag, -1,
							     r->frozen };
		}
	}
}

static u64 align_up(u64 x, u64 a)
{
	return (x + a - 1) / a * a;
}

/* ---- references and tokens of a session ---- */

static struct region ent_region(int e)
{
	return (struct region){ shm->ent[e].off, shm->ent[e].size,
				shm->ent[e].tag, e, 1 };
}

/* The session's reference to entry @e, or -1. */
static int ref_of(const struct sess *s, int e)
{
	int k;

	for (k = 0; k < s->nref; k++)
		if (s->ref[k].ent == e)
			return k;
	return -1;
}

/* The session's reference to a region holding @off, or -1. */
static int ref_at(const struct sess *s, u64 off)
{
	int k;

	for (k = 0; k < s->nref; k++) {
		const struct ent *e = &shm->ent[s->ref[k].ent];

		if (off >= e->off && off - e->off < e->size)
			return k;
	}
	return -1;
}

static int ref_overlaps(const struct sess *s, u64 off, u64 len)
{
	int k;

	for (k = 0; k < s->nref; k++) {
		const struct ent *e = &shm->ent[s->ref[k].ent];

		if (off < e->off + e->size && e->off < off + len)
			return 1;
	}
	return 0;
}

/* One claim more of entry @e (a reference, if the first). */
static void ref_add(struct sess *s, int e)
{
	int k = ref_of(s, e);

	if (k < 0) {
		if (s->nref >= MAXREF)
			fail("bookkeeping: more than %d references", MAXREF);
		k = s->nref++;
		s->ref[k] = (struct sref){ e, 0 };
		atomic_fetch_add(&shm->ent[e].refs, 1);
	}
	s->ref[k].claims++;
}

/* One claim fewer of reference @k (gone with the last). */
static void ref_put(struct sess *s, int k)
{
	if (--s->ref[k].claims)
		return;
	atomic_fetch_sub(&shm->ent[s->ref[k].ent].refs, 1);
	s->ref[k] = s->ref[--s->nref];
}

/* Tokens the session made that are live in the table; prunes the rest. */
static int sess_tokens_live(struct sess *s)
{
	int i = 0, n = 0;

	while (i < s->ntok) {
		if (tok_live(atomic_load(&shm->tok[s->tok[i]].state))) {
			n++;
			i++;
		} else {
			s->tok[i] = s->tok[--s->ntok];
		}
	}
	return n;
}

/*
 * Would one record more (a region, a reference, a token) be -EDQUOT?
 * 0 no, 1 maybe (some of its tokens may be used up by now), 2 yes.
 * Others use up its tokens while a call runs: for the entries of a batch,
 * judged after it, the count from before the call (@live_before) bounds
 * what the kernel saw.
 */
static int quota(struct sess *s)
{
	u64 cap = ginfo.max_session_regions, lo = s->nreg + s->nref;
	u64 hi = lo + (s->live_before >= 0 ? s->live_before :
		       sess_tokens_live(s));

	return lo >= cap ? 2 : hi >= cap ? 1 : 0;
}

/* Regions and references: the bytes a session may check. */
static void check_refs(struct sess *s, const char *when)
{
	int k;

	for (k = 0; k < s->nref; k++) {
		struct region rg = ent_region(s->ref[k].ent);

		win_check(&rg, rg.off, rg.size, when);
	}
}

/*
 * Entries whose regions someone might have held before a batch call that
 * is judged after it returns (FREE_BATCH): a holder in another worker may
 * have let go in between, so the tables no longer say what the kernel saw.
 * A hold cannot start during the call where none was possible before it
 * (no reference, no live token, no claim in flight: only the owner could
 * make one, and it is this thread).
 */
static __thread int held_before[GOMEM_BATCH_MAX + 1];
static __thread int nheld_before;

static int ent_held_before(int e)
{
	int i;

	for (i = 0; i < nheld_before; i++)
		if (held_before[i] == e)
			return 1;
	return 0;
}

/*
 * What GOMEM_IOC_FREE of [off, off + size) does to session @s, from the
 * bookkeeping: a mask of the allowed results.  *@idx: the region, or -1.
 * A part of a region others hold is -EBUSY: surely if the session itself
 * holds a reference to it, maybe if the tables say someone might (now or,
 * for a batch judged after the call, before it: held_before).
 */
static emask free_expect(struct sess *s, u64 off, u64 size, int *idx)
{
	const struct region *r;
	emask busy = 0;
	u64 asz;
	int i, q;

	*idx = -1;
	if (!size || off % G)
		return B(EINVAL);
	i = reg_find(s, off);
	if (i < 0)
		return ref_at(s, off) >= 0 ? B(EPERM) : B(EINVAL) | B(EPERM);
	r = &s->reg[i];
	if (size > r->size)
		return B(EINVAL);
	asz = align_up(size, G);
	if (asz > r->off + r->size - off)
		return B(EINVAL);
	*idx = i;
	if (r->ent >= 0 && (off != r->off || asz != r->size)) {
		if (ref_of(s, r->ent) >= 0)
			return B(EBUSY);
		if (ent_maybe_held(r->ent) || ent_held_before(r->ent))
			busy = B(EBUSY);
	}
	if (off > r->off && off + asz < r->off + r->size) {
		q = quota(s);
		if (q == 2)
			return B(EDQUOT) | busy;
		return OK | B(ENOMEM) | busy | (q ? B(EDQUOT) : 0);
	}
	return OK | busy;
}

/* Oracle 3: the session's statistics equal the bookkeeping. */
static void sess_check(struct sess *s, const char *after)
{
	struct gomem_stats *st = (void *)(cur->scr + 2048);
	int tries, err = 0, live, k;
	u64 rbytes = 0;

	if (!s->open)
		return;
	clear_injected();
	/* Before STATS: the kernel's tokens of the session are among these. */
	live = sess_tokens_live(s);
	for (k = 0; k < s->nref; k++)
		rbytes += shm->ent[s->ref[k].ent].size;
	for (tries = 0; tries < 100; tries++) {
		memset(st, 0x5a, sizeof(*st));
		if (!ioctl(s->fds[0], GOMEM_IOC_STATS, st)) {
			err = 0;
			break;
		}
		err = errno;
		if (!fault_mode || (err != ENOMEM && err != EINTR && err != EFAULT))
			break;
	}
	chk(C_STATS, err, OK, "STATS of own session");
	if (st->session_in_use != s->bytes || st->session_regions != (u64)s->nreg)
		fail("after %s: session holds %llu bytes in %llu"
		     " regions, bookkeeping says %llu in %d", after,
		     (u64)st->session_in_use, (u64)st->session_regions,
		     s->bytes, s->nreg);
	if (st->free != st->capacity - st->in_use - st->front_held - st->parked)
		fail("STATS: free %llu != capacity %llu - in_use %llu - front_held %llu - parked %llu",
		     (u64)st->free, (u64)st->capacity, (u64)st->in_use,
		     (u64)st->front_held, (u64)st->parked);
	if (st->session_refs != (u64)s->nref ||
	    st->session_ref_bytes != rbytes)
		fail("after %s: session holds %llu references (%llu bytes), "
		     "bookkeeping says %d (%llu)", after,
		     (u64)st->session_refs, (u64)st->session_ref_bytes,
		     s->nref, rbytes);
	if (st->session_tokens > (u64)live)
		fail("after %s: session has %llu tokens, at most %d are live",
		     after, (u64)st->session_tokens, live);
}

/* ---- sessions ---- */

static int open_retry(int flags)
{
	int fd, i;

	for (i = 0; i < 1000; i++) {
		clear_injected();
		fd = open(opt_dev, flags | O_CLOEXEC);
		chk(C_OPEN, fd < 0 ? errno : 0, OK, "open");
		if (fd >= 0)
			return fd;
	}
	fail("cannot open %s: %s", opt_dev, strerror(errno));
}

static void sess_open(struct sess *s)
{
	unsigned int m = rn(&cur->rng, 10);

	s->mode = m < 7 ? O_RDWR : m < 9 ? O_RDONLY : O_WRONLY;
	s->fds[0] = open_retry(s->mode);
	s->nfds = 1;
	s->nreg = 0;
	s->bytes = 0;
	s->nfreed = 0;
	s->nref = 0;
	s->ntok = 0;
	s->live_before = -1;
	s->id = (unsigned int)(s - sess) << 24 |
		(atomic_fetch_add(&sess_gen, 1) & 0xffffff);
	s->hid = atomic_fetch_add(&shm->next_hid, 1) + 1;
	s->open = 1;
}

/*
 * The session's regions are no longer its own (closed, recycled): their
 * entries are not owned any more.  Inside an in-flight window.
 */
static void sess_disown(struct sess *s)
{
	int i;

	for (i = 0; i < s->nreg; i++)
		if (s->reg[i].ent >= 0)
			atomic_store(&shm->ent[s->reg[i].ent].owned, 0);
}

/* Close every reference: the kernel frees all of the session's regions. */
static void sess_close(struct sess *s, const char *why)
{
	int i, err;
	s64 bytes = s->bytes;

	check_sess_patterns(s, why);
	check_refs(s, why);
	pthread_rwlock_wrlock(&reflock);
	hold_begin(&me->main);
	for (i = 0; i < s->nfds; i++) {
		err = close(s->fds[i]) ? errno : 0;
		chk(C_CLOSE, err, OK | B(EINTR), "close of a session fd");
	}
	/* Everything it held went: regions, references, tokens. */
	sess_disown(s);
	for (i = 0; i < s->nref; i++)
		atomic_fetch_sub(&shm->ent[s->ref[i].ent].refs, 1);
	for (i = 0; i < s->ntok; i++)
		tok_kill(s->tok[i], WHY_CLOSED);
	hold_end(&me->main, -bytes);
	pthread_rwlock_unlock(&reflock);
	s->nfds = 0;
	s->nreg = 0;
	s->nref = 0;
	s->ntok = 0;
	s->bytes = 0;
	s->open = 0;
}

static struct sess *pick_sess(void)
{
	struct sess *s = &sess[rn(&cur->rng, nsess)];

	pthread_mutex_lock(&s->lock);
	cur->injected = 0;
	if (!s->open)
		sess_open(s);
	return s;
}

static void put_sess(struct sess *s, const char *op)
{
	s->live_before = -1;
	sess_check(s, op);
	pthread_mutex_unlock(&s->lock);
}

static int sess_fd(struct sess *s)
{
	return s->fds[rn(&cur->rng, s->nfds)];
}

/* ---- argument placement ---- */

enum place { P_OK, P_NULL, P_NONE, P_STRADDLE, P_RO, P_KERNEL, P_REGION };

/*
 * Where an ioctl argument of @len bytes goes.  P_REGION: inside one of
 * the session's own regions (*@ri), which the caller refills after.
 */
static uint8_t *place_arg(struct sess *s, enum place *pl, size_t len, int *ri,
			  int allow_bad)
{
	unsigned int c = rn(&cur->rng, 100);
	int i;

	*ri = -1;
	*pl = P_OK;
	if (!allow_bad || c < 88)
		return cur->scr + PS - 256;
	if (c < 90) {
		*pl = P_NULL;
		return NULL;
	}
	if (c < 92) {
		*pl = P_NONE;
		return cur->scr + 2 * PS + 64;
	}
	if (c < 94) {
		*pl = P_STRADDLE;
		return cur->scr + 2 * PS - len / 2;
	}
	if (c < 96) {
		*pl = P_RO;
		return cur->scr + 3 * PS;
	}
	if (c < 97) {
		*pl = P_KERNEL;
		return (uint8_t *)0xffff888000000000ULL;
	}
	for (i = 0; i < s->nreg; i++)
		if (s->reg[i].size >= len + 64 && !s->reg[i].frozen) {
			*ri = i;
			*pl = P_REGION;
			return win + s->reg[i].off + 32 +
			       (rn(&cur->rng, s->reg[i].size - len - 32) & ~7ULL);
		}
	return cur->scr + PS - 256;
}

static int bad_read(enum place pl)
{
	return pl == P_NULL || pl == P_NONE || pl == P_STRADDLE || pl == P_KERNEL;
}

/* After the kernel may have written into own region @ri: refill it. */
static void region_refill(struct sess *s, int ri)
{
	if (ri >= 0)
		win_fill(s->reg[ri].tag, s->reg[ri].off, s->reg[ri].size);
}

/* ---- ioctl argument generators ---- */

static u64 gen_size(void)
{
	u64 *r = &cur->rng;
	unsigned int c = rn(r, 100);

	if (c < 50)
		return 1 + rn(r, 512);
	if (c < 70)
		return 1 + rn(r, 8192);
	if (c < 78)
		return 1 + rn(r, 128 * 1024);
	if (c < 80)
		return 1 + rn(r, 1024 * 1024);
	switch (rn(r, 10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return G > 1 ? G - 1 : 1;
	case 3: return G + 1;
	case 4: return PS;
	case 5: return chance(r, 10) ? ginfo.max_size : ginfo.max_size + 1;
	case 6: return ginfo.max_size + 1;
	case 7: return 1ULL << 63;
	case 8: return ~0ULL;
	default: return G;
	}
}

static int size_valid(u64 size)
{
	return size && size <= ginfo.max_size;
}

static u64 gen_align(void)
{
	u64 *r = &cur->rng;
	unsigned int c = rn(r, 100), lg = 0;

	while ((1ULL << lg) < PS)
		lg++;
	if (c < 55)
		return 0;
	if (c < 90)
		return 1ULL << rn(r, lg + 1);
	switch (rn(r, 3)) {
	case 0: return PS * 2;
	case 1: return 3;
	default: return ~0ULL;
	}
}

static int align_valid(u64 a)
{
	return !a || (!(a & (a - 1)) && a <= PS);
}

/*
 * The command for an ioctl with a struct of @ksize bytes: the real one
 * usually, else one with a smaller or larger size encoded.  *@usize gets
 * the caller's size.
 */
static unsigned int vary_cmd(unsigned int cmd, unsigned int *usize, int *varied)
{
	unsigned int ks = _IOC_SIZE(cmd);

	*usize = ks;
	*varied = 0;
	if (!chance(&cur->rng, 6))
		return cmd;
	*varied = 1;
	switch (rn(&cur->rng, 3)) {
	case 0:
		*usize = rn(&cur->rng, ks);
		break;
	case 1:
		*usize = ks + 8;
		break;
	default:
		*usize = ks + 8 * (1 + rn(&cur->rng, 16));
		break;
	}
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), *usize);
}

/* ---- operations ---- */

static void op_alloc(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	unsigned int usize, ver0 = GOMEM_ALLOC_SIZE_VER0;
	int varied, ri, err, tail_nz = 0, q = 0;
	struct gomem_alloc a = {
		.size = gen_size(), .align = gen_align(),
		.flags = chance(r, 20) ? GOMEM_ALLOC_NOZERO :
			 chance(r, 4) ? 1U << (1 + rn(r, 31)) : 0,
		.pad = chance(r, 3) ? 1 + rn(r, 100) : 0,
		.offset = rnd(r),
	};
	unsigned int cmd0 = GOMEM_IOC_ALLOC, cmd = vary_cmd(cmd0, &usize, &varied);
	enum place pl;
	uint8_t *arg;
	emask want;
	long ret;

	if (s->nreg > SOFTREG - 4) {
		put_sess(s, "alloc (skipped)");
		return;
	}
	arg = place_arg(s, &pl, usize, &ri, 1);
	if (pl == P_OK || pl == P_REGION) {
		memset(arg, 0, usize);
		memcpy(arg, &a, usize < sizeof(a) ? usize : sizeof(a));
		if (usize > sizeof(a) && chance(r, 50)) {
			arg[sizeof(a) + rn(r, usize - sizeof(a))] = 0x80;
			tail_nz = 1;
		}
	}
	if (s->mode == O_RDONLY)
		want = B(EBADF);
	else if (varied && usize < ver0)
		want = B(EINVAL);
	else if (bad_read(pl))
		/* a straddling tail is read for zeroes before the fault */
		want = B(EFAULT) | (pl == P_STRADDLE && varied && usize > _IOC_SIZE(cmd0) ? B(E2BIG) : 0);
	else if (pl == P_RO)
		want = B(EFAULT);
	else if (tail_nz)
		want = B(E2BIG);
	else if (a.pad || (a.flags & ~GOMEM_ALLOC_NOZERO))
		want = B(EINVAL);
	else if ((q = quota(s)) == 2)
		want = B(EDQUOT);	/* the slot is checked before the size */
	else if (!size_valid(a.size) || !align_valid(a.align))
		want = B(EINVAL) | (q ? B(EDQUOT) : 0);
	else
		want = OK | B(ENOMEM) | (q ? B(EDQUOT) : 0);
	if (pl == P_REGION && fault_mode)
		want |= B(EFAULT);	/* the mapping's page tables */
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	if (!err) {
		struct gomem_alloc out;

		memcpy(&out, arg, sizeof(out));
		a.offset = out.offset;
		hold_end(&me->main, align_up(a.size, G));
	} else {
		hold_end(&me->main, 0);
	}
	chk(C_ALLOC, err, want, "ALLOC");
	if (!err) {
		u64 sz = align_up(a.size, G), bad = 0;
		u64 tag = rnd(r);

		if (a.offset % G || (a.align && a.offset % a.align) ||
		    a.offset >= MAPSZ || sz > MAPSZ - a.offset)
			fail("ALLOC size %#llx align %#llx gave offset %#llx",
			     a.size, a.align, a.offset);
		if (reg_overlaps(s, a.offset, sz) || ref_overlaps(s, a.offset, sz))
			fail("ALLOC gave %#llx+%#llx, overlapping a region the session holds",
			     a.offset, sz);
		region_refill(s, ri);
		if (!(a.flags & GOMEM_ALLOC_NOZERO)) {
			int t = touch(T_ZERO, win + a.offset, s->hid, a.offset,
				      sz, &bad);

			if (t > 0)
				fail("signal %d reading new region %#llx", t, a.offset);
			if (t < 0)
				fail("new region %#llx+%#llx not zero at %#llx",
				     a.offset, sz, bad);
		}
		holder_set(s->hid, a.offset, sz);
		win_fill(tag, a.offset, sz);
		reg_add(s, a.offset, sz, tag);
	} else {
		region_refill(s, ri);
	}
	put_sess(s, "ALLOC");
}

/* Middles chosen by the operation so far: each may add a region. */
static __thread int gen_splits;

/* Choose a range of own region @i to free, or a malformed one. */
static void gen_free_range(struct sess *s, u64 *off, u64 *size)
{
	u64 *r = &cur->rng;
	const struct region *rg;
	u64 gs, a, b;

	if (!s->nreg || chance(r, 8)) {
		switch (rn(r, 8)) {
		case 0: {	/* another worker's region */
			int w = rn(r, opt_procs), k = rn(r, NPUB);

			*off = atomic_load(&shm->w[w].pub_off[k]);
			*size = atomic_load(&shm->w[w].pub_size[k]);
			break;
		}
		case 1:
			*off = s->nfreed ? s->freed[rn(r, s->nfreed < 8 ? s->nfreed : 8)] : 0;
			*size = G;
			break;
		case 2:
			*off = MAPSZ + rn(r, 1 << 20) * G;
			*size = G;
			break;
		case 3:
			*off = ~0ULL - G + 1;
			*size = 2 * G;
			break;
		case 4:
			*off = rn(r, MAPSZ / G) * G;
			*size = ~0ULL;
			break;
		default:
			*off = rn(r, MAPSZ / G) * G;
			*size = G * (1 + rn(r, 64));
			break;
		}
		return;
	}
	rg = &s->reg[rn(r, s->nreg)];
	gs = rg->size / G;
	switch (rn(r, 12)) {
	case 0:		/* head */
		*off = rg->off;
		*size = G * (1 + rn(r, gs)) - rn(r, G);
		break;
	case 1:		/* tail */
		a = rn(r, gs);
		*off = rg->off + a * G;
		*size = rg->size - a * G;
		break;
	case 2:		/* middle */
		if (s->nreg + gen_splits >= SOFTREG) {
			*off = rg->off;
			*size = rg->size;
			break;
		}
		gen_splits++;
		a = rn(r, gs);
		b = a + 1 + rn(r, gs - a);
		*off = rg->off + a * G;
		*size = (b - a) * G;
		break;
	case 3:		/* overlapping the end */
		a = rn(r, gs);
		*off = rg->off + a * G;
		*size = rg->size - a * G + G * (1 + rn(r, 4));
		break;
	case 4:		/* unaligned */
		*off = rg->off + 1 + rn(r, G > 1 ? G - 1 : 1);
		*size = G;
		break;
	case 5:
		*off = rg->off;
		*size = 0;
		break;
	case 6:		/* offset + size overflows */
		*off = rg->off;
		*size = ~0ULL - rg->off + 1 + rn(r, 4096);
		break;
	default:	/* whole, sometimes with a size rounded up to it */
		*off = rg->off;
		*size = rg->size - (chance(r, 30) ? rn(r, G) : 0);
		break;
	}
}

static void op_free(void)
{
	struct sess *s = pick_sess();
	u64 off, size, asz;
	unsigned int usize, ver0 = GOMEM_FREE_SIZE_VER0;
	int varied, ri, idx, err, tail_nz = 0;
	unsigned int cmd, cmd0 = GOMEM_IOC_FREE;
	enum place pl;
	uint8_t *arg;
	emask want;
	long ret;

	gen_splits = 0;
	gen_free_range(s, &off, &size);
	cmd = vary_cmd(cmd0, &usize, &varied);
	want = free_expect(s, off, size, &idx);
	arg = place_arg(s, &pl, usize, &ri, 1);
	/* Never put the argument in the region being freed. */
	if (pl == P_REGION && idx >= 0 && ri == idx) {
		arg = cur->scr + PS - 256;
		pl = P_OK;
		ri = -1;
	}
	if (pl == P_OK || pl == P_REGION) {
		struct gomem_free f = { off, size };

		memset(arg, 0, usize);
		memcpy(arg, &f, usize < sizeof(f) ? usize : sizeof(f));
		if (usize > sizeof(f) && chance(&cur->rng, 50)) {
			arg[sizeof(f) + rn(&cur->rng, usize - sizeof(f))] = 1;
			tail_nz = 1;
		}
	}
	if (s->mode == O_RDONLY)
		want = B(EBADF);
	else if (varied && usize < ver0)
		want = B(EINVAL);
	else if (bad_read(pl))
		/* a straddling tail is read for zeroes before the fault */
		want = B(EFAULT) | (pl == P_STRADDLE && varied && usize > _IOC_SIZE(cmd0) ? B(E2BIG) : 0);
	else if (pl == P_RO)
		want = B(EINVAL);	/* zeroes: size 0; FREE writes nothing back */
	else if (tail_nz)
		want = B(E2BIG);
	if (idx >= 0 && (want & OK))
		check_region(s, &s->reg[idx], "before free");
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	asz = align_up(size, G);
	/* Freed whole or cut, a shared region's entry is not owned now. */
	if (!err && idx >= 0 && s->reg[idx].ent >= 0)
		atomic_store(&shm->ent[s->reg[idx].ent].owned, 0);
	hold_end(&me->main, err ? 0 : -(s64)asz);
	chk(C_FREE, err, want, "FREE");
	region_refill(s, ri);
	if (!err) {
		if (idx < 0)
			fail("FREE of %#llx+%#llx succeeded: not ours", off, size);
		reg_cut(s, idx, off, asz);
	}
	put_sess(s, "FREE");
}

static void *place_entries_sz(struct sess *s, unsigned int n, size_t esz,
			      enum place *pl, int *ri)
{
	size_t len = (size_t)n * esz;
	unsigned int c = rn(&cur->rng, 100);
	uint8_t *end = cur->ent + EPAGES * PS;
	int i;

	*pl = P_OK;
	*ri = -1;
	if (n && c < 3) {
		*pl = P_NULL;
		return NULL;
	}
	if (n && c < 6) {
		*pl = P_STRADDLE;
		return (void *)(end - len + esz / 2 + 8);
	}
	if (n && c < 8) {
		*pl = P_RO;
		return (void *)(cur->scr + 3 * PS);
	}
	if (n && c < 12) {
		for (i = 0; i < s->nreg; i++)
			if (s->reg[i].size >= len + 16 && !s->reg[i].frozen) {
				*pl = P_REGION;
				*ri = i;
				return (void *)(win + s->reg[i].off + 8);
			}
	}
	return (void *)(end - len - 8 * rn(&cur->rng, 4));
}

static struct gomem_batch_entry *place_entries(struct sess *s, unsigned int n,
					       enum place *pl, int *ri)
{
	return place_entries_sz(s, n, sizeof(struct gomem_batch_entry), pl, ri);
}

static unsigned int gen_count(void)
{
	u64 *r = &cur->rng;
	unsigned int c = rn(r, 100);

	if (c < 70)
		return 1 + rn(r, 16);
	if (c < 85)
		return 1 + rn(r, 128);
	switch (rn(r, 4)) {
	case 0: return 0;
	case 1: return GOMEM_BATCH_MAX;
	case 2: return GOMEM_BATCH_MAX + 1;
	default: return 1;
	}
}

/* The ri of batch_arg() that keeps the argument out of every region. */
#define ANY_REGION (-2)

/*
 * Place a batch's header (@usize bytes, of which @b the known part) as
 * place_arg() does; where it lands in one of the session's regions that
 * the batch could free or fill (any, with @avoid ANY_REGION, or the
 * entries' own, region @avoid), it goes to the scratch page instead.  A
 * nonzero byte past struct gomem_batch, now and then, sets *@tail_nz.
 */
static uint8_t *batch_arg(struct sess *s, const struct gomem_batch *b,
			  unsigned int usize, enum place *apl, int *ari,
			  int avoid, int *tail_nz)
{
	u64 *r = &cur->rng;
	uint8_t *arg = place_arg(s, apl, usize, ari, 1);

	if (*apl != P_OK && *apl != P_REGION)
		return arg;
	if (*ari >= 0 && (avoid == ANY_REGION || *ari == avoid)) {
		arg = cur->scr + PS - 256;
		*apl = P_OK;
		*ari = -1;
	}
	memset(arg, 0, usize);
	memcpy(arg, b, usize < sizeof(*b) ? usize : sizeof(*b));
	if (usize > sizeof(*b) && chance(r, 50)) {
		arg[sizeof(*b) + rn(r, usize - sizeof(*b))] = 1;
		*tail_nz = 1;
	}
	return arg;
}

/*
 * What a batch call may return, in the kernel's order of checks: the
 * header (placed at @apl, @usize bytes, @bad_args if its fields are
 * refused), then the entries (at @pl, one with a nonzero pad if
 * @entry_pad).
 */
static emask batch_want(struct sess *s, unsigned int cmd0, unsigned int usize,
			int varied, enum place apl, int tail_nz, int bad_args,
			enum place pl, int entry_pad)
{
	if (s->mode == O_RDONLY && cmd0 != GOMEM_IOC_RELEASE_BATCH &&
	    cmd0 != GOMEM_IOC_SHARE_BATCH && cmd0 != GOMEM_IOC_CLAIM_BATCH)
		return B(EBADF);
	if (varied && usize < GOMEM_BATCH_SIZE_VER0)
		return B(EINVAL);
	if (bad_read(apl))
		/* a straddling tail is read for zeroes before the fault */
		return B(EFAULT) | (apl == P_STRADDLE && varied &&
				    usize > _IOC_SIZE(cmd0) ? B(E2BIG) : 0);
	if (tail_nz)
		return B(E2BIG);
	if (apl == P_RO)
		return B(EINVAL);	/* all zeroes: count 0 */
	if (bad_args)
		return B(EINVAL);
	if (pl != P_OK && pl != P_REGION)
		return B(EFAULT);
	if (entry_pad)
		return B(EINVAL);
	return OK | B(ENOMEM);
}

static void op_alloc_batch(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	unsigned int n = gen_count(), ne, i, room, valid = 0, usize;
	int varied, ri, ari, err, entry_pad = 0, tail_nz = 0, padi, q;
	struct gomem_batch_entry *e, *copy = (void *)cur->cpy;
	struct gomem_batch b = { 0 };
	unsigned int cmd0 = GOMEM_IOC_ALLOC_BATCH, cmd = vary_cmd(cmd0, &usize, &varied);
	enum place pl, apl;
	uint8_t *arg;
	s64 delta = 0;
	emask want;
	long ret;

	ne = n > GOMEM_BATCH_MAX + 1 ? GOMEM_BATCH_MAX + 1 : n;
	room = SOFTREG - 4 > s->nreg ? SOFTREG - 4 - s->nreg : 0;
	e = place_entries(s, ne, &pl, &ri);
	/* One entry's pad, in 5 % of batches whatever their size. */
	padi = ne && chance(r, 5) ? (int)rn(r, ne) : -1;
	b.entries = (uintptr_t)e;
	b.count = n;
	b.flags = chance(r, 20) ? GOMEM_ALLOC_NOZERO : chance(r, 3) ? 4 : 0;
	b.align = gen_align();
	b.done = rnd(r);
	b.pad = chance(r, 2);
	for (i = 0; i < ne; i++) {
		struct gomem_batch_entry x = { rnd(r), 0, (int32_t)rnd(r), 0 };

		x.size = valid < room && chance(r, 90) ? 1 + rn(r, 2048) : gen_size();
		if (size_valid(x.size) && valid >= room)
			x.size = 0;
		valid += size_valid(x.size);
		if ((int)i == padi) {
			x.pad = 1;
			entry_pad = 1;
		}
		copy[i] = x;
		if (pl == P_OK || pl == P_REGION)
			e[i] = x;
	}
	arg = batch_arg(s, &b, usize, &apl, &ari, ri, &tail_nz);
	want = batch_want(s, cmd0, usize, varied, apl, tail_nz,
			  b.pad || !n || n > GOMEM_BATCH_MAX ||
			  (b.flags & ~GOMEM_ALLOC_NOZERO) || !align_valid(b.align),
			  pl, entry_pad);
	if (fault_mode && (pl == P_REGION || apl == P_REGION))
		want |= B(EFAULT);
	s->live_before = sess_tokens_live(s);
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	if (!err)
		for (i = 0; i < n; i++)
			if (!e[i].result)
				delta += align_up(copy[i].size, G);
	hold_end(&me->main, delta);
	chk(C_ALLOC_BATCH, err, want, "ALLOC_BATCH");
	if (!err) {
		unsigned int done = 0;
		struct gomem_batch out;

		memcpy(&out, arg, sizeof(out));
		for (i = 0; i < n; i++) {
			copy[i].offset = e[i].offset;
			copy[i].result = e[i].result;
		}
		region_refill(s, ri);
		region_refill(s, ari);
		for (i = 0; i < n; i++) {
			u64 sz = align_up(copy[i].size, G), bad, tag = rnd(r);
			int res = copy[i].result;
			emask ew;

			/* In order, as the kernel: the slot, then the size. */
			q = quota(s);
			if (q == 2)
				ew = B(EDQUOT);
			else
				ew = (size_valid(copy[i].size) ? OK | B(ENOMEM) :
				      B(EINVAL)) | (q ? B(EDQUOT) : 0);
			if (res > 0 || res < -127)
				fail("ALLOC_BATCH entry %u: result %d", i, res);
			if (res == -EDQUOT && !(ew & B(EDQUOT))) {
				struct gomem_stats st;

				ioctl(s->fds[0], GOMEM_IOC_STATS, &st);
				fail("ALLOC_BATCH entry %u EDQUOT: the session has "
				     "%llu regions, %llu references, %llu tokens; "
				     "bookkeeping %d, %d, %d live of %d", i,
				     (u64)st.session_regions, (u64)st.session_refs,
				     (u64)st.session_tokens, s->nreg, s->nref,
				     sess_tokens_live(s), s->ntok);
			}
			chk(C_ENTRY_ALLOC, -res, ew, "ALLOC_BATCH entry");
			if (res)
				continue;
			done++;
			if (copy[i].offset % G || (b.align && copy[i].offset % b.align) ||
			    copy[i].offset >= MAPSZ || sz > MAPSZ - copy[i].offset ||
			    reg_overlaps(s, copy[i].offset, sz) ||
			    ref_overlaps(s, copy[i].offset, sz))
				fail("ALLOC_BATCH entry %u: offset %#llx size %#llx",
				     i, copy[i].offset, sz);
			if (!(b.flags & GOMEM_ALLOC_NOZERO)) {
				int t = touch(T_ZERO, win + copy[i].offset,
					      s->hid, copy[i].offset, sz, &bad);

				if (t)
					fail("batch region %#llx+%#llx not zero (%d) at %#llx",
					     copy[i].offset, sz, t, bad);
			}
			holder_set(s->hid, copy[i].offset, sz);
			win_fill(tag, copy[i].offset, sz);
			reg_add(s, copy[i].offset, sz, tag);
		}
		if (out.done != done)
			fail("ALLOC_BATCH done %u, %u entries succeeded", out.done, done);
	} else {
		region_refill(s, ri);
		region_refill(s, ari);
	}
	put_sess(s, "ALLOC_BATCH");
}

static void op_free_batch(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	unsigned int n = gen_count(), ne, i, usize, done = 0;
	int varied, ri = -1, ari, err, entry_pad = 0, tail_nz = 0, k, pending, padi;
	struct gomem_batch_entry *e, *copy = (void *)cur->cpy;
	struct gomem_batch b = { 0 };
	unsigned int cmd0 = GOMEM_IOC_FREE_BATCH, cmd = vary_cmd(cmd0, &usize, &varied);
	enum place pl, apl;
	uint8_t *arg;
	s64 delta = 0;
	emask want;
	long ret;

	/* Before the entries may be written into one of the regions. */
	check_sess_patterns(s, "before FREE_BATCH");
	gen_splits = 0;
	if (n > 64 && chance(r, 80))
		n = 1 + rn(r, 64);
	ne = n > GOMEM_BATCH_MAX + 1 ? GOMEM_BATCH_MAX + 1 : n;
	e = place_entries(s, ne, &pl, &ri);
	/* One entry's pad, in 5 % of batches whatever their size. */
	padi = ne && chance(r, 5) ? (int)rn(r, ne) : -1;
	for (i = 0; i < ne; i++) {
		struct gomem_batch_entry x = { 0, 0, (int32_t)rnd(r), 0 };

		if (i && chance(r, 5)) {
			unsigned int k2 = rn(r, i);	/* a double free */

			x.offset = copy[k2].offset;
			x.size = copy[k2].size;
		} else {
			gen_free_range(s, &x.offset, &x.size);
		}
		/* The entries' own region is never freed by the batch. */
		if (ri >= 0 && x.offset >= s->reg[ri].off &&
		    x.offset < s->reg[ri].off + s->reg[ri].size)
			x.offset = MAPSZ + G;
		if ((int)i == padi) {
			x.pad = 1;
			entry_pad = 1;
		}
		copy[i] = x;
		if (pl == P_OK || pl == P_REGION)
			e[i] = x;
	}
	b.entries = (uintptr_t)e;
	b.count = n;
	b.flags = chance(r, 3) ? 1 : 0;
	b.align = chance(r, 3) ? 8 : 0;
	b.done = rnd(r);
	b.pad = chance(r, 2);
	/* Not in a region an entry could free. */
	arg = batch_arg(s, &b, usize, &apl, &ari, ANY_REGION, &tail_nz);
	want = batch_want(s, cmd0, usize, varied, apl, tail_nz,
			  b.pad || !n || n > GOMEM_BATCH_MAX || b.flags || b.align,
			  pl, entry_pad);
	if (fault_mode && pl == P_REGION)
		want |= B(EFAULT);
	s->live_before = sess_tokens_live(s);
	nheld_before = 0;
	for (i = 0; i < ne; i++) {
		k = reg_find(s, copy[i].offset);
		if (k >= 0 && s->reg[k].ent >= 0 &&
		    ent_maybe_held(s->reg[k].ent))
			held_before[nheld_before++] = s->reg[k].ent;
	}
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	if (!err)
		for (i = 0; i < n; i++)
			if (!e[i].result) {
				int k2 = reg_find(s, copy[i].offset);

				delta -= align_up(copy[i].size, G);
				if (k2 >= 0 && s->reg[k2].ent >= 0)
					atomic_store(&shm->ent[s->reg[k2].ent].owned, 0);
			}
	/* -EFAULT after the frees (fail-nth on the write-back): see below. */
	pending = err == EFAULT && cur->injected && (want & OK);
	if (!pending)
		hold_end(&me->main, delta);
	chk(C_FREE_BATCH, err, want, "FREE_BATCH");
	if (!err) {
		struct gomem_batch out;

		memcpy(&out, arg, sizeof(out));
		for (i = 0; i < n; i++)
			copy[i].result = e[i].result;
		region_refill(s, ri);
		for (i = 0; i < n; i++) {
			emask ew = free_expect(s, copy[i].offset, copy[i].size, &k);
			int res = copy[i].result;

			if (res > 0 || res < -127)
				fail("FREE_BATCH entry %u: result %d", i, res);
			chk(C_ENTRY_FREE, -res, ew, "FREE_BATCH entry");
			if (res)
				continue;
			done++;
			if (k < 0)
				fail("FREE_BATCH entry %u %#llx+%#llx freed: not ours",
				     i, copy[i].offset, copy[i].size);
			reg_cut(s, k, copy[i].offset, align_up(copy[i].size, G));
		}
		if (out.done != done)
			fail("FREE_BATCH done %u, %u entries succeeded", out.done, done);
	} else if (pending) {
		/*
		 * The write-back failed after the frees, which stand: free
		 * again each entry that could have been freed; success or
		 * -EINVAL both mean it is gone now.
		 */
		region_refill(s, ri);
		for (i = 0; i < n; i++) {
			struct gomem_free f = { copy[i].offset, copy[i].size };
			emask ew = free_expect(s, f.offset, f.size, &k);
			int e2;

			if (k < 0 || !(ew & OK))
				continue;
			e2 = ioctl(s->fds[0], GOMEM_IOC_FREE, &f) ? errno : 0;
			if (e2 && e2 != EINVAL && e2 != ENOMEM)
				fail("FREE after a failed FREE_BATCH: %d", e2);
			if (e2 == ENOMEM)
				continue;
			/* freed now, or by the batch: gone either way */
			delta -= align_up(f.size, G);
			reg_cut(s, k, f.offset, align_up(f.size, G));
		}
		hold_end(&me->main, delta);
	} else {
		region_refill(s, ri);
	}
	nheld_before = 0;
	put_sess(s, "FREE_BATCH");
}

static void op_info_stats(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	int info = chance(r, 40), varied, ri, err;
	unsigned int base = info ? GOMEM_IOC_INFO : GOMEM_IOC_STATS;
	unsigned int ver0 = info ? GOMEM_INFO_SIZE_VER0 : GOMEM_STATS_SIZE_VER0;
	unsigned int usize, ks = _IOC_SIZE(base), cmd, i;
	enum place pl;
	uint8_t *arg;
	emask want;
	long ret;

	cmd = vary_cmd(base, &usize, &varied);
	if (info && chance(r, 10)) {
		usize = ver0;
		cmd = _IOC(_IOC_READ, GOMEM_IOC_MAGIC, 0, usize);
		varied = 1;
	}
	arg = place_arg(s, &pl, usize, &ri, 1);
	if (pl == P_OK)
		memset(arg, 0xa5, 256);
	else if (pl == P_REGION)
		memset(arg, 0xa5, usize);
	if (varied && usize < ver0)
		want = B(EINVAL);
	else if (pl != P_OK && pl != P_REGION)
		want = B(EFAULT);
	else
		want = OK;
	if (fault_mode && pl == P_REGION)
		want |= B(EFAULT);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	chk(info ? C_INFO : C_STATS, err, want, info ? "INFO" : "STATS");
	if (!err) {
		if (usize > ks)
			for (i = ks; i < usize; i++)
				if (arg[i])
					fail("%s: byte %u past the kernel's struct not zeroed",
					     info ? "INFO" : "STATS", i);
		if (usize < ks)
			for (i = usize; i < ks && pl == P_OK; i++)
				if (arg[i] != 0xa5)
					fail("%s: wrote byte %u past the caller's size %u",
					     info ? "INFO" : "STATS", i, usize);
		if (info) {
			struct gomem_info gi, want_i = ginfo;

			memset(&gi, 0, sizeof(gi));
			memcpy(&gi, arg, usize < sizeof(gi) ? usize : sizeof(gi));
			want_i.session_flags = s->mode == O_RDONLY ? GOMEM_SESSION_READONLY : 0;
			if (usize < sizeof(gi))
				memset((uint8_t *)&want_i + usize, 0, sizeof(gi) - usize);
			if (memcmp(&gi, &want_i, usize < sizeof(gi) ? usize : sizeof(gi)))
				fail("INFO differs from the parent's (size %u)", usize);
		} else {
			struct gomem_stats st;

			memcpy(&st, arg, sizeof(st));
			if (st.session_in_use != s->bytes ||
			    st.session_regions != (u64)s->nreg)
				fail("STATS (size %u): session %llu/%llu, bookkeeping %llu/%d",
				     usize, (u64)st.session_in_use,
				     (u64)st.session_regions, s->bytes, s->nreg);
		}
	}
	region_refill(s, ri);
	put_sess(s, info ? "INFO" : "STATS");
}

static void op_trim_recycle(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	int trim = chance(r, 80), varied, ri, err;
	unsigned int base = trim ? GOMEM_IOC_TRIM : GOMEM_IOC_RECYCLE;
	unsigned int usize, cmd;
	struct gomem_release rel;
	enum place pl;
	uint8_t *arg;
	emask want;
	long ret;
	s64 bytes = s->bytes;
	int nreg = s->nreg;

	cmd = vary_cmd(base, &usize, &varied);
	arg = place_arg(s, &pl, usize, &ri, 1);
	if (!trim && pl == P_REGION) {
		arg = cur->scr + PS - 256;
		pl = P_OK;
		ri = -1;
	}
	if (pl == P_OK || pl == P_REGION)
		memset(arg, 0x11, usize);
	if (s->mode == O_RDONLY)
		want = B(EBADF);
	else if (varied && usize < GOMEM_RELEASE_SIZE_VER0)
		want = B(EINVAL);
	else if (pl != P_OK && pl != P_REGION)
		want = B(EFAULT);
	else
		want = OK;
	if (fault_mode && pl == P_REGION)
		want |= B(EFAULT);
	if (!trim && (want & OK))
		check_sess_patterns(s, "before RECYCLE");
	if (!trim)
		hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	if (!trim && !err)
		sess_disown(s);
	if (!trim && !(err == EFAULT && cur->injected))
		hold_end(&me->main, err ? 0 : -bytes);
	chk(trim ? C_TRIM : C_RECYCLE, err, want, trim ? "TRIM" : "RECYCLE");
	if (!err && !trim) {
		memcpy(&rel, arg, sizeof(rel));
		if (usize >= sizeof(rel) &&
		    (rel.bytes != (u64)bytes || rel.count != (u64)nreg))
			fail("RECYCLE released %llu bytes in %llu, session held %lld in %d",
			     (u64)rel.bytes, (u64)rel.count, bytes, nreg);
		s->nreg = 0;
		s->bytes = 0;
	} else if (!trim && err == EFAULT && cur->injected) {
		/* The write-back failed: the frees stand if they were done. */
		struct gomem_stats st;

		if (ioctl(s->fds[0], GOMEM_IOC_STATS, &st))
			fail("STATS: %s", strerror(errno));
		if (!st.session_regions && nreg) {
			sess_disown(s);
			s->nreg = 0;
			s->bytes = 0;
		}
		hold_end(&me->main, -(bytes - (s64)s->bytes));
	}
	region_refill(s, ri);
	if (trim && s->nreg && chance(r, 30))
		check_region(s, &s->reg[rn(r, s->nreg)], "after TRIM");
	put_sess(s, trim ? "TRIM" : "RECYCLE");
}

static void op_bad_ioctl(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	static const unsigned char magics[] = { 0xb8, 0xba, 0xc7, 0x77, 0xe1 };
	unsigned int cmd, nr, sz = rn(r, 256);
	uint8_t *arg = cur->scr + PS - 256;
	emask want = B(ENOTTY);
	int err;

	memset(arg, 0, 256);
	switch (rn(r, 5)) {
	case 0:		/* unknown number */
		/*
		 * 0..15 are a session's commands; 16, 17 (ARENA_OPEN, _DUP)
		 * an arena descriptor's only.
		 */
		nr = 16 + rn(r, 240);
		cmd = _IOC(rn(r, 4), GOMEM_IOC_MAGIC, nr, sz);
		break;
	case 1:		/* other magic */
		cmd = _IOC(rn(r, 4), magics[rn(r, sizeof(magics))], rn(r, 8), sz);
		break;
	case 2:		/* no direction */
		cmd = _IOC(_IOC_NONE, GOMEM_IOC_MAGIC, rn(r, 8), sz);
		break;
	case 3:		/* the wrong direction */
		nr = rn(r, 16);
		cmd = _IOC(nr == 0 || (nr >= 5 && nr <= 7) ? _IOC_WRITE :
			   _IOC_READ, GOMEM_IOC_MAGIC, nr, 32);
		break;
	default:	/* a good command, bad pointer */
		nr = rn(r, 16);
		if (nr == 1 || nr == 2 || nr == 6 || nr == 7 ||
		    nr == 3 || nr == 4 || nr == 15)
			want = s->mode == O_RDONLY ? B(EBADF) : B(EFAULT);
		else
			want = B(EFAULT);
		{
			static const unsigned int cmds[] = {
				GOMEM_IOC_INFO, GOMEM_IOC_ALLOC, GOMEM_IOC_FREE,
				GOMEM_IOC_ALLOC_BATCH, GOMEM_IOC_FREE_BATCH,
				GOMEM_IOC_STATS, GOMEM_IOC_TRIM, GOMEM_IOC_RECYCLE,
				GOMEM_IOC_SHARE, GOMEM_IOC_CLAIM, GOMEM_IOC_CANCEL,
				GOMEM_IOC_RELEASE, GOMEM_IOC_RELEASE_BATCH,
				GOMEM_IOC_SHARE_BATCH, GOMEM_IOC_CLAIM_BATCH,
				GOMEM_IOC_ARENA_CREATE,
			};
			void *bad[] = { NULL, cur->scr + 2 * PS,
					(void *)0xffff888000000000ULL,
					(void *)(uintptr_t)1 };
			cmd = cmds[nr];
			arg = bad[rn(r, 4)];
		}
		break;
	}
	hold_begin(&me->main);
	fi_begin();
	err = ioctl(sess_fd(s), cmd, arg) ? errno : 0;
	fi_end();
	hold_end(&me->main, 0);
	chk(C_BADIOCTL, err, want, "bad ioctl");
	put_sess(s, "bad ioctl");
}

/* mmap/munmap/mprotect/mremap/madvise on a session fd. */
static void op_mmap(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	u64 pages = 1 + rn(r, 16), off, len = pages * PS;
	int prot = PROT_READ, flags = MAP_SHARED, err, i;
	emask want;
	uint8_t *p;

	switch (rn(r, 8)) {
	case 0:
		off = MAPSZ - rn(r, 8) * PS;	/* at or over the end */
		break;
	case 1:
		off = rn(r, MAPSZ / PS) * PS + 1 + rn(r, PS - 1);
		break;
	case 2:
		off = (MAPSZ + rn(r, 1 << 20) * PS);
		break;
	default:
		if (s->nreg && chance(r, 70))
			off = s->reg[rn(r, s->nreg)].off / PS * PS;
		else
			off = rn(r, MAPSZ / PS) * PS;
		break;
	}
	if (chance(r, 60))
		prot |= PROT_WRITE;
	if (chance(r, 8))
		flags = MAP_PRIVATE;
	if (chance(r, 3))
		len = 0;
	/* The order of the kernel's checks: do_mmap(), then gomem_mmap(). */
	if (off % PS || !len)
		want = B(EINVAL);
	else if (s->mode == O_WRONLY)
		want = B(EACCES);
	else if (flags == MAP_SHARED && (prot & PROT_WRITE) && s->mode == O_RDONLY)
		want = B(EACCES);
	else if (flags == MAP_PRIVATE)
		want = B(EINVAL);
	else if (off > MAPSZ || len > MAPSZ - off)
		want = B(EINVAL);
	else
		want = OK;
	pthread_rwlock_rdlock(&reflock);
	fi_begin();
	p = mmap(NULL, len, prot, flags, sess_fd(s), off);
	err = p == MAP_FAILED ? errno : 0;
	fi_end();
	chk(C_MMAP, err, want, "mmap");
	if (!err) {
		u64 x;

		/* Touch: reads anywhere, SIGBUS where no chunk is. */
		for (i = 0; i < (int)pages; i++) {
			int t = touch(T_READ, p + i * PS, 0, 0, 1, &x);

			rec(C_TOUCH, t == SIGBUS ? E_SIGBUS : t ? E_OTHER : 0);
			if (t && t != SIGBUS)
				fail("signal %d reading a mapping at %#llx", t,
				     off + i * PS);
			if (t == SIGBUS && (reg_overlaps(s, off + i * PS, PS) ||
					     ref_overlaps(s, off + i * PS, PS)))
				fail("SIGBUS reading a held region's page %#llx",
				     off + i * PS);
		}
		/* Writes only into own regions, their own pattern; never
		 * into one that was shared. */
		if ((prot & PROT_WRITE))
			for (i = 0; i < s->nreg; i++) {
				struct region *rg = &s->reg[i];
				u64 a = rg->off > off ? rg->off : off;
				u64 b = rg->off + rg->size < off + len ?
					     rg->off + rg->size : off + len;

				if (a < b && !rg->frozen)
					pat_fill(p + (a - off), rg->tag, a, b - a);
			}
		switch (rn(r, 6)) {
		case 0:
			fi_begin();
			err = mprotect(p, len, PROT_READ | PROT_WRITE) ? errno : 0;
			fi_end();
			chk(C_MPROTECT, err, s->mode == O_RDONLY ? B(EACCES) : OK,
			    "mprotect to PROT_WRITE");
			break;
		case 1: {
			void *q;

			fi_begin();
			q = mremap(p, len, len + PS, 0);
			err = q == MAP_FAILED ? errno : 0;
			fi_end();
			/* VM_DONTEXPAND | VM_PFNMAP: no growing */
			chk(C_MREMAP, err, B(EFAULT) | B(ENOMEM), "mremap grow");
			if (!err)
				p = q, len += PS;
			break;
		}
		case 2: {
			void *q;

			fi_begin();
			q = mremap(p, len, len, MREMAP_MAYMOVE);
			err = q == MAP_FAILED ? errno : 0;
			fi_end();
			chk(C_MREMAP, err, OK, "mremap move");
			if (!err)
				p = q;
			if (pages > 1) {
				q = mremap(p, len, len - PS, 0);
				err = q == MAP_FAILED ? errno : 0;
				chk(C_MREMAP, err, OK, "mremap shrink");
				if (!err)
					len -= PS;
			}
			break;
		}
		default: {
			static const int adv[] = {
				MADV_DONTNEED, MADV_WILLNEED, MADV_REMOVE,
				MADV_FREE, MADV_NORMAL, MADV_RANDOM,
				MADV_SEQUENTIAL, MADV_DONTDUMP, MADV_COLD,
				MADV_PAGEOUT, MADV_POPULATE_READ,
			};
			int a = adv[rn(r, sizeof(adv) / sizeof(adv[0]))];

			fi_begin();
			err = madvise(p, len, a) ? errno : 0;
			fi_end();
			rec(C_MADVISE, err);
			/* Generic mm results; anything else is news. */
			if (err && err != EINVAL && err != EACCES &&
			    err != EOPNOTSUPP && err != EFAULT && err != ENOMEM &&
			    err != EAGAIN && err != EPERM && err != EIO &&
			    err != EINTR && err != ESPIPE && err != ENODEV &&
			    err != EBADF)
				fail("madvise %d: %s", a, strerrorname_np(err));
			break;
		}
		}
		if (s->nreg)
			check_region(s, &s->reg[rn(r, s->nreg)], "after mmap ops");
		err = munmap(p, len) ? errno : 0;
		chk(C_MUNMAP, err, OK, "munmap");
	}
	pthread_rwlock_unlock(&reflock);
	put_sess(s, "mmap");
}

/* read/write/pread/pwrite/lseek at random places. */
static void op_rw(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	uint8_t *buf = cur->buf, *bend = cur->buf + BUFPAGES * PS;
	int fd = sess_fd(s), err, kind = rn(r, 10);
	int canread = s->mode != O_WRONLY, canwrite = s->mode != O_RDONLY;
	u64 off, len;
	ssize_t n;
	emask want;

	if (kind < 3 && s->nreg) {
		/* pread own region: exact */
		struct region *rg = &s->reg[rn(r, s->nreg)];
		u64 bad;

		off = rg->off + rn(r, rg->size);
		len = 1 + rn(r, rg->off + rg->size - off);
		if (len > BUFPAGES * PS)
			len = BUFPAGES * PS;
		fi_begin();
		n = pread(fd, buf, len, off);
		err = n < 0 ? errno : 0;
		fi_end();
		chk(C_PREAD, err, canread ? OK : B(EBADF), "pread own region");
		if (!err && !cur->injected && (u64)n != len)
			fail("pread own region %#llx+%#llx: %zd", off, len, n);
		if (!err && (bad = pat_check(buf, rg->tag, off, n)) != UINT64_MAX)
			fail("pread own region %#llx+%#llx wrong at %#llx",
			     rg->off, rg->size, bad);
	} else if (kind < 5 && s->nreg) {
		/* pwrite own region with its pattern, sometimes via write();
		 * never one that was shared */
		struct region *rg = &s->reg[rn(r, s->nreg)];

		if (rg->frozen) {
			put_sess(s, "read/write");
			return;
		}
		off = rg->off + rn(r, rg->size);
		len = 1 + rn(r, rg->off + rg->size - off);
		if (len > BUFPAGES * PS)
			len = BUFPAGES * PS;
		pat_fill(buf, rg->tag, off, len);
		if (chance(r, 30)) {
			off_t o = lseek(fd, off, SEEK_SET);

			chk(C_LSEEK, o < 0 ? errno : 0, OK, "lseek");
			fi_begin();
			n = write(fd, buf, len);
			err = n < 0 ? errno : 0;
			fi_end();
			chk(C_WRITE, err, canwrite ? OK : B(EBADF), "write own region");
		} else {
			fi_begin();
			n = pwrite(fd, buf, len, off);
			err = n < 0 ? errno : 0;
			fi_end();
			chk(C_PWRITE, err, canwrite ? OK : B(EBADF), "pwrite own region");
		}
		if (!err && !cur->injected && (u64)n != len)
			fail("pwrite own region %#llx+%#llx: %zd", off, len, n);
	} else if (kind < 7) {
		/* read anywhere, huge lengths and bad buffers included */
		uint8_t *b = buf;
		int bad = 0, useread = chance(r, 30), known = 1;

		off = chance(r, 80) ? rn(r, MAPSZ) : chance(r, 50) ?
		      MAPSZ + rn(r, 1 << 20) : (rnd(r) | (1ULL << 63));
		len = chance(r, 80) ? 1 + rn(r, 4 * PS) : chance(r, 50) ?
		      (1ULL << 40) : ~0ULL >> 1;
		if (len > 4 * PS)
			b = bend - PS;	/* the guard page stops the copy */
		else if (chance(r, 5)) {
			b = chance(r, 50) ? NULL : cur->scr + 2 * PS;
			bad = 1;
		}
		if (useread) {
			off_t o = lseek(fd, off, SEEK_SET);

			err = o < 0 ? errno : 0;
			chk(C_LSEEK, err, (s64)off < 0 ? B(EINVAL) : OK, "lseek");
			known = !err;
		}
		fi_begin();
		n = useread ? read(fd, b, len) : pread(fd, b, len, off);
		err = n < 0 ? errno : 0;
		fi_end();
		/* The VFS's order: pread's offset, f_mode, access_ok(). */
		if (!useread && (s64)off < 0)
			want = B(EINVAL);
		else if (!canread)
			want = B(EBADF);
		else if (len == ~0ULL >> 1)
			want = B(EFAULT);
		else if (!known)
			want = OK | B(ENXIO) | B(EFAULT);
		else if (off >= MAPSZ)
			want = OK;
		else if (bad)
			want = B(EFAULT) | B(ENXIO);
		else
			want = OK | B(ENXIO);
		chk(useread ? C_READ : C_PREAD, err, want, "read anywhere");
		if (!known)
			off = 0;
		if (!err && off >= MAPSZ && n)
			fail("read past the window returned %zd", n);
		if (!err && (u64)n > len)
			fail("read returned %zd > %llu", n, len);
	} else if (kind < 9) {
		/* writes that can write nothing: bad buffer, past the window */
		uint8_t *b = chance(r, 50) ? NULL : cur->scr + 2 * PS;
		int past = chance(r, 40);

		off = past ? MAPSZ + rn(r, 1 << 20) : rn(r, MAPSZ);
		len = 1 + rn(r, 4 * PS);
		fi_begin();
		n = pwrite(fd, b, len, off);
		err = n < 0 ? errno : 0;
		fi_end();
		if (!canwrite)
			want = B(EBADF);
		else if (past)
			want = OK;
		else
			want = B(EFAULT);
		chk(C_PWRITE, err, want, "pwrite with nothing to write");
		if (!err && n)
			fail("pwrite at %#llx wrote %zd bytes", off, n);
	} else {
		static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END,
					  SEEK_DATA, SEEK_HOLE };
		int w = wh[rn(r, 5)];
		s64 o = chance(r, 20) ? -(s64)rn(r, 4096) - 1 : (s64)rn(r, 2 * MAPSZ);
		off_t res = lseek(fd, o, w);

		err = res < 0 ? errno : 0;
		chk(C_LSEEK, err, OK | B(EINVAL) | B(ENXIO), "lseek");
	}
	put_sess(s, "read/write");
}

/* Read other workers' published regions; try to free them. */
static void op_foreign(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	int w = rn(r, opt_procs), k = rn(r, NPUB), err, idx;
	u64 off = atomic_load(&shm->w[w].pub_off[k]);
	u64 size = atomic_load(&shm->w[w].pub_size[k]), x;
	struct gomem_free *f = (void *)(cur->scr + PS - 256);
	emask want;
	int t;

	if (size && off < MAPSZ && size <= MAPSZ - off) {
		t = touch(T_READ, win + off, 0, off, size, &x);
		rec(C_TOUCH, t == SIGBUS ? E_SIGBUS : t ? E_OTHER : 0);
		if (t && t != SIGBUS)
			fail("signal %d reading a foreign region", t);
	}
	if (s->mode == O_RDONLY) {
		want = B(EBADF);
	} else {
		want = free_expect(s, off, size ? size : G, &idx);
		if (idx >= 0) {		/* it is ours now */
			put_sess(s, "foreign");
			return;
		}
	}
	f->offset = off;
	f->size = size ? size : G;
	hold_begin(&me->main);
	fi_begin();
	err = ioctl(sess_fd(s), GOMEM_IOC_FREE, f) ? errno : 0;
	fi_end();
	hold_end(&me->main, 0);
	chk(C_FREE, err, want, "FREE of another's region");
	put_sess(s, "foreign");
}

/*
 * The window through /proc/self/mem (get_user_pages, or where no chunk
 * backs a page vm_ops->access, gomem_access(): what ptrace and gdb use):
 * own regions read back exactly or rewritten with their pattern,
 * any offset read (EIO where no chunk backs it).  And debugfs's stats and
 * blocks files of the arena, read in random-sized pieces while the
 * others allocate, free and trim.
 */
static void op_remote(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng, off, len, bad;
	uint8_t *buf = cur->buf;
	int kind = rn(r, 10), fd, err;
	ssize_t n;

	if (kind < 6) {
		fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			chk(C_PROCMEM, errno, 0, "open /proc/self/mem");
			put_sess(s, "remote");
			return;
		}
		if (kind < 3 && s->nreg) {
			struct region *rg = &s->reg[rn(r, s->nreg)];
			int wr = kind == 2 && !rg->frozen;

			off = rg->off + rn(r, rg->size);
			len = 1 + rn(r, rg->off + rg->size - off);
			if (len > BUFPAGES * PS)
				len = BUFPAGES * PS;
			if (wr) {
				pat_fill(buf, rg->tag, off, len);
				n = pwrite(fd, buf, len, (off_t)(uintptr_t)(win + off));
			} else {
				n = pread(fd, buf, len, (off_t)(uintptr_t)(win + off));
			}
			err = n < 0 ? errno : 0;
			chk(C_PROCMEM, err, OK, wr ? "write own region" :
			    "read own region");
			if (!err && !fault_mode && (u64)n != len)
				fail("/proc/self/mem %s own region %#llx+%#llx: "
				     "%zd of %llu bytes", wr ? "write" : "read",
				     rg->off, rg->size, n, len);
			if (!err && !wr &&
			    (bad = pat_check(buf, rg->tag, off, n)) != UINT64_MAX)
				fail("/proc/self/mem read of own region %#llx+%#llx"
				     " wrong at %#llx", rg->off, rg->size, bad);
		} else {
			off = rn(r, MAPSZ);
			len = 1 + rn(r, 2 * PS);
			if (len > MAPSZ - off)
				len = MAPSZ - off;
			n = pread(fd, buf, len, (off_t)(uintptr_t)(win + off));
			err = n < 0 ? errno : 0;
			chk(C_PROCMEM, err, OK | B(EIO), "read the window");
			if (!err && (u64)n > len)
				fail("/proc/self/mem read %zd > %llu", n, len);
		}
		close(fd);
	} else {
		static const char *const name[] = { "stats", "blocks" };
		char path[96];

		snprintf(path, sizeof(path), "/sys/kernel/debug/gomem/default/%s",
			 name[rn(r, 2)]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		err = fd < 0 ? errno : 0;
		chk(C_DEBUGFS, err, OK, "open");
		if (fd >= 0) {
			u64 total = 0;

			do {
				len = 1 + rn(r, 4 * PS);
				n = read(fd, buf, len);
				err = n < 0 ? errno : 0;
				chk(C_DEBUGFS, err, OK, "read");
				total += n > 0 ? n : 0;
			} while (n > 0 && total < (64ULL << 20));
			if (!err && !total)
				fail("%s is empty", path);
			close(fd);
		}
	}
	put_sess(s, "remote");
}

/*
 * O_DIRECT's block device, the VM's RAM disk (scripts/vm-init.sh loads
 * brd.ko, 16 MiB): each worker thread its own slot of BDEV_SLOT_PAGES
 * pages, MAXPROCS * MAXTHREADS slots in all.
 */
#define BDEV_PATH	"/dev/ram0"
#define BDEV_SLOT_PAGES	4
static int bdev_fd = -1, bdev_err;
static pthread_once_t bdev_once = PTHREAD_ONCE_INIT;

static void bdev_open(void)
{
	bdev_fd = open(BDEV_PATH, O_RDWR | O_DIRECT | O_CLOEXEC);
	bdev_err = errno;
}

/*
 * get_user_pages on the window (gomem maps refcounted pages): own regions
 * read back exactly by process_vm_readv, any range read (EFAULT where no
 * chunk backs its first page); a range vmspliced into a pipe and held
 * there across a TRIM (the pinned chunk must stay), then drained; a range
 * registered with io_uring as a fixed buffer and unregistered (6.1 says
 * EOPNOTSUPP for every file mapping but shmem); a range's sectors written
 * to the RAM disk with O_DIRECT (EFAULT where no chunk backs them), and an
 * own region's read back into it with O_DIRECT (its pattern must stay).
 */
static void op_gup(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng, off, len, bad = UINT64_MAX, tag = 0;
	uint8_t *buf = cur->buf;
	int kind = rn(r, 9), p[2], err, own = 0, frozen = 0;
	struct iovec local, remote;
	ssize_t n;

	if (s->nreg && chance(r, 60)) {
		struct region *rg = &s->reg[rn(r, s->nreg)];

		off = rg->off + rn(r, rg->size);
		len = 1 + rn(r, rg->off + rg->size - off);
		tag = rg->tag;
		own = 1;
		frozen = rg->frozen;
	} else {
		off = rn(r, MAPSZ);
		len = 1 + rn(r, 4 * PS);
	}
	if (len > MAPSZ - off)
		len = MAPSZ - off;
	if (len > BUFPAGES * PS)
		len = BUFPAGES * PS;
	if (kind < 4) {
		local = (struct iovec){ buf, len };
		remote = (struct iovec){ win + off, len };
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		err = n < 0 ? errno : 0;
		chk(C_GUP, err, own ? OK : OK | B(EFAULT), "process_vm_readv");
		if (own && !err && !fault_mode && (u64)n != len)
			fail("process_vm_readv of own region at %#llx: %zd of %llu",
			     off, n, len);
		if (own && !err)
			bad = pat_check(buf, tag, off, n);
		if (bad != UINT64_MAX)
			fail("process_vm_readv of own region wrong at %#llx", bad);
	} else if (kind < 7) {
		if (pipe2(p, O_CLOEXEC | O_NONBLOCK)) {
			chk(C_GUP, errno, 0, "pipe");
			put_sess(s, "gup");
			return;
		}
		remote = (struct iovec){ win + off, len };
		n = vmsplice(p[1], &remote, 1, SPLICE_F_NONBLOCK);
		err = n < 0 ? errno : 0;
		chk(C_GUP, err, OK | B(EFAULT) | B(EAGAIN), "vmsplice");
		if (n > 0 && kind == 6 && s->mode != O_RDONLY) {
			struct gomem_release rel;

			err = ioctl(sess_fd(s), GOMEM_IOC_TRIM, &rel) ? errno : 0;
			chk(C_TRIM, err, OK, "TRIM while a pipe holds pages");
		}
		if (n > 0) {
			n = read(p[0], buf, n);
			err = n < 0 ? errno : 0;
			chk(C_GUP, err, OK, "read the vmspliced pipe");
		}
		close(p[0]);
		close(p[1]);
	} else if (kind == 8) {
		/*
		 * The sectors around the range written out (an own region's
		 * pages are backed: they must succeed), the whole sectors
		 * inside an own region read back into it.
		 */
		u64 a = off & ~511ULL, e = (off + len + 511) & ~511ULL;
		u64 ia = (off + 511) & ~511ULL, ie = (off + len) & ~511ULL;
		u64 slot = ((u64)W * MAXTHREADS + (u64)cur->t) *
			   BDEV_SLOT_PAGES * PS;
		ssize_t m;

		pthread_once(&bdev_once, bdev_open);
		if (bdev_fd < 0)
			fail("open %s with O_DIRECT: %s (brd.ko: scripts/vm-init.sh)",
			     BDEV_PATH, strerror(bdev_err));
		if (e > a + BDEV_SLOT_PAGES * PS)
			e = a + BDEV_SLOT_PAGES * PS;
		n = pwrite(bdev_fd, win + a, e - a, (off_t)slot);
		err = n < 0 ? errno : 0;
		chk(C_ODIRECT, err, own ? OK : OK | B(EFAULT),
		    "O_DIRECT write from the window");
		if (n > 0 && ie > a + n)
			ie = a + n;
		/* Never into a region others may hold too. */
		if (own && !frozen && n > 0 && ie > ia) {
			m = pread(bdev_fd, win + ia, ie - ia, (off_t)(slot + ia - a));
			err = m < 0 ? errno : 0;
			chk(C_ODIRECT, err, OK, "O_DIRECT read into own region");
			if (!err && (u64)m != ie - ia)
				fail("O_DIRECT read of %llu bytes into own region at %#llx: %zd",
				     ie - ia, ia, m);
			bad = pat_check(win + ia, tag, ia, ie - ia);
			if (bad != UINT64_MAX)
				fail("O_DIRECT round trip of own region wrong at %#llx",
				     bad);
		}
	} else {
		struct io_uring_params up;
		int ring;

		memset(&up, 0, sizeof(up));
		ring = (int)syscall(__NR_io_uring_setup, 2, &up);
		if (ring < 0) {
			chk(C_GUP, errno, B(ENOSYS) | B(EPERM), "io_uring_setup");
			put_sess(s, "gup");
			return;
		}
		remote = (struct iovec){ win + off, len };
		err = syscall(__NR_io_uring_register, ring,
			      IORING_REGISTER_BUFFERS, &remote, 1) ? errno : 0;
		chk(C_GUP, err, OK | B(EFAULT) | B(EOPNOTSUPP),
		    "io_uring register");
		if (!err) {
			err = syscall(__NR_io_uring_register, ring,
				      IORING_UNREGISTER_BUFFERS, NULL, 0) ?
			      errno : 0;
			chk(C_GUP, err, OK, "io_uring unregister");
		}
		close(ring);
	}
	put_sess(s, "gup");
}

/* Read pages of the whole window: SIGBUS where no chunk backs them. */
static void op_touch(void)
{
	u64 *r = &cur->rng, x;
	u64 off = rn(r, MAPSZ / PS) * PS;
	int t = touch(T_READ, win + off, 0, off, PS * (1 + rn(r, 4)) > MAPSZ - off ?
		      MAPSZ - off : PS * (1 + rn(r, 4)), &x);

	rec(C_TOUCH, t == SIGBUS ? E_SIGBUS : t ? E_OTHER : 0);
	if (t && t != SIGBUS)
		fail("signal %d reading the window at %#llx", t, off);
}

/* ---- the hand-off: SHARE, CLAIM, CANCEL, RELEASE, RELEASE_BATCH ---- */

/* A made token slot others may claim (live or not), or -1: mostly new. */
static int pick_tok(void)
{
	u64 *r = &cur->rng;
	int n = tok_count(), i, tries;

	for (tries = 0; tries < 8 && n; tries++) {
		i = n > 256 && chance(r, 80) ? n - 1 - (int)rn(r, 256) :
		    (int)rn(r, n);
		if (shm->tok[i].priv ||
		    !(atomic_load(&shm->tok[i].state) & TS_PUB))
			continue;
		return i;
	}
	return -1;
}

/* The made token slot with value @v, or -1. */
static int tok_find(u64 v)
{
	int n = tok_count(), i;

	for (i = 0; i < n; i++)
		if ((atomic_load(&shm->tok[i].state) & TS_PUB) &&
		    atomic_load(&shm->tok[i].value) == v)
			return i;
	return -1;
}

/* A value nobody was given, most likely: near, or bits off, a real one. */
static u64 forge_token(void)
{
	u64 *r = &cur->rng;
	int i = pick_tok();
	u64 v = i >= 0 ? atomic_load(&shm->tok[i].value) : rnd(r);

	switch (rn(r, 7)) {
	case 0: return 0;
	case 1: return rnd(r);
	case 2: return v + 1;
	case 3: return v - 1;
	case 4: return v ^ (1ULL << rn(r, 64));
	case 5: return v ^ rnd(r);
	default: return ~0ULL - rn(r, 4);
	}
}

static int claim_kind(int ti, u64 st)
{
	if (ti < 0)
		return C_CLAIM_FORGED;
	if (tok_live(st))
		return C_CLAIM_LIVE;
	if (!(st & TS_DEAD))
		return C_CLAIM_SPENT;
	return TS_WHY(st) == WHY_CANCEL ? C_CLAIM_CANCELLED :
	       TS_WHY(st) == WHY_FAILED ? C_CLAIM_FORGED : C_CLAIM_GONE;
}

/*
 * A call whose effect is unknown (fail-nth made a batch's write-back fail
 * after the work, which stands): the session goes, and what it held.
 */
static void sess_restart(struct sess *s, const char *why)
{
	clear_injected();
	sess_close(s, why);
	sess_open(s);
}

static void op_share(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	unsigned int usize, cmd0 = GOMEM_IOC_SHARE, cmd;
	int varied, ri, err, tail_nz = 0, i = -1, k = -1, e = -1, ti = -1, q;
	int maybe_ok, range_ok, c = rn(r, 100);
	u64 roff = 0, rsize = 0, o, size, esize = 0;
	struct gomem_share sh = { 0 };
	enum place pl;
	uint8_t *arg;
	emask want;
	long ret;

	/* What: an own region, one held by reference, or anything. */
	if (c < 60 && s->nreg) {
		i = rn(r, s->nreg);
		roff = s->reg[i].off;
		rsize = s->reg[i].size;
	} else if (c < 88 && s->nref) {
		k = rn(r, s->nref);
		roff = shm->ent[s->ref[k].ent].off;
		rsize = shm->ent[s->ref[k].ent].size;
	} else {
		switch (rn(r, 4)) {
		case 0: {	/* another worker's region */
			int w = rn(r, opt_procs), kk = rn(r, NPUB);

			roff = atomic_load(&shm->w[w].pub_off[kk]);
			rsize = atomic_load(&shm->w[w].pub_size[kk]);
			break;
		}
		case 1:
			roff = rn(r, MAPSZ);
			rsize = G;
			break;
		case 2:
			roff = MAPSZ + rn(r, 1 << 20);
			rsize = G;
			break;
		default:
			roff = ~0ULL - rn(r, 4096);
			rsize = 1;
			break;
		}
	}
	if (!rsize)
		rsize = 1;
	/* Which range of it: whole, a part, past its end, wrapping. */
	switch (rn(r, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
	case 8: case 9:
		o = roff;
		size = 0;
		break;
	case 10: case 11: case 12: case 13: case 14: case 15:
		o = roff + rn(r, rsize);
		size = 1 + rn(r, roff + rsize - o);
		break;
	case 16:
		o = roff + rn(r, rsize);
		size = 0;
		break;
	case 17:
		o = roff;
		size = rsize + 1 + rn(r, 4 * G);
		break;
	case 18:
		o = roff + rn(r, rsize);
		size = ~0ULL - o + 1 + rn(r, 64);
		break;
	default:
		o = roff + rn(r, rsize);
		size = ~0ULL;
		break;
	}
	sh.offset = o;
	sh.size = size;
	sh.claims = chance(r, 4) ? 0 : chance(r, 3) ? 1000 + rn(r, 1000) :
		    chance(r, 2) ? ~0U : 1 + rn(r, 4);
	sh.flags = chance(r, 4) ? 1U << rn(r, 32) : 0;
	sh.token = rnd(r);

	/* The region holding o, as the kernel sees it. */
	i = reg_find(s, o);
	k = i < 0 ? ref_at(s, o) : -1;
	if (i >= 0) {
		roff = s->reg[i].off;
		rsize = s->reg[i].size;
	} else if (k >= 0) {
		e = s->ref[k].ent;
		roff = shm->ent[e].off;
		rsize = shm->ent[e].size;
	}
	range_ok = (i >= 0 || k >= 0) && (!size || size <= roff + rsize - o);
	esize = size ? size : roff + rsize - o;
	maybe_ok = range_ok && !sh.flags && sh.claims;
	if (maybe_ok && s->ntok >= MAXSTOK && sess_tokens_live(s) >= MAXSTOK) {
		put_sess(s, "SHARE (skipped)");
		return;
	}
	/* Shared now: never written again (before the argument is placed). */
	if (maybe_ok && i >= 0) {
		if (s->reg[i].ent < 0)
			s->reg[i].ent = ent_new(roff, rsize, s->reg[i].tag);
		e = s->reg[i].ent;
		s->reg[i].frozen = 1;
	}
	if (maybe_ok && (e < 0 || (ti = tok_new(e, o, esize, 0, s->id)) < 0)) {
		put_sess(s, "SHARE (tables full)");
		return;
	}
	q = quota(s);
	cmd = vary_cmd(cmd0, &usize, &varied);
	arg = place_arg(s, &pl, usize, &ri, 1);
	if (pl == P_OK || pl == P_REGION) {
		memset(arg, 0, usize);
		memcpy(arg, &sh, usize < sizeof(sh) ? usize : sizeof(sh));
		if (usize > sizeof(sh) && chance(r, 50)) {
			arg[sizeof(sh) + rn(r, usize - sizeof(sh))] = 1;
			tail_nz = 1;
		}
	}
	if (varied && usize < GOMEM_SHARE_SIZE_VER0)
		want = B(EINVAL);
	else if (bad_read(pl))
		want = B(EFAULT) | (pl == P_STRADDLE && varied &&
				    usize > _IOC_SIZE(cmd0) ? B(E2BIG) : 0);
	else if (pl == P_RO)
		want = B(EFAULT);	/* the token cannot be written */
	else if (tail_nz)
		want = B(E2BIG);
	else if (sh.flags || !sh.claims)
		want = B(EINVAL);
	else if (i < 0 && k < 0)
		want = B(EINVAL) | B(EPERM);
	else if (!range_ok)
		want = B(EINVAL);
	else if (q == 2)
		want = B(EDQUOT);
	else
		want = OK | B(ENOMEM) | (q ? B(EDQUOT) : 0);
	if (pl == P_REGION && fault_mode)
		want |= B(EFAULT);
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	chk(C_SHARE, err, want, "SHARE");
	if (!err) {
		struct gomem_share out;

		memcpy(&out, arg, sizeof(out));
		if (!out.token)
			fail("SHARE returned token 0");
		if (tok_find(out.token) >= 0)
			fail("SHARE returned token %#llx a second time",
			     (u64)out.token);
		tok_publish(ti, out.token, sh.claims);
		s->tok[s->ntok++] = ti;
	} else if (ti >= 0) {
		tok_kill(ti, WHY_FAILED);
	}
	/* EFAULT: no token (one whose value cannot be written back is
	 * cancelled by the device). */
	region_refill(s, ri);
	hold_end(&me->main, 0);
	put_sess(s, "SHARE");
}

/*
 * A CLAIM of token slot @ti got EFAULT under fail-nth: the copy of its
 * argument or the probe of its outputs failed (nothing done), or its
 * write-back failed after the claim, which the device then releases
 * (the token's claim stays spent).  The last cannot happen here (the
 * fuzzer never unmaps an argument's page between the probe and the
 * write-back, and the debug kernel has no usercopy fault injection), so
 * the token is taken as untouched; either way the session must hold no
 * claim more than before.  Release its reference to the region until it
 * is gone and count.
 */
static void claim_resolve(struct sess *s, int ti)
{
	int e = shm->tok[ti].ent, k = ref_of(s, e), n = 0;
	unsigned int known = k >= 0 ? s->ref[k].claims : 0;
	struct region rg = ent_region(e);
	struct gomem_ref rf = { .offset = rg.off };

	clear_injected();
	win_check(&rg, rg.off, rg.size, "after a failed CLAIM");
	while (!ioctl(s->fds[0], GOMEM_IOC_RELEASE, &rf))
		n++;
	if (errno != EINVAL)
		fail("RELEASE after a failed CLAIM: %s", strerror(errno));
	if ((unsigned int)n != known)
		fail("CLAIM failed with EFAULT, and %d claims were released "
		     "where the bookkeeping has %u", n, known);
	if (k >= 0) {
		s->ref[k].claims = 1;
		ref_put(s, k);
	}
}

static void op_claim(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	unsigned int usize, cmd0 = GOMEM_IOC_CLAIM, cmd;
	int varied, ri, err, tail_nz = 0, ti = -1, e = -1, have = 0, q;
	int c = rn(r, 100);
	struct gomem_claim cl = { 0 };
	u64 st0 = 0, value;
	enum place pl;
	uint8_t *arg;
	emask want;
	long ret;

	if (c < 70)
		ti = pick_tok();
	else if (c < 82 && s->ntok)
		ti = s->tok[rn(r, s->ntok)];
	if (ti >= 0) {
		value = atomic_load(&shm->tok[ti].value);
	} else {
		value = forge_token();
		ti = tok_find(value);
	}
	if (ti >= 0) {
		st0 = atomic_load(&shm->tok[ti].state);
		e = shm->tok[ti].ent;
		have = ref_of(s, e) >= 0;
	}
	if (tok_live(st0) && !have && s->nref >= MAXREF) {
		put_sess(s, "CLAIM (skipped)");
		return;
	}
	q = quota(s);
	cl.token = value;
	cl.flags = chance(r, 4) ? 1U << rn(r, 32) : 0;
	cl.pad = chance(r, 3) ? 1 + rn(r, 100) : 0;
	cl.offset = rnd(r);
	cl.size = rnd(r);
	cmd = vary_cmd(cmd0, &usize, &varied);
	arg = place_arg(s, &pl, usize, &ri, 1);
	if (pl == P_OK || pl == P_REGION) {
		memset(arg, 0, usize);
		memcpy(arg, &cl, usize < sizeof(cl) ? usize : sizeof(cl));
		if (usize > sizeof(cl) && chance(r, 50)) {
			arg[sizeof(cl) + rn(r, usize - sizeof(cl))] = 1;
			tail_nz = 1;
		}
	}
	if (varied && usize < GOMEM_CLAIM_SIZE_VER0)
		want = B(EINVAL);
	else if (bad_read(pl))
		want = B(EFAULT) | (pl == P_STRADDLE && varied &&
				    usize > _IOC_SIZE(cmd0) ? B(E2BIG) : 0);
	else if (pl == P_RO)
		want = B(EFAULT);	/* offset and size cannot be written */
	else if (tail_nz)
		want = B(E2BIG);
	else if (cl.flags || cl.pad)
		want = B(EINVAL);
	else if (!tok_live(st0))
		want = B(ENOENT);	/* forged, used up, cancelled, maker gone */
	else if (have || !q)
		want = OK | B(ENOENT) | B(ENOMEM);
	else if (q == 1)
		want = OK | B(ENOENT) | B(ENOMEM) | B(EDQUOT);
	else
		want = B(ENOENT) | B(EDQUOT);
	if (pl == P_REGION && fault_mode)
		want |= B(EFAULT);
	if (e >= 0)
		atomic_fetch_add(&shm->ent[e].claiming, 1);
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	rec(claim_kind(ti, st0), err);
	chk(C_CLAIM, err, want, "CLAIM");
	if (!err) {
		struct gomem_claim out;

		memcpy(&out, arg, sizeof(out));
		if (out.offset != shm->tok[ti].off || out.size != shm->tok[ti].size)
			fail("CLAIM of %#llx gave [%#llx, +%#llx); it shares "
			     "[%#llx, +%#llx)", value, (u64)out.offset,
			     (u64)out.size, shm->tok[ti].off, shm->tok[ti].size);
		/* The reference first: the tables never show fewer holds
		 * than the kernel has (partial frees are predicted by them). */
		ref_add(s, e);
		if (tok_take(ti) < 0)
			fail("token %#llx claimed more times than it was made for",
			     value);
	}
	region_refill(s, ri);
	if (err == EFAULT && cur->injected && (want & OK))
		claim_resolve(s, ti);	/* inside the window */
	/* The tables have the reference now, or the kernel has none. */
	if (e >= 0)
		atomic_fetch_sub(&shm->ent[e].claiming, 1);
	hold_end(&me->main, 0);
	if (!err) {
		struct region rg = ent_region(e);

		win_check(&rg, shm->tok[ti].off, shm->tok[ti].size,
			  "a claimed range");
		win_check(&rg, rg.off, rg.size, "a claimed region");
	}
	put_sess(s, "CLAIM");
}

static void op_cancel(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	unsigned int usize, cmd0 = GOMEM_IOC_CANCEL, cmd;
	int varied, ri, err, tail_nz = 0, ti = -1, own = 0, c = rn(r, 100);
	struct gomem_token tk = { 0 };
	u64 st0 = 0;
	enum place pl;
	uint8_t *arg;
	emask want;
	long ret;

	if (c < 55 && s->ntok)
		ti = s->tok[rn(r, s->ntok)];
	else if (c < 80)
		ti = pick_tok();
	if (ti >= 0) {
		tk.token = atomic_load(&shm->tok[ti].value);
	} else {
		tk.token = forge_token();
		ti = tok_find(tk.token);
	}
	if (ti >= 0) {
		st0 = atomic_load(&shm->tok[ti].state);
		own = shm->tok[ti].maker_w == W && shm->tok[ti].maker_s == s->id;
	}
	tk.flags = chance(r, 4) ? 1U << rn(r, 32) : 0;
	tk.pad = chance(r, 3) ? 1 + rn(r, 100) : 0;
	cmd = vary_cmd(cmd0, &usize, &varied);
	arg = place_arg(s, &pl, usize, &ri, 1);
	if (pl == P_OK || pl == P_REGION) {
		memset(arg, 0, usize);
		memcpy(arg, &tk, usize < sizeof(tk) ? usize : sizeof(tk));
		if (usize > sizeof(tk) && chance(r, 50)) {
			arg[sizeof(tk) + rn(r, usize - sizeof(tk))] = 1;
			tail_nz = 1;
		}
	}
	if (varied && usize < GOMEM_TOKEN_SIZE_VER0)
		want = B(EINVAL);
	else if (bad_read(pl))
		want = B(EFAULT) | (pl == P_STRADDLE && varied &&
				    usize > _IOC_SIZE(cmd0) ? B(E2BIG) : 0);
	else if (pl == P_RO)
		want = B(ENOENT);	/* read-only zeroes: token 0 */
	else if (tail_nz)
		want = B(E2BIG);
	else if (tk.flags || tk.pad)
		want = B(EINVAL);
	else if (!tok_live(st0))
		want = B(ENOENT);
	else if (own)
		want = OK | B(ENOENT);	/* used up meanwhile */
	else
		want = B(EPERM) | B(ENOENT);
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	chk(C_CANCEL, err, want, "CANCEL");
	if (!err) {
		u64 old = tok_kill(ti, WHY_CANCEL);

		if (!tok_live(old))
			fail("CANCEL of token %#llx worked, which had no claim "
			     "left (state %#llx)", (u64)tk.token, old);
	}
	hold_end(&me->main, 0);
	region_refill(s, ri);
	put_sess(s, "CANCEL");
}

static void op_release(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	unsigned int usize, cmd0 = GOMEM_IOC_RELEASE, cmd;
	int varied, ri, err, tail_nz = 0, k, c = rn(r, 100);
	struct gomem_ref rf = { 0 };
	enum place pl;
	uint8_t *arg;
	emask want;
	long ret;
	u64 off;

	if (c < 65 && s->nref) {
		const struct ent *en = &shm->ent[s->ref[rn(r, s->nref)].ent];

		off = en->off + rn(r, en->size);
	} else if (c < 75 && s->nreg) {
		const struct region *rg = &s->reg[rn(r, s->nreg)];

		off = rg->off + rn(r, rg->size);
	} else if (c < 85) {
		int w = rn(r, opt_procs), kk = rn(r, NPUB);

		off = atomic_load(&shm->w[w].pub_off[kk]);
	} else {
		off = chance(r, 70) ? rn(r, MAPSZ) : chance(r, 50) ?
		      MAPSZ + rn(r, 1 << 20) : ~0ULL - rn(r, 16);
	}
	rf.offset = off;
	rf.flags = chance(r, 4) ? 1U << rn(r, 32) : 0;
	rf.pad = chance(r, 3) ? 1 + rn(r, 100) : 0;
	cmd = vary_cmd(cmd0, &usize, &varied);
	arg = place_arg(s, &pl, usize, &ri, 1);
	if (pl == P_OK || pl == P_REGION) {
		memset(arg, 0, usize);
		memcpy(arg, &rf, usize < sizeof(rf) ? usize : sizeof(rf));
		if (usize > sizeof(rf) && chance(r, 50)) {
			arg[sizeof(rf) + rn(r, usize - sizeof(rf))] = 1;
			tail_nz = 1;
		}
	}
	if (pl == P_RO)
		off = 0;		/* read-only zeroes */
	k = ref_at(s, off);
	if (varied && usize < GOMEM_REF_SIZE_VER0)
		want = B(EINVAL);
	else if (bad_read(pl))
		want = B(EFAULT) | (pl == P_STRADDLE && varied &&
				    usize > _IOC_SIZE(cmd0) ? B(E2BIG) : 0);
	else if (tail_nz)
		want = B(E2BIG);
	else if (pl != P_RO && (rf.flags || rf.pad))
		want = B(EINVAL);
	else
		want = k >= 0 ? OK : B(EINVAL);
	if (want & OK) {
		struct region rg = ent_region(s->ref[k].ent);

		win_check(&rg, rg.off, rg.size, "before RELEASE");
	}
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	chk(C_RELEASE, err, want, "RELEASE");
	if (!err)
		ref_put(s, k);
	hold_end(&me->main, 0);
	region_refill(s, ri);
	put_sess(s, "RELEASE");
}

static void op_release_batch(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	unsigned int n = gen_count(), ne, i, usize, done = 0;
	int varied, ri, ari, err, entry_pad = 0, tail_nz = 0, padi, k;
	struct gomem_batch_entry *e, *copy = (void *)cur->cpy;
	struct gomem_batch b = { 0 };
	unsigned int cmd0 = GOMEM_IOC_RELEASE_BATCH, cmd;
	enum place pl, apl;
	uint8_t *arg;
	emask want;
	long ret;

	cmd = vary_cmd(cmd0, &usize, &varied);
	if (n > 64 && chance(r, 80))
		n = 1 + rn(r, 64);
	ne = n > GOMEM_BATCH_MAX + 1 ? GOMEM_BATCH_MAX + 1 : n;
	e = place_entries(s, ne, &pl, &ri);
	padi = ne && chance(r, 5) ? (int)rn(r, ne) : -1;
	for (i = 0; i < ne; i++) {
		struct gomem_batch_entry x = { 0, 0, (int32_t)rnd(r), 0 };
		unsigned int c = rn(r, 100);

		if (c < 70 && s->nref) {
			const struct ent *en = &shm->ent[s->ref[rn(r, s->nref)].ent];

			x.offset = en->off + rn(r, en->size);
		} else if (c < 80 && i) {
			x.offset = copy[rn(r, i)].offset;	/* once more */
		} else if (c < 87 && s->nreg) {
			x.offset = s->reg[rn(r, s->nreg)].off;
		} else if (c < 95) {
			x.offset = rn(r, MAPSZ);
		} else {
			x.offset = s->nref ?
				   shm->ent[s->ref[rn(r, s->nref)].ent].off : 0;
			x.size = 1 + rn(r, 4096);	/* must be 0 */
		}
		if ((int)i == padi) {
			x.pad = 1;
			entry_pad = 1;
		}
		copy[i] = x;
		if (pl == P_OK || pl == P_REGION)
			e[i] = x;
	}
	b.entries = (uintptr_t)e;
	b.count = n;
	b.flags = chance(r, 3) ? 1 : 0;
	b.align = chance(r, 3) ? 8 : 0;
	b.done = rnd(r);
	b.pad = chance(r, 2);
	arg = batch_arg(s, &b, usize, &apl, &ari, ri, &tail_nz);
	want = batch_want(s, cmd0, usize, varied, apl, tail_nz,
			  b.pad || !n || n > GOMEM_BATCH_MAX || b.flags || b.align,
			  pl, entry_pad);
	if (fault_mode && (pl == P_REGION || apl == P_REGION))
		want |= B(EFAULT);
	if (want & OK)
		check_refs(s, "before RELEASE_BATCH");
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	chk(C_RELEASE_BATCH, err, want, "RELEASE_BATCH");
	if (!err) {
		struct gomem_batch out;

		memcpy(&out, arg, sizeof(out));
		for (i = 0; i < n; i++)
			copy[i].result = e[i].result;
		/* Each entry in order, as the kernel: exactly predicted. */
		for (i = 0; i < n; i++) {
			int res = copy[i].result, ew;

			k = copy[i].size ? -1 : ref_at(s, copy[i].offset);
			ew = k >= 0 ? 0 : EINVAL;
			if (res > 0 || res < -127)
				fail("RELEASE_BATCH entry %u: result %d", i, res);
			chk(C_ENTRY_RELEASE, -res, B(ew), "RELEASE_BATCH entry");
			if (!res) {
				ref_put(s, k);
				done++;
			}
			if (copy[i].offset != e[i].offset || copy[i].size != e[i].size)
				fail("RELEASE_BATCH wrote entry %u's input fields", i);
		}
		if (out.done != done)
			fail("RELEASE_BATCH done %u, %u entries succeeded",
			     out.done, done);
	}
	region_refill(s, ri);
	region_refill(s, ari);
	if (err == EFAULT && cur->injected && (want & OK)) {
		/* Inside the window: which releases were done is unknown. */
		sess_restart(s, "RELEASE_BATCH's write-back failed");
		hold_end(&me->main, 0);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	hold_end(&me->main, 0);
	put_sess(s, "RELEASE_BATCH");
}

/*
 * The entries of a SHARE_BATCH or CLAIM_BATCH: as many as fit the entries
 * area (a count past GOMEM_BATCH_MAX is refused before any is read: one).
 */
static unsigned int hold_batch_count(size_t esz, unsigned int *ne)
{
	unsigned int n = gen_count(), fit = EPAGES * PS / esz - 1;

	if (n <= GOMEM_BATCH_MAX && n > fit)
		n = fit;
	*ne = n > GOMEM_BATCH_MAX ? 1 : n;
	return n;
}

/* The kernel's order for both: the batch's fields, then the entries'. */
static emask hold_batch_want(struct sess *s, unsigned int cmd0,
			     unsigned int usize, int varied, enum place apl,
			     int tail_nz, const struct gomem_batch *b,
			     enum place pl, int entry_bad)
{
	return batch_want(s, cmd0, usize, varied, apl, tail_nz,
			  b->pad || !b->count || b->count > GOMEM_BATCH_MAX ||
			  b->flags || b->align, pl, entry_bad);
}

/*
 * SHARE_BATCH: entries drawn as op_share() draws one, each judged after
 * the call in order, as the kernel does them: the tokens of the entries
 * before it count against the session's records.  An entry that may
 * succeed has its token slot made first (its region frozen, as shared).
 */
static void op_share_batch(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	struct gomem_share_entry *e, *copy = (void *)cur->cpy;
	unsigned int ne, n = hold_batch_count(sizeof(*e), &ne), i, usize;
	unsigned int cmd0 = GOMEM_IOC_SHARE_BATCH, cmd, done = 0, made = 0;
	int varied, ri, ari, err, tail_nz = 0, badi, budget, live;
	static __thread int slot[GOMEM_BATCH_MAX + 1];
	struct gomem_batch b = { 0 };
	enum place pl, apl;
	uint8_t *arg;
	emask want;
	long ret;

	/* Token slots of this session left for the entries that may work. */
	live = sess_tokens_live(s);
	budget = MAXSTOK - s->ntok;
	badi = ne && chance(r, 5) ? (int)rn(r, ne) : -1;
	for (i = 0; i < ne; i++) {
		struct gomem_share_entry x = { 0 };
		u64 roff = 0, rsize = 0;
		int ri2 = -1, k = -1, c = rn(r, 100), en = -1;

		if (c < 55 && s->nreg) {
			ri2 = rn(r, s->nreg);
			roff = s->reg[ri2].off;
			rsize = s->reg[ri2].size;
		} else if (c < 80 && s->nref) {
			k = rn(r, s->nref);
			roff = shm->ent[s->ref[k].ent].off;
			rsize = shm->ent[s->ref[k].ent].size;
		} else if (c < 90) {
			int w = rn(r, opt_procs), kk = rn(r, NPUB);

			roff = atomic_load(&shm->w[w].pub_off[kk]);
			rsize = atomic_load(&shm->w[w].pub_size[kk]);
		} else {
			roff = chance(r, 50) ? rn(r, MAPSZ) : ~0ULL - rn(r, 64);
			rsize = G;
		}
		if (!rsize)
			rsize = 1;
		switch (rn(r, 8)) {
		case 0: case 1: case 2: case 3:
			x.offset = roff;
			break;
		case 4: case 5:
			x.offset = roff + rn(r, rsize);
			x.size = 1 + rn(r, roff + rsize - x.offset);
			break;
		case 6:
			x.offset = roff;
			x.size = rsize + 1 + rn(r, 4 * G);
			break;
		default:
			x.offset = roff + rn(r, rsize);
			x.size = ~0ULL - rn(r, 64);
			break;
		}
		x.claims = chance(r, 5) ? 0 : chance(r, 10) ? ~0U : 1 + rn(r, 4);
		x.token = rnd(r);
		x.result = (int32_t)rnd(r);
		if ((int)i == badi) {
			if (chance(r, 50))
				x.flags = 1U << rn(r, 32);
			else
				x.pad = 1 + rn(r, 100);
		}
		/* As the kernel will see it. */
		ri2 = reg_find(s, x.offset);
		k = ri2 < 0 ? ref_at(s, x.offset) : -1;
		if (ri2 >= 0) {
			roff = s->reg[ri2].off;
			rsize = s->reg[ri2].size;
		} else if (k >= 0) {
			en = s->ref[k].ent;
			roff = shm->ent[en].off;
			rsize = shm->ent[en].size;
		}
		slot[i] = -1;
		if ((ri2 >= 0 || k >= 0) && x.claims &&
		    (!x.size || x.size <= roff + rsize - x.offset)) {
			/* May succeed: a slot, or make it fail surely. */
			if (budget <= 0) {
				x.claims = 0;
			} else {
				if (ri2 >= 0 && s->reg[ri2].ent < 0)
					s->reg[ri2].ent = ent_new(roff, rsize,
							s->reg[ri2].tag);
				if (ri2 >= 0) {
					en = s->reg[ri2].ent;
					s->reg[ri2].frozen = 1;
				}
				slot[i] = en < 0 ? -1 :
					  tok_new(en, x.offset, x.size ? x.size :
						  roff + rsize - x.offset, 0,
						  s->id);
				if (slot[i] < 0)
					x.claims = 0;
				else
					budget--;
			}
		}
		copy[i] = x;
	}
	/* Placed after the freezing: never inside a region now shared. */
	e = place_entries_sz(s, ne, sizeof(*e), &pl, &ri);
	if (pl == P_OK || pl == P_REGION)
		for (i = 0; i < ne; i++)
			e[i] = copy[i];
	b.entries = (uintptr_t)e;
	b.count = n;
	b.flags = chance(r, 4) ? 1U << rn(r, 32) : 0;
	b.align = chance(r, 4) ? 8 : 0;
	b.done = rnd(r);
	b.pad = chance(r, 4);
	cmd = vary_cmd(cmd0, &usize, &varied);
	arg = batch_arg(s, &b, usize, &apl, &ari, ri, &tail_nz);
	want = hold_batch_want(s, cmd0, usize, varied, apl, tail_nz, &b, pl,
			       badi >= 0);
	if (fault_mode && (pl == P_REGION || apl == P_REGION))
		want |= B(EFAULT);
	s->live_before = live;
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	chk(C_SHARE_BATCH, err, want, "SHARE_BATCH");
	if (!err) {
		struct gomem_batch out;
		u64 cap = ginfo.max_session_regions;

		memcpy(&out, arg, sizeof(out));
		for (i = 0; i < n; i++) {
			copy[i].token = e[i].token;
			copy[i].result = e[i].result;
		}
		for (i = 0; i < n; i++) {
			const struct gomem_share_entry *x = &copy[i];
			int ri2 = reg_find(s, x->offset), res = x->result, q;
			int k = ri2 < 0 ? ref_at(s, x->offset) : -1;
			u64 lo = s->nreg + s->nref + made;
			u64 hi = s->nreg + s->nref + live + made;
			emask ew;

			q = lo >= cap ? 2 : hi >= cap ? 1 : 0;
			if (!x->claims)
				ew = B(EINVAL);
			else if (ri2 < 0 && k < 0)
				ew = B(EINVAL) | B(EPERM);
			else if (slot[i] < 0)
				ew = B(EINVAL);		/* the range */
			else if (q == 2)
				ew = B(EDQUOT);
			else
				ew = OK | B(ENOMEM) | (q ? B(EDQUOT) : 0);
			if (res > 0 || res < -127)
				fail("SHARE_BATCH entry %u: result %d", i, res);
			chk(C_ENTRY_SHARE, -res, ew, "SHARE_BATCH entry");
			if (x->offset != e[i].offset || x->size != e[i].size ||
			    x->claims != e[i].claims || x->flags != e[i].flags ||
			    x->pad != e[i].pad)
				fail("SHARE_BATCH wrote entry %u's input fields", i);
			if (res) {
				if (slot[i] >= 0)
					tok_kill(slot[i], WHY_FAILED);
				continue;
			}
			if (!x->token)
				fail("SHARE_BATCH entry %u: token 0", i);
			if (tok_find(x->token) >= 0)
				fail("SHARE_BATCH entry %u: token %#llx a second "
				     "time", i, (u64)x->token);
			tok_publish(slot[i], x->token, x->claims);
			s->tok[s->ntok++] = slot[i];
			made++;
			done++;
		}
		if (out.done != done)
			fail("SHARE_BATCH done %u, %u entries succeeded",
			     out.done, done);
	} else {
		/* Nothing made, or (a failed write-back) all withdrawn. */
		for (i = 0; i < ne; i++)
			if (slot[i] >= 0)
				tok_kill(slot[i], WHY_FAILED);
	}
	region_refill(s, ri);
	region_refill(s, ari);
	hold_end(&me->main, 0);
	put_sess(s, "SHARE_BATCH");
}

/*
 * CLAIM_BATCH: tokens drawn as op_claim() draws one (live ones, the
 * session's own, forged), now and then one named twice; each entry judged
 * after the call in order, its reference counted before the next.
 */
/* Claims of token slots @tis (-1: none) in flight (+1) or done (-1). */
static void claiming_mark(const int *tis, unsigned int n, int d)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (tis[i] >= 0)
			atomic_fetch_add(&shm->ent[shm->tok[tis[i]].ent].claiming, d);
}

static void op_claim_batch(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	struct gomem_claim_entry *e, *copy = (void *)cur->cpy;
	unsigned int ne, n = hold_batch_count(sizeof(*e), &ne), i, usize;
	unsigned int cmd0 = GOMEM_IOC_CLAIM_BATCH, cmd, done = 0;
	int varied, ri, ari, err, tail_nz = 0, badi, budget;
	static __thread int tis[GOMEM_BATCH_MAX + 1];
	static __thread u64 st0[GOMEM_BATCH_MAX + 1];
	struct gomem_batch b = { 0 };
	enum place pl, apl;
	uint8_t *arg;
	emask want;
	long ret;

	budget = MAXREF - s->nref;
	badi = ne && chance(r, 5) ? (int)rn(r, ne) : -1;
	for (i = 0; i < ne; i++) {
		struct gomem_claim_entry x = { 0 };
		int ti = -1, c = rn(r, 100), en;

		if (c < 12 && i) {
			ti = tis[rn(r, i)];	/* once more */
			x.token = ti >= 0 ? atomic_load(&shm->tok[ti].value) :
					    copy[rn(r, i)].token;
		} else if (c < 75) {
			ti = pick_tok();
		} else if (c < 85 && s->ntok) {
			ti = s->tok[rn(r, s->ntok)];
		}
		if (ti >= 0)
			x.token = atomic_load(&shm->tok[ti].value);
		else if (c >= 12 || !i)
			x.token = forge_token();
		ti = tok_find(x.token);
		st0[i] = ti >= 0 ? atomic_load(&shm->tok[ti].state) : 0;
		/* A first reference to a region: within MAXREF, or forged. */
		if (ti >= 0 && tok_live(st0[i])) {
			en = shm->tok[ti].ent;
			if (ref_of(s, en) < 0) {
				unsigned int j;

				for (j = 0; j < i; j++)
					if (tis[j] >= 0 && tok_live(st0[j]) &&
					    shm->tok[tis[j]].ent == en)
						break;
				if (j == i && budget-- <= 0) {
					x.token = 0;
					ti = -1;
					st0[i] = 0;
				}
			}
		}
		tis[i] = ti;
		x.offset = rnd(r);
		x.size = rnd(r);
		x.result = (int32_t)rnd(r);
		if ((int)i == badi)
			x.flags = 1U << rn(r, 32);
		copy[i] = x;
	}
	e = place_entries_sz(s, ne, sizeof(*e), &pl, &ri);
	if (pl == P_OK || pl == P_REGION)
		for (i = 0; i < ne; i++)
			e[i] = copy[i];
	b.entries = (uintptr_t)e;
	b.count = n;
	b.flags = chance(r, 4) ? 1U << rn(r, 32) : 0;
	b.align = chance(r, 4) ? 4096 : 0;
	b.done = rnd(r);
	b.pad = chance(r, 4);
	cmd = vary_cmd(cmd0, &usize, &varied);
	arg = batch_arg(s, &b, usize, &apl, &ari, ri, &tail_nz);
	want = hold_batch_want(s, cmd0, usize, varied, apl, tail_nz, &b, pl,
			       badi >= 0);
	if (fault_mode && (pl == P_REGION || apl == P_REGION))
		want |= B(EFAULT);
	s->live_before = sess_tokens_live(s);
	claiming_mark(tis, ne, 1);
	hold_begin(&me->main);
	fi_begin();
	ret = ioctl(sess_fd(s), cmd, arg);
	err = ret ? errno : 0;
	fi_end();
	chk(C_CLAIM_BATCH, err, want, "CLAIM_BATCH");
	if (!err) {
		struct gomem_batch out;

		memcpy(&out, arg, sizeof(out));
		for (i = 0; i < n; i++) {
			copy[i].offset = e[i].offset;
			copy[i].size = e[i].size;
			copy[i].result = e[i].result;
		}
		for (i = 0; i < n; i++) {
			int ti = tis[i], res = copy[i].result, q = quota(s);
			int have = ti >= 0 && ref_of(s, shm->tok[ti].ent) >= 0;
			emask ew;

			if (!tok_live(st0[i]))
				ew = B(ENOENT);
			else if (have || !q)
				ew = OK | B(ENOENT) | B(ENOMEM);
			else if (q == 1)
				ew = OK | B(ENOENT) | B(ENOMEM) | B(EDQUOT);
			else
				ew = B(ENOENT) | B(EDQUOT);
			if (res > 0 || res < -127)
				fail("CLAIM_BATCH entry %u: result %d", i, res);
			rec(claim_kind(ti, st0[i]), -res);
			chk(C_ENTRY_CLAIM, -res, ew, "CLAIM_BATCH entry");
			if (copy[i].token != e[i].token || e[i].flags)
				fail("CLAIM_BATCH wrote entry %u's input fields", i);
			if (res)
				continue;
			if (copy[i].offset != shm->tok[ti].off ||
			    copy[i].size != shm->tok[ti].size)
				fail("CLAIM_BATCH entry %u of %#llx gave [%#llx, "
				     "+%#llx); it shares [%#llx, +%#llx)", i,
				     (u64)copy[i].token, (u64)copy[i].offset,
				     (u64)copy[i].size, shm->tok[ti].off,
				     shm->tok[ti].size);
			ref_add(s, shm->tok[ti].ent);
			if (tok_take(ti) < 0)
				fail("token %#llx claimed more times than it was "
				     "made for", (u64)copy[i].token);
			done++;
		}
		if (out.done != done)
			fail("CLAIM_BATCH done %u, %u entries succeeded",
			     out.done, done);
	}
	region_refill(s, ri);
	region_refill(s, ari);
	if (err == EFAULT && cur->injected && (want & OK)) {
		/* Inside the window: which claims stand is unknown. */
		sess_restart(s, "CLAIM_BATCH's write-back failed");
		claiming_mark(tis, ne, -1);
		hold_end(&me->main, 0);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	claiming_mark(tis, ne, -1);
	hold_end(&me->main, 0);
	if (!err)
		for (i = 0; i < n; i++)
			if (!copy[i].result) {
				struct region rg = ent_region(shm->tok[tis[i]].ent);

				win_check(&rg, copy[i].offset, copy[i].size,
					  "a range claimed by CLAIM_BATCH");
			}
	put_sess(s, "CLAIM_BATCH");
}

static void op_verify(void)
{
	struct sess *s = pick_sess();

	check_sess_patterns(s, "verify");
	check_refs(s, "verify");
	put_sess(s, "verify");
}

static void op_dup_close(void)
{
	struct sess *s = pick_sess();
	u64 *r = &cur->rng;
	int fd, err;

	if (chance(r, 8)) {
		sess_close(s, "before closing the session");
		if (chance(r, 80))
			sess_open(s);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	if (s->nfds < MAXFDS && chance(r, 60)) {
		fd = dup(s->fds[0]);
		err = fd < 0 ? errno : 0;
		chk(C_DUP, err, OK | B(EMFILE), "dup");
		if (fd >= 0)
			s->fds[s->nfds++] = fd;
	} else if (s->nfds > 1) {
		int i = rn(r, s->nfds);

		err = close(s->fds[i]) ? errno : 0;
		chk(C_CLOSE, err, OK, "close of a dup");
		s->fds[i] = s->fds[--s->nfds];
	}
	put_sess(s, "dup/close");
}

/* In a child: close every inherited fd but @keep. */
static void child_close_fds(int keep)
{
	int i;

	/* Never outlive the worker, even one that failed. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	for (i = 3; i < 256; i++)
		if (i != keep)
			close(i);
}

static void child_signal(int fd)
{
	char c = 1;

	if (write(fd, &c, 1) != 1)
		_exit(3);
	close(fd);
}

static void parent_wait_ready(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
}

/*
 * A child verifies the session's regions through the inherited mapping
 * (and pread() on its own read-only session), then exits.
 */
static void op_fork_verify(void)
{
	struct sess *s = pick_sess();
	struct slot *cs = &me->child[cur->t];
	int pfd[2], st, err;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		put_sess(s, "fork");
		return;
	}
	pthread_rwlock_wrlock(&reflock);
	atomic_store(&cs->inflight, 1);
	fi_begin();
	pid = fork();
	err = pid < 0 ? errno : 0;
	if (pid == 0) {
		int i, fd;
		u64 bad;

		cur->injected = 0;
		child_close_fds(pfd[1]);
		child_signal(pfd[1]);
		cov_thread_start();
		for (i = 0; i < s->nreg; i++) {
			struct region *rg = &s->reg[i];
			int t = touch(T_CHECK, win + rg->off, rg->tag, rg->off, rg->size, &bad);

			if (t)
				fail("child: region %#llx+%#llx wrong (%d) at %#llx",
				     rg->off, rg->size, t, bad);
			/* Rewrite it as it is: the child may write too. */
			if (rg->size <= 4096 && (i & 1) && !rg->frozen)
				touch(T_FILL, win + rg->off, rg->tag, rg->off, rg->size, &bad);
		}
		fd = open(opt_dev, O_RDONLY);
		if (fd >= 0 && s->nreg) {
			struct region *rg = &s->reg[0];
			u64 len = rg->size < BUFPAGES * PS ? rg->size : BUFPAGES * PS;
			ssize_t n = pread(fd, cur->buf, len, rg->off);

			if (n < 0 && fault_mode && (errno == ENOMEM || errno == EINTR))
				n = len = 0;
			if (n != (ssize_t)len ||
			    pat_check(cur->buf, rg->tag, rg->off, len) != UINT64_MAX)
				fail("child: pread of region %#llx: %zd", rg->off, n);
		}
		cov_thread_collect();
		_exit(0);
	}
	fi_end();
	close(pfd[1]);
	chk(C_FORK, err, OK | B(EAGAIN) | B(ENOMEM), "fork");
	if (pid > 0) {
		parent_wait_ready(pfd[0]);
		atomic_fetch_add(&me->forks, 1);
	} else {
		close(pfd[0]);
	}
	pthread_rwlock_unlock(&reflock);
	if (pid > 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fail("verifying child exited with status %#x", st);
	}
	hold_end(cs, 0);
	atomic_store(&cs->inflight, 0);
	put_sess(s, "fork");
}

/*
 * Now and then, a token of one of the worker's regions for a child alone
 * (private: no other process picks it).  Returns its slot, or -1; the
 * session stays locked (*@sp) until the child is reaped and the token
 * cancelled.
 */
static int child_token(struct sess **sp, u64 *token, struct region *prg)
{
	u64 *r = &cur->rng;
	struct sess *s = pick_sess();
	struct region *rg;
	struct gomem_share sh = { 0 };
	int ti, err, q;

	*sp = s;
	if (!s->nreg)
		return -1;
	rg = &s->reg[rn(r, s->nreg)];
	if (rg->ent < 0)
		rg->ent = ent_new(rg->off, rg->size, rg->tag);
	if (rg->ent < 0)
		return -1;
	rg->frozen = 1;
	ti = tok_new(rg->ent, rg->off, rg->size, 1, s->id);
	if (ti < 0)
		return -1;
	sh.offset = rg->off;
	sh.claims = 1 + rn(r, 2);
	q = quota(s);
	hold_begin(&me->main);
	err = ioctl(s->fds[0], GOMEM_IOC_SHARE, &sh) ? errno : 0;
	chk(C_SHARE, err, q == 2 ? B(EDQUOT) : OK | B(ENOMEM) |
	    (q ? B(EDQUOT) : 0), "SHARE for a child");
	if (!err)
		tok_publish(ti, sh.token, sh.claims);
	else
		tok_kill(ti, WHY_FAILED);
	hold_end(&me->main, 0);
	*token = sh.token;
	*prg = *rg;
	return err ? -1 : ti;
}

/*
 * A child opens its own session, allocates, writes and frees until the
 * worker SIGKILLs it after a random delay; the kernel must take back all
 * it held (oracle 4 and the end checks).  Some children first claim a
 * token the worker made for them (and so die holding a reference); some
 * share one of their regions with everyone (claims of it then meet a
 * dead maker, or keep an orphan alive).  After the reaping, the worker
 * marks what the child made as gone and cancels the child's token.
 */
static void op_kill_child(void)
{
	struct slot *cs = &me->child[cur->t];
	struct crec *cr = &me->crec[cur->t];
	u64 *r = &cur->rng;
	u64 delay = rn(r, 20000), cseed = rnd(r), ptok = 0;
	int pfd[2], st, err, pti = -1, share = chance(r, 40), i, flying = 0;
	static __thread unsigned int kid;
	unsigned int cid = CHILD_MAKER | cur->t << 16 | (kid++ & 0xffff);
	struct region prg = { 0 };
	struct sess *s = NULL;
	pid_t pid;

	if (chance(r, 40))
		pti = child_token(&s, &ptok, &prg);
	if (pipe2(pfd, O_CLOEXEC)) {
		pfd[0] = pfd[1] = -1;
		pid = -1;
		goto reaped;
	}
	atomic_store(&cr->nent, 0);
	atomic_store(&cr->ntok, 0);
	pthread_rwlock_wrlock(&reflock);
	atomic_store(&cs->inflight, 1);
	flying = 1;
	fi_begin();
	pid = fork();
	err = pid < 0 ? errno : 0;
	if (pid == 0) {
		u64 offs[64], sizes[64], rs = cseed, shared = ~0ULL;
		unsigned int n = 0, hid = atomic_fetch_add(&shm->next_hid, 1) + 1;
		int fd, she = -1;

		cur->injected = 0;
		child_close_fds(pfd[1]);
		child_signal(pfd[1]);
		cov_thread_start();
		fd = open(opt_dev, O_RDWR);
		if (fd < 0)
			_exit(0);
		if (pti >= 0 && chance(&rs, 80)) {
			struct gomem_claim cl = { .token = ptok };
			u64 bad = 0;
			int t;

			if (!ioctl(fd, GOMEM_IOC_CLAIM, &cl)) {
				t = touch(T_CHECK, win + prg.off, prg.tag,
					  prg.off, prg.size, &bad);
				if (cl.offset != prg.off || cl.size != prg.size || t)
					fail("kill-child: claimed %#llx+%#llx: "
					     "[%#llx, +%#llx), pattern %d at %#llx",
					     prg.off, prg.size, (u64)cl.offset,
					     (u64)cl.size, t, bad);
			} else if (!fault_mode ||
				   (errno != ENOMEM && errno != EINTR)) {
				fail("kill-child: CLAIM of its token: %s",
				     strerrorname_np(errno));
			}
		}
		for (;;) {
			struct gomem_alloc a = { .size = 1 + rn(&rs, 16384) };
			struct gomem_free f;

			if (n < 64 && !ioctl(fd, GOMEM_IOC_ALLOC, &a)) {
				u64 tag = rs, sz = align_up(a.size, G);

				offs[n] = a.offset;
				sizes[n++] = sz;
				holder_set(hid, a.offset, sz);
				pat_fill(win + a.offset, tag, a.offset, sz);
				if (chance(&rs, 30)) {
					ssize_t k = pwrite(fd, win + a.offset, a.size, a.offset);

					(void)k;
				}
				/* Shared with everyone: never written again. */
				if (share && shared == ~0ULL &&
				    atomic_load(&cr->nent) < 4) {
					struct gomem_share sh = {
						.offset = a.offset,
						.claims = 1 + rn(&rs, 3) };
					int ti, ne = atomic_load(&cr->nent);

					she = ent_new(a.offset, sz, tag);
					if (she < 0)
						continue;
					cr->ent[ne] = she;
					atomic_store(&cr->nent, ne + 1);
					ti = tok_new(she, a.offset, sz, 0, cid);
					if (ti < 0)
						continue;
					cr->tok[atomic_load(&cr->ntok)] = ti;
					atomic_fetch_add(&cr->ntok, 1);
					if (!ioctl(fd, GOMEM_IOC_SHARE, &sh)) {
						tok_publish(ti, sh.token, sh.claims);
						shared = a.offset;
					} else {
						tok_kill(ti, WHY_FAILED);
					}
				}
			} else if (n) {
				unsigned int i = rn(&rs, n);

				f.offset = offs[i];
				f.size = sizes[i];
				if (ioctl(fd, GOMEM_IOC_FREE, &f))
					fail("kill-child: FREE: %s", strerrorname_np(errno));
				if (offs[i] == shared) {
					atomic_store(&shm->ent[she].owned, 0);
					shared = ~0ULL;
				}
				offs[i] = offs[--n];
				sizes[i] = sizes[n];
			}
			cov_thread_collect();
		}
	}
	fi_end();
	close(pfd[1]);
	chk(C_FORK, err, OK | B(EAGAIN) | B(ENOMEM), "fork");
	if (pid > 0)
		parent_wait_ready(pfd[0]);
	else
		close(pfd[0]);
	pthread_rwlock_unlock(&reflock);
	if (pid > 0) {
		usleep(delay);
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st) && WEXITSTATUS(st))
			fail("allocating child exited with status %d", WEXITSTATUS(st));
		atomic_fetch_add(&me->kills, 1);
		atomic_fetch_add(&me->forks, 1);
	}
	/* Reaped: the kernel has released its session, references, tokens. */
	for (i = 0; i < atomic_load(&cr->nent); i++)
		atomic_store(&shm->ent[cr->ent[i]].owned, 0);
	for (i = 0; i < atomic_load(&cr->ntok); i++)
		tok_kill(cr->tok[i], WHY_KILLED);
reaped:
	if (pti >= 0) {
		/* Claims left, or all of them taken by the child: gone now. */
		struct gomem_token tk = { .token = ptok };

		hold_begin(&me->main);
		for (i = 0; i < 100; i++) {
			err = ioctl(s->fds[0], GOMEM_IOC_CANCEL, &tk) ? errno : 0;
			if (err != EINTR)
				break;
		}
		chk(C_CANCEL, err, OK | B(ENOENT), "CANCEL of a child's token");
		tok_kill(pti, WHY_CANCEL);
		hold_end(&me->main, 0);
	}
	if (flying) {
		atomic_store(&cs->holdings, 0);
		atomic_fetch_add(&cs->gen, 1);
		atomic_store(&cs->inflight, 0);
	}
	if (s)
		put_sess(s, "kill child");
}

/* ---- private arenas: ARENA_CREATE, ARENA_OPEN, ARENA_DUP ---- */

/*
 * Each worker keeps up to MAXAR private arenas in ar[], each under its
 * own mutex: the arena descriptor (read-write or read-only, or closed
 * while the rest lives), one session of the worker's own (sfd) with its
 * regions, and that session's mapping of the arena's whole window (which
 * may outlive the session and the descriptor).  Nobody else uses an
 * arena of the table but a child of the thread holding its mutex, reaped
 * before the mutex is let go; so whenever the mutex is taken the arena's
 * STATS are exact: in_use is the session's bytes, one session, no
 * references, tokens or orphans.  The mapping is MADV_DONTFORK and every
 * child closes the descriptors it inherits (under reflock, as for the
 * device's), so the arena is gone the moment the worker lets go of its
 * last descriptor, session and mapping: its "private-<id>" line must have
 * left debugfs's gomem/arenas (read under reflock, which no fork holds
 * then).
 */
#define MAXAR		4
#define AREG		16

struct areg {
	u64 off, size, tag;
};

struct arena {
	pthread_mutex_t lock;
	int used;
	int fd, ro;		/* the descriptor (-1: closed), read-only */
	int sfd, sro;		/* the worker's session (-1: none) */
	uint8_t *map;		/* sfd's mapping of the window, or NULL */
	int mapw;		/* mapped writable */
	struct gomem_info info;
	int nreg;
	struct areg reg[AREG];
	u64 bytes;
	u64 freed;		/* an offset freed last: double frees */
};

static struct arena ar[MAXAR];
static int max_arenas = 64;	/* the module's max_arenas */
static const char arenas_path[] = "/sys/kernel/debug/gomem/arenas";

static void ar_init(void)
{
	int i;

	for (i = 0; i < MAXAR; i++) {
		pthread_mutex_init(&ar[i].lock, NULL);
		ar[i].fd = ar[i].sfd = -1;
	}
}

/*
 * The private-<id> lines of debugfs gomem/arenas: with @id 0 how many,
 * else whether private-<id> is one.  -1: unreadable.
 */
static __thread char arena_line[160];	/* arenas_scan(id)'s line */

static int arenas_scan(unsigned int id)
{
	static __thread char buf[32768];
	char name[32];
	size_t len = 0, nl;
	ssize_t n;
	int fd, count = 0;
	char *p;

	fd = open(arenas_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	if (n < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	buf[len] = 0;
	nl = snprintf(name, sizeof(name), "private-%u ", id);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (id ? !strncmp(p, name, nl) : !strncmp(p, "private-", 8)) {
			count++;
			if (id)
				snprintf(arena_line, sizeof(arena_line), "%.*s",
					 (int)(strchr(p, '\n') ? strchr(p, '\n') - p : 100), p);
		}
	}
	return count;
}

/* A call under fail-nth (if it draws it): its errno or 0. */
static int ar_ioctl(int fd, unsigned long cmd, void *arg)
{
	int err;

	fi_begin();
	err = ioctl(fd, cmd, arg) ? errno : 0;
	fi_end();
	return err;
}

/* A call that must succeed but for injected faults: retried. */
static int ar_must(int call, int fd, unsigned long cmd, void *arg,
		   const char *what)
{
	int tries, err = 0;

	clear_injected();
	for (tries = 0; tries < 200; tries++) {
		err = ioctl(fd, cmd, arg) ? errno : 0;
		if (!err || !fault_mode || (err != ENOMEM && err != EINTR))
			break;
	}
	chk(call, err, OK, what);
	return err;
}

static u64 pg_up(u64 x)
{
	return x > ~0ULL - (PS - 1) ? 0 : (x + PS - 1) & ~(PS - 1);
}

/* What the uAPI says of a struct gomem_arena_create; *@ri: the INFO. */
static emask geom_expect(const struct gomem_arena_create *c,
			 struct gomem_info *ri, u64 *reserve)
{
	u64 ms, mc, is, rec, dms = ginfo.max_size, pages, pool = 1;
	u64 maxrec = ginfo.max_session_regions > 4096 ?
		     ginfo.max_session_regions : 4096;

	*reserve = 0;
	if (c->flags & ~GOMEM_ARENA_CLOEXEC)
		return B(EINVAL);
	if (c->policy > GOMEM_POLICY_AVL_ABI ||
	    c->source > GOMEM_SOURCE_BUDDY)
		return B(EINVAL);
	ms = c->max_size ? c->max_size : dms;
	if (ms > dms)
		return B(EINVAL);
	mc = c->max_chunk ? c->max_chunk : (ms < (4ULL << 20) ? ms : 4ULL << 20);
	is = c->initial_size ? c->initial_size :
	     (mc < (1ULL << 20) ? mc : 1ULL << 20);
	rec = c->max_session_regions;
	if (!rec) {
		rec = ms >> 7;
		if (rec < 4096)
			rec = 4096;
		if (rec > 0xffffffffULL)
			rec = 0xffffffffULL;
	}
	if (rec > maxrec)
		return B(EINVAL);
	/*
	 * "initial above max_chunk, max_chunk above max_size": compared in
	 * pages (the arena rounds them up); a value that cannot be rounded
	 * (within a page of 2^64) is above anything.
	 */
	if (!pg_up(is) || !pg_up(mc) || pg_up(is) > pg_up(mc) ||
	    pg_up(mc) > pg_up(ms))
		return B(EINVAL);
	if (c->source == GOMEM_SOURCE_BUDDY) {
		pages = pg_up(is) / PS;
		while (pool < pages)
			pool <<= 1;
		if (pool * PS > pg_up(ms))
			return B(EINVAL);
		pool = 1;
		while (pool < pg_up(ms) / PS)
			pool <<= 1;
		*reserve = pool * PS;
	} else {
		*reserve = pg_up(is);
	}
	memset(ri, 0, sizeof(*ri));
	ri->abi_version = ginfo.abi_version;
	ri->page_size = ginfo.page_size;
	ri->initial_size = pg_up(is);
	ri->max_chunk = pg_up(mc);
	ri->max_size = pg_up(ms);
	ri->granule = ginfo.granule;
	ri->policy = c->policy;
	ri->source = c->source;
	ri->max_session_regions = rec;
	ri->max_session_bytes = c->max_session_bytes;
	ri->arena_kind = GOMEM_ARENA_KIND_PRIVATE;
	return OK;
}

static u64 geom_edge(void)
{
	u64 *r = &cur->rng;

	switch (rn(r, 14)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return PS - 1;
	case 3: return PS;
	case 4: return PS + 1;
	case 5: return ginfo.max_size;
	case 6: return ginfo.max_size + 1;
	case 7: return ginfo.max_size - PS + 1;
	case 8: return 1ULL << 52;
	case 9: return 1ULL << 63;
	case 10: return ~0ULL;
	case 11: return ~0ULL - PS + 2;
	case 12: return rnd(r);
	default: return rn(r, 1ULL << (10 + rn(r, 20)));
	}
}

/* A geometry: valid and small, or any field garbage. */
static void gen_geom(struct gomem_arena_create *c)
{
	u64 *r = &cur->rng, dms = ginfo.max_size, ms;

	memset(c, 0, sizeof(*c));
	c->fd = (int)rnd(r);
	c->policy = rn(r, 2);
	c->source = chance(r, 30);
	c->flags = chance(r, 50) ? GOMEM_ARENA_CLOEXEC : 0;
	if (chance(r, 65)) {
		ms = PS << rn(r, 9);		/* up to 256 pages */
		if (ms > dms)
			ms = dms & ~(PS - 1);
		c->max_size = chance(r, 10) ? ms + 1 + rn(r, PS - 1) : ms;
		c->max_chunk = chance(r, 20) ? 0 : PS * (1 + rn(r, ms / PS));
		c->initial_size = chance(r, 20) ? 0 :
			PS * (1 + rn(r, (c->max_chunk ? c->max_chunk : ms) / PS));
		if (c->source == GOMEM_SOURCE_BUDDY && chance(r, 70))
			c->initial_size = c->max_chunk = PS << rn(r, 3);
		switch (rn(r, 4)) {
		case 0: c->max_session_bytes = 0; break;
		case 1: c->max_session_bytes = 1 + rn(r, 64 * 1024); break;
		default: c->max_session_bytes = rn(r, 4) ? 0 : ms / 2;
		}
		c->max_session_regions = chance(r, 40) ? 1 + rn(r, 8) :
					 chance(r, 50) ? 0 : 4096;
		return;
	}
	/* Garbage: every field from the edges, some the same. */
	c->initial_size = geom_edge();
	c->max_chunk = chance(r, 20) ? c->initial_size : geom_edge();
	c->max_size = chance(r, 20) ? c->max_chunk : geom_edge();
	c->max_session_bytes = geom_edge();
	c->max_session_regions = chance(r, 30) ? rn(r, 8192) : geom_edge();
	if (chance(r, 30))
		c->policy = chance(r, 50) ? 2 : (unsigned int)rnd(r);
	if (chance(r, 30))
		c->source = chance(r, 50) ? 2 : (unsigned int)rnd(r);
	if (chance(r, 30))
		c->flags = chance(r, 50) ? 1U << rn(r, 32) : (unsigned int)rnd(r);
}

/* The arenas this run may have at once: all of its workers' most. */
static int arenas_bound(void)
{
	return opt_procs * (MAXAR + opt_threads);
}

/* INFO of an arena descriptor or session of @a must be its creation's. */
static void ar_info_check(const struct gomem_info *want, int fd, int ro,
			  const char *what)
{
	struct gomem_info gi, w = *want;

	memset(&gi, 0x5a, sizeof(gi));
	if (ar_must(C_AR_INFO, fd, GOMEM_IOC_INFO, &gi, what))
		return;
	w.session_flags = ro ? GOMEM_SESSION_READONLY : 0;
	if (!w.map_size)
		w.map_size = gi.map_size;
	if (!w.arena_id)
		w.arena_id = gi.arena_id;
	if (memcmp(&gi, &w, sizeof(gi)))
		fail("%s: INFO initial %llu max_chunk %llu max_size %llu map %llu "
		     "granule %u policy %u source %u flags %u records %llu bytes "
		     "%llu kind %u id %u; want %llu %llu %llu %llu %u %u %u %u "
		     "%llu %llu %u %u", what, (u64)gi.initial_size,
		     (u64)gi.max_chunk, (u64)gi.max_size, (u64)gi.map_size,
		     gi.granule, gi.policy, gi.source, gi.session_flags,
		     (u64)gi.max_session_regions, (u64)gi.max_session_bytes,
		     gi.arena_kind, gi.arena_id, (u64)w.initial_size,
		     (u64)w.max_chunk, (u64)w.max_size, (u64)w.map_size,
		     w.granule, w.policy, w.source, w.session_flags,
		     (u64)w.max_session_regions, (u64)w.max_session_bytes,
		     w.arena_kind, w.arena_id);
	if (!gi.arena_id || gi.map_size < gi.max_size)
		fail("%s: INFO arena_id %u map_size %llu (max_size %llu)", what,
		     gi.arena_id, (u64)gi.map_size, (u64)gi.max_size);
}

/*
 * Close a descriptor of a private arena under reflock: no child of a
 * fork holds an inherited copy then (which would keep its session or
 * arena alive past the close the bookkeeping counts).
 */
static void ar_close(int fd, const char *what)
{
	pthread_rwlock_rdlock(&reflock);
	chk(C_AR_CLOSE, close(fd) ? errno : 0, OK, what);
	pthread_rwlock_unlock(&reflock);
}

static void cloexec_check(int fd, int want, const char *what)
{
	int f = fcntl(fd, F_GETFD);

	if (f < 0 || !!(f & FD_CLOEXEC) != !!want)
		fail("%s: FD_CLOEXEC %d, asked %d", what, f < 0 ? -1 : f & FD_CLOEXEC,
		     want);
}

/*
 * Let go of @a's descriptor, session, mapping (those asked); if nothing
 * is left the arena must be gone from debugfs (unless @held: someone
 * else, a child, still has it).  Under reflock: no child holds an
 * inherited descriptor.
 */
static void ar_put(struct arena *a, int fd, int sess, int map, int held,
		   const char *why)
{
	int n;

	pthread_rwlock_rdlock(&reflock);
	if (fd && a->fd >= 0) {
		chk(C_AR_CLOSE, close(a->fd) ? errno : 0, OK, why);
		a->fd = -1;
	}
	if (sess && a->sfd >= 0) {
		chk(C_AR_CLOSE, close(a->sfd) ? errno : 0, OK, why);
		a->sfd = -1;
		a->nreg = 0;
		a->bytes = 0;
	}
	if (map && a->map) {
		if (munmap(a->map, a->info.map_size))
			fail("munmap of a private arena: %s", strerror(errno));
		a->map = NULL;
	}
	if (a->fd < 0 && a->sfd < 0 && !a->map) {
		a->used = 0;
		if (!held && (n = arenas_scan(a->info.arena_id)) > 0)
			fail("%s: private-%u still in debugfs gomem/arenas after "
			     "its last descriptor, session and mapping went: %s",
			     why, a->info.arena_id, arena_line);
	}
	pthread_rwlock_unlock(&reflock);
}

/* Map the window of @a's session (not inherited by children). */
static void ar_map(struct arena *a)
{
	int prot = PROT_READ | (a->sro ? 0 : PROT_WRITE);
	void *p;

	if (a->map)
		ar_put(a, 0, 0, 1, 1, "remap");
	/*
	 * Under reflock: a fork between the mmap and the madvise would give
	 * its child the mapping (and the arena a holder the worker does not
	 * know of).
	 */
	pthread_rwlock_rdlock(&reflock);
	p = mmap(NULL, a->info.map_size, prot, MAP_SHARED, a->sfd, 0);
	if (p == MAP_FAILED) {
		pthread_rwlock_unlock(&reflock);
		chk(C_AR_MMAP, errno, fault_mode ? B(ENOMEM) : 0,
		    "mmap of a private arena's window");
		return;
	}
	if (madvise(p, a->info.map_size, MADV_DONTFORK))
		fail("MADV_DONTFORK: %s", strerror(errno));
	pthread_rwlock_unlock(&reflock);
	chk(C_AR_MMAP, 0, OK, "mmap");
	a->map = p;
	a->mapw = !a->sro;
}

/* A session of @a (read-only if @ro): ARENA_OPEN, its INFO, its window. */
static int ar_open_sess(struct arena *a, int ro)
{
	struct gomem_arena_open o = { .fd = -1 };
	int err, cx = chance(&cur->rng, 50);

	o.flags = (ro ? GOMEM_ARENA_READONLY : 0) | (cx ? GOMEM_ARENA_CLOEXEC : 0);
	err = ar_ioctl(a->fd, GOMEM_IOC_ARENA_OPEN, &o);
	chk(C_AR_OPEN, err, !ro && a->ro ? B(EBADF) : OK,
	    "ARENA_OPEN of a session");
	if (err)
		return err;
	if (a->sfd >= 0)
		ar_put(a, 0, 1, 0, 1, "a new session");
	a->sfd = o.fd;
	a->sro = ro;
	a->nreg = 0;
	a->bytes = 0;
	a->freed = ~0ULL;
	cloexec_check(a->sfd, cx, "ARENA_OPEN");
	ar_info_check(&a->info, a->sfd, ro, "INFO of a private session");
	ar_map(a);
	return 0;
}

/* Oracle: the arena's STATS are the worker's bookkeeping, exactly. */
static void ar_stats_check(struct arena *a, const char *after)
{
	struct gomem_stats st;

	if (a->sfd < 0)
		return;
	memset(&st, 0x5a, sizeof(st));
	if (ar_must(C_AR_STATS, a->sfd, GOMEM_IOC_STATS, &st, after))
		return;
	if (st.session_in_use != a->bytes || st.session_regions != (u64)a->nreg ||
	    st.in_use != a->bytes || st.sessions != 1 || st.refs || st.tokens ||
	    st.orphans || st.session_refs || st.session_tokens ||
	    st.free != st.capacity - st.in_use - st.front_held - st.parked)
		fail("private-%u after %s: in_use %llu (session %llu in %llu), "
		     "%llu sessions, %llu refs, %llu tokens, %llu orphans; the "
		     "worker holds %llu in %d, 1 session, nothing else",
		     a->info.arena_id, after, (u64)st.in_use,
		     (u64)st.session_in_use, (u64)st.session_regions,
		     (u64)st.sessions, (u64)st.refs, (u64)st.tokens,
		     (u64)st.orphans, a->bytes, a->nreg);
}

static void ar_check_regions(struct arena *a, const char *when)
{
	u64 bad = 0;
	int i, r;

	if (!a->map)
		return;
	for (i = 0; i < a->nreg; i++) {
		r = touch(T_CHECK, a->map + a->reg[i].off, a->reg[i].tag,
			  a->reg[i].off, a->reg[i].size, &bad);
		if (r)
			fail("private-%u region %#llx+%#llx %s: %s at %#llx",
			     a->info.arena_id, a->reg[i].off, a->reg[i].size,
			     when, r > 0 ? "signal" : "pattern", bad);
	}
}

/* Pick a slot and lock it. */
static struct arena *ar_pick(void)
{
	struct arena *a = &ar[rn(&cur->rng, MAXAR)];

	pthread_mutex_lock(&a->lock);
	cur->injected = 0;
	return a;
}

/*
 * ARENA_CREATE on session fd @sfd (@ro: read-only), garbage or valid
 * geometry, the struct's size, direction and place varied; the new arena
 * goes into @a if it is free (else it is closed at once).
 */
static void ar_create(struct arena *a, int sfd, int ro)
{
	u64 *r = &cur->rng, reserve;
	struct gomem_arena_create c, *arg;
	struct gomem_info want_i;
	unsigned int usize, cmd;
	int varied, err, tail = 0, fd, wrongdir = 0, tries;
	enum place pl = P_OK;
	emask want, geo;

	for (tries = 0; tries < 8; tries++) {
		gen_geom(&c);
		geo = geom_expect(&c, &want_i, &reserve);
		/* Big reservations (a 64 MiB pool...) now and then only. */
		if (!(geo & OK) || reserve <= (8ULL << 20) || chance(r, 5))
			break;
	}
	cmd = vary_cmd(GOMEM_IOC_ARENA_CREATE, &usize, &varied);
	if (chance(r, 3)) {
		cmd = _IOC(rn(r, 3), GOMEM_IOC_MAGIC, _IOC_NR(GOMEM_IOC_ARENA_CREATE),
			   usize);
		wrongdir = 1;
	}
	arg = (void *)(cur->scr + PS - 256);
	if (chance(r, 8)) {
		static const enum place pls[] = { P_NULL, P_NONE, P_STRADDLE,
						  P_RO, P_KERNEL };
		pl = pls[rn(r, 5)];
		arg = pl == P_NULL ? NULL : pl == P_NONE ? (void *)(cur->scr + 2 * PS + 64) :
		      pl == P_STRADDLE ? (void *)(cur->scr + 2 * PS - usize / 2) :
		      pl == P_RO ? (void *)(cur->scr + 3 * PS) :
		      (void *)0xffff888000000000ULL;
		/* Zeroes up to the hole: EFAULT, never E2BIG, for a big size. */
		if (pl == P_STRADDLE)
			memset(arg, 0, cur->scr + 2 * PS - (uint8_t *)arg);
	}
	if (pl == P_OK) {
		memset(arg, 0, 256);
		memcpy(arg, &c, usize < sizeof(c) ? usize : sizeof(c));
		if (usize > sizeof(c) && chance(r, 50)) {
			((uint8_t *)arg)[sizeof(c) + rn(r, usize - sizeof(c))] = 1 + rn(r, 255);
			tail = 1;
		}
	}
	if (wrongdir)
		want = B(ENOTTY);
	else if (ro)
		want = B(EBADF);
	else if (usize < GOMEM_ARENA_CREATE_SIZE_VER0)
		want = B(EINVAL);
	else if (pl != P_OK)
		want = B(EFAULT);
	else if (tail)
		want = B(E2BIG);
	else
		want = geo;
	if ((want & OK) && arenas_bound() >= max_arenas)
		want |= B(EMFILE);
	if ((want & OK) && reserve > (16ULL << 20))
		want |= B(ENOMEM);
	err = ar_ioctl(sfd, cmd, arg);
	{
		char what[300];

		snprintf(what, sizeof(what), "ARENA_CREATE (size %u, dir %u, place %d, "
			 "tail %d, ro %d) initial %#llx max_chunk %#llx max_size %#llx "
			 "bytes %#llx regions %#llx policy %u source %u flags %#x",
			 usize, _IOC_DIR(cmd), pl, tail, ro, (u64)c.initial_size,
			 (u64)c.max_chunk, (u64)c.max_size, (u64)c.max_session_bytes,
			 (u64)c.max_session_regions, c.policy, c.source, c.flags);
		chk(C_AR_CREATE, err, want, what);
	}
	if (err)
		return;
	fd = arg->fd;
	if (fd < 0 || fd == c.fd)
		fail("ARENA_CREATE: descriptor %d", fd);
	cloexec_check(fd, c.flags & GOMEM_ARENA_CLOEXEC, "ARENA_CREATE");
	ar_info_check(&want_i, fd, 0, "INFO of a new arena descriptor");
	if (a->used || reserve > (8ULL << 20)) {
		/*
		 * No room in the table, or a big arena (memory the VM may
		 * not have many times): made and closed at once.
		 */
		struct arena t = { .fd = fd, .sfd = -1, .used = 1 };
		int bad = ar_must(C_AR_INFO, fd, GOMEM_IOC_INFO, &t.info, "INFO");

		ar_put(&t, 1, 1, 1, bad, "an arena closed after its creation");
		return;
	}
	a->used = 1;
	a->fd = fd;
	a->ro = 0;
	a->sfd = -1;
	a->map = NULL;
	a->nreg = 0;
	a->bytes = 0;
	a->info = want_i;
	if (ar_must(C_AR_INFO, fd, GOMEM_IOC_INFO, &a->info, "INFO"))
		ar_put(a, 1, 1, 1, 1, "INFO failed");
}

static void op_arena_create(void)
{
	struct arena *a = ar_pick();

	if (a->sfd >= 0 && !a->sro && chance(&cur->rng, 20)) {
		/* A private arena's session makes one too. */
		ar_create(a, a->sfd, 0);
	} else {
		struct sess *s = pick_sess();

		ar_create(a, sess_fd(s), s->mode == O_RDONLY);
		put_sess(s, "ARENA_CREATE");
	}
	ar_stats_check(a, "ARENA_CREATE");
	pthread_mutex_unlock(&a->lock);
}

/* Make sure @a holds an arena (a valid small one). */
static int ar_ensure(struct arena *a)
{
	struct gomem_arena_create c = { 0 };
	struct gomem_info wi;
	u64 reserve;
	struct sess *s;
	int err;

	if (a->used)
		return 0;
	c.max_size = 1ULL << 20;
	c.max_chunk = 256 * 1024;
	c.initial_size = 64 * 1024;
	c.policy = rn(&cur->rng, 2);
	c.flags = GOMEM_ARENA_CLOEXEC;
	if (chance(&cur->rng, 30))
		c.max_session_regions = 1 + rn(&cur->rng, 12);
	if (chance(&cur->rng, 20))
		c.max_session_bytes = 4096 * (1 + rn(&cur->rng, 32));
	if (geom_expect(&c, &wi, &reserve) != OK)
		fail("a valid geometry judged invalid");
	s = pick_sess();
	if (s->mode == O_RDONLY) {
		put_sess(s, "no ARENA_CREATE");
		return -1;
	}
	err = ar_ioctl(sess_fd(s), GOMEM_IOC_ARENA_CREATE, &c);
	chk(C_AR_CREATE, err, arenas_bound() >= max_arenas ? OK | B(EMFILE) : OK,
	    "ARENA_CREATE of a valid geometry");
	put_sess(s, "ARENA_CREATE");
	if (err)
		return -1;
	a->used = 1;
	a->fd = c.fd;
	a->ro = 0;
	a->sfd = -1;
	a->map = NULL;
	a->nreg = 0;
	a->bytes = 0;
	a->info = wi;
	ar_info_check(&wi, a->fd, 0, "INFO of a new arena");
	if (ar_must(C_AR_INFO, a->fd, GOMEM_IOC_INFO, &a->info, "INFO")) {
		ar_put(a, 1, 1, 1, 1, "INFO failed");
		return -1;
	}
	return 0;
}

/*
 * ARENA_OPEN / ARENA_DUP with random flags, sizes, directions, places;
 * INFO at every size; commands an arena descriptor does not take.
 */
static void op_arena_derive(void)
{
	struct arena *a = ar_pick();
	u64 *r = &cur->rng;
	struct gomem_arena_open *o;
	unsigned int usize, cmd, flags, base;
	int varied, err, nfd, dup, tail = 0, wrongdir = 0, ro;
	enum place pl = P_OK;
	emask want;

	if ((!a->used && ar_ensure(a)) || a->fd < 0)
		goto out;
	if (chance(r, 15)) {
		/* INFO at any size, or what an arena descriptor refuses. */
		uint8_t *b = cur->scr + PS - 256;
		unsigned int k = rn(r, 6);

		memset(b, 0xa5, 256);
		if (k == 0) {
			usize = rn(r, 2) ? rn(r, 120) : sizeof(struct gomem_info);
			err = ar_ioctl(a->fd, _IOC(_IOC_READ, GOMEM_IOC_MAGIC, 0, usize), b);
			chk(C_AR_INFO, err, usize < GOMEM_INFO_SIZE_VER0 ? B(EINVAL) : OK,
			    "INFO of an arena descriptor");
			if (!err) {
				struct gomem_info gi = { 0 }, w = a->info;
				unsigned int i, n = usize < sizeof(gi) ? usize : sizeof(gi);

				memcpy(&gi, b, n);
				w.session_flags = a->ro ? GOMEM_SESSION_READONLY : 0;
				if (memcmp(&gi, &w, n))
					fail("INFO (size %u) of an arena descriptor differs", usize);
				for (i = sizeof(gi); i < usize; i++)
					if (b[i])
						fail("INFO: byte %u past the struct not zeroed", i);
			}
		} else if (k == 1) {
			/* A session's command, or a bad direction: ENOTTY. */
			nr_again:
			cmd = rn(r, 18);
			if (cmd == 0)
				cmd = _IOC(_IOC_WRITE, GOMEM_IOC_MAGIC, 0, 56);
			else if (cmd >= 16)
				cmd = _IOC(rn(r, 3), GOMEM_IOC_MAGIC, cmd, 8);
			else if (cmd == 1)
				cmd = GOMEM_IOC_ALLOC;
			else if (cmd == 15)
				cmd = GOMEM_IOC_ARENA_CREATE;
			else
				cmd = _IOC(_IOC_READ | _IOC_WRITE, GOMEM_IOC_MAGIC, cmd, 32);
			if (cmd == GOMEM_IOC_ARENA_OPEN || cmd == GOMEM_IOC_ARENA_DUP)
				goto nr_again;
			err = ar_ioctl(a->fd, cmd, b);
			chk(C_AR_BAD, err, B(ENOTTY), "a session's command on an arena descriptor");
		} else if (k == 2) {
			err = ar_ioctl(a->fd, _IOC(_IOC_READ | _IOC_WRITE, 0xb8 + rn(r, 3) * 2,
						   rn(r, 20), 8), b);
			chk(C_AR_BAD, err, B(ENOTTY), "another magic on an arena descriptor");
		} else if (k == 3) {
			void *p = mmap(NULL, PS, PROT_READ, MAP_SHARED, a->fd, 0);

			err = p == MAP_FAILED ? errno : 0;
			if (!err)
				munmap(p, PS);
			chk(C_AR_BAD, err, B(ENODEV), "mmap of an arena descriptor");
		} else if (k == 4) {
			err = read(a->fd, b, 16) < 0 ? errno : 0;
			chk(C_AR_BAD, err, B(EINVAL), "read of an arena descriptor");
		} else {
			/* ARENA_OPEN on a session of /dev/gomem: not its command. */
			struct sess *s = pick_sess();

			err = ar_ioctl(sess_fd(s), rn(r, 2) ? GOMEM_IOC_ARENA_OPEN :
				       GOMEM_IOC_ARENA_DUP, b);
			chk(C_AR_BAD, err, B(ENOTTY), "ARENA_OPEN on a device session");
			put_sess(s, "ARENA_OPEN on a session");
		}
		goto out;
	}
	dup = chance(r, 50);
	base = dup ? GOMEM_IOC_ARENA_DUP : GOMEM_IOC_ARENA_OPEN;
	flags = rn(r, 4);
	if (chance(r, 12))
		flags |= chance(r, 50) ? 1U << (2 + rn(r, 30)) : (unsigned int)rnd(r);
	cmd = vary_cmd(base, &usize, &varied);
	if (chance(r, 3)) {
		cmd = _IOC(rn(r, 3), GOMEM_IOC_MAGIC, _IOC_NR(base), usize);
		wrongdir = 1;
	}
	o = (void *)(cur->scr + PS - 64);
	if (chance(r, 8)) {
		static const enum place pls[] = { P_NULL, P_NONE, P_STRADDLE,
						  P_RO, P_KERNEL };
		pl = pls[rn(r, 5)];
		o = pl == P_NULL ? NULL : pl == P_NONE ? (void *)(cur->scr + 2 * PS + 64) :
		    pl == P_STRADDLE ? (void *)(cur->scr + 2 * PS - 4) :
		    pl == P_RO ? (void *)(cur->scr + 3 * PS) :
		    (void *)0xffff888000000000ULL;
	}
	if (pl == P_OK) {
		memset(o, 0, 192);
		o->flags = flags;
		o->fd = (int)rnd(r);
		if (usize > sizeof(*o) && chance(r, 50)) {
			((uint8_t *)o)[sizeof(*o) + rn(r, usize - sizeof(*o))] = 1;
			tail = 1;
		}
	} else if (pl == P_RO) {
		flags = 0;	/* the read-only page holds zeroes */
	}
	ro = flags & GOMEM_ARENA_READONLY;
	if (wrongdir)
		want = B(ENOTTY);
	else if (usize < GOMEM_ARENA_OPEN_SIZE_VER0)
		want = B(EINVAL);
	else if (pl != P_OK && pl != P_RO)
		want = B(EFAULT);
	else if (tail)
		want = B(E2BIG);
	else if (flags & ~(GOMEM_ARENA_READONLY | GOMEM_ARENA_CLOEXEC))
		want = B(EINVAL);
	else if (!ro && a->ro)
		want = B(EBADF);
	else if (pl == P_RO)
		want = B(EFAULT);
	else
		want = OK;
	err = ar_ioctl(a->fd, cmd, o);
	chk(dup ? C_AR_DUP : C_AR_OPEN, err, want, dup ? "ARENA_DUP" : "ARENA_OPEN");
	if (err)
		goto out;
	nfd = o->fd;
	cloexec_check(nfd, flags & GOMEM_ARENA_CLOEXEC, dup ? "ARENA_DUP" : "ARENA_OPEN");
	ar_info_check(&a->info, nfd, ro, dup ? "INFO of a derived descriptor" :
		      "INFO of a derived session");
	if (dup) {
		if (chance(r, 50)) {
			/* The derived descriptor replaces the table's. */
			ar_close(a->fd, "close of a replaced descriptor");
			a->fd = nfd;
			a->ro = ro;
		} else {
			ar_close(nfd, "close of a derived descriptor");
		}
	} else if (a->sfd < 0 && chance(r, 70)) {
		a->sfd = nfd;
		a->sro = ro;
		a->nreg = 0;
		a->bytes = 0;
		a->freed = ~0ULL;
		ar_map(a);
	} else {
		ar_close(nfd, "close of a derived session");
	}
out:
	if (a->used)
		ar_stats_check(a, "ARENA_OPEN/DUP");
	pthread_mutex_unlock(&a->lock);
}

static int ar_overlaps(struct arena *a, u64 off, u64 len)
{
	int i;

	for (i = 0; i < a->nreg; i++)
		if (off < a->reg[i].off + a->reg[i].size &&
		    a->reg[i].off < off + len)
			return 1;
	return 0;
}

static void ar_alloc(struct arena *a)
{
	u64 *r = &cur->rng, ms = a->info.max_size, g = a->info.granule;
	u64 sz, rsz = 0, lim = ms < 65536 ? ms : 65536, bad;
	struct gomem_alloc al;
	unsigned int c = rn(r, 100);
	int full, err, k;
	emask want;

	if (c < 75)
		sz = 1 + rn(r, lim);
	else if (c < 85)
		sz = 1 + rn(r, ms);
	else if (c < 89)
		sz = 0;
	else if (c < 93)
		sz = ms + 1 + rn(r, PS);
	else if (c < 96)
		sz = ~0ULL - rn(r, 8);
	else
		sz = ms;
	if (sz && sz <= ms)
		rsz = (sz + g - 1) / g * g;
	full = (u64)a->nreg >= a->info.max_session_regions;
	if (a->sro) {
		want = B(EBADF);
	} else if (!sz || sz > ms) {
		want = B(EINVAL) | (full ? B(EDQUOT) : 0);
	} else if (full || (a->info.max_session_bytes &&
			    a->bytes + rsz > a->info.max_session_bytes)) {
		want = B(EDQUOT);
	} else {
		want = OK;
	}
	if ((want & OK) && a->nreg >= AREG)
		return;
	if (want & OK) {
		/*
		 * ENOMEM only if no free block holds it (the arena must
		 * grow, and may be at max_size or its pool fragmented).
		 */
		struct gomem_stats st;

		if (ar_must(C_AR_STATS, a->sfd, GOMEM_IOC_STATS, &st, "STATS"))
			return;
		if (rsz > st.largest_free)
			want |= B(ENOMEM);
	}
	memset(&al, 0, sizeof(al));
	al.size = sz;
	al.offset = rnd(r);
	err = ar_ioctl(a->sfd, GOMEM_IOC_ALLOC, &al);
	chk(C_AR_ALLOC, err, want, "ALLOC in a private arena");
	if (err)
		return;
	if (al.offset % g || al.offset + rsz > a->info.map_size ||
	    ar_overlaps(a, al.offset, rsz))
		fail("private ALLOC of %llu at %#llx: outside the window or over "
		     "an own region", sz, (u64)al.offset);
	k = a->nreg++;
	a->reg[k].off = al.offset;
	a->reg[k].size = rsz;
	a->reg[k].tag = rnd(r);
	a->bytes += rsz;
	if (a->map && a->mapw) {
		err = touch(T_FILL, a->map + al.offset, a->reg[k].tag, al.offset,
			    rsz, &bad);
		if (err)
			fail("signal %d writing a private region %#llx+%#llx",
			     err, (u64)al.offset, rsz);
	} else {
		/* Through write() then. */
		uint8_t *b = cur->buf;
		u64 o, n;

		for (o = 0; o < rsz; o += n) {
			n = rsz - o < BUFPAGES * PS ? rsz - o : BUFPAGES * PS;
			pat_fill(b, a->reg[k].tag, al.offset + o, n);
			if (pwrite(a->sfd, b, n, al.offset + o) != (ssize_t)n)
				fail("pwrite of a private region: %s", strerror(errno));
		}
	}
}

static void ar_free(struct arena *a)
{
	u64 *r = &cur->rng;
	struct gomem_free fr;
	int i, err;
	emask want;

	if (!a->nreg || chance(r, 15)) {
		/* A double free, or an offset nothing holds. */
		fr.offset = a->freed != ~0ULL && chance(r, 70) ? a->freed :
			    rn(r, a->info.map_size) & ~(a->info.granule - 1);
		fr.size = a->info.granule;
		if (ar_overlaps(a, fr.offset, fr.size))
			return;
		want = a->sro ? B(EBADF) : B(EINVAL);
		err = ar_ioctl(a->sfd, GOMEM_IOC_FREE, &fr);
		chk(C_AR_FREE, err, want, "FREE of nothing in a private arena");
		return;
	}
	i = rn(r, a->nreg);
	ar_check_regions(a, "before FREE");
	fr.offset = a->reg[i].off;
	fr.size = a->reg[i].size;
	err = ar_ioctl(a->sfd, GOMEM_IOC_FREE, &fr);
	chk(C_AR_FREE, err, OK, "FREE of a private region");
	if (err)
		return;
	a->bytes -= a->reg[i].size;
	a->freed = a->reg[i].off;
	a->reg[i] = a->reg[--a->nreg];
}

/* A pread of a region, checked. */
static void ar_pread_check(int fd, const struct areg *rg, int call,
			   const char *what)
{
	u64 o, n, bad;
	uint8_t *b = cur->buf;
	ssize_t got;

	for (o = 0; o < rg->size; o += n) {
		n = rg->size - o < BUFPAGES * PS ? rg->size - o : BUFPAGES * PS;
		clear_injected();
		got = pread(fd, b, n, rg->off + o);
		if (got < 0 && fault_mode && (errno == ENOMEM || errno == EINTR))
			return;
		chk(call, got < 0 ? errno : got == (ssize_t)n ? 0 : E_OTHER, OK, what);
		bad = pat_check(b, rg->tag, rg->off + o, n);
		if (bad != UINT64_MAX)
			fail("%s: region %#llx+%#llx differs at %#llx", what,
			     rg->off, rg->size, bad);
	}
}

/*
 * SHARE of a region in the private arena; its token claimed in a session
 * of /dev/gomem (ENOENT: another arena), a device token claimed here
 * (ENOENT), then the token claimed by a second session of the arena,
 * which reads the region, and claimed again (ENOENT: used up).
 */
static void ar_share(struct arena *a)
{
	u64 *r = &cur->rng;
	struct gomem_share sh = { 0 };
	struct gomem_claim cl = { 0 };
	struct gomem_arena_open o = { 0 };
	struct areg *rg;
	int err, err2, i, tfd = -1, ti;
	struct sess *s;

	if (!a->nreg || a->sro || a->fd < 0)
		return;
	i = rn(r, a->nreg);
	rg = &a->reg[i];
	sh.offset = rg->off;
	sh.size = chance(r, 50) ? 0 : rg->size;
	sh.claims = 1;
	err = ar_ioctl(a->sfd, GOMEM_IOC_SHARE, &sh);
	chk(C_AR_SHARE, err, (u64)a->nreg >= a->info.max_session_regions ?
	    B(EDQUOT) : OK, "SHARE in a private arena");
	/* A token of the device's arena is nothing here. */
	ti = pick_tok();
	if (ti >= 0) {
		memset(&cl, 0, sizeof(cl));
		cl.token = atomic_load(&shm->tok[ti].value);
		err2 = ar_ioctl(a->sfd, GOMEM_IOC_CLAIM, &cl);
		chk(C_AR_XCLAIM, err2, B(ENOENT), "CLAIM of a device token in a private arena");
	}
	if (err)
		return;
	/* And this one nothing in the device's. */
	s = pick_sess();
	memset(&cl, 0, sizeof(cl));
	cl.token = sh.token;
	hold_begin(&me->main);
	err2 = ar_ioctl(sess_fd(s), GOMEM_IOC_CLAIM, &cl);
	hold_end(&me->main, 0);
	chk(C_AR_XCLAIM, err2, B(ENOENT), "CLAIM of a private token in /dev/gomem");
	put_sess(s, "cross-arena CLAIM");
	/* A second session of the arena (read-only, or not) claims it. */
	o.flags = a->ro || chance(r, 50) ? GOMEM_ARENA_READONLY : 0;
	o.flags |= GOMEM_ARENA_CLOEXEC;
	err = ar_ioctl(a->fd, GOMEM_IOC_ARENA_OPEN, &o);
	chk(C_AR_OPEN, err, OK, "ARENA_OPEN of a second session");
	if (!err) {
		tfd = o.fd;
		memset(&cl, 0, sizeof(cl));
		cl.token = sh.token;
		err = ar_ioctl(tfd, GOMEM_IOC_CLAIM, &cl);
		chk(C_AR_CLAIM, err, a->info.max_session_bytes &&
		    rg->size > a->info.max_session_bytes ? B(EDQUOT) : OK,
		    "CLAIM in a second session of the arena");
		if (!err) {
			struct gomem_stats st;

			if (cl.offset != rg->off || cl.size != rg->size)
				fail("private CLAIM gave %#llx+%#llx for %#llx+%#llx",
				     (u64)cl.offset, (u64)cl.size, rg->off, rg->size);
			ar_pread_check(tfd, rg, C_AR_PREAD, "pread by the claimer");
			if (!ar_must(C_AR_STATS, tfd, GOMEM_IOC_STATS, &st, "STATS") &&
			    (st.session_refs != 1 || st.session_ref_bytes != rg->size ||
			     st.sessions != 2 || st.in_use != a->bytes ||
			     st.refs != 1 || st.tokens))
				fail("private-%u: claimer's STATS %llu refs (%llu bytes), "
				     "%llu sessions, in_use %llu, %llu refs, %llu tokens",
				     a->info.arena_id, (u64)st.session_refs,
				     (u64)st.session_ref_bytes, (u64)st.sessions,
				     (u64)st.in_use, (u64)st.refs, (u64)st.tokens);
			err2 = ar_ioctl(tfd, GOMEM_IOC_CLAIM, &cl);
			chk(C_AR_CLAIM, err2, B(ENOENT), "CLAIM of a used-up private token");
			if (chance(r, 60)) {
				struct gomem_ref rf = { .offset = rg->off + rn(r, rg->size) };

				err2 = ar_ioctl(tfd, GOMEM_IOC_RELEASE, &rf);
				chk(C_AR_RELEASE, err2, OK, "RELEASE in a private arena");
			}
		}
	}
	if (err) {
		/*
		 * Not claimed: cancel it (a claim whose report failed
		 * (EFAULT) may have used it up).
		 */
		struct gomem_token tk = { .token = sh.token };
		int e, tries = 0;

		clear_injected();
		do
			e = ioctl(a->sfd, GOMEM_IOC_CANCEL, &tk) ? errno : 0;
		while (fault_mode && (e == ENOMEM || e == EINTR) && ++tries < 200);
		chk(C_AR_CANCEL, e, err == EFAULT ? OK | B(ENOENT) : OK,
		    "CANCEL of an unclaimed private token");
	}
	if (tfd >= 0)
		ar_close(tfd, "close of the claimer");
}

/* Read every page of the window (SIGBUS where nothing is): no crash. */
static void ar_touch_window(struct arena *a)
{
	u64 bad, n = a->info.map_size, off = 0;
	int sig;

	if (!a->map)
		return;
	if (n > 64 * PS) {
		off = rn(&cur->rng, n / PS - 64) * PS;
		n = 64 * PS;
	}
	sig = touch(T_READ, a->map + off, 0, off, n, &bad);
	rec(C_AR_TOUCH, sig == SIGBUS ? E_SIGBUS : sig ? E_OTHER : 0);
	if (sig && sig != SIGBUS)
		fail("signal %d reading a private arena's window", sig);
}

/*
 * Operations on a session of a private arena; and the arena dying under
 * them: its descriptor closed while the session and mapping live, the
 * session closed while the mapping lives (touched after), the mapping
 * unmapped last.
 */
static void op_arena_sess(void)
{
	struct arena *a = ar_pick();
	u64 *r = &cur->rng;
	unsigned int c;
	struct gomem_release rel;
	int err;

	if (!a->used && ar_ensure(a))
		goto out;
	if (a->sfd < 0) {
		if (a->fd < 0) {
			/* Only a mapping is left: touch it, then let it go. */
			ar_touch_window(a);
			ar_put(a, 0, 0, 1, 0, "the last mapping of a private arena");
			goto out;
		}
		if (ar_open_sess(a, a->ro || chance(r, 10)))
			goto out;
	}
	c = rn(r, 100);
	if (c < 30) {
		ar_alloc(a);
	} else if (c < 50) {
		ar_free(a);
	} else if (c < 58) {
		ar_check_regions(a, "now and then");
		if (a->nreg)
			ar_pread_check(a->sfd, &a->reg[rn(r, a->nreg)], C_AR_PREAD,
				       "pread of a private region");
	} else if (c < 64) {
		err = ar_ioctl(a->sfd, GOMEM_IOC_TRIM, &rel);
		chk(C_AR_TRIM, err, a->sro ? B(EBADF) : OK, "TRIM of a private arena");
		ar_check_regions(a, "after TRIM");
	} else if (c < 78) {
		ar_share(a);
	} else if (c < 84) {
		ar_touch_window(a);
	} else if (c < 90 && a->fd >= 0) {
		/* The descriptor goes; the session and the mapping stay. */
		ar_put(a, 1, 0, 0, 0, "close of the arena descriptor");
	} else if (c < 95) {
		/* The session goes (its regions with it); the mapping stays. */
		ar_check_regions(a, "before closing the session");
		ar_put(a, 0, 1, 0, 0, "close of the private session");
		ar_touch_window(a);
		if (a->used && chance(r, 50))
			ar_put(a, 0, 0, 1, 0, "munmap after the session");
		goto out;
	} else {
		/* Everything at once, in a random order. */
		int k = rn(r, 3);

		ar_check_regions(a, "before the end");
		ar_put(a, k == 0, k == 1, k == 2, 0, "the end of an arena");
		ar_put(a, 1, 1, 1, 0, "the end of an arena");
		goto out;
	}
	ar_stats_check(a, "a private session's op");
out:
	pthread_mutex_unlock(&a->lock);
}

/* In a child: close every inherited fd but @k1 and @k2. */
static void child_close_fds2(int k1, int k2)
{
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (i = 3; i < 256; i++)
		if (i != k1 && i != k2)
			close(i);
}

struct scm_msg {
	int status;		/* 0, or the errno of the step that failed */
	int step;
	unsigned int id;
	u64 off, size, tag, token;
};

static int send_fd(int sock, const void *m, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)m, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Receive a message and maybe a descriptor (*@fd, -1 if none). */
static ssize_t recv_fd(int sock, void *m, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (cm = CMSG_FIRSTHDR(&mh); n >= 0 && cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return n;
}

/* Reap @pid, which must have died of SIGKILL (or exited 0 if !@killed). */
static void ar_reap(pid_t pid, int killed, const char *what)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid: %s", strerror(errno));
	if (killed ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) :
		     !(WIFEXITED(st) && !WEXITSTATUS(st)))
		fail("%s: child %s %d", what,
		     WIFEXITED(st) ? "exited" : "killed by signal",
		     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	rec(C_AR_CHILD, 0);
}

static int fork_err(int err)
{
	chk(C_FORK, err, fault_mode ? B(EAGAIN) : 0, "fork");
	return err;
}

/*
 * A child inherits the arena's descriptor, opens its own session,
 * allocates, writes and frees until it is SIGKILLed; the worker may first
 * let go of everything of the arena (then the child holds its only
 * session and descriptor, and the arena must go with the child).
 */
static void ar_child_kill(struct arena *a)
{
	u64 *r = &cur->rng, delay = rn(r, 20000);
	int pfd[2], drop = chance(r, 40), fd = a->fd;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return;
	pthread_rwlock_wrlock(&reflock);
	pid = fork();
	if (pid == 0) {
		struct gomem_arena_open o = { .flags = a->ro ? GOMEM_ARENA_READONLY : 0 };
		struct gomem_alloc al;
		struct gomem_free fr;
		char b[64];
		unsigned int n = 0;
		size_t k;

		cur->injected = 0;
		child_close_fds2(fd, pfd[1]);
		while (ioctl(fd, GOMEM_IOC_ARENA_OPEN, &o))
			if (errno != ENOMEM && errno != EINTR)
				_exit(20);
		close(fd);
		child_signal(pfd[1]);
		memset(b, 0x77, sizeof(b));
		for (;; n++) {
			memset(&al, 0, sizeof(al));
			al.size = 1 + (63 + (n % 7) * 1000) % a->info.max_size;
			if (ioctl(o.fd, GOMEM_IOC_ALLOC, &al)) {
				if (errno != ENOMEM && errno != EDQUOT &&
				    errno != EINTR && !(a->ro && errno == EBADF))
					_exit(21);
				if (pread(o.fd, b, sizeof(b), 0) < 0 && errno != ENOMEM)
					_exit(22);
				continue;
			}
			k = al.size < sizeof(b) ? al.size : sizeof(b);
			if (pwrite(o.fd, b, k, al.offset) != (ssize_t)k &&
			    errno != ENOMEM && errno != EINTR)
				_exit(23);
			if (n & 1) {
				fr.offset = al.offset;
				fr.size = al.size;
				if (ioctl(o.fd, GOMEM_IOC_FREE, &fr) &&
				    errno != ENOMEM && errno != EINTR)
					_exit(24);
			}
		}
	}
	close(pfd[1]);
	if (pid < 0) {
		pthread_rwlock_unlock(&reflock);
		close(pfd[0]);
		fork_err(errno);
		return;
	}
	parent_wait_ready(pfd[0]);
	pthread_rwlock_unlock(&reflock);
	atomic_fetch_add(&me->forks, 1);
	if (drop)
		ar_put(a, 1, 1, 1, 1, "let go before the kill");
	usleep(delay);
	kill(pid, SIGKILL);
	ar_reap(pid, 1, "a private arena's child");
	atomic_fetch_add(&me->kills, 1);
	if (drop) {
		int n;

		pthread_rwlock_rdlock(&reflock);
		n = arenas_scan(a->info.arena_id);
		pthread_rwlock_unlock(&reflock);
		if (n > 0)
			fail("private-%u still in debugfs gomem/arenas after its "
			     "only holder, a child, was killed: %s", a->info.arena_id,
			     arena_line);
	} else if (a->sfd < 0) {
		/* Its session died with it: the arena is empty. */
		ar_open_sess(a, a->ro);
	}
}

/*
 * A child makes an arena of its own, a session of it, a region with a
 * pattern and a token for it, and sends the arena's descriptor and the
 * token over a socket (SCM_RIGHTS), then waits to be killed.  The worker
 * claims the token in a session of its own (the child alive), kills the
 * child: the region stays (an orphan the worker holds), reads as the
 * child wrote it, STATS say so; released, the arena is empty, then kept
 * in the table or let go (and gone from debugfs).
 */
static void ar_child_scm(struct arena *a)
{
	u64 *r = &cur->rng, tag = rnd(r), size = PS * (1 + rn(r, 8));
	int sv[2], err, afd, n;
	struct scm_msg m;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		/* A kernel without CONFIG_UNIX: counted, so that it shows. */
		rec(C_AR_SCM, errno);
		return;
	}
	pthread_rwlock_wrlock(&reflock);
	pid = fork();
	if (pid == 0) {
		struct gomem_arena_create c = { 0 };
		struct gomem_arena_open o = { 0 };
		struct gomem_alloc al = { 0 };
		struct gomem_share sh = { 0 };
		struct gomem_info gi;
		uint8_t *p;
		int dfd;

		cur->injected = 0;
		child_close_fds2(sv[1], -1);
		memset(&m, 0, sizeof(m));
#define CSTEP(k, call) do {				\
			m.step = (k);				\
			while ((call) < 0) {			\
				if (errno != EINTR) {		\
					m.status = errno;	\
					goto send;		\
				}				\
			}					\
		} while (0)
		CSTEP(1, dfd = open(opt_dev, O_RDWR | O_CLOEXEC));
		c.max_size = 1ULL << 20;
		c.max_chunk = 256 * 1024;
		c.initial_size = 64 * 1024;
		c.policy = tag & 1;
		c.source = (tag >> 1) & 1;
		if (c.source)
			c.initial_size = c.max_chunk = 64 * 1024;
		CSTEP(2, ioctl(dfd, GOMEM_IOC_ARENA_CREATE, &c));
		close(dfd);
		CSTEP(3, ioctl(c.fd, GOMEM_IOC_INFO, &gi));
		m.id = gi.arena_id;
		CSTEP(4, ioctl(c.fd, GOMEM_IOC_ARENA_OPEN, &o));
		al.size = size;
		al.align = PS;
		CSTEP(5, ioctl(o.fd, GOMEM_IOC_ALLOC, &al));
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd,
			 al.offset);
		CSTEP(6, p == MAP_FAILED ? -1 : 0);
		pat_fill(p, tag, al.offset, size);
		munmap(p, size);
		sh.offset = al.offset;
		sh.claims = 1;
		CSTEP(7, ioctl(o.fd, GOMEM_IOC_SHARE, &sh));
		m.off = al.offset;
		m.size = size;
		m.tag = tag;
		m.token = sh.token;
send:
#undef CSTEP
		if (send_fd(sv[1], &m, sizeof(m), m.status ? -1 : c.fd))
			_exit(30);
		/* The worker's copy is the only descriptor now. */
		if (!m.status)
			close(c.fd);
		for (;;)
			pause();
	}
	close(sv[1]);
	if (pid < 0) {
		pthread_rwlock_unlock(&reflock);
		close(sv[0]);
		fork_err(errno);
		return;
	}
	n = recv_fd(sv[0], &m, sizeof(m), &afd);
	pthread_rwlock_unlock(&reflock);
	close(sv[0]);
	atomic_fetch_add(&me->forks, 1);
	if (n != sizeof(m) || (m.status == 0) != (afd >= 0))
		fail("SCM_RIGHTS from a child: %d bytes, fd %d, status %d",
		     n, afd, m.status);
	/* The child's steps: ENOMEM/EINTR allowed in fault mode only. */
	chk(C_AR_SCM, m.status, m.step == 2 && arenas_bound() >= max_arenas ?
	    OK | B(EMFILE) : OK, "a child's arena to send");
	if (m.status) {
		kill(pid, SIGKILL);
		ar_reap(pid, 1, "an arena-sending child");
		return;
	}
	/* Our arena now: a descriptor, then a session, a claim. */
	a->used = 1;
	a->fd = afd;
	a->ro = 0;
	a->sfd = -1;
	a->map = NULL;
	if (ar_must(C_AR_INFO, afd, GOMEM_IOC_INFO, &a->info, "INFO of a received arena") ||
	    a->info.arena_id != m.id || a->info.arena_kind != GOMEM_ARENA_KIND_PRIVATE)
		fail("received arena: id %u kind %u, the child made private-%u",
		     a->info.arena_id, a->info.arena_kind, m.id);
	err = ar_open_sess(a, 0);
	if (!err) {
		struct gomem_claim cl = { .token = m.token };
		struct gomem_stats st;
		struct areg rg = { m.off, m.size, m.tag };
		u64 bad;
		int sig;

		err = ar_ioctl(a->sfd, GOMEM_IOC_CLAIM, &cl);
		chk(C_AR_CLAIM, err, OK, "CLAIM of a live child's token");
		kill(pid, SIGKILL);
		ar_reap(pid, 1, "an arena-sending child");
		pid = 0;
		/* A claim that failed may still hold (EFAULT): let go. */
		if (err)
			ar_put(a, 0, 1, 1, 1, "a failed claim");
		if (!err) {
			if (cl.offset != m.off || cl.size != m.size)
				fail("CLAIM of a child's token: %#llx+%#llx, shared %#llx+%#llx",
				     (u64)cl.offset, (u64)cl.size, m.off, m.size);
			if (a->map) {
				sig = touch(T_CHECK, a->map + m.off, m.tag, m.off, m.size, &bad);
				if (sig)
					fail("a killed child's region in its arena: %s at %#llx",
					     sig > 0 ? "signal" : "pattern", bad);
			}
			ar_pread_check(a->sfd, &rg, C_AR_PREAD, "pread of an orphan");
			if (!ar_must(C_AR_STATS, a->sfd, GOMEM_IOC_STATS, &st, "STATS") &&
			    (st.in_use != m.size || st.orphans != 1 ||
			     st.orphan_bytes != m.size || st.refs != 1 ||
			     st.sessions != 1 || st.tokens || st.session_refs != 1))
				fail("private-%u after its maker died: in_use %llu, "
				     "%llu orphans (%llu bytes), %llu refs, %llu sessions, "
				     "%llu tokens; want %llu, 1, 1, 1, 0", m.id,
				     (u64)st.in_use, (u64)st.orphans,
				     (u64)st.orphan_bytes, (u64)st.refs,
				     (u64)st.sessions, (u64)st.tokens, m.size);
			{
				struct gomem_ref rf = { .offset = m.off + rn(r, m.size) };

				ar_must(C_AR_RELEASE, a->sfd, GOMEM_IOC_RELEASE, &rf,
					"RELEASE of an orphan");
			}
		}
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		ar_reap(pid, 1, "an arena-sending child");
	}
	if (a->sfd >= 0)
		ar_stats_check(a, "the orphan's release");
	if (chance(r, 40))
		ar_put(a, 1, 1, 1, 0, "a received arena let go");
}

/*
 * The worker sends a read-only ARENA_DUP of the descriptor to a child
 * (SCM_RIGHTS over a socketpair made before the fork): the child finds
 * it read-only (INFO), is refused writable sessions and descriptors
 * (EBADF), opens a read-only session and reads the worker's region.
 */
static void ar_child_ro(struct arena *a)
{
	struct gomem_arena_open d = { .flags = GOMEM_ARENA_READONLY };
	struct areg rg;
	int sv[2], err;
	char c;
	pid_t pid;

	if (!a->nreg || a->fd < 0)
		return;
	rg = a->reg[rn(&cur->rng, a->nreg)];
	err = ar_ioctl(a->fd, GOMEM_IOC_ARENA_DUP, &d);
	chk(C_AR_DUP, err, OK, "ARENA_DUP read-only");
	if (err)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		rec(C_AR_SCM, errno);
		ar_close(d.fd, "close of an unsent descriptor");
		return;
	}
	pthread_rwlock_wrlock(&reflock);
	pid = fork();
	if (pid == 0) {
		struct gomem_arena_open o;
		struct gomem_info gi;
		uint8_t *b = cur->buf;
		int fd, n, k;

		cur->injected = 0;
		child_close_fds2(sv[1], -1);
		if (write(sv[1], "r", 1) != 1)
			_exit(30);
		if (recv_fd(sv[1], &c, 1, &fd) != 1 || fd < 0)
			_exit(31);
		while (ioctl(fd, GOMEM_IOC_INFO, &gi))
			if (errno != ENOMEM && errno != EINTR)
				_exit(32);
		if (!(gi.session_flags & GOMEM_SESSION_READONLY) ||
		    gi.arena_kind != GOMEM_ARENA_KIND_PRIVATE)
			_exit(33);
		for (k = 0; k < 2; k++) {
			o.flags = 0;
			o.fd = -1;
			while (ioctl(fd, k ? GOMEM_IOC_ARENA_DUP : GOMEM_IOC_ARENA_OPEN, &o) &&
			       (errno == ENOMEM || errno == EINTR))
				;
			if (errno != EBADF || o.fd != -1)
				_exit(34 + k);
		}
		o.flags = GOMEM_ARENA_READONLY;
		while (ioctl(fd, GOMEM_IOC_ARENA_OPEN, &o))
			if (errno != ENOMEM && errno != EINTR)
				_exit(36);
		close(fd);
		for (u64 off = 0; off < rg.size; off += n) {
			n = rg.size - off < BUFPAGES * PS ? rg.size - off : BUFPAGES * PS;
			while (pread(o.fd, b, n, rg.off + off) != n)
				if (errno != ENOMEM && errno != EINTR)
					_exit(37);
			if (pat_check(b, rg.tag, rg.off + off, n) != UINT64_MAX)
				_exit(38);
		}
		_exit(0);
	}
	close(sv[1]);
	if (pid < 0) {
		pthread_rwlock_unlock(&reflock);
		close(sv[0]);
		close(d.fd);
		fork_err(errno);
		return;
	}
	/* The child closed what it inherited: send it the descriptor. */
	while (read(sv[0], &c, 1) < 0 && errno == EINTR)
		;
	pthread_rwlock_unlock(&reflock);
	atomic_fetch_add(&me->forks, 1);
	c = 'd';
	if (send_fd(sv[0], &c, 1, d.fd))
		fail("sendmsg of an arena descriptor: %s", strerror(errno));
	close(d.fd);
	close(sv[0]);
	ar_reap(pid, 0, "a child given a read-only arena descriptor");
}

static void op_arena_child(void)
{
	struct arena *a = ar_pick();
	unsigned int c = rn(&cur->rng, 3);

	if (!a->used) {
		ar_child_scm(a);
	} else if (a->fd >= 0) {
		if (c == 0 && a->nreg)
			ar_child_ro(a);
		else
			ar_child_kill(a);
	}
	if (a->used)
		ar_stats_check(a, "a child of the arena");
	pthread_mutex_unlock(&a->lock);
}

/* At the worker's end: every arena let go, each gone from debugfs. */
static void ar_exit(void)
{
	int i;

	for (i = 0; i < MAXAR; i++) {
		struct arena *a = &ar[i];

		if (!a->used)
			continue;
		ar_check_regions(a, "at exit");
		ar_stats_check(a, "the run");
		ar_put(a, 1, 1, 1, 0, "the worker's end");
	}
}

struct opw {
	void (*fn)(void);
	unsigned int weight;
};

/* ---- named arenas: configfs gomem/NAME (root) and /dev/gomem-NAME ---- */

#define CFS_ROOT	"/sys/kernel/config/gomem"

enum { NV_INITIAL, NV_CHUNK, NV_MAX, NV_SBYTES, NV_SREGIONS, NV_NR };

static const char *const nv_attr[NV_NR] = {
	"initial_size", "max_chunk", "max_size", "max_session_bytes",
	"max_session_regions",
};

/*
 * Each worker thread has its own named arena, "fz<worker>-<thread>", made,
 * set, enabled, opened, disabled and removed at random; what it wrote is
 * what the kernel must use.  Worker 0's first thread takes instead the
 * first arena the module made at load (its "arenas" parameter), when there
 * is one: fixed, its state read from configfs, and rmdir -EPERM.
 */
static __thread struct {
	int made, enabled, fixed;
	u64 val[NV_NR];
	uint32_t policy, source;
	char name[24];
} nm;

/* The text of file @path into @buf (NUL-terminated), or NULL. */
static char *read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

/* Attribute @attr of this thread's arena into @buf, or NULL. */
static char *cfs_read(const char *attr, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), CFS_ROOT "/%s/%s", nm.name, attr);
	return read_text(path, buf, len);
}

/*
 * Take the first arena of the module's "arenas" parameter as this
 * thread's, with what configfs says of it.  Return: 1 if taken.
 */
static int nm_take_fixed(void)
{
	char b[160], pol[16], src[16], en[8];
	size_t n;
	int i;

	if (!read_text("/sys/module/gomem/parameters/arenas", b, sizeof(b)) ||
	    !strcmp(b, "(null)\n"))
		return 0;
	n = strcspn(b, ",\n");
	if (!n || n >= sizeof(nm.name))
		return 0;
	memcpy(nm.name, b, n);
	nm.name[n] = 0;
	for (i = 0; i < NV_NR; i++) {
		if (!cfs_read(nv_attr[i], b, sizeof(b)))
			fail("load-time arena %s: no %s", nm.name, nv_attr[i]);
		nm.val[i] = strtoull(b, NULL, 0);
	}
	if (!cfs_read("policy", pol, sizeof(pol)) ||
	    !cfs_read("source", src, sizeof(src)) ||
	    !cfs_read("enable", en, sizeof(en)))
		fail("load-time arena %s: policy, source or enable unreadable",
		     nm.name);
	nm.policy = !strcmp(pol, "avl\n");
	nm.source = !strcmp(src, "buddy\n");
	nm.enabled = en[0] == '1';
	nm.made = nm.fixed = 1;
	return 1;
}

/* 0 or errno: write @v to attribute @attr of this thread's arena. */
static int cfs_write(const char *attr, const char *v)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), CFS_ROOT "/%s/%s", nm.name, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	fi_begin();
	if (write(fd, v, strlen(v)) < 0)
		err = errno;
	fi_end();
	close(fd);
	return err;
}

/*
 * A value for a numeric attribute: mostly sane; sizes at most 8 MiB (each
 * worker thread may hold an arena that size, a buddy pool reserved whole,
 * in a VM of 1 GiB).
 */
static u64 nv_value(int i)
{
	u64 *r = &cur->rng, d = ginfo.max_size < (8 << 20) ? ginfo.max_size :
							    8 << 20;
	static const u64 small[] = { 0, 1, 4095, 4096, 4097, 65536, 262144,
				     1 << 20 };

	if (i == NV_SREGIONS)
		return chance(r, 50) ? 0 : 1 + rn(r, 8192);
	if (i == NV_SBYTES)
		return chance(r, 50) ? 0 : rn(r, 4 << 20);
	switch (rn(r, 4)) {
	case 0: return small[rn(r, sizeof(small) / sizeof(small[0]))];
	case 1: return d;
	case 2: return rn(r, d + 1);
	default: return (1 + rn(r, 64)) * PS;
	}
}

/* What "enable" 1 must answer for the attributes written so far. */
static emask nm_enable_expect(void)
{
	u64 is = pg_up(nm.val[NV_INITIAL]), mc = pg_up(nm.val[NV_CHUNK]);
	u64 ms = pg_up(nm.val[NV_MAX]), pool = 1;

	if (!nm.val[NV_INITIAL] || !is || !mc || !ms || is > mc || mc > ms)
		return B(EINVAL);
	if (nm.source == GOMEM_SOURCE_BUDDY) {
		while (pool < is / PS)
			pool <<= 1;
		if (pool * PS > ms)
			return B(EINVAL);
	}
	/* Memory for chunks, a pool, records: it may not be there. */
	return OK | B(ENOMEM);
}

/* A session of this thread's named arena: INFO as written, a region. */
static void nm_use(void)
{
	char dev[64];
	struct gomem_info in;
	struct gomem_alloc a = { .size = 64 };
	struct gomem_free f;
	int fd, err;

	snprintf(dev, sizeof(dev), "/dev/gomem-%s", nm.name);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	chk(C_NAMED, err, nm.enabled ? OK : B(ENOENT), "open of a named node");
	if (fd < 0)
		return;
	memset(&in, 0, sizeof(in));
	err = ioctl(fd, GOMEM_IOC_INFO, &in) ? errno : 0;
	chk(C_NAMED, err, OK, "INFO of a named arena");
	if (!err && (in.arena_kind != GOMEM_ARENA_KIND_NAMED ||
		     in.initial_size != pg_up(nm.val[NV_INITIAL]) ||
		     in.max_chunk != pg_up(nm.val[NV_CHUNK]) ||
		     in.max_size != pg_up(nm.val[NV_MAX]) ||
		     in.policy != nm.policy || in.source != nm.source ||
		     in.max_session_bytes != nm.val[NV_SBYTES] ||
		     (nm.val[NV_SREGIONS] &&
		      in.max_session_regions != nm.val[NV_SREGIONS])))
		fail("named arena %s: INFO kind %u geometry %llu/%llu/%llu "
		     "policy %u source %u bytes %llu regions %llu; written "
		     "%llu/%llu/%llu %u %u %llu %llu", nm.name, in.arena_kind,
		     in.initial_size, in.max_chunk, in.max_size, in.policy,
		     in.source, in.max_session_bytes, in.max_session_regions,
		     nm.val[NV_INITIAL], nm.val[NV_CHUNK], nm.val[NV_MAX],
		     nm.policy, nm.source, nm.val[NV_SBYTES],
		     nm.val[NV_SREGIONS]);
	fi_begin();
	err = ioctl(fd, GOMEM_IOC_ALLOC, &a) ? errno : 0;
	fi_end();
	chk(C_NAMED, err, OK | B(ENOMEM) | B(EDQUOT), "ALLOC in a named arena");
	if (!err) {
		f = (struct gomem_free){ a.offset, 64 };
		err = ioctl(fd, GOMEM_IOC_FREE, &f) ? errno : 0;
		chk(C_NAMED, err, OK, "FREE in a named arena");
	}
	close(fd);
}

static void op_named(void)
{
	u64 *r = &cur->rng;
	char path[128], v[48];
	int err, i;
	emask want;

	if (!nm.name[0] && !(W == 0 && cur->t == 0 && nm_take_fixed()))
		snprintf(nm.name, sizeof(nm.name), "fz%d-%d", W, cur->t);
	snprintf(path, sizeof(path), CFS_ROOT "/%s", nm.name);
	if (!nm.made) {
		if (chance(r, 10)) {
			/* Names configfs must refuse. */
			static const char *const bad[] = {
				"Fz", "-fz", "fz.x", "fz-seventeen-char",
			};

			snprintf(path, sizeof(path), CFS_ROOT "/%s",
				 bad[rn(r, 4)]);
			err = mkdir(path, 0755) ? errno : 0;
			chk(C_NAMED, err, B(EINVAL), "mkdir of a bad name");
			return;
		}
		err = mkdir(path, 0755) ? errno : 0;
		if (err == ENOENT && access(CFS_ROOT, F_OK))
			return;		/* no configfs here */
		chk(C_NAMED, err, OK, "mkdir of a named arena");
		if (err)
			return;
		nm.made = 1;
		nm.enabled = 0;
		nm.val[NV_INITIAL] = ginfo.initial_size;
		nm.val[NV_CHUNK] = ginfo.max_chunk;
		nm.val[NV_MAX] = ginfo.max_size;
		nm.val[NV_SBYTES] = nm.val[NV_SREGIONS] = 0;
		nm.policy = ginfo.policy;
		nm.source = ginfo.source;
		return;
	}
	switch (rn(r, 8)) {
	case 0: case 1:		/* a numeric attribute */
		i = (int)rn(r, NV_NR);
		if (chance(r, 15)) {
			static const char *const junk[] = {
				"-1", "lots", " 5", "18446744073709551616",
				"0x", "1 2",
			};

			err = cfs_write(nv_attr[i], junk[rn(r, 6)]);
			chk(C_NAMED, err, B(EINVAL), "a garbage number");
			return;
		}
		{
			u64 x = nv_value(i);

			snprintf(v, sizeof(v), chance(r, 50) ? "%llu\n" : "%llu",
				 x);
			err = cfs_write(nv_attr[i], v);
			chk(C_NAMED, err, nm.enabled ? B(EBUSY) : OK,
			    "a numeric attribute");
			if (!err)
				nm.val[i] = x;
		}
		return;
	case 2: {		/* policy, source */
		static const char *const pol[] = { "treap", "avl", "avl\n",
						   "bogus", "treapx" };
		static const char *const src[] = { "vmalloc", "buddy",
						   "vmalloc\n", "heap", "Buddy" };
		static const char *const acct[] = { "0", "1", "1\n", "maybe",
						    "2" };
		int k = (int)rn(r, 5), is_src = chance(r, 50);

		if (chance(r, 25)) {	/* account, read back */
			err = cfs_write("account", acct[k]);
			want = k >= 3 ? B(EINVAL) : nm.enabled ? B(EBUSY) : OK;
			chk(C_NAMED, err, want, "account");
			if (!err && (!cfs_read("account", v, sizeof(v)) ||
				     v[0] != acct[k][0] || v[1] != '\n'))
				fail("named arena %s: account reads '%s' after "
				     "'%s' was written", nm.name, v, acct[k]);
			return;
		}
		err = cfs_write(is_src ? "source" : "policy",
				is_src ? src[k] : pol[k]);
		want = k >= 3 ? B(EINVAL) : nm.enabled ? B(EBUSY) : OK;
		chk(C_NAMED, err, want, "policy or source");
		if (!err && is_src)
			nm.source = k == 1;
		else if (!err)
			nm.policy = k != 0;
		return;
	}
	case 3:			/* enable */
		if (chance(r, 10)) {
			err = cfs_write("enable", "maybe");
			chk(C_NAMED, err, B(EINVAL), "enable 'maybe'");
			return;
		}
		want = nm.enabled ? OK : nm_enable_expect();
		err = cfs_write("enable", "1");
		chk(C_NAMED, err, want, "enable");
		if (!err)
			nm.enabled = 1;
		return;
	case 4:			/* disable */
		err = cfs_write("enable", "0");
		chk(C_NAMED, err, OK, "disable");
		if (!err)
			nm.enabled = 0;
		return;
	case 5: case 6:
		nm_use();
		return;
	default:		/* rmdir, enabled or not */
		err = rmdir(path) ? errno : 0;
		chk(C_NAMED, err, nm.fixed ? B(EPERM) : OK,
		    nm.fixed ? "rmdir of an arena made at load" :
		    "rmdir of a named arena");
		if (!err)
			nm.made = nm.enabled = 0;
		return;
	}
}

/*
 * The parent, before the workers and after them: no fz* named arena is
 * left from a run that failed, so each run starts clean and rmmod works
 * after a failure too.  Return: how many it removed.
 */
static int named_sweep(void)
{
	DIR *d = opendir(CFS_ROOT);
	struct dirent *de;
	char path[300];
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "fz", 2)) {
			snprintf(path, sizeof(path), CFS_ROOT "/%s",
				 de->d_name);
			n += !rmdir(path);
		}
	closedir(d);
	return n;
}

/* The end of a worker thread: its named arena goes (rmmod needs it). */
static void named_cleanup(void)
{
	char path[128];

	if (!nm.made)
		return;
	snprintf(path, sizeof(path), CFS_ROOT "/%s", nm.name);
	if (nm.fixed) {
		/* Made at load: still there, whatever was written. */
		if (access(path, F_OK))
			fail("%s, made at load, is gone", path);
		return;
	}
	if (rmdir(path))
		fail("rmdir %s at the end: %s", path, strerror(errno));
	nm.made = 0;
}

static const struct opw ops[] = {
	{ op_alloc, 22 }, { op_free, 16 }, { op_alloc_batch, 6 },
	{ op_free_batch, 6 }, { op_info_stats, 5 }, { op_trim_recycle, 4 },
	{ op_bad_ioctl, 5 }, { op_mmap, 6 }, { op_rw, 10 }, { op_foreign, 3 },
	{ op_touch, 6 }, { op_verify, 2 }, { op_dup_close, 3 },
	{ op_fork_verify, 1 }, { op_kill_child, 1 }, { op_remote, 3 },
	{ op_share, 5 }, { op_claim, 6 }, { op_cancel, 2 }, { op_release, 4 },
	{ op_release_batch, 2 }, { op_gup, 3 }, { op_share_batch, 2 },
	{ op_claim_batch, 2 }, { op_arena_create, 2 }, { op_arena_derive, 2 },
	{ op_arena_sess, 5 }, { op_arena_child, 1 }, { op_named, 3 },
};

static void set_make_it_fail(const char *path, int on)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, on ? "1" : "0", 1) != 1)
		say("gomem-fuzz: cannot write %s: %s", path, strerror(errno));
	close(fd);
}

static void *worker_thread(void *arg)
{
	struct thr *t = arg;
	unsigned int total = 0, i, pick;
	u64 n = 0;

	cur = t;
	cov_thread_start();
	t->fnfd = -1;
	if (opt_fail_nth)
		t->fnfd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (opt_make_it_fail) {
		char p[64];

		snprintf(p, sizeof(p), "/proc/self/task/%d/make-it-fail",
			 (int)syscall(SYS_gettid));
		set_make_it_fail(p, 1);
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	while (now() < deadline && (!opt_ops || n < opt_ops) &&
	       !atomic_load(&shm->failed)) {
		while (atomic_load(&shm->pause) && now() < deadline)
			usleep(200);
		t->opn = atomic_fetch_add(&w_opn, 1) + 1;
		pick = rn(&t->rng, total);
		for (i = 0; pick >= ops[i].weight; i++)
			pick -= ops[i].weight;
		ops[i].fn();
		cov_thread_collect();
		atomic_fetch_add_explicit(&me->ops, 1, memory_order_relaxed);
		n++;
	}
	if (opt_make_it_fail) {
		char p[64];

		snprintf(p, sizeof(p), "/proc/self/task/%d/make-it-fail",
			 (int)syscall(SYS_gettid));
		set_make_it_fail(p, 0);
	}
	named_cleanup();
	if (t->fnfd >= 0)
		close(t->fnfd);
	return NULL;
}

static uint8_t *map_anon(size_t rw_pages, size_t extra_none, size_t extra_ro)
{
	size_t len = (rw_pages + extra_none + extra_ro) * PS;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap of %zu bytes: %s", len, strerror(errno));
	memset(p, 0, len);
	if (extra_none && mprotect(p + rw_pages * PS, extra_none * PS, PROT_NONE))
		fail("mprotect: %s", strerror(errno));
	if (extra_ro && mprotect(p + (rw_pages + extra_none) * PS, extra_ro * PS,
				 PROT_READ))
		fail("mprotect: %s", strerror(errno));
	return p;
}

static int worker(int w)
{
	struct thr main_thr = { .w = w, .t = MAXTHREADS - 1 };
	struct sigaction sa = { 0 };
	int i;

	W = w;
	me = &shm->w[w];
	main_thr.rng = mix64(opt_seed ^ mix64(w + 1) ^ 0x5555);
	cur = &main_thr;
	cov_thread_start();
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	main_thr.scr = map_anon(2, 1, 1);
	main_thr.buf = map_anon(BUFPAGES, 1, 0);
	map_fd = open_retry(O_RDWR);
	win = mmap(NULL, MAPSZ, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (win == MAP_FAILED)
		fail("mmap of the window: %s", strerror(errno));
	ar_init();
	nsess = 1 + rn(&main_thr.rng, MAXSESS);
	for (i = 0; i < nsess; i++) {
		pthread_mutex_init(&sess[i].lock, NULL);
		sess_open(&sess[i]);
	}
	if (opt_make_it_fail)
		set_make_it_fail("/proc/self/make-it-fail", 1);
	for (i = 0; i < opt_threads; i++) {
		struct thr *t = &thr[i];

		t->w = w;
		t->t = i;
		t->rng = mix64(opt_seed ^ mix64((u64)(w + 1) << 20 | (i + 1)));
		t->scr = map_anon(2, 1, 1);
		t->ent = map_anon(EPAGES, 1, 0);
		t->buf = map_anon(BUFPAGES, 1, 0);
		t->cpy = map_anon(EPAGES, 0, 0);
		while (pthread_create(&t->th, NULL, worker_thread, t)) {
			if (now() > deadline + 10)
				fail("pthread_create failed");
			usleep(1000);
		}
	}
	for (i = 0; i < opt_threads; i++)
		pthread_join(thr[i].th, NULL);
	if (opt_make_it_fail)
		set_make_it_fail("/proc/self/make-it-fail", 0);
	cur = &main_thr;
	main_thr.opn = atomic_load(&w_opn);
	ar_exit();
	/* The end: verify everything, the statistics, then close. */
	for (i = 0; i < nsess; i++) {
		struct sess *s = &sess[i];

		if (!s->open)
			continue;
		check_sess_patterns(s, "at exit");
		sess_check(s, "the run");
		sess_close(s, "at exit");
	}
	munmap(win, MAPSZ);
	close(map_fd);
	cov_thread_collect();
	atomic_store(&me->done, 1);
	return 0;
}

/* ---- the parent: the checker ---- */

static u64 exact_cmp, skipped_cmp;

/*
 * Oracle 4: when nothing is in flight, in_use equals what the workers own
 * plus the orphans' bytes, and tokens, refs, orphans the hand-off tables.
 */
static int global_check(int pfd)
{
	static u64 gen0[MAXPROCS][MAXTHREADS + 1];
	static int ntoks[NENT];
	u64 tokens = 0, refs = 0, orphans = 0, obytes = 0;
	struct gomem_stats st;
	int w, k, i, ne, nt;
	s64 sum = 0;

	for (w = 0; w < opt_procs; w++)
		for (k = 0; k <= MAXTHREADS; k++) {
			struct slot *s = k ? &shm->w[w].child[k - 1] : &shm->w[w].main;

			if (atomic_load(&s->inflight))
				return 0;
			gen0[w][k] = atomic_load(&s->gen);
		}
	if (ioctl(pfd, GOMEM_IOC_STATS, &st))
		fail("parent STATS: %s", strerror(errno));
	/* The hand-off tables, between the STATS and the check of the gens. */
	ne = ent_count();
	nt = tok_count();
	memset(ntoks, 0, ne * sizeof(ntoks[0]));
	for (i = 0; i < nt; i++) {
		u64 ts = atomic_load(&shm->tok[i].state);

		if (tok_live(ts)) {
			tokens++;
			if (shm->tok[i].ent >= 0 && shm->tok[i].ent < ne)
				ntoks[shm->tok[i].ent]++;
		}
	}
	for (i = 0; i < ne; i++) {
		int rf = atomic_load(&shm->ent[i].refs);

		refs += rf;
		if (!atomic_load(&shm->ent[i].owned) && rf + ntoks[i] > 0) {
			orphans++;
			obytes += shm->ent[i].size;
		}
	}
	for (w = 0; w < opt_procs; w++)
		for (k = 0; k <= MAXTHREADS; k++) {
			struct slot *s = k ? &shm->w[w].child[k - 1] : &shm->w[w].main;

			if (atomic_load(&s->inflight) ||
			    atomic_load(&s->gen) != gen0[w][k])
				return 0;
			sum += atomic_load(&s->holdings);
		}
	if (st.in_use != (u64)sum + obytes)
		fail("in_use %llu != %lld bytes the workers own + %llu bytes "
		     "of %llu orphans", (u64)st.in_use, sum, obytes, orphans);
	if (st.tokens != tokens || st.refs != refs || st.orphans != orphans ||
	    st.orphan_bytes != obytes)
		fail("STATS: %llu tokens, %llu references, %llu orphans (%llu "
		     "bytes); the tables say %llu, %llu, %llu (%llu)",
		     (u64)st.tokens, (u64)st.refs, (u64)st.orphans,
		     (u64)st.orphan_bytes, tokens, refs, orphans, obytes);
	exact_cmp++;
	return 1;
}

/*
 * Tokens are unguessable: two made one after the other (slots in the
 * order they were taken) differ in about 32 bits.  For random values
 * fewer than 8 differ with a chance of 3e-11 per pair; a counter, or
 * anything near one, fails.
 */
static void token_values_check(void)
{
	int n = tok_count(), i, close = 0, pairs = 0;
	u64 prev = 0, v;

	for (i = 0; i < n; i++) {
		if (!(atomic_load(&shm->tok[i].state) & TS_PUB))
			continue;
		v = atomic_load(&shm->tok[i].value);
		if (prev) {
			pairs++;
			close += __builtin_popcountll(v ^ prev) < 8;
		}
		prev = v;
	}
	if (close)
		fail("%d of %d pairs of tokens made one after the other differ "
		     "in fewer than 8 bits: guessable", close, pairs);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gomem-fuzz [--seed N] [--seconds S] [--procs P] [--threads T]\n"
		"                  [--ops N] [--dev /dev/gomem] [--fail-nth PCT]\n"
		"                  [--make-it-fail] [--kcov] [--verbose]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	int i, have_seed = 0, have_secs = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--make-it-fail")) {
			opt_make_it_fail = 1;
			continue;
		}
		if (!strcmp(a, "--verbose")) {
			opt_verbose = 1;
			continue;
		}
		if (!strcmp(a, "--kcov")) {
			/* kcov.c reads GOMEM_FUZZ_KCOV at start-up: re-exec. */
			if (!getenv("GOMEM_FUZZ_KCOV")) {
				setenv("GOMEM_FUZZ_KCOV", "1", 1);
				execv("/proc/self/exe", argv);
			}
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--seed")) {
			opt_seed = strtoull(v, NULL, 0);
			have_seed = 1;
		} else if (!strcmp(a, "--seconds")) {
			opt_seconds = atof(v);
			have_secs = 1;
		} else if (!strcmp(a, "--procs")) {
			opt_procs = atoi(v);
		} else if (!strcmp(a, "--threads")) {
			opt_threads = atoi(v);
		} else if (!strcmp(a, "--ops")) {
			opt_ops = strtoull(v, NULL, 0);
		} else if (!strcmp(a, "--dev")) {
			opt_dev = v;
		} else if (!strcmp(a, "--fail-nth")) {
			opt_fail_nth = atoi(v);
		} else {
			usage();
		}
	}
	if (opt_procs < 1 || opt_procs > MAXPROCS || opt_threads < 1 ||
	    opt_threads > MAXTHREADS - 1 || opt_fail_nth < 0 || opt_fail_nth > 100)
		usage();
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		opt_seed = (u64)ts.tv_sec * 1000003 + ts.tv_nsec / 1000 + getpid();
		opt_seed %= 1000000000;
	}
	/* With --ops alone, no time limit to speak of. */
	if (opt_ops && !have_secs)
		opt_seconds = 3600;
}

int main(int argc, char **argv)
{
	struct gomem_stats st;
	pid_t pids[MAXPROCS];
	u64 ops = 0, kills = 0, forks = 0;
	int pfd, w, alive, failed = 0, c, e, st_w, arenas0, arenas1 = -1;
	double t0, el, last = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse(argc, argv);
	say("gomem-fuzz: seed %llu", opt_seed);
	if (opt_fail_nth && access("/proc/thread-self/fail-nth", W_OK)) {
		say("gomem-fuzz: no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION): --fail-nth ignored");
		opt_fail_nth = 0;
	}
	if (opt_make_it_fail && access("/proc/self/make-it-fail", W_OK)) {
		say("gomem-fuzz: no /proc/self/make-it-fail (CONFIG_FAULT_INJECTION): --make-it-fail ignored");
		opt_make_it_fail = 0;
	}
	/* Only faults that can happen make errors allowed. */
	fault_mode = opt_fail_nth || opt_make_it_fail;
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pfd = open(opt_dev, O_RDWR | O_CLOEXEC);
	if (pfd < 0) {
		say("gomem-fuzz: FAIL seed %llu worker -1 op#0: open %s: %s",
		    opt_seed, opt_dev, strerror(errno));
		return 1;
	}
	if (ioctl(pfd, GOMEM_IOC_INFO, &ginfo))
		fail("INFO: %s", strerror(errno));
	if (named_sweep())
		say("gomem-fuzz: removed named arenas an earlier run left");
	G = ginfo.granule;
	PS = ginfo.page_size;
	MAPSZ = ginfo.map_size;
	last_holder = mmap(NULL, MAPSZ / G * sizeof(*last_holder),
			   PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (last_holder == MAP_FAILED)
		fail("mmap of last_holder: %s", strerror(errno));
	if (opt_verbose)
		say("gomem-fuzz: page %llu granule %llu initial %llu max_chunk %llu max_size %llu map_size %llu max_session_regions %llu",
		    PS, G, (unsigned long long)ginfo.initial_size,
		    (unsigned long long)ginfo.max_chunk,
		    (unsigned long long)ginfo.max_size, MAPSZ,
		    (unsigned long long)ginfo.max_session_regions);
	/* Private arenas: the module's limit, and how many exist now. */
	{
		FILE *f = fopen("/sys/module/gomem/parameters/max_arenas", "r");

		if (f) {
			if (fscanf(f, "%d", &max_arenas) != 1)
				max_arenas = 64;
			fclose(f);
		}
	}
	arenas0 = arenas_scan(0);
	if (arenas0 < 0) {
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
		arenas0 = arenas_scan(0);
	}
	if (arenas0 < 0)
		say("gomem-fuzz: no %s: the private arenas' leak check is skipped",
		    arenas_path);
	if (ioctl(pfd, GOMEM_IOC_STATS, &st))
		fail("STATS: %s", strerror(errno));
	if (st.sessions != 1 || st.in_use)
		say("gomem-fuzz: warning: %llu sessions, %llu bytes in use at the start",
		    (unsigned long long)st.sessions, (unsigned long long)st.in_use);
	t0 = now();
	deadline = t0 + opt_seconds;
	for (w = 0; w < opt_procs; w++) {
		pids[w] = fork();
		if (pids[w] < 0)
			fail("fork: %s", strerror(errno));
		g_pids[w] = pids[w];
		if (!pids[w]) {
			close(pfd);
			_exit(worker(w));
		}
	}
	alive = opt_procs;
	while (alive) {
		pid_t p = waitpid(-1, &st_w, WNOHANG);

		if (p > 0) {
			for (w = 0; w < opt_procs; w++)
				if (pids[w] == p)
					break;
			if (w < opt_procs) {
				pids[w] = 0;
				g_pids[w] = 0;
				alive--;
				if (!WIFEXITED(st_w) || WEXITSTATUS(st_w)) {
					if (!failed)
						say("gomem-fuzz: FAIL seed %llu worker %d op#%llu: %s %d",
						    opt_seed, w, atomic_load(&shm->w[w].ops),
						    WIFEXITED(st_w) ? "exit status" : "killed by signal",
						    WIFEXITED(st_w) ? WEXITSTATUS(st_w) : WTERMSIG(st_w));
					failed = 1;
					atomic_store(&shm->failed, 1);
					for (c = 0; c < opt_procs; c++)
						if (pids[c] > 0)
							kill(pids[c], SIGKILL);
				}
			}
			continue;
		}
		/* A worker stuck long past the end: a hang, kernel or ours. */
		if (!failed && !opt_ops && now() > deadline + 60 + opt_seconds / 2) {
			for (w = 0; w < opt_procs; w++)
				if (pids[w] > 0)
					break;
			fail("worker %d (pid %d) still running %.0f s after the end",
			     w, w < opt_procs ? pids[w] : 0, now() - deadline);
		}
		if (!failed) {
			if (!global_check(pfd))
				skipped_cmp++;
			/* Now and then, pause the workers for an exact look. */
			if (now() - last > 0.25) {
				double t1 = now();

				last = t1;
				atomic_store(&shm->pause, 1);
				while (now() - t1 < 0.5 && !global_check(pfd))
					usleep(500);
				atomic_store(&shm->pause, 0);
			}
		}
		usleep(2000);
	}
	el = now() - t0;
	for (w = 0; w < opt_procs; w++) {
		ops += atomic_load(&shm->w[w].ops);
		kills += atomic_load(&shm->w[w].kills);
		forks += atomic_load(&shm->w[w].forks);
	}
	if (!failed) {
		struct gomem_release rel;

		/* Oracle 5: everything came back. */
		if (ioctl(pfd, GOMEM_IOC_STATS, &st))
			fail("STATS: %s", strerror(errno));
		if (st.in_use || st.sessions != 1 || st.refs || st.tokens ||
		    st.orphans || st.orphan_bytes)
			fail("at the end: in_use %llu, %llu sessions, %llu "
			     "references, %llu tokens, %llu orphans (%llu "
			     "bytes); want 0, 1, 0, 0, 0 (0)",
			     (unsigned long long)st.in_use,
			     (unsigned long long)st.sessions,
			     (unsigned long long)st.refs,
			     (unsigned long long)st.tokens,
			     (unsigned long long)st.orphans,
			     (unsigned long long)st.orphan_bytes);
		if (ioctl(pfd, GOMEM_IOC_TRIM, &rel))
			fail("TRIM: %s", strerror(errno));
		if (ioctl(pfd, GOMEM_IOC_STATS, &st))
			fail("STATS: %s", strerror(errno));
		if (st.chunks != 1 || st.capacity != ginfo.initial_size)
			fail("after TRIM: %llu chunks, capacity %llu (want 1, %llu)",
			     (unsigned long long)st.chunks,
			     (unsigned long long)st.capacity,
			     (unsigned long long)ginfo.initial_size);
		if (!exact_cmp)
			fail("no exact in_use comparison was made (%llu skipped)",
			     skipped_cmp);
		/* Every private arena the workers made is gone with them. */
		if (arenas0 >= 0) {
			arenas1 = arenas_scan(0);
			if (arenas1 != arenas0)
				fail("%d private-* lines in debugfs gomem/arenas at "
				     "the end, %d at the start", arenas1, arenas0);
		}
		token_values_check();
	}
	say("gomem-fuzz: seed %llu, %llu ops in %.1f s (%.0f ops/s), %d procs x %d threads, %llu kills, %llu forks",
	    opt_seed, ops, el, ops / (el > 0 ? el : 1), opt_procs, opt_threads,
	    kills, forks);
	say("gomem-fuzz: %llu exact in_use comparisons, %llu skipped",
	    exact_cmp, skipped_cmp);
	if (arenas0 >= 0)
		say("gomem-fuzz: private arenas in debugfs: %d at the start, %d at the end",
		    arenas0, arenas1);
	for (c = 0; c < NCALL; c++)
		for (e = 0; e < NERR; e++) {
			u64 n = atomic_load(&shm->cnt[c][e]);
			const char *name;

			if (!n)
				continue;
			if (c == C_FAILNTH)
				name = e ? "not_reached" : "injected";
			else
				name = e == 0 ? "ok" : e == E_SIGBUS ? "SIGBUS" :
				       e == E_OTHER ? "other" : strerrorname_np(e);
			say("gomem-fuzz: errno %s %s %llu", call_name[c],
			    name ? name : "?", n);
		}
	cov_report();
	/* Left only by a worker that failed: taken away for rmmod. */
	if (named_sweep() && !failed) {
		say("gomem-fuzz: FAIL seed %llu: a worker left its named arena",
		    opt_seed);
		return 1;
	}
	if (failed) {
		say("gomem-fuzz: FAIL seed %llu (a worker failed, see above)", opt_seed);
		return 1;
	}
	say("gomem-fuzz: PASS");
	close(pfd);
	return 0;
}
