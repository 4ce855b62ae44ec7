//go:build integration

package beat_test

// Monitoring endpoints of a running netbeat (issue #6): libbeat's HTTP
// endpoint (/stats, and /metrics attached to it) and netbeat's own
// Prometheus endpoint (netbeat.prometheus), scraped while netbeat replays
// mixed.pcapng at a tenth of the recorded pace (~17 s).

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func httpGet(url string) (string, http.Header, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return string(b), resp.Header, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(b), resp.Header, err
}

var promLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"\})? (\S+)$`)

// parseProm checks every line of a text exposition and returns name -> value
// (labelled samples are keyed by name plus labels).
func parseProm(t *testing.T, body string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "# TYPE ") || strings.HasPrefix(l, "# HELP ") {
			continue
		}
		m := promLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("invalid exposition line %q", l)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("invalid value in %q: %v", l, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

// startNetbeat starts netbeat in the background; the returned func waits
// for it (at most 90 s) and returns its exit code and stderr.
func startNetbeat(t *testing.T, dir string, args ...string) func() (int, string) {
	t.Helper()
	cmd := exec.Command(netbeatBinary(t), args...)
	cmd.Dir = dir
	stderr, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return func() (int, string) {
		select {
		case <-done:
		case <-time.After(90 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		b, _ := os.ReadFile(stderr.Name())
		return cmd.ProcessState.ExitCode(), string(b)
	}
}

func TestIntegrationMonitoringEndpoints(t *testing.T) {
	netbeatBinary(t)
	dir := t.TempDir()
	httpPort, promPort := freePort(t), freePort(t)
	cfg := fileOutputConfig(t, dir, fmt.Sprintf(`netbeat:
  mode: [packets, flows]
  prometheus: {enabled: true, host: 127.0.0.1, port: %d}
http.enabled: true
http.host: 127.0.0.1
http.port: %d
`, promPort, httpPort))
	wait := startNetbeat(t, dir, append([]string{"-e", "-c", cfg, "-I", capturePath(t, "mixed.pcapng"), "--speed", "0.1"}, homeArgs(dir)...)...)
	statsURL := fmt.Sprintf("http://127.0.0.1:%d/stats", httpPort)
	urls := []string{fmt.Sprintf("http://127.0.0.1:%d/metrics", httpPort), fmt.Sprintf("http://127.0.0.1:%d/metrics", promPort)}

	// /stats: netbeat.capture.packets appears and grows while the replay runs.
	var first float64
	deadline := time.Now().Add(30 * time.Second)
	for {
		body, _, err := httpGet(statsURL)
		if err == nil {
			var st struct {
				Netbeat struct {
					Capture map[string]float64 `json:"capture"`
				} `json:"netbeat"`
			}
			if err := json.Unmarshal([]byte(body), &st); err != nil {
				t.Fatalf("/stats is not JSON: %v\n%s", err, body)
			}
			if first = st.Netbeat.Capture["packets"]; first > 0 {
				for _, k := range []string{"kernel_dropped", "filter_drained", "malformed", "flows.created"} {
					if _, ok := st.Netbeat.Capture[k]; !ok {
						t.Errorf("/stats netbeat.capture lacks %s: %v", k, st.Netbeat.Capture)
					}
				}
				break
			}
		}
		if time.Now().After(deadline) {
			code, stderr := wait()
			t.Fatalf("/stats never showed netbeat.capture.packets > 0 (last error %v); netbeat exit %d:\n%s", err, code, tail(stderr, 30))
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Both /metrics: valid text format, capture, flow and pipeline metrics.
	var last float64
	for _, u := range urls {
		body, hdr, err := httpGet(u)
		if err != nil {
			t.Fatalf("scraping %s failed: %v", u, err)
		}
		if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("%s: Content-Type %q", u, ct)
		}
		m := parseProm(t, body)
		for _, k := range []string{"netbeat_capture_packets", "netbeat_capture_kernel_dropped", "netbeat_capture_filter_drained", "netbeat_capture_flows_created",
			"netbeat_capture_flows_active", "netbeat_libbeat_pipeline_events_published", "netbeat_beat_memstats_rss"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %s", u, k)
			}
		}
		if m["netbeat_capture_packets"] < first {
			t.Errorf("%s: netbeat_capture_packets %v < /stats' earlier %v", u, m["netbeat_capture_packets"], first)
		}
		last = m["netbeat_capture_packets"]
	}
	code, stderr := wait()
	if code != 0 {
		t.Fatalf("netbeat exited %d:\n%s", code, tail(stderr, 30))
	}
	if last >= 118 {
		t.Errorf("the scrapes saw every packet (%v): the replay ended before they ran, so they did not test a running netbeat", last)
	}
	if !strings.Contains(stderr, "serving Prometheus metrics on http://127.0.0.1:") {
		t.Errorf("no 'serving Prometheus metrics' log line:\n%s", tail(stderr, 30))
	}
	t.Logf("scraped netbeat_capture_packets=%v mid-replay (118 in the capture)", last)
}

// TestIntegrationPrometheusKafkaMetrics runs netbeat with output.franz
// against an in-process Kafka (kfake) and scrapes netbeat.kafka.* from
// netbeat.prometheus's /metrics while the replay runs.
func TestIntegrationPrometheusKafkaMetrics(t *testing.T) {
	netbeatBinary(t)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	promPort := freePort(t)
	cfg := writeFile(t, filepath.Join(dir, "netbeat.yml"), fmt.Sprintf(`netbeat:
  mode: [packets, flows]
  prometheus: {enabled: true, host: 127.0.0.1, port: %d}
queue.mem.flush.timeout: 100ms
output.franz:
  hosts: [%q]
  topic: netbeat-metrics
  bulk_flush_frequency: 0s
`, promPort, c.ListenAddrs()[0]))
	wait := startNetbeat(t, dir, append([]string{"-e", "-c", cfg, "-I", capturePath(t, "mixed.pcapng"), "--speed", "0.1"}, homeArgs(dir)...)...)
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", promPort)
	var m map[string]float64
	deadline := time.Now().Add(30 * time.Second)
	for {
		body, _, err := httpGet(url)
		if err == nil {
			if m = parseProm(t, body); m["netbeat_kafka_events_acked"] > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			code, stderr := wait()
			t.Fatalf("%s never showed netbeat_kafka_events_acked > 0 (last error %v, metrics %v); netbeat exit %d:\n%s", url, err, m, code, tail(stderr, 30))
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, k := range []string{"netbeat_kafka_events_produced", "netbeat_kafka_events_failed", "netbeat_kafka_events_dropped", "netbeat_kafka_batches", "netbeat_capture_packets"} {
		if _, ok := m[k]; !ok {
			t.Errorf("/metrics lacks %s", k)
		}
	}
	if m["netbeat_kafka_events_produced"] < m["netbeat_kafka_events_acked"] {
		t.Errorf("produced %v < acked %v", m["netbeat_kafka_events_produced"], m["netbeat_kafka_events_acked"])
	}
	if code, stderr := wait(); code != 0 {
		t.Fatalf("netbeat exited %d:\n%s", code, tail(stderr, 30))
	}
	t.Logf("mid-replay: netbeat_kafka_events_acked=%v netbeat_capture_packets=%v", m["netbeat_kafka_events_acked"], m["netbeat_capture_packets"])
}
