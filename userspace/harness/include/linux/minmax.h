/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: min/max and friends, each argument evaluated once.  The kernel's
 * compile-time signedness checks are left to the kernel build; here a
 * mixed signed/unsigned comparison draws -Wsign-compare instead.
 */
#ifndef _SHIM_LINUX_MINMAX_H
#define _SHIM_LINUX_MINMAX_H

#include <linux/compiler.h>

#define __cmp(op, x, y)	((x) op (y) ? (x) : (y))

#define __cmp_once(op, x, y, ux, uy)					\
	({								\
		__typeof__(x) ux = (x);					\
		__typeof__(y) uy = (y);					\
		__cmp(op, ux, uy);					\
	})

#define min(x, y)	__cmp_once(<, x, y, __UNIQUE_ID(x_), __UNIQUE_ID(y_))
#define max(x, y)	__cmp_once(>, x, y, __UNIQUE_ID(x_), __UNIQUE_ID(y_))
#define umin(x, y)	min((x) + 0u + 0ul + 0ull, (y) + 0u + 0ul + 0ull)
#define umax(x, y)	max((x) + 0u + 0ul + 0ull, (y) + 0u + 0ul + 0ull)
#define min3(x, y, z)	min(min(x, y), z)
#define max3(x, y, z)	max(max(x, y), z)

#define min_t(type, x, y)	min((type)(x), (type)(y))
#define max_t(type, x, y)	max((type)(x), (type)(y))

#define clamp(val, lo, hi)	min((__typeof__(val))max(val, lo), hi)
#define clamp_t(type, val, lo, hi) \
	min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi)	clamp_t(__typeof__(val), val, lo, hi)

#define swap(a, b)							\
	do {								\
		__typeof__(a) __swap_tmp = (a);				\
		(a) = (b);						\
		(b) = __swap_tmp;					\
	} while (0)

#endif /* _SHIM_LINUX_MINMAX_H */
