/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: kernel integer types.  The uapi <linux/types.h> (found next on the
 * include path) provides __u8..__s64; glibc headers include it too, so this
 * file must stay a superset of it.
 */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef __u8 u8;
typedef __s8 s8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;

typedef unsigned int gfp_t;
typedef unsigned int slab_flags_t;

#endif /* _SHIM_LINUX_TYPES_H */
