/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: vmalloc areas are page-aligned malloc blocks, counted and subject
 * to failure injection with the slab shim (shim/slab.c).
 */
#ifndef _SHIM_LINUX_VMALLOC_H
#define _SHIM_LINUX_VMALLOC_H

#include <linux/types.h>

void *vmalloc(unsigned long size);
void *__vmalloc(unsigned long size, gfp_t gfp_mask);
void *vzalloc(unsigned long size);
void *vmalloc_user(unsigned long size);
void vfree(const void *addr);

#endif /* _SHIM_LINUX_VMALLOC_H */
