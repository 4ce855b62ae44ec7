#!/usr/bin/env python3
"""Writes the "[netbeat] Probes" dashboard and the index template of the
status records of netbeat.control (heartbeats and results, the
netbeat-status topic), as logstash.conf in this folder indexes them into
netbeat_status-* (data view id netbeat-status):

- dashboards/netbeat-probes.ndjson (saved objects);
- dashboards/probes/netbeat_status-template.json (composable index
  template), from the `probes` section of dashboards/_meta/fields.yml.

  python3 dashboards/probes/make.py   # from the repository root
  go run mage.go update                      # copies the ndjson into beat/setup/kibana
"""
import json
import yaml

INDEX = "netbeat-status"
HB = 'kind : "heartbeat"'
# Every probe answers a command it is not addressed by with a rejected
# not_addressed result (ctl send leaves those out); so do the panels.
RES = 'kind : "result" and not reason : "not_addressed"'


def terms(i, field, schema, size=10, label=None):
    p = {"field": field, "missingBucket": False, "order": "desc", "orderBy": "1", "otherBucket": False, "size": size}
    if label:
        p["customLabel"] = label
    return {"enabled": True, "id": str(i), "params": p, "schema": schema, "type": "terms"}


def metric(i, typ, field=None, label=None):
    p = {}
    if field:
        p["field"] = field
    if label:
        p["customLabel"] = label
    return {"enabled": True, "id": str(i), "params": p, "schema": "metric", "type": typ}


def date_hist(i):
    return {"enabled": True, "id": str(i), "params": {"drop_partials": False, "extended_bounds": {}, "field": "@timestamp",
            "interval": "auto", "min_doc_count": 1, "useNormalizedEsInterval": True}, "schema": "segment", "type": "date_histogram"}


def xy(typ, label, mode="normal"):
    return {"addLegend": True, "addTimeMarker": False, "addTooltip": True,
            "categoryAxes": [{"id": "CategoryAxis-1", "labels": {"filter": True, "show": True, "truncate": 100}, "position": "bottom",
                              "scale": {"type": "linear"}, "show": True, "style": {}, "title": {}, "type": "category"}],
            "grid": {"categoryLines": False}, "labels": {}, "legendPosition": "right",
            "seriesParams": [{"data": {"id": "1", "label": label}, "drawLinesBetweenPoints": True, "interpolate": "linear", "lineWidth": 2,
                              "mode": mode, "show": True, "showCircles": True, "type": typ, "valueAxis": "ValueAxis-1"}],
            "thresholdLine": {"color": "#E7664C", "show": False, "style": "full", "value": 10, "width": 1}, "times": [], "type": typ,
            "valueAxes": [{"id": "ValueAxis-1", "labels": {"filter": False, "rotate": 0, "show": True, "truncate": 100}, "name": "LeftAxis-1",
                           "position": "left", "scale": {"mode": "normal", "type": "linear"}, "show": True, "style": {}, "title": {"text": label}, "type": "value"}]}


PIE = {"addLegend": True, "addTooltip": True, "isDonut": True, "labels": {"last_level": True, "show": True, "truncate": 100, "values": True},
       "legendPosition": "right", "type": "pie"}
TABLE = {"perPage": 10, "percentageCol": "", "row": True, "showMetricsAtAllLevels": False, "showPartialRows": False, "showTotal": False, "totalFunc": "sum"}


def vis(vid, title, typ, aggs, params, query, description=""):
    vs = {"aggs": aggs, "params": params, "title": "[netbeat] " + title, "type": typ}
    ss = {"filter": [], "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index", "query": {"language": "kuery", "query": query}}
    return {"attributes": {"description": description, "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(ss, sort_keys=True)},
                           "title": "[netbeat] " + title, "uiStateJSON": "{}", "version": 1, "visState": json.dumps(vs, sort_keys=True)},
            "id": vid, "migrationVersion": {"visualization": "7.10.0"},
            "references": [{"id": INDEX, "name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern"}],
            "type": "visualization"}


objs = [
    {"attributes": {"fields": "[]", "timeFieldName": "@timestamp", "title": "netbeat_status-*"}, "id": INDEX,
     "migrationVersion": {"index-pattern": "7.6.0"}, "references": [], "type": "index-pattern"},
    vis("netbeat-probes-heartbeats", "Heartbeats by probe", "histogram",
        [metric(1, "count"), date_hist(2), terms(3, "name", "group", 10)], xy("histogram", "Heartbeats", "stacked"), HB,
        "One bar segment per heartbeat: a probe whose segment stops has stopped reporting."),
    vis("netbeat-probes-table", "Probes", "table",
        [metric(1, "max", "@timestamp", "Last seen"), terms(2, "probe", "bucket", 50, "Probe"), terms(3, "name", "bucket", 1, "Name"),
         metric(4, "max", "uptime_s", "Uptime s"), metric(5, "max", "sources.packets", "Packets"),
         metric(6, "max", "sources.kernel_drops", "Drops"), metric(7, "max", "events_acked", "Events acked")],
        TABLE, HB),
    vis("netbeat-probes-packets", "Packets captured by probe", "line",
        [metric(1, "max", "sources.packets"), date_hist(2), terms(3, "name", "group", 10)], xy("line", "Packets (counter, largest source)"), HB,
        "A flat line is a paused or idle source."),
    vis("netbeat-probes-drops", "Kernel drops by probe", "line",
        [metric(1, "max", "sources.kernel_drops"), date_hist(2), terms(3, "name", "group", 10)], xy("line", "Kernel drops (counter)"), HB),
    vis("netbeat-probes-queue", "Queue fill by probe", "line",
        [metric(1, "max", "queue_fill"), date_hist(2), terms(3, "name", "group", 10)], xy("line", "Events published, not acknowledged"), HB),
    vis("netbeat-probes-source-state", "Source state (heartbeats)", "pie",
        [metric(1, "count"), terms(2, "sources.state", "segment", 5), terms(3, "name", "segment", 10)], PIE, HB),
    vis("netbeat-probes-output-health", "Output health (heartbeats)", "pie",
        [metric(1, "count"), terms(2, "output_health", "segment", 5)], PIE, HB),
    vis("netbeat-probes-results", "Command results", "table",
        [metric(1, "count"), terms(2, "action", "bucket", 20, "Action"), terms(3, "status", "bucket", 5, "Status"),
         metric(4, "max", "apply_ms", "Max apply ms")], TABLE, RES),
    vis("netbeat-probes-rejected", "Rejected commands by reason", "pie",
        [metric(1, "count"), terms(2, "reason", "segment", 10)], PIE, RES + ' and status : "rejected"'),
]

vids = [o["id"] for o in objs if o["type"] == "visualization"]
panels = []
for n, vid in enumerate(vids):
    if n == 0:
        g = {"h": 12, "i": "1", "w": 48, "x": 0, "y": 0}
    else:
        g = {"h": 15, "i": str(n + 1), "w": 24, "x": 24 * ((n - 1) % 2), "y": 12 + 15 * ((n - 1) // 2)}
    panels.append({"embeddableConfig": {}, "gridData": g, "panelIndex": str(n + 1), "panelRefName": "panel_%d" % n,
                   "type": "visualization", "version": "7.10.0"})
objs.append({"attributes": {"description": "Remote-control status of netbeat probes: heartbeats and command results (netbeat-status topic, indexed into netbeat_status-*; see dashboards/README.md).",
                            "hits": 0, "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"filter": [], "query": {"language": "kuery", "query": ""}}, sort_keys=True)},
                            "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}), "panelsJSON": json.dumps(panels, sort_keys=True),
                            "timeRestore": False, "title": "[netbeat] Probes", "version": 1},
             "id": "netbeat-probes", "migrationVersion": {"dashboard": "7.9.3"},
             "references": [{"id": v, "name": "panel_%d" % n, "type": "visualization"} for n, v in enumerate(vids)], "type": "dashboard"})

with open("dashboards/netbeat-probes.ndjson", "w") as f:
    for o in objs:
        f.write(json.dumps(o, sort_keys=True, separators=(",", ":")) + "\n")

# The index template: the ECS fields the records share, then the probes section.
def props(fields):
    out = {}
    for fd in fields:
        if fd.get("type") == "group":
            out[fd["name"]] = {"properties": props(fd["fields"])}
        elif fd.get("type") == "object":
            out[fd["name"]] = {"type": "object", "dynamic": True}
        else:
            out[fd["name"]] = {"type": fd["type"]}
    return out


section = [s for s in yaml.safe_load(open("dashboards/_meta/fields.yml")) if s["key"] == "probes"][0]
mappings = {"dynamic_templates": [{"rejected_counters": {"path_match": "rejected.*", "mapping": {"type": "long"}}},
                                  {"strings_as_keyword": {"match_mapping_type": "string", "mapping": {"type": "keyword", "ignore_above": 1024}}}],
            "properties": dict({"@timestamp": {"type": "date"}, "tags": {"type": "keyword"}, "message": {"type": "match_only_text"}},
                               **props(section["fields"]))}
template = {"index_patterns": ["netbeat_status-*"], "priority": 200,
            "template": {"settings": {"index": {"number_of_shards": 1}}, "mappings": mappings},
            "_meta": {"description": "netbeat probe status records (heartbeats, command results); generated by dashboards/probes/make.py from dashboards/_meta/fields.yml"}}
with open("dashboards/probes/netbeat_status-template.json", "w") as f:
    json.dump(template, f, indent=2, sort_keys=True)
    f.write("\n")
