// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * make bench, part 4: gomem against the other ways to get a buffer another
 * process could map.  A buffer cycle: get a buffer, write its first and
 * last byte, give it back, at 64 B, 4 KiB, 64 KiB and 1 MiB:
 *
 *   gomem-cached   gomem_alloc()/gomem_free() with libgomem's region cache
 *                  (and -nozero: with GOMEM_ALLOC_NOZERO)
 *   gomem-raw      the same with GOMEM_LIB_NOCACHE: two ioctls, zeroed
 *   gomem-nozero   the same with GOMEM_ALLOC_NOZERO
 *   gomem-batch64  64 regions per GOMEM_IOC_ALLOC_BATCH/FREE_BATCH, per region
 *   boost          Boost.Interprocess managed_shared_memory allocate/deallocate
 *   memfd          memfd_create, ftruncate, mmap, touch, munmap, close
 *   dma-heap       DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system, mmap,
 *                  touch, munmap, close
 *
 * Each figure is also given in units of a null system call (getppid)
 * measured in the same run: under TCG user-space code is charged far more,
 * relative to a kernel entry, than on hardware, so only these units
 * compare across the VM and a native run.  gomem's rows also report the
 * system calls per cycle that the kernel's own counters (GOMEM_IOC_STATS:
 * allocs + frees) saw, counted, not timed.  Rows whose device is missing
 * are skipped (natively there is no /dev/gomem).
 *
 *   gomem-peers [--cycles N] [--part cycle|handoff|fault] [--peer ROW]
 *               [--size BYTES]
 *
 * prints "peer ROW SIZE NS UNITS SYSCALLS" for the buffer cycle, then the
 * hand-off's and the faults' lines (gomem_handoff.cc); --part runs one
 * part, --peer and --size one hand-off row and size (peers_strace.sh).
 */
#include <boost/interprocess/managed_shared_memory.hpp>
#include <boost/version.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "gomem.h"
#include "peers.h"

namespace bip = boost::interprocess;

static volatile unsigned char sink;

static void touch(void *v, size_t size)
{
	unsigned char *p = static_cast<unsigned char *>(v);

	p[0] = 1;
	p[size - 1] = 2;
	sink = p[0];
}

/* Regions that went through the device (allocations + frees). */
static double dev_calls(struct gomem *g)
{
	struct gomem_stats s;

	if (!g || gomem_stats(g, &s))
		return -1;
	return (double)(s.allocs + s.frees);
}

static double run_gomem(struct gomem *g, size_t size, unsigned int flags,
			long n, double *calls)
{
	double c0 = dev_calls(g), t0 = now();

	for (long i = 0; i < n; i++) {
		void *p = gomem_alloc(g, size, 0, flags);

		if (!p) {
			perror("gomem_alloc");
			exit(1);
		}
		touch(p, size);
		if (gomem_free(g, p, size)) {
			fprintf(stderr, "gomem_free failed\n");
			exit(1);
		}
	}
	double t = (now() - t0) / n;
	/* Each region is one alloc and one free: 2 calls a cycle uncached,
	 * and the batch calls count per region, so the counters are
	 * regions, which is an upper bound on calls. */
	*calls = (dev_calls(g) - c0) / n;
	return t;
}

static double run_batch(struct gomem *g, size_t size, long n, double *calls)
{
	static struct gomem_region r[64];
	long rounds = n / 64 ? n / 64 : 1;
	double t0 = now();

	for (long i = 0; i < rounds; i++) {
		for (int k = 0; k < 64; k++)
			r[k].size = size;
		if (gomem_alloc_batch(g, r, 64, 0, 0) != 64) {
			/* 64 regions of this size do not fit the arena
			 * (1 MiB x 64 in a 64 MiB one): no row. */
			for (int k = 0; k < 64; k++)
				if (r[k].ptr)
					gomem_free(g, r[k].ptr, size);
			return -1;
		}
		for (int k = 0; k < 64; k++)
			touch(r[k].ptr, size);
		if (gomem_free_batch(g, r, 64) != 64) {
			fprintf(stderr, "gomem_free_batch failed\n");
			exit(1);
		}
	}
	*calls = 2.0 / 64;	/* two ioctls per 64 regions */
	return (now() - t0) / (rounds * 64);
}

static double run_boost(bip::managed_shared_memory &seg, size_t size, long n)
{
	double t0 = now();

	for (long i = 0; i < n; i++) {
		void *p = seg.allocate(size);

		touch(p, size);
		seg.deallocate(p);
	}
	return (now() - t0) / n;
}

static double run_memfd(size_t size, long n)
{
	double t0 = now();

	for (long i = 0; i < n; i++) {
		int fd = memfd_create("gomem-peer", MFD_CLOEXEC);
		void *p;

		if (fd < 0 || ftruncate(fd, (off_t)size)) {
			perror("memfd");
			exit(1);
		}
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			perror("mmap memfd");
			exit(1);
		}
		touch(p, size);
		munmap(p, size);
		close(fd);
	}
	return (now() - t0) / n;
}

/* -1: no dma-heap here. */
static double run_dmaheap(int heap, size_t size, long n)
{
	double t0 = now();

	for (long i = 0; i < n; i++) {
		struct dma_heap_allocation_data a;
		size_t len = (size + 4095) & ~(size_t)4095;
		void *p;

		memset(&a, 0, sizeof(a));
		a.len = len;
		a.fd_flags = O_RDWR | O_CLOEXEC;
		if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a))
			return -1;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 (int)a.fd, 0);
		if (p == MAP_FAILED) {
			close((int)a.fd);
			return -1;
		}
		touch(p, size);
		munmap(p, len);
		close((int)a.fd);
	}
	return (now() - t0) / n;
}

static std::string kernel_release()
{
	struct utsname u;

	return uname(&u) ? "?" : u.release;
}

static void row(const char *name, size_t size, double ns, double nul,
		double calls)
{
	printf("peer %s %zu %.1f %.3f %.3f\n", name, size, ns, ns / nul, calls);
	fflush(stdout);
}

static void run_cycles(long cycles, struct gomem *cached, struct gomem *raw,
		       int heap)
{
	static const size_t sizes[] = { 64, 4096, 65536, 1 << 20 };
	std::string name = "gomem-peers-" + std::to_string(getpid());

	bip::shared_memory_object::remove(name.c_str());
	{
		bip::managed_shared_memory seg(bip::create_only, name.c_str(),
					       32u << 20);

		for (size_t s : sizes) {
			/* Fewer cycles where a cycle costs more. */
			long n = s >= (1 << 20) ? cycles / 20 :
				 s >= 65536 ? cycles / 4 : cycles;
			double nul, t, calls;

			/*
			 * Warm every path once, and each gomem row again just
			 * before it, with its own handle and flags: a buffer
			 * cycle's steady state.  The first region a session
			 * gets at a new size may be bytes the other handle's
			 * session freed, zeroed once: at 1 MiB and 200 cycles
			 * that one zeroing could be most of a row.
			 */
			if (cached)
				run_gomem(cached, s, 0, 100, &calls);
			nul = null_ns(n);
			if (cached) {
				run_gomem(cached, s, 0, 10, &calls);
				t = run_gomem(cached, s, 0, n, &calls);
				row("gomem-cached", s, t, nul, calls);
				run_gomem(cached, s, GOMEM_ALLOC_NOZERO, 10, &calls);
				t = run_gomem(cached, s, GOMEM_ALLOC_NOZERO, n, &calls);
				row("gomem-cached-nozero", s, t, nul, calls);
			}
			if (raw) {
				run_gomem(raw, s, 0, 10, &calls);
				t = run_gomem(raw, s, 0, n, &calls);
				row("gomem-raw", s, t, nul, calls);
				run_gomem(raw, s, GOMEM_ALLOC_NOZERO, 10, &calls);
				t = run_gomem(raw, s, GOMEM_ALLOC_NOZERO, n, &calls);
				row("gomem-nozero", s, t, nul, calls);
				t = run_batch(raw, s, n, &calls);
				if (t >= 0)
					row("gomem-batch64", s, t, nul, calls);
			}
			run_boost(seg, s, 100);
			t = run_boost(seg, s, n);
			row("boost", s, t, nul, 0);
			t = run_memfd(s, n / 4 ? n / 4 : 1);
			row("memfd", s, t, nul, 5);
			if (heap >= 0) {
				t = run_dmaheap(heap, s, n / 4 ? n / 4 : 1);
				if (t >= 0)
					row("dma-heap", s, t, nul, 4);
			}
			/* The null call again: its mean brackets the rows. */
			nul = (nul + null_ns(n)) / 2;
			row("null-syscall", s, nul, nul, 1);
		}
	}
	bip::shared_memory_object::remove(name.c_str());
}

static int usage()
{
	fprintf(stderr, "usage: gomem-peers [--cycles N] [--part cycle|handoff|fault] [--peer ROW] [--size BYTES]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long cycles = 20000;
	const char *part = NULL, *peer = NULL;
	size_t size_only = 0;
	struct gomem *cached = gomem_open(NULL, 0);
	struct gomem *raw = gomem_open(NULL, GOMEM_LIB_NOCACHE);
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);

	for (int i = 1; i < argc; i++) {
		if (i + 1 == argc)
			return usage();
		if (!strcmp(argv[i], "--cycles"))
			cycles = atol(argv[++i]);
		else if (!strcmp(argv[i], "--part"))
			part = argv[++i];
		else if (!strcmp(argv[i], "--peer"))
			peer = argv[++i];
		else if (!strcmp(argv[i], "--size"))
			size_only = (size_t)atol(argv[++i]);
		else
			return usage();
	}
	if (cycles < 1)
		return usage();
	printf("peer-info boost %d.%d.%d gomem %s dma-heap %s kernel %s\n",
	       BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
	       BOOST_VERSION % 100, cached ? gomem_version() : "absent",
	       heap >= 0 ? "present" : "absent", kernel_release().c_str());
	fflush(stdout);
	if (!part || !strcmp(part, "cycle"))
		run_cycles(cycles, cached, raw, heap);
	gomem_close(cached);
	gomem_close(raw);
	if (heap >= 0)
		close(heap);
	/* The hand-off and the faults fork: no session of ours shared. */
	if (!part || !strcmp(part, "handoff"))
		run_handoff(cycles, peer, size_only);
	if (!part || !strcmp(part, "fault"))
		run_faults(cycles >= 4000 ? 40 : 10);
	return 0;
}
