//go:build !integration

package control

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// mappedFields flattens the properties of the status records' index
// template (dashboards/probes) to dotted names and their types.
func mappedFields(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../dashboards/probes/netbeat_status-template.json")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Template struct {
			Mappings struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(string, map[string]json.RawMessage)
	walk = func(prefix string, props map[string]json.RawMessage) {
		for name, raw := range props {
			var m struct {
				Type       string                     `json:"type"`
				Properties map[string]json.RawMessage `json:"properties"`
			}
			_ = json.Unmarshal(raw, &m)
			if m.Properties != nil {
				walk(prefix+name+".", m.Properties)
				continue
			}
			out[prefix+name] = m.Type
		}
	}
	walk("", tmpl.Template.Mappings.Properties)
	return out
}

// recordFields flattens a record's JSON to dotted names (arrays of objects
// as their members, as Elasticsearch indexes them).
func recordFields(t *testing.T, v any) map[string]bool {
	t.Helper()
	data, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	out := map[string]bool{}
	var walk func(string, any)
	walk = func(name string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(strings.TrimPrefix(name+"."+k, "."), e)
			}
		case []any:
			for _, e := range x {
				walk(name, e)
			}
		default:
			out[name] = true
		}
	}
	walk("", m)
	return out
}

// TestStatusIndexTemplate: every field of a heartbeat and of a result (all
// set) is mapped by the index template the Probes dashboard relies on, and
// the template maps nothing the records lack. Run
// `python3 dashboards/probes/make.py` after changing either.
func TestStatusIndexTemplate(t *testing.T) {
	now := time.Now()
	hb := Heartbeat{Kind: KindHeartbeat, Probe: "p", Name: "n", Tags: []string{"a"}, Version: "9", Time: now, UptimeS: 1, Period: 10,
		ConfigHash: "h", Mode: []string{"packets"}, Sources: []SourceState{{Name: "eth0", Type: "af_packet", State: "running", Filter: "tcp", Packets: 1, KernelDrops: 1}},
		Published: 1, Acked: 1, Output: "ok", QueueFill: 1, LastCommand: &CommandRecord{ID: "c", Action: "pause", Status: Applied, Time: now},
		Rejected: map[string]uint64{ReasonExpired: 1}}
	res := Result{Kind: KindResult, Probe: "p", Name: "n", CommandID: "c", Action: "pause", Status: Rejected, Reason: ReasonExpired, Message: "m",
		HashBefore: "a", HashAfter: "b", ApplyMS: 1, Time: now, Offset: 1}
	mapped := mappedFields(t)
	seen := map[string]bool{}
	for _, rec := range []any{hb, res} {
		for f := range recordFields(t, rec) {
			seen[f] = true
			if strings.HasPrefix(f, "rejected.") {
				f = "rejected"
			}
			if _, ok := mapped[f]; !ok {
				t.Errorf("record field %q is not in dashboards/probes/netbeat_status-template.json (declare it in dashboards/_meta/fields.yml, run python3 dashboards/probes/make.py)", f)
			}
		}
	}
	var extra []string
	for f := range mapped {
		if !seen[f] && !(f == "rejected" && seen["rejected."+ReasonExpired]) {
			extra = append(extra, f)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("the template maps fields no status record has: %v", extra)
	}
}
