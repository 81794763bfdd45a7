/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: the kernel's grab-bag header, pulling in what include/linux/kernel.h
 * does for the files the harness compiles, plus the few macros it defines.
 */
#ifndef _SHIM_LINUX_KERNEL_H
#define _SHIM_LINUX_KERNEL_H

#include <linux/align.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/types.h>

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))

#define container_of(ptr, type, member)					\
	((type *)((char *)(ptr) - offsetof(type, member)))

#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define round_up(x, y)		((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y)	((x) & ~((__typeof__(x))((y) - 1)))
#define upper_32_bits(n)	((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))

#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)

/* Nothing sleeps in a single-threaded test program. */
#define might_sleep()		do { } while (0)
#define might_sleep_if(cond)	do { (void)(cond); } while (0)
#define cond_resched()		do { } while (0)

#endif /* _SHIM_LINUX_KERNEL_H */
