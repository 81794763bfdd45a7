#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# make test: install what is missing, then run each test step as a make
# target, with a banner and its duration, and a summary at the end.
#
#   scripts/test.sh [STEP...]   (default: $GOMEM_TEST_STEPS)
#
# A step that fails does not stop the later ones (their results are worth
# having); the exit status is non-zero if any step failed or is missing.

set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
steps=${*:-${GOMEM_TEST_STEPS:-harness fuzz modules-check lint dkms-check lib-check kunit vm-test}}
make=${MAKE:-make}

banner() { printf '\n======== %s ========\n' "$*"; }

# A step is missing when nothing provides its target.
missing() {
	case $1 in
	harness | fuzz)
		[ -f "$root/userspace/harness/Makefile" ] || return 0
		$make -s -n -C "$root/userspace/harness" "${1/harness/test}" >/dev/null 2>&1 || return 0
		;;
	vm-test)
		[ -f "$root/userspace/tests/Makefile" ] || return 0
		;;
	esac
	return 1
}

# What decides which kernel this machine boots: the installed kernel
# images and /boot.  make test must leave both as they were (kernel headers
# and the VM's images are unpacked into GOMEM_CACHE, never installed).
host_kernels() {
	dpkg-query -W -f='${Package} ${Version} ${Status}\n' 'linux-image-*' 2>/dev/null |
		grep ' installed$' || true
	find /boot -printf '%p %y %s %T@ %l\n' 2>/dev/null | sort
}
host_before=$(host_kernels)

total_start=$(date +%s)
banner "deps: scripts/deps.sh"
if ! "$root/scripts/deps.sh"; then
	echo "gomem: make test FAILED: could not install the dependencies" >&2
	exit 1
fi

# Add up the test cases a step's log reports: the harness runners' and
# vm.sh's closing "N passed, N failed" lines (summed), and kunit.py's
# "Ran N tests: passed: P, failed: F, crashed: C, skipped: S, errors: E"
# (each part only when non-zero; kunit.sh repeats the line, so the last
# one counts).  Failed, crashed and errors are failures; skipped tests are
# neither passed nor failed.  Prints "passed failed skipped".
count() {
	local log=$1 p=0 f=0 kp=0 kf=0 ks=0 line part n what parts
	while read -r line; do
		if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
			p=$((p + BASH_REMATCH[1]))
			f=$((f + BASH_REMATCH[2]))
		elif [[ $line =~ Ran\ ([0-9]+)\ tests:\ ?(.*)$ ]]; then
			kp=0 kf=0 ks=0
			IFS=, read -ra parts <<<"${BASH_REMATCH[2]}"
			for part in "${parts[@]}"; do
				read -r what n <<<"$part"
				case $what in
				passed:) kp=$n ;;
				failed: | crashed: | errors:) kf=$((kf + n)) ;;
				skipped:) ks=$n ;;
				esac
			done
		fi
	done < <(sed 's/\x1b\[[0-9;]*m//g; s/^\[[0-9:]*\] //' "$log" 2>/dev/null)
	echo "$((p + kp)) $((f + kf)) $ks"
}

logs="$root/build/test-logs"
mkdir -p "$logs"
results=()
failed=0
all_passed=0
all_failed=0
all_skipped=0
for step in $steps; do
	banner "$step: make $step"
	start=$(date +%s)
	if missing "$step"; then
		status=MISSING
		echo "gomem: step $step is missing: nothing provides it"
	elif $make --no-print-directory -C "$root" "$step" 2>&1 |
		tee "$logs/$step.log"; then
		status=passed
	else
		status=FAILED
	fi
	secs=$(($(date +%s) - start))
	p=0 f=0 sk=0
	[ "$status" = MISSING ] || read -r p f sk < <(count "$logs/$step.log")
	# A step that passed but reports failed cases did not pass.
	[ "$status" != passed ] || [ "$f" -eq 0 ] || status=FAILED
	if [ "$status" != passed ]; then
		failed=$((failed + 1))
		# Each failed step is at least one failure of its own, whatever
		# the other steps reported.
		[ "$f" -gt 0 ] || f=1
	fi
	all_passed=$((all_passed + p))
	all_failed=$((all_failed + f))
	all_skipped=$((all_skipped + sk))
	banner "$step: $status in ${secs}s"
	results+=("$(printf '  %-14s %-8s %5ss  %s passed, %s failed%s' "$step" "$status" \
		"$secs" "$p" "$f" "$([ "$sk" -eq 0 ] || echo ", $sk skipped")")")
done

# The host check is a test case of its own, counted in the total.
banner "host: installed kernel images and /boot unchanged"
host_after=$(host_kernels)
if [ "$host_before" = "$host_after" ]; then
	echo "gomem: host kernels unchanged: $(printf '%s\n' "$host_after" | grep -c .) entries compared"
	all_passed=$((all_passed + 1))
	results+=("$(printf '  %-14s %-8s' host passed)")
else
	echo "gomem: make test changed this machine's kernel images or /boot:" >&2
	diff <(printf '%s\n' "$host_before") <(printf '%s\n' "$host_after") >&2 || true
	all_failed=$((all_failed + 1))
	failed=$((failed + 1))
	results+=("$(printf '  %-14s %-8s' host FAILED)")
fi

banner "make test summary"
printf '%s\n' "${results[@]}"
echo "  total time $(($(date +%s) - total_start))s"
echo "  test cases, harness + kunit + vm-test (range_diff counts one per run):"
echo "total: $all_passed passed, $all_failed failed"
[ "$all_skipped" -eq 0 ] || echo "  ($all_skipped KUnit test(s) skipped: neither passed nor failed)"
if [ "$failed" -ne 0 ]; then
	echo "gomem: make test FAILED: $failed step(s) failed or missing" >&2
	exit 1
fi
echo "gomem: make test passed: every step ($steps)"
