#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Turn the raw output of run.sh into tables: stdout and results.md.

    report.py RAW_DIR OUT_DIR

Each figure is the median over the rounds of ns per iteration.  A ratio
between two implementations is the median of the per-round ratios (both
measured in the same round, seconds apart); a ratio to GoMem's figure is
our median over GoMem's (gomem-figures.tsv), which was measured elsewhere
and is only a rough guide.  Also writes RAW_DIR/tree-growth.{dat,gp}.
"""
import glob
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MALLOCS = ["glibc", "jemalloc", "mimalloc"]
SECTIONS = [
    ("range", "Range allocator (GoMem `Allocator`, 64 KiB space)"),
    ("buddy", "Buddy (512 MiB in 1 KiB units; 2 threads, one mutex; malloc: units x 1 KiB)"),
    ("scalable", "Scalable allocator (arena created with 1024 bytes)"),
    ("recyclable", "Recyclable memory"),
    ("memory", "Memory (multi-segment)"),
    ("reader", "Reader"),
]
GROWTH_CASES = [
    ("end", "alloc 128 + free (fits only at the end)"),
    ("first", "alloc 64 + free (fits the first hole)"),
    ("random", "churn at a random place (per operation)"),
]
FIXED_SIZE = [("range", "Allocate"), ("range", "AllocateSmall"),
              ("range", "AllocateLarge"), ("scalable", "Malloc"),
              ("scalable", "MallocSmall"), ("scalable", "MallocLarge")]


def median(xs):
    return statistics.median(xs) if xs else None


def load(raw):
    """rounds[(kind, key...)] -> {round: value}"""
    runs = {}
    order = {}
    for path in sorted(glob.glob(os.path.join(raw, "round-*.txt"))):
        rnd = int(os.path.basename(path)[6:-4])
        with open(path) as f:
            for line in f:
                w = line.split()
                if not w or w[0] not in ("R", "G"):
                    continue
                if w[0] == "R":
                    key = ("R", w[1], w[2], w[3])
                    order.setdefault((w[1], w[2]), len(order))
                else:
                    key = ("G", w[1], int(w[2]), w[3])
                runs.setdefault(key, {})[rnd] = float(w[-1])
    frag = {}
    fpath = os.path.join(raw, "frag.txt")
    if os.path.exists(fpath):
        with open(fpath) as f:
            for line in f:
                w = line.split()
                if w and w[0] == "F":
                    frag.setdefault((w[1], int(w[2]), w[4]), []).append(
                        float(w[5]))
    machine = {}
    with open(os.path.join(raw, "machine.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition(" ")
            machine[k] = machine.get(k, "") + ("; " if k in machine else "") + v
    return runs, order, frag, machine


def load_gomem():
    figs = {}
    with open(os.path.join(HERE, "gomem-figures.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            w = line.rstrip("\n").split("\t")
            vals = [float(x) for x in w[2:]]
            figs[(w[0], w[1])] = {"treap": vals[0], "avl": vals[-1],
                                  "gomem": vals[0]}
    return figs


class Report:
    def __init__(self, raw):
        self.runs, self.order, self.frag, self.machine = load(raw)
        self.gomem = load_gomem()

    def med(self, *key):
        r = self.runs.get(key)
        return median(list(r.values())) if r else None

    def ratio(self, a, b):
        """Median of the per-round ratios a/b."""
        ra, rb = self.runs.get(a), self.runs.get(b)
        if not ra or not rb:
            return None
        return median([ra[k] / rb[k] for k in ra if k in rb and rb[k] > 0])

    def go(self, section, workload, impl):
        g = self.gomem.get((section, workload))
        return g[impl] if g else None


def fmt(x, nd=None):
    if x is None:
        return "-"
    if nd is None:
        nd = 0 if x >= 1000 else 1 if x >= 100 else 2
    return f"{x:,.{nd}f}"


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    for row in rows:
        out.append("| " + " | ".join(row) + " |")
    return out


def workloads(rep, section):
    ws = [w for (s, w) in sorted(rep.order, key=rep.order.get) if s == section]
    return ws


def core_tables(rep):
    out = []
    for section, title in SECTIONS:
        ws = workloads(rep, section)
        if not ws:
            continue
        policies = ["treap", "avl"] if rep.med("R", section, ws[0], "treap") is not None else ["gomem"]
        has_malloc = any(rep.med("R", section, w, "jemalloc") is not None for w in ws)
        out += ["", f"### {title}", ""]
        header = ["workload"] + policies
        if has_malloc:
            header += MALLOCS
        header += ["GoMem" if section != "range" else "GoMem single / two"]
        p0 = policies[0]
        if has_malloc:
            header += [f"{p0}/glibc", f"{p0}/jemalloc", f"{p0}/mimalloc"]
        header += [f"{p}/GoMem" for p in policies]
        rows = []
        for w in ws:
            row = [w] + [fmt(rep.med("R", section, w, p)) for p in policies]
            if has_malloc:
                row += [fmt(rep.med("R", section, w, m)) for m in MALLOCS]
            if section == "range":
                row.append(f"{fmt(rep.go(section, w, 'treap'))} / {fmt(rep.go(section, w, 'avl'))}")
            else:
                row.append(fmt(rep.go(section, w, p0)))
            if has_malloc:
                row += [fmt_ratio(rep.ratio(("R", section, w, p0), ("R", section, w, m)))
                        for m in MALLOCS]
            for p in policies:
                g, m = rep.go(section, w, p), rep.med("R", section, w, p)
                row.append(fmt_ratio(m / g if g and m is not None else None))
            rows.append(row)
        out += table(header, rows)
    return out


def variants_table(rep):
    rows = []
    for section, _ in SECTIONS:
        for w in workloads(rep, section):
            for p in ("treap", "avl", "gomem"):
                a = rep.med("R", section, w, p)
                if a is None:
                    continue
                k = rep.med("R", section, w, p + "-kshim")
                t = rep.med("R", section, w, p + "-thunk")
                rows.append([f"{section} {w}", p, fmt(a), fmt(k), fmt(t),
                             fmt_ratio(rep.ratio(("R", section, w, p + "-kshim"),
                                                 ("R", section, w, p))),
                             fmt_ratio(rep.ratio(("R", section, w, p + "-thunk"),
                                                 ("R", section, w, p)))])
    return table(["workload", "policy", "harness shim", "kshim", "thunks",
                  "kshim/shim", "thunks/shim"], rows)


def front_table(rep):
    """The arena with and without its per-CPU front (both kshim) vs jemalloc."""
    rows = []
    for section in ("scalable", "recyclable"):
        for w in workloads(rep, section):
            for p in ("treap", "avl"):
                f = rep.med("R", section, w, p + "-front")
                if f is None:
                    continue
                rows.append([f"{section} {w}", p, fmt(rep.med("R", section, w, p + "-kshim")),
                             fmt(f), fmt(rep.med("R", section, w, "jemalloc")),
                             fmt_ratio(rep.ratio(("R", section, w, p + "-front"),
                                                 ("R", section, w, p + "-kshim"))),
                             fmt_ratio(rep.ratio(("R", section, w, p + "-front"),
                                                 ("R", section, w, "jemalloc"))),
                             fmt_ratio(rep.ratio(("R", section, w, p + "-kshim"),
                                                 ("R", section, w, "jemalloc")))])
    if not rows:
        return []
    return table(["workload", "policy", "kshim", "kshim + front", "jemalloc",
                  "front/kshim", "front/jemalloc", "kshim/jemalloc"], rows)


def growth_sizes(rep):
    return sorted({k[2] for k in rep.runs if k[0] == "G"})


def growth_table(rep, suffix):
    sizes = growth_sizes(rep)
    cols = [(p, c) for p in ("treap", "avl") for c, _ in GROWTH_CASES]
    rows = []
    for n in sizes:
        rows.append([f"{n:,}"] + [fmt(rep.med("G", p + suffix, n, c)) for p, c in cols])
    lo, hi = sizes[0], sizes[-1]
    rows.append([f"**{hi:,} / {lo:,}**"] +
                [fmt_ratio(rep.ratio(("G", p + suffix, hi, c), ("G", p + suffix, lo, c)))
                 for p, c in cols])
    return table(["free blocks"] + [f"{p} {c}" for p, c in cols], rows)


def growth_plot(rep, raw):
    sizes = growth_sizes(rep)
    cols = [(p, c) for p in ("treap", "avl") for c, _ in GROWTH_CASES]
    with open(os.path.join(raw, "tree-growth.dat"), "w") as f:
        f.write("# free_blocks " + " ".join(f"{p}_{c}" for p, c in cols) + "\n")
        for n in sizes:
            f.write(f"{n} " + " ".join(fmt(rep.med("G", p, n, c), 3).replace(",", "")
                                       for p, c in cols) + "\n")
    title = {c: d for c, d in GROWTH_CASES}
    plots = []
    for i, (p, c) in enumerate(cols):
        plots.append(f"'{raw}/tree-growth.dat' using 1:{i + 2} with linespoints "
                     f"lw 2 dt {1 if p == 'treap' else 2} title '{p}: {title[c]}'")
    with open(os.path.join(raw, "tree-growth.gp"), "w") as f:
        f.write(f"""set terminal pngcairo size 900,560 font 'sans,10'
set output 'results/tree-growth.png'
set title 'gomem (native, harness shim): cost as the free tree grows; {rep.machine.get('date', '')}, median of {rep.machine.get('rounds', '?')} runs'
set logscale x
set xlabel 'free blocks in the tree'
set ylabel 'ns per alloc+free pair (random: per operation)'
set yrange [0:*]
set key top left
set grid
plot {', '.join(plots)}
""")


def frag_table(rep):
    if not rep.frag:
        return []
    metrics = [("in_use_pct", "in use %"), ("usable_typical_pct", "free usable by 512 B %"),
               ("usable_4k_pct", "free usable by 4 KiB %"), ("largest_pct", "largest free / free %"),
               ("arena_usable_pct", "arena usable (512 B) %"), ("refused_pct", "refused allocs %"),
               ("free_blocks", "free blocks"), ("ns_per_op", "ns/op")]
    rows = []
    for fill in (75, 90):
        for p in ("treap", "avl"):
            row = [f"{fill}%", p]
            for m, _ in metrics:
                v = median(rep.frag.get((p, fill, m), []))
                row.append(fmt(v, 0 if m == "free_blocks" else 1 if m == "ns_per_op" else 2))
            rows.append(row)
    return table(["fill", "policy"] + [d for _, d in metrics], rows)


def targets(rep):
    out = []
    # 1. treap pair vs jemalloc on the fixed-size workloads.
    res = []
    for s, w in FIXED_SIZE:
        r = rep.ratio(("R", s, w, "treap"), ("R", s, w, "jemalloc"))
        if r is not None:
            res.append((f"{s} {w}", r))
    met = [x for x in res if x[1] <= 1.0]
    out.append(f"- **treap pair no slower than jemalloc** (fixed-size workloads): "
               f"{'met' if res and len(met) == len(res) else 'NOT met'} ({len(met)} of {len(res)} at or under 1.0x): " +
               ", ".join(f"{n} {r:.2f}x" for n, r in res))
    # 2. every GoMem workload at most half of GoMem's figure.
    for p in ("treap", "avl"):
        res, miss = 0, []
        for (s, w), g in rep.gomem.items():
            impl = p if rep.med("R", s, w, p) is not None else "gomem"
            m = rep.med("R", s, w, impl)
            if m is None:
                continue
            res += 1
            if m > 0.5 * g[p]:
                miss.append(f"{s} {w} {m / g[p]:.2f}x")
        out.append(f"- **every GoMem workload <= 0.5x GoMem's figure** ({p}; buddy, memory "
                   f"and reader have no policy): {'met' if not miss else 'NOT met'}: "
                   f"{res - len(miss)} of {res} at or under 0.5x" +
                   (f"; over: {', '.join(miss)}" if miss else ""))
    # 1b. issue 13: the kernel arena with its per-CPU front vs jemalloc.
    res = []
    for s, w in FIXED_SIZE:
        if s != "scalable":
            continue
        r = rep.ratio(("R", s, w, "treap-front"), ("R", s, w, "jemalloc"))
        if r is not None:
            res.append((f"{s} {w}", r))
    if res:
        met = [x for x in res if x[1] <= 1.5]
        out.append(f"- **kernel arena with its per-CPU front at most 1.5x jemalloc** (issue 13; "
                   f"kshim, fixed-size scalable workloads): "
                   f"{'met' if len(met) == len(res) else 'NOT met'} ({len(met)} of {len(res)}): " +
                   ", ".join(f"{n} {r:.2f}x" for n, r in res))
    # 3. growth.
    sizes = growth_sizes(rep)
    if sizes:
        lo, hi = sizes[0], sizes[-1]
        parts = []
        for p in ("treap", "avl"):
            for c in ("end", "first"):
                r = rep.ratio(("G", p, hi, c), ("G", p, lo, c))
                if r is not None:
                    parts.append(f"{p} {c} {r:.2f}x ({'met' if r <= 4 else 'NOT met'})")
        kparts = []
        for p in ("treap", "avl"):
            for c in ("end", "first"):
                r = rep.ratio(("G", p + "-thunk", hi, c), ("G", p + "-thunk", lo, c))
                if r is not None:
                    kparts.append(f"{p} {c} {r:.2f}x")
        out.append(f"- **{hi:,} free blocks at most 4x the cost at {lo:,}**: " + ", ".join(parts) +
                   (f"; built with thunks (kernel-like): {', '.join(kparts)}" if kparts else ""))
    # 4. fragmentation.
    parts = []
    for p in ("treap", "avl"):
        a = median(rep.frag.get((p, 90, "arena_usable_pct"), []))
        u = median(rep.frag.get((p, 90, "usable_typical_pct"), []))
        if a is not None:
            parts.append(f"{p} {a:.1f}% of the arena ({'met' if a >= 95 else 'NOT met'}; "
                         f"{u:.1f}% of the free space)")
    if parts:
        out.append("- **>= 95% of the arena usable, 90%-full run** (in use + free space "
                   "512-byte requests can still take): " + "; ".join(parts))
    return out


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    rep = Report(raw)
    m = rep.machine
    lines = [
        "<!-- generated by bench/report.py from bench/results/raw; do not edit -->",
        "# gomem benchmarks",
        "",
        f"`make bench`, {m.get('date', '?')}: {m.get('nproc', '?')} CPUs, {m.get('cpu', '?')}, "
        f"{m.get('kernel', '?')}, {m.get('compiler', '?')} -O2, glibc {m.get('glibc', '?')}, "
        f"packages: {m.get('pkg', '?')}. Load average at start / end: "
        f"{m.get('loadavg_start', '?')} / {m.get('loadavg_end', '?')}; {m.get('seconds', '?')} s.",
        "",
        f"ns per iteration, median of {m.get('rounds', '?')} runs. Each run calibrates n like "
        "`go test -bench`, times 5 calls of ~10 ms and keeps the fastest (a shared 2-core "
        "machine preempts or slows many 10 ms slices). All programs run interleaved, section "
        "by section, every round. `a/b` columns are the median of the per-round ratios (both "
        "measured seconds apart; robust when the machine's speed drifts between rounds, so "
        "they can differ from the ratio of the two medians); "
        "`/GoMem` is our median over GoMem's figure from gomem-benchmarks.md (measured on "
        "another day: a rough guide). gomem = the kernel's `gomem_*.c` compiled natively "
        "against the harness shim (`userspace/harness/include`, `shim/`), "
        "`-O2 -fno-strict-aliasing`, no sanitizers. Scalable and recyclable run on "
        "`gomem_arena` (mutex per call); malloc columns are plain malloc/free of the same "
        "sizes (FreeRest: realloc to 256; recycle: free all).",
        "",
        "## Targets (issue 6)",
        "",
    ]
    lines += targets(rep)
    lines += ["", "## Part 1: GoMem's workloads"]
    lines += core_tables(rep)
    lines += ["", "### Build variants: the shim's cost, and the kernel's code generation",
              "",
              "Same workloads, same rounds. **kshim** (`bench/kshim/`): a kmem_cache that packs "
              "objects in 64 KiB slabs and recycles them LIFO (SLUB's fast path) and adaptive "
              "mutexes (no checks; a contended lock spins a while before sleeping, like the "
              "kernel's mutex while its owner runs), instead of the harness's one-malloc-per-object slab and error-checking "
              "mutexes. **thunks**: the kernel objects built with `-mindirect-branch=thunk "
              "-mfunction-return=thunk`, so every indirect call and every return goes through "
              "a retpoline-style thunk, as in a kernel with Retpolines and Safe RET (this "
              "machine's kernel reports both for its CPU); an approximation of the module's "
              "cost on such a host.",
              ""]
    lines += variants_table(rep)
    ft = front_table(rep)
    if ft:
        lines += ["", "### The arena's per-CPU front (issue 13)", "",
                  "`gomem_arena_params.front_max` = 16 KiB (`bench_gomem --front`), kshim build: "
                  "a free of a size up to 16 KiB stays in the calling CPU's front (a spinlock, "
                  "taken with one atomic exchange and let go with a store, as the kernel's "
                  "queued spinlock's uncontended path), and an allocation of that size takes it "
                  "back without the arena mutex. Workloads that mix sizes sharing a class, or "
                  "free the head of a region whose tail went back (FreeRest), gain nothing or "
                  "lose: the front keeps blocks the arena could have merged.", ""]
        lines += ft
    if growth_sizes(rep):
        growth_plot(rep, raw)
        lines += ["", "## Part 2: allocation cost as the free tree grows", "",
                  "N free blocks: 2(N-1) blocks of 64 bytes allocated, every other one freed "
                  "(N-1 holes of 64 bytes) plus a 64 KiB tail. ns per alloc+free pair; "
                  "`random`: free a random 64-byte region (merging with the holes either "
                  "side), alloc the 192 bytes, free the two outer 64s: ns per operation, at "
                  "random places (cold cache at large N). Plot: `tree-growth.png`.", ""]
        lines += growth_table(rep, "")
        lines += ["", "The same with kshim (tree nodes packed like SLUB's):", ""]
        lines += growth_table(rep, "-kshim")
        lines += ["", "The same built with thunks (kernel-like code generation):", ""]
        lines += growth_table(rep, "-thunk")
    f = frag_table(rep)
    if f:
        lines += ["", "## Part 2: fragmentation", "",
                  "64 MiB space, sizes log-uniform 16 B..16 KiB (median 512 B), each free "
                  "takes a random live region; below the fill target allocate, else free; "
                  f"{int(m.get('frag_ops', 0)):,} operations, median of 5 seeds. Usable = bytes the free blocks "
                  "could give to requests of that size; arena usable = in use + usable by "
                  "512 B requests, over the space.", ""]
        lines += f
    lines += ["", "## Part 3: the kernel path, in the VM", "",
              "Alloc+free ioctl pair vs two null system calls, batch-64 per region vs a "
              "single pair, and the first touch of a mapped page (fault) vs a memfd's, "
              "measured by `gomemctl bench` in QEMU (TCG: only the ratios mean anything): "
              "see [kernel.md](kernel.md), written by `scripts/vm.sh --bench` (the last "
              "step of `make bench`)."]
    text = "\n".join(lines) + "\n"
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.md"), "w") as fh:
        fh.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
