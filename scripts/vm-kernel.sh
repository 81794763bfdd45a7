#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Print the path of Debian's kernel image (vmlinuz) for a kernel version,
# fetched once into the gomem cache without installing anything on the host.
#
#   scripts/vm-kernel.sh VERSION [HEADERS_DIR]
#                          e.g. 6.1.0-56-amd64, 6.12.117+deb12-amd64
#
#   GOMEM_CACHE   cache directory (default: ~/.cache/gomem)
#
# The image must match the headers gomem.ko was built against (make
# modules-check), so the Debian version of those headers (the
# .gomem-unpacked stamp that scripts/kernel-headers.sh leaves beside
# HEADERS_DIR's usr/, or else an installed linux-headers-VERSION) is fetched: linux-image-VERSION, or
# linux-image-VERSION-unsigned if only that exists, with "apt-get download".
# Only its /boot is unpacked, into $GOMEM_CACHE/vm/linux-image-VERSION_DEBVER/,
# and two modules (decompressed) into its modules/: the RAM disk brd.ko,
# the VM's block device for the O_DIRECT cases, and configfs.ko, which
# gomem.ko needs (named arenas; Debian builds configfs as a module).
# Neither depends on another module.
# Messages go to stderr.

set -euo pipefail

say() { printf 'gomem: %s\n' "$*" >&2; }
die() { printf 'gomem: error: %s\n' "$*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 KERNEL_VERSION [HEADERS_DIR]"
ver=$1
hdrs=${2:-}
cache=${GOMEM_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/gomem}

# The Debian version to fetch: that of the headers, else apt's candidate.
debver=
stamp=${hdrs:+$hdrs/../../../.gomem-unpacked}
if [ -n "$stamp" ] && [ -f "$stamp" ]; then
	read -r sver debver <"$stamp"
	[ "$sver" = "$ver" ] || die "$hdrs holds headers for $sver, not $ver"
fi
[ -n "$debver" ] ||
	debver=$(dpkg-query -W -f='${Version}' "linux-headers-$ver" 2>/dev/null || true)

# Does apt know PACKAGE (at DEBVER, if set)?
available() {
	local v
	v=$(apt-cache show --no-all-versions "$1${debver:+=$debver}" 2>/dev/null |
		awk '/^Version:/ { print $2; exit }')
	[ -n "$v" ] && echo "$v"
}

pick() {
	local p
	for p in "linux-image-$ver" "linux-image-$ver-unsigned"; do
		if available "$p" >/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Already fetched?  Any package variant of that Debian version will do.
if [ -n "$debver" ]; then
	for d in "$cache/vm/linux-image-${ver}_$debver" "$cache/vm/linux-image-$ver-unsigned_$debver"; do
		if [ -f "$d/.gomem-unpacked" ] && [ -f "$d/boot/vmlinuz-$ver" ] &&
			[ -f "$d/modules/brd.ko" ] && [ -f "$d/modules/configfs.ko" ]; then
			echo "$d/boot/vmlinuz-$ver"
			exit 0
		fi
	done
fi

mkdir -p "$cache/vm"
exec 9>"$cache/vm/.fetch.lock"
flock 9

if ! pkg=$(pick); then
	if [ "$(id -u)" -eq 0 ]; then
		say "apt does not know linux-image-$ver${debver:+ $debver}: updating the package lists"
		apt-get update >&2
	fi
	pkg=$(pick) || {
		# The headers' exact version may have left the mirror: any build of
		# the same ABI name loads the same modules.
		debver=
		pkg=$(pick)
	} || die "no package linux-image-$ver or linux-image-$ver-unsigned in apt's lists"
fi
debver=$(available "$pkg")
dir=$cache/vm/${pkg}_$debver
vmlinuz=$dir/boot/vmlinuz-$ver

if [ ! -f "$dir/.gomem-unpacked" ] || [ ! -f "$vmlinuz" ] ||
	[ ! -f "$dir/modules/brd.ko" ] || [ ! -f "$dir/modules/configfs.ko" ]; then
	tmp=$cache/vm/.fetch.$$
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp"
	# apt-get download drops privileges to _apt, which cannot reach a
	# cache under root's home: download as root then (apt would, after a
	# warning).
	sandbox=()
	[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
	say "downloading $pkg $debver (kernel image for the VM tests; not installed)"
	(cd "$tmp" && apt-get download -q "${sandbox[@]}" "$pkg=$debver" >&2) ||
		die "apt-get download $pkg=$debver failed"
	deb=$(ls "$tmp"/*.deb)
	mkdir -p "$tmp/x"
	# Only /boot, brd.ko and configfs.ko: the image's other modules are
	# not needed (gomem.ko depends on configfs alone) and take hundreds
	# of megabytes unpacked.  Debian compresses modules with xz since 6.12.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" ./boot \
		--wildcards "./lib/modules/$ver/kernel/drivers/block/brd.ko*" \
		"./lib/modules/$ver/kernel/fs/configfs/configfs.ko*"
	[ -f "$tmp/x/boot/vmlinuz-$ver" ] || die "$pkg has no /boot/vmlinuz-$ver"
	mkdir -p "$dir/modules"
	for m in drivers/block/brd fs/configfs/configfs; do
		ko=$tmp/x/lib/modules/$ver/kernel/$m.ko
		[ ! -f "$ko.xz" ] || xz -d "$ko.xz"
		[ -f "$ko" ] || die "$pkg has no $m.ko"
		mv "$ko" "$dir/modules/${m##*/}.ko"
	done
	mv "$tmp/x/boot" "$dir/boot"
	printf '%s %s\n' "$pkg" "$debver" >"$dir/.gomem-unpacked"
	rm -rf "$tmp"
	say "kernel image $vmlinuz"
fi
echo "$vmlinuz"
