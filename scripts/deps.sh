#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Install what gomem needs on a Debian 12 machine, idempotently.
#
#   scripts/deps.sh [PACKAGE...]
#
# Checks every package with dpkg-query and does nothing more when all are
# installed (no network access then).  Otherwise it says what it installs
# and why, runs "apt-get update" once and "apt-get install" once.  Extra
# package names on the command line are checked and installed the same way.
# Without root, a missing package is an error that lists what is missing.

set -euo pipefail

say() { printf 'gomem: %s\n' "$*"; }
die() { printf 'gomem: error: %s\n' "$*" >&2; exit 1; }

# Package and why gomem needs it.
needs=(
	"make:the build"
	"gcc:kernel modules and the userspace harness"
	"libc6-dev:the userspace harness"
	"clang:the libFuzzer target"
	"libclang-rt-14-dev:libFuzzer and the sanitizer runtimes"
	"libcmocka-dev:the userspace harness's unit tests"
	"linux-source-6.12:the KUnit kernel and checkpatch.pl (make kunit, make lint)"
	"linux-headers-amd64:building gomem.ko against Debian's 6.1 kernel"
	"qemu-system-x86:running the KUnit kernel and the VM tests (make vm-test, make run)"
	"busybox-static:the VM tests' initramfs (make vm-test, make run)"
	"dkms:checking that dkms.conf builds (make dkms-check)"
	"g++:libgomem's C++ header check (make lib-check)"
	"pkg-config:building against an installed libgomem (make lib-check)"
	"python3:kunit.py"
	"bc:the kernel build"
	"flex:the kernel build"
	"bison:the kernel build"
	"libelf-dev:the kernel build (objtool)"
	"libssl-dev:the kernel build (certificates)"
	"cpio:the kernel build and the VM tests' initramfs"
	"rsync:scratch copies of the kernel headers (make modules-check)"
	"kmod:the kernel build (depmod)"
	"xz-utils:unpacking linux-source-6.12"
	"perl:the kernel build and checkpatch.pl"
	"libjemalloc-dev:make bench (jemalloc, side by side)"
	"libmimalloc-dev:make bench (mimalloc, side by side)"
	"gnuplot-nox:make bench (the tree-growth plot)"
)
for pkg in "$@"; do
	needs+=("$pkg:a target that asked for it")
done

# The 6.12 headers come as versioned packages only (linux-headers-6.12.N+deb12-amd64,
# in bookworm-security); any installed one will do, else the newest available.
headers612_re='^linux-headers-6\.12\.[0-9]+\+deb12-amd64$'
headers612_why="building gomem.ko against Debian's 6.12 kernel"

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

have_headers612() {
	local pkg
	for pkg in $(dpkg-query -W -f='${Package}\n' 'linux-headers-6.12.*' 2>/dev/null); do
		if [[ $pkg =~ $headers612_re ]] && installed "$pkg"; then
			return 0
		fi
	done
	return 1
}

# Print the newest linux-headers-6.12.N+deb12-amd64 that apt can install.
resolve_headers612() {
	local pkg
	for pkg in $(apt-cache pkgnames linux-headers-6.12. | grep -E "$headers612_re" | sort -rV); do
		# awk reads all of it: with pipefail, "grep -q" could fail on SIGPIPE.
		if apt-cache policy "$pkg" | awk '/Candidate:/ { c = $2 } END { exit c !~ /^[0-9]/ }'; then
			echo "$pkg"
			return 0
		fi
	done
	return 1
}

missing=()
for entry in "${needs[@]}"; do
	installed "${entry%%:*}" || missing+=("$entry")
done
need_headers612=0
have_headers612 || need_headers612=1

if [ ${#missing[@]} -eq 0 ] && [ $need_headers612 -eq 0 ]; then
	say "all build and test dependencies are installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	printf 'gomem: error: missing packages (run scripts/deps.sh as root, or install them):\n' >&2
	for entry in "${missing[@]}"; do
		printf '  %s\t(for %s)\n' "${entry%%:*}" "${entry#*:}" >&2
	done
	[ $need_headers612 -eq 0 ] ||
		printf '  linux-headers-6.12.N+deb12-amd64, the newest\t(for %s)\n' "$headers612_why" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
say "updating the apt package lists"
apt-get update

if [ $need_headers612 -eq 1 ]; then
	pkg=$(resolve_headers612) ||
		die "no linux-headers-6.12.N+deb12-amd64 package found: is bookworm-security in the apt sources?"
	missing+=("$pkg:$headers612_why")
fi

names=()
for entry in "${missing[@]}"; do
	say "installing ${entry%%:*} for ${entry#*:}"
	names+=("${entry%%:*}")
done
apt-get install -y --no-install-recommends "${names[@]}"

for name in "${names[@]}"; do
	installed "$name" || die "$name is still not installed"
done
say "installed ${names[*]}"
