#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Build the debug kernel of the VM tests from Debian's linux-source-6.12
# (the tree scripts/linux-src.sh unpacks for make kunit), with the options
# of scripts/debug-kernel.config on top of the Kconfig defaults: KASAN,
# KFENCE, UBSAN, lockdep, kmemleak, fault injection, KCOV, modules.  Prints
# the build directory: arch/x86/boot/bzImage is the kernel, and the
# directory is the KDIR that gomem.ko is built against (make -C DIR M=...).
#
#   scripts/debug-kernel.sh            build if needed, print the directory
#
#   GOMEM_CACHE   where the tree and the build live (~/.cache/gomem)
#   JOBS          parallel build jobs (default: nproc)
#
# The build directory ($GOMEM_CACHE/debug-build-KEY) is kept; the kernel is
# configured and built again only when the config fragment changes (its
# checksum is stamped in the directory) or the build is incomplete.  The
# build log is build/debug-kernel.log.  Nothing is installed.  Messages go
# to stderr, the directory alone to stdout.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cache=${GOMEM_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/gomem}
jobs=${JOBS:-$(nproc)}
fragment=$root/scripts/debug-kernel.config

say() { printf 'gomem: %s\n' "$*" >&2; }
die() { printf 'gomem: debug kernel FAILED: %s\n' "$*" >&2; exit 1; }

tree=$("$root/scripts/linux-src.sh")
build=$cache/debug-build-${tree##*/linux-}
mkdir -p "$root/build" "$build"
log=$root/build/debug-kernel.log

# One build per cache at a time; make kunit shares the source tree (both
# build with O=, so the tree itself is only read).
exec 9>"$cache/.debug-kernel.lock"
if ! flock -n 9; then
	say "waiting for another debug kernel build using $cache"
	flock 9
fi

# make kunit links the project into the tree (drivers/misc/gomem) and the
# tree's Kconfig sources it, so every configuration of that tree needs the
# link; this kernel is built with CONFIG_GOMEM=n and gomem.ko comes from
# the project itself (M=), so any checkout behind the link will do.
link=$tree/drivers/misc/gomem
if [ ! -e "$link/Kconfig" ]; then
	[ ! -e "$link" ] || [ -L "$link" ] || die "$link exists and is not a symlink"
	ln -sfn "$root" "$link"
fi
add_line() { grep -qxF "$2" "$1" || printf '%s\n' "$2" >>"$1"; }
add_line "$tree/drivers/misc/Kconfig" 'source "drivers/misc/gomem/Kconfig"'
add_line "$tree/drivers/misc/Makefile" 'obj-$(CONFIG_GOMEM) += gomem/'

sum=$(sha256sum "$fragment" | cut -d' ' -f1)
stamp=$build/.gomem-debug-config
kmake=(make -C "$tree" O="$build" ARCH=x86_64 -j"$jobs")

if [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ] &&
	[ -f "$build/arch/x86/boot/bzImage" ] && [ -f "$build/Module.symvers" ] &&
	[ -f "$build/.gomem-debug-built" ]; then
	echo "$build"
	exit 0
fi

start=$(date +%s)
say "building the debug kernel (KASAN, KFENCE, UBSAN, lockdep, kmemleak, fault injection, KCOV)"
say "  from $tree"
say "  in $build, $jobs jobs; log ${log#"$root"/} (the first build takes a while)"
rm -f "$build/.gomem-debug-built"
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
	grep -E '^CONFIG_' "$fragment" >"$build/.config"
	"${kmake[@]}" olddefconfig >"$log" 2>&1 || die "make olddefconfig failed (log ${log#"$root"/})"
	# Every option asked for must be there as asked: a dependency Kconfig
	# silently dropped would leave a kernel that checks less than it says.
	missing=()
	while IFS= read -r line; do
		opt=${line%%=*}
		val=${line#*=}
		if [ "$val" = n ]; then
			grep -Eq "^$opt=[ym]" "$build/.config" && missing+=("$line")
		else
			grep -qxF "$line" "$build/.config" || missing+=("$line")
		fi
	done < <(grep -E '^CONFIG_' "$fragment")
	[ ${#missing[@]} -eq 0 ] ||
		die "options not in the generated .config: ${missing[*]}"
	printf '%s\n' "$sum" >"$stamp"
else
	: >"$log"
fi
"${kmake[@]}" bzImage modules >>"$log" 2>&1 ||
	die "make bzImage modules failed after $(($(date +%s) - start))s (log ${log#"$root"/}): $(grep -m3 -E 'error|Error' "$log" | tr '\n' ' ')"
[ -f "$build/arch/x86/boot/bzImage" ] && [ -f "$build/Module.symvers" ] ||
	die "no bzImage or Module.symvers in $build"
touch "$build/.gomem-debug-built"
say "debug kernel $(cat "$build/include/config/kernel.release") built in $(($(date +%s) - start))s"
echo "$build"
