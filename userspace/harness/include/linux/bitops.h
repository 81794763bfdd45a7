/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shim: the bit searches gomem uses. */
#ifndef _SHIM_LINUX_BITOPS_H
#define _SHIM_LINUX_BITOPS_H

#include <linux/types.h>

/* Index of the lowest set bit of @word, which must not be 0. */
static inline unsigned int __ffs64(u64 word)
{
	return __builtin_ctzll(word);
}

#endif /* _SHIM_LINUX_BITOPS_H */
