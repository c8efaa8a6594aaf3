#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - tables, ratios and plots of rcumap's benchmark runs.

report.py OUT_DIR ACCEL: a "make bench" run (tools/bench/bench.sh).
Reads OUT_DIR/results.csv (map,workload,impl,entries,threads,round,ops,ns,
ops_per_sec,errors), OUT_DIR/memory.csv (map,impl,entries,bytes) and, from
map=worst, OUT_DIR/latency.csv and OUT_DIR/ptab_cost.csv, as bench.sh
gathered them from the guest.  Writes OUT_DIR/summary.csv,
OUT_DIR/tables.rst (the same tables for the documentation) and, if gnuplot
is installed, OUT_DIR/*.png; prints the tables and the targets of issues 8
and 14.  Exits 1 if any operation failed.

report.py --native RAW_CSV OUT_DIR: a "make bench-native" run
(tools/native/bench.sh), RAW_CSV of map,workload,impl,threads,run,seconds,
ops,mops.  Writes OUT_DIR/summary.csv and, if gnuplot is installed, one
PNG per map; prints a table and the targets of issue 5.

Both alike: throughput is the median over rounds (runs); a ratio (rcumap,
or the map's base, over a peer) is the median of the ratios taken in each
round, between measurements made one after the other.  Targets are
reported, not enforced.
"""
import csv
import os
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict


# ---- Shared by both reports --------------------------------------------

def order(values, known):
    """@values, those in @known first, in its order, then the rest sorted."""
    return [v for v in known if v in values] + sorted(v for v in values if v not in known)


def median_of(series, key):
    """The median over rounds of @series[@key], a {round: value}, or None."""
    runs = series.get(key)
    return statistics.median(runs.values()) if runs else None


def ratio_of(series, a, b):
    """Median over rounds of a/b, both measured in the same round."""
    ra, rb = series.get(a, {}), series.get(b, {})
    per_round = [ra[r] / rb[r] for r in ra if r in rb and rb[r] > 0]
    return statistics.median(per_round) if per_round else None


def fmt(v, spec, suffix=""):
    return "-" if v is None else format(v, spec) + suffix


def gnuplot(script):
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


# ---- make bench-native: tools/native/bench.sh ---------------------------

def native_report(raw_path, out):
    rows = list(csv.DictReader(open(raw_path)))
    mops = defaultdict(dict)  # (map, workload, impl, threads) -> {run: mops}
    for r in rows:
        key = (r["map"], r["workload"], r["impl"], int(r["threads"]))
        mops[key][r["run"]] = float(r["mops"])

    maps = {"hash": ["lookup", "99-1", "70-30"], "ptab": ["99-1", "70-30"]}
    impls = {"hash": ["rcumap", "rculfhash", "mutex", "rwlock"], "ptab": ["rcumap", "mutex"]}
    threads = sorted({k[3] for k in mops})

    def median(key):
        return median_of(mops, key)

    def ratio(a, b):
        return ratio_of(mops, a, b)

    summary = []
    for m, workloads in maps.items():
        for w in workloads:
            for t in threads:
                base = (m, w, "rcumap", t)
                if base not in mops:
                    continue
                row = {"map": m, "workload": w, "threads": t}
                for i in impls[m]:
                    v = median((m, w, i, t))
                    row[i + "_mops"] = "" if v is None else f"{v:.3f}"
                    if i != "rcumap":
                        rv = ratio(base, (m, w, i, t))
                        row["rcumap_vs_" + i] = "" if rv is None else f"{rv:.2f}"
                sc = ratio(base, (m, w, "rcumap", 1)) if t != 1 else 1.0
                row["rcumap_scaling"] = "" if sc is None else f"{sc:.2f}"
                runs_of = mops[base].values()
                row["rcumap_range"] = f"{min(runs_of):.1f}-{max(runs_of):.1f}"
                summary.append(row)

    fields = ["map", "workload", "threads"]
    for m in maps:
        for i in impls[m]:
            for f in (i + "_mops", "rcumap_vs_" + i):
                if f not in fields and f != "rcumap_vs_rcumap":
                    fields.append(f)
    fields += ["rcumap_scaling", "rcumap_range"]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields, restval="")
        wr.writeheader()
        wr.writerows(summary)

    runs = max((len(v) for v in mops.values()), default=0)
    print(f"\nMops/s, median of {runs} runs; ratios: median of same-run ratios;"
          " range: rcumap's slowest and fastest run")
    for m in maps:
        hdr = f"{m:5} {'workload':8} {'thr':>3} " + " ".join(f"{i:>10}" for i in impls[m])
        hdr += " " + " ".join(f"{'vs ' + i:>13}" for i in impls[m][1:]) + f" {'scaling':>8}"
        hdr += f" {'rcumap range':>13}"
        print("\n" + hdr)
        for row in summary:
            if row["map"] != m:
                continue
            line = f"{m:5} {row['workload']:8} {row['threads']:>3} "
            line += " ".join(f"{row[i + '_mops']:>10}" for i in impls[m])
            line += " " + " ".join(f"{(row['rcumap_vs_' + i] + 'x') if row['rcumap_vs_' + i] else '':>13}"
                                   for i in impls[m][1:])
            line += f" {row['rcumap_scaling'] + 'x':>8} {row['rcumap_range']:>13}"
            print(line)

    def get(m, w, t, f):
        for row in summary:
            if (row["map"], row["workload"], row["threads"]) == (m, w, t) and row.get(f):
                return float(row[f])
        return None

    print("\nTargets (issue 5; reported, not enforced):")
    top = max(threads)
    checks = [
        ("lookups >= 1.5x rculfhash (lookup, %d thr)" % top, get("hash", "lookup", top, "rcumap_vs_rculfhash"), 1.5),
        ("99/1 >= 3x mutex table at 2 threads", get("hash", "99-1", 2, "rcumap_vs_mutex"), 3.0),
        ("70/30 >= 1.5x mutex table at 2 threads", get("hash", "70-30", 2, "rcumap_vs_mutex"), 1.5),
        ("2-thread lookups >= 1.9x 1-thread", get("hash", "lookup", 2, "rcumap_scaling"), 1.9),
    ]
    for name, val, goal in checks:
        state = "n/a (no data)" if val is None else f"{val:.2f}x: {'met' if val >= goal else 'NOT met'}"
        print(f"  {name:45} {state}")

    if not shutil.which("gnuplot"):
        print("\n(no gnuplot: no plots)")
        return 0
    for m, workloads in maps.items():
        data = os.path.join(out, f"{m}.dat")
        with open(data, "w") as f:
            for w in workloads:
                f.write(f"# {w}\nthreads " + " ".join(impls[m]) + "\n")
                for t in threads:
                    vals = [median((m, w, i, t)) for i in impls[m]]
                    f.write(f"{t} " + " ".join("?" if v is None else f"{v:.3f}" for v in vals) + "\n")
                f.write("\n\n")
        png = os.path.join(out, f"{m}.png")
        script = [
            "set terminal pngcairo size %d,420 font 'sans,10'" % (430 * len(workloads)),
            f"set output '{png}'",
            f"set multiplot layout 1,{len(workloads)} title '{m}: throughput, median of {runs} runs'",
            "set xlabel 'threads'", "set ylabel 'Mops/s'", "set yrange [0:*]",
            "set xtics 1", "set key below horizontal", "set grid", "set datafile missing '?'",
        ]
        for idx, w in enumerate(workloads):
            plots = ", ".join(f"'{data}' index {idx} using 1:{c + 2} with linespoints lw 2 title '{i}'"
                              for c, i in enumerate(impls[m]))
            script += [f"set title '{w}'", f"plot [{min(threads) - 0.2}:{max(threads) + 0.2}] {plots}"]
        script.append("unset multiplot")
        gnuplot(script)
        print(f"plot: {png}")
    return 0


# ---- make bench: tools/bench/bench.sh -----------------------------------

def guest_report(out, accel):
    IMPLS = {
        "hash": ["rcumap", "rcumap-bulk", "rhashtable", "spinlock", "rwlock", "bucketlock",
                 "floor"],
        "ptab": ["rcumap", "xarray", "idr"],
        "user": ["ioctl", "bpf"],
        "counter": ["percpu", "atomic", "rht-atomic"],
        "lru": ["lru", "rcumap"],
    }
    BASE = {"hash": "rcumap", "ptab": "rcumap", "user": "ioctl", "counter": "percpu", "lru": "lru"}
    WORKLOADS = {
        "hash": ["lookup", "99-1", "90-10", "70-30", "lookup-still", "lookup-resize",
                 "resize-cost"],
        "ptab": ["lookup", "churn", "mixed", "hot"],
        "user": ["lookup", "update", "delete", "insert", "batch-lookup", "batch-update",
                 "lookup-bulk"],
        "counter": ["inc"],
        "lru": ["lookup", "insert-evict"],
    }
    TITLES = {
        "hash": "Hash tables in the kernel (rcumap_bench.ko)",
        "ptab": "Process tables in the kernel (rcumap_bench.ko)",
        "user": "From user space: /dev/rcumap ioctls (ioctl) against bpf(2) on BPF_MAP_TYPE_HASH (bpf)",
        "counter": ("Per-CPU counters of a hot key set: rcumap_percpu_hash + this_cpu_inc() (percpu)"
                    " against rcumap_hash / rhashtable + atomic64_inc()"),
        "lru": ("LRU hash: rcumap_lru_hash_lookup() (lru) against rcumap_hash_lookup() (rcumap)"
                " on the same shape; insert-evict: rcumap_lru_hash_update() of new keys, full table"),
    }

    rate = defaultdict(dict)  # (map, workload, impl, entries, threads) -> {round: ops/s}
    errors = 0
    with open(os.path.join(out, "results.csv")) as f:
        for r in csv.DictReader(f):
            key = (r["map"], r["workload"], r["impl"], int(r["entries"]), int(r["threads"]))
            rate[key][int(r["round"])] = float(r["ops_per_sec"])
            errors += int(r["errors"])
    memory = {}
    mem_path = os.path.join(out, "memory.csv")
    if os.path.exists(mem_path):
        with open(mem_path) as f:
            for r in csv.DictReader(f):
                memory[(r["map"], r["impl"], int(r["entries"]))] = int(r["bytes"])

    def median(key):
        return median_of(rate, key)

    def ratio(a, b):
        return ratio_of(rate, a, b)

    rounds = max((len(v) for v in rate.values()), default=0)
    # map=worst has tables of its own (below): its rows in results.csv are the
    # means of its latency samples.
    maps = order({k[0] for k in rate if k[0] != "worst"}, IMPLS)
    summary = []
    banner = ("KVM" if accel == "kvm" else
              "TCG: emulated CPUs, no KVM; absolute numbers mean little, read the ratios")
    print(f"\n==== rcumap benchmarks, guest under {banner}")
    print(f"Mops/s: median of {rounds} round(s).  'x' columns: the first column's"
          " throughput (rcumap; percpu for counter, lru for lru) over the peer's,\n"
          "median of same-round ratios (above 1: the first column is faster).")

    for m in maps:
        impls = order({k[2] for k in rate if k[0] == m}, IMPLS.get(m, []))
        base = BASE.get(m, impls[0])
        peers = [i for i in impls if i != base]
        print(f"\n== {TITLES.get(m, m)}")
        workloads = order({k[1] for k in rate if k[0] == m}, WORKLOADS.get(m, []))
        for w in workloads:
            sizes = sorted({k[3] for k in rate if k[0] == m and k[1] == w})
            for n in sizes:
                thr = sorted({k[4] for k in rate if k[:2] == (m, w) and k[3] == n})
                print(f"\n{m} {w}, {n} entries")
                hdr = f"{'thr':>3} " + "".join(f"{i:>12}" for i in impls)
                hdr += "  |" + "".join(f"{'/' + p:>12}" for p in peers)
                print(hdr)
                for t in thr:
                    row = {"map": m, "workload": w, "entries": n, "threads": t}
                    line = f"{t:>3} "
                    for i in impls:
                        v = median((m, w, i, n, t))
                        row[i + "_mops"] = "" if v is None else f"{v / 1e6:.3f}"
                        line += f"{fmt(None if v is None else v / 1e6, '.3f'):>12}"
                    line += "  |"
                    for p in peers:
                        rv = ratio((m, w, base, n, t), (m, w, p, n, t))
                        row[base + "_vs_" + p] = "" if rv is None else f"{rv:.2f}"
                        line += f"{fmt(rv, '.2f', 'x'):>12}"
                    print(line)
                    summary.append(row)

    if memory:
        print("\n== Memory: bytes per entry (what each table allocates, slab rounding"
              " included)")
        for m in order({k[0] for k in memory}, IMPLS):
            impls = order({k[1] for k in memory if k[0] == m}, IMPLS.get(m, []))
            print(f"\n{m:>9} " + "".join(f"{i:>11}" for i in impls))
            for n in sorted({k[2] for k in memory if k[0] == m}):
                line = f"{n:>9} "
                for i in impls:
                    b = memory.get((m, i, n))
                    line += f"{fmt(None if b is None else b / n, '.1f'):>11}"
                print(line)

    # Lookups while the table resizes (rcumap_bench.ko map=resize): for each
    # table, lookups/s of the readers with thread 0 resizing over the same
    # with thread 0 idle, and rcumap's cost of a resize per entry moved.
    resize_rows = []
    for n in sorted({k[3] for k in rate if k[:2] == ("hash", "lookup-resize")}):
        for i in order({k[2] for k in rate if k[:2] == ("hash", "lookup-resize")}, IMPLS["hash"]):
            for t in sorted({k[4] for k in rate if k[:3] == ("hash", "lookup-resize", i) and k[3] == n}):
                still = median(("hash", "lookup-still", i, n, t))
                moving = median(("hash", "lookup-resize", i, n, t))
                rv = ratio(("hash", "lookup-resize", i, n, t), ("hash", "lookup-still", i, n, t))
                cost = median(("hash", "resize-cost", i, n, 1))
                resize_rows.append([i, n, t, fmt(None if still is None else still / 1e6, ".3f"),
                                    fmt(None if moving is None else moving / 1e6, ".3f"),
                                    fmt(rv, ".2f", "x"),
                                    fmt(None if not cost else 1e9 / cost, ".1f")])
                summary.append({"map": "resize", "workload": "lookup", "entries": n, "threads": t,
                                "impl": i, "still_mops": "" if still is None else f"{still / 1e6:.3f}",
                                "resize_mops": "" if moving is None else f"{moving / 1e6:.3f}",
                                "resize_vs_still": "" if rv is None else f"{rv:.2f}",
                                "resize_ns_per_entry": "" if not cost else f"{1e9 / cost:.1f}"})
    RESIZE_HEADERS = ["table", "keys", "readers", "still Mops/s", "resizing Mops/s",
                      "resizing/still", "resize ns/entry"]
    if resize_rows:
        print("\n== Lookups while the table resizes: readers on every CPU but one;"
              " that one resizes\n   (rcumap: rcumap_hash_resize() between N/4 and 4N"
              " buckets; rhashtable: its worker, driven\n   by inserting and deleting 3N"
              " more keys) or sleeps (still).  ns/entry: one x2 or /2 step\n   of rcumap,"
              " synchronize_rcu() included, over the entries it moves.")
        print("".join(f"{h:>17}" for h in RESIZE_HEADERS))
        for row in resize_rows:
            print("".join(f"{str(c):>17}" for c in row))

    def rst_table(headers, rows):
        """A reStructuredText simple table."""
        widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
        rule = "  ".join("=" * w for w in widths)
        lines = [rule, "  ".join(f"{h:<{w}}" for h, w in zip(headers, widths)), rule]
        lines += ["  ".join(f"{str(c):<{w}}" for c, w in zip(r, widths)) for r in rows]
        return "\n".join(line.rstrip() for line in lines + [rule])

    # The worst-case benchmark (rcumap_bench.ko map=worst): latency of single
    # operations, typical geometry against the worst a caller can create, and
    # the process table's ids per insert and walk cost after churn.
    WORST_TARGET = 20.0
    WORST_OPS = ["clock", "delay", "hit", "miss", "replace", "delete", "insert", "lru", "lru-used"]
    WORST_CONTROLS = {"clock", "delay"}
    WORST_NAMES = {
        "clock": "(clock)", "delay": "(udelay)", "hit": "lookup hit", "miss": "lookup miss",
        "replace": "update (replace)", "delete": "delete", "insert": "insert (re-insert)",
        "lru": "LRU insert", "lru-used": "LRU insert, used",
    }
    latency = {}  # (value_size, op, geometry) -> row
    lat_path = os.path.join(out, "latency.csv")
    if os.path.exists(lat_path):
        with open(lat_path) as f:
            for r in csv.DictReader(f):
                latency[(int(r["value_size"]), r["op"], r["geometry"])] = r
                errors += int(r["errors"])
    ptab_cost = []
    cost_path = os.path.join(out, "ptab_cost.csv")
    if os.path.exists(cost_path):
        with open(cost_path) as f:
            ptab_cost = list(csv.DictReader(f))

    def us(ns):
        return f"{int(ns) / 1000:.2f}"

    def worst_ratio(vs, op, field, typical_op=None):
        t = latency.get((vs, typical_op or op, "typical"))
        w = latency.get((vs, op, "worst"))
        if not t or not w or int(t[field]) == 0:
            return None
        return int(w[field]) / int(t[field])

    WORST_HEADERS = ["operation", "typical mean", "p99.9", "max", "worst mean", "p99.9",
                     "max", "worst/typical mean", "p99.9", "max"]
    # Where the tails come from: p99; per geometry, the samples during which
    # the thread was switched out (sw), the CPU took an interrupt or ran
    # softirqs (irq), or neither (quiet); p99.9 and max of the quiet samples.
    TAIL_HEADERS = ["operation", "typical p99", "worst p99", "ratio", "sw/irq/quiet typ",
                    "worst", "quiet p99.9 typ", "worst", "ratio", "quiet max typ", "worst",
                    "ratio"]
    worst_rows = {}  # value_size -> rows
    tail_rows = {}  # value_size -> rows
    for vs in sorted({k[0] for k in latency}):
        rows = []
        for op in order({k[1] for k in latency if k[0] == vs}, WORST_OPS):
            t, w = latency.get((vs, op, "typical")), latency.get((vs, op, "worst"))
            if not t or not w:
                continue
            ratios = [worst_ratio(vs, op, fld) for fld in ("mean_ns", "p999_ns", "max_ns")]
            rows.append([WORST_NAMES.get(op, op), us(t["mean_ns"]), us(t["p999_ns"]), us(t["max_ns"]),
                         us(w["mean_ns"]), us(w["p999_ns"]), us(w["max_ns"])] +
                        [fmt(rv, ".1f", "x") for rv in ratios])
            tail_rows.setdefault(vs, []).append(
                [WORST_NAMES.get(op, op), us(t["p99_ns"]), us(w["p99_ns"]),
                 fmt(worst_ratio(vs, op, "p99_ns"), ".1f", "x"),
                 f"{t['switched']}/{t['interrupted']}/{t['quiet']}",
                 f"{w['switched']}/{w['interrupted']}/{w['quiet']}",
                 us(t["quiet_p999_ns"]), us(w["quiet_p999_ns"]),
                 fmt(worst_ratio(vs, op, "quiet_p999_ns"), ".1f", "x"),
                 us(t["quiet_max_ns"]), us(w["quiet_max_ns"]),
                 fmt(worst_ratio(vs, op, "quiet_max_ns"), ".1f", "x")])
            summary.append({"map": "worst", "workload": op, "entries": int(t["entries"]),
                            "threads": 1, "value_size": vs, "samples": int(t["samples"]),
                            "typical_mean_ns": t["mean_ns"], "typical_p999_ns": t["p999_ns"],
                            "typical_max_ns": t["max_ns"], "worst_mean_ns": w["mean_ns"],
                            "worst_p999_ns": w["p999_ns"], "worst_max_ns": w["max_ns"],
                            "worst_vs_typical_mean": fmt(ratios[0], ".2f"),
                            "worst_vs_typical_p999": fmt(ratios[1], ".2f"),
                            "worst_vs_typical_max": fmt(ratios[2], ".2f")})
        worst_rows[vs] = rows
        if not rows:
            continue
        any_row = next(iter(v for k, v in latency.items() if k[0] == vs))
        print(f"\n== Worst case against typical (map=worst): {any_row['entries']} keys (8 bytes),"
              f" {vs}-byte values, one thread,\n   {any_row['samples']} samples of each."
              "  Typical: one bucket per entry, random keys.  Worst: the fewest buckets the\n"
              "   bound allows (max_entries / 64), every bucket at 64 keys.  LRU: insert of a new"
              " key into\n   a full table (one eviction); 'used': every key looked up, so each"
              " eviction passes\n   RCUMAP_LRU_SCAN_LIMIT used keys first.  Microseconds, ktime_get_ns() around each"
              f" operation (the clock row).\n   Target: worst within {WORST_TARGET:.0f}x typical.")
        widths = [20, 13, 10, 10, 11, 10, 10, 19, 8, 8]
        print("".join(f"{h:>{w}}" for h, w in zip(WORST_HEADERS, widths)))
        for row in rows:
            print("".join(f"{str(c):>{w}}" for c, w in zip(row, widths)))
        print("   Tails: p99; samples during which the thread was switched out (sw: preempted"
              " by a\n   worker, or asleep in an allocation), during which its CPU took an"
              " interrupt or ran\n   softirqs (irq), and with neither (quiet); p99.9 and max of"
              " the quiet samples, which hold\n   the operation and what the host took from the"
              " vCPU.  (udelay) is a busy wait of fixed\n   length: its tail is what the"
              " machine adds, not the maps.")
        widths = [20, 12, 10, 7, 17, 15, 16, 10, 7, 14, 10, 7]
        print("".join(f"{h:>{w}}" for h, w in zip(TAIL_HEADERS, widths)))
        for row in tail_rows.get(vs, []):
            print("".join(f"{str(c):>{w}}" for c, w in zip(row, widths)))

    PTAB_COST_HEADERS = ["capacity", "full", "ids/insert", "walk ns/obj fresh", "after churn",
                         "churn/fresh", "loads/obj fresh", "after churn", "churn/fresh"]

    def ptab_walk_ratio(r):
        """Walk cost after churn over right after filling: in loads where counted, else ns."""
        lf, lc = int(r["fresh_walk_loads_per_obj_x100"]), int(r["walk_loads_per_obj_x100"])
        if lf > 0 and lc >= 0:
            return lc / lf
        fresh = int(r["fresh_walk_ns_per_obj"])
        return int(r["walk_ns_per_obj"]) / fresh if fresh else None

    ptab_cost_rows = []
    for r in ptab_cost:
        fresh, churned = int(r["fresh_walk_ns_per_obj"]), int(r["walk_ns_per_obj"])
        lf, lc = int(r["fresh_walk_loads_per_obj_x100"]), int(r["walk_loads_per_obj_x100"])
        ptab_cost_rows.append([r["capacity"], r["full_pct"] + "%",
                               f"{int(r['ids_per_insert_x100']) / 100:.2f}", fresh, churned,
                               fmt(churned / fresh if fresh else None, ".1f", "x"),
                               "-" if lf < 0 else f"{lf / 100:.2f}",
                               "-" if lc < 0 else f"{lc / 100:.2f}",
                               fmt(lc / lf if lf > 0 and lc >= 0 else None, ".1f", "x")])
        summary.append({"map": "ptab-cost", "workload": "churn", "entries": int(r["capacity"]),
                        "threads": 1, "full_pct": r["full_pct"],
                        "ids_per_insert": f"{int(r['ids_per_insert_x100']) / 100:.2f}",
                        "fresh_walk_ns_per_obj": fresh, "walk_ns_per_obj": churned,
                        "fresh_walk_loads_per_obj": "" if lf < 0 else f"{lf / 100:.2f}",
                        "walk_loads_per_obj": "" if lc < 0 else f"{lc / 100:.2f}"})
    if ptab_cost_rows:
        print("\n== Process table after churn with random frees (map=worst): ids used per insert,"
              " and a\n   whole walk in id order per object returned, right after filling (fresh)"
              " and after\n   9 x capacity random replacements; loads: group counters, bitmap"
              " words and slots.")
        widths = [9, 6, 11, 18, 12, 12, 16, 12, 12]
        print("".join(f"{h:>{w}}" for h, w in zip(PTAB_COST_HEADERS, widths)))
        for row in ptab_cost_rows:
            print("".join(f"{str(c):>{w}}" for c, w in zip(row, widths)))

    # The same results as reStructuredText, for Documentation/benchmarks-guest.rst.
    with open(os.path.join(out, "tables.rst"), "w") as f:
        for m in maps:
            impls = order({k[2] for k in rate if k[0] == m}, IMPLS.get(m, []))
            base = BASE.get(m, impls[0])
            peers = [i for i in impls if i != base]
            headers = ["workload", "entries", "thr", base + " Mops/s"] + ["/" + p for p in peers]
            rows = []
            for row in summary:
                if row["map"] != m:
                    continue
                rows.append([row["workload"], row["entries"], row["threads"],
                             row.get(base + "_mops") or "-"] +
                            [(row.get(base + "_vs_" + p) or "-") + ("x" if row.get(base + "_vs_" + p) else "")
                             for p in peers])
            f.write(f"{TITLES.get(m, m)}:\n\n{rst_table(headers, rows)}\n\n")
        if resize_rows:
            f.write("Lookups while the table resizes:\n\n"
                    f"{rst_table(RESIZE_HEADERS, resize_rows)}\n\n")
        for vs, rows in worst_rows.items():
            if rows:
                f.write(f"Worst case against typical, {vs}-byte values (us; ratios worst/typical):"
                        f"\n\n{rst_table(WORST_HEADERS, rows)}\n\n"
                        f"Their tails, {vs}-byte values (us):\n\n"
                        f"{rst_table(TAIL_HEADERS, tail_rows[vs])}\n\n")
        if ptab_cost_rows:
            f.write("Process table after churn with random frees:\n\n"
                    f"{rst_table(PTAB_COST_HEADERS, ptab_cost_rows)}\n\n")
        if memory:
            for m in order({k[0] for k in memory}, IMPLS):
                impls = order({k[1] for k in memory if k[0] == m}, IMPLS.get(m, []))
                rows = [[n] + [fmt(None if memory.get((m, i, n)) is None else memory[(m, i, n)] / n, ".1f")
                               for i in impls]
                        for n in sorted({k[2] for k in memory if k[0] == m})]
                f.write(f"Bytes per entry ({m}):\n\n{rst_table(['entries'] + impls, rows)}\n\n")

    fields = []
    for row in summary:
        for k in row:
            if k not in fields:
                fields.append(k)
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields, restval="")
        wr.writeheader()
        wr.writerows(summary)

    def r_of(m, w, peer, n, t):
        return ratio((m, w, BASE[m], n, t), (m, w, peer, n, t))

    targets = []
    all_threads = sorted({k[4] for k in rate})
    hash_sizes = sorted({k[3] for k in rate if k[0] == "hash" and k[1] in WORKLOADS["hash"][:4]})
    ptab_sizes = sorted({k[3] for k in rate if k[0] == "ptab"})
    user_sizes = sorted({k[3] for k in rate if k[0] == "user"})
    for n in hash_sizes:
        for t in (1, 2):
            targets.append((f"hash lookups >= 1.3x rhashtable, {t} CPU(s), {n} entries",
                            r_of("hash", "lookup", "rhashtable", n, t), 1.3, False))
        targets.append((f"90/10 at 2 CPUs >= 5x spinlock table, {n} entries",
                        r_of("hash", "90-10", "spinlock", n, 2), 5.0, False))
        targets.append((f"90/10 at 2 CPUs >= 3x rwlock table, {n} entries",
                        r_of("hash", "90-10", "rwlock", n, 2), 3.0, False))
        for t in (1, 2):
            bulk = r_of("hash", "lookup", "rcumap-bulk", n, t)
            targets.append((f"in-kernel bulk lookups >= 1.5x single lookups, {t} CPU(s), {n} entries",
                            None if not bulk else 1 / bulk, 1.5, False))
        fl = r_of("hash", "lookup", "floor", n, 1)
        targets.append((f"lookup cost <= 1.5x unsynchronized floor, {n} entries",
                        None if not fl else 1 / fl, 1.5, True))
    for n in ptab_sizes:
        for t in all_threads:
            targets.append((f"ptab lookup >= 2x xa_load, {t} CPU(s), {n} ids",
                            r_of("ptab", "lookup", "xarray", n, t), 2.0, False))
            targets.append((f"ptab churn >= 1.5x xa_alloc_cyclic+xa_erase, {t} CPU(s), {n} ids",
                            r_of("ptab", "churn", "xarray", n, t), 1.5, False))
    for n in user_sizes:
        for t in all_threads:
            targets.append((f"ioctl lookups >= 1.2x bpf(2) lookups, {t} CPU(s), {n} keys",
                            r_of("user", "lookup", "bpf", n, t), 1.2, False))
            targets.append((f"LOOKUP_BULK >= 3x single LOOKUP ioctls, {t} CPU(s), {n} keys",
                            ratio(("user", "lookup-bulk", "ioctl", n, t),
                                  ("user", "lookup", "ioctl", n, t)), 3.0, False))
            targets.append((f"LOOKUP_BULK >= 3x bpf(2) lookups, {t} CPU(s), {n} keys",
                            r_of("user", "lookup-bulk", "bpf", n, t), 3.0, False))
    for r in ptab_cost:
        pct, cap = int(r["full_pct"]), r["capacity"]
        goal = 1.3 if pct <= 50 else 6.0
        targets.append((f"ptab ids per insert <= {goal}, {pct}% full, capacity {cap}",
                        int(r["ids_per_insert_x100"]) / 100, goal, True))
        targets.append((f"ptab walk after churn <= {WORST_TARGET:.0f}x fresh (loads), {pct}% full,"
                        f" capacity {cap}", ptab_walk_ratio(r), WORST_TARGET, True))
    print("\n== Targets of issues 8, 14 and 15 (reported, not enforced)")
    for name, val, goal, at_most in targets:
        if val is None:
            state = "n/a (not measured)"
        else:
            ok = val <= goal if at_most else val >= goal
            unit = "" if "ids per insert" in name else "x"
            state = f"{val:5.2f}{unit}  {'met' if ok else 'NOT met'}"
        print(f"  {name:75} {state}")
    # The worst-case table's target, one line per operation: worst over typical
    # of the mean, of p99.9 (of the quiet samples in brackets) and of the max.
    for vs in worst_rows:
        pairs = [(op, op) for op in order({k[1] for k in latency if k[0] == vs}, WORST_OPS)
                 if op not in WORST_CONTROLS]
        if (vs, "lru-used", "worst") in latency and (vs, "lru", "typical") in latency:
            pairs.append(("lru-used", "lru"))
        for op, base in pairs:
            r = {fld: worst_ratio(vs, op, fld, base)
                 for fld in ("mean_ns", "p999_ns", "quiet_p999_ns", "max_ns")}
            name = WORST_NAMES.get(op, op)
            if base != op:
                name += " (worst) over LRU insert (typical)"
            bad = [f for f in ("mean", "p99.9", "quiet p99.9", "max")
                   if (r[{"mean": "mean_ns", "p99.9": "p999_ns", "quiet p99.9": "quiet_p999_ns",
                          "max": "max_ns"}[f]] or 0) > WORST_TARGET]
            print(f"  worst {name} <= {WORST_TARGET:.0f}x typical, {vs}-byte values:"
                  f"\n      mean {fmt(r['mean_ns'], '.1f', 'x')}, p99.9 {fmt(r['p999_ns'], '.1f', 'x')}"
                  f" (quiet {fmt(r['quiet_p999_ns'], '.1f', 'x')}), max {fmt(r['max_ns'], '.1f', 'x')}:"
                  f" {'met' if not bad else 'NOT met (' + ', '.join(bad) + ')'}")
    print(f"\nGuest under {banner}.")
    if errors:
        print(f"\n{errors} operation(s) failed: see the kernel log in the run directory")

    def size_name(n):
        for unit, div in (("M", 1 << 20), ("K", 1 << 10)):
            if n >= div and n % div == 0:
                return f"{n // div}{unit}"
        return str(n)

    if not shutil.which("gnuplot"):
        print("\n(no gnuplot: no plots)")
        return 1 if errors else 0

    pngs = []
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#7f7f7f"]
    # The resize benchmark has its own table above, and sizes of its own: no plots.
    NO_PLOT = {"lookup-still", "lookup-resize", "resize-cost"}
    for m in maps:
        impls = order({k[2] for k in rate if k[0] == m}, IMPLS.get(m, []))
        base = BASE.get(m, impls[0])
        peers = [i for i in impls if i != base]
        workloads = order({k[1] for k in rate if k[0] == m and k[1] not in NO_PLOT},
                          WORKLOADS.get(m, []))
        sizes = sorted({k[3] for k in rate if k[0] == m and k[1] not in NO_PLOT})
        thr = sorted({k[4] for k in rate if k[0] == m and k[1] not in NO_PLOT})
        if not workloads:
            continue

        # Throughput against threads: one panel per workload and size.
        data = os.path.join(out, f"throughput-{m}.dat")
        panels = []
        with open(data, "w") as f:
            for n in sizes:
                for w in workloads:
                    f.write(f"# {w} {n}\n")
                    for t in thr:
                        vals = [median((m, w, i, n, t)) for i in impls]
                        f.write(f"{t} " + " ".join("?" if v is None else f"{v / 1e6:.4f}"
                                                   for v in vals) + "\n")
                    f.write("\n\n")
                    panels.append((w, n))
        png = os.path.join(out, f"throughput-{m}.png")
        script = [
            f"set terminal pngcairo size {330 * len(workloads)},{300 * len(sizes) + 60} font 'sans,9'",
            f"set output '{png}'",
            f"set multiplot layout {len(sizes)},{len(workloads)} title "
            f"'{m}: throughput against threads (Mops/s, median of {rounds} rounds, {accel.upper()} guest)'",
            "set xlabel 'threads'", "set yrange [0:*]", "set xtics 1", "set grid",
            "set key below horizontal font 'sans,8'", "set datafile missing '?'",
            f"set xrange [{min(thr) - 0.3}:{max(thr) + 0.3}]",
        ]
        for idx, (w, n) in enumerate(panels):
            lines = ", ".join(
                f"'{data}' index {idx} using 1:{c + 2} with linespoints lw 2 pt 7 "
                f"lc rgb '{colors[c % len(colors)]}' title '{i}'"
                for c, i in enumerate(impls))
            script += [f"set title '{w}, {n} entries'", f"plot {lines}"]
        script.append("unset multiplot")
        gnuplot(script)
        pngs.append(png)

        # Ratio bars: one panel per thread count, a cluster per workload.
        data = os.path.join(out, f"ratios-{m}.dat")
        with open(data, "w") as f:
            for t in thr:
                f.write(f"# threads {t}: workload, then rcumap over " + " ".join(peers) + "\n")
                for n in sizes:
                    for w in workloads:
                        vals = [r_of(m, w, p, n, t) if m in BASE else None for p in peers]
                        label = w if len(sizes) == 1 else f"{w}/{size_name(n)}"
                        f.write(f"{label} " + " ".join("?" if v is None else f"{v:.3f}"
                                                       for v in vals) + "\n")
                f.write("\n\n")
        png = os.path.join(out, f"ratios-{m}.png")
        script = [
            f"set terminal pngcairo size {max(900, 90 * len(workloads) * len(sizes))},"
            f"{330 * len(thr) + 60} font 'sans,9'",
            f"set output '{png}'",
            f"set multiplot layout {len(thr)},1 title "
            f"'{m}: {base} throughput over each peer (above 1: {base} faster; {accel.upper()} guest)'",
            "set termoption noenhanced",
            "set style data histograms", "set style histogram clustered gap 1",
            "set style fill solid 0.8 border -1", "set boxwidth 0.9",
            "set datafile missing '?'", "set grid ytics", "set yrange [0:*]",
            "set xtics rotate by -30 font 'sans,8'", "set key outside right top",
            f"set xrange [-0.6:{len(workloads) * len(sizes) - 0.4}]",
        ]
        for idx, t in enumerate(thr):
            # Only the peers measured at this thread count (the floor: 1 only).
            bars = ", ".join(
                f"'{data}' index {idx} using {c + 2}:xtic(1) lc rgb '{colors[(c + 1) % len(colors)]}' title '/{p}'"
                for c, p in enumerate(peers)
                if any(r_of(m, w, p, n, t) is not None for w in workloads for n in sizes))
            line = "1 with lines lc rgb 'black' dt 2 notitle"
            script += [f"set title '{t} thread(s)'",
                       f"plot {bars + ', ' if bars else ''}{line}"]
        script.append("unset multiplot")
        gnuplot(script)
        pngs.append(png)

    if pngs:
        print("\nplots: " + " ".join(pngs))
    return 1 if errors else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "--native":
        return native_report(argv[2], argv[3])
    if len(argv) == 3 and not argv[1].startswith("-"):
        return guest_report(argv[1], argv[2])
    sys.exit("usage: report.py OUT_DIR ACCEL | report.py --native RAW_CSV OUT_DIR")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
