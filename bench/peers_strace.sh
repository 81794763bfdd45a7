#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# make bench, part 4: system calls per hand-off message of the native
# peers, counted with strace -f -c (natively only: the VM has no strace).
#
#   peers_strace.sh GOMEM-PEERS [GOMEM-IOX ROUDI CONFIG]
#
# Each row and size runs twice under strace, with N1 and N2 messages (and
# that three times over: the futex counts depend on scheduling); the
# difference of the two totals (all system calls of both processes, but
# getppid, the null call the program times itself against), divided by
# N2 - N1, is the count per message: what setup, teardown and the null
# calls cost cancels out.  strace slows every system call many times, so
# a side that would have found its partner's message while spinning
# sleeps instead: futex counts under strace are upper bounds.  iox-roudi
# runs outside strace (its own calls are not per message).  Prints
# "peer-strace ROW SIZE CALLS" lines, three per row and size.

set -euo pipefail

peers=$1
iox=${2:-}
roudi=${3:-}
config=${4:-}
c1=2000
c2=20000
tmp=$(mktemp -d)
rd=
cleanup() {
	[ -z "$rd" ] || { kill "$rd" 2>/dev/null || true; wait "$rd" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT

# Messages the programs send at size $1 for --cycles $2 (their rule).
msgs() {
	local n
	if [ "$1" -ge 1048576 ]; then n=$(($2 / 20))
	elif [ "$1" -ge 65536 ]; then n=$(($2 / 4))
	else n=$2; fi
	[ "$n" -ge 64 ] || n=64
	echo "$n"
}

# System calls in strace -c's summary $1, but getppid and the sleeps.
calls() {
	awk '$NF == "total" { exit }
		NF >= 5 && $1 !~ /^-/ && $NF !~ /^(syscall|getppid|nanosleep|clock_nanosleep)$/ {
			n += $4 } END { print n + 0 }' "$1"
}

# $1 row, $2 size, then the command (without --cycles).
count() {
	local row=$1 size=$2 a b
	shift 2
	strace -f -c -o "$tmp/a" "$@" --cycles $c1 >/dev/null 2>&1 || return 0
	strace -f -c -o "$tmp/b" "$@" --cycles $c2 >/dev/null 2>&1 || return 0
	a=$(calls "$tmp/a")
	b=$(calls "$tmp/b")
	awk -v r="$row" -v s="$size" -v a="$a" -v b="$b" -v n1="$(msgs "$size" $c1)" \
		-v n2="$(msgs "$size" $c2)" 'BEGIN { printf "peer-strace %s %s %.3f\n", r, s, (b - a) / (n2 - n1) }'
}

command -v strace >/dev/null || { echo "peers_strace.sh: no strace" >&2; exit 0; }
for size in 64 4096 65536 1048576; do
	for row in memfd boost; do
		for _ in 1 2 3; do
			count $row $size "$peers" --part handoff --peer $row --size $size
		done
	done
done
if [ -n "$iox" ] && [ -x "$iox" ] && [ -x "$roudi" ]; then
	"$roudi" -c "$config" -l error >/dev/null 2>&1 &
	rd=$!
	sleep 1
	"$iox" --part handoff --size 64 --cycles $c1 >/dev/null 2>&1 || true
	for size in 64 4096 65536 1048576; do
		for _ in 1 2 3; do
			count iceoryx $size "$iox" --part handoff --size $size
		done
	done
fi
