#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Coverage of gomem.ko by the system-call fuzzer, from KCOV.

    scripts/kcov-report.py GOMEM_KO CONSOLE_LOG

The fuzzer (userspace/fuzz/kcov.c) prints "GOMEM-KCOV <section> <offset>..."
lines: the instrumented points of gomem.ko its system calls reached, as
offsets in the module's sections.  The points that exist are the calls to
__sanitizer_cov_trace_pc in gomem.ko (objdump -dr; KCOV records the return
address, the byte after each call).  Prints a summary by source file and
by function of gomem_dev.c, a blank line, then the (call, result) pairs the
fuzzer saw ("GOMEM-FUZZ <case> errno <call> <result> <count>" lines) and
the source lines of gomem_dev.c it never reached.
"""
import collections
import re
import subprocess
import sys


def sites(ko):
    """{(section, return offset): function} for every KCOV call in ko."""
    out = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", ko],
                         check=True, capture_output=True, text=True).stdout
    res = {}
    sec = func = None
    last = None
    for line in out.splitlines():
        m = re.match(r"Disassembly of section (\S+):", line)
        if m:
            sec = m.group(1)
            continue
        m = re.match(r"[0-9a-f]+ <([^>]+)>:", line)
        if m:
            func = m.group(1)
            continue
        m = re.match(r"\s+([0-9a-f]+):\s+call", line)
        if m:
            last = int(m.group(1), 16)
            continue
        if "__sanitizer_cov_trace_pc" in line and "R_X86_64" in line and last is not None:
            res[(sec, last + 5)] = func
            last = None
    return res


def lines_of(ko, sec, offsets):
    """{offset: (file, line)} through addr2line, the call's own address."""
    if not offsets:
        return {}
    offs = sorted(offsets)
    out = subprocess.run(["addr2line", "-e", ko, "-j", sec] + ["%x" % (o - 5) for o in offs],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    res = {}
    for o, l in zip(offs, out):
        m = re.match(r"(.*):(\d+)", l)
        if m:
            res[o] = (m.group(1).rsplit("/", 1)[-1], int(m.group(2)))
        else:
            res[o] = ("?", 0)
    return res


def main():
    ko, log = sys.argv[1], sys.argv[2]
    hit = set()
    results = collections.Counter()
    runs = set()
    stats = []
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            i = line.find("GOMEM-KCOV ")
            if i >= 0:
                w = line[i:].split()
                if w[1] == "threads":
                    stats.append(" ".join(w[1:]))
                    continue
                for o in w[2:]:
                    hit.add((w[1], int(o, 16)))
                continue
            i = line.find("GOMEM-FUZZ ")
            if i >= 0:
                w = line[i:].split()
                # GOMEM-FUZZ <case> errno <call> <result> <count>
                if len(w) >= 6 and w[2] == "errno":
                    runs.add(w[1])
                    results[(w[3], w[4])] += int(w[5])
    if not stats:
        sys.exit("no GOMEM-KCOV lines in %s: the fuzzer ran without KCOV" % log)
    all_sites = sites(ko)
    if not all_sites:
        sys.exit("%s has no __sanitizer_cov_trace_pc calls: not built with KCOV" % ko)
    by_sec = collections.defaultdict(set)
    for (sec, off) in all_sites:
        by_sec[sec].add(off)
    where = {}
    for sec, offs in by_sec.items():
        for off, fl in lines_of(ko, sec, offs).items():
            where[(sec, off)] = fl
    stray = [h for h in hit if h not in all_sites]

    per_file = collections.defaultdict(lambda: [0, 0])
    per_func = collections.defaultdict(lambda: [0, 0, ""])
    line_hit = collections.defaultdict(bool)
    for s, func in all_sites.items():
        f, ln = where.get(s, ("?", 0))
        per_file[f][1] += 1
        key = func
        per_func[key][1] += 1
        per_func[key][2] = per_func[key][2] or f
        if s in hit:
            per_file[f][0] += 1
            per_func[key][0] += 1
        if f == "gomem_dev.c":
            line_hit[ln] = line_hit[ln] or s in hit
    tot_h = sum(v[0] for v in per_file.values())
    tot = sum(v[1] for v in per_file.values())

    print("KCOV points of gomem.ko reached by the fuzzer (%s): %d of %d (%.0f%%)"
          % ("; ".join(stats), tot_h, tot, 100.0 * tot_h / tot))
    for f in sorted(per_file, key=lambda f: (f != "gomem_dev.c", f)):
        h, t = per_file[f]
        print("  %-24s %5d of %5d (%3.0f%%)" % (f, h, t, 100.0 * h / t))
    dev = {k: v for k, v in per_func.items() if v[2] == "gomem_dev.c"}
    none = sorted(k for k, v in dev.items() if v[0] == 0)
    part = sorted((k for k, v in dev.items() if 0 < v[0] < v[1]),
                  key=lambda k: dev[k][0] / dev[k][1])
    full = [k for k, v in dev.items() if v[0] == v[1]]
    print("  gomem_dev.c functions: %d fully reached, %d partly, %d not at all"
          % (len(full), len(part), len(none)))
    if none:
        print("    not reached: " + ", ".join(none))
    if part:
        print("    partly: " + ", ".join("%s %d/%d" % (k, dev[k][0], dev[k][1]) for k in part))
    if stray:
        print("  %d recorded addresses are no KCOV call site of this gomem.ko (not counted)" % len(stray))
    print()
    print("(call, result) pairs seen by the fuzzer in %s:" % ", ".join(sorted(runs)))
    calls = collections.defaultdict(list)
    for (c, r), n in sorted(results.items()):
        calls[c].append("%s %d" % (r, n))
    for c in sorted(calls):
        print("  %-16s %s" % (c, ", ".join(calls[c])))
    print()
    print("gomem_dev.c lines with a KCOV point never reached:")
    src = {}
    try:
        import os
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "..", "gomem_dev.c")) as f:
            src = dict(enumerate(f.read().splitlines(), 1))
    except OSError:
        pass
    for ln in sorted(l for l, h in line_hit.items() if not h):
        print("  %5d  %s" % (ln, src.get(ln, "").strip()))


if __name__ == "__main__":
    main()
