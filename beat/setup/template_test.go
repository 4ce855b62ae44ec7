//go:build !integration

package setup

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	lbkibana "github.com/elastic/beats/v7/libbeat/kibana"
	"github.com/elastic/beats/v7/libbeat/template"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/version"

	"github.com/netbeat/netbeat/beat/include"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const beatVersion = "9.3.0"

// exportTemplate builds the template `netbeat export template --es.version
// esVersion` prints: libbeat's defaults, netbeat's overrides, fields.yml.
func exportTemplate(t *testing.T, esVersion string) map[string]any {
	t.Helper()
	cfg := template.DefaultConfig(beat.Info{Beat: "netbeat", Version: beatVersion})
	tmpl, err := template.New(false, beatVersion, "netbeat", false, *version.MustNew(esVersion), cfg, false, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	m, err := tmpl.LoadBytes([]byte(include.FieldsYML()))
	if err != nil {
		t.Fatalf("generating the template failed: %v", err)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("template is not valid JSON: %v", err)
	}
	return out
}

func TestExportedTemplate(t *testing.T) {
	tmpl := exportTemplate(t, "8.17.0")
	// libbeat names the template, its pattern and the data stream the
	// Elasticsearch output writes to netbeat-<version>; the Kibana index
	// pattern netbeat-* (TestIndexPattern) covers every version.
	pats, _ := tmpl["index_patterns"].([]any)
	if len(pats) != 1 || pats[0] != "netbeat-"+beatVersion {
		t.Errorf("index_patterns = %v, want [netbeat-%s]", pats, beatVersion)
	} else if ok, _ := filepath.Match("netbeat-*", pats[0].(string)); !ok {
		t.Errorf("%v is not covered by the netbeat-* index pattern", pats[0])
	}
	if _, ok := tmpl["data_stream"]; !ok {
		t.Error("composable template lacks data_stream")
	}
	if _, ok := tmpl["template"].(map[string]any); !ok {
		t.Fatal("not a composable template (no template section)")
	}
	for field, want := range map[string]string{
		"@timestamp":               "date",
		"event.start":              "date",
		"event.duration":           "long",
		"source.ip":                "ip",
		"destination.ip":           "ip",
		"source.port":              "long",
		"source.bytes":             "long",
		"network.bytes":            "long",
		"network.community_id":     "keyword",
		"network.transport":        "keyword",
		"event.dataset":            "keyword",
		"source.geo.location":      "geo_point",
		"destination.geo.location": "geo_point",
		"destination.as.number":    "long",
		"frame.len":                "long",
		"frame.protocols":          "keyword",
		"ip.src":                   "ip",
		"tcp.flags":                "long",
		"vlan.id":                  "keyword",
		"flow.end_reason":          "keyword",
		"flow.final":               "boolean",
		"iprep.lists":              "keyword",
		"iprep.matched":            "keyword",
		"tags":                     "keyword",
	} {
		if got := mappingType(tmpl, field); got != want {
			t.Errorf("%s mapped as %q, want %q", field, got, want)
		}
	}
}

// TestTemplateGolden compares the mappings of netbeat's own field groups
// (module/*/_meta/fields.yml, _meta/fields.common.yml, dashboards/_meta)
// and the template's top-level settings with testdata/template-8.17.0.golden.json.
// Run `go test ./beat/setup -run Golden -update` after changing fields.
func TestTemplateGolden(t *testing.T) {
	tmpl := exportTemplate(t, "8.17.0")
	props := lookupMap(tmpl, "template", "mappings", "properties")
	own := map[string]any{}
	for _, k := range []string{"frame", "eth", "sll", "null", "vlan", "ip", "ipv6", "tcp", "udp", "icmp", "icmpv6", "arp", "flow", "capture", "iprep"} {
		if v, ok := props[k]; ok {
			own[k] = v
		}
	}
	got := map[string]any{
		"index_patterns": tmpl["index_patterns"],
		"priority":       tmpl["priority"],
		"data_stream":    tmpl["data_stream"],
		"properties":     own,
	}
	data, _ := json.MarshalIndent(got, "", "  ")
	data = append(data, '\n')
	golden := filepath.Join("testdata", "template-8.17.0.golden.json")
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != string(data) {
		t.Errorf("template differs from %s (run `go test ./beat/setup -run Golden -update` if intended):\n%s", golden, data)
	}
}

// TestIndexPattern generates the Kibana index pattern like `netbeat export
// index-pattern` and `setup --dashboards` do: it fails on duplicate fields.
func TestIndexPattern(t *testing.T) {
	g, err := lbkibana.NewGenerator("netbeat", "netbeat", []byte(include.FieldsYML()), beatVersion, *version.MustNew("8.17.0"), false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.Generate()
	if err != nil {
		t.Fatalf("generating the index pattern failed: %v", err)
	}
	if id, _ := p.GetValue("id"); id != "netbeat-*" {
		t.Errorf("index pattern id = %v, want netbeat-*", id)
	}
	if title, _ := p.GetValue("attributes.title"); title != "netbeat-*" {
		t.Errorf("index pattern title = %v, want netbeat-*", title)
	}
}
