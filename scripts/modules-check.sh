#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Build gomem.ko with W=1 and -Werror against Debian's kernel headers for
# 6.1 and for 6.12 (scripts/kernel-headers.sh: unpacked into GOMEM_CACHE,
# never installed on the host) and against the debug kernel of the VM
# tests (scripts/debug-kernel.sh, built on first use), each in its own scratch
# copy of the sources under build/, and fail on any compiler warning.  The
# KUnit suites are compiled the same way (compiled only: Debian's kernels
# have no CONFIG_KUNIT to link them against).
#
#   scripts/modules-check.sh [KDIR...]   (default: the three above)

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)

# One build at a time: vm.sh rebuilds the same directories when the module
# is stale, and two kbuild runs in one directory trip over each other.
mkdir -p "$root/build"
exec 8>"$root/build/.modules-check.lock"
flock 8

say() { printf 'gomem: %s\n' "$*"; }

if [ $# -eq 0 ]; then
	hdrs=$("$root/scripts/kernel-headers.sh" 6.1 6.12) ||
		{ say "no kernel headers (scripts/kernel-headers.sh failed)"; exit 1; }
	mapfile -t hdrs <<<"$hdrs"
	dbg=$("$root/scripts/debug-kernel.sh") ||
		{ say "no debug kernel (scripts/debug-kernel.sh failed)"; exit 1; }
	hdrs+=("$dbg")
	set -- "${hdrs[@]}"
fi

failed=()
for kdir in "$@"; do
	if [ ! -f "$kdir/Makefile" ]; then
		say "no kernel headers $kdir: see scripts/kernel-headers.sh"
		failed+=("$kdir")
		continue
	fi
	# The directory is named as scripts/vm.sh looks for it: by the headers'
	# directory name for Debian's (their kernel.release can differ: 6.1's
	# says 6.1.192 for 6.1.0-57-amd64), by the kernel's release for a built
	# tree such as scripts/debug-kernel.sh's (6.12.118-gomem-debug).
	name=$(basename "$kdir")
	case $name in
	linux-headers-*) name=${name#linux-headers-} ;;
	*)	[ -f "$kdir/include/config/kernel.release" ] &&
			name=$(cat "$kdir/include/config/kernel.release") ;;
	esac
	dir=$root/build/modules-$name
	log=$root/build/modules-$name.log

	# Only the kernel sources: the userspace side does not belong in M=.
	# --delete-excluded also drops the last build's objects, so every run
	# compiles every file and shows every warning again.
	mkdir -p "$dir"
	rsync -a --delete --delete-excluded \
		--include='/Kbuild' --include='/*.c' --include='/*.h' \
		--include='/include/***' --include='/kunit/' \
		--include='/kunit/Kbuild' --include='/kunit/*.[ch]' \
		--exclude='*' "$root/" "$dir/"

	say "building gomem.ko against $kdir (W=1, -Werror) in ${dir#"$root"/}"
	rc=0
	# The debug kernel's module carries DWARF line tables (its kernel has
	# no CONFIG_DEBUG_INFO) for scripts/kcov-report.py.
	kcflags=-Werror
	case $name in *-gomem-debug) kcflags="-Werror -g" ;; esac
	kmake=(make -C "$kdir" M="$dir" CONFIG_GOMEM=m W=1 KCFLAGS="$kcflags")
	"${kmake[@]}" modules >"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		for t in "$dir"/kunit/*.c; do
			[ -e "$t" ] || continue
			t=${t#"$dir"/}
			"${kmake[@]}" CONFIG_GOMEM_KUNIT_TEST=m "${t%.c}.o" >>"$log" 2>&1 || rc=$?
		done
	fi
	cat "$log"
	if [ "$rc" -ne 0 ]; then
		say "FAILED: make exited $rc against $kdir (log: ${log#"$root"/})"
		failed+=("$kdir")
	elif grep -qi 'warning:' "$log"; then
		say "FAILED: warnings against $kdir (log: ${log#"$root"/})"
		failed+=("$kdir")
	elif [ ! -f "$dir/gomem.ko" ]; then
		say "FAILED: no gomem.ko built against $kdir"
		failed+=("$kdir")
	else
		say "ok: $(modinfo -F vermagic "$dir/gomem.ko" 2>/dev/null || echo "$kdir")"
	fi
done

if [ ${#failed[@]} -ne 0 ]; then
	say "modules-check FAILED for: ${failed[*]}"
	exit 1
fi
say "modules-check passed: gomem.ko builds warning-free against $*"
