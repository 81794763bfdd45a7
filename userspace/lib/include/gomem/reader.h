/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgomem: the multi-segment memory and reader (GoMem's Memory and
 * MemoryReader), for C and C++.
 *
 * The declarations are the kernel's own header, installed unchanged as
 * <gomem/gomem_reader.h>, and the functions are the kernel's own
 * gomem_reader.c compiled into libgomem.  That header is written with the
 * kernel's type names (u8, u64, gfp_t); this wrapper maps them to the uapi
 * types for the length of the include only, so it adds no u8 or u64 to the
 * program's namespace and leaves any u8 or u64 of the program's alone.
 *
 * In userspace the gfp_t arguments are ignored: pass 0.  Errors are negative
 * errno values (-ENODATA past the end, -ENOSPC, -ENOMEM, -EINVAL), as in the
 * kernel.  docs/reader.md has the whole contract.
 */
#ifndef GOMEM_LIB_READER_H
#define GOMEM_LIB_READER_H

#include <stddef.h>
#include <linux/types.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#pragma push_macro("u8")
#pragma push_macro("u64")
#pragma push_macro("gfp_t")
#undef u8
#undef u64
#undef gfp_t
#define u8 __u8
#define u64 __u64
#define gfp_t unsigned int

#ifdef __cplusplus
extern "C" {
#endif

#include <gomem/gomem_reader.h>

#ifdef __cplusplus
}
#endif

#undef u8
#undef u64
#undef gfp_t
#pragma pop_macro("gfp_t")
#pragma pop_macro("u64")
#pragma pop_macro("u8")

#endif /* GOMEM_LIB_READER_H */
