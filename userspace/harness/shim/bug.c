// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Shim WARN/BUG and the problem counter they feed (see shim.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/bug.h>

#include "shim.h"

static unsigned long nr_problems;

void shim_problem(const char *fmt, ...)
{
	va_list ap;

	nr_problems++;
	printf("# PROBLEM: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

unsigned long shim_problems(void)
{
	return nr_problems;
}

void __shim_warn(const char *file, int line, bool print, const char *cond)
{
	if (print) {
		shim_problem("WARNING at %s:%d: %s", file, line, cond);
		return;
	}
	nr_problems++;
}

void __shim_bug(const char *file, int line, const char *cond)
{
	printf("# BUG at %s:%d: %s\n", file, line, cond);
	fflush(stdout);
	abort();
}
