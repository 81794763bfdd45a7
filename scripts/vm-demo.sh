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

step "4. The arena after: every region came back"
for a in /sys/kernel/debug/gomem/*; do
	show cat "$a/stats"
	show cat "$a/blocks"
done

step "5. Unload: rmmod gomem (no session is open any more)"
if show rmmod gomem; then
	echo "unloaded; /dev/gomem is gone: $(ls /dev/gomem 2>&1)"
else
	demo_failed=1
fi
