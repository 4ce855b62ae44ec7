#!/usr/bin/env python3
"""Plot the RSS samples of scripts/kafka/soak.sh as an SVG (stdlib only).

Usage: soakplot.py rss.tsv restarts.tsv out.svg TITLE
rss.tsv: t_s rss_kb; restarts.tsv: t_s node seconds [rc] (vertical markers).
"""
import sys

rss_path, restarts_path, out, title = sys.argv[1:5]
pts = [tuple(map(float, l.split("\t"))) for l in open(rss_path).read().splitlines()[1:] if l]
rs = [tuple(map(float, l.split("\t"))) for l in open(restarts_path).read().splitlines()[1:] if l]
W, H, L, R, T, B = 900, 420, 70, 20, 46, 50
tmax = max(max(t for t, _ in pts), 1)
ymax = max(r for _, r in pts) / 1024 * 1.15
x = lambda t: L + (W - L - R) * t / tmax
y = lambda mib: H - B - (H - T - B) * mib / ymax
s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
     f'<rect width="{W}" height="{H}" fill="white"/>',
     f'<text x="{W/2}" y="18" text-anchor="middle" font-size="14">netbeat RSS, output.franz soak against a 3-node Kafka cluster</text>',
     f'<text x="{W/2}" y="34" text-anchor="middle" font-size="11">{title}</text>']
for i in range(6):
    v = ymax * i / 5
    s.append(f'<line x1="{L}" y1="{y(v):.1f}" x2="{W-R}" y2="{y(v):.1f}" stroke="#ddd"/>')
    s.append(f'<text x="{L-6}" y="{y(v)+4:.1f}" text-anchor="end">{v:.0f}</text>')
for i in range(11):
    t = tmax * i / 10
    s.append(f'<text x="{x(t):.1f}" y="{H-B+16}" text-anchor="middle">{t:.0f}</text>')
for t, node, secs, *_ in rs:
    s.append(f'<line x1="{x(t):.1f}" y1="{T}" x2="{x(t):.1f}" y2="{H-B}" stroke="#d62728" stroke-dasharray="4,3"/>')
    s.append(f'<text x="{x(t)+3:.1f}" y="{T+12}" fill="#d62728">node {int(node)}</text>')
path = " ".join(f"{x(t):.1f},{y(r/1024):.1f}" for t, r in pts)
s.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
s.append(f'<line x1="{L}" y1="{H-B}" x2="{W-R}" y2="{H-B}" stroke="black"/><line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="black"/>')
s.append(f'<text x="{(L+W-R)/2}" y="{H-12}" text-anchor="middle">seconds since start (dashed: node restarted)</text>')
s.append(f'<text x="16" y="{(T+H-B)/2}" transform="rotate(-90 16 {(T+H-B)/2})" text-anchor="middle">RSS (MiB)</text>')
s.append("</svg>")
open(out, "w").write("\n".join(s) + "\n")
