#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Print the path of Debian's linux-source-6.12 tree, unpacked once into the
# gomem cache (outside the repository).
#
#   GOMEM_CACHE          cache directory (default: ~/.cache/gomem)
#   GOMEM_LINUX_TARBALL  source tarball (default: /usr/src/linux-source-6.12.tar.xz)
#
# The tree lives in $GOMEM_CACHE/linux-KEY, KEY being the version of the
# package that ships the tarball (or its size and time if no package does):
# a new linux-source package is unpacked anew, and trees and KUnit and debug
# kernel build directories of older keys are removed.  Messages go to stderr.

set -euo pipefail

say() { printf 'gomem: %s\n' "$*" >&2; }
die() { printf 'gomem: error: %s\n' "$*" >&2; exit 1; }

cache=${GOMEM_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/gomem}
tarball=${GOMEM_LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}

[ -f "$tarball" ] || die "$tarball is missing: run 'make deps' (package linux-source-6.12)"

owner=$(dpkg-query -S "$tarball" 2>/dev/null | cut -d: -f1 || true)
version=
[ -z "$owner" ] || version=$(dpkg-query -W -f='${Version}' "$owner" 2>/dev/null || true)
[ -n "$version" ] || version=$(stat -c '%s-%Y' "$tarball")
key=$(printf '%s' "$version" | tr -c 'A-Za-z0-9.+_-' '_')
tree=$cache/linux-$key

if [ ! -f "$tree/.gomem-unpacked" ]; then
	mkdir -p "$cache"
	exec 9>"$cache/.unpack.lock"
	flock 9
	if [ ! -f "$tree/.gomem-unpacked" ]; then
		say "unpacking $tarball (version $version) into $tree"
		tmp=$cache/.unpack.$$
		rm -rf "$tmp" "$tree"
		mkdir -p "$tmp"
		tar -xJf "$tarball" -C "$tmp"
		top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d)
		[ -f "$top/Makefile" ] && [ -f "$top/scripts/checkpatch.pl" ] ||
			die "$tarball does not hold a kernel tree"
		mv "$top" "$tree"
		rm -rf "$tmp"
		printf '%s\n' "$tarball $version" >"$tree/.gomem-unpacked"
		for old in "$cache"/linux-* "$cache"/kunit-build-* "$cache"/debug-build-*; do
			[ -e "$old" ] || continue
			case "$old" in
			"$tree" | "$cache/kunit-build-$key" | "$cache/debug-build-$key") ;;
			*) say "removing stale $old"; rm -rf "$old" ;;
			esac
		done
	fi
	exec 9>&-
fi

echo "$tree"
