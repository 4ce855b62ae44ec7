#!/usr/bin/env python3
"""Render netbeat's Kibana dashboards to PNG from real events.

Reads the saved objects (NDJSON) and netbeat events (output.file NDJSON),
re-implements each visualization's aggregations (count/sum/max metrics,
date_histogram, histogram, terms, geohash_grid; the KQL subset the objects
use) and draws one PNG per dashboard with matplotlib.

  python3 tools/render/render.py --out docs/images \
      --dashboard netbeat-overview=events-mixed.ndjson ...
"""
import argparse, collections, datetime as dt, fnmatch, glob, json, re, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

def load_objects(paths):
    objs = {}
    for p in paths:
        for f in glob.glob(p):
            for line in open(f):
                if line.strip():
                    o = json.loads(line)
                    objs[(o["type"], o["id"])] = o
    return objs

def get(ev, field):
    """The field's value; through arrays of objects (netbeat-status's
    sources[]) a list of the members' values, as Elasticsearch indexes them."""
    v = ev
    for part in field.split("."):
        if isinstance(v, list):
            vs = [x.get(part) for x in v if isinstance(x, dict) and x.get(part) is not None]
            v = [y for x in vs for y in (x if isinstance(x, list) else [x])]
            if not v:
                return None
            continue
        if not isinstance(v, dict) or part not in v:
            return None
        v = v[part]
    return v

CLAUSE = re.compile(r'([@\w.]+)\s*:\s*("([^"]*)"|\S+)')

def match_clause(ev, field, value):
    v = get(ev, field)
    if value == "*":
        return v is not None
    vals = v if isinstance(v, list) else [v]
    for x in vals:
        if isinstance(x, bool):
            x = "true" if x else "false"
        if x is not None and fnmatch.fnmatchcase(str(x), value):
            return True
    return False

def kql(query):
    """Supports clauses, each optionally negated with 'not', joined by 'and' / 'or' (no parentheses), as used here."""
    query = query.strip()
    if not query:
        return lambda ev: True
    ors = [part for part in re.split(r"\s+or\s+", query)]
    groups = []
    for o in ors:
        clauses = []
        for a in re.split(r"\s+and\s+", o):
            a = a.strip()
            neg = a.startswith("not ")
            m = CLAUSE.match(a[4:].strip() if neg else a)
            if not m:
                sys.exit("unsupported query %r" % query)
            clauses.append((m.group(1), m.group(3) if m.group(3) is not None else m.group(2), neg))
        groups.append(clauses)
    return lambda ev: any(all(match_clause(ev, f, v) != neg for f, v, neg in g) for g in groups)

def ts(ev):
    s = ev.get("@timestamp") or ev.get("timestamp")
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))

def metric_value(agg, evs):
    if agg["type"] == "count":
        return len(evs)
    if agg["params"]["field"] == "@timestamp" and agg["type"] == "max":  # max of a date: the latest
        return max((ts(e) for e in evs), default=None)
    vals = []
    for e in evs:
        v = get(e, agg["params"]["field"])
        vals += v if isinstance(v, list) else [v]
    vals = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not vals:
        return 0
    return sum(vals) if agg["type"] == "sum" else max(vals) if agg["type"] == "max" else sum(vals) / len(vals)

def sort_key(v):
    return v.timestamp() if isinstance(v, dt.datetime) else (v or 0)

def cell(v):
    if isinstance(v, dt.datetime):
        return v.strftime("%H:%M:%S")
    return "{:,}".format(round(v)) if v is not None else "-"

def metric_label(agg):
    if agg["params"].get("customLabel"):
        return agg["params"]["customLabel"]
    if agg["type"] == "count":
        return "Count"
    return "%s of %s" % (agg["type"].capitalize(), agg["params"]["field"])

def terms_buckets(agg, evs, metric):
    groups = collections.defaultdict(list)
    for e in evs:
        v = get(e, agg["params"]["field"])
        for x in (v if isinstance(v, list) else [v]):
            if x is not None:
                groups[str(x)].append(e)
    ranked = sorted(groups.items(), key=lambda kv: -sort_key(metric_value(metric, kv[1])))
    return ranked[: agg["params"]["size"]]

def nodata(ax, fields):
    ax.text(0.5, 0.5, "no events with " + ", ".join(fields) + "\nin this capture (set by the geoip/iprep plugins)",
            ha="center", va="center", fontsize=8, color="gray")
    ax.set_axis_off()

def map_as_vis(obj):
    """A Kibana Maps object drawn like a coordinate map: its first ES layer."""
    layer = [l for l in json.loads(obj["attributes"]["layerListJSON"]) if l["sourceDescriptor"]["type"].startswith("ES_")][0]
    src = layer["sourceDescriptor"]
    vis = {"attributes": {"visState": json.dumps({"title": obj["attributes"]["title"], "type": "tile_map", "aggs": [
        {"id": "1", "type": "count", "schema": "metric", "params": {}},
        {"id": "2", "type": "geohash_grid", "schema": "segment", "params": {"field": src["geoField"]}}]}),
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": layer.get("query", {"query": "", "language": "kuery"})})}},
        "references": obj["references"]}
    return vis

def draw(ax, vis, events):
    if "layerListJSON" in vis["attributes"]:
        vis = map_as_vis(vis)
    vs = json.loads(vis["attributes"]["visState"])
    ss = json.loads(vis["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    index = [r["id"] for r in vis["references"] if r["type"] == "index-pattern"][0]
    ax.set_title(vs["title"].replace("[netbeat] ", ""), fontsize=10)
    if index == "netbeat-monitoring-beats":
        ax.text(0.5, 0.5, "from .monitoring-beats-*\n(monitoring.enabled: true)\nnot in the event data", ha="center", va="center", fontsize=9, color="gray")
        ax.set_axis_off()
        return
    evs = [e for e in events if kql(ss["query"]["query"])(e)]
    aggs = [a for a in vs["aggs"] if a.get("enabled", True)]
    metrics = [a for a in aggs if a["schema"] == "metric"]
    buckets = [a for a in aggs if a["schema"] != "metric"]
    if not evs:
        ax.text(0.5, 0.5, "no matching events in this capture\nquery: " + ss["query"]["query"], ha="center", va="center", fontsize=8, color="gray", wrap=True)
        ax.set_axis_off()
        return
    m = metrics[0]
    t = vs["type"]
    if t in ("histogram", "line", "area"):
        seg = [b for b in buckets if b["schema"] == "segment"][0]
        grp = [b for b in buckets if b["schema"] == "group"]
        series = [("all", evs)] if not grp else terms_buckets(grp[0], evs, m)
        if seg["type"] == "date_histogram":
            t0 = min(ts(e) for e in evs); t1 = max(ts(e) for e in evs)
            span = max((t1 - t0).total_seconds(), 1e-3)
            n = 30
            width = span / n
            xs = [t0 + dt.timedelta(seconds=width * (i + 0.5)) for i in range(n)]
            bottom = [0] * n
            for name, sev in series:
                bins = [[] for _ in range(n)]
                for e in sev:
                    i = min(int((ts(e) - t0).total_seconds() / width), n - 1)
                    bins[i].append(e)
                ys = [metric_value(m, b) for b in bins]
                if t == "line":
                    ax.plot(xs, ys, marker=".", label=name)
                elif t == "area":
                    ax.fill_between(xs, ys, alpha=0.5, label=name); ax.plot(xs, ys)
                else:
                    ax.bar(xs, ys, width=dt.timedelta(seconds=width * 0.9), bottom=bottom, label=name)
                    bottom = [a + b for a, b in zip(bottom, ys)]
            ax.tick_params(axis="x", labelsize=7, rotation=20)
        else:  # numeric histogram
            iv = seg["params"]["interval"]
            c = collections.Counter(int(get(e, seg["params"]["field"]) // iv) * iv for e in evs if get(e, seg["params"]["field"]) is not None)
            ks = sorted(c)
            ax.bar(ks, [c[k] for k in ks], width=iv * 0.9, align="edge")
            ax.set_xlabel(seg["params"]["field"], fontsize=8)
        ax.set_ylabel(metric_label(m), fontsize=8)
        if grp:
            ax.legend(fontsize=7)
    elif t == "pie":
        segs = [b for b in buckets if b["schema"] == "segment"]
        rows = [((), evs)]
        for s in segs:
            rows = [(k + (name,), sev) for k, e in rows for name, sev in terms_buckets(s, e, m)]
        labels = [" / ".join(k) for k, _ in rows]
        if not rows or not sum(metric_value(m, e) for _, e in rows):
            return nodata(ax, [s["params"]["field"] for s in segs])
        ax.pie([metric_value(m, e) for _, e in rows], labels=labels, textprops={"fontsize": 7},
               wedgeprops={"width": 0.45}, autopct=lambda p: "%.0f%%" % p if p > 4 else "")
    elif t == "table":
        rows = [((), evs)]
        for b in buckets:
            rows = [(k + (name,), sev) for k, e in rows for name, sev in terms_buckets(b, e, m)]
        rows.sort(key=lambda r: -sort_key(metric_value(m, r[1])))
        rows = rows[:10]
        cols = [b["params"].get("customLabel", b["params"]["field"]) for b in buckets] + [metric_label(x) for x in metrics]
        cells = [list(k) + [cell(metric_value(x, e)) for x in metrics] for k, e in rows]
        ax.set_axis_off()
        if not cells:
            return nodata(ax, [b["params"]["field"] for b in buckets])
        if cells:
            tb = ax.table(cellText=cells, colLabels=cols, loc="upper center", cellLoc="left")
            tb.auto_set_font_size(False); tb.set_fontsize(7); tb.scale(1, 1.2)
    elif t == "tile_map":
        seg = buckets[0]
        pts = [get(e, seg["params"]["field"]) for e in evs]
        pts = [p for p in pts if isinstance(p, dict)]
        if not pts:
            return nodata(ax, [seg["params"]["field"]])
        ax.scatter([p["lon"] for p in pts], [p["lat"] for p in pts], s=20, alpha=0.5)
        ax.set_xlim(-180, 180); ax.set_ylim(-90, 90); ax.set_xlabel("lon"); ax.set_ylabel("lat")
    else:
        ax.text(0.5, 0.5, "type %s not rendered" % t, ha="center")

def render(objs, did, events, out, source):
    d = objs[("dashboard", did)]
    refs = {r["name"]: r["id"] for r in d["references"]}
    panels = json.loads(d["attributes"]["panelsJSON"])
    n = len(panels)
    rows = 1 + (n - 1 + 1) // 2
    fig = plt.figure(figsize=(14, 4.2 * rows))
    gs = fig.add_gridspec(rows, 2)
    for i, p in enumerate(panels):
        ax = fig.add_subplot(gs[0, :]) if i == 0 else fig.add_subplot(gs[1 + (i - 1) // 2, (i - 1) % 2])
        draw(ax, objs[(p.get("type", "visualization"), refs[p["panelRefName"]])], events)
    fig.suptitle("%s — %s" % (d["attributes"]["title"], source), fontsize=13)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(out, dpi=80)
    plt.close(fig)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", action="append", default=["module/*/_meta/kibana/8/*.ndjson", "dashboards/*.ndjson"])
    ap.add_argument("--out", default="docs/images")
    ap.add_argument("--dashboard", action="append", required=True, help="ID=EVENTS.ndjson[,EVENTS2][:label]")
    a = ap.parse_args()
    objs = load_objects(a.objects)
    cache = {}
    for spec in a.dashboard:
        did, rest = spec.split("=", 1)
        files, _, label = rest.partition(":")
        evs = []
        for f in files.split(","):
            if f not in cache:
                cache[f] = [json.loads(l) for l in open(f) if l.strip()]
            evs += cache[f]
        out = "%s/%s.png" % (a.out, did)
        render(objs, did, evs, out, label or files)
        print("wrote", out, "from", len(evs), "events")

if __name__ == "__main__":
    main()
