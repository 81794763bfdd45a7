/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * KCOV coverage hooks of gomem-fuzz.  This tree has no-op stubs
 * (kcov.c); the KCOV collector replaces kcov.c with the same interface.
 */
#ifndef GOMEM_FUZZ_KCOV_H
#define GOMEM_FUZZ_KCOV_H

/* Start tracing the calling thread (each thread, and each forked child). */
void cov_thread_start(void);
/* Fold what the calling thread reached since the last call into the
 * table shared by every process of the run. */
void cov_thread_collect(void);
/* Parent, at the end, before the PASS/FAIL line. */
void cov_report(void);

#endif
