/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: checked arithmetic.  The kernel's versions are these builtins
 * (with type checks on top): true when the result did not fit in *d.
 */
#ifndef _SHIM_LINUX_OVERFLOW_H
#define _SHIM_LINUX_OVERFLOW_H

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

/* Bytes of a struct with @n elements of its flexible array @member. */
#define struct_size(p, member, n) \
	(sizeof(*(p)) + (size_t)(n) * sizeof((p)->member[0]))

#endif /* _SHIM_LINUX_OVERFLOW_H */
