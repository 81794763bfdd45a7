// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Shim printk: messages go to stdout, flushed so none is lost on a crash. */
#include <stdarg.h>
#include <stdio.h>

#include <linux/printk.h>

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	return n;
}
