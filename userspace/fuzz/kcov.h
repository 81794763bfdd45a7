/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * KCOV coverage of gomem.ko for gomem-fuzz: which instrumented points of
 * the module the fuzzer's system calls reached.  On only when the
 * environment has GOMEM_FUZZ_KCOV=1 and the kernel has CONFIG_KCOV (the
 * debug kernel of the VM tests); a no-op otherwise.
 */
#ifndef GOMEM_FUZZ_KCOV_H
#define GOMEM_FUZZ_KCOV_H

/* Start tracing the calling thread (each thread, and each forked child). */
void cov_thread_start(void);
/* Fold what the calling thread reached since the last call into the
 * table shared by every process of the run. */
void cov_thread_collect(void);
/* Parent, at the end: "GOMEM-KCOV <section> <offset>..." lines on stdout,
 * offsets in hex within the module's section (scripts/kcov-report.py). */
void cov_report(void);

#endif
