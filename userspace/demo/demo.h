/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared by gomem-producer and gomem-consumer: the message layout in a
 * region, and small printing helpers.
 */
#ifndef GOMEM_DEMO_H
#define GOMEM_DEMO_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gomem.h"

/*
 * A message in its region: this header, then @len bytes of text.  The
 * producer writes it through its mapping; the consumer reads it through
 * its own (read-only) mapping of the same arena offset: no copy anywhere.
 */
#define DEMO_MAGIC 0x47534d47U	/* "GMSG" */

struct demo_msg {
	uint32_t magic;
	uint32_t seq;
	uint32_t len;
	uint32_t crc;	/* CRC-32 of the text */
	char text[];
};

/*
 * A frame of the hand-off demo (gomem-producer --share, gomem-consumer
 * --claim): this header, then @len bytes of a pattern of @seq.  The
 * producer also sends @crc through the pipe with the token, so a consumer
 * checks the bytes against what the producer wrote, not only against the
 * frame's own header.
 */
#define DEMO_FRAME_MAGIC 0x4d524647U	/* "GFRM" */
#define DEMO_FRAME_SIZE (64 * 1024)

struct demo_frame {
	uint32_t magic;
	uint32_t seq;
	uint32_t len;
	uint32_t crc;	/* CRC-32 of the payload */
	unsigned char payload[];
};

static inline unsigned char demo_frame_byte(uint32_t seq, size_t i)
{
	return (unsigned char)(seq * 151 + i * 31 + (i >> 10));
}

static inline uint32_t demo_crc32(const void *buf, size_t n)
{
	const unsigned char *p = buf;
	uint32_t c = 0xffffffffU;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320U & -(c & 1));
	}
	return ~c;
}

static inline const char *demo_size(unsigned long long b, char *buf,
				    size_t n)
{
	if (b >= (1ULL << 20) && !(b & ((1ULL << 20) - 1)))
		snprintf(buf, n, "%llu MiB", b >> 20);
	else if (b >= 1024 && !(b & 1023))
		snprintf(buf, n, "%llu KiB", b >> 10);
	else
		snprintf(buf, n, "%llu bytes", b);
	return buf;
}

static inline void demo_print_info(FILE *f, const char *who,
				   const struct gomem_info *in)
{
	char a[32], b[32], c[32], d[32];

	fprintf(f, "%s arena: first chunk %s, chunks up to %s, at most %s, "
		"mmap window %s\n", who, demo_size(in->initial_size, a, 32),
		demo_size(in->max_chunk, b, 32), demo_size(in->max_size, c, 32),
		demo_size(in->map_size, d, 32));
	fprintf(f, "%s        ABI %u, page %u bytes, granule %u bytes, "
		"policy %s, chunks from %s%s\n", who, in->abi_version,
		in->page_size, in->granule,
		in->policy == GOMEM_POLICY_AVL_ABI ? "avl (best fit)" :
		"treap (lowest fit)",
		in->source == GOMEM_SOURCE_BUDDY ? "a buddy pool" : "vmalloc",
		in->session_flags & GOMEM_SESSION_READONLY ?
		", this session is READ-ONLY" : "");
}

static inline void demo_print_stats(FILE *f, const char *who,
				    const struct gomem_stats *s)
{
	fprintf(f, "%s   arena:   %8llu bytes in use of %8llu in %llu "
		"chunk(s); %llu free, largest free block %llu\n", who,
		(unsigned long long)s->in_use,
		(unsigned long long)s->capacity,
		(unsigned long long)s->chunks, (unsigned long long)s->free,
		(unsigned long long)s->largest_free);
	fprintf(f, "%s   session: %8llu bytes in %llu region(s); %llu "
		"session(s) open; %llu allocs, %llu frees so far\n", who,
		(unsigned long long)s->session_in_use,
		(unsigned long long)s->session_regions,
		(unsigned long long)s->sessions,
		(unsigned long long)s->allocs, (unsigned long long)s->frees);
}

#endif /* GOMEM_DEMO_H */
