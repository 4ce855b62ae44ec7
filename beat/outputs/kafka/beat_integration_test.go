//go:build integration

package kafka_test

// End-to-end tests of output.franz: build the netbeat binary, run it on a
// test capture against the real broker of scripts/kafka.sh, and read the
// records back with an independent franz-go consumer.
//
//	bash scripts/kafka.sh start
//	go test -tags integration -run TestNetbeat -v ./beat/outputs/kafka/
//	bash scripts/kafka.sh stop
//
// The tests fail (never skip) when the broker env is missing.
// TestNetbeatBrokerDownAtStart stops the broker and resumes it.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func capture(t *testing.T, name string) string {
	return filepath.Join(repoRoot(t), "testdata", "captures", name)
}

// checkFrames asserts that records carry frame.number 1..n exactly once and
// that each key is the event's network.community_id.
func checkFrames(t *testing.T, recs []nbRecord, keys []string, n int) {
	t.Helper()
	seen := map[int]int{}
	for i, d := range recs {
		seen[d.Frame.Number]++
		if d.Network.CommunityID == "" || keys[i] != d.Network.CommunityID {
			t.Errorf("frame %d: key %q, community_id %q", d.Frame.Number, keys[i], d.Network.CommunityID)
		}
	}
	lost, dups := 0, 0
	for f := 1; f <= n; f++ {
		switch c := seen[f]; {
		case c == 0:
			lost++
			t.Errorf("frame.number %d missing", f)
		case c > 1:
			dups += c - 1
			t.Errorf("frame.number %d arrived %d times", f, c)
		}
	}
	t.Logf("%d records: %d of %d frames missing, %d duplicates", len(recs), lost, n, dups)
	if len(recs) != n {
		t.Errorf("got %d records, want %d", len(recs), n)
	}
}

// TestNetbeatPackets: http4.pcap in packet mode gives 24 records, frames
// 1..24 once each, keyed by community id; the output's metrics reach the
// monitoring snapshot.
func TestNetbeatPackets(t *testing.T) {
	topic := uniqueTopic("packets")
	code, out := runNetbeat(t, time.Minute, franzConfig(t, topic),
		"-I", capture(t, "http4.pcap"), "--mode", "packets")
	if code != 0 {
		t.Fatalf("netbeat exited %d:\n%s", code, tail(out, 30))
	}
	raw := consumeTopics(t, 24, 30*time.Second, 2*time.Second, topic)
	recs, keys := make([]nbRecord, len(raw)), make([]string, len(raw))
	for i, r := range raw {
		recs[i], keys[i] = decode(t, r), string(r.Key)
	}
	checkFrames(t, recs, keys, 24)

	m := totalMetrics(t, out)
	for path, want := range map[string]float64{
		"netbeat.kafka.events.produced": 24, "netbeat.kafka.events.acked": 24,
		"netbeat.kafka.events.failed": 0, "netbeat.kafka.events.dropped_oversize": 0,
		"libbeat.output.events.acked": 24,
	} {
		if v, ok := lookup(m, path); !ok || v.(float64) != want {
			t.Errorf("Total metrics %s = %v, want %v", path, v, want)
		}
	}
}

// TestNetbeatDateTopic: with topic netbeat-%{+yyyy.MM.dd} records land in the
// topic of the event (capture) date, not of today. The capture is shifted to
// a random past day so reruns on one broker do not collide.
func TestNetbeatDateTopic(t *testing.T) {
	src := capture(t, "http4.pcap")
	day := time.Date(2001, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, rand.IntN(8000))
	first := firstPacketTime(t, src)
	shifted := shiftPcap(t, src, day.Sub(first.Truncate(24*time.Hour).Add(12*time.Hour)))
	topic := "netbeat-" + day.Format("2006.01.02")

	code, out := runNetbeat(t, time.Minute, franzConfig(t, "netbeat-%{+yyyy.MM.dd}"),
		"-I", shifted, "--mode", "packets")
	if code != 0 {
		t.Fatalf("netbeat exited %d:\n%s", code, tail(out, 30))
	}
	raw := consumeTopics(t, 24, 30*time.Second, time.Second, topic)
	if len(raw) != 24 {
		t.Fatalf("topic %s has %d records, want 24", topic, len(raw))
	}
	for _, r := range raw {
		d := decode(t, r)
		if want := "netbeat-" + d.Timestamp.UTC().Format("2006.01.02"); r.Topic != want {
			t.Errorf("frame %d (@timestamp %s) in topic %s, want %s", d.Frame.Number, d.Timestamp, r.Topic, want)
		}
	}
	t.Logf("24 records in %s (capture shifted from %s)", topic, first.Format(time.DateOnly))
}

// TestNetbeatFutureTimestamps: Kafka 4 rejects record timestamps more than
// 1 h in the future (log.message.timestamp.after.max.ms) with
// INVALID_TIMESTAMP. Those events are dropped, logged and counted, and
// netbeat exits instead of retrying them forever (GuaranteedSend).
func TestNetbeatFutureTimestamps(t *testing.T) {
	src := capture(t, "http4.pcap")
	future := shiftPcap(t, src, time.Since(firstPacketTime(t, src))+48*time.Hour) // first packet at now+48h
	topic := uniqueTopic("future")
	code, out := runNetbeat(t, time.Minute, franzConfig(t, topic), "-I", future, "--mode", "packets")
	if code != 0 {
		t.Fatalf("netbeat exited %d:\n%s", code, tail(out, 30))
	}
	m := totalMetrics(t, out)
	for path, want := range map[string]float64{
		"netbeat.kafka.events.dropped": 24, "netbeat.kafka.events.acked": 0, "libbeat.output.events.dropped": 24,
	} {
		if v, ok := lookup(m, path); !ok || v.(float64) != want {
			t.Errorf("Total metrics %s = %v, want %v", path, v, want)
		}
	}
	if !strings.Contains(out, "INVALID_TIMESTAMP") {
		t.Errorf("no INVALID_TIMESTAMP in the log:\n%s", tail(out, 20))
	}
}

// TestNetbeatFlows: http4.pcap in flow mode gives its 2 TCP flows.
func TestNetbeatFlows(t *testing.T) {
	topic := uniqueTopic("flows")
	code, out := runNetbeat(t, time.Minute, franzConfig(t, topic),
		"-I", capture(t, "http4.pcap"), "--mode", "flows")
	if code != 0 {
		t.Fatalf("netbeat exited %d:\n%s", code, tail(out, 30))
	}
	raw := consumeTopics(t, 2, 30*time.Second, 2*time.Second, topic)
	ids := map[string]bool{}
	for _, r := range raw {
		d := decode(t, r)
		if d.Event.Dataset != "netbeat.flows" || string(r.Key) != d.Network.CommunityID {
			t.Errorf("record dataset %q key %q community_id %q", d.Event.Dataset, r.Key, d.Network.CommunityID)
		}
		ids[d.Network.CommunityID] = true
	}
	if len(raw) != 2 || len(ids) != 2 {
		t.Fatalf("got %d flow records with %d community ids, want 2 and 2", len(raw), len(ids))
	}
}

// TestNetbeatTestOutput: `netbeat test output` passes against the broker and
// fails with a clear message against a closed port.
func TestNetbeatTestOutput(t *testing.T) {
	t.Run("broker up", func(t *testing.T) {
		code, out := runNetbeat(t, time.Minute, franzConfig(t, uniqueTopic("probe")), "test", "output")
		t.Logf("netbeat test output:\n%s", out)
		if code != 0 || strings.Count(out, "... OK") < 2 || strings.Contains(out, "ERROR") {
			t.Fatalf("exit %d, want 0 with OK lines", code)
		}
	})
	t.Run("closed port", func(t *testing.T) {
		host := "127.0.0.1:" + strconv.Itoa(freePort(t))
		cfg := fmt.Sprintf("output.franz:\n  hosts: [%q]\n  topic: probe\n  timeout: 3s\n", host)
		code, out := runNetbeat(t, time.Minute, cfg, "test", "output")
		t.Logf("netbeat test output (exit %d):\n%s", code, out)
		if want := "no broker reachable at " + host; code == 0 || !strings.Contains(out, want) {
			t.Fatalf("exit %d, want non-zero and %q", code, want)
		}
	})
}

// kafkaScript runs scripts/kafka.sh with args.
func kafkaScript(t *testing.T, args ...string) error {
	t.Helper()
	out, err := exec.Command("bash", append([]string{kafkaEnv(t, "SCRIPT")}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("kafka.sh %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// statsKeys are the output metrics that must be visible on /stats.
var statsKeys = []string{
	"netbeat.kafka.events.produced", "netbeat.kafka.events.acked", "netbeat.kafka.events.failed",
	"netbeat.kafka.events.dropped", "netbeat.kafka.events.dropped_oversize", "netbeat.kafka.batches",
	"netbeat.kafka.batch_size.histogram.count", "netbeat.kafka.produce_latency_ms.histogram.max",
	"libbeat.output.events.acked", "libbeat.output.write.latency.histogram.count",
}

// TestNetbeatBrokerDownAtStart: netbeat starts on mixed.pcapng while the
// broker is stopped, the broker comes back ~10 s later, and all 118 records
// arrive exactly once; netbeat exits 0. /stats is polled while it waits.
func TestNetbeatBrokerDownAtStart(t *testing.T) {
	topic := uniqueTopic("down")
	port := freePort(t)
	cfg := franzConfig(t, topic, "  timeout: 5s\n  backoff.init: 1s\n  backoff.max: 4s\n") +
		fmt.Sprintf("http.enabled: true\nhttp.host: 127.0.0.1\nhttp.port: %d\n", port)

	if err := kafkaScript(t, "stop"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if kafkaScript(t, "status") != nil {
			if err := kafkaScript(t, "resume"); err != nil {
				t.Errorf("resuming the broker: %v", err)
			}
		}
	})
	start := time.Now()
	r := startNetbeat(t, 2*time.Minute, cfg, "-I", capture(t, "mixed.pcapng"), "--mode", "packets")

	var stats map[string]any
	for time.Since(start) < 10*time.Second {
		time.Sleep(time.Second)
		select {
		case err := <-r.done:
			t.Fatalf("netbeat exited (%v) while the broker was down:\n%s", err, tail(r.out.String(), 30))
		default:
		}
		if s, err := getStats(port); err == nil {
			stats = s
		}
	}
	if stats == nil {
		t.Errorf("GET /stats on 127.0.0.1:%d never answered", port)
	}
	for _, k := range statsKeys {
		if _, ok := lookup(stats, k); !ok {
			t.Errorf("/stats lacks %s", k)
		}
	}
	if v, _ := lookup(stats, "netbeat.kafka.events.acked"); v != 0.0 {
		t.Errorf("/stats netbeat.kafka.events.acked = %v while the broker is down, want 0", v)
	}

	resumed := time.Now()
	if err := kafkaScript(t, "resume"); err != nil {
		t.Fatal(err)
	}
	t.Logf("broker resumed after %s (took %s)", resumed.Sub(start).Round(time.Second), time.Since(resumed).Round(time.Millisecond))
	if code := r.wait(t); code != 0 {
		t.Fatalf("netbeat exited %d:\n%s", code, tail(r.out.String(), 30))
	}
	t.Logf("netbeat exited 0 %s after the resume", time.Since(resumed).Round(time.Millisecond))

	raw := consumeTopics(t, 118, 30*time.Second, 3*time.Second, topic)
	recs, keys := make([]nbRecord, len(raw)), make([]string, len(raw))
	for i, rec := range raw {
		recs[i], keys[i] = decode(t, rec), string(rec.Key)
	}
	checkFrames(t, recs, keys, 118)

	m := totalMetrics(t, r.out.String())
	for _, k := range []string{"netbeat.kafka.events.acked", "netbeat.kafka.events.failed", "netbeat.kafka.batches"} {
		v, _ := lookup(m, k)
		t.Logf("Total metrics %s = %v", k, v)
	}
	if v, _ := lookup(m, "netbeat.kafka.events.acked"); v != 118.0 {
		t.Errorf("Total metrics netbeat.kafka.events.acked = %v, want 118", v)
	}
}

// TestNetbeatDiskQueueBrokerDown: with libbeat's disk queue an event counts
// as acknowledged once it is persisted, so `netbeat -I` exits 0 while the
// broker is down with the events safe in the queue directory; a netbeat
// started later with the same queue (here a live capture on lo that matches
// nothing) delivers them, exactly once, when the broker is back.
func TestNetbeatDiskQueueBrokerDown(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (a live capture on lo drains the queue)")
	}
	topic := uniqueTopic("diskq")
	qdir := t.TempDir()
	cfg := strings.Replace(franzConfig(t, topic, "  timeout: 5s\n  backoff.init: 1s\n  backoff.max: 2s\n"),
		"queue.mem.flush.timeout: 100ms\n", fmt.Sprintf("queue.disk:\n  path: %q\n  max_size: 200MB\n", qdir), 1)
	if !strings.Contains(cfg, "queue.disk") {
		t.Fatalf("config has no disk queue:\n%s", cfg)
	}
	if err := kafkaScript(t, "stop"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if kafkaScript(t, "status") != nil {
			if err := kafkaScript(t, "resume"); err != nil {
				t.Errorf("resuming the broker: %v", err)
			}
		}
	})
	if code, out := runNetbeat(t, time.Minute, cfg, "-I", capture(t, "http4.pcap"), "--mode", "packets"); code != 0 {
		t.Fatalf("netbeat -I with the broker down exited %d:\n%s", code, tail(out, 30))
	}
	var queued int64
	_ = filepath.Walk(qdir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			queued += fi.Size()
		}
		return nil
	})
	if queued < 2000 {
		t.Fatalf("the disk queue in %s holds %d bytes after the run; the 24 events should be there", qdir, queued)
	}
	t.Logf("disk queue holds %d bytes with the broker down", queued)
	if err := kafkaScript(t, "resume"); err != nil {
		t.Fatal(err)
	}
	live := cfg + "netbeat:\n  interfaces:\n    - {device: lo, type: af_packet, bpf_filter: \"udp port 9\"}\n  mode: [packets]\n"
	r := startNetbeat(t, 2*time.Minute, live)
	raw := consumeTopics(t, 24, 60*time.Second, 3*time.Second, topic)
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	if code := r.wait(t); code != 0 {
		t.Errorf("draining netbeat exited %d:\n%s", code, tail(r.out.String(), 30))
	}
	recs, keys := make([]nbRecord, len(raw)), make([]string, len(raw))
	for i, rec := range raw {
		recs[i], keys[i] = decode(t, rec), string(rec.Key)
	}
	checkFrames(t, recs, keys, 24)
}
