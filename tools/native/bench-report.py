#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py RAW_CSV OUT_DIR - medians, ratios, plots of bench.sh's runs.

Throughput is the median over runs.  A ratio (rcumap against a peer) is the
median of the per-run ratios, each taken between two measurements made one
after the other in the same round.  Writes OUT_DIR/summary.csv and, if
gnuplot is installed, one PNG per map; prints a table and the issue's
targets, which are reported, not enforced.
"""
import csv
import os
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict

raw_path, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(raw_path)))
mops = defaultdict(dict)  # (map, workload, impl, threads) -> {run: mops}
for r in rows:
    key = (r["map"], r["workload"], r["impl"], int(r["threads"]))
    mops[key][r["run"]] = float(r["mops"])

maps = {"hash": ["lookup", "99-1", "70-30"], "ptab": ["99-1", "70-30"]}
impls = {"hash": ["rcumap", "rculfhash", "mutex", "rwlock"], "ptab": ["rcumap", "mutex"]}
threads = sorted({k[3] for k in mops})


def median(key):
    runs = mops.get(key)
    return statistics.median(runs.values()) if runs else None


def ratio(a, b):
    """Median over runs of a/b, both measured in the same run."""
    ra, rb = mops.get(a, {}), mops.get(b, {})
    per_run = [ra[r] / rb[r] for r in ra if r in rb and rb[r] > 0]
    return statistics.median(per_run) if per_run else None


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

gnuplot = shutil.which("gnuplot")
if not gnuplot:
    print("\n(no gnuplot: no plots)")
    sys.exit(0)
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
    subprocess.run([gnuplot], input="\n".join(script), text=True, check=True)
    print(f"plot: {png}")
