#!/usr/bin/env python3
"""Plot scripts/compare/compare.sh results (issue #7).

Usage: python3 scripts/compare/plot.py RESULTS.tsv PACKETS OUT.png
RESULTS.tsv rows: name run wall cpu rss_kb events eff load_before load_after
Left: capture packets/s (median of runs, on "eff s"; whiskers min..max).
Right: CPU seconds (user+sys, median) for the whole capture.
"""
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

tsv, packets, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = {}
for line in open(tsv):
    f = line.rstrip("\n").split("\t")
    rows.setdefault(f[0], []).append((float(f[6]), float(f[3])))

names = list(rows)
pps = [[packets / e for e, _ in rows[n]] for n in names]
med = [statistics.median(p) for p in pps]
lo = [m - min(p) for m, p in zip(med, pps)]
hi = [max(p) - m for m, p in zip(med, pps)]
cpu = [statistics.median(c for _, c in rows[n]) for n in names]

def color(n):
    return "tab:blue" if n.startswith("netbeat") else "tab:orange" if n.startswith("packetbeat") else "tab:green" if n.startswith("tshark") else "tab:gray"

colors = [color(n) for n in names]
labels = [f"{n} ({len(rows[n])}x)" for n in names]
fig, (a, b) = plt.subplots(1, 2, figsize=(13, 0.45 * len(names) + 1.8), sharey=True)
y = range(len(names))
a.barh(y, med, xerr=[lo, hi], color=colors, capsize=3)
a.set_xscale("log")
a.set_xlim(right=max(m + h for m, h in zip(med, hi)) * 5)
a.set_xlabel("capture packets/s (median, log scale; whiskers min–max)")
for i, m in enumerate(med):
    a.text(m, i, f" {m:,.0f}", va="center", fontsize=8)
a.set_yticks(list(y))
a.set_yticklabels(labels, fontsize=8)
a.invert_yaxis()
b.barh(y, cpu, color=colors)
b.set_xlabel("CPU s (user+sys, median) for the capture")
for i, c in enumerate(cpu):
    b.text(c, i, f" {c:.1f}", va="center", fontsize=8)
fig.suptitle(f"netbeat vs packetbeat vs tshark, {packets:,} packets, 2 vCPU (issue #7)", fontsize=10)
fig.tight_layout()
fig.savefig(out, dpi=110)
print(out)
