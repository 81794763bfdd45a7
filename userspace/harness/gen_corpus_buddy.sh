#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Writes the seed corpus of fuzz_buddy (format in fuzz_buddy.c): one small
# file per behaviour, so that the fuzzer starts from inputs that reach every
# operation and every error path.  Usage: gen_corpus_buddy.sh [DIR]
# (default corpus/buddy next to this script).

set -euo pipefail

dir=${1:-$(dirname "$0")/corpus/buddy}
mkdir -p "$dir"

# Opcodes and modes, as in fuzz_buddy.c.
ALLOC=0 FREE_HELD=1 FREE_RAW=2 QUERY=3 REINIT=4
RAW=0 FIT=1 OVER=2 HUGE=3	# ALLOC modes
UNIT=0 INSIDE=1			# FREE_RAW modes (OVER and HUGE as above)

buf=()
b() { buf+=("$@"); }
header() { buf=("$1"); }
alloc() { b "$ALLOC" $(($2 & 255)) $(($2 >> 8)) "$1"; }	# mode v
free_held() { b "$FREE_HELD" "$1" "$2"; }			# idx twice
free_raw() { b "$FREE_RAW" "$1" $(($2 & 255)) $(($2 >> 8)); }	# mode v
query() { b "$QUERY" $(($1 & 255)) $(($1 >> 8)); }
save() {
	local v out=""

	for v in "${buf[@]}"; do
		out+=$(printf '\\%03o' "$v")
	done
	printf "$out" >"$dir/$1"
}

# Allocations of every size, frees in another order: merging.
header 6
alloc $RAW 1; alloc $RAW 3; alloc $RAW 8; alloc $RAW 1; alloc $RAW 16
free_held 0 0; free_held 2 0; free_held 1 0; free_held 0 0
alloc $RAW 32; free_held 1 0; free_held 0 0; alloc $RAW 64
save alloc-free-merge

# Every refused call.
header 4
alloc $RAW 0; alloc $OVER 1; alloc $HUGE 0; alloc $RAW 4
free_raw $UNIT 5; free_raw $INSIDE 0x0100; free_raw $UNIT 1
free_raw $OVER 0; free_raw $HUGE 0; free_held 0 1
alloc $RAW 16; alloc $FIT 0; free_held 0 0
save errors

# Fill the pool with single units, then ENOMEM, then drain.
header 3
for _ in 1 2 3 4 5 6 7 8; do alloc $RAW 1; done
alloc $RAW 1; alloc $RAW 2
for i in 7 3 5 1 0 2 1 0; do free_held "$i" 0; done
alloc $RAW 8
save fill-drain

# Queries of block starts, middles, free units and out of range.
header 5
alloc $RAW 4; alloc $RAW 2; alloc $RAW 1
query 0; query 1; query 4; query 6; query 7; query 32; query 65535
save queries

# Destroy with blocks out, then go on.
header 8
alloc $RAW 100; alloc $RAW 3; b $REINIT; alloc $RAW 256; b $REINIT
alloc $FIT 200
save reinit

# Pools of one unit and of the largest fuzzed order.
header 0
alloc $RAW 1; alloc $RAW 1; free_raw $UNIT 0; free_raw $UNIT 0; alloc $RAW 2
save order-0
header 10
alloc $FIT 1023; alloc $RAW 512; alloc $RAW 1; free_held 0 0; alloc $RAW 1024
save order-10

# Refused init.
header 128
save init-bad-order
header 255
save init-bad-order-max
