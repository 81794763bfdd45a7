#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# cache_report.sh BENCH_CACHE_PROGRAM...: run each bench_cache_IMPL three
# times (each prints the best of 5 runs per row), keep the median, and
# print results/cache.md: ns per buffer cycle and the ratios to jemalloc.
set -euo pipefail
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.err"' EXIT
# bench_cache_IMPL print "cache IMPL SIZE ROW NS"; gomem-peers (natively:
# no /dev/gomem) gives Boost.Interprocess's row as "peer boost SIZE NS ...",
# turned into the same shape.
for _ in 1 2 3; do
	for p in "$@"; do
		case $p in
		*gomem-peers) "$p" --cycles 200000 --part cycle | awk '
			$1 == "peer-info" { print "boost", $3 >"/dev/stderr" }
			$1 == "peer" && $2 == "boost" { print "cache boost", $3, "boost-ipc", $4 }' ;;
		*) "$p" ;;
		esac
	done >>"$raw" 2>>"$raw.err"
done
echo "# libgomem region cache vs malloc, natively"
echo
echo "Measured $(date -u '+%Y-%m-%d') on $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) CPUs), $(uname -sr); $(gcc --version | head -1)."
echo "A buffer cycle: get a buffer, write its first and last byte, give it back; ns per cycle, median of 3 runs of the best of 5."
echo "Boost.Interprocess $(grep -m1 '^boost ' "$raw.err" | cut -d' ' -f2) (Debian's libboost-dev): managed_shared_memory allocate/deallocate in a 32 MiB segment (bench/gomem_peers.cc), which does not zero. jemalloc $(dpkg-query -W -f='${Version}' libjemalloc2 2>/dev/null), mimalloc $(dpkg-query -W -f='${Version}' libmimalloc2.0 2>/dev/null), glibc $(ldd --version | head -1 | awk '{print $NF}')."
echo "gomem-cache is the hit path of gomem_alloc()/gomem_free() with the region cache (userspace/lib/gomem_cache.c, compiled as libgomem compiles it: position-independent, in a shared object, called through the PLT as malloc is) over a fake device; like gomem_alloc() it clears nothing it hands out (refills come zeroed from the kernel, and what the cache took back is the session's own), so the NOZERO column is the same code; it never shows another session's bytes. The malloc rows of each allocator come from its own binary; the gomem rows are the medians over all three binaries."
echo
awk '
	{ v[$3 " " $4 " " $2] = v[$3 " " $4 " " $2] " " $5 }
	function med(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((n + 1) / 2)]
	}
	END {
		print "| size | gomem-cache | gomem-cache NOZERO | Boost.Interprocess | jemalloc malloc | jemalloc calloc | glibc malloc | mimalloc malloc | cache NOZERO / Boost | cache NOZERO / jemalloc malloc | cache / jemalloc calloc |"
		print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		n = split("64 4096 65536", ss, " ")
		for (i = 1; i <= n; i++) {
			s = ss[i]
			gz = med(v[s " gomem-cache glibc"] v[s " gomem-cache jemalloc"] v[s " gomem-cache mimalloc"])
			gn = med(v[s " gomem-cache-nozero glibc"] v[s " gomem-cache-nozero jemalloc"] v[s " gomem-cache-nozero mimalloc"])
			jm = med(v[s " malloc jemalloc"]); jc = med(v[s " calloc jemalloc"])
			bo = med(v[s " boost-ipc boost"])
			printf "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2fx | %.2fx | %.2fx |\n", s, gz, gn, bo, jm, jc,
				med(v[s " malloc glibc"]), med(v[s " malloc mimalloc"]), gn / bo, gn / jm, gz / jc
		}
	}' "$raw"
