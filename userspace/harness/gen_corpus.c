// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Writes the seed corpus of fuzz_range (format in fuzz_format.h): one small
 * file per behaviour, so that the fuzzer starts from inputs that reach
 * every operation and every error path.  Usage: gen_corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_format.h"

static unsigned char buf[512];
static size_t n;

static void b(unsigned int v)
{
	buf[n++] = (unsigned char)v;
}

static void header(unsigned int flags, unsigned int shift,
		   unsigned int granules)
{
	n = 0;
	b(flags);
	b(shift);
	b(granules & 0xff);
	b(granules >> 8);
}

static void alloc(unsigned int size, unsigned int sel)
{
	b(FUZZ_ALLOC);
	b(size & 0xff);
	b(size >> 8);
	b(sel);
}

static void find(unsigned int size, unsigned int sel, int then_alloc)
{
	b(FUZZ_FIND);
	b(size & 0xff);
	b(size >> 8);
	b(sel);
	b(then_alloc);
}

static void free_held(unsigned int idx, unsigned int kind, unsigned int a,
		      unsigned int bb)
{
	b(FUZZ_FREE_HELD);
	b(idx);
	b(kind);
	b(a);
	b(bb);
}

static void free_raw(unsigned int flags, unsigned int off, unsigned int size)
{
	b(FUZZ_FREE_RAW);
	b(flags);
	b(off & 0xff);
	b((off >> 8) & 0xff);
	b(off >> 16);
	b(size & 0xff);
	b((size >> 8) & 0xff);
	b(size >> 16);
}

static void save(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const char *dir;
	int policy;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];

	for (policy = 0; policy < 2; policy++) {
		char name[64];
		const char *p = policy ? "avl" : "treap";

		/* Allocations of every kind, then frees of every kind. */
		header(policy, 3, 512);
		alloc(5, FUZZ_SIZE_BYTES | 0);
		alloc(3, FUZZ_SIZE_GRANULES | 6);
		alloc(100, FUZZ_SIZE_BYTES | 12);
		alloc(7, FUZZ_SIZE_GRANULES | 3);
		free_held(1, FUZZ_MIDDLE, 0, 0);
		free_held(0, FUZZ_WHOLE, 0, 3);
		free_held(2, FUZZ_HEAD, 1, 0);
		free_held(1, FUZZ_TAIL, 2, 0);
		alloc(16, FUZZ_SIZE_GRANULES | 4);
		snprintf(name, sizeof(name), "%s-alloc-free", p);
		save(dir, name);

		/* Every refused call. */
		header(policy, 3, 64);
		alloc(0, FUZZ_SIZE_BYTES | 3);		/* size 0 */
		alloc(1, FUZZ_SIZE_OVER | 3);		/* space + 1 */
		alloc(0, FUZZ_SIZE_HUGE | 3);		/* U64_MAX */
		alloc(8, FUZZ_SIZE_BYTES | 14);		/* align 0 */
		alloc(8, FUZZ_SIZE_BYTES | 15);		/* align 3 */
		alloc(8, FUZZ_SIZE_BYTES | 13);		/* align 8192 */
		alloc(32, FUZZ_SIZE_GRANULES | 0);
		alloc(40, FUZZ_SIZE_GRANULES | 0);	/* ENOMEM */
		free_raw(FUZZ_RAW_OFF_GRANULES | FUZZ_RAW_SIZE_GRANULES,
			 40, 4);			/* double free */
		free_raw(FUZZ_RAW_OFF_GRANULES | FUZZ_RAW_SIZE_GRANULES,
			 30, 4);			/* overlaps free */
		free_raw(FUZZ_RAW_OFF_GRANULES | FUZZ_RAW_SIZE_GRANULES,
			 64, 1);			/* out of bounds */
		free_raw(0, 3, 8);			/* unaligned */
		free_raw(0, 0, 0);			/* size 0 */
		free_raw(FUZZ_RAW_SIZE_NEG, 8, 0);	/* size U64_MAX */
		free_raw(FUZZ_RAW_OFF_NEG, 7, 8);	/* offset near U64_MAX */
		free_raw(FUZZ_RAW_OFF_GRANULES | FUZZ_RAW_SIZE_GRANULES,
			 4, 8);				/* valid span */
		snprintf(name, sizeof(name), "%s-errors", p);
		save(dir, name);

		/* Find, with and without the allocation after it. */
		header(policy, 0, 4096);
		alloc(300, FUZZ_SIZE_BYTES | 0);
		find(64, FUZZ_SIZE_BYTES | 6, 1);
		find(100, FUZZ_SIZE_BYTES | 12, 0);
		free_held(0, FUZZ_MIDDLE, 10, 20);
		find(8, FUZZ_SIZE_BYTES | 3, 1);
		find(5000, FUZZ_SIZE_BYTES | 0, 0);	/* ENOMEM */
		snprintf(name, sizeof(name), "%s-find", p);
		save(dir, name);

		/* Reset, of a fragmented space and of a full one. */
		header(policy, 6, 128);
		alloc(10, FUZZ_SIZE_GRANULES | 0);
		alloc(10, FUZZ_SIZE_GRANULES | 9);
		free_held(0, FUZZ_HEAD, 3, 0);
		b(FUZZ_RESET);
		alloc(128, FUZZ_SIZE_GRANULES | 0);
		b(FUZZ_RESET);
		alloc(1, FUZZ_SIZE_BYTES | 12);
		snprintf(name, sizeof(name), "%s-reset", p);
		save(dir, name);

		/* Big granule, whole-space allocation. */
		header(policy, 12, 16);
		alloc(0, FUZZ_SIZE_OVER | 12);		/* exactly the space */
		free_held(0, FUZZ_MIDDLE, 5, 3);
		alloc(4096, FUZZ_SIZE_BYTES | 0);
		snprintf(name, sizeof(name), "%s-page-granule", p);
		save(dir, name);
	}

	/* Refused init: bad policy, granule, size. */
	header(FUZZ_HDR_BAD_POLICY, 3, 64);
	save(dir, "init-bad-policy");
	header(0, 13, 64);
	save(dir, "init-bad-granule");
	header(FUZZ_HDR_ODD_SIZE, 3, 64);
	save(dir, "init-odd-size");
	header(1, 3, 0);
	save(dir, "init-empty");
	return 0;
}
