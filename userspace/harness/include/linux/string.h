/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: the kernel's memcpy/memmove/memset/memcmp are the C library's;
 * memchr_inv() is the kernel's own.
 */
#ifndef _SHIM_LINUX_STRING_H
#define _SHIM_LINUX_STRING_H

#include <stddef.h>
#include <string.h>

/* First byte of [@start, @start + @bytes) that is not @c, or NULL. */
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

#endif /* _SHIM_LINUX_STRING_H */
