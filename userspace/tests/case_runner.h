/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The case runner shared by the VM test programs (gomem-e2e,
 * libgomem-test): each case runs in its own forked process group with a
 * timeout, so a crash, a signal or a hang fails that case only; a failing
 * case writes one reason line to the runner; every case prints
 * "GOMEM-CASE <name> PASS" or "GOMEM-CASE <name> FAIL <reason>", and the
 * run ends with "N passed, N failed".
 */
#ifndef GOMEM_CASE_RUNNER_H
#define GOMEM_CASE_RUNNER_H

#include <stdbool.h>

/**
 * struct gomem_case - one test case
 * @name: its name, as listed and as reported
 * @fn: the case; returns to pass, calls fail_at() (via a macro) to fail
 * @timeout: seconds, 0 for the runner's default
 * @host: needs no device (run by --host)
 */
struct gomem_case {
	const char *name;
	void (*fn)(void);
	int timeout;
	bool host;
};

/* Where a failing case writes its reason (the runner's pipe, or stderr). */
extern int g_fail_fd;

/* Seconds a case may take unless it says: $GOMEM_CASE_TIMEOUT, else 60. */
int case_default_timeout(void);

/* Monotonic seconds. */
double now_s(void);

/* Report "line N: ..." as the case's failure and end its process. */
void fail_at(int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/*
 * Run the cases @argv names, or every case for "--all", or the @host ones
 * for "--host"; "--list" prints the names.  @default_timeout applies to
 * cases whose timeout is 0.  Return: the process exit status (0: all
 * passed, 1: some failed, 2: usage).
 */
int case_main(const struct gomem_case *cases, int n, int argc, char **argv,
	      int default_timeout);

#endif /* GOMEM_CASE_RUNNER_H */
