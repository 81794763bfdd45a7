/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The runner's view of the KUnit shim (shim/kunit.c). */
#ifndef _SHIM_KUNIT_H
#define _SHIM_KUNIT_H

#include <linux/types.h>

struct kunit_totals {
	unsigned long passed;
	unsigned long failed;
	unsigned long skipped;
};

/*
 * Run every registered suite whose name matches @filter ("suite" or
 * "suite.case", shell globs; NULL runs all), printing KTAP to stdout.  Each
 * case starts with get_random_u32() seeded from @seed and its own name, so
 * a case draws the same numbers whether it runs alone or with the others.
 */
void kunit_shim_run(const char *filter, u64 seed, struct kunit_totals *tot);

#endif /* _SHIM_KUNIT_H */
