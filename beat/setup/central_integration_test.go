//go:build integration

package setup

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSetupCentral: `netbeat setup` with the shipped netbeat.central.yml
// (central mode: netbeat.kafka, no capture source, the plugin chain) loads
// the ILM policy, index template and data stream into Elasticsearch and the dashboards
// and index pattern into Kibana (fake servers), without Kafka: the consumer
// joins its group only when netbeat runs.
func TestSetupCentral(t *testing.T) {
	es, kb := &fakeES{}, &fakeKibana{}
	esSrv, kbSrv := httptest.NewServer(es), httptest.NewServer(kb)
	defer esSrv.Close()
	defer kbSrv.Close()
	home := t.TempDir()
	cfg, err := os.ReadFile(filepath.Join(repoRoot(t), "netbeat.central.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "netbeat.yml"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, netbeatBinary(t), "--path.home", home, "--path.config", home, "--strict.perms=false",
		"setup", "--index-management", "--dashboards",
		"-E", `output.elasticsearch.hosts=["`+esSrv.URL+`"]`, "-E", "setup.kibana.host="+kbSrv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("netbeat setup -c netbeat.central.yml: %v\n%s\nrequests: %v", err, out, es.reqs)
	}
	v := strings.TrimSpace(versionOf(t))
	if _, ok := es.puts["/_index_template/netbeat-"+v]; !ok {
		t.Errorf("no index template netbeat-%s; requests: %v", v, es.reqs)
	}
	if _, ok := es.puts["/_data_stream/netbeat-"+v]; !ok {
		t.Errorf("no data stream netbeat-%s; requests: %v", v, es.reqs)
	}
	if _, ok := es.puts["/_ilm/policy/netbeat"]; !ok {
		t.Errorf("no ILM policy netbeat; requests: %v", es.reqs)
	}
	found := false
	for _, req := range kb.imports {
		for _, o := range req {
			found = found || o["type"] == "dashboard"
		}
	}
	if !found {
		t.Errorf("no dashboard imported into Kibana:\n%s", out)
	}
}
