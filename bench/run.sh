#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Run every benchmark program BENCH_ROUNDS times, interleaved section by
# section (gomem, gomem with kshim, gomem with thunks, glibc, jemalloc,
# mimalloc back to back, in an order that rotates every round), so that the figures compared with
# each other are measured minutes apart at most.  Then report.py takes the
# medians and writes results/results.md; gnuplot draws the tree growth.
#
#   BENCH_ROUNDS      rounds (default 7; at least 5)
#   BENCH_GROWTH_MAX  largest free tree of the growth run (default 1000000)
#   BENCH_FRAG_OPS    operations per fragmentation run (default 1000000)

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
cd "$here"
b=build
rounds=${BENCH_ROUNDS:-7}
growth_max=${BENCH_GROWTH_MAX:-1000000}
frag_ops=${BENCH_FRAG_OPS:-1000000}
raw=results/raw

say() { printf 'bench: %s\n' "$*" >&2; }

rm -rf "$raw"
mkdir -p "$raw"

{
	echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc $(nproc)"
	echo "cpu $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "kernel $(uname -sr)"
	echo "compiler $(gcc --version | head -1)"
	echo "glibc $(ldd --version | head -1 | awk '{print $NF}')"
	for p in libjemalloc2 libmimalloc2.0 gnuplot-nox; do
		echo "pkg $p $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')"
	done
	echo "loadavg_start $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "rounds $rounds"
	echo "frag_ops $frag_ops"
} >"$raw/machine.txt"

sections=(range buddy scalable recyclable memory reader)
malloc_sections=" range buddy scalable recyclable "

start=$(date +%s)
for ((r = 1; r <= rounds; r++)); do
	say "round $r of $rounds ($(($(date +%s) - start)) s so far)"
	out="$raw/round-$r.txt"
	for s in "${sections[@]}"; do
		progs=("$b/bench_gomem --only $s"
		       "$b/bench_gomem_kshim --only $s --impl-suffix -kshim"
		       "$b/bench_gomem_thunk --only $s --impl-suffix -thunk")
		# The arena with its per-CPU front (issue 13), kernel-like locks.
		if [[ $s == scalable || $s == recyclable ]]; then
			progs+=("$b/bench_gomem_kshim --only $s --front --impl-suffix -front")
		fi
		if [[ $malloc_sections == *" $s "* ]]; then
			for m in glibc jemalloc mimalloc; do
				progs+=("$b/bench_malloc_$m --only $s")
			done
		fi
		n=${#progs[@]}
		for ((i = 0; i < n; i++)); do
			${progs[$(((i + r) % n))]} >>"$out"
		done
	done
	growth=("$b/bench_growth growth --max $growth_max"
		"$b/bench_growth_kshim growth --max $growth_max --impl-suffix -kshim"
		"$b/bench_growth_thunk growth --max $growth_max --impl-suffix -thunk")
	for ((i = 0; i < 3; i++)); do
		${growth[$(((i + r) % 3))]} >>"$out"
	done
done
say "fragmentation runs"
$b/bench_growth frag --ops "$frag_ops" >"$raw/frag.txt"
echo "loadavg_end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw/machine.txt"
echo "seconds $(($(date +%s) - start))" >>"$raw/machine.txt"

python3 report.py "$raw" results
gnuplot results/raw/tree-growth.gp
say "wrote $here/results/results.md and $here/results/tree-growth.png"
