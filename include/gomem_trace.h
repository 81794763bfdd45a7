/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gomem tracepoints: events/gomem/ in tracefs.
 *
 * The arena traces allocations, frees, growth and trim; the device traces
 * the release of a session.  Every event names its arena.  gomem_dev.c
 * defines CREATE_TRACE_POINTS; the userspace harness has a no-op stand-in
 * for this header.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gomem

#if !defined(_GOMEM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GOMEM_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>

#define GOMEM_TRACE_NAME	16

DECLARE_EVENT_CLASS(gomem_region_class,
		    TP_PROTO(const char *arena, u64 offset, u64 size,
			     int result),
		    TP_ARGS(arena, offset, size, result),
		    TP_STRUCT__entry(__array(char, arena, GOMEM_TRACE_NAME)
				     __field(u64, offset)
				     __field(u64, size)
				     __field(int, result)),
		    TP_fast_assign(strscpy(__entry->arena, arena,
					   GOMEM_TRACE_NAME);
				   __entry->offset = offset;
				   __entry->size = size;
				   __entry->result = result;),
		    TP_printk("arena=%s offset=%llu size=%llu result=%d",
			      __entry->arena, __entry->offset, __entry->size,
			      __entry->result)
);

/* An allocation: @offset is valid only when @result is 0. */
DEFINE_EVENT(gomem_region_class, gomem_alloc,
	     TP_PROTO(const char *arena, u64 offset, u64 size, int result),
	     TP_ARGS(arena, offset, size, result));

/* A free, whole or partial. */
DEFINE_EVENT(gomem_region_class, gomem_free,
	     TP_PROTO(const char *arena, u64 offset, u64 size, int result),
	     TP_ARGS(arena, offset, size, result));

DECLARE_EVENT_CLASS(gomem_chunk_class,
		    TP_PROTO(const char *arena, u64 base, u64 size),
		    TP_ARGS(arena, base, size),
		    TP_STRUCT__entry(__array(char, arena, GOMEM_TRACE_NAME)
				     __field(u64, base)
				     __field(u64, size)),
		    TP_fast_assign(strscpy(__entry->arena, arena,
					   GOMEM_TRACE_NAME);
				   __entry->base = base;
				   __entry->size = size;),
		    TP_printk("arena=%s base=%llu size=%llu", __entry->arena,
			      __entry->base, __entry->size)
);

/* A chunk added by growth. */
DEFINE_EVENT(gomem_chunk_class, gomem_grow,
	     TP_PROTO(const char *arena, u64 base, u64 size),
	     TP_ARGS(arena, base, size));

/* A chunk released by trim. */
DEFINE_EVENT(gomem_chunk_class, gomem_trim,
	     TP_PROTO(const char *arena, u64 base, u64 size),
	     TP_ARGS(arena, base, size));

/* A session's last reference went: its regions returned to the arena. */
TRACE_EVENT(gomem_session_release,
	    TP_PROTO(const char *arena, u64 regions, u64 bytes),
	    TP_ARGS(arena, regions, bytes),
	    TP_STRUCT__entry(__array(char, arena, GOMEM_TRACE_NAME)
			     __field(u64, regions)
			     __field(u64, bytes)),
	    TP_fast_assign(strscpy(__entry->arena, arena, GOMEM_TRACE_NAME);
			   __entry->regions = regions;
			   __entry->bytes = bytes;),
	    TP_printk("arena=%s regions=%llu bytes=%llu", __entry->arena,
		      __entry->regions, __entry->bytes)
);

#endif /* _GOMEM_TRACE_H */

/* This part must be outside the multi-read protection. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE gomem_trace
#include <trace/define_trace.h>
