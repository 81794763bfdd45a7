/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: the kernel's SipHash (include/linux/siphash.h): SipHash-2-4, a
 * keyed 64-bit pseudorandom function, under a 128-bit key.  As in the
 * kernel, siphash_Nu64() hashes the message made of the little-endian
 * bytes of its N words (8 * N bytes) and siphash_Nu32() that of its N
 * 32-bit words (4 * N bytes), so each equals siphash() over those bytes
 * and the published test vectors apply (shim/siphash.c, rbtree_test.c).
 */
#ifndef _SHIM_LINUX_SIPHASH_H
#define _SHIM_LINUX_SIPHASH_H

#include <linux/types.h>

#define SIPHASH_ALIGNMENT	__alignof__(u64)

typedef struct {
	u64 key[2];
} siphash_key_t;

static inline bool siphash_key_is_zero(const siphash_key_t *key)
{
	return !(key->key[0] | key->key[1]);
}

u64 siphash(const void *data, size_t len, const siphash_key_t *key);

u64 siphash_1u64(u64 a, const siphash_key_t *key);
u64 siphash_2u64(u64 a, u64 b, const siphash_key_t *key);
u64 siphash_3u64(u64 a, u64 b, u64 c, const siphash_key_t *key);
u64 siphash_4u64(u64 a, u64 b, u64 c, u64 d, const siphash_key_t *key);
u64 siphash_1u32(u32 a, const siphash_key_t *key);
u64 siphash_2u32(u32 a, u32 b, const siphash_key_t *key);
u64 siphash_3u32(u32 a, u32 b, u32 c, const siphash_key_t *key);
u64 siphash_4u32(u32 a, u32 b, u32 c, u32 d, const siphash_key_t *key);

#endif /* _SHIM_LINUX_SIPHASH_H */
