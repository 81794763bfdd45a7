/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shim: section annotations; a native program keeps all its code. */
#ifndef _SHIM_LINUX_INIT_H
#define _SHIM_LINUX_INIT_H

#define __init
#define __exit
#define __initdata
#define __exitdata
#define __initconst

#endif /* _SHIM_LINUX_INIT_H */
