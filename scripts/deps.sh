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
# package names on the command line (PACKAGE or PACKAGE:WHY) are checked
# and installed the same way.
# Without root, a missing package is an error that lists what is missing.

set -euo pipefail

say() { printf 'gomem: %s\n' "$*"; }
die() { printf 'gomem: error: %s\n' "$*" >&2; exit 1; }

# Package and why gomem needs it.
needs=(
	"make:the build"
	"gcc:kernel modules and the userspace harness"
	"libc6-dev:the userspace harness"
	"gcc-multilib:the 32-bit (gcc -m32 -static) build of gomem-e2e, which tests the compat ioctl path in the VM"
	"clang:the libFuzzer target"
	"libclang-rt-14-dev:libFuzzer and the sanitizer runtimes"
	"libcmocka-dev:the userspace harness's unit tests"
	"linux-source-6.12:the KUnit and debug kernels and checkpatch.pl (make kunit, make vm-test, make lint)"
	"dwarves:pahole, which Debian's 6.12 kernel headers run on every module (BTF)"
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
	"shellcheck:make lint (the shell scripts)"
	"libjemalloc-dev:make bench (jemalloc, side by side)"
	"libmimalloc-dev:make bench (mimalloc, side by side)"
	"gnuplot-nox:make bench (the tree-growth plot)"
)
for pkg in "$@"; do
	case $pkg in
	*:*) needs+=("$pkg") ;;	# PACKAGE:WHY
	*) needs+=("$pkg:a target that asked for it") ;;
	esac
done

# Kernel header trees are not installed: installing Debian's 6.12 header
# package pulls its kernel image into /boot, changing which kernel this
# machine boots.  scripts/kernel-headers.sh downloads and unpacks them into
# GOMEM_CACHE instead, as scripts/vm-kernel.sh does for the VM's images.

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for entry in "${needs[@]}"; do
	installed "${entry%%:*}" || missing+=("$entry")
done

if [ ${#missing[@]} -eq 0 ]; then
	say "all build and test dependencies are installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	printf 'gomem: error: missing packages (run scripts/deps.sh as root, or install them):\n' >&2
	for entry in "${missing[@]}"; do
		printf '  %s\t(for %s)\n' "${entry%%:*}" "${entry#*:}" >&2
	done
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
say "updating the apt package lists"
apt-get update

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
