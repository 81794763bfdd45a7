/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Input format of fuzz_range (decoded there, written by gen_corpus).
 *
 * Header, 4 bytes:
 *   [0] bit 0: policy (0 treap, 1 avl); bit 5: pass policy 2 (invalid);
 *       bit 6: add granule / 2 to the size (invalid when granule > 1)
 *   [1] granule = 1 << ([1] % 14)      (8192 and up are invalid)
 *   [2] [3] granules = le16 % 4097     (0 is invalid)
 * Then operations until the input ends; a missing byte reads as 0.  The
 * opcode is the first byte modulo FUZZ_OP_COUNT:
 *   ALLOC      size lo, size hi, sel        alloc(size(sel), align(sel))
 *   FIND       size lo, size hi, sel, then  find; if then & 1, alloc too
 *   FREE_HELD  idx, kind, a, b              free part of held region idx
 *              % count: kind % 4 = whole, head, tail, middle; a and b
 *              pick the granule counts; no region held: nothing happens
 *   FREE_RAW   flags, off (3 bytes), size (3 bytes)
 *              flags bit 0: off in granules, else bytes; bit 1: size in
 *              granules; bit 2: off = U64_MAX - off; bit 3: size =
 *              U64_MAX - size
 *   RESET
 * Sizes: v = le16; by sel >> 6: 0 bytes v, 1 granules v, 2 space + v,
 * 3 U64_MAX - v.  Alignments: x = sel & 63: x < 14: 1 << x; 14: 0;
 * 15: 3; 16: U64_MAX; else 1 << (x % 13).
 */
#ifndef _GOMEM_HARNESS_FUZZ_FORMAT_H
#define _GOMEM_HARNESS_FUZZ_FORMAT_H

#define FUZZ_HDR_AVL		0x01
#define FUZZ_HDR_BAD_POLICY	0x20
#define FUZZ_HDR_ODD_SIZE	0x40
#define FUZZ_HDR_LEN		4
#define FUZZ_MAX_GRANULES	4096

enum fuzz_op {
	FUZZ_ALLOC,
	FUZZ_FIND,
	FUZZ_FREE_HELD,
	FUZZ_FREE_RAW,
	FUZZ_RESET,
	FUZZ_OP_COUNT
};

enum fuzz_free_kind {
	FUZZ_WHOLE,
	FUZZ_HEAD,
	FUZZ_TAIL,
	FUZZ_MIDDLE,
};

#define FUZZ_SIZE_BYTES		(0 << 6)
#define FUZZ_SIZE_GRANULES	(1 << 6)
#define FUZZ_SIZE_OVER		(2 << 6)
#define FUZZ_SIZE_HUGE		(3 << 6)

#define FUZZ_RAW_OFF_GRANULES	0x01
#define FUZZ_RAW_SIZE_GRANULES	0x02
#define FUZZ_RAW_OFF_NEG	0x04
#define FUZZ_RAW_SIZE_NEG	0x08

#endif /* _GOMEM_HARNESS_FUZZ_FORMAT_H */
