/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: the harness has no tracing; gomem's tracepoints compile to
 * nothing.  Found before the real include/gomem_trace.h because the
 * harness's include directory comes first on the include path.
 */
#ifndef _SHIM_GOMEM_TRACE_H
#define _SHIM_GOMEM_TRACE_H

#include <linux/types.h>

static inline void trace_gomem_alloc(const char *arena, u64 offset, u64 size,
				     int result)
{
}

static inline void trace_gomem_free(const char *arena, u64 offset, u64 size,
				    int result)
{
}

static inline void trace_gomem_grow(const char *arena, u64 base, u64 size)
{
}

static inline void trace_gomem_trim(const char *arena, u64 base, u64 size)
{
}

static inline void trace_gomem_session_release(const char *arena, u64 regions,
					       u64 bytes)
{
}

#endif /* _SHIM_GOMEM_TRACE_H */
