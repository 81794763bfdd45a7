/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: WARN and BUG.  Every WARN is counted (shim/shim.h: shim_warnings())
 * and fails the test program; unlike the kernel, WARN_ON_ONCE() counts
 * every hit and only prints once.  BUG() aborts.
 */
#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/types.h>

void __shim_warn(const char *file, int line, bool print, const char *cond);
__attribute__((__noreturn__))
void __shim_bug(const char *file, int line, const char *cond);

#define WARN_ON(condition)						\
	({								\
		int __ret_warn_on = !!(condition);			\
		if (unlikely(__ret_warn_on))				\
			__shim_warn(__FILE__, __LINE__, true, #condition); \
		unlikely(__ret_warn_on);				\
	})

#define WARN_ON_ONCE(condition)						\
	({								\
		static bool __warned;					\
		int __ret_warn_on = !!(condition);			\
		if (unlikely(__ret_warn_on)) {				\
			__shim_warn(__FILE__, __LINE__, !__warned,	\
				    #condition);			\
			__warned = true;				\
		}							\
		unlikely(__ret_warn_on);				\
	})

#define WARN(condition, fmt, ...)					\
	({								\
		int __ret_warn = !!(condition);				\
		if (unlikely(__ret_warn)) {				\
			printk(fmt, ##__VA_ARGS__);			\
			__shim_warn(__FILE__, __LINE__, true, #condition); \
		}							\
		unlikely(__ret_warn);					\
	})

#define WARN_ONCE(condition, fmt, ...)	WARN(condition, fmt, ##__VA_ARGS__)

#define BUG()		__shim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(condition)						\
	do {								\
		if (unlikely(condition))				\
			__shim_bug(__FILE__, __LINE__, #condition);	\
	} while (0)

#define BUILD_BUG_ON(condition)						\
	_Static_assert(!(condition), "BUILD_BUG_ON(" #condition ")")
#define BUILD_BUG_ON_MSG(condition, msg)	_Static_assert(!(condition), msg)

#endif /* _SHIM_LINUX_BUG_H */
