// Package grafana holds netbeat's Grafana dashboards (JSON, imported through
// Grafana's UI or provisioning); the test keeps them consistent with the
// metrics beat/prom exposes.
package grafana

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

type dashboard struct {
	UID    string `json:"uid"`
	Panels []struct {
		ID      int    `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		Targets []struct {
			Expr       string `json:"expr"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
}

// TestDashboard checks netbeat.json parses, panels have unique ids and use
// the $datasource variable, and every netbeat_capture_* metric it queries is
// one beat/metrics.go reports under netbeat.capture.
func TestDashboard(t *testing.T) {
	b, err := os.ReadFile("netbeat.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("netbeat.json: %v", err)
	}
	src, err := os.ReadFile("../../beat/metrics.go")
	if err != nil {
		t.Fatal(err)
	}
	reported := map[string]bool{}
	for _, m := range regexp.MustCompile(`put\("([a-z_.]+)"`).FindAllStringSubmatch(string(src), -1) {
		reported["netbeat_capture_"+strings.ReplaceAll(m[1], ".", "_")] = true
	}
	if len(reported) < 10 {
		t.Fatalf("found only %d metrics in beat/metrics.go: the test's pattern is stale", len(reported))
	}
	ids := map[int]bool{}
	exprs := 0
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d is used twice", p.ID)
		}
		ids[p.ID] = true
		for _, tg := range p.Targets {
			exprs++
			if tg.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: datasource %q, want ${datasource}", p.Title, tg.Datasource.UID)
			}
			if strings.Count(tg.Expr, "(") != strings.Count(tg.Expr, ")") || strings.Count(tg.Expr, "{") != strings.Count(tg.Expr, "}") {
				t.Errorf("panel %q: unbalanced expr %q", p.Title, tg.Expr)
			}
			for _, m := range regexp.MustCompile(`netbeat_capture_[a-z_]+`).FindAllString(tg.Expr, -1) {
				if m != "netbeat_capture_flows_ended_" && !reported[m] {
					t.Errorf("panel %q queries %s, which beat/metrics.go does not report", p.Title, m)
				}
			}
		}
	}
	if d.UID == "" || exprs < 10 {
		t.Errorf("uid %q, %d queries", d.UID, exprs)
	}
}
