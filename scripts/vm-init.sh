#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# /init of the gomem test VM (busybox sh).  scripts/vm.sh copies it into
# each run's initramfs with busybox, gomem.ko, the static test and demo
# programs, and /etc/gomem-vm.conf (the module parameters and time limits).
#
# The kernel command line selects the mode: gomem_mode=test (default),
# gomem_mode=demo or gomem_mode=bench.  All print to the serial console and end with
# "GOMEM-VM done" and a forced power-off.
#
# test: the module-level cases below, and every case of "gomem-e2e --all",
#   each reported as one line "GOMEM-CASE <name> PASS" or
#   "GOMEM-CASE <name> FAIL <reason>".  A case of "gomem-e2e --list" that
#   reports nothing is reported FAIL here.  GOMEM_CONFIGS lists module
#   configurations "label:parameters;label:parameters...": everything but
#   bad_module_params_refused and arenas_param_made_at_load runs once per configuration, the cases of
#   the second and later ones named "<case>@<label>".
# demo: loads the module and runs the producer and consumer demo with a
#   heading per step.
# bench: loads the module and runs "gomemctl bench --json" GOMEM_BENCH_RUNS
#   times (GOMEM_BENCH_ARGS), the JSON lines between "GOMEM-BENCH-JSON
#   begin" and "GOMEM-BENCH-JSON end" (scripts/vm.sh --bench reads them).
# soak: the system-call fuzzer only (make soak), GOMEM_SOAK_SECONDS in
#   rounds of GOMEM_SOAK_ROUND seconds, the configurations taking turns,
#   every third round with allocation failures injected, the module
#   reloaded and kmemleak read after every round; each round is a case
#   "fuzz_soak_round_N".
#
# On the debug kernel (GOMEM_DEBUG_KERNEL=1), test mode adds the cases of
# --list-debug to every configuration: the fuzzer (fuzz_syscalls), the
# fuzzer with fault injection (fuzz_fault_injection), and a kmemleak scan
# after rmmod (kmemleak_clean); and "gomem-e2e --debug --all", the cases
# that need fault injection.
#
# On the host, "sh scripts/vm-init.sh --list" prints this file's own cases.

# Cases of this file: once per boot, then once per module configuration.
INIT_CASES_ONCE="bad_module_params_refused arenas_param_made_at_load"
INIT_CASES="module_loads_with_params debugfs_stats_and_blocks tracepoints_record_operations compat32_ioctls rmmod_refused_while_open rmmod_refused_while_mapped rmmod_after_close vmalloc_back_to_baseline"

# Debug-kernel cases, once per configuration.
DEBUG_CASES="fuzz_syscalls fuzz_fault_injection kmemleak_clean"

case ${1:-} in
--list-debug)
	for c in $DEBUG_CASES; do echo "$c"; done
	exit 0
	;;
--list-soak)
	# --list-soak SECONDS ROUND: the soak's rounds.
	n=$((($2 + $3 - 1) / $3))
	i=1
	while [ $i -le $n ]; do
		echo "fuzz_soak_round_$i"
		i=$((i + 1))
	done
	exit 0
	;;
--list)
	for c in $INIT_CASES_ONCE $INIT_CASES; do echo "$c"; done
	exit 0
	;;
--list-per-config)
	for c in $INIT_CASES; do echo "$c"; done
	exit 0
	;;
esac

export PATH=/bin:/sbin
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
# gomem.ko needs configfs (named arenas): a module on Debian's kernels.
[ ! -f /configfs.ko ] || insmod /configfs.ko
mount -t configfs configfs /sys/kernel/config

# Defaults; /etc/gomem-vm.conf overrides them.
GOMEM_PARAMS=
GOMEM_CONFIGS="default:"
GOMEM_BAD_PARAMS="policy=bogus;park=33;source=bogus;initial_size=4194304 max_size=1048576;initial_size=lots;arenas=Video;arenas=a,a;arenas=a,,b;arenas=-a;arenas=a234567890123456x;arenas=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q"
GOMEM_E2E_TIMEOUT=900
GOMEM_DEBUG_KERNEL=0
GOMEM_FUZZ_SEED=1
GOMEM_FUZZ_SECONDS=60
GOMEM_SOAK_SECONDS=3600
GOMEM_SOAK_ROUND=300
GOMEM_VM_ONLY=
[ -f /etc/gomem-vm.conf ] && . /etc/gomem-vm.conf

mode="test"
for arg in $(cat /proc/cmdline); do
	case $arg in
	gomem_mode=*) mode=${arg#gomem_mode=} ;;
	esac
done

info() { echo "GOMEM-VM $*"; }
# Case names carry the configuration's suffix (empty for the first).
sfx=
pass() { echo "GOMEM-CASE $1$sfx PASS"; }
fail() {
	c=$1
	shift
	echo "GOMEM-CASE $c$sfx FAIL $*"
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }
loaded() { [ -d /sys/module/gomem ]; }

# A gomem line in the kernel log newer than line $1 of dmesg.
dmesg_lines() { dmesg | wc -l; }
new_gomem_msg() { dmesg | tail -n +$(($1 + 1)) | grep gomem | grep -v taint | tail -n 1; }

# vmalloc areas whose caller no longer resolves to a symbol: allocated by
# a module that is gone.  None exist before gomem is first loaded (nothing
# else is a module here), so any after rmmod are gomem's leaks.
orphan_vmallocs() { awk '$3 ~ /^0x/' /proc/vmallocinfo | wc -l; }
gomem_vmallocs() { grep -c '\[gomem\]' /proc/vmallocinfo; }
# VmallocUsed less the pages of the per-CPU allocator's own vmalloc areas
# (callers pcpu_*: the maps of its chunks).  That allocator keeps an empty
# chunk once it has made a second one (pcpu_balance_free), so the first
# peak of per-CPU memory in a boot, anyone's (a memory cgroup made and
# removed, many processes at once), leaves about 2 MiB of maps behind on
# the debug kernel: seen after the first configuration's arena and cgroup
# cases, never again in that boot.  gomem's own per-CPU memory (the
# fronts) is kmemleak's to check; its chunks are vmalloc areas of its own.
# (4 KiB pages: the VMs are x86-64).
vmalloc_used_kb() {
	awk '/^VmallocUsed:/ { used = $2 }
	     $3 ~ /^pcpu_/ { for (i = 4; i <= NF; i++) if (sub(/^pages=/, "", $i)) p += $i }
	     END { print used - p * 4 }' /proc/meminfo /proc/vmallocinfo
}
# Bytes of vmalloc areas by caller: "BYTES CALLER" lines.
vmalloc_by_caller() {
	awk '{ s[$3] += $2 } END { for (c in s) print s[c], c }' /proc/vmallocinfo
}

finish() {
	echo "GOMEM-VM kernel log follows"
	dmesg | sed 's/^/dmesg| /'
	info "done after $(uptime_s)s"
	sync
	# The debug kernel has no PCI, so ACPI cannot load its tables and the
	# kernel cannot power off (it halts); QEMU runs with -no-reboot, so a
	# reboot ends it just as well.
	if [ "$GOMEM_DEBUG_KERNEL" = 1 ]; then
		reboot -f
	else
		poweroff -f
	fi
	sleep 10
}

show() {
	echo
	echo "\$ $*"
	"$@" 2>&1
}

load_module() {
	# shellcheck disable=SC2086 # the parameters are words
	insmod /gomem.ko $GOMEM_PARAMS
}

# Load with the configured parameters; pass when the device shows up and
# every parameter asked for is readable in sysfs (they are 0444) with the
# value asked for.
case_module_loads_with_params() {
	out=$(load_module 2>&1) || { fail module_loads_with_params "insmod /gomem.ko $GOMEM_PARAMS: $out"; return 1; }
	i=0
	while [ ! -c /dev/gomem ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c /dev/gomem ] || { fail module_loads_with_params "loaded, but no character device /dev/gomem"; return 0; }
	for p in $GOMEM_PARAMS; do
		name=${p%%=*}
		want=${p#*=}
		f=/sys/module/gomem/parameters/$name
		[ -r "$f" ] || { fail module_loads_with_params "parameter $name: no readable $f"; return 0; }
		got=$(cat "$f")
		[ "$got" = "$want" ] || { fail module_loads_with_params "parameter $name is '$got', asked for '$want'"; return 0; }
	done
	pass module_loads_with_params
}

case_bad_module_params_refused() {
	bad=
	ifs=$IFS
	IFS=';'
	# shellcheck disable=SC2086 # split at the semicolons
	set -- $GOMEM_BAD_PARAMS
	IFS=$ifs
	for params in "$@"; do
		before=$(dmesg_lines)
		# shellcheck disable=SC2086
		if insmod /gomem.ko $params >/tmp/insmod.out 2>&1; then
			bad="$bad; '$params' loaded"
			rmmod gomem
		elif loaded; then
			bad="$bad; '$params' refused but /sys/module/gomem exists"
		elif [ -e /sys/kernel/config/gomem ] || ls /dev/gomem* >/dev/null 2>&1; then
			bad="$bad; '$params' refused but left $(ls -d /sys/kernel/config/gomem /dev/gomem* 2>/dev/null | tr '\n' ' ')"
		else
			msg=$(new_gomem_msg "$before")
			if [ -z "$msg" ]; then
				bad="$bad; '$params' refused without a gomem message in the kernel log"
			else
				info "refused '$params': $msg"
			fi
		fi
	done
	if [ -n "$bad" ]; then
		fail bad_module_params_refused "${bad#; }"
	else
		pass bad_module_params_refused
	fi
}

# gomem.ko arenas=NAME,NAME makes those named arenas at load, enabled:
# /dev/gomem-NAME opens, configfs gomem/NAME shows the device's geometry
# and reconfigures as a mkdir'ed one does (enable 0 takes the node away,
# attributes change, enable 1 brings it back), rmdir is refused and
# nothing is left after rmmod.
case_arenas_param_made_at_load() {
	c=arenas_param_made_at_load
	cfs=/sys/kernel/config/gomem
	! loaded || rmmod gomem
	if ! insmod /gomem.ko arenas=vid,tele_1 >/tmp/insmod.out 2>&1; then
		fail $c "insmod arenas=vid,tele_1: $(cat /tmp/insmod.out)"
		return
	fi
	why=
	for n in vid tele_1; do
		[ -c /dev/gomem-$n ] || why="$why; no /dev/gomem-$n"
		[ "$(cat $cfs/$n/enable 2>&1)" = 1 ] || why="$why; $cfs/$n/enable is not 1"
		[ "$(cat $cfs/$n/max_size 2>&1)" = "$(cat /sys/module/gomem/parameters/max_size)" ] ||
			why="$why; $cfs/$n/max_size is not the device's"
		grep -q "^named-$n named " /sys/kernel/debug/gomem/arenas ||
			why="$why; named-$n not in debugfs gomem/arenas"
	done
	/bin/gomemctl --dev /dev/gomem-vid info >/tmp/ctl.out 2>&1 ||
		why="$why; gomemctl info on /dev/gomem-vid: $(head -n 1 /tmp/ctl.out)"
	if rmdir $cfs/vid 2>/dev/null; then
		why="$why; rmdir $cfs/vid succeeded"
	elif [ ! -d $cfs/vid ] || [ ! -c /dev/gomem-vid ]; then
		why="$why; a refused rmdir took $cfs/vid or its node away"
	fi
	! mkdir $cfs/vid 2>/dev/null || why="$why; mkdir $cfs/vid succeeded"
	echo avl >$cfs/vid/policy 2>/dev/null && why="$why; policy written while enabled"
	echo 0 >$cfs/vid/enable
	[ ! -e /dev/gomem-vid ] || why="$why; enable 0 left /dev/gomem-vid"
	echo avl >$cfs/vid/policy || why="$why; policy refused while disabled"
	echo 1 >$cfs/vid/enable || why="$why; enable 1 again refused"
	[ -c /dev/gomem-vid ] || why="$why; no /dev/gomem-vid after enable 1"
	[ "$(cat $cfs/vid/policy)" = avl ] || why="$why; policy is not avl"
	# An arena of mkdir's beside them comes and goes as before.
	if mkdir $cfs/more && echo 1 >$cfs/more/enable && [ -c /dev/gomem-more ]; then
		echo 0 >$cfs/more/enable
		rmdir $cfs/more || why="$why; rmdir $cfs/more refused"
	else
		why="$why; mkdir $cfs/more and enable failed"
	fi
	if ! rmmod gomem; then
		why="$why; rmmod refused"
	elif [ -e $cfs ] || ls /dev/gomem* >/dev/null 2>&1; then
		why="$why; left after rmmod: $(ls -d $cfs /dev/gomem* 2>/dev/null | tr '\n' ' ')"
	fi
	if [ -n "$why" ]; then
		fail $c "${why#; }"
	else
		pass $c
	fi
}

case_debugfs_stats_and_blocks() {
	d=/sys/kernel/debug/gomem
	n=0
	for a in "$d"/*; do
		[ -d "$a" ] || continue
		n=$((n + 1))
		for f in stats blocks; do
			if [ ! -r "$a/$f" ]; then
				fail debugfs_stats_and_blocks "no $a/$f"
				return
			fi
			if ! cat "$a/$f" >/tmp/debugfs.out 2>&1 || [ ! -s /tmp/debugfs.out ]; then
				fail debugfs_stats_and_blocks "$a/$f unreadable or empty"
				return
			fi
		done
	done
	if [ $n -eq 0 ]; then
		fail debugfs_stats_and_blocks "no arena directory under $d"
	else
		pass debugfs_stats_and_blocks
	fi
}

# Enable events/gomem, run two e2e cases (one allocates, writes and frees;
# one grows, frees and trims), and expect each of the five events in the
# trace, naming the device's arena.
case_tracepoints_record_operations() {
	t=/sys/kernel/tracing
	[ -d "$t/events" ] || mount -t tracefs tracefs "$t" 2>/dev/null
	if [ ! -d "$t/events/gomem" ]; then
		fail tracepoints_record_operations "no $t/events/gomem"
		return
	fi
	echo >"$t/trace"
	echo 1 >"$t/events/gomem/enable"
	/bin/gomem-e2e alloc_write_read_via_mmap trim_zaps_released_chunk_sigbus \
		>/tmp/trace-ops.out 2>&1
	echo 0 >"$t/events/gomem/enable"
	missing=
	for e in gomem_alloc gomem_free gomem_grow gomem_trim gomem_session_release; do
		grep -q " $e: arena=default " "$t/trace" || missing="$missing $e"
	done
	info "trace: $(grep -c ' gomem_' "$t/trace") gomem events"
	if [ -n "$missing" ]; then
		fail tracepoints_record_operations "no event:$missing"
	else
		pass tracepoints_record_operations
	fi
}

# run_e2e [PROGRAM [OPTION]]: every case of a test program (default
# gomem-e2e; "gomem-e2e --debug": its debug-kernel cases).
run_e2e() {
	prog=${1:-gomem-e2e}
	opt=${2:-}
	# shellcheck disable=SC2086 # no option is no word
	if ! /bin/$prog $opt --list >/tmp/e2e.list 2>/tmp/e2e.err; then
		info "$prog --list failed: $(cat /tmp/e2e.err)"
	fi
	if [ -n "$GOMEM_VM_ONLY" ]; then
		# A development run: only the cases named (scripts/vm.sh).
		echo "$GOMEM_VM_ONLY" | tr ' ' '\n' | grep -xF -f /tmp/e2e.list >/tmp/e2e.only || true
		mv /tmp/e2e.only /tmp/e2e.list
		[ -s /tmp/e2e.list ] || return 0
	fi
	info "$prog${opt:+ $opt}: $(wc -l </tmp/e2e.list) cases, at most ${GOMEM_E2E_TIMEOUT}s"
	start=$(uptime_s)
	# shellcheck disable=SC2086
	if [ -n "$GOMEM_VM_ONLY" ]; then
		# shellcheck disable=SC2046 # one word per case
		timeout -s KILL "$GOMEM_E2E_TIMEOUT" /bin/$prog $opt $(cat /tmp/e2e.list) >/tmp/e2e.out 2>&1
	else
		timeout -s KILL "$GOMEM_E2E_TIMEOUT" /bin/$prog $opt --all >/tmp/e2e.out 2>&1
	fi
	rc=$?
	# After the run: a test program writing while the kernel does would
	# mix lines on the console.
	sed "s/^GOMEM-CASE \([^ ]*\)/GOMEM-CASE \1$sfx/" /tmp/e2e.out
	info "$prog${opt:+ $opt} --all exited $rc after $(awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { print b - a }')s"
	while read -r c; do
		[ -n "$c" ] || continue
		grep -Eq "^GOMEM-CASE $c (PASS|FAIL)" /tmp/e2e.out ||
			fail "$c" "no result from $prog${opt:+ $opt} --all (exit status $rc)"
	done </tmp/e2e.list
}

# rmmod_refused [CASE]: rmmod must fail because the module is in use: the
# kernel's delete_module() says EWOULDBLOCK ("Resource temporarily
# unavailable" from busybox; kmod's rmmod says "in use"), with exactly one
# reference (one open file of /dev/gomem) and the module still there.
rmmod_refused() {
	refs=$(cat /sys/module/gomem/refcnt 2>/dev/null)
	if [ "$refs" != 1 ]; then
		fail "$1" "module reference count '$refs' before rmmod, want 1 (one open file)"
	elif out=$(rmmod gomem 2>&1); then
		fail "$1" "rmmod succeeded while /dev/gomem was in use"
	elif ! loaded; then
		fail "$1" "rmmod failed ($out) but the module is gone"
	elif ! echo "$out" | grep -Eq 'Resource temporarily unavailable|in use|busy'; then
		fail "$1" "rmmod refused for another reason than use: $out"
	else
		info "$1: rmmod said: $out"
		return 0
	fi
	return 1
}

# wait_for FILE TEXT PID: until FILE has TEXT (10 s at most, or PID gone).
wait_for() {
	i=0
	while ! grep -q "$2" "$1" && [ $i -lt 100 ]; do
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$2" "$1"
}

holder=
case_rmmod_refused_while_open() {
	/bin/gomem-e2e --hold >/tmp/hold.out 2>&1 &
	holder=$!
	i=0
	while ! grep -q GOMEM-HOLDING /tmp/hold.out && [ $i -lt 100 ]; do
		kill -0 "$holder" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	if ! grep -q GOMEM-HOLDING /tmp/hold.out; then
		fail rmmod_refused_while_open "gomem-e2e --hold did not hold the device: $(tr '\n' ' ' </tmp/hold.out)"
		return
	fi
	rmmod_refused rmmod_refused_while_open && pass rmmod_refused_while_open
}

# A mapping outlives its fd: "gomem-e2e --hold-mapped" allocates, maps,
# closes the fd and holds the mapping; rmmod stays refused until it
# unmaps (on SIGUSR1), after which the module has no reference left
# while that process still lives.  The --hold holder goes first.
case_rmmod_refused_while_mapped() {
	c=rmmod_refused_while_mapped
	if [ -n "$holder" ]; then
		kill -KILL "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
	fi
	/bin/gomem-e2e --hold-mapped >/tmp/holdmap.out 2>&1 &
	holder=$!
	if ! wait_for /tmp/holdmap.out GOMEM-HOLDING "$holder"; then
		fail "$c" "gomem-e2e --hold-mapped did not hold a mapping: $(tr '\n' ' ' </tmp/holdmap.out)"
		return
	fi
	for f in /proc/"$holder"/fd/*; do
		if [ "$(readlink "$f")" = /dev/gomem ]; then
			fail "$c" "the holder still has /dev/gomem open ($f)"
			return
		fi
	done
	if ! grep -q /dev/gomem /proc/"$holder"/maps; then
		fail "$c" "the holder has no mapping of /dev/gomem"
		return
	fi
	rmmod_refused "$c" || return
	kill -USR1 "$holder"
	if ! wait_for /tmp/holdmap.out GOMEM-UNMAPPED "$holder"; then
		fail "$c" "the holder did not unmap: $(tr '\n' ' ' </tmp/holdmap.out)"
		return
	fi
	refs=$(cat /sys/module/gomem/refcnt 2>/dev/null)
	if ! kill -0 "$holder" 2>/dev/null; then
		fail "$c" "the holder exited after unmapping: $(tr '\n' ' ' </tmp/holdmap.out)"
	elif [ "$refs" != 0 ]; then
		fail "$c" "after munmap the module still has $refs reference(s)"
	else
		pass "$c"
	fi
}

# 32-bit callers (compat_ptr_ioctl): the static i386 build of gomem-e2e
# runs the cases below, compat32_matches_native among them (INFO, ALLOC,
# FREE, batches and STATS compared with the 64-bit program's), and the
# hand-off commands' round trip, batch and struct sizes.
COMPAT32_CASES="compat32_matches_native info_reports_geometry alloc_write_read_via_mmap partial_free_head_middle_tail batch_alloc_and_free batch_writes_back_only_results recycle_frees_session_regions stats_consistent_sessions bad_pointer_efault larger_struct_nonzero_tail_e2big smaller_struct_accepted share_claim_release_roundtrip release_batch_per_entry_results handoff_struct_sizes share_claim_batch_per_entry_results share_claim_batch_bad_input_unchanged"
case_compat32_ioctls() {
	c=compat32_ioctls
	p=/bin/gomem-e2e32
	if [ ! -x "$p" ]; then
		fail "$c" "no $p in the initramfs"
		return
	fi
	# ELF class (byte 5): 1 for 32-bit.
	class=$(head -c 5 "$p" | tail -c 1 | od -An -tx1 | tr -d ' ')
	if [ "$class" != 01 ]; then
		fail "$c" "$p is not a 32-bit ELF program (class $class)"
		return
	fi
	# shellcheck disable=SC2086 # the case names are words
	"$p" $COMPAT32_CASES >/tmp/compat32.out 2>&1
	rc=$?
	# Not as GOMEM-CASE lines: they are this case's, not cases of their own.
	sed 's/^GOMEM-CASE /compat32: /; t; s/^/compat32| /' /tmp/compat32.out
	# shellcheck disable=SC2086 # the case names are words
	n=$(echo $COMPAT32_CASES | wc -w)
	if [ $rc -ne 0 ] || ! grep -q "^$n passed, 0 failed" /tmp/compat32.out; then
		fail "$c" "exit status $rc: $(grep -E '^GOMEM-CASE .* FAIL|passed, ' /tmp/compat32.out | tr '\n' ' ')"
	else
		pass "$c"
	fi
}

case_rmmod_after_close() {
	if [ -n "$holder" ]; then
		kill -KILL "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
	fi
	if ! loaded; then
		fail rmmod_after_close "module already gone"
		return
	fi
	# The holder's last fput runs as it exits, before wait returns; allow
	# a moment all the same.
	i=0
	until out=$(rmmod gomem 2>&1); do
		i=$((i + 1))
		[ $i -lt 20 ] || break
		sleep 0.1
	done
	if loaded; then
		fail rmmod_after_close "rmmod gomem after close: $out"
	elif [ -c /dev/gomem ]; then
		fail rmmod_after_close "module gone but /dev/gomem remains"
	else
		pass rmmod_after_close
	fi
}

# Every vmalloc area gomem made is gone after rmmod: no area with an
# unresolvable caller is left, and VmallocUsed is back to its baseline give
# or take what the kernel itself uses for stacks and caches.
VMALLOC_SLACK_KB=${GOMEM_VMALLOC_SLACK_KB:-512}
case_vmalloc_back_to_baseline() {
	orphans=$(orphan_vmallocs)
	used=$(vmalloc_used_kb)
	info "vmalloc after rmmod: VmallocUsed but the per-CPU allocator's ${used} kB (baseline ${base_used} kB), unresolved areas $orphans (baseline $base_orphans)"
	if loaded; then
		fail vmalloc_back_to_baseline "module still loaded"
	elif [ "$orphans" -gt "$base_orphans" ]; then
		fail vmalloc_back_to_baseline "$((orphans - base_orphans)) vmalloc areas of the unloaded module remain: $(awk '$3 ~ /^0x/' /proc/vmallocinfo | head -n 3 | tr '\n' ' ')"
	elif [ "$used" -gt $((base_used + VMALLOC_SLACK_KB)) ]; then
		# Who holds the difference: bytes by caller, against the
		# baseline's (/proc/vmallocinfo), for whoever reads the log.
		vmalloc_by_caller >/tmp/vmalloc.now
		awk 'NR == FNR { b[$2] = $1; next }
		     $1 > b[$2] { printf "GOMEM-VM vmalloc grew: %s +%d bytes\n", $2, $1 - b[$2] }' \
			/tmp/vmalloc.base /tmp/vmalloc.now | head -n 10
		fail vmalloc_back_to_baseline "VmallocUsed but the per-CPU allocator's ${used} kB, baseline ${base_used} kB (+${VMALLOC_SLACK_KB} kB allowed)"
	else
		pass vmalloc_back_to_baseline
	fi
}

# ---- the debug kernel: fuzzer, fault injection, kmemleak ----

KMEMLEAK=/sys/kernel/debug/kmemleak

# Fault injection (failslab, fail_page_alloc) for the tasks that ask for it
# (make-it-fail, and fail-nth which needs no probability): GFP_KERNEL
# allocations included (ignore-gfp-wait N), order 0 pages included, user
# pages not (ignore-gfp-highmem Y: a failed fault would only be retried),
# no console message, and only allocations with gomem.ko's code on the
# stack (the stack trace filter: from its lowest text section to the end
# of the module area, where no other module is loaded).  The kernel's own
# paths (fork, mmap) are not what is under test, and some of them warn
# when they fail.  $1: probability in percent (0: fail-nth only).
gomem_text_start() {
	for f in /sys/module/gomem/sections/.text*; do
		[ -r "$f" ] && cat "$f"
	done | sort | head -n 1
}
fault_injection() {
	start=0x0
	end=0x0
	if [ "$1" != 0 ] || loaded; then
		start=$(gomem_text_start)
		end=0xffffffffff000000
		[ -n "$start" ] || { info "no text section of gomem in sysfs"; return 1; }
	fi
	for f in failslab fail_page_alloc; do
		d=/sys/kernel/debug/$f
		[ -d "$d" ] || { info "no $d"; return 1; }
		echo "$start" >"$d/require-start"
		echo "$end" >"$d/require-end"
		echo 0 >"$d/verbose"
		echo N >"$d/ignore-gfp-wait"
		echo Y >"$d/task-filter"
		echo -1 >"$d/times"
		echo 0 >"$d/space"
		echo 1 >"$d/interval"
		echo "$1" >"$d/probability"
	done
	echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
	echo Y >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
}

# Kmemleak reports an object only once it is 5 s old and a scan found no
# reference to it: wait that long, then scan twice (a pointer left in a
# register or on a stack is gone by the second).
kmemleak_scan() {
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
}

# What the kernel itself left unreferenced while booting is not gomem's:
# reported and cleared before gomem is first loaded.
kmemleak_baseline() {
	[ -w "$KMEMLEAK" ] || { info "no $KMEMLEAK"; return; }
	kmemleak_scan
	n=$(grep -c '^unreferenced object' "$KMEMLEAK")
	info "kmemleak before gomem: $n object(s) of the boot, cleared"
	echo clear >"$KMEMLEAK"
}

# After rmmod: any unreferenced object is a leak of the configuration just
# unloaded (the report is printed, then cleared for the next one).
case_kmemleak_clean() {
	c=kmemleak_clean
	if [ ! -w "$KMEMLEAK" ]; then
		fail "$c" "no $KMEMLEAK (kernel without CONFIG_DEBUG_KMEMLEAK, or kmemleak off)"
		return
	fi
	if loaded; then
		fail "$c" "gomem is still loaded"
		return
	fi
	kmemleak_scan
	if ! cat "$KMEMLEAK" >/tmp/kmemleak.out 2>/tmp/kmemleak.err; then
		fail "$c" "cannot read $KMEMLEAK (kmemleak disabled itself?): $(cat /tmp/kmemleak.err)"
		return
	fi
	n=$(grep -c '^unreferenced object' /tmp/kmemleak.out)
	if [ "$n" -ne 0 ]; then
		sed 's/^/kmemleak| /' /tmp/kmemleak.out | head -n 200
		fail "$c" "$n unreferenced object(s) after rmmod: $(grep -m 1 -A 12 '^unreferenced object' /tmp/kmemleak.out | grep -m 3 -E '\[<|^ *[a-z_]+\+0x' | tr -s ' \n' ' ')"
	else
		pass "$c"
	fi
	echo clear >"$KMEMLEAK"
}

# Kernel reports a fuzzer run fails on (scripts/vm.sh's console check, less
# what the kernel never prints to its log).
KERNEL_REPORT_RE='BUG:|WARNING:|Oops|KASAN|KFENCE|UBSAN|general protection|Call Trace|refcount_t|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|INFO: task .* blocked'

# Test mode records the fuzzer's KCOV coverage of gomem.ko (kcov.c).
fuzz_kcov=0

# run_fuzz CASE SEED SECONDS [ARGS...]: one run of gomem-fuzz, its summary
# on the console (not its per-call table), PASS when it says PASS and
# exits 0.  A failure names the seed.
run_fuzz() {
	c=$1 seed=$2 secs=$3
	shift 3
	if [ ! -x /bin/gomem-fuzz ]; then
		fail "$c" "no /bin/gomem-fuzz in the initramfs"
		return 1
	fi
	info "$c: gomem-fuzz --seed $seed --seconds $secs $*"
	before=$(dmesg_lines)
	GOMEM_FUZZ_KCOV=$fuzz_kcov timeout -s KILL $((secs * 3 + 120)) /bin/gomem-fuzz --seed "$seed" --seconds "$secs" "$@" \
		>/tmp/fuzz.out 2>&1
	rc=$?
	grep -v '^gomem-fuzz: errno ' /tmp/fuzz.out | sed 's/^/fuzz| /' | tail -n 60
	# The per-call results, for the coverage table (vm.sh reads them).
	grep '^gomem-fuzz: errno ' /tmp/fuzz.out | sed "s/^gomem-fuzz: /GOMEM-FUZZ $c$sfx /"
	grep '^GOMEM-KCOV ' /tmp/fuzz.out
	# What the kernel reported meanwhile (vm.sh's console check sees it
	# too; here it is pinned on this run and its seed).
	report=$(dmesg | tail -n +$((before + 1)) | grep -E "$KERNEL_REPORT_RE" | head -n 1)
	if [ $rc -eq 0 ] && grep -q '^gomem-fuzz: PASS' /tmp/fuzz.out && [ -z "$report" ]; then
		pass "$c"
		return 0
	fi
	why=$(grep -m 1 'FAIL' /tmp/fuzz.out)
	[ -z "$report" ] || why="the kernel reported: $report${why:+; $why}"
	fail "$c" "exit status $rc, seed $seed (gomem-fuzz --seed $seed --seconds $secs $*; GOMEM_FUZZ_SEED=$seed): ${why:-no PASS line}"
	return 1
}

case_fuzz_syscalls() {
	run_fuzz fuzz_syscalls "$GOMEM_FUZZ_SEED" "$GOMEM_FUZZ_SECONDS"
}

# The fuzzer again with its workers' allocations failing: at random
# (make-it-fail, 5 %) and systematically (fail-nth on a fifth of its
# calls).  The checks at its end run in its parent, which fails nothing.
case_fuzz_fault_injection() {
	if ! fault_injection 5; then
		fail fuzz_fault_injection "no fault injection in debugfs"
		return
	fi
	run_fuzz fuzz_fault_injection "$GOMEM_FUZZ_SEED" "$GOMEM_FUZZ_SECONDS" \
		--make-it-fail --fail-nth 20
	fault_injection 0
}

# One module configuration: load with $GOMEM_PARAMS, run everything,
# unload.
test_config() {
	base_used=$(vmalloc_used_kb)
	vmalloc_by_caller >/tmp/vmalloc.base
	info "vmalloc baseline: VmallocUsed but the per-CPU allocator's ${base_used} kB, unresolved areas $(orphan_vmallocs)"
	holder=
	if ! case_module_loads_with_params; then
		# Nothing else can run; say so for every case.
		dbg=
		[ "$GOMEM_DEBUG_KERNEL" != 1 ] || dbg="$DEBUG_CASES $(/bin/gomem-e2e --debug --list 2>/dev/null)"
		for c in debugfs_stats_and_blocks tracepoints_record_operations compat32_ioctls rmmod_refused_while_open rmmod_refused_while_mapped rmmod_after_close vmalloc_back_to_baseline $dbg $(/bin/gomem-e2e --list 2>/dev/null) $(/bin/libgomem-test --list 2>/dev/null); do
			fail "$c" "the module did not load"
		done
		return
	fi
	info "module loaded: $(grep gomem /proc/modules)"
	# fail-nth and the fuzzer's fault injection aim at this load's code.
	[ "$GOMEM_DEBUG_KERNEL" != 1 ] || fault_injection 0 ||
		info "fault injection unavailable"
	for f in /sys/kernel/debug/gomem/*/stats; do
		[ -r "$f" ] && info "$f: $(tr '\n' ' ' <"$f")"
	done
	if [ -n "$GOMEM_VM_ONLY" ]; then
		run_e2e
		[ ! -x /bin/libgomem-test ] || run_e2e libgomem-test
		[ "$GOMEM_DEBUG_KERNEL" != 1 ] || run_e2e gomem-e2e --debug
		# The 32-bit build's cases, when named.
		case " $GOMEM_VM_ONLY " in
		*" compat32_ioctls "*) case_compat32_ioctls ;;
		esac
		# The fuzzer's cases too, when named (debug kernel only).
		if [ "$GOMEM_DEBUG_KERNEL" = 1 ]; then
			for c in fuzz_syscalls fuzz_fault_injection; do
				case " $GOMEM_VM_ONLY " in
				*" $c "*) "case_$c" ;;
				esac
			done
		fi
		return
	fi
	case_debugfs_stats_and_blocks
	case_tracepoints_record_operations
	run_e2e
	[ ! -x /bin/libgomem-test ] || run_e2e libgomem-test
	[ "$GOMEM_DEBUG_KERNEL" != 1 ] || run_e2e gomem-e2e --debug
	case_compat32_ioctls
	if [ "$GOMEM_DEBUG_KERNEL" = 1 ]; then
		case_fuzz_syscalls
		case_fuzz_fault_injection
	fi
	info "vmalloc with the module loaded: VmallocUsed but the per-CPU allocator's $(vmalloc_used_kb) kB, $(gomem_vmallocs) areas of gomem"
	case_rmmod_refused_while_open
	case_rmmod_refused_while_mapped
	case_rmmod_after_close
	case_vmalloc_back_to_baseline
	[ "$GOMEM_DEBUG_KERNEL" != 1 ] || case_kmemleak_clean
}

# What the zero-copy cases and the fuzzer's O_DIRECT need: one 16 MiB RAM
# disk, /dev/ram0 (they fail without it), and loopback up (MSG_ZEROCOPY).
zero_copy_setup() {
	if [ -f /brd.ko ]; then
		insmod /brd.ko rd_nr=1 rd_size=16384 ||
			info "cannot load brd.ko: no /dev/ram0"
	fi
	[ ! -d /sys/class/net/lo ] || ip link set lo up ||
		info "cannot bring up lo"
}

test_mode() {
	zero_copy_setup
	# Taken before gomem is first loaded, failed loads included.
	base_orphans=$(orphan_vmallocs)
	if [ "$GOMEM_DEBUG_KERNEL" = 1 ]; then
		fuzz_kcov=1
		kmemleak_baseline
		fault_injection 0 || info "fault injection unavailable"
	fi
	if [ -z "$GOMEM_VM_ONLY" ]; then
		case_bad_module_params_refused
		case_arenas_param_made_at_load
	fi
	if loaded; then
		rmmod gomem
	fi
	first=1
	ifs=$IFS
	IFS=';'
	# shellcheck disable=SC2086 # split at the semicolons
	set -- $GOMEM_CONFIGS
	IFS=$ifs
	for cfg in "$@"; do
		label=${cfg%%:*}
		GOMEM_PARAMS=${cfg#*:}
		if [ $first -eq 1 ]; then
			sfx=
		else
			sfx=@$label
		fi
		first=0
		info "configuration $label: insmod gomem.ko $GOMEM_PARAMS"
		test_config
		if loaded; then
			rmmod gomem || info "cannot unload gomem: later configurations cannot load"
		fi
	done
}

step() {
	echo
	echo "=================================================================="
	echo "== $*"
	echo "=================================================================="
}

demo_mode() {
	demo_failed=1
	if [ -f /bin/gomem-demo.sh ]; then
		. /bin/gomem-demo.sh
	else
		echo "no demo script in the initramfs"
	fi
	echo
	if [ "$demo_failed" -eq 0 ]; then
		info "demo passed"
	else
		info "demo FAILED"
	fi
}

# make soak: rounds of the fuzzer, configurations in turn, every third
# round with fault injection; the module is loaded for each round and
# unloaded after it, then kmemleak is read.  A round passes when the
# fuzzer passed, the module unloaded and kmemleak found nothing.
soak_mode() {
	zero_copy_setup
	kmemleak_baseline
	fault_injection 0 || info "fault injection unavailable"
	base_orphans=$(orphan_vmallocs)
	n=$(((GOMEM_SOAK_SECONDS + GOMEM_SOAK_ROUND - 1) / GOMEM_SOAK_ROUND))
	left=$GOMEM_SOAK_SECONDS
	ifs=$IFS
	IFS=';'
	# shellcheck disable=SC2086 # split at the semicolons
	set -- $GOMEM_CONFIGS
	IFS=$ifs
	ncfg=$#
	i=1
	while [ $i -le $n ]; do
		secs=$GOMEM_SOAK_ROUND
		[ "$left" -ge "$secs" ] || secs=$left
		left=$((left - secs))
		# shellcheck disable=SC2046 # the i-th configuration
		cfg=$(eval echo "\"\${$(((i - 1) % ncfg + 1))}\"")
		label=${cfg%%:*}
		GOMEM_PARAMS=${cfg#*:}
		seed=$((GOMEM_FUZZ_SEED + i - 1))
		# Not $c: run_fuzz, pass and fail set c.
		round=fuzz_soak_round_$i
		info "$round: configuration $label, seed $seed, $secs s"
		if ! out=$(load_module 2>&1); then
			fail "$round" "insmod gomem.ko $GOMEM_PARAMS: $out"
			i=$((i + 1))
			continue
		fi
		ok=1
		if [ $((i % 3)) -eq 0 ]; then
			fault_injection 5
			run_fuzz "$round.fuzz" "$seed" "$secs" --make-it-fail --fail-nth 20 >/tmp/round.out || ok=0
			fault_injection 0
		else
			run_fuzz "$round.fuzz" "$seed" "$secs" >/tmp/round.out || ok=0
		fi
		grep -v '^GOMEM-CASE\|^GOMEM-FUZZ\|^GOMEM-KCOV' /tmp/round.out
		why=$(sed -n 's/^GOMEM-CASE [^ ]* FAIL //p' /tmp/round.out)
		if ! rmmod gomem; then
			ok=0
			why="${why:+$why; }rmmod failed"
		fi
		kmemleak_scan
		leaks=$(grep -c '^unreferenced object' "$KMEMLEAK")
		if [ "$leaks" -ne 0 ]; then
			ok=0
			sed 's/^/kmemleak| /' "$KMEMLEAK" | head -n 100
			why="${why:+$why; }kmemleak: $leaks unreferenced object(s)"
			echo clear >"$KMEMLEAK"
		fi
		if [ "$(orphan_vmallocs)" -gt "$base_orphans" ]; then
			ok=0
			why="${why:+$why; }vmalloc areas of the unloaded module remain"
		fi
		if [ $ok -eq 1 ]; then
			pass "$round"
		else
			fail "$round" "configuration $label: $why"
		fi
		i=$((i + 1))
	done
	info "soak finished"
}

bench_mode() {
	bench_failed=1
	info "bench: insmod gomem.ko $GOMEM_PARAMS"
	if load_module; then
		i=0
		while [ ! -c /dev/gomem ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		bench_failed=0
		echo "GOMEM-BENCH-JSON begin"
		r=1
		while [ $r -le "${GOMEM_BENCH_RUNS:-3}" ]; do
			# shellcheck disable=SC2086 # the arguments are words
			/bin/gomemctl bench --json ${GOMEM_BENCH_ARGS:-} || bench_failed=1
			r=$((r + 1))
		done
		echo "GOMEM-BENCH-JSON end"
		# make bench, part 4: the peers, in the same boot.
		if [ -x /bin/gomem-peers ]; then
			# Boost.Interprocess keeps its segment in /dev/shm.
			mkdir -p /dev/shm
			mount -t tmpfs tmpfs /dev/shm 2>/dev/null || true
			echo "GOMEM-PEERS begin"
			/bin/gomem-peers --cycles "${GOMEM_PEERS_CYCLES:-4000}" || bench_failed=1
			# iceoryx's rows (gomem-iox starts iox-roudi); a
			# failure here is reported, not the bench's.
			if [ -x /bin/gomem-iox ] && [ -x /bin/iox-roudi ]; then
				mkdir -p /tmp
				timeout -s KILL 600 /bin/gomem-iox --cycles "${GOMEM_PEERS_CYCLES:-4000}" \
					--roudi /bin/iox-roudi --config /etc/iceoryx-roudi.toml ||
					echo "peer-note iceoryx failed in the VM (exit status $?)"
			fi
			echo "GOMEM-PEERS end"
		fi
		rmmod gomem || bench_failed=1
	fi
	if [ "$bench_failed" -eq 0 ]; then
		info "bench passed"
	else
		info "bench FAILED"
	fi
}

info "kernel $(uname -r), mode $mode, $(grep -c ^processor /proc/cpuinfo) CPUs, booted in $(uptime_s)s"
case $mode in
test) test_mode ;;
demo) demo_mode ;;
bench) bench_mode ;;
soak) soak_mode ;;
*) info "unknown gomem_mode=$mode" ;;
esac
finish
