#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""make bench, part 4: results/peers.md (and a plot) from gomem-peers' lines.

peers_report.py --native NATIVE.txt [--plot OUT.svg] [VM.txt ...]: each file
holds the lines of gomem-peers and gomem-iox:
  "peer ROW SIZE NS UNITS SYSCALLS"          buffer cycle
  "peer-handoff ROW SIZE NS UNITS SYSCALLS"  hand-off (SYSCALLS -1: not
                                             counted by construction)
  "peer-fault ROW PROCS NS-PER-FAULT SCALING"
  "peer-strace ROW SIZE CALLS"               native, strace -f -c
  "peer-info KEY VALUE ..." and "peer-note TEXT"
VM files are named vm-peers-KERNEL.txt by scripts/vm.sh --bench.
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess

CYCLE_ROWS = [
    ("gomem-cached", "gomem, libgomem's region cache (cache hit)"),
    ("gomem-cached-nozero", "gomem, region cache hit, NOZERO"),
    ("gomem-raw", "gomem ALLOC + FREE (zeroed, the default)"),
    ("gomem-nozero", "gomem with NOZERO"),
    ("gomem-batch64", "gomem batch of 64, per region"),
    ("boost", "Boost.Interprocess allocate + deallocate"),
    ("iceoryx", "iceoryx loan + release (unpublished)"),
    ("memfd", "memfd create, size, map, touch, unmap, close"),
    ("dma-heap", "dma-heap alloc, map, touch, unmap, close"),
]
HANDOFF_ROWS = [
    ("gomem-share", "gomem share / claim / release, 1 message a region (batched alloc, share, claim, free, release)"),
    ("gomem-share-nozero", "the same, NOZERO"),
    ("gomem-share8", "gomem share / claim / release, 8 messages a region"),
    ("gomem-pool", "gomem pool of 16 regions, offsets over a ring (no ownership moves)"),
    ("boost", "Boost.Interprocess message_queue of handles"),
    ("iceoryx", "iceoryx publish / take / release"),
    ("memfd", "memfd + SCM_RIGHTS, one memfd a message"),
]
SIZES = [64, 4096, 65536, 1 << 20]
COLOURS = ["#1f4e9c", "#4f8fdc", "#00796b", "#2e7d32", "#8e44ad", "#e67e22", "#c0392b"]


class Run:
    def __init__(self, path):
        self.cycle, self.handoff, self.fault, self.strace = {}, {}, {}, {}
        self.info, self.notes = {}, []
        with open(path) as f:
            for line in f:
                w = line.split()
                if not w:
                    continue
                if w[0] == "peer-info":
                    for k, v in zip(w[1::2], w[2::2]):
                        self.info[k] = v
                elif w[0] == "peer-note":
                    self.notes.append(" ".join(w[1:]))
                elif w[0] == "peer" and len(w) == 6:
                    self.cycle[(w[1], int(w[2]))] = tuple(map(float, w[3:]))
                elif w[0] == "peer-handoff" and len(w) == 6:
                    self.handoff[(w[1], int(w[2]))] = tuple(map(float, w[3:]))
                elif w[0] == "peer-fault" and len(w) == 5:
                    self.fault[(w[1], int(w[2]))] = tuple(map(float, w[3:]))
                elif w[0] == "peer-strace" and len(w) == 4:
                    self.strace.setdefault((w[1], int(w[2])), []).append(float(w[3]))

    def null(self, rows):
        return [rows[("null-syscall", s)][0] for s in SIZES if ("null-syscall", s) in rows]


def size_name(s):
    return f"{s >> 20} MiB" if s >= 1 << 20 else f"{s >> 10} KiB" if s >= 1024 else f"{s} B"


def us(ns):
    return f"{ns / 1000:.1f} µs" if ns < 1e6 else f"{ns / 1e6:.2f} ms"


def cycle_table(run, with_calls):
    out = ["| cycle | " + " | ".join(size_name(s) for s in SIZES) + " |",
           "|---|" + "---:|" * len(SIZES)]
    for key, label in CYCLE_ROWS:
        if not any((key, s) in run.cycle for s in SIZES):
            continue
        cells = []
        for s in SIZES:
            r = run.cycle.get((key, s))
            if not r:
                cells.append("-")
            elif with_calls and key.startswith("gomem"):
                cells.append(f"{r[1]:.2f} ({r[2]:.2f} calls)")
            else:
                cells.append(f"{r[1]:.2f}")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return out


def handoff_tables(vm, nat):
    """Units (and µs) VM | native; then system calls per message."""
    runs = [(n, r) for n, r in (("VM", vm), ("native", nat)) if r]
    head = "| hand-off | " + " | ".join(f"{size_name(s)} {n}" for s in SIZES for n, _ in runs) + " |"
    out = [head, "|---|" + "---:|" * (len(SIZES) * len(runs))]
    for key, label in HANDOFF_ROWS:
        if not any((key, s) in r.handoff for _, r in runs for s in SIZES):
            continue
        cells = []
        for s in SIZES:
            for _, r in runs:
                h = r.handoff.get((key, s))
                cells.append(f"{h[1]:.1f} ({us(h[0])})" if h else "-")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    calls = ["| system calls per message | how counted | " + " | ".join(size_name(s) for s in SIZES) + " |",
             "|---|---|" + "---:|" * len(SIZES)]
    for key, label in HANDOFF_ROWS:
        for name, r in runs:
            cells = []
            for s in SIZES:
                h = r.handoff.get((key, s))
                cells.append(f"{h[2]:.3f}" if h and h[2] >= 0 else "-")
            if any(c != "-" for c in cells):
                calls.append(f"| {label} | by construction, {name} | " + " | ".join(cells) + " |")
        if nat:
            cells = [strace_cell(nat.strace.get((key, s))) for s in SIZES]
            if any(c != "-" for c in cells):
                calls.append(f"| {label} | strace -f -c, native | " + " | ".join(cells) + " |")
    return out, calls


def strace_cell(v):
    """Median of the strace counts (and their range, if they differ)."""
    if not v:
        return "-"
    v = sorted(v)
    med = v[len(v) // 2]
    return f"{med:.2f}" if v[0] == v[-1] else f"{med:.2f} ({v[0]:.2f} to {v[-1]:.2f})"


def fault_table(runs):
    out = ["| first touch of a fresh page | where | 1 process, ns a fault | 2 at once, ns a fault each | throughput, 2 vs 1 |",
           "|---|---|---:|---:|---:|"]
    for name, r in runs:
        for key, label in (("gomem", "gomem region, mapped anew"), ("memfd", "memfd page")):
            one, two = r.fault.get((key, 1)), r.fault.get((key, 2))
            if one:
                out.append(f"| {label} | {name} | {one[0]:.0f} | "
                           f"{two[0]:.0f} | {two[1]:.2f}x |" if two else
                           f"| {label} | {name} | {one[0]:.0f} | - | - |")
    return out


def target_table(vm):
    """Issue 13's hand-off target, in the VM boot (gomem rows exist only there)."""
    out = ["| gomem hand-off | system calls per message (max over sizes) | <= 1 | ahead of memfd at every size | ahead of Boost at every size |",
           "|---|---:|---|---|---|"]
    for key, label in HANDOFF_ROWS:
        if not key.startswith("gomem") or not any((key, s) in vm.handoff for s in SIZES):
            continue
        sizes = [s for s in SIZES if (key, s) in vm.handoff]
        calls = max(vm.handoff[(key, s)][2] for s in sizes)

        def ahead(peer):
            pairs = [(vm.handoff[(key, s)][0], vm.handoff[(peer, s)][0]) for s in sizes if (peer, s) in vm.handoff]
            if not pairs:
                return "-"
            won = sum(a < b for a, b in pairs)
            worst = max(a / b for a, b in pairs)
            return ("yes" if won == len(pairs) else f"no ({won} of {len(pairs)})") + f", worst {worst:.2f}x"
        out.append(f"| {label} | {calls:.2f} | {'yes' if calls <= 1 else 'no'} | {ahead('memfd')} | {ahead('boost')} |")
    return out


def plot(path, vm, nat):
    """Hand-off in null-syscall units against size, VM solid, native dashed."""
    gp = shutil.which("gnuplot")
    if not gp:
        return "no gnuplot: no plot"
    data, plots = [], []
    for run, name, dash in ((vm, "VM", 1), (nat, "native", 2)):
        if not run:
            continue
        for i, (key, label) in enumerate(HANDOFF_ROWS):
            pts = [(s, run.handoff[(key, s)][1]) for s in SIZES if (key, s) in run.handoff]
            if not pts:
                continue
            block = f"$d{len(data)}"
            data.append(f"{block} << EOD\n" + "\n".join(f"{s} {u}" for s, u in pts) + "\nEOD")
            plots.append(f"{block} using 1:2 with linespoints dt {dash} lc rgb '{COLOURS[i]}' pt {i + 1} "
                         f"title '{key} ({name})'")
    script = "\n".join([
        ("set terminal pngcairo size 1000,600 font 'sans,10'" if path.endswith(".png")
         else "set terminal svg size 1000,600 font 'sans,11'"),
        f"set output '{path}'",
        "set title 'make bench part 4: hand-off between two processes, 16 in flight'",
        "set logscale xy",
        "set xrange [40:1.7e6]",
        "set xlabel 'message size (bytes)'",
        "set ylabel 'per message, in null system calls of the same run'",
        "set xtics ('64 B' 64, '4 KiB' 4096, '64 KiB' 65536, '1 MiB' 1048576)",
        "set key outside right top",
        "set grid",
    ] + data + ["plot " + ", \\\n     ".join(plots)]) + "\n"
    subprocess.run([gp], input=script, text=True, check=True)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--native", required=True)
    ap.add_argument("--plot")
    ap.add_argument("vm", nargs="*")
    a = ap.parse_args()
    # When the native half was measured (the VM half just before it).
    date = datetime.datetime.fromtimestamp(os.path.getmtime(a.native),
                                           datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with open("/proc/cpuinfo") as f:
        m = re.search(r"model name\s*:\s*(.*)", f.read())
        cpu = m.group(1) if m else "?"
    nat = Run(a.native)
    vms = [(os.path.basename(p)[len("vm-peers-"):-len(".txt")], Run(p)) for p in a.vm]
    vm = vms[-1][1] if vms else None
    out = ["<!-- generated by make -C bench peers (peers_report.py); do not edit -->",
           "# gomem benchmarks, part 4: the peers",
           "",
           f"Measured {date} on {cpu} ({os.cpu_count()} CPUs), host kernel {platform.release()}.",
           "Every figure is in **units of one null system call** (getppid) measured in the same",
           "run (the mean of one run before the rows and one after), because QEMU's TCG charges",
           "user-space code far more, relative to a kernel entry, than hardware does: only these",
           "units compare the VM with the native run. How it was run: bench/gomem_peers.cc and",
           "bench/gomem_handoff.cc (one static program, gomem-peers) and bench/gomem_iox.cc",
           "(gomem-iox, linked against Debian's shared iceoryx libraries; it starts iox-roudi with",
           "bench/iceoryx-roudi.toml), in the VM by scripts/vm.sh --bench (Debian's kernel in QEMU",
           "TCG, 2 vCPUs, busybox initramfs with the iceoryx libraries copied in; module: the bench",
           "parameters of results/kernel.md, a 64 MiB arena), then natively (no /dev/gomem there: the",
           "gomem rows are the VM's only). Not tests: nothing here has a threshold.",
           ""]
    versions = {}
    for run in [r for _, r in vms] + [nat]:
        for k in ("boost", "iceoryx", "gomem"):
            if run.info.get(k, "absent") != "absent":
                versions[k] = run.info[k]
    out += ["Versions: " + ", ".join(
        [f"Boost.Interprocess {versions.get('boost', '?')} (Debian's libboost-dev)",
         f"iceoryx {versions.get('iceoryx', 'not run')} (Debian's iceoryx, libiceoryx-posh-dev)",
         f"libgomem {versions.get('gomem', '?')}"]
        + [f"VM kernel {k}" for k, _ in vms]
        + [f"native kernel {nat.info.get('kernel', platform.release())}"]) + ".", ""]

    # The buffer cycle.
    out += ["## Buffer cycle",
            "",
            "Get a buffer another process could map, write its first and last byte, give it back.",
            "gomem rows add the device calls per cycle that the kernel's own counters saw (regions",
            "through GOMEM_IOC_STATS's allocs + frees; batch: two ioctls per 64). memfd is 5 system",
            "calls and 1 fault per cycle, dma-heap 4 and 1, Boost and iceoryx 0 (pools in shared",
            "memory).",
            ""]
    for kernel, run in vms:
        out += [f"### In the VM (QEMU TCG), kernel {kernel}", ""]
        out += cycle_table(run, True) + [""]
        nul = run.null(run.cycle)
        if nul:
            out += [f"A null system call took {min(nul):.0f}-{max(nul):.0f} ns in this boot.", ""]
    out += ["### Natively (this machine, no VM)", ""]
    out += cycle_table(nat, False) + [""]
    nul = nat.null(nat.cycle)
    if nul:
        out += [f"A null system call took {min(nul):.0f}-{max(nul):.0f} ns natively.", ""]

    # The hand-off.
    units, calls = handoff_tables(vm, nat)
    out += ["## Hand-off",
            "",
            "A producer process writes every byte of a buffer and hands it over; a consumer process",
            "(fork()ed) reads every byte (a checksum of the message's pattern, verified) and lets it",
            "go; at most 16 messages in flight. Per message, timed at the consumer from its 33rd",
            "message to its last (the first 32 fault every reused buffer in), in null system calls",
            "(and µs); system calls are counted over all messages. gomem's tokens and offsets go",
            "over a single-producer single-consumer ring of 16 slots in a shared page: each side spins",
            "2000 times, then sleeps in FUTEX_WAIT only when its ring is empty or full, and the other",
            "side calls FUTEX_WAKE only when it saw the sleeper's flag. gomem-share: the producer",
            "allocates 16 regions in one GOMEM_IOC_ALLOC_BATCH, writes them, makes their 16 tokens",
            "(one claim each) in one GOMEM_IOC_SHARE_BATCH, publishes the 16 at once and frees its",
            "ownership of the 16 in one GOMEM_IOC_FREE_BATCH; the consumer, another session, takes",
            "every token the ring holds, claims them in one GOMEM_IOC_CLAIM_BATCH, reads each region",
            "and releases them in one GOMEM_IOC_RELEASE_BATCH, so a buffer outlives its producer",
            "until released. gomem-share8: 8 messages in a region, two",
            "regions in flight (alloc, share, free, claim, release per 8). gomem-pool: 16 regions",
            "allocated once, offsets to the consumer and back over two rings (no ioctl, no ownership",
            "moves: what Boost's and iceoryx's pools do). memfd: per message memfd_create, ftruncate,",
            "mmap, write, munmap, sendmsg (SCM_RIGHTS, SOCK_SEQPACKET), close; recvmsg, mmap, read,",
            "munmap, close; the consumer returns credits (one send per 8 messages). Boost:",
            "managed_shared_memory allocate, message_queue (16) of handles, deallocate by the consumer.",
            "iceoryx: loan, publish; take, release; the subscriber's queue holds 16 (BLOCK_PRODUCER,",
            "the publisher WAIT_FOR_CONSUMER, which iceoryx 2.0 does by spinning); the subscriber spins",
            "on take(), then waits in a WaitSet.",
            ""]
    out += units + [""]
    out += ["System calls per message, **counted, not timed**. By construction: every call the",
            "program makes adds one to its process's count (exact for gomem and memfd; Boost's and",
            "iceoryx's happen inside their libraries and glibc's pthread code, so they have none).",
            "strace -f -c, natively only (the VM has no strace): two runs of 2000 and 20000 messages'",
            "worth (a twentieth at 1 MiB, a quarter at 64 KiB), the difference of their totals (all",
            "calls of both processes but getppid and the setup's sleeps) over the difference of",
            "messages (bench/peers_strace.sh), three times: the median (and the range). strace slows",
            "every call many times, so a side that would have found its partner's message while",
            "spinning may sleep instead: its futex counts lean high, and they swing with scheduling.",
            "memfd's strace count matching its count by construction checks the method. The spinning",
            "and sleeping are scheduling: counts in the VM and natively differ for that reason.",
            ""]
    out += calls + [""]
    if vm:
        out += ["Against issue 13's target for the hand-off (\"at most 1 system call per message",
                "amortized at 16 messages in flight, and ahead of memfd+SCM_RIGHTS and Boost+message_queue",
                "in the same boot\"; reported, not enforced; \"worst\": gomem's time over the peer's at",
                "the size where gomem does worst):",
                ""]
        out += target_table(vm) + [""]

    # Faults.
    out += ["## 1 and 2 processes faulting at once",
            "",
            "Each process, with its own session, allocates a 256-page region, mmap()s the device anew",
            "at its offset and writes one byte a page (a fault each), unmaps and frees it, 40 rounds",
            "(the fault loop alone timed); 1 process, then 2 started together. Throughput, 2 vs 1: the",
            "sum of the two processes' fault rates over the single one's (2.00x is perfect scaling).",
            "memfd pages, the same way, for scale. The VM has 2 vCPUs (multi-threaded TCG on this",
            "2-CPU machine).",
            ""]
    out += fault_table([(f"VM {k}", r) for k, r in vms] + [("native", nat)]) + [""]

    notes = [n for _, r in vms for n in r.notes] + nat.notes
    if notes:
        out += ["Notes from the runs: " + "; ".join(notes) + ".", ""]
    if a.plot:
        err = plot(a.plot, vm, nat)
        out += [f"Plot: {os.path.basename(a.plot)} (the hand-off, VM solid, native dashed)."
                if not err else f"({err}.)", ""]
    print("\n".join(out).rstrip("\n"))


if __name__ == "__main__":
    main()
