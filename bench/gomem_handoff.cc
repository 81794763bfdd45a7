// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * make bench, part 4: the hand-off and the faults (gomem-peers --part
 * handoff, --part fault).
 *
 * Hand-off: a producer process writes every byte of a buffer and hands it
 * to a consumer process (fork()ed), which reads every byte (a checksum of
 * the message's pattern, verified) and lets it go; at most 16 messages in
 * flight, at 64 B, 4 KiB, 64 KiB and 1 MiB:
 *
 *   gomem-share    one region per message: the producer allocates 16
 *                  regions (GOMEM_IOC_ALLOC_BATCH), writes them, makes a
 *                  token of each (one claim) in one GOMEM_IOC_SHARE_BATCH,
 *                  publishes the 16 tokens at once and gives up its
 *                  ownership of the 16 (GOMEM_IOC_FREE_BATCH); the
 *                  consumer, another session, takes every token the ring
 *                  holds, claims them in one GOMEM_IOC_CLAIM_BATCH, reads
 *                  each region and releases them in one
 *                  GOMEM_IOC_RELEASE_BATCH.  Each region survives the
 *                  producer's death until released.  (-nozero: allocated
 *                  with GOMEM_ALLOC_NOZERO.)
 *   gomem-share8   the same with 8 messages in a region: one token, one
 *                  claim and one release per 8 messages (two regions in
 *                  flight, 16 messages)
 *   gomem-pool     16 regions allocated once by the producer; their offsets
 *                  go to the consumer and back over two rings: no ioctl
 *                  per message, and no ownership moves (what Boost's and
 *                  iceoryx's pools do).
 *   memfd          per message memfd_create, ftruncate, mmap, write,
 *                  munmap, sendmsg with SCM_RIGHTS over a SOCK_SEQPACKET
 *                  socketpair, close; the consumer recvmsg, mmap, read,
 *                  munmap, close; it returns credits (one send per 8
 *                  messages) that keep 16 in flight.
 *   boost          Boost.Interprocess: managed_shared_memory allocate in
 *                  the producer, message_queue (16 messages) carrying the
 *                  handle (offset), deallocate in the consumer.
 *
 * gomem's tokens and offsets travel over a single-producer single-consumer
 * ring of 16 slots in a MAP_SHARED page: a side spins a little, then
 * sleeps in FUTEX_WAIT only when its ring is empty (consumer) or full
 * (producer), and the other side calls FUTEX_WAKE only when it saw a
 * sleeper's flag.  System calls per message are counted by construction:
 * every call this file makes (ioctl, futex, memfd, socket calls) adds one
 * to its process's count, the consumer's added at the end; the count is
 * exact for gomem and memfd.  Boost's futex calls happen inside glibc's
 * pthread process-shared mutex and condition, which this program cannot
 * count: its column is -1 (make -C bench peers counts them natively with
 * strace -f -c instead, peers_strace.sh).
 *
 * Faults: 1 and then 2 processes at once, each with its own session,
 * allocate a 256-page region, mmap() the device anew at its offset and
 * write one byte per page (a fault each), unmap and free, @rounds times;
 * the same with a memfd, for scale.
 */
#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/interprocess/managed_shared_memory.hpp>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <linux/futex.h>
#include <string>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "gomem.h"
#include "peers.h"

namespace bip = boost::interprocess;

#define INFLIGHT	16
#define SPINS		2000
/*
 * Messages before the clock starts (at the consumer): every buffer a peer
 * reuses has been faulted into both processes by then, so the figure is
 * the steady state.  System calls are counted over all messages.
 */
#define WARM		(2 * INFLIGHT)

/* System calls this process made in the measured loop. */
static long nsys;

/* ---- the ring ---- */

struct ring {
	alignas(64) std::atomic<uint32_t> head;	/* pushed, by the producer */
	std::atomic<uint32_t> cons_sleeps;
	alignas(64) std::atomic<uint32_t> tail;	/* popped, by the consumer */
	std::atomic<uint32_t> prod_sleeps;
	uint32_t cap;				/* slots used, up to INFLIGHT */
	alignas(64) uint64_t slot[INFLIGHT];
};

/* Everything both processes see: the rings and the consumer's report. */
struct shared {
	struct ring fwd, ret;
	std::atomic<int> ready;
	double t_warm, t_end;
	long sys;
	long bad;
};

static long futex(std::atomic<uint32_t> *w, int op, uint32_t val)
{
	nsys++;
	return syscall(SYS_futex, reinterpret_cast<uint32_t *>(w), op, val,
		       NULL, NULL, 0);
}

/* Return once *@w is no longer @val; sleep only after @SPINS looks. */
static void wait_while(std::atomic<uint32_t> *w, std::atomic<uint32_t> *flag,
		       uint32_t val)
{
	for (int i = 0; i < SPINS; i++) {
		if (w->load(std::memory_order_acquire) != val)
			return;
		__builtin_ia32_pause();
	}
	for (;;) {
		/* The waker clears the flag: set it again before each look. */
		flag->store(1, std::memory_order_seq_cst);
		if (w->load(std::memory_order_seq_cst) != val)
			break;
		futex(w, FUTEX_WAIT, val);
	}
	flag->store(0, std::memory_order_relaxed);
}

static void wake(std::atomic<uint32_t> *w, std::atomic<uint32_t> *flag)
{
	std::atomic_thread_fence(std::memory_order_seq_cst);
	if (flag->load(std::memory_order_relaxed) &&
	    flag->exchange(0, std::memory_order_seq_cst))
		futex(w, FUTEX_WAKE, 1);
}

static void push(struct ring *r, uint64_t v)
{
	uint32_t h = r->head.load(std::memory_order_relaxed);

	while (h - r->tail.load(std::memory_order_acquire) >= r->cap)
		wait_while(&r->tail, &r->prod_sleeps, h - r->cap);
	r->slot[h % INFLIGHT] = v;
	r->head.store(h + 1, std::memory_order_seq_cst);
	wake(&r->head, &r->cons_sleeps);
}

static uint64_t pop(struct ring *r)
{
	uint32_t t = r->tail.load(std::memory_order_relaxed);
	uint64_t v;

	while (r->head.load(std::memory_order_acquire) == t)
		wait_while(&r->head, &r->cons_sleeps, t);
	v = r->slot[t % INFLIGHT];
	r->tail.store(t + 1, std::memory_order_seq_cst);
	wake(&r->tail, &r->prod_sleeps);
	return v;
}

/* Push @n values at once (one store of head, one wake at most). */
static void push_n(struct ring *r, const uint64_t *v, uint32_t n)
{
	uint32_t h = r->head.load(std::memory_order_relaxed), t;

	while (h - (t = r->tail.load(std::memory_order_acquire)) + n > r->cap)
		wait_while(&r->tail, &r->prod_sleeps, t);
	for (uint32_t i = 0; i < n; i++)
		r->slot[(h + i) % INFLIGHT] = v[i];
	r->head.store(h + n, std::memory_order_seq_cst);
	wake(&r->head, &r->cons_sleeps);
}

/* Pop every value the ring holds (at least one, waiting for it). */
static uint32_t pop_all(struct ring *r, uint64_t *v)
{
	uint32_t t = r->tail.load(std::memory_order_relaxed), h, n;

	while ((h = r->head.load(std::memory_order_acquire)) == t)
		wait_while(&r->head, &r->cons_sleeps, t);
	n = h - t;
	for (uint32_t i = 0; i < n; i++)
		v[i] = r->slot[(t + i) % INFLIGHT];
	r->tail.store(t + n, std::memory_order_seq_cst);
	wake(&r->tail, &r->prod_sleeps);
	return n;
}

/* ---- the run: fork the consumer, time producer start to consumer end ---- */

struct run {
	struct shared *sh;
	pid_t child;
	double t0;
};

static struct shared *shared_new()
{
	void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap shared");
		exit(1);
	}
	struct shared *sh = new (p) shared();

	sh->fwd.cap = INFLIGHT;
	sh->ret.cap = INFLIGHT;
	return sh;
}

/* In the consumer: say ready, wait for the start; after the loop: report. */
static void consumer_ready(struct shared *sh)
{
	nsys = 0;
	sh->ready.store(1);
	while (sh->ready.load() != 2)
		__builtin_ia32_pause();
}

/* In the consumer, before message @i: start the clock after WARM. */
static inline void consumer_mark(struct shared *sh, long i)
{
	if (i == WARM)
		sh->t_warm = now();
}

static void __attribute__((noreturn)) consumer_done(struct shared *sh,
						    long bad)
{
	sh->t_end = now();
	sh->sys = nsys;
	sh->bad = bad;
	_exit(0);
}

static void producer_start(struct shared *sh, double *t0)
{
	while (sh->ready.load() != 1) {
		int st;

		if (waitpid(-1, &st, WNOHANG) > 0) {
			fprintf(stderr, "gomem-peers: a consumer died\n");
			exit(1);
		}
		usleep(1000);
	}
	nsys = 0;
	*t0 = now();
	sh->ready.store(2);
}

/*
 * Wait for the consumer; ns per message after the first WARM, and system
 * calls per message of both processes in *@calls.  Exit on a bad checksum
 * or a dead consumer.
 */
static double producer_end(struct shared *sh, pid_t child, double t0,
			   long msgs, double *calls, const char *name)
{
	int st;

	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		fprintf(stderr, "gomem-peers: %s: the consumer failed\n", name);
		exit(1);
	}
	if (sh->bad) {
		fprintf(stderr, "gomem-peers: %s: %ld messages read wrong\n",
			name, sh->bad);
		exit(1);
	}
	*calls = (double)(nsys + sh->sys) / msgs;
	(void)t0;
	return (sh->t_end - sh->t_warm) / (msgs - WARM);
}

/* ---- gomem: share, claim, release ---- */

static double handoff_gomem_share(size_t size, long msgs, unsigned int flags,
				  double *calls)
{
	struct gomem *p = gomem_open(NULL, GOMEM_LIB_NOCACHE);
	struct shared *sh = shared_new();
	struct gomem_region r[INFLIGHT];
	double t0, t;
	pid_t child;

	if (!p)
		return -1;
	child = fork();
	if (child == 0) {
		/* The consumer: a session of its own, read-only. */
		struct gomem *c = gomem_open(NULL, GOMEM_LIB_READONLY |
						   GOMEM_LIB_NOCACHE);
		struct gomem_claim_req cr[INFLIGHT];
		uint64_t tok[INFLIGHT];
		long bad = 0;

		if (!c)
			_exit(2);
		consumer_ready(sh);
		for (long i = 0; i < msgs;) {
			uint32_t n = pop_all(&sh->fwd, tok), k, m = 0;

			for (k = 0; k < n; k++)
				cr[k].token = tok[k];
			nsys++;
			if (gomem_claim_batch(c, cr, n) != (int)n)
				bad++;
			for (k = 0; k < n; k++, consumer_mark(sh, ++i)) {
				if (cr[k].result || cr[k].size != size) {
					bad++;
					continue;
				}
				bad += check(cr[k].ptr, size, (uint64_t)i);
				r[m++].ptr = cr[k].ptr;
			}
			nsys++;
			if (gomem_release_batch(c, r, m) != (int)m)
				bad++;
		}
		consumer_done(sh, bad);
	}
	producer_start(sh, &t0);
	for (long i = 0; i < msgs; i += INFLIGHT) {
		long n = msgs - i < INFLIGHT ? msgs - i : INFLIGHT;
		struct gomem_share_req sr[INFLIGHT];
		uint64_t tok[INFLIGHT];

		for (long k = 0; k < n; k++)
			r[k].size = size;
		nsys++;
		if (gomem_alloc_batch(p, r, (size_t)n, 0, flags) != n) {
			perror("gomem_alloc_batch");
			exit(1);
		}
		for (long k = 0; k < n; k++) {
			fill(r[k].ptr, size, (uint64_t)(i + k));
			sr[k].ptr = r[k].ptr;
			sr[k].size = size;
			sr[k].claims = 1;
		}
		nsys++;
		if (gomem_share_batch(p, sr, (size_t)n) != n) {
			fprintf(stderr, "gomem_share_batch failed\n");
			exit(1);
		}
		for (long k = 0; k < n; k++)
			tok[k] = sr[k].token;
		push_n(&sh->fwd, tok, (uint32_t)n);
		/* Ownership ends; the token or the reference holds them. */
		nsys++;
		if (gomem_free_batch(p, r, (size_t)n) != n) {
			fprintf(stderr, "gomem_free_batch failed\n");
			exit(1);
		}
	}
	t = producer_end(sh, child, t0, msgs, calls, "gomem-share");
	gomem_close(p);
	munmap(sh, sizeof(*sh));
	return t;
}

/*
 * ---- gomem: share, claim, release, 8 messages a region ----
 *
 * The producer writes 8 messages into one region, shares it (one token)
 * and frees its ownership; the consumer claims it, reads the 8 and
 * releases it.  Two regions in flight: 16 messages.  Returns -1 if the
 * arena has no room for them (8 MiB regions at 1 MiB).
 */
#define PER_REGION	8

/* True if @n regions of @len bytes fit the arena now (allocated, freed). */
static bool room_for(struct gomem *p, size_t len, int n)
{
	void *m[INFLIGHT];
	int k;

	for (k = 0; k < n; k++)
		if (!(m[k] = gomem_alloc(p, len, 0, GOMEM_ALLOC_NOZERO)))
			break;
	for (int i = 0; i < k; i++)
		gomem_free(p, m[i], len);
	return k == n;
}

static double handoff_gomem_share8(size_t size, long msgs, double *calls)
{
	struct gomem *p = gomem_open(NULL, GOMEM_LIB_NOCACHE);
	struct shared *sh = shared_new();
	size_t len = size * PER_REGION;
	double t0, t;
	pid_t child;
	bool full = false;

	if (!p)
		return -1;
	if (!room_for(p, len, INFLIGHT / PER_REGION + 1)) {
		/*
		 * The chunks earlier rows grew leave no room for these
		 * (8 MiB regions in the bench VM's 64 MiB arena): trim,
		 * untimed, and say so.  Only then: a trim changes how
		 * later rows' allocations perform.
		 */
		gomem_trim(p, NULL);
		printf("peer-note gomem-share8 at %zu B ran on a trimmed arena (no room for %d %zu-byte regions otherwise)\n",
		       size, INFLIGHT / PER_REGION + 1, len);
	}
	sh->fwd.cap = INFLIGHT / PER_REGION;
	child = fork();
	if (child == 0) {
		struct gomem *c = gomem_open(NULL, GOMEM_LIB_READONLY |
						   GOMEM_LIB_NOCACHE);
		long bad = 0;

		if (!c)
			_exit(2);
		consumer_ready(sh);
		for (long i = 0; i < msgs;
		     consumer_mark(sh, i += PER_REGION)) {
			uint64_t tok = pop(&sh->fwd);
			size_t got = 0;
			char *m;

			if (!tok)	/* the producer ran out of room */
				break;
			nsys++;
			m = static_cast<char *>(gomem_claim(c, tok, &got));
			if (!m || got != len) {
				bad++;
				continue;
			}
			for (long k = 0; k < PER_REGION && i + k < msgs; k++)
				bad += check(m + k * size, size,
					     (uint64_t)(i + k));
			nsys++;
			if (gomem_release(c, m))
				bad++;
		}
		consumer_done(sh, bad);
	}
	producer_start(sh, &t0);
	for (long i = 0; i < msgs; i += PER_REGION) {
		char *m = static_cast<char *>(gomem_alloc(p, len, 0, 0));
		uint64_t tok;

		nsys++;
		if (!m) {
			printf("peer-note gomem-share8 at %zu B: no room for a %zu-byte region in flight (%s)\n",
			       size, len, strerror(errno));
			full = true;
			push(&sh->fwd, 0);
			break;
		}
		for (long k = 0; k < PER_REGION && i + k < msgs; k++)
			fill(m + k * size, size, (uint64_t)(i + k));
		nsys += 2;
		if (gomem_share(p, m, len, 1, &tok) || gomem_free(p, m, len)) {
			fprintf(stderr, "gomem_share or gomem_free failed\n");
			exit(1);
		}
		push(&sh->fwd, tok);
	}
	t = producer_end(sh, child, t0, msgs, calls, "gomem-share8");
	gomem_close(p);
	munmap(sh, sizeof(*sh));
	return full ? -1 : t;
}

/* ---- gomem: a pool of 16 regions, offsets over the rings ---- */

static double handoff_gomem_pool(size_t size, long msgs, double *calls)
{
	struct gomem *p = gomem_open(NULL, GOMEM_LIB_NOCACHE);
	struct shared *sh = shared_new();
	int64_t pool[INFLIGHT];
	double t0, t;
	pid_t child;

	if (!p)
		return -1;
	for (int k = 0; k < INFLIGHT; k++) {
		void *m = gomem_alloc(p, size, 0, 0);

		if (!m) {
			perror("gomem_alloc");
			exit(1);
		}
		pool[k] = gomem_offset(p, m);
	}
	child = fork();
	if (child == 0) {
		struct gomem *c = gomem_open(NULL, GOMEM_LIB_READONLY |
						   GOMEM_LIB_NOCACHE);
		long bad = 0;

		if (!c)
			_exit(2);
		consumer_ready(sh);
		for (long i = 0; i < msgs; consumer_mark(sh, ++i)) {
			uint64_t off = pop(&sh->fwd);

			bad += check(gomem_ptr(c, off), size, (uint64_t)i);
			push(&sh->ret, off);
		}
		consumer_done(sh, bad);
	}
	producer_start(sh, &t0);
	for (long i = 0; i < msgs; i++) {
		uint64_t off = i < INFLIGHT ? (uint64_t)pool[i] : pop(&sh->ret);

		fill(gomem_ptr(p, off), size, (uint64_t)i);
		push(&sh->fwd, off);
	}
	t = producer_end(sh, child, t0, msgs, calls, "gomem-pool");
	gomem_close(p);
	munmap(sh, sizeof(*sh));
	return t;
}

/* ---- memfd with SCM_RIGHTS ---- */

struct fdmsg {
	uint64_t seq;
	uint64_t size;
};

static int send_fd(int sock, int fd, const struct fdmsg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { const_cast<struct fdmsg *>(m), sizeof(*m) };
	struct msghdr mh;
	struct cmsghdr *c;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	nsys++;
	return sendmsg(sock, &mh, 0) == (ssize_t)sizeof(*m) ? 0 : -1;
}

/* The descriptor received, or -1. */
static int recv_fd(int sock, struct fdmsg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh;
	struct cmsghdr *c;
	int fd;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	nsys++;
	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(*m))
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

#define CREDIT_EVERY	8

static double handoff_memfd(size_t size, long msgs, double *calls)
{
	struct shared *sh = shared_new();
	double t0, t;
	long credits = INFLIGHT;
	pid_t child;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		perror("socketpair");
		exit(1);
	}
	child = fork();
	if (child == 0) {
		long bad = 0, owed = 0;

		close(sv[0]);
		consumer_ready(sh);
		for (long i = 0; i < msgs; consumer_mark(sh, ++i)) {
			struct fdmsg m;
			int fd = recv_fd(sv[1], &m);
			void *p;

			if (fd < 0 || m.size != size) {
				bad++;
				break;
			}
			nsys++;
			p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED) {
				bad++;
				break;
			}
			bad += check(p, size, m.seq) || m.seq != (uint64_t)i;
			nsys += 2;
			munmap(p, size);
			close(fd);
			if (++owed == CREDIT_EVERY || i == msgs - 1) {
				nsys++;
				if (send(sv[1], &owed, sizeof(owed), 0) < 0)
					bad++;
				owed = 0;
			}
		}
		consumer_done(sh, bad);
	}
	close(sv[1]);
	producer_start(sh, &t0);
	for (long i = 0; i < msgs; i++) {
		struct fdmsg m = { (uint64_t)i, size };
		void *p;
		int fd;

		while (credits == 0) {
			long c;

			nsys++;
			if (recv(sv[0], &c, sizeof(c), 0) != sizeof(c)) {
				perror("recv credits");
				exit(1);
			}
			credits += c;
		}
		nsys += 3;
		fd = memfd_create("gomem-handoff", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)size)) {
			perror("memfd");
			exit(1);
		}
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			perror("mmap memfd");
			exit(1);
		}
		fill(p, size, (uint64_t)i);
		nsys++;
		munmap(p, size);
		if (send_fd(sv[0], fd, &m)) {
			perror("sendmsg");
			exit(1);
		}
		nsys++;
		close(fd);
		credits--;
	}
	t = producer_end(sh, child, t0, msgs, calls, "memfd");
	close(sv[0]);
	munmap(sh, sizeof(*sh));
	return t;
}

/* ---- Boost.Interprocess: message_queue of handles ---- */

struct bmsg {
	bip::managed_shared_memory::handle_t handle;
	uint64_t seq;
};

static double handoff_boost(size_t size, long msgs, double *calls)
{
	std::string seg_name = "gomem-handoff-" + std::to_string(getpid());
	std::string mq_name = seg_name + "-mq";
	struct shared *sh = shared_new();
	double t0, t;
	pid_t child;

	bip::shared_memory_object::remove(seg_name.c_str());
	bip::message_queue::remove(mq_name.c_str());
	{
		bip::managed_shared_memory seg(bip::create_only,
					       seg_name.c_str(), 64u << 20);
		bip::message_queue mq(bip::create_only, mq_name.c_str(),
				      INFLIGHT, sizeof(struct bmsg));

		child = fork();
		if (child == 0) {
			bip::managed_shared_memory cseg(bip::open_only,
							seg_name.c_str());
			bip::message_queue cmq(bip::open_only, mq_name.c_str());
			long bad = 0;

			consumer_ready(sh);
			for (long i = 0; i < msgs; consumer_mark(sh, ++i)) {
				struct bmsg m;
				bip::message_queue::size_type got;
				unsigned int prio;
				void *p;

				cmq.receive(&m, sizeof(m), got, prio);
				p = cseg.get_address_from_handle(m.handle);
				bad += check(p, size, m.seq) ||
				       m.seq != (uint64_t)i;
				cseg.deallocate(p);
			}
			consumer_done(sh, bad);
		}
		producer_start(sh, &t0);
		for (long i = 0; i < msgs; i++) {
			void *p = seg.allocate(size);
			struct bmsg m = { seg.get_handle_from_address(p),
					  (uint64_t)i };

			fill(p, size, (uint64_t)i);
			mq.send(&m, sizeof(m), 0);
		}
		t = producer_end(sh, child, t0, msgs, calls, "boost");
	}
	bip::shared_memory_object::remove(seg_name.c_str());
	bip::message_queue::remove(mq_name.c_str());
	munmap(sh, sizeof(*sh));
	*calls = -1;	/* inside glibc's pthread calls: not counted here */
	return t;
}

static void hrow(const char *name, size_t size, double ns, double nul,
		 double calls)
{
	printf("peer-handoff %s %zu %.1f %.3f %.3f\n", name, size, ns,
	       ns / nul, calls);
	fflush(stdout);
}

static bool want(const char *only, const char *name)
{
	return !only || !strcmp(only, name);
}

void run_handoff(long msgs, const char *only, size_t size_only)
{
	static const size_t sizes[] = { 64, 4096, 65536, 1 << 20 };

	for (size_t s : sizes) {
		long n = s >= (1 << 20) ? msgs / 20 :
			 s >= 65536 ? msgs / 4 : msgs;
		double nul, t, calls;

		if (size_only && s != size_only)
			continue;
		if (n < 4 * INFLIGHT)
			n = 4 * INFLIGHT;
		nul = null_ns(n);
		if (want(only, "gomem-share")) {
			t = handoff_gomem_share(s, n, 0, &calls);
			if (t >= 0)
				hrow("gomem-share", s, t, nul, calls);
		}
		if (want(only, "gomem-share-nozero")) {
			t = handoff_gomem_share(s, n, GOMEM_ALLOC_NOZERO, &calls);
			if (t >= 0)
				hrow("gomem-share-nozero", s, t, nul, calls);
		}
		if (want(only, "gomem-share8")) {
			t = handoff_gomem_share8(s, n, &calls);
			if (t >= 0)
				hrow("gomem-share8", s, t, nul, calls);
		}
		if (want(only, "gomem-pool")) {
			t = handoff_gomem_pool(s, n, &calls);
			if (t >= 0)
				hrow("gomem-pool", s, t, nul, calls);
		}
		if (want(only, "memfd")) {
			t = handoff_memfd(s, n, &calls);
			hrow("memfd", s, t, nul, calls);
		}
		if (want(only, "boost")) {
			t = handoff_boost(s, n, &calls);
			hrow("boost", s, t, nul, calls);
		}
		nul = (nul + null_ns(n)) / 2;
		hrow("null-syscall", s, nul, nul, 1);
	}
}

/* ---- faults: 1 and 2 processes at once ---- */

#define FAULT_PAGES	256

struct fault_shared {
	std::atomic<int> ready;
	std::atomic<int> go;
	double ns[2];
	long faults[2];
	int err[2];
};

/* @rounds rounds of FAULT_PAGES first touches; ns per fault, or -1. */
static double fault_worker(bool gomem, long rounds, long *faults)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)FAULT_PAGES * (size_t)pg;
	struct gomem *g = NULL;
	double total = 0;

	if (gomem && !(g = gomem_open(NULL, GOMEM_LIB_NOCACHE)))
		return -1;
	*faults = 0;
	for (long r = 0; r < rounds; r++) {
		volatile char *m;
		void *p = NULL;
		int fd = -1;
		double t;

		if (gomem) {
			p = gomem_alloc(g, len, (size_t)pg, 0);
			if (!p)
				return -1;
			m = (volatile char *)mmap(NULL, len,
						  PROT_READ | PROT_WRITE,
						  MAP_SHARED, gomem_fd(g),
						  (off_t)gomem_offset(g, p));
		} else {
			fd = memfd_create("gomem-fault", MFD_CLOEXEC);
			if (fd < 0 || ftruncate(fd, (off_t)len))
				return -1;
			m = (volatile char *)mmap(NULL, len,
						  PROT_READ | PROT_WRITE,
						  MAP_SHARED, fd, 0);
		}
		if (m == MAP_FAILED)
			return -1;
		t = now();
		for (long i = 0; i < FAULT_PAGES; i++)
			m[i * pg] = 1;
		total += now() - t;
		*faults += FAULT_PAGES;
		munmap((void *)m, len);
		if (gomem && gomem_free(g, p, len))
			return -1;
		if (fd >= 0)
			close(fd);
	}
	gomem_close(g);
	return total / *faults;
}

/* Mean ns per fault of @procs processes faulting at once; -1 if none. */
static double fault_run(bool gomem, int procs, long rounds, double *rate)
{
	struct fault_shared *fs;
	void *v = mmap(NULL, sizeof(*fs), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double sum = 0;
	pid_t pid[2];
	bool ok = true;

	if (v == MAP_FAILED)
		return -1;
	fs = new (v) fault_shared();
	for (int k = 0; k < procs; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			long warm;

			/* Warm the paths, then start together. */
			fault_worker(gomem, 2, &warm);
			fs->ready.fetch_add(1);
			while (!fs->go.load())
				__builtin_ia32_pause();
			fs->ns[k] = fault_worker(gomem, rounds, &fs->faults[k]);
			_exit(0);
		}
	}
	while (fs->ready.load() != procs)
		usleep(1000);
	fs->go.store(1);
	*rate = 0;
	for (int k = 0; k < procs; k++) {
		int st;

		waitpid(pid[k], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) || fs->ns[k] <= 0)
			ok = false;
		else {
			sum += fs->ns[k];
			*rate += 1e9 / fs->ns[k];
		}
	}
	munmap(v, sizeof(*fs));
	return ok ? sum / procs : -1;
}

void run_faults(long rounds)
{
	static const char *const names[] = { "memfd", "gomem" };

	for (int g = 0; g < 2; g++) {
		double r1, r2, t1, t2;

		t1 = fault_run(g, 1, rounds, &r1);
		if (t1 < 0)
			continue;
		t2 = fault_run(g, 2, rounds, &r2);
		printf("peer-fault %s 1 %.1f 1.000\n", names[g], t1);
		if (t2 >= 0)
			printf("peer-fault %s 2 %.1f %.3f\n", names[g], t2,
			       r2 / r1);
		fflush(stdout);
	}
}
