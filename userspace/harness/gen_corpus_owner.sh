#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Writes the seed corpus of fuzz_owner (format in fuzz_owner.c): one small
# file per behaviour of docs/ownership.md, so that the fuzzer starts from
# inputs that reach every call and every error path.
# Usage: gen_corpus_owner.sh [DIR] (default corpus/owner next to this script).

set -euo pipefail

dir=${1:-$(dirname "$0")/corpus/owner}
mkdir -p "$dir"

# Opcodes, as in fuzz_owner.c.
NEW=0 EXIT=1 ALLOC=2 FREE=3 SHARE=4 CLAIM=5 CANCEL=6 RELEASE=7 RECYCLE=8
UNDO=9 ABATCH=10 FBATCH=11 RBATCH=12 TRIM=13 FOREIGN=14 CHECK=15
SBATCH=16 CBATCH=17 PARK=18
# FREE modes, SHARE modes, token kinds.
WHOLE=0 HEAD=1 TAIL=2 MIDDLE=3 RAW=4
ALL=0 FROM=1 SPAN=2 PAST=3
ZERO=192 FORGED=193 STALE=194 OTHER=195

buf=()
b() { buf+=("$@"); }
# setup: policy avl (1), buddy (2), granule 64 (4); max_records 1..8.
setup() { buf=($(( $1 | (($2 - 1) << 3) ))); }
alloc() { b "$ALLOC" "$1" $(($2 & 255)) $(($2 >> 8)) "${3:-13}" "${4:-0}"; }
free_() { b "$FREE" "$1" "$2" "$3" "${4:-0}"; }	# h r mode v
share() { b "$SHARE" "$1" "$2" "$3" "${4:-0}" "${5:-1}"; } # h r mode v c
claim() { b "$CLAIM" "$1" "$2"; }
cancel() { b "$CANCEL" "$1" "$2"; }
release() { b "$RELEASE" "$1" "$2" "${3:-0}"; }
# Batches: the entry count is written as count - 1.
abatch() { local h=$1 u=$2; shift 2; b "$ABATCH" "$h" $(($# - 1)) "$u" "$@"; }
fbatch() { local h=$1; shift; b "$FBATCH" "$h" $(($# / 2 - 1)) "$@"; }
rbatch() { local h=$1; shift; b "$RBATCH" "$h" $(($# / 2 - 1)) "$@"; }
# sbatch h u (r mode v c)...; cbatch h u t...
sbatch() { local h=$1 u=$2; shift 2; b "$SBATCH" "$h" $(($# / 4 - 1)) "$u" "$@"; }
cbatch() { local h=$1 u=$2; shift 2; b "$CBATCH" "$h" $(($# - 1)) "$u" "$@"; }
save() {
	local v out=""

	for v in "${buf[@]}"; do
		out+=$(printf '\\%03o' "$v")
	done
	printf "$out" >"$dir/$1"
}

# Share, claim twice (the token's last claim ends it), release, free.
setup 0 8
b $NEW $NEW
alloc 0 200; share 0 0 $ALL 0 2; claim 1 0; claim 1 0; claim 1 0
release 1 0 5; b $CHECK; free_ 0 0 $WHOLE; release 1 0 9; release 1 0 9
b $CHECK
save share-claim-release

# The owner frees a shared region whole: it stays for the holder of the
# reference (an orphan) and goes with its release; part of it is -EBUSY.
setup 0 8
b $NEW $NEW
alloc 0 300; share 0 0 $FROM 10 1; claim 1 0; free_ 0 0 $HEAD 1
free_ 0 0 $WHOLE; alloc 0 300; b $CHECK; release 1 0 0; alloc 1 64
save orphan

# A holder dies holding regions, references and tokens; the others keep
# what they hold, and its tokens are gone.
setup 0 8
b $NEW $NEW $NEW
alloc 0 128; alloc 1 256; share 0 0 $ALL 0 3; claim 1 0; claim 2 0
share 1 1 $ALL 0 1; claim 0 0; share 0 0 $SPAN 7 1
b $EXIT 0; b $CHECK; claim 1 0; claim 1 $STALE; b $EXIT 0; b $EXIT 0
save holder-death

# Every refused call: bad flags, sizes, alignments; another's region,
# a referenced one, free space; claims 0; past the end; tokens nobody made.
setup 0 8
b $NEW $NEW
alloc 0 0; alloc 0 65535; alloc 0 64 14; alloc 0 64 15; alloc 0 64 2 2
alloc 0 512; free_ 1 0 $WHOLE; free_ 0 0 $RAW 3; share 1 0 $ALL 0 1
share 0 0 $ALL 0 0; share 0 0 $PAST; share 0 0 $ALL 0 1; claim 1 0
free_ 1 0 $WHOLE; release 0 0 0; release 1 0 255; cancel 1 0
claim 0 $ZERO; claim 0 $FORGED; claim 0 $OTHER; cancel 0 $FORGED
save errors

# The record limit (max_records 2): regions, references and tokens count,
# a second claim of one region does not; a middle free and a first claim
# at the limit.
setup 0 2
b $NEW $NEW
alloc 0 64; alloc 0 64; alloc 0 64; share 0 0 $ALL 0 3; free_ 0 1 $WHOLE
share 0 0 $ALL 0 3; share 0 0 $ALL 0 1; claim 1 0; claim 1 0; claim 1 0
alloc 1 64; alloc 1 64; alloc 0 256; free_ 0 2 $MIDDLE 3; free_ 0 0 $WHOLE
share 0 2 $ALL 0 1; claim 1 0; b $CHECK
save limits

# Partial frees: head, tail, middle (a split with a new id), raw offsets.
setup 4 8
b $NEW
alloc 0 1024; free_ 0 0 $HEAD 2; free_ 0 0 $TAIL 5; free_ 0 0 $MIDDLE 3
free_ 0 1 $MIDDLE 1; b $CHECK; free_ 0 0 $WHOLE; free_ 0 0 $RAW 64
save partial

# Undo: as made, freed in part, shared, freed and allocated again, wrong id.
setup 0 8
b $NEW $NEW
b $UNDO 0 10 0 $UNDO 0 10 1 $UNDO 0 10 2 $UNDO 0 10 3 $UNDO 0 10 4
claim 1 0; b $CHECK
save undo

# Batches: allocations (one of size 0), undone; frees, twice the same;
# releases, one with a size.
setup 0 8
b $NEW $NEW
abatch 0 0 1 0 3 7 2 9
abatch 0 1 4 5 0
share 0 0 $ALL 0 4; claim 1 0; claim 1 0; share 0 1 $ALL 0 1; claim 1 0
fbatch 0 0 $WHOLE 1 $HEAD 1 $HEAD
rbatch 1 0 0 1 0 2 0 3 0 4 0 5 255
rbatch 1 0 0 1 0
save batches

# Recycle keeps references and tokens; shared regions stay for the others.
setup 0 8
b $NEW $NEW
alloc 0 100; alloc 0 200; alloc 0 300; share 0 1 $ALL 0 2; claim 1 0
claim 0 0; alloc 1 50; share 1 3 $ALL 0 1
b $RECYCLE 0 $CHECK; claim 0 0; b $RECYCLE 0 $RECYCLE 1 $CHECK
save recycle

# Claiming one's own token, sharing a region held only by reference.
setup 0 8
b $NEW $NEW $NEW
alloc 0 400; share 0 0 $ALL 0 1; claim 0 0; share 0 0 $ALL 0 1; claim 1 0
share 1 0 $SPAN 9 2; claim 2 0; claim 2 0; free_ 0 0 $WHOLE
release 0 0 0; release 1 0 0; b $EXIT 2; b $CHECK
save forward

# Tokens of another set, forged and stale ones, cancels by others.
setup 0 8
b $NEW $NEW
alloc 0 64; share 0 0 $ALL 0 2; b $FOREIGN 0 0 $FOREIGN 1 0
cancel 1 0; cancel 0 0; cancel 0 $STALE; claim 1 $STALE; claim 1 $OTHER
save foreign

# Growth and trim under held regions, on avl with buddy chunks.
setup 7 8
b $NEW $NEW
alloc 0 4000; alloc 0 8000; alloc 1 16000 12; share 0 1 $ALL 0 1
claim 1 0; free_ 0 1 $WHOLE; free_ 0 0 $WHOLE; b $TRIM; free_ 1 0 $WHOLE
b $TRIM; release 1 0 0; b $TRIM
save grow-trim

# Share and claim batches: bad entries beside good ones, one token twice,
# the record limit inside a batch, and their undos.
setup 0 4
b $NEW $NEW
alloc 0 200; alloc 1 64
sbatch 0 0 0 $ALL 0 2 0 $SPAN 7 1 0 $ALL 0 0 1 $ALL 0 1 0 $PAST 0 1 \
	0 $FROM 3 1
b $CHECK
cbatch 1 0 0 0 0 1 $ZERO $FORGED 1
sbatch 0 1 0 $ALL 0 1 0 $ALL 0 1
cbatch 1 1 0 1
release 1 0 0; release 1 0 0; free_ 0 0 $WHOLE; b $CHECK
save share-claim-batches

# Parks: a holder's whole frees come back to its next allocation of the
# size; to everybody else the parked region is free (freed again, freed by
# another, shared: -EINVAL); a full park gives its oldest back; undo of a
# parked hit; recycle and exit give parks back.
setup 4 8
b $PARK 2 $NEW $NEW
alloc 0 100; free_ 0 0 $WHOLE; alloc 0 100; free_ 0 0 $WHOLE
alloc 0 100; alloc 0 200; alloc 0 300; free_ 0 0 $WHOLE; free_ 0 0 $WHOLE
free_ 0 0 $WHOLE; b $CHECK; alloc 1 100; free_ 1 0 $RAW 0; share 1 0 $ALL 0 1
b $UNDO 0 1 3 $UNDO 0 1 0; b $RECYCLE 0; b $CHECK; alloc 0 100
free_ 0 0 $WHOLE; b $EXIT 0; b $CHECK
save park

# Parks under pressure: one holder parks what fills most of the arena,
# another allocates it (the parks are given back), limits flush them too.
setup 0 4
b $PARK 32 $NEW $NEW
alloc 0 4096; alloc 0 4096; alloc 0 4096; alloc 0 4096
free_ 0 0 $WHOLE; free_ 0 0 $WHOLE; free_ 0 0 $WHOLE; free_ 0 0 $WHOLE
alloc 1 8192; alloc 1 8192; alloc 1 8192; alloc 1 8192; b $CHECK
alloc 0 64; alloc 0 64; alloc 0 64; free_ 0 0 $WHOLE; alloc 0 128
alloc 0 128; b $TRIM
save park-pressure
