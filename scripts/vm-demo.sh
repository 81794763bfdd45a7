# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The "make run" demo, inside the VM: sourced by /init (scripts/vm-init.sh)
# in gomem_mode=demo, which provides step, show, load_module, info and
# GOMEM_PARAMS.  Sets demo_failed=1 when a step goes wrong.
# shellcheck shell=sh disable=SC2034 # demo_failed is read by /init

demo_failed=0
demo_msgs=${GOMEM_DEMO_MESSAGES:-6}

step "1. Load the module: insmod gomem.ko $GOMEM_PARAMS"
if ! load_module; then
	echo "insmod failed"
	demo_failed=1
	return
fi
i=0
while [ ! -c /dev/gomem ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
show ls -l /dev/gomem
echo
echo "Module parameters (/sys/module/gomem/parameters):"
for p in /sys/module/gomem/parameters/*; do
	[ -r "$p" ] && printf '  %-14s %s\n' "${p##*/}" "$(cat "$p")"
done

step "2. The arena before: debugfs statistics and free blocks"
for a in /sys/kernel/debug/gomem/*; do
	show cat "$a/stats"
	show cat "$a/blocks"
done

step "3. Producer | consumer: $demo_msgs messages through the shared arena"
cat <<'EOF'
The producer (a read-write session) allocates one region per message,
writes the message into it through its mmap() of /dev/gomem, and sends the
consumer only "MSG <seq> <offset> <length>" lines through a pipe.  The
consumer (a separate process, a read-only session) maps the same arena
read-only and reads each message in place: the bytes are never copied.
Then the producer frees the tail of a 16 KiB record and keeps its header
(a partial free), and finally recycles everything it holds.
EOF
echo
echo "\$ gomem-producer $demo_msgs | gomem-consumer"
# Only the producer's stdout goes through the pipe; both report on the
# console, a line at a time.
/bin/gomem-producer "$demo_msgs" | /bin/gomem-consumer
rc=$?
if [ $rc -ne 0 ]; then
	echo "the consumer exited $rc"
	demo_failed=1
fi

step "4. Crash-safe hand-off: two consumers keep the frames of a killed producer"
cat <<'EOF'
The producer fills 4 frames of 64 KiB and shares each with one share token
good for two claims (GOMEM_IOC_SHARE); only the 8-byte tokens (and a
checksum) go to the consumers, through two FIFOs. Each consumer, a
read-only session, claims every token (GOMEM_IOC_CLAIM) and so holds every
frame by reference. Then the producer is killed with SIGKILL while it still
owns the frames: they stay, ownerless ("orphans"), for as long as a
consumer holds them. Each consumer checks them in place and releases them;
the last release returns them to the arena. (sessions counts gomemctl's.)
EOF
echo
# One line of "gomemctl stats --json": what hand-off changes.
jv() { echo "$j" | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
hstat() {
	j=$(gomemctl stats --json) || { echo "gomemctl stats failed"; demo_failed=1; return; }
	h_in_use=$(jv in_use) h_sessions=$(jv sessions) h_refs=$(jv refs)
	h_tokens=$(jv tokens) h_orphans=$(jv orphans) h_orphan_bytes=$(jv orphan_bytes)
	printf '  %-27s in_use %7s, sessions %s, refs %s, tokens %s, orphans %s (%s bytes)\n' \
		"$1" "$h_in_use" "$h_sessions" "$h_refs" "$h_tokens" "$h_orphans" "$h_orphan_bytes"
}
hstat "statistics before:"
base="$h_in_use $h_sessions $h_refs $h_tokens $h_orphans $h_orphan_bytes"
rm -f /tmp/to-a /tmp/to-b
mkfifo /tmp/to-a /tmp/to-b
echo "\$ gomem-consumer --claim A </tmp/to-a &  gomem-consumer --claim B </tmp/to-b &"
/bin/gomem-consumer --claim A </tmp/to-a >/tmp/a.log 2>&1 &
ca=$!
/bin/gomem-consumer --claim B </tmp/to-b >/tmp/b.log 2>&1 &
cb=$!
echo "\$ gomem-producer --share 4 /tmp/to-a /tmp/to-b &"
/bin/gomem-producer --share 4 /tmp/to-a /tmp/to-b >/tmp/p.log 2>&1 &
pp=$!
i=0
while ! grep -q 'holding my' /tmp/p.log && kill -0 $pp 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
cat /tmp/p.log
if ! grep -q 'holding my' /tmp/p.log; then
	echo "the producer did not get its frames claimed"
	demo_failed=1
	kill -9 $pp $ca $cb 2>/dev/null
	wait
	return
fi
hstat "every frame claimed twice:"
echo
echo "\$ kill -9 $pp        # the producer, while it owns the 4 frames"
kill -9 $pp
wait $pp
hstat "producer killed:"
show gomemctl map --width 48
for c in A B; do
	if [ $c = A ]; then pid=$ca log=/tmp/a.log; else pid=$cb log=/tmp/b.log; fi
	echo
	echo "\$ kill -USR1 $pid     # consumer $c: check the frames and release them"
	kill -USR1 $pid
	wait $pid
	rc=$?
	cat $log
	if [ $rc -ne 0 ]; then
		echo "consumer $c exited $rc"
		demo_failed=1
	fi
	hstat "consumer $c done:"
done
if [ "$h_in_use $h_sessions $h_refs $h_tokens $h_orphans $h_orphan_bytes" = "$base" ]; then
	echo "back to the statistics before: nothing leaked, nothing freed early"
else
	echo "the statistics did not come back to: $base"
	demo_failed=1
fi

step "5. The arena after: every region came back"
for a in /sys/kernel/debug/gomem/*; do
	show cat "$a/stats"
	show cat "$a/blocks"
done

step "6. Unload: rmmod gomem (no session is open any more)"
if show rmmod gomem; then
	echo "unloaded; /dev/gomem is gone: $(ls /dev/gomem 2>&1)"
else
	demo_failed=1
fi
