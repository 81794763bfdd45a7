// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The case runner shared by gomem-e2e and libgomem-test: see case_runner.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "case_runner.h"

int g_fail_fd = -1;

int case_default_timeout(void)
{
	const char *e = getenv("GOMEM_CASE_TIMEOUT");
	int t = e ? atoi(e) : 60;

	return t > 0 ? t : 60;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void fail_at(int line, const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "line %d: ", line);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(g_fail_fd >= 0 ? g_fail_fd : 2, buf, n) < 0)
		_exit(3);
	_exit(1);
}

static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static bool run_case(const struct gomem_case *tc, int timeout)
{
	char reason[700] = "";
	size_t rn = 0;
	int p[2], st = 0;
	bool timed_out = false;
	double end;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		printf("GOMEM-CASE %s FAIL pipe: %s\n", tc->name, strerror(errno));
		return false;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("GOMEM-CASE %s FAIL fork: %s\n", tc->name, strerror(errno));
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (!pid) {
		setpgid(0, 0);
		close(p[0]);
		g_fail_fd = p[1];
		tc->fn();
		_exit(0);
	}
	setpgid(pid, pid);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	end = now_s() + timeout;
	for (;;) {
		ssize_t n;

		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (now_s() > end) {
			timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		n = read(p[0], reason + rn, sizeof(reason) - 1 - rn);
		if (n > 0)
			rn += n;
		usleep(10000);
	}
	/* What the case left running (its children) goes before the next. */
	kill(-pid, SIGKILL);
	for (int i = 0; i < 100; i++) {
		reap_orphans();
		if (kill(-pid, 0) && errno == ESRCH)
			break;
		usleep(10000);
	}
	for (;;) {
		ssize_t n = read(p[0], reason + rn, sizeof(reason) - 1 - rn);

		if (n <= 0)
			break;
		rn += n;
	}
	close(p[0]);
	reason[rn] = 0;
	reason[strcspn(reason, "\n")] = 0;

	if (!timed_out && WIFEXITED(st) && WEXITSTATUS(st) == 0 && !rn) {
		printf("GOMEM-CASE %s PASS\n", tc->name);
		fflush(stdout);
		return true;
	}
	if (timed_out)
		printf("GOMEM-CASE %s FAIL timeout after %ds%s%s\n", tc->name,
		       timeout, rn ? ": " : "", reason);
	else if (WIFSIGNALED(st))
		printf("GOMEM-CASE %s FAIL killed by signal %d (%s)%s%s\n",
		       tc->name, WTERMSIG(st), strsignal(WTERMSIG(st)),
		       rn ? ": " : "", reason);
	else
		printf("GOMEM-CASE %s FAIL %s\n", tc->name,
		       rn ? reason : "exited non-zero without a reason");
	fflush(stdout);
	return false;
}

int case_main(const struct gomem_case *cases, int n, int argc, char **argv,
	      int default_timeout)
{
	int passed = 0, failed = 0;
	bool all, host;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "--list")) {
		for (int i = 0; i < n; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	/* Orphans of a case (exec'd peers) come back to us to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	all = !strcmp(argv[1], "--all");
	host = !strcmp(argv[1], "--host");
	if (all || host) {
		for (int i = 0; i < n; i++) {
			if (host && !cases[i].host)
				continue;
			run_case(&cases[i], cases[i].timeout > 0 ?
				 cases[i].timeout : default_timeout) ?
				passed++ : failed++;
		}
	} else {
		for (int a = 1; a < argc; a++) {
			int i;

			for (i = 0; i < n; i++)
				if (!strcmp(argv[a], cases[i].name))
					break;
			if (i == n) {
				printf("GOMEM-CASE %s FAIL unknown case\n", argv[a]);
				failed++;
				continue;
			}
			run_case(&cases[i], cases[i].timeout > 0 ?
				 cases[i].timeout : default_timeout) ?
				passed++ : failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
