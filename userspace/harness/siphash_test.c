// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * shim_siphash: the shim's SipHash-2-4 (shim/siphash.c) against the
 * reference test vectors of the SipHash paper (key 00 01 .. 0f, message
 * 00 01 .. of each length), through siphash() and through the fixed-width
 * helpers, which hash their words as little-endian bytes like the kernel's.
 *
 * Harness-only: gomem's share tokens are a SipHash permutation, so a shim
 * that were merely some hash would let the harness pass on values the
 * kernel never computes.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/siphash.h>

/* SipHash-2-4 of 00 01 .. (len - 1) under key 00 01 .. 0f, as LE bytes. */
static const u8 vectors[][8] = {
	{ 0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72 },
	{ 0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74 },
	{ 0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d },
	{ 0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85 },
	{ 0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf },
	{ 0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18 },
	{ 0xce, 0xe3, 0xfe, 0x58, 0x6e, 0x46, 0xc9, 0xcb },
	{ 0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab },
	{ 0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93 },
	{ 0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e },
	{ 0xf3, 0xb9, 0xdd, 0x94, 0xc5, 0xbb, 0x5d, 0x7a },
	{ 0xa7, 0xad, 0x6b, 0x22, 0x46, 0x2f, 0xb3, 0xf4 },
	{ 0xfb, 0xe5, 0x0e, 0x86, 0xbc, 0x8f, 0x1e, 0x75 },
	{ 0x90, 0x3d, 0x84, 0xc0, 0x27, 0x56, 0xea, 0x14 },
	{ 0xee, 0xf2, 0x7a, 0x8e, 0x90, 0xca, 0x23, 0xf7 },
	{ 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1 },
	{ 0xdb, 0x9b, 0xc2, 0x57, 0x7f, 0xcc, 0x2a, 0x3f },
	{ 0x94, 0x47, 0xbe, 0x2c, 0xf5, 0xe9, 0x9a, 0x69 },
};

static const siphash_key_t ref_key = {
	{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
};

static u64 vector(size_t len)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (u64)vectors[len][i] << (8 * i);
	return v;
}

static void reference_vectors(struct kunit *test)
{
	u8 msg[ARRAY_SIZE(vectors)];
	size_t len;

	for (len = 0; len < sizeof(msg); len++)
		msg[len] = (u8)len;
	for (len = 0; len < ARRAY_SIZE(vectors); len++)
		KUNIT_EXPECT_EQ_MSG(test, siphash(msg, len, &ref_key),
				    vector(len), "message of %zu bytes", len);
}

/* The words of 00 01 02 ..., little-endian, as the helpers take them. */
static void fixed_width_helpers(struct kunit *test)
{
	/* vectors[8], written out as the u64 it is. */
	KUNIT_EXPECT_EQ(test, siphash_1u64(0x0706050403020100ULL, &ref_key),
			0x93f5f5799a932462ULL);
	KUNIT_EXPECT_EQ(test, vector(8), 0x93f5f5799a932462ULL);
	KUNIT_EXPECT_EQ(test, siphash_2u64(0x0706050403020100ULL,
					   0x0f0e0d0c0b0a0908ULL, &ref_key),
			vector(16));
	KUNIT_EXPECT_EQ(test, siphash_1u32(0x03020100U, &ref_key), vector(4));
	KUNIT_EXPECT_EQ(test, siphash_2u32(0x03020100U, 0x07060504U, &ref_key),
			vector(8));
	KUNIT_EXPECT_EQ(test, siphash_3u32(0x03020100U, 0x07060504U,
					   0x0b0a0908U, &ref_key),
			vector(12));
	KUNIT_EXPECT_EQ(test, siphash_4u32(0x03020100U, 0x07060504U,
					   0x0b0a0908U, 0x0f0e0d0cU, &ref_key),
			vector(16));
}

/* Past the vectors: the helpers agree with siphash() over their bytes. */
static void helpers_hash_their_bytes(struct kunit *test)
{
	siphash_key_t key;
	u64 w[4];
	u8 buf[32];
	int round, i, j;

	for (round = 0; round < 1000; round++) {
		get_random_bytes(&key, sizeof(key));
		get_random_bytes(w, sizeof(w));
		for (i = 0; i < 4; i++)
			for (j = 0; j < 8; j++)
				buf[8 * i + j] = (u8)(w[i] >> (8 * j));
		KUNIT_ASSERT_EQ(test, siphash_1u64(w[0], &key),
				siphash(buf, 8, &key));
		KUNIT_ASSERT_EQ(test, siphash_2u64(w[0], w[1], &key),
				siphash(buf, 16, &key));
		KUNIT_ASSERT_EQ(test, siphash_3u64(w[0], w[1], w[2], &key),
				siphash(buf, 24, &key));
		KUNIT_ASSERT_EQ(test, siphash_4u64(w[0], w[1], w[2], w[3],
						   &key),
				siphash(buf, 32, &key));
		KUNIT_ASSERT_EQ(test, siphash_1u32((u32)w[0], &key),
				siphash(buf, 4, &key));
		/* The key matters, and so does every word. */
		KUNIT_ASSERT_NE(test, siphash_2u64(w[0], w[1], &key),
				siphash_2u64(w[0], w[1] ^ 1, &key));
		KUNIT_ASSERT_NE(test, siphash_1u64(w[0], &key),
				siphash_1u64(w[0], &ref_key));
	}
	memset(&key, 0, sizeof(key));
	KUNIT_EXPECT_TRUE(test, siphash_key_is_zero(&key));
	KUNIT_EXPECT_FALSE(test, siphash_key_is_zero(&ref_key));
}

static struct kunit_case shim_siphash_cases[] = {
	KUNIT_CASE(reference_vectors),
	KUNIT_CASE(fixed_width_helpers),
	KUNIT_CASE(helpers_hash_their_bytes),
	{}
};

static struct kunit_suite shim_siphash_suite = {
	.name = "shim_siphash",
	.test_cases = shim_siphash_cases,
};

kunit_test_suites(&shim_siphash_suite);
