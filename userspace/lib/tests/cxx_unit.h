/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The C++ translation unit of libgomem-test (cxx_unit.cc). */
#ifndef GOMEM_CXX_UNIT_H
#define GOMEM_CXX_UNIT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Use libgomem from C++: the reader always; with @dev non-NULL also a
 * session on @dev (alloc, offsets, hand-off, batch, recyclable, stats).
 * Return: 0, or -1 with the reason in @why.
 */
int gomem_cxx_unit(const char *dev, char *why, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_CXX_UNIT_H */
