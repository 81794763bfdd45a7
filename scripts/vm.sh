#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Boot Debian's kernels in QEMU (TCG) with a busybox initramfs that loads
# gomem.ko and runs the end-to-end tests (make vm-test) or the demo (make
# run), or the kernel-path benchmark (--bench, part of make bench).
# Nothing is installed or loaded on the host.
#
#   scripts/vm.sh [--demo | --bench | --soak] [KERNEL...]
#
# KERNEL is a kernel version (6.12.117+deb12-amd64), a headers directory
# (scripts/kernel-headers.sh prints them), or "debug": the debug kernel
# that scripts/debug-kernel.sh builds from linux-source-6.12 (KASAN,
# KFENCE, UBSAN, lockdep, kmemleak, fault injection, KCOV), or its build
# directory.  Default: the 6.1 and 6.12 headers of make modules-check and
# the debug kernel; with --demo or --bench, the newest 6.12 only; with
# --soak, the debug kernel only.
#
# On the debug kernel, test mode also runs the system-call fuzzer
# (userspace/fuzz, GOMEM_FUZZ_SECONDS per configuration, then as long again
# with allocation failures injected into its tasks), checks kmemleak after
# every rmmod, and writes the fuzzer's KCOV coverage of gomem.ko to
# build/kcov-VERSION.txt (scripts/kcov-report.py).  Soak mode (make soak)
# runs only the fuzzer, GOMEM_SOAK_SECONDS in all, in rounds.
#
# For each kernel: the matching Debian kernel image (scripts/vm-kernel.sh),
# gomem.ko from make modules-check (build/modules-VERSION/gomem.ko, rebuilt
# by scripts/modules-check.sh when missing or older than its sources), the
# static programs of userspace/tests and userspace/demo, and
# scripts/vm-init.sh as /init.  The console goes to build/vm-VERSION.log
# (build/vm-demo-VERSION.log for --demo, build/vm-bench-VERSION.log for
# --bench).
#
# Bench mode runs "gomemctl bench --json" GOMEM_BENCH_RUNS times in the VM
# and writes their medians and ratios, with the issue's targets, to
# bench/results/kernel.md (bench/kernel_report.py); QEMU emulates the CPU
# (TCG), so only the ratios, measured in one run, mean anything.
#
# Test mode fails when any case fails, when a case of "gomem-e2e --list" or
# of vm-init.sh is missing, when the VM does not power off by itself in
# time (case vm_ran_to_poweroff), or when the console shows a kernel
# warning, oops or sanitizer report (case console_clean).  It ends with a
# table of cases by kernel and configuration, the failures with their
# reasons, and "N passed, N failed" over all kernels and configurations.
#
#   GOMEM_VM_TIMEOUT     seconds one VM may run (default 1500; on the debug
#                        kernel 3000 + 4 x GOMEM_FUZZ_SECONDS)
#   GOMEM_VM_MEM         MiB of guest memory (default 1024; debug kernel 2048)
#   GOMEM_VM_SMP         guest CPUs (default 2)
#   GOMEM_VM_CONFIGS     module configurations of the test run,
#                        "label:parameters;label:parameters...": every
#                        case runs under each (but the first's labelled
#                        "<case>@<label>"); default treap over vmalloc,
#                        then avl over a buddy pool with per-CPU fronts
#                        (front_max=16384: the fronts' path runs under
#                        every case and the fuzzer, its default is off)
#                        and a named arena made at load (arenas=fixed:
#                        the fuzzer's worker 0 takes it)
#   GOMEM_DEMO_PARAMS    module parameters for the demo
#   GOMEM_BENCH_PARAMS   module parameters for the bench (treap, vmalloc)
#   GOMEM_BENCH_RUNS     runs of gomemctl bench in the VM (default 5)
#   GOMEM_BENCH_ARGS     their arguments (default --iterations 20000
#                        --rounds 7 --pages 256)
#   GOMEM_STRESS_SECONDS passed to gomem-e2e in the VM (default 8)
#   GOMEM_CASE_TIMEOUT   passed to gomem-e2e in the VM (default 240; 900 on
#                        the debug kernel)
#   GOMEM_CACHE          where kernel images are kept (~/.cache/gomem)
#   GOMEM_VM_E2E         a prebuilt static gomem-e2e to use instead of
#                        building userspace/tests
#   GOMEM_FUZZ_SEED      the fuzzer's seed (default: from the clock; every
#                        run prints it, and a failure names it)
#   GOMEM_FUZZ_SECONDS   fuzzing per configuration on the debug kernel, and
#                        as long again with fault injection (default 60)
#   GOMEM_SOAK_SECONDS   make soak: seconds of fuzzing in all (default 3600)
#   GOMEM_SOAK_ROUND     make soak: seconds per round (default 300)
#   GOMEM_VM_ONLY        test mode, for development: only these cases of
#                        gomem-e2e (--debug too) and libgomem-test (names,
#                        space-separated), after loading the module; the
#                        module-level cases, the fuzzer and kmemleak do
#                        not run.  Such a run is never a full pass: the
#                        summary says "partial run".

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
make=${MAKE:-make}
timeout_s=${GOMEM_VM_TIMEOUT:-1500}
mem=${GOMEM_VM_MEM:-1024}
smp=${GOMEM_VM_SMP:-2}
configs=${GOMEM_VM_CONFIGS:-treap-vmalloc:initial_size=1048576 max_chunk=4194304 max_size=67108864 policy=treap source=vmalloc;avl-buddy:initial_size=262144 max_chunk=1048576 max_size=16777216 policy=avl source=buddy front_max=16384 arenas=fixed}
demo_params=${GOMEM_DEMO_PARAMS:-initial_size=262144 max_chunk=1048576 max_size=16777216 policy=treap source=vmalloc}
bench_params=${GOMEM_BENCH_PARAMS:-initial_size=1048576 max_chunk=4194304 max_size=67108864 policy=treap source=vmalloc}
bench_runs=${GOMEM_BENCH_RUNS:-5}
bench_args=${GOMEM_BENCH_ARGS:---iterations 4000 --rounds 35 --pages 256}
IFS=';' read -ra cfgs <<<"$configs"
stress_s=${GOMEM_STRESS_SECONDS:-8}
case_timeout=${GOMEM_CASE_TIMEOUT:-240}

say() { printf 'gomem: %s\n' "$*"; }
die() { printf 'gomem: vm FAILED: %s\n' "$*" >&2; exit 1; }

mode="test"
if [ "${1:-}" = --demo ]; then
	mode=demo
	shift
elif [ "${1:-}" = --bench ]; then
	mode=bench
	shift
elif [ "${1:-}" = --soak ]; then
	mode=soak
	shift
fi

fuzz_seed=${GOMEM_FUZZ_SEED:-$(($(date +%s%N) % 4294967296))}
fuzz_s=${GOMEM_FUZZ_SECONDS:-60}
soak_s=${GOMEM_SOAK_SECONDS:-3600}
soak_round=${GOMEM_SOAK_ROUND:-300}
only=${GOMEM_VM_ONLY:-}
case "$fuzz_seed$fuzz_s$soak_s$soak_round" in
*[!0-9]*) die "GOMEM_FUZZ_SEED, GOMEM_FUZZ_SECONDS, GOMEM_SOAK_SECONDS and GOMEM_SOAK_ROUND are numbers" ;;
esac
if [ $mode = soak ]; then
	# The fuzzer's time, every configuration's load and unload, and boot.
	timeout_s=${GOMEM_VM_TIMEOUT:-$((soak_s + soak_s / 4 + 600))}
fi
base_timeout_s=$timeout_s
base_mem=$mem
debug_timeout_s=${GOMEM_VM_TIMEOUT:-$((3000 + 4 * fuzz_s))}
debug_mem=${GOMEM_VM_MEM:-2048}
base_case_timeout=$case_timeout
debug_case_timeout=${GOMEM_CASE_TIMEOUT:-900}

if [ $# -eq 0 ]; then
	case $mode in
	test)
		hdrs=$("$root/scripts/kernel-headers.sh" 6.1 6.12) ||
			die "no kernel headers (scripts/kernel-headers.sh failed)"
		mapfile -t hdrs <<<"$hdrs"
		set -- "${hdrs[@]}" debug
		;;
	soak) set -- debug ;;
	*)
		hdr=$("$root/scripts/kernel-headers.sh" 6.12) ||
			die "no kernel headers (scripts/kernel-headers.sh failed)"
		set -- "$hdr"
		;;
	esac
fi

busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
	die "no static busybox: run 'make deps' (package busybox-static)"
command -v qemu-system-x86_64 >/dev/null ||
	die "no qemu-system-x86_64: run 'make deps' (package qemu-system-x86)"
command -v cpio >/dev/null || die "no cpio: run 'make deps'"

# The programs that run in the VM.
e2e=${GOMEM_VM_E2E:-$root/userspace/tests/build/gomem-e2e}
demo_dir=$root/userspace/demo/build
if [ $mode != demo ] && [ $mode != bench ] && [ -z "${GOMEM_VM_E2E:-}" ]; then
	[ -f "$root/userspace/tests/Makefile" ] || die "no userspace/tests/Makefile"
	$make --no-print-directory -C "$root/userspace/tests" ||
		die "make -C userspace/tests failed"
	[ -x "$e2e" ] || die "no $e2e after make -C userspace/tests"
fi
# The system-call fuzzer (debug kernel only).
fuzz=$root/userspace/fuzz/build/gomem-fuzz
if [ $mode = test ] || [ $mode = soak ]; then
	$make --no-print-directory -C "$root/userspace/fuzz" ||
		die "make -C userspace/fuzz failed"
	[ -x "$fuzz" ] || die "no $fuzz after make -C userspace/fuzz"
fi
# libgomem's VM tests, and gomemctl (which they drive, and the demo shows
# the statistics with).
libtest=$root/userspace/lib/build/libgomem-test
ctl=$root/userspace/cli/build/gomemctl
$make --no-print-directory -C "$root/userspace/lib" &&
	$make --no-print-directory -C "$root/userspace/cli" ||
	die "make -C userspace/lib userspace/cli failed"
# Bench mode: the peers program of make bench, part 4 (static, Boost
# inside), when bench/Makefile built it.
peers=$root/bench/build/gomem-peers
# and its iceoryx rows: gomem-iox and iox-roudi are linked against shared
# libraries (Debian ships iceoryx's no other way), so the initramfs gets
# them and what ldd says they need.
iox=$root/bench/build/gomem-iox
roudi=/usr/bin/iox-roudi
if [ -f "$root/userspace/demo/Makefile" ]; then
	$make --no-print-directory -C "$root/userspace/demo" ||
		die "make -C userspace/demo failed"
elif [ $mode = demo ]; then
	die "no userspace/demo/Makefile"
fi
for p in "$e2e" "$libtest" "$ctl" "$fuzz" "$demo_dir"/*; do
	[ -f "$p" ] && [ -x "$p" ] || continue
	file -L "$p" | grep -q 'statically linked' || die "$p is not statically linked"
done

# Results are keyed by case name (and configuration label), not by the
# program that reported them, so no name may belong to two programs (nor
# appear twice in one): one program's result would stand in for the
# other's, and one failure would count twice.
if [ $mode = test ]; then
	dups=$({
		sh "$root/scripts/vm-init.sh" --list
		"$e2e" --list
		"$e2e" --debug --list
		sh "$root/scripts/vm-init.sh" --list-debug
		[ ! -x "$libtest" ] || "$libtest" --list
	} | LC_ALL=C sort | uniq -d)
	[ -z "$dups" ] ||
		die "case names listed by more than one program (vm-init.sh, gomem-e2e, libgomem-test): $(tr "\n" " " <<<"$dups")"
fi

# The kernel sources gomem.ko is built from, for the staleness check.
module_sources() {
	find "$root" -maxdepth 1 \( -name '*.[ch]' -o -name Kbuild \) -print
	find "$root/include" -type f -print
}

# True if a source of gomem.ko is newer than the module $1.
module_stale() {
	local f
	while read -r f; do
		[ "$f" -nt "$1" ] && return 0
	done < <(module_sources)
	return 1
}

# Expected cases, as "label<TAB>case": the init script's own and the test
# program's for each configuration, bad_module_params_refused once; on the
# debug kernel ($1 = 1) the fuzzer's and kmemleak's cases too.
expected_cases() {
	local cfg label first=1 per_config
	per_config=$(sh "$root/scripts/vm-init.sh" --list-per-config; "$e2e" --list; "$libtest" --list
		[ "$1" != 1 ] || { sh "$root/scripts/vm-init.sh" --list-debug; "$e2e" --debug --list; })
	if [ -n "$only" ]; then
		per_config=$(grep -xF -f <(tr ' ' '\n' <<<"$only module_loads_with_params") <<<"$per_config" || true)
		for cfg in "${cfgs[@]}"; do
			sed "s/^/${cfg%%:*}\t/" <<<"$per_config"
		done
		return
	fi
	for cfg in "${cfgs[@]}"; do
		label=${cfg%%:*}
		if [ $first -eq 1 ]; then
			sh "$root/scripts/vm-init.sh" --list | grep -vxF "$per_config" |
				sed "s/^/$label\t/"
		fi
		sed "s/^/$label\t/" <<<"$per_config"
		first=0
	done
}

# Is the first kernel report of console $1 an "Oops: int3" none of whose
# lines (the module list aside) names gomem?
int3_not_gomem() {
	local report
	report=$(grep -a -m 1 -A 60 -E "$bad_console_re" "$1" |
		sed -n '/Oops: int3/,/end trace/p') || return 1
	[ -n "$report" ] && ! grep -v 'Modules linked in' <<<"$report" | grep -q gomem
}

# Build the initramfs for one kernel: $1 version, $2 gomem.ko, $3 cpio,
# $4 that kernel's brd.ko (the RAM disk of the O_DIRECT cases), if any,
# $5 its configfs.ko (gomem.ko's dependency) if configfs is a module.
make_initramfs() {
	local ver=$1 ko=$2 out=$3 brd=${4:-} cfs=${5:-} dir e2e_s
	dir=$root/build/vm-$ver.root
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/etc"
	cp "$busybox" "$dir/bin/busybox"
	ln -s busybox "$dir/bin/sh"
	cp "$root/scripts/vm-init.sh" "$dir/init"
	chmod 0755 "$dir/init"
	cp "$ko" "$dir/gomem.ko"
	[ -z "$brd" ] || cp "$brd" "$dir/brd.ko"
	[ -z "$cfs" ] || cp "$cfs" "$dir/configfs.ko"
	[ ! -x "$e2e" ] || cp "$e2e" "$dir/bin/"
	[ ! -x "${e2e%/*}/gomem-e2e32" ] || cp "${e2e%/*}/gomem-e2e32" "$dir/bin/"
	[ ! -x "$libtest" ] || cp "$libtest" "$dir/bin/"
	[ "$debug" != 1 ] || [ ! -x "$fuzz" ] || cp "$fuzz" "$dir/bin/"
	[ ! -x "$ctl" ] || cp "$ctl" "$dir/bin/"
	[ $mode != bench ] || [ ! -x "$peers" ] || cp "$peers" "$dir/bin/"
	if [ $mode = bench ] && [ -x "$iox" ] && [ -x "$roudi" ]; then
		cp "$iox" "$roudi" "$dir/bin/"
		cp "$root/bench/iceoryx-roudi.toml" "$dir/etc/"
		# RouDi names its shared memory after the user's group.
		echo 'root:x:0:0:root:/:/bin/sh' >"$dir/etc/passwd"
		echo 'root:x:0:' >"$dir/etc/group"
		ldd "$iox" "$roudi" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
			$1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u | while read -r lib; do
			mkdir -p "$dir${lib%/*}"
			cp -L "$lib" "$dir$lib"
		done
	fi
	for p in "$demo_dir"/*; do
		[ -f "$p" ] && [ -x "$p" ] && cp "$p" "$dir/bin/"
	done
	[ ! -f "$root/scripts/vm-demo.sh" ] || cp "$root/scripts/vm-demo.sh" "$dir/bin/gomem-demo.sh"
	{
		if [ $mode = bench ]; then
			printf "GOMEM_PARAMS='%s'\n" "$bench_params"
		else
			printf "GOMEM_PARAMS='%s'\n" "$demo_params"
		fi
		printf "GOMEM_BENCH_RUNS='%s'\n" "$bench_runs"
		printf "GOMEM_BENCH_ARGS='%s'\n" "$bench_args"
		printf "GOMEM_CONFIGS='%s'\n" "$configs"
		# What the VM's own timeout leaves each configuration, at
		# least 30 s (with a short GOMEM_VM_TIMEOUT the VM times out).
		e2e_s=$(((timeout_s - 120) / ${#cfgs[@]}))
		printf "GOMEM_E2E_TIMEOUT='%s'\n" "$((e2e_s < 30 ? 30 : e2e_s))"
		printf "export GOMEM_STRESS_SECONDS='%s'\n" "$stress_s"
		printf "export GOMEM_CASE_TIMEOUT='%s'\n" "$case_timeout"
		[ "$debug" != 1 ] || printf "export GOMEM_E2E_SLAB_FACTOR=16\n"
		printf "GOMEM_DEBUG_KERNEL='%s'\n" "$debug"
		printf "GOMEM_VM_ONLY='%s'\n" "$only"
		printf "GOMEM_FUZZ_SEED='%s'\n" "$fuzz_seed"
		printf "GOMEM_FUZZ_SECONDS='%s'\n" "$fuzz_s"
		printf "GOMEM_SOAK_SECONDS='%s'\n" "$soak_s"
		printf "GOMEM_SOAK_ROUND='%s'\n" "$soak_round"
	} >"$dir/etc/gomem-vm.conf"
	(cd "$dir" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out"
}

# The serial console without carriage returns and the terminal resets
# and escape sequences the firmware sends, line by line as it comes.
clean_console() {
	sed -u 's/\r$//; s/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g'
}

# Boot one kernel; the console goes to $log.  Returns QEMU's exit status
# as timeout(1) reports it (124 after the timeout, 137 if it had to be
# killed, 128+N if something else killed QEMU with signal N), or 1 if QEMU
# exited 0 but the console pipeline failed.  The status is read from the
# pipeline itself, never after an "|| true" (which would make it 0).
boot() {
	local vmlinuz=$1 initrd=$2 log=$3 append
	append="console=ttyS0 panic=-1 gomem_mode=$mode"
	# KCOV reports addresses minus the KASLR offset, module ones too:
	# without it, they are the module's own (userspace/fuzz/kcov.c).
	[ "$debug" != 1 ] || append="$append nokaslr"
	[ $mode = test ] || [ $mode = soak ] || append="$append quiet"
	local qemu=(timeout -k 10 "$timeout_s" qemu-system-x86_64
		-accel tcg -cpu max -m "$mem" -smp "$smp"
		-nographic -monitor none -no-reboot -nic none
		-kernel "$vmlinuz" -initrd "$initrd" -append "$append")
	if [ $mode != test ] && [ $mode != soak ]; then
		# The demo's own output, from init's first line to its kernel
		# log dump; the whole console stays in the log.
		if "${qemu[@]}" </dev/null 2>&1 | clean_console | tee "$log" |
			awk '/GOMEM-VM kernel log follows/ { hide = 1 }
				!show && (i = index($0, "GOMEM-VM kernel ")) { show = 1; $0 = substr($0, i) }
				show && !hide { print; fflush() }
				/GOMEM-VM done/ { print; fflush() }'; then
			return 0
		fi
	elif "${qemu[@]}" </dev/null 2>&1 | clean_console | tee "$log" |
		{ grep --line-buffered -aE 'GOMEM-CASE|gomem-fuzz: (seed|[0-9]+ ops|FAIL)' || true; } |
		sed -u "s/^/  [$ver] /"; then
		return 0
	fi
	# Here, right after the pipeline, PIPESTATUS is still its own.
	local st=("${PIPESTATUS[@]}")
	[ "${st[0]}" -eq 0 ] || return "${st[0]}"
	return 1
}

# Kernel reports that fail a run wherever they appear on the console:
# oopses and warnings, sanitizers (KASAN, KFENCE and UBSAN reports), and
# lockdep's, RCU's and the scheduler's complaints on the debug kernel.
# (kmemleak's reports are read by the kmemleak cases, not here.)
bad_console_re='BUG:|WARNING:|Oops|KASAN|KFENCE|UBSAN|general protection|Call Trace|[Kk]ernel panic|refcount_t|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|turning off the locking correctness validator|INFO: task .* blocked|Kernel memory leak detector disabled'

grand_pass=0
grand_fail=0
kernels=()
summaries=()
results=$root/build/vm-results.tsv
[ $mode != soak ] || results=$root/build/vm-soak-results.tsv
mkdir -p "$root/build"
{ [ $mode != test ] && [ $mode != soak ]; } || : >"$results"
for k in "$@"; do
	debug=0
	if [ "$k" = debug ]; then
		k=$("$root/scripts/debug-kernel.sh") || die "no debug kernel (scripts/debug-kernel.sh failed)"
	fi
	if [ -f "$k/arch/x86/boot/bzImage" ] && [ -f "$k/include/config/kernel.release" ]; then
		debug=1
		kdir=$k
		ver=$(cat "$k/include/config/kernel.release")
	elif [ -d "$k" ]; then
		kdir=$k
		ver=$(basename "$k")
		ver=${ver#linux-headers-}
	else
		ver=$k
		case $ver in
		6.1.*) kdir=$("$root/scripts/kernel-headers.sh" 6.1) ;;
		*) kdir=$("$root/scripts/kernel-headers.sh" 6.12) ;;
		esac
		[ "$(basename "$kdir")" = "linux-headers-$ver" ] ||
			die "kernel $ver: the cached headers are $kdir"
	fi
	[ -n "$ver" ] && [ -f "$kdir/Makefile" ] ||
		die "no kernel headers '$k': run 'make deps'"

	ko=$root/build/modules-$ver/gomem.ko
	if [ ! -f "$ko" ] || module_stale "$ko"; then
		say "gomem.ko for $ver is missing or older than its sources: scripts/modules-check.sh $kdir"
		"$root/scripts/modules-check.sh" "$kdir" >"$root/build/vm-modules-$ver.log" 2>&1 ||
			die "modules-check failed for $ver (log: build/vm-modules-$ver.log)"
	fi
	[ -f "$ko" ] || die "no $ko"

	# The RAM disk for the O_DIRECT cases: the debug kernel builds it
	# (scripts/debug-kernel.config), scripts/vm-kernel.sh keeps Debian's.
	# Without it those cases fail: /init loads it when it is there.
	# configfs: built in on the debug kernel, a module of Debian's that
	# /init loads before gomem.ko.
	if [ "$debug" = 1 ]; then
		vmlinuz=$kdir/arch/x86/boot/bzImage
		brd=$kdir/drivers/block/brd.ko
		cfs=
	else
		[ $mode != soak ] || die "make soak runs on the debug kernel only, not $ver"
		vmlinuz=$("$root/scripts/vm-kernel.sh" "$ver" "$kdir") || die "no kernel image for $ver"
		brd=${vmlinuz%/boot/*}/modules/brd.ko
		cfs=${vmlinuz%/boot/*}/modules/configfs.ko
		[ -f "$cfs" ] || die "no $cfs (scripts/vm-kernel.sh)"
	fi
	if [ ! -f "$brd" ]; then
		say "note: no $brd: the O_DIRECT cases will fail on $ver"
		brd=
	fi
	if [ $mode != test ]; then
		log=$root/build/vm-$mode-$ver.log
	else
		log=$root/build/vm-$ver.log
	fi
	# The debug kernel runs everything several times slower (KASAN,
	# lockdep, kmemleak under TCG) and needs memory for their metadata.
	if [ "$debug" = 1 ] && [ $mode = test ]; then
		timeout_s=$debug_timeout_s mem=$debug_mem
		case_timeout=$debug_case_timeout
	else
		timeout_s=$base_timeout_s mem=$base_mem
		case_timeout=$base_case_timeout
	fi
	initrd=$root/build/vm-$ver.cpio
	mkdir -p "$root/build"
	make_initramfs "$ver" "$ko" "$initrd" "$brd" "$cfs"

	if [ $mode = demo ]; then
		say "gomem.ko: ${ko#"$root"/} (built against the $ver headers)"
		say "demo programs: $(cd "$demo_dir" && ls | tr '\n' ' ')(static, in ${demo_dir#"$root"/})"
		say "kernel: $vmlinuz (Debian's image, not installed)"
		echo
		say "booting it in QEMU with a busybox initramfs; the VM's console follows"
		say "(what each step shows is explained in its heading)"
	elif [ $mode = bench ]; then
		say "kernel-path benchmark: gomemctl bench --json $bench_args, $bench_runs runs, in the VM"
		say "booting $ver in QEMU (TCG: the CPU is emulated; only ratios in one run mean anything)"
	else
		say "booting $ver in QEMU ($mode mode, TCG, $smp CPUs, ${mem} MiB, at most ${timeout_s}s); console: ${log#"$root"/}"
	fi
	# Show the report of a run not counted, because $1, keep its console
	# as $log.boot1 and boot once more.
	boot_again() {
		say "note: $1; its report follows, the console is kept as ${log#"$root"/}.boot1, and the VM boots once more:" >&2
		grep -a -m 1 -B 5 -A 60 -E "$bad_console_re" "$log" |
			sed 's/^/  | /' >&2 || true
		mv "$log" "$log.boot1"
		rc=0
		boot "$vmlinuz" "$initrd" "$log" || rc=$?
	}
	start=$(date +%s)
	rc=0
	boot "$vmlinuz" "$initrd" "$log" || rc=$?
	# A kernel that crashed before /init printed its first line crashed
	# in its own boot: gomem.ko is in the initramfs, loaded by /init
	# only, so nothing of gomem's had run (CI saw an int3 oops at 2.07 s
	# of Debian's 6.12, when the kernel frees its init text, filled with
	# int3, under TCG).  Such a boot is shown, kept as $log.boot1, and
	# booted once more; a second such crash counts as usual.
	if ! grep -aq "GOMEM-VM kernel " "$log" &&
		grep -aqE "$bad_console_re" "$log"; then
		boot_again "the kernel crashed while booting, before /init ran (not gomem: nothing of it had run)"
	elif [ "$debug" != 1 ] && int3_not_gomem "$log"; then
		# Debian's 6.12 under TCG has also oopsed on an int3 in core
		# scheduler code (ttwu_do_activate, in an IPI on an idle CPU)
		# after /init ran: a jump label's breakpoint the emulated CPU
		# still ran after the text was patched back, QEMU's cross-CPU
		# code-modification race.  With no frame of gomem's in the
		# report, the run is shown, kept as $log.boot1 and made once
		# more; a second such oops counts, as any report naming gomem.
		boot_again "the kernel oopsed on an int3 outside gomem (QEMU TCG's cross-CPU code patching)"
	fi
	secs=$(($(date +%s) - start))

	completed=1
	grep -aq 'GOMEM-VM done' "$log" || completed=0
	# Reports from before /init's first line come from the kernel's own
	# boot, before gomem.ko or any test ran: shown, not counted (a rare
	# early-interrupt KASAN report of the debug kernel, an early oops of
	# TCG); everything from /init on counts, and all of it if /init
	# never printed.
	init_at=$(grep -an "GOMEM-VM kernel " "$log" | head -n 1 | cut -d: -f1 || true)
	boot_bad=
	if [ -n "$init_at" ]; then
		boot_all=$(head -n "$((init_at - 1))" "$log" | grep -aE "$bad_console_re" || true)
		boot_bad=$(head -n 5 <<<"$boot_all")
		# /init's later dmesg dumps ("dmesg| ...") repeat the boot's
		# own report: those lines are the boot's, not counted again.
		bad=$(tail -n +"$init_at" "$log" | grep -aE "$bad_console_re" | grep -av '^GOMEM-CASE' |
			{ if [ -n "$boot_all" ]; then grep -avxF -f <(sed 's/^/dmesg| /' <<<"$boot_all"); else cat; fi; } |
			head -n 20 || true)
	else
		bad=$(grep -aE "$bad_console_re" "$log" | grep -av '^GOMEM-CASE' | head -n 20 || true)
	fi
	[ -z "$boot_bad" ] ||
		say "note: the kernel reported this while booting, before /init ran (not counted; see ${log#"$root"/}): $(head -n 1 <<<"$boot_bad")"

	if [ $mode = demo ]; then
		echo
		if [ "$rc" -ne 0 ] || [ $completed -eq 0 ]; then
			die "the demo VM did not finish (QEMU exit status $rc after ${secs}s; log ${log#"$root"/})"
		fi
		if [ -n "$bad" ]; then
			printf '%s\n' "$bad" >&2
			die "the kernel console shows warnings (log ${log#"$root"/})"
		fi
		grep -aq 'GOMEM-VM demo passed' "$log" ||
			die "the demo failed (log ${log#"$root"/})"
		say "demo finished in ${secs}s (boot, module, programs, power-off); full console in ${log#"$root"/}"
		continue
	fi
	if [ $mode = bench ]; then
		echo
		if [ "$rc" -ne 0 ] || [ $completed -eq 0 ]; then
			die "the bench VM did not finish (QEMU exit status $rc after ${secs}s; log ${log#"$root"/})"
		fi
		if [ -n "$bad" ]; then
			printf '%s\n' "$bad" >&2
			die "the kernel console shows warnings (log ${log#"$root"/})"
		fi
		grep -aq 'GOMEM-VM bench passed' "$log" ||
			die "the bench failed in the VM (log ${log#"$root"/})"
		json=$root/build/vm-bench-$ver.json
		awk '/GOMEM-BENCH-JSON end/ { on = 0 } on && /^\{/ { print }
			/GOMEM-BENCH-JSON begin/ { on = 1 }' "$log" >"$json"
		[ -s "$json" ] || die "no bench results on the console (log ${log#"$root"/})"
		# Part 4's VM half, if the peers program ran.
		awk '/GOMEM-PEERS end/ { on = 0 } on && /^peer/ { print }
			/GOMEM-PEERS begin/ { on = 1 }' "$log" >"$root/build/vm-peers-$ver.txt"
		[ -s "$root/build/vm-peers-$ver.txt" ] || rm -f "$root/build/vm-peers-$ver.txt"
		python3 "$root/bench/kernel_report.py" --kernel "$ver" \
			--params "$bench_params" --args "$bench_args" --seconds "$secs" \
			--out "$root/bench/results/kernel.md" "$json" ||
			die "bench/kernel_report.py failed"
		say "bench VM finished in ${secs}s; wrote bench/results/kernel.md; console in ${log#"$root"/}"
		continue
	fi

	# Per case reported: PASS, or FAIL with the first reason (a FAIL beats
	# a PASS), as "label<TAB>case<TAB>status<TAB>reason".  A case reported
	# more than once (two programs, or one program twice) fails.
	first_label=${cfgs[0]%%:*}
	reported=$(awk -v first="$first_label" '
		match($0, /GOMEM-CASE [^ ]+ (PASS|FAIL)/) {
			s = substr($0, RSTART); split(s, w, " ")
			name = w[2]; st = w[3]
			reason = s; sub(/^GOMEM-CASE [^ ]+ (PASS|FAIL) ?/, "", reason)
			gsub(/\t/, " ", reason)
			label = first
			if ((i = index(name, "@")) > 0) {
				label = substr(name, i + 1); name = substr(name, 1, i - 1)
			}
			k = label "\t" name
			if (!(k in status)) order[++nr] = k
			if (!(k in status) || (status[k] == "PASS" && st == "FAIL")) {
				status[k] = st; why[k] = reason
			}
			times[k]++
		}
		END {
			for (i = 1; i <= nr; i++) {
				k = order[i]
				if (times[k] > 1) {
					why[k] = "reported " times[k] " times" (status[k] == "FAIL" ? "; " why[k] : "")
					status[k] = "FAIL"
				}
				printf "%s\t%s\t%s\n", k, status[k], why[k]
			}
		}
	' "$log")
	if [ $mode = soak ]; then
		expected=$(sh "$root/scripts/vm-init.sh" --list-soak "$soak_s" "$soak_round" |
			sed "s/^/${cfgs[0]%%:*}\t/")
	else
		expected=$(expected_cases "$debug")
	fi
	p=0
	f=0
	add() { # label case status reason
		printf '%s\t%s\t%s\t%s\t%s\n' "$ver" "$1" "$2" "$3" "$4" >>"$results"
		if [ "$3" = PASS ]; then p=$((p + 1)); else f=$((f + 1)); fi
	}
	while IFS=$'\t' read -r label c; do
		[ -n "$c" ] || continue
		line=$(awk -F'\t' -v l="$label" -v c="$c" '$1 == l && $2 == c' <<<"$reported")
		if [ -z "$line" ]; then
			add "$label" "$c" MISSING "no result on the console"
		else
			IFS=$'\t' read -r _ _ st why <<<"$line"
			add "$label" "$c" "$st" "$why"
		fi
	done <<<"$expected"
	# Cases the VM reported that nobody expected.
	while IFS=$'\t' read -r label c st why; do
		[ -n "$c" ] || continue
		grep -qxF "$label"$'\t'"$c" <<<"$expected" && continue
		[ "$st" = PASS ] && st=FAIL why="unexpected case (not in --list)${why:+; $why}"
		add "$label" "$c" "$st" "$why"
	done <<<"$reported"
	# The run as a whole.
	if [ "$rc" -eq 0 ] && [ $completed -eq 1 ]; then
		add "$first_label" vm_ran_to_poweroff PASS ""
	elif { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && [ "$secs" -ge "$timeout_s" ]; then
		add "$first_label" vm_ran_to_poweroff FAIL "timed out after ${timeout_s}s (GOMEM_VM_TIMEOUT), init $([ $completed -eq 1 ] && echo finished || echo 'did not finish')"
	else
		why="QEMU exit status $rc"
		[ "$rc" -le 128 ] || why="$why (killed by signal $((rc - 128)))"
		add "$first_label" vm_ran_to_poweroff FAIL "$why after ${secs}s, init $([ $completed -eq 1 ] && echo finished || echo 'did not finish')"
	fi
	if [ -z "$bad" ]; then
		add "$first_label" console_clean PASS ""
	else
		add "$first_label" console_clean FAIL "$(head -n 1 <<<"$bad")"
		printf '%s\n' "$bad" >&2
		# The first report whole (registers, code, call trace), so
		# that a CI log without the console file still shows where.
		say "the console's first report, in context (${log#"$root"/}):" >&2
		tail -n +"${init_at:-1}" "$log" |
			grep -av '^GOMEM-CASE' |
			grep -a -m 1 -B 5 -A 60 -E "$bad_console_re" |
			sed 's/^/  | /' >&2 || true
	fi
	if [ "$debug" = 1 ] && [ $mode = test ]; then
		# The fuzzer's KCOV coverage of gomem.ko (a report, not a case).
		cov=$root/build/kcov-$ver.txt
		if python3 "$root/scripts/kcov-report.py" "$ko" "$log" >"$cov" 2>&1; then
			say "fuzzer coverage of gomem.ko (${cov#"$root"/}):"
			sed -n '1,/^$/p' "$cov" | sed 's/^/  /'
		else
			say "no KCOV coverage report: $(tail -n 1 "$cov")"
		fi
	fi
	kernels+=("$ver")
	summaries+=("$(printf '  %-26s %3d passed, %d failed; boot and run %ds; console %s' \
		"$ver" "$p" "$f" "$secs" "${log#"$root"/}")")
	grand_pass=$((grand_pass + p))
	grand_fail=$((grand_fail + f))
done

[ $mode = test ] || [ $mode = soak ] || exit 0

# Table: a row per case, a column per kernel and configuration.
echo
say "VM end-to-end results (build/vm-results.tsv)"
awk -F'\t' -v first="${cfgs[0]%%:*}" '
	{
		k = $1; sub(/-amd64$/, "", k); sub(/\+deb[0-9]+$/, "", k)
		col = k "/" $2
		if (!(col in seen)) { seen[col] = 1; cols[++nc] = col }
		if (!($3 in seenr)) { seenr[$3] = 1; rows[++nr] = $3 }
		cell[$3, col] = $4
		if (length($3) > w) w = length($3)
		if ($4 != "PASS") bad[++nb] = sprintf("  %-7s %s %s: %s", $4, col, $3, $5)
	}
	END {
		line = sprintf("  %-*s", w, "case")
		for (j = 1; j <= nc; j++) line = line sprintf("  %-*s", length(cols[j]), cols[j])
		print line
		for (i = 1; i <= nr; i++) {
			line = sprintf("  %-*s", w, rows[i])
			for (j = 1; j <= nc; j++) {
				c = cell[rows[i], cols[j]]; if (c == "") c = "-"
				line = line sprintf("  %-*s", length(cols[j]), c)
			}
			sub(/ +$/, "", line)
			print line
		}
		if (nb) { printf "\n  not passed:\n"; for (i = 1; i <= nb; i++) print bad[i] }
	}' "$results"
echo
printf '%s\n' "${summaries[@]}"
echo "$grand_pass passed, $grand_fail failed"
if [ "$grand_fail" -ne 0 ]; then
	echo "gomem: vm-test FAILED: $grand_fail case(s) failed or missing" >&2
	exit 1
fi
if [ -n "$only" ]; then
	say "partial run (GOMEM_VM_ONLY: $only): not a vm-test pass"
	exit 3
fi
say "vm-test passed on ${#kernels[@]} kernel(s), ${#cfgs[@]} module configuration(s) each"
