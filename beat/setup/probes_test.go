//go:build !integration

package setup

import (
	"encoding/json"
	"os"
	"testing"
)

// TestProbesTemplateMatchesFields: the status records' index template
// (dashboards/probes, used by the Probes dashboard's data view) maps every
// field with the type fields.yml declares, so the dashboard's aggregations
// (terms on keywords, max on numbers and dates) work on the indexed records.
func TestProbesTemplateMatchesFields(t *testing.T) {
	data, err := os.ReadFile("../../dashboards/probes/netbeat_status-template.json")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Patterns []string `json:"index_patterns"`
		Template struct {
			Mappings struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Patterns) != 1 || tmpl.Patterns[0] != "netbeat_status-*" {
		t.Errorf("index_patterns %v, want [netbeat_status-*] (the data view netbeat-status)", tmpl.Patterns)
	}
	decl := declaredFields(t)
	n := 0
	var walk func(string, map[string]json.RawMessage)
	walk = func(prefix string, props map[string]json.RawMessage) {
		for name, raw := range props {
			var m struct {
				Type       string                     `json:"type"`
				Properties map[string]json.RawMessage `json:"properties"`
			}
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			if m.Properties != nil {
				walk(prefix+name+".", m.Properties)
				continue
			}
			n++
			f := prefix + name
			want, ok := decl[f]
			if !ok {
				t.Errorf("template field %q is not declared in fields.yml", f)
			} else if want != m.Type {
				t.Errorf("template field %q is %s, fields.yml says %s: run python3 dashboards/probes/make.py", f, m.Type, want)
			}
		}
	}
	walk("", tmpl.Template.Mappings.Properties)
	if n < 20 {
		t.Errorf("the template maps %d fields", n)
	}
	// The dashboard's data view is the template's pattern.
	objs, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range objs {
		if o.Type == "index-pattern" && o.ID == "netbeat-status" {
			var a struct {
				Title, TimeFieldName string
			}
			_ = json.Unmarshal(o.Attributes, &a)
			found = a.Title == "netbeat_status-*" && a.TimeFieldName == "@timestamp"
		}
	}
	if !found {
		t.Error("no index-pattern netbeat-status with title netbeat_status-* and time field @timestamp among the saved objects")
	}
}
