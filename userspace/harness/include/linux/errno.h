/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: error numbers.  The uapi <linux/errno.h> (next on the path; glibc's
 * <errno.h> includes it) has the user-visible ones; add the kernel-only ones.
 */
#ifndef _SHIM_LINUX_ERRNO_H
#define _SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>

#define ERESTARTSYS	512
#define ENOTSUPP	524

#endif /* _SHIM_LINUX_ERRNO_H */
