/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: "random" numbers from a seeded deterministic generator, so that a
 * failing run can be repeated (shim/shim.h: shim_random_seed()).
 */
#ifndef _SHIM_LINUX_RANDOM_H
#define _SHIM_LINUX_RANDOM_H

#include <linux/types.h>

u32 get_random_u32(void);
u64 get_random_u64(void);
void get_random_bytes(void *buf, size_t len);

static inline u32 get_random_u32_below(u32 ceil)
{
	return (u32)(((u64)get_random_u32() * ceil) >> 32);
}

#endif /* _SHIM_LINUX_RANDOM_H */
