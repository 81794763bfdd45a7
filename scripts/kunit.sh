#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Run gomem's KUnit suites in QEMU (x86_64) on a kernel built from Debian's
# linux-source-6.12, with KASAN, UBSAN and lockdep (kunit/.kunitconfig).
#
#   GOMEM_CACHE          cache for the kernel tree and build (~/.cache/gomem)
#   GOMEM_KUNIT_SUITES   suites that must be present and pass (required;
#                        "make kunit" passes the Makefile's KUNIT_SUITES)
#   GOMEM_KUNIT_TIMEOUT  seconds the kernel may run (default 1200)
#   JOBS                 parallel build jobs (default: nproc)
#
# The project is linked into the tree as drivers/misc/gomem and built in
# tree through its Kconfig.  The build directory is kept between runs, so
# only the first run builds the whole kernel.  Passes only if kunit.py
# passes, every required suite reports "ok", every option of the
# kunitconfig is in the kernel's .config, and the console shows no KASAN,
# UBSAN, lockdep or other kernel warning.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cache=${GOMEM_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/gomem}
suites=${GOMEM_KUNIT_SUITES:?'set GOMEM_KUNIT_SUITES, or run make kunit'}
timeout=${GOMEM_KUNIT_TIMEOUT:-1200}
jobs=${JOBS:-$(nproc)}
kunitconfig=$root/kunit/.kunitconfig
log=$root/build/kunit.log

say() { printf 'gomem: %s\n' "$*"; }
fail() { printf 'gomem: kunit FAILED: %s\n' "$*" >&2; exit 1; }

tree=$("$root/scripts/linux-src.sh")
build=$cache/kunit-build-${tree##*/linux-}
mkdir -p "$root/build"

# One kunit run per cache at a time: they share the tree and its link.
exec 9>"$cache/.kunit.lock"
if ! flock -n 9; then
	say "waiting for another kunit run using $cache"
	flock 9
fi

# Link the project into the tree, idempotently.
link=$tree/drivers/misc/gomem
if [ -e "$link" ] && [ ! -L "$link" ]; then
	fail "$link exists and is not a symlink"
fi
ln -sfn "$root" "$link"
add_line() { grep -qxF "$2" "$1" || printf '%s\n' "$2" >>"$1"; }
add_line "$tree/drivers/misc/Kconfig" 'source "drivers/misc/gomem/Kconfig"'
add_line "$tree/drivers/misc/Makefile" 'obj-$(CONFIG_GOMEM) += gomem/'

# The build directory may hold gomem objects of another checkout (another
# path behind the link) whose sources are older than those objects: make
# would keep them.  Drop them when the link target changed.
stamp=$build/.gomem-project
if [ "$(cat "$stamp" 2>/dev/null)" != "$root" ]; then
	rm -rf "$build/drivers/misc/gomem"
	mkdir -p "$build"
	printf '%s\n' "$root" >"$stamp"
fi

# Objects of an out-of-tree "make modules" in the project do not disturb
# this O= build: kbuild's FORCE makes make rebuild them in the build
# directory rather than take the ones VPATH finds in the source tree.

say "kernel tree $tree"
say "build directory $build"
say "log $log"
start=$(date +%s)
rm -f "$build/test.log"   # never judge a previous run's console
rc=0
(
	cd "$tree"
	python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
		--kunitconfig="$kunitconfig" --build_dir="$build" \
		--jobs="$jobs" --timeout="$timeout"
) 2>&1 | tee "$log" || rc=$?
say "kunit.py exited $rc after $(($(date +%s) - start))s"

errors=()
[ "$rc" -eq 0 ] || errors+=("kunit.py exited $rc")

# kunit.py fails when an option is missing, but check: a silently dropped
# KASAN or lockdep would make every later run meaningless.
if [ -f "$build/.config" ]; then
	while read -r opt; do
		grep -qxF "$opt" "$build/.config" || errors+=("$opt is not in $build/.config")
	done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$kunitconfig")
else
	errors+=("no $build/.config")
fi

# The kernel's console, as kunit.py saved it.
console=$build/test.log
if [ -f "$console" ]; then
	clean=$(tr -d '\r' <"$console")
	for suite in $suites; do
		# Top-level KTAP result, after the optional printk timestamp.
		if ! grep -Eq "^(\[ *[0-9.]+\] )?ok [0-9]+ $suite\$" <<<"$clean"; then
			errors+=("suite $suite did not report ok")
		fi
	done
	reports=$(grep -E 'BUG:|WARNING:|UBSAN:|KASAN:|Oops|Kernel panic|Call Trace:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|sleeping function called from invalid context|lockdep.*(off|disabled)' <<<"$clean" || true)
	if [ -n "$reports" ]; then
		printf '%s\n' "$reports" | head -n 40 >&2
		errors+=("kernel console shows sanitizer, lockdep or kernel warnings (see $console)")
	fi
else
	errors+=("no console log $console")
fi

echo
say "KUnit summary"
grep -E '=+ \[[A-Z]+\] [a-z0-9_]+ =+$|\] \[(FAILED|CRASHED|SKIPPED)\] |Testing complete|Elapsed time' \
	"$log" || true
if [ ${#errors[@]} -ne 0 ]; then
	for e in "${errors[@]}"; do
		printf 'gomem: kunit FAILED: %s\n' "$e" >&2
	done
	exit 1
fi
say "kunit passed: suites $suites ok, KASAN/UBSAN/lockdep clean"
