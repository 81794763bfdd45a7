// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shim get_random_*(): splitmix64, deterministic from a seed, so a failing
 * run repeats exactly.  Nothing here is meant to be unpredictable.
 */
#include <string.h>

#include <linux/random.h>

#include "shim.h"

#define SHIM_RANDOM_DEFAULT_SEED	0x676f6d656dULL	/* "gomem" */

static u64 initial_seed = SHIM_RANDOM_DEFAULT_SEED;
static u64 state = SHIM_RANDOM_DEFAULT_SEED;

void shim_random_seed(u64 seed)
{
	initial_seed = seed;
	state = seed;
}

u64 shim_random_initial_seed(void)
{
	return initial_seed;
}

u64 get_random_u64(void)
{
	u64 z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

u32 get_random_u32(void)
{
	return (u32)(get_random_u64() >> 32);
}

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;
	u64 x;

	while (len) {
		size_t n = len < sizeof(x) ? len : sizeof(x);

		x = get_random_u64();
		memcpy(p, &x, n);
		p += n;
		len -= n;
	}
}
