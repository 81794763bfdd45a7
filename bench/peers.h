/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * make bench, part 4: what gomem-peers' parts share (gomem_peers.cc: the
 * buffer cycle; gomem_handoff.cc: the hand-off and the faults).
 */
#ifndef GOMEM_BENCH_PEERS_H
#define GOMEM_BENCH_PEERS_H

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <sys/syscall.h>
#include <unistd.h>

static inline double now()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per null system call (getppid), over @n calls. */
static inline double null_ns(long n)
{
	double t0 = now();

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (now() - t0) / n;
}

/* ---- the message: every byte written, every byte read ---- */

static const uint64_t PATTERN_K = 0x9e3779b97f4a7c15ULL;

static inline void fill(void *v, size_t size, uint64_t seq)
{
	uint64_t *w = static_cast<uint64_t *>(v);

	for (size_t i = 0; i < size / 8; i++)
		w[i] = seq * PATTERN_K + i;
}

/* 0 if @v holds message @seq's pattern (sum of its words). */
static inline long check(const void *v, size_t size, uint64_t seq)
{
	const uint64_t *w = static_cast<const uint64_t *>(v);
	uint64_t n = size / 8, sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += w[i];
	return sum != n * seq * PATTERN_K + n * (n - 1) / 2;
}

/*
 * Hand-off rows ("peer-handoff ROW SIZE NS UNITS SYSCALLS"), @msgs
 * messages at 64 B and 4 KiB (a quarter at 64 KiB, a twentieth at 1 MiB);
 * @only: one row's name or NULL for all; @size_only: one size or 0.
 */
void run_handoff(long msgs, const char *only, size_t size_only);

/* Fault rows ("peer-fault ROW PROCS NS-PER-FAULT SCALING"), @rounds each. */
void run_faults(long rounds);

#endif
