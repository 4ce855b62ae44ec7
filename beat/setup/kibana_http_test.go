//go:build !integration

package setup

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/dashboards"
	lbkibana "github.com/elastic/beats/v7/libbeat/kibana"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/version"

	"github.com/netbeat/netbeat/beat/include"
)

// TestSetupDashboardsAgainstKibana runs libbeat's dashboard import (what
// `netbeat setup --dashboards` does) on the materialized objects against a
// fake Kibana and checks every object arrives, dashboards with their
// visualizations in the same request.
func TestSetupDashboardsAgainstKibana(t *testing.T) {
	kb := &fakeKibana{}
	srv := httptest.NewServer(kb)
	defer srv.Close()

	dir := t.TempDir()
	if err := Materialize(dir); err != nil {
		t.Fatal(err)
	}
	gen, err := lbkibana.NewGenerator("netbeat", "netbeat", []byte(include.FieldsYML()), beatVersion, *version.MustNew("8.17.0"), false)
	if err != nil {
		t.Fatal(err)
	}
	pattern, err := gen.Generate()
	if err != nil {
		t.Fatal(err)
	}
	info := beat.Info{Beat: "netbeat", IndexPrefix: "netbeat", Version: beatVersion, Logger: logp.NewNopLogger()}
	kcfg := config.MustNewConfigFrom(map[string]any{"host": srv.URL})
	dcfg := config.MustNewConfigFrom(map[string]any{"enabled": true, "directory": dir})
	if err := dashboards.ImportDashboards(context.Background(), info, dir, kcfg, dcfg, nil, pattern); err != nil {
		t.Fatalf("import failed: %v", err)
	}

	objs, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	imported := map[string]int{}
	for i, req := range kb.imports {
		if !strings.Contains(kb.queries[i], "overwrite=true") {
			t.Errorf("import %d without overwrite=true: %q", i, kb.queries[i])
		}
		inReq := map[string]bool{}
		for _, o := range req {
			key := o["type"].(string) + "/" + o["id"].(string)
			imported[key]++
			inReq[key] = true
		}
		for _, o := range req {
			if o["type"] != "dashboard" {
				continue
			}
			for _, r := range o["references"].([]any) {
				ref := r.(map[string]any)
				if ref["type"] == "visualization" && !inReq["visualization/"+ref["id"].(string)] {
					t.Errorf("dashboard %s imported without its visualization %s", o["id"], ref["id"])
				}
			}
		}
	}
	if imported["index-pattern/netbeat-*"] != 1 {
		t.Errorf("the netbeat-* index pattern was imported %d times, want 1", imported["index-pattern/netbeat-*"])
	}
	for _, o := range objs {
		if imported[o.Type+"/"+o.ID] == 0 {
			t.Errorf("%s/%s was not imported", o.Type, o.ID)
		}
	}
	if len(kb.other) > 0 {
		t.Errorf("unexpected requests: %v", kb.other)
	}
	t.Logf("%d import requests, %d distinct objects", len(kb.imports), len(imported))
}
