#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Print the path of a Debian kernel header tree, fetched once into the gomem
# cache without installing anything on the host.
#
#   scripts/kernel-headers.sh [SERIES...]    SERIES: 6.1 or 6.12 (default: both)
#
#   GOMEM_CACHE   cache directory (default: ~/.cache/gomem)
#
# Installing Debian's header packages would pull a kernel image into the
# host's /boot (linux-headers-6.12.N+deb12-amd64 depends on
# linux-image-6.12.N+deb12-amd64), changing which kernel the machine boots.
# So, like the VM's kernel images (scripts/vm-kernel.sh), the packages are
# only downloaded ("apt-get download") and unpacked ("dpkg-deb -x") into
# $GOMEM_CACHE/headers/linux-headers-VERSION_DEBVER/: the arch headers,
# the common headers and the matching linux-kbuild.  The arch tree's Makefile
# names the common tree by its absolute /usr/src path; it is rewritten to the
# unpacked one.  The kernel version picked is, for 6.1, the one
# linux-headers-amd64 depends on; for 6.12, the newest
# linux-headers-6.12.N+deb12-amd64 apt knows.  Without apt's lists (or
# offline), the newest tree already in the cache is used.  One path per
# line on stdout; messages on stderr.

set -euo pipefail

say() { printf 'gomem: %s\n' "$*" >&2; }
die() { printf 'gomem: error: %s\n' "$*" >&2; exit 1; }

cache=${GOMEM_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/gomem}
hcache=$cache/headers

# Candidate version of PACKAGE in apt's lists, or nothing.
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 ~ /^[0-9]/) print $2; exit }'
}

# The kernel version (e.g. 6.1.0-57-amd64) apt would give for a series.
resolve() {
	local pkg
	case $1 in
	6.1)
		apt-cache depends linux-headers-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-headers-\(6\.1\.[0-9]*-[0-9]*-amd64\)$/\1/p' |
			sort -V | tail -n 1
		;;
	6.12)
		for pkg in $(apt-cache pkgnames linux-headers-6.12. 2>/dev/null |
			grep -E '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' | sort -rV); do
			if [ -n "$(candidate "$pkg")" ]; then
				echo "${pkg#linux-headers-}"
				return 0
			fi
		done
		;;
	esac
}

# The newest tree of a series already in the cache.
cached() {
	local glob
	case $1 in
	6.1) glob='linux-headers-6.1.*-amd64_*' ;;
	6.12) glob='linux-headers-6.12.*+deb12-amd64_*' ;;
	esac
	# shellcheck disable=SC2086,SC2012 # $glob is a glob
	(cd "$hcache" 2>/dev/null && ls -d $glob 2>/dev/null) | while read -r d; do
		[ -f "$hcache/$d/.gomem-unpacked" ] && echo "$d"
	done | sort -V | tail -n 1
}

# The linux-kbuild package the arch headers depend on.
kbuild_of() {
	apt-cache depends "linux-headers-$1=$2" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-kbuild-[^ ]*\)$/\1/p' | head -n 1
}

fetch() {
	local series=$1 ver debver common kbuild dir tmp d
	ver=$(resolve "$series")
	if [ -z "$ver" ] && [ "$(id -u)" -eq 0 ] && [ -z "$(cached "$series")" ]; then
		say "apt knows no $series kernel headers: updating the package lists"
		apt-get update >&2
		ver=$(resolve "$series")
	fi
	if [ -z "$ver" ]; then
		d=$(cached "$series")
		[ -n "$d" ] || die "no Debian $series kernel headers in apt's lists or in $hcache"
		echo "$hcache/$d/usr/src/${d%%_*}"
		return 0
	fi
	debver=$(candidate "linux-headers-$ver")
	dir=$hcache/linux-headers-${ver}_$debver
	if [ -f "$dir/.gomem-unpacked" ]; then
		echo "$dir/usr/src/linux-headers-$ver"
		return 0
	fi

	mkdir -p "$hcache"
	exec 9>"$hcache/.fetch.lock"
	flock 9
	if [ ! -f "$dir/.gomem-unpacked" ]; then
		common=linux-headers-${ver%-amd64}-common
		kbuild=$(kbuild_of "$ver" "$debver")
		[ -n "$kbuild" ] || die "linux-headers-$ver names no linux-kbuild package"
		tmp=$hcache/.fetch.$$
		rm -rf "$tmp" "$dir"
		mkdir -p "$tmp/deb" "$tmp/root"
		# apt-get download drops privileges to _apt, which cannot reach a
		# cache under root's home: download as root then.
		local sandbox=()
		[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
		say "downloading linux-headers-$ver, $common and $kbuild $debver (kernel headers for building gomem.ko; not installed)"
		(cd "$tmp/deb" && apt-get download -q "${sandbox[@]}" \
			"linux-headers-$ver=$debver" "$common=$debver" "$kbuild" >&2) ||
			die "apt-get download of the $ver headers failed"
		for d in "$tmp"/deb/*.deb; do
			dpkg-deb -x "$d" "$tmp/root"
		done
		local tree=$tmp/root/usr/src/linux-headers-$ver
		[ -f "$tree/Makefile" ] && [ -f "$tree/.config" ] ||
			die "linux-headers-$ver holds no kernel header tree"
		sed -i "s|/usr/src/$common/|$dir/usr/src/$common/|" "$tree/Makefile"
		rm -rf "$tmp/deb"
		mv "$tmp/root" "$dir"
		rmdir "$tmp"
		printf '%s %s\n' "$ver" "$debver" >"$dir/.gomem-unpacked"
		say "kernel headers $dir/usr/src/linux-headers-$ver"
	fi
	exec 9>&-
	echo "$dir/usr/src/linux-headers-$ver"
}

[ $# -gt 0 ] || set -- 6.1 6.12
for series in "$@"; do
	case $series in
	6.1 | 6.12) fetch "$series" ;;
	*) die "usage: $0 [6.1|6.12]..." ;;
	esac
done
