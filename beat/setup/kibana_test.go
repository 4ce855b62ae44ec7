//go:build !integration

package setup

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v2"

	"github.com/netbeat/netbeat/beat/include"
)

// monitoringFields are the .monitoring-beats-* fields the capture-health
// dashboard reads (libbeat's internal monitoring documents; netbeat's
// counters are registered in beat/metrics.go and beat/outputs/kafka/metrics.go).
var monitoringFields = map[string]bool{
	"timestamp": true, "type": true, "beats_stats.beat.type": true, "beats_stats.beat.name": true,
	"beats_stats.metrics.netbeat.capture.packets":                        true,
	"beats_stats.metrics.netbeat.capture.kernel_dropped":                 true,
	"beats_stats.metrics.netbeat.capture.if_dropped":                     true,
	"beats_stats.metrics.netbeat.kafka.produce_latency_ms.histogram.p99": true,
}

const monitoringPattern = "netbeat-monitoring-beats"

func declaredFields(t *testing.T) map[string]string {
	t.Helper()
	type field struct {
		Name   string  `yaml:"name"`
		Type   string  `yaml:"type"`
		Fields []field `yaml:"fields"`
	}
	var secs []struct {
		Fields []field `yaml:"fields"`
	}
	if err := yaml.Unmarshal([]byte(include.FieldsYML()), &secs); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(string, []field)
	walk = func(prefix string, fs []field) {
		for _, f := range fs {
			if f.Type == "group" || len(f.Fields) > 0 {
				walk(prefix+f.Name+".", f.Fields)
				continue
			}
			out[prefix+f.Name] = f.Type
		}
	}
	for _, s := range secs {
		walk("", s.Fields)
	}
	return out
}

var kueryField = regexp.MustCompile(`([@A-Za-z_][\w.@]*)\s*:`)

// objectFields returns the fields an object's visState aggregations and
// query use, and the index pattern it searches.
func objectFields(t *testing.T, o Object) (fields []string, index string) {
	t.Helper()
	var a struct {
		VisState string `json:"visState"`
		Meta     struct {
			SearchSourceJSON string `json:"searchSourceJSON"`
		} `json:"kibanaSavedObjectMeta"`
	}
	if err := json.Unmarshal(o.Attributes, &a); err != nil {
		t.Fatalf("%s: attributes: %v", o.ID, err)
	}
	if o.Type == "visualization" {
		var vs struct {
			Type string `json:"type"`
			Aggs []struct {
				Type   string         `json:"type"`
				Params map[string]any `json:"params"`
			} `json:"aggs"`
		}
		if err := json.Unmarshal([]byte(a.VisState), &vs); err != nil {
			t.Fatalf("%s: visState is not JSON: %v", o.ID, err)
		}
		if len(vs.Aggs) == 0 {
			t.Errorf("%s: no aggregations", o.ID)
		}
		for _, ag := range vs.Aggs {
			if f, ok := ag.Params["field"].(string); ok {
				fields = append(fields, f)
			}
		}
	}
	if o.Type == "map" { // Kibana Maps: fields of the ES layers, by geoField and metrics
		var m struct {
			LayerListJSON string `json:"layerListJSON"`
		}
		if err := json.Unmarshal(o.Attributes, &m); err != nil {
			t.Fatalf("%s: attributes: %v", o.ID, err)
		}
		var layers []struct {
			Type   string `json:"type"`
			Source struct {
				Type     string `json:"type"`
				GeoField string `json:"geoField"`
				Metrics  []struct {
					Field string `json:"field"`
				} `json:"metrics"`
				IndexRef string `json:"indexPatternRefName"`
			} `json:"sourceDescriptor"`
		}
		if err := json.Unmarshal([]byte(m.LayerListJSON), &layers); err != nil {
			t.Fatalf("%s: layerListJSON is not JSON: %v", o.ID, err)
		}
		esLayers := 0
		for _, l := range layers {
			if !strings.HasPrefix(l.Source.Type, "ES_") {
				continue
			}
			esLayers++
			if l.Source.GeoField == "" || l.Source.IndexRef == "" {
				t.Errorf("%s: ES layer without geoField or index reference", o.ID)
			}
			fields = append(fields, l.Source.GeoField)
			for _, mt := range l.Source.Metrics {
				if mt.Field != "" {
					fields = append(fields, mt.Field)
				}
			}
		}
		if esLayers == 0 {
			t.Errorf("%s: map has no Elasticsearch layer", o.ID)
		}
	}
	if a.Meta.SearchSourceJSON != "" {
		var ss struct {
			Query struct {
				Query string `json:"query"`
			} `json:"query"`
		}
		if err := json.Unmarshal([]byte(a.Meta.SearchSourceJSON), &ss); err != nil {
			t.Fatalf("%s: searchSourceJSON is not JSON: %v", o.ID, err)
		}
		for _, m := range kueryField.FindAllStringSubmatch(ss.Query.Query, -1) {
			fields = append(fields, m[1])
		}
	}
	for _, r := range o.References {
		if r.Type == "index-pattern" {
			index = r.ID
		}
	}
	return fields, index
}

func TestSavedObjects(t *testing.T) {
	objs, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	decl := declaredFields(t)
	ids := map[string]bool{}
	byKey := map[string]Object{}
	dashboards := 0
	for _, o := range objs {
		if o.ID == "" || o.Type == "" {
			t.Errorf("%s: object without id or type", o.File)
		}
		switch o.Type {
		case "dashboard", "visualization", "index-pattern", "lens", "search", "map":
		default:
			t.Errorf("%s: unexpected type %q", o.ID, o.Type)
		}
		if ids[o.ID] {
			t.Errorf("id %q is used twice", o.ID)
		}
		ids[o.ID] = true
		byKey[o.Type+"/"+o.ID] = o
		if o.Type == "dashboard" {
			dashboards++
		}
	}
	if dashboards < 6 {
		t.Errorf("%d dashboards, want 6 (overview, flows, packets, geoip, iprep, capture health)", dashboards)
	}
	for _, o := range objs {
		for _, r := range o.References {
			if r.Type == "index-pattern" && r.ID == "netbeat-*" {
				continue // generated from fields.yml by libbeat on setup
			}
			if _, ok := byKey[r.Type+"/"+r.ID]; !ok {
				t.Errorf("%s: reference %s/%s does not resolve", o.ID, r.Type, r.ID)
			}
		}
		fields, index := objectFields(t, o)
		if o.Type == "visualization" && index == "" {
			t.Errorf("%s: no index-pattern reference", o.ID)
		}
		for _, f := range fields {
			if index == monitoringPattern {
				if !monitoringFields[f] {
					t.Errorf("%s: field %q is not a known monitoring field", o.ID, f)
				}
			} else if _, ok := decl[f]; !ok {
				t.Errorf("%s: field %q is not declared in fields.yml", o.ID, f)
			}
		}
		if o.Type == "dashboard" {
			checkPanels(t, o)
		}
	}
}

func checkPanels(t *testing.T, d Object) {
	var a struct {
		PanelsJSON string `json:"panelsJSON"`
		Title      string `json:"title"`
	}
	if err := json.Unmarshal(d.Attributes, &a); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Title, "[netbeat] ") {
		t.Errorf("%s: title %q lacks the [netbeat] prefix", d.ID, a.Title)
	}
	var panels []struct {
		PanelRefName string `json:"panelRefName"`
		PanelIndex   string `json:"panelIndex"`
	}
	if err := json.Unmarshal([]byte(a.PanelsJSON), &panels); err != nil {
		t.Fatalf("%s: panelsJSON: %v", d.ID, err)
	}
	refs := map[string]bool{}
	for _, r := range d.References {
		refs[r.Name] = true
	}
	idx := map[string]bool{}
	for _, p := range panels {
		if !refs[p.PanelRefName] {
			t.Errorf("%s: panel %s has no reference %q", d.ID, p.PanelIndex, p.PanelRefName)
		}
		if idx[p.PanelIndex] {
			t.Errorf("%s: panelIndex %s twice", d.ID, p.PanelIndex)
		}
		idx[p.PanelIndex] = true
	}
	if len(panels) == 0 || len(panels) != len(d.References) {
		t.Errorf("%s: %d panels, %d references", d.ID, len(panels), len(d.References))
	}
}

// TestEmbeddedCopiesAreFresh fails when beat/setup/kibana differs from the
// source files (module/*/_meta/kibana/8, dashboards/): run `go run mage.go update`.
func TestEmbeddedCopiesAreFresh(t *testing.T) {
	src := map[string]string{}
	mods, _ := filepath.Glob("../../module/*/_meta/kibana/8/*.ndjson")
	for _, f := range mods {
		src[filepath.Join(strings.Split(filepath.ToSlash(f), "/")[3], filepath.Base(f))] = f
	}
	cross, _ := filepath.Glob("../../dashboards/*.ndjson")
	for _, f := range cross {
		src[filepath.Join("netbeat", filepath.Base(f))] = f
	}
	have, _ := filepath.Glob("kibana/*/*.ndjson")
	var got []string
	for _, f := range have {
		rel, _ := filepath.Rel("kibana", f)
		got = append(got, rel)
		want, err := os.ReadFile(src[rel])
		if src[rel] == "" || err != nil {
			t.Errorf("%s has no source file", f)
			continue
		}
		if data, _ := os.ReadFile(f); !bytes.Equal(data, want) {
			t.Errorf("%s is stale: run `go run mage.go update`", f)
		}
	}
	if len(got) != len(src) || len(src) == 0 {
		sort.Strings(got)
		t.Errorf("embedded %v, sources %d: run `go run mage.go update`", got, len(src))
	}
}

func TestMaterializeAndDashboard(t *testing.T) {
	dir := t.TempDir()
	if err := Materialize(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"7/dashboard/netbeat-overview.json", "7/visualization/netbeat-flows-end-reasons.json", "7/index-pattern/netbeat-monitoring-beats.json"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(data) {
			t.Errorf("%s is not JSON", f)
		}
	}
	out, err := Dashboard("netbeat-overview")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 6 || !strings.Contains(lines[5], `"type":"dashboard"`) {
		t.Errorf("export of netbeat-overview: %d lines, dashboard last? %v", len(lines), lines[len(lines)-1][:80])
	}
	if _, err := Dashboard("nope"); err == nil {
		t.Error("unknown dashboard id: no error")
	}
}
