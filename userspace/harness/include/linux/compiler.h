/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shim: compiler attributes and hints, as in the kernel's compiler*.h. */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

/* glibc defines __always_inline too; take its definition when present. */
#include <sys/cdefs.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __cold			__attribute__((__cold__))
#define __weak			__attribute__((__weak__))
#define fallthrough		__attribute__((__fallthrough__))

/* Sparse annotations mean nothing to a native build. */
#define __user
#define __iomem
#define __force
#define __bitwise

#define barrier()		__asm__ __volatile__("" : : : "memory")
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	(*(volatile __typeof__(x) *)&(x) = (val))
/* A read racing with writers on purpose (KCSAN is told so in the kernel). */
#define data_race(x)		READ_ONCE(x)

#define __same_type(a, b)	__builtin_types_compatible_p(__typeof__(a), __typeof__(b))

#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

#endif /* _SHIM_LINUX_COMPILER_H */
