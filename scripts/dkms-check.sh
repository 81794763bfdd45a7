#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# make dkms-check: "dkms add" and "dkms build" of this checkout against
# every kernel whose headers modules-check uses, in scratch DKMS trees under
# build/dkms (nothing is installed on this machine).

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
say() { printf 'gomem: %s\n' "$*"; }

command -v dkms >/dev/null || { say "dkms is missing (scripts/deps.sh installs it)"; exit 1; }
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
work="$root/build/dkms"
rm -rf "$work"
mkdir -p "$work/src/gomem-$version" "$work/tree"
# What dkms add would take from a clean checkout: the tracked files.
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$work/src/gomem-$version")

dkms add -m gomem -v "$version" --sourcetree "$work/src" --dkmstree "$work/tree" >/dev/null
failed=0
hdrs=$("$root/scripts/kernel-headers.sh" 6.1 6.12) ||
	{ say "no kernel headers (scripts/kernel-headers.sh failed)"; exit 1; }
mapfile -t hdrs <<<"$hdrs"
for hdr in "${hdrs[@]}"; do
	kver=${hdr##*/linux-headers-}
	if dkms build -m gomem -v "$version" -k "$kver" --kernelsourcedir "$hdr" \
		--sourcetree "$work/src" --dkmstree "$work/tree" >"$work/build-$kver.log" 2>&1 &&
		compgen -G "$work/tree/gomem/$version/$kver/x86_64/module/gomem.ko*" >/dev/null; then
		say "dkms build gomem/$version for $kver: ok"
	else
		say "dkms build gomem/$version for $kver FAILED (log: $work/build-$kver.log)"
		failed=1
	fi
done
exit $failed
