// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shim SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input
 * PRF", 2012), written for the harness from the paper's description: the
 * message is taken in 64-bit little-endian words, each mixed in with two
 * SipRounds; the last word carries the leftover bytes and the length
 * (mod 256) in its top byte; four SipRounds finish.  The fixed-width
 * helpers lay their words out as little-endian bytes and hash those, which
 * is what the kernel's do.
 */
#include <linux/siphash.h>

static inline u64 rotl64(u64 x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

struct sip_state {
	u64 v0, v1, v2, v3;
};

static void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

/* Two compression rounds per message word. */
static void sip_absorb(struct sip_state *s, u64 m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

static u64 load_le64(const u8 *p, size_t n)
{
	u64 w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w |= (u64)p[i] << (8 * i);
	return w;
}

u64 siphash(const void *data, size_t len, const siphash_key_t *key)
{
	/* "somepseudorandomlygeneratedbytes", as the paper initialises. */
	struct sip_state s = {
		.v0 = key->key[0] ^ 0x736f6d6570736575ULL,
		.v1 = key->key[1] ^ 0x646f72616e646f6dULL,
		.v2 = key->key[0] ^ 0x6c7967656e657261ULL,
		.v3 = key->key[1] ^ 0x7465646279746573ULL,
	};
	const u8 *p = data;
	size_t left = len;
	int i;

	for (; left >= 8; p += 8, left -= 8)
		sip_absorb(&s, load_le64(p, 8));
	sip_absorb(&s, load_le64(p, left) | ((u64)(len & 0xff) << 56));
	s.v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

static void store_le64(u8 *p, u64 w)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (u8)(w >> (8 * i));
}

static void store_le32(u8 *p, u32 w)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (u8)(w >> (8 * i));
}

static u64 hash_u64s(const u64 *w, unsigned int n, const siphash_key_t *key)
{
	u8 buf[4 * 8];
	unsigned int i;

	for (i = 0; i < n; i++)
		store_le64(buf + 8 * i, w[i]);
	return siphash(buf, 8 * n, key);
}

static u64 hash_u32s(const u32 *w, unsigned int n, const siphash_key_t *key)
{
	u8 buf[4 * 4];
	unsigned int i;

	for (i = 0; i < n; i++)
		store_le32(buf + 4 * i, w[i]);
	return siphash(buf, 4 * n, key);
}

u64 siphash_1u64(u64 a, const siphash_key_t *key)
{
	const u64 w[] = { a };

	return hash_u64s(w, 1, key);
}

u64 siphash_2u64(u64 a, u64 b, const siphash_key_t *key)
{
	const u64 w[] = { a, b };

	return hash_u64s(w, 2, key);
}

u64 siphash_3u64(u64 a, u64 b, u64 c, const siphash_key_t *key)
{
	const u64 w[] = { a, b, c };

	return hash_u64s(w, 3, key);
}

u64 siphash_4u64(u64 a, u64 b, u64 c, u64 d, const siphash_key_t *key)
{
	const u64 w[] = { a, b, c, d };

	return hash_u64s(w, 4, key);
}

u64 siphash_1u32(u32 a, const siphash_key_t *key)
{
	const u32 w[] = { a };

	return hash_u32s(w, 1, key);
}

u64 siphash_2u32(u32 a, u32 b, const siphash_key_t *key)
{
	const u32 w[] = { a, b };

	return hash_u32s(w, 2, key);
}

u64 siphash_3u32(u32 a, u32 b, u32 c, const siphash_key_t *key)
{
	const u32 w[] = { a, b, c };

	return hash_u32s(w, 3, key);
}

u64 siphash_4u32(u32 a, u32 b, u32 c, u32 d, const siphash_key_t *key)
{
	const u32 w[] = { a, b, c, d };

	return hash_u32s(w, 4, key);
}
