#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# checkpatch.pl --strict on every source file that goes into the kernel:
# the top-level *.c, everything under include/ and kunit/*.[ch].  Uses the
# checkpatch.pl of the linux-source-6.12 tree in the gomem cache.  Any
# ERROR, WARNING or CHECK fails.  Then shellcheck (warnings and errors)
# on the shell scripts: scripts/, bench/, the harness's and .ci/run.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
tree=$("$root/scripts/linux-src.sh")

cd "$root"
mapfile -t files < <({
	find . -maxdepth 1 -name '*.[ch]'
	find include kunit -name '*.[ch]' 2>/dev/null
} | sed 's|^\./||' | sort)
if [ ${#files[@]} -eq 0 ]; then
	echo "gomem: lint: no kernel sources found" >&2
	exit 1
fi

bad=0
for f in "${files[@]}"; do
	rc=0
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree --no-summary \
		--show-types --color=never -f "$f" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] || grep -Eq '^(ERROR|WARNING|CHECK):' <<<"$out"; then
		printf '%s\n' "$out"
		echo "gomem: lint: $f is not clean"
		bad=$((bad + 1))
	else
		echo "gomem: lint: $f clean"
	fi
done

if [ "$bad" -ne 0 ]; then
	echo "gomem: lint FAILED: $bad of ${#files[@]} files have checkpatch reports" >&2
	exit 1
fi
echo "gomem: lint: ${#files[@]} files clean under checkpatch.pl --strict"

command -v shellcheck >/dev/null ||
	{ echo "gomem: lint: no shellcheck (make deps installs it)" >&2; exit 1; }
mapfile -t sh < <(ls scripts/*.sh bench/*.sh userspace/harness/*.sh .ci/run)
if ! shellcheck -S warning "${sh[@]}"; then
	echo "gomem: lint FAILED: shellcheck reports in the scripts above" >&2
	exit 1
fi
echo "gomem: lint passed: ${#files[@]} kernel files clean under checkpatch.pl --strict, ${#sh[@]} scripts under shellcheck"
