//go:build integration

package kafka_test

// Helpers of beat_integration_test.go: build the netbeat binary once, run it
// with a generated config, read the broker env, consume records back with an
// independent franz-go client, shift pcap timestamps, and poll /stats.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/netbeat/netbeat/internal/nbtest"
	"github.com/netbeat/netbeat/internal/pcapfile"
)

// TestMain removes the binary nbtest built.
func TestMain(m *testing.M) {
	code := m.Run()
	nbtest.Cleanup()
	os.Exit(code)
}

func repoRoot(t *testing.T) string { return nbtest.RepoRoot(t) }

// netbeatBinary is the netbeat binary under test (see internal/nbtest).
func netbeatBinary(t *testing.T) string { return nbtest.Binary(t) }

// kafkaEnv is NETBEAT_KAFKA_<name> of the single test broker (nbtest.KafkaEnv).
func kafkaEnv(t *testing.T, name string) string { t.Helper(); return nbtest.KafkaEnv(t, name) }

// nbRun is one netbeat process.
type nbRun struct {
	cmd    *exec.Cmd
	out    *bytes.Buffer // stdout+stderr (-e: JSON logs)
	done   chan error
	cancel context.CancelFunc
}

// startNetbeat writes cfg into a temp home and starts netbeat with args; the
// process is killed after limit.
func startNetbeat(t *testing.T, limit time.Duration, cfg string, args ...string) *nbRun {
	t.Helper()
	bin := netbeatBinary(t)
	home := t.TempDir()
	cfgPath := filepath.Join(home, "netbeat.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	full := append([]string{"-e", "-c", cfgPath, "--path.home", home, "--path.data", filepath.Join(home, "data")}, args...)
	if len(args) > 0 && args[0] == "test" { // subcommand first
		full = append(append([]string{}, args...), "-c", cfgPath, "--path.home", home, "--path.data", filepath.Join(home, "data"))
	}
	r := &nbRun{cmd: exec.CommandContext(ctx, bin, full...), out: &bytes.Buffer{}, done: make(chan error, 1), cancel: cancel}
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	r.cmd.Dir = repoRoot(t)
	if err := r.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting netbeat: %v", err)
	}
	go func() { r.done <- r.cmd.Wait(); cancel() }()
	t.Cleanup(func() { cancel() })
	return r
}

// wait returns the exit code (-1 when killed at the limit).
func (r *nbRun) wait(t *testing.T) int {
	t.Helper()
	err := <-r.done
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() >= 0 {
		return ee.ExitCode()
	}
	t.Logf("netbeat did not exit in time (%v); output:\n%s", err, tail(r.out.String(), 40))
	return -1
}

// runNetbeat runs netbeat to completion and returns its exit code and output.
func runNetbeat(t *testing.T, limit time.Duration, cfg string, args ...string) (int, string) {
	t.Helper()
	r := startNetbeat(t, limit, cfg, args...)
	code := r.wait(t)
	return code, r.out.String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// franzConfig is a minimal netbeat config publishing with output.franz.
func franzConfig(t *testing.T, topic string, extra ...string) string {
	return fmt.Sprintf("queue.mem.flush.timeout: 100ms\nlogging.level: info\noutput.franz:\n  hosts: [%q]\n  topic: %q\n%s",
		kafkaEnv(t, "PLAINTEXT"), topic, strings.Join(extra, ""))
}

// nbRecord is the part of a netbeat event the tests check.
type nbRecord struct {
	Timestamp time.Time `json:"@timestamp"`
	Frame     struct {
		Number int `json:"number"`
	} `json:"frame"`
	Network struct {
		CommunityID string `json:"community_id"`
	} `json:"network"`
	Event struct {
		Dataset string `json:"dataset"`
	} `json:"event"`
}

func decode(t *testing.T, r *kgo.Record) nbRecord {
	t.Helper()
	var d nbRecord
	if err := json.Unmarshal(r.Value, &d); err != nil {
		t.Fatalf("decoding record %q: %v", r.Value, err)
	}
	return d
}

// consumeTopics reads topics from the start until want records arrived (then
// keeps reading for linger to catch duplicates) or timeout elapsed.
func consumeTopics(t *testing.T, want int, timeout, linger time.Duration, topics ...string) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafkaEnv(t, "PLAINTEXT")), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out []*kgo.Record
	for ctx.Err() == nil {
		if len(out) >= want {
			var lc context.CancelFunc
			ctx, lc = context.WithTimeout(ctx, linger)
			defer lc()
			want = int(^uint(0) >> 1)
		}
		fs := cl.PollFetches(ctx)
		fs.EachError(func(topic string, p int32, err error) {
			if ctx.Err() == nil {
				t.Logf("fetch %s/%d: %v", topic, p, err)
			}
		})
		out = append(out, fs.Records()...)
	}
	return out
}

func uniqueTopic(prefix string) string {
	return fmt.Sprintf("it-nb-%s-%d", prefix, time.Now().UnixNano())
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// getStats fetches netbeat's /stats monitoring endpoint.
func getStats(port int) (map[string]any, error) {
	cl := http.Client{Timeout: 2 * time.Second}
	resp, err := cl.Get(fmt.Sprintf("http://127.0.0.1:%d/stats", port))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	return m, json.NewDecoder(resp.Body).Decode(&m)
}

// lookup walks a dotted path through nested JSON objects.
func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// totalMetrics returns the "Total metrics" snapshot netbeat logs at exit.
func totalMetrics(t *testing.T, logs string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"Total metrics"`) {
			continue
		}
		var doc struct {
			Monitoring struct {
				Metrics map[string]any `json:"metrics"`
			} `json:"monitoring"`
		}
		if err := json.Unmarshal([]byte(line), &doc); err == nil {
			return doc.Monitoring.Metrics
		}
	}
	t.Fatalf("no \"Total metrics\" log line in:\n%s", tail(logs, 20))
	return nil
}

// shiftPcap copies a classic pcap file with every packet timestamp moved by
// delta (whole seconds), so a capture lands on a chosen date.
func shiftPcap(t *testing.T, src string, delta time.Duration) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 24 {
		t.Fatalf("%s: too short for a pcap", src)
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		t.Fatalf("%s: not a classic pcap file", src)
	}
	sec := int64(delta / time.Second)
	for _, off := range pcapfile.RecordOffsets(b, bo) {
		ts := int64(bo.Uint32(b[off:])) + sec
		bo.PutUint32(b[off:], uint32(ts)) //nolint:gosec // dates stay within 1970..2106
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

func firstPacketTime(t *testing.T, path string) time.Time {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 40 {
		t.Fatalf("reading %s: %v", path, err)
	}
	return time.Unix(int64(binary.LittleEndian.Uint32(b[24:])), 0).UTC()
}
