//go:build integration

package setup

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/netbeat/netbeat/internal/nbtest"
)

func repoRoot(t *testing.T) string { return nbtest.RepoRoot(t) }

// netbeatBinary is the netbeat binary under test (see internal/nbtest).
func netbeatBinary(t *testing.T) string { return nbtest.Binary(t) }

// runNetbeat runs the binary with a config written to a temp home.
func runNetbeat(t *testing.T, cfg string, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	// libbeat's setup builds the beater: give it a capture source.
	cfg += fmt.Sprintf("netbeat.files: [{path: %q}]\n", filepath.Join(repoRoot(t), "testdata/captures/dns.pcap"))
	if err := os.WriteFile(filepath.Join(home, "netbeat.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, netbeatBinary(t), append([]string{"--path.home", home, "--path.config", home, "--strict.perms=false"}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// kafkaPlaintext returns the broker address of scripts/kafka.sh, failing
// (never skipping) when no broker was started.
func kafkaPlaintext(t *testing.T) string {
	t.Helper()
	if v := os.Getenv("NETBEAT_KAFKA_PLAINTEXT"); v != "" {
		return v
	}
	if f, err := os.Open(filepath.Join(repoRoot(t), ".cache/kafka/run/env")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok && k == "NETBEAT_KAFKA_PLAINTEXT" && v != "" {
				return v
			}
		}
	}
	t.Fatal("NETBEAT_KAFKA_PLAINTEXT is not set and .cache/kafka/run/env lacks it: run `bash scripts/kafka.sh start` first")
	return ""
}

// TestSetupKafkaTopics runs `netbeat setup --kafka-topics` twice against the
// real broker: the date topics are created with the configured partitions
// and retention, and the second run finds them.
func TestSetupKafkaTopics(t *testing.T) {
	broker := kafkaPlaintext(t)
	prefix := fmt.Sprintf("nbsetup-%d", time.Now().UnixNano())
	cfg := fmt.Sprintf(`output.franz:
  hosts: [%q]
  topic: "%s-%%{+yyyy.MM.dd}"
setup.kafka:
  days: 2
  partitions: 3
  replication_factor: 1
  retention: 48h
`, broker, prefix)
	out, err := runNetbeat(t, cfg, "setup", "--kafka-topics")
	if err != nil {
		t.Fatalf("setup --kafka-topics: %v\n%s", err, out)
	}
	now := time.Now().UTC()
	var want []string
	for i := 0; i <= 2; i++ {
		want = append(want, prefix+"-"+now.AddDate(0, 0, i).Format("2006.01.02"))
	}
	for _, w := range want {
		if !strings.Contains(out, "Kafka topic "+w+": created") {
			t.Errorf("first run does not report %s created:\n%s", w, out)
		}
	}
	out, err = runNetbeat(t, cfg, "setup", "--kafka-topics")
	if err != nil {
		t.Fatalf("second setup --kafka-topics: %v\n%s", err, out)
	}
	if strings.Count(out, ": exists") != 3 {
		t.Errorf("second run should find the 3 topics:\n%s", out)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	td, err := adm.ListTopics(ctx, want...)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		d, ok := td[w]
		if !ok || d.Err != nil {
			t.Errorf("topic %s missing: %v", w, d.Err)
			continue
		}
		if len(d.Partitions) != 3 {
			t.Errorf("%s has %d partitions, want 3", w, len(d.Partitions))
		}
	}
	rc, err := adm.DescribeTopicConfigs(ctx, want...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rc {
		for _, c := range r.Configs {
			if c.Key == "retention.ms" && c.MaybeValue() != "172800000" {
				t.Errorf("%s retention.ms = %s, want 172800000", r.Name, c.MaybeValue())
			}
		}
	}
	_, _ = adm.DeleteTopics(ctx, want...)
}

// TestSetupKafkaTopicsNeedsFranz: another output is an error, not a no-op.
func TestSetupKafkaTopicsNeedsFranz(t *testing.T) {
	out, err := runNetbeat(t, "output.console: {}\n", "setup", "--kafka-topics")
	if err == nil || !strings.Contains(out, "needs output.franz") {
		t.Errorf("want an error naming output.franz, got %v:\n%s", err, out)
	}
}

// TestSetupDashboardsBinary runs `netbeat setup --dashboards` against a fake
// Kibana: the embedded dashboards (materialized by the command) and the
// netbeat-* index pattern are imported.
func TestSetupDashboardsBinary(t *testing.T) {
	kb := &fakeKibana{}
	srv := httptest.NewServer(kb)
	defer srv.Close()
	out, err := runNetbeat(t, "output.console: {}\n", "setup", "--dashboards", "-E", "setup.kibana.host="+srv.URL)
	if err != nil {
		t.Fatalf("setup --dashboards: %v\n%s", err, out)
	}
	objs, _ := Objects()
	got := map[string]bool{}
	for _, req := range kb.imports {
		for _, o := range req {
			got[o["type"].(string)+"/"+o["id"].(string)] = true
		}
	}
	if !got["index-pattern/netbeat-*"] {
		t.Error("netbeat-* index pattern not imported")
	}
	for _, o := range objs {
		if !got[o.Type+"/"+o.ID] {
			t.Errorf("%s/%s not imported", o.Type, o.ID)
		}
	}
	if !strings.Contains(out, "Loaded dashboards") {
		t.Errorf("output lacks 'Loaded dashboards':\n%s", out)
	}
}

// TestSetupIndexManagementBinary runs `netbeat setup --index-management`
// against a fake Elasticsearch and checks the composable template it PUTs.
func TestSetupIndexManagementBinary(t *testing.T) {
	es := &fakeES{}
	srv := httptest.NewServer(es)
	defer srv.Close()
	cfg := fmt.Sprintf("output.elasticsearch:\n  hosts: [%q]\n", srv.URL)
	out, err := runNetbeat(t, cfg, "setup", "--index-management")
	if err != nil {
		t.Fatalf("setup --index-management: %v\n%s\nrequests: %v", err, out, es.reqs)
	}
	name := "/_index_template/netbeat-" + strings.TrimSpace(versionOf(t))
	body, ok := es.puts[name]
	if !ok {
		t.Fatalf("no PUT %s; requests: %v", name, es.reqs)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(body, &tmpl); err != nil {
		t.Fatalf("template is not JSON: %v", err)
	}
	if got, _ := json.Marshal(tmpl["index_patterns"]); !strings.Contains(string(got), "netbeat-") {
		t.Errorf("index_patterns = %s", got)
	}
	if _, ok := es.puts["/_data_stream/netbeat-"+strings.TrimSpace(versionOf(t))]; !ok {
		t.Errorf("data stream not created; requests: %v", es.reqs)
	}
	if mappingType(tmpl, "destination.geo.location") != "geo_point" || mappingType(tmpl, "source.ip") != "ip" {
		t.Error("template lacks ECS types")
	}
	t.Logf("requests: %v", es.reqs)
}

// versionOf returns the binary's beat version (`netbeat version`).
func versionOf(t *testing.T) string {
	out, err := exec.Command(netbeatBinary(t), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	// "netbeat version 9.3.0 (amd64), libbeat 9.3.0 [...]"
	f := strings.Fields(string(out))
	if len(f) < 3 {
		t.Fatalf("unexpected version output %q", out)
	}
	return f[2]
}

// TestMain removes the binary nbtest built.
func TestMain(m *testing.M) {
	code := m.Run()
	nbtest.Cleanup()
	os.Exit(code)
}
