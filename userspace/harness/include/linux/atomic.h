/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shim: atomic_t on the compiler's __atomic built-ins (sequentially consistent). */
#ifndef _SHIM_LINUX_ATOMIC_H
#define _SHIM_LINUX_ATOMIC_H

typedef struct {
	int counter;
} atomic_t;

#define ATOMIC_INIT(i)		{ (i) }
#define atomic_read(v)		__atomic_load_n(&(v)->counter, __ATOMIC_SEQ_CST)
#define atomic_set(v, i)	__atomic_store_n(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_add(i, v)	((void)__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_inc(v)		atomic_add(1, (v))

#endif /* _SHIM_LINUX_ATOMIC_H */
