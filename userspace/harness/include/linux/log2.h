/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shim: integer base-2 logarithms and powers of two, as include/linux/log2.h. */
#ifndef _SHIM_LINUX_LOG2_H
#define _SHIM_LINUX_LOG2_H

#include <linux/types.h>

static inline __attribute__((__const__)) bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* Like the kernel's fls()-based versions: ilog2(0) is -1. */
static inline __attribute__((__const__)) int __ilog2_u32(u32 n)
{
	return n ? 31 - __builtin_clz(n) : -1;
}

static inline __attribute__((__const__)) int __ilog2_u64(u64 n)
{
	return n ? 63 - __builtin_clzll(n) : -1;
}

#define ilog2(n)							\
	(sizeof(n) <= 4 ? __ilog2_u32(n) : __ilog2_u64(n))

static inline __attribute__((__const__))
unsigned long __roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1UL : 1UL << (64 - __builtin_clzl(n - 1));
}

static inline __attribute__((__const__))
unsigned long __rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (63 - __builtin_clzl(n));
}

#define roundup_pow_of_two(n)	__roundup_pow_of_two(n)
#define rounddown_pow_of_two(n)	__rounddown_pow_of_two(n)
#define order_base_2(n)		((n) > 1 ? ilog2((n) - 1) + 1 : 0)

#endif /* _SHIM_LINUX_LOG2_H */
