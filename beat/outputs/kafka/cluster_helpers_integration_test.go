//go:build integration

package kafka_test

// Helpers of cluster_integration_test.go: the 3-node cluster of
// scripts/kafka-cluster.sh, a big capture with a unique id per packet
// (frame.number), a probe that follows the topic's end offsets and the
// netbeat process's RSS, and a read-back that counts every record by id.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbeat/netbeat/internal/nbtest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// faultPackets is how many packet events each fault test replays.
const faultPackets = 500_000

// clusterEnv returns NETBEAT_KAFKA_CLUSTER<name> from the environment or from
// .cache/kafka-cluster/env, failing the test when it is missing.
func clusterEnv(t *testing.T, name string) string {
	t.Helper()
	return nbtest.EnvOf(t, "NETBEAT_KAFKA_CLUSTER"+name, ".cache/kafka-cluster/env", "scripts/kafka-cluster.sh")
}

func clusterHosts(t *testing.T) []string { return strings.Split(clusterEnv(t, ""), ",") }

// clusterScript runs scripts/kafka-cluster.sh with args.
func clusterScript(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("bash", append([]string{filepath.Join(repoRoot(t), "scripts/kafka-cluster.sh")}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("kafka-cluster.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// clusterUp resumes every node that a failed test may have left down, and
// does so again when the test ends.
func clusterUp(t *testing.T) {
	t.Helper()
	clusterScript(t, "resume")
	t.Cleanup(func() { clusterScript(t, "resume") })
}

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
)

// bigCapture is a capture of at least faultPackets packets made by
// tools/mkbig from mixed.pcapng (copies shifted in time, client ports
// rotated): frame.number 1..N is each packet's unique id. It is written once
// into .cache/it and reused.
func bigCapture(t *testing.T) (string, int) {
	t.Helper()
	bigOnce.Do(func() {
		bigPath = filepath.Join(repoRoot(t), ".cache", "it", fmt.Sprintf("cluster-%d.pcap", faultPackets))
		if _, err := os.Stat(bigPath); err == nil {
			return
		}
		if err := os.MkdirAll(filepath.Dir(bigPath), 0o755); err != nil {
			bigErr = err
			return
		}
		cmd := exec.Command("go", "run", "./tools/mkbig", "-in", "testdata/captures/mixed.pcapng",
			"-out", bigPath+".tmp", "-packets", strconv.Itoa(faultPackets))
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			bigErr = fmt.Errorf("tools/mkbig: %w\n%s", err, out)
			return
		}
		bigErr = os.Rename(bigPath+".tmp", bigPath)
	})
	if bigErr != nil {
		t.Fatal(bigErr)
	}
	n := countPackets(t, bigPath)
	if n < faultPackets {
		t.Fatalf("%s has %d packets, want at least %d", bigPath, n, faultPackets)
	}
	return bigPath, n
}

// countPackets counts the records of a classic little-endian pcap file.
func countPackets(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for off := 24; off+16 <= len(b); n++ {
		incl := int(uint32(b[off+8]) | uint32(b[off+9])<<8 | uint32(b[off+10])<<16 | uint32(b[off+11])<<24)
		off += 16 + incl
	}
	return n
}

// pcapSpan is the time between the first and the last packet of a classic
// little-endian pcap file (microsecond or nanosecond timestamps).
func pcapSpan(t *testing.T, path string) time.Duration {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := func(o int) int64 {
		return int64(uint32(b[o]) | uint32(b[o+1])<<8 | uint32(b[o+2])<<16 | uint32(b[o+3])<<24)
	}
	frac := int64(1000) // microsecond pcap; nanosecond pcap (tools/mkbig) below
	if len(b) >= 4 && le(0) == 0xa1b23c4d {
		frac = 1
	}
	var first, last time.Time
	for off := 24; off+16 <= len(b); off += 16 + int(le(off+8)) {
		ts := time.Unix(le(off), le(off+4)*frac)
		if first.IsZero() {
			first = ts
		}
		last = ts
	}
	if !last.After(first) {
		t.Fatalf("%s: no time span between its packets", path)
	}
	return last.Sub(first)
}

// createClusterTopic creates topic with 3 partitions, replication factor 3
// and min.insync.replicas=2.
func createClusterTopic(t *testing.T, topic string) {
	t.Helper()
	adm, closeAdm := clusterAdmin(t)
	defer closeAdm()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	isr := "2"
	resp, err := adm.CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": &isr}, topic)
	if err != nil || resp.Err != nil {
		t.Fatalf("creating topic %s (3 partitions, RF 3): %v %v", topic, err, resp.Err)
	}
	// Each test writes ~40 MB per replica; later tests (and the full-disk
	// test's tmpfs) need the room.
	t.Cleanup(func() {
		adm, closeAdm := clusterAdmin(t)
		defer closeAdm()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adm.DeleteTopic(ctx, topic); err != nil {
			t.Logf("deleting topic %s: %v", topic, err)
		}
	})
}

func clusterAdmin(t *testing.T) (*kadm.Client, func()) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(clusterHosts(t)...))
	if err != nil {
		t.Fatal(err)
	}
	return kadm.NewClient(cl), cl.Close
}

// leaderOf returns the node id leading partition p of topic.
func leaderOf(t *testing.T, topic string, p int32) int32 {
	t.Helper()
	adm, closeAdm := clusterAdmin(t)
	defer closeAdm()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	md, err := adm.Metadata(ctx, topic)
	if err != nil {
		t.Fatalf("metadata of %s: %v", topic, err)
	}
	pd, ok := md.Topics[topic].Partitions[p]
	if !ok {
		t.Fatalf("metadata of %s has no partition %d", topic, p)
	}
	return pd.Leader
}

// probe samples, every 250 ms, how many records topic holds (sum of end
// offsets; it only grows) and netbeat's RSS.
type probe struct {
	mu      sync.Mutex
	samples []sample
	stop    chan struct{}
	done    chan struct{}
}

type sample struct {
	at      time.Time
	records int64
	parts   map[int32]int64 // end offset per partition
	rssKB   int64
}

func startProbe(t *testing.T, topic string, pid int) *probe {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(clusterHosts(t)...), kgo.RequestTimeoutOverhead(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	adm := kadm.NewClient(cl)
	p := &probe{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer cl.Close()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		last := int64(0)
		parts := map[int32]int64{}
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			ends, err := adm.ListEndOffsets(ctx, topic)
			cancel()
			if err == nil {
				var n int64
				ends.Each(func(o kadm.ListedOffset) {
					if o.Err == nil && o.Offset > parts[o.Partition] {
						parts[o.Partition] = o.Offset
					}
				})
				for _, o := range parts {
					n += o
				}
				last = n
			}
			cp := make(map[int32]int64, len(parts))
			for k, v := range parts {
				cp[k] = v
			}
			p.mu.Lock()
			p.samples = append(p.samples, sample{at: time.Now(), records: last, parts: cp, rssKB: rssKB(pid)})
			p.mu.Unlock()
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(p.close)
	return p
}

func (p *probe) close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

func (p *probe) records() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.samples) == 0 {
		return 0
	}
	return p.samples[len(p.samples)-1].records
}

// waitRecords waits until the topic holds at least n records.
func (p *probe) waitRecords(t *testing.T, n int64, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for p.records() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the topic holds %d records after %v, want at least %d", p.records(), limit, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// progressAfter returns how long after from every partition of the topic
// had grown beyond its end offset at from: the time until writes to all
// partitions work again (-1 when some partition never grew, e.g. because the
// replay had ended).
func (p *probe) progressAfter(from time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var base map[int32]int64
	for _, s := range p.samples {
		if base == nil || s.at.Before(from) {
			base = s.parts
			continue
		}
		all := len(base) > 0
		for k, v := range base {
			if s.parts[k] <= v {
				all = false
			}
		}
		if all {
			return s.at.Sub(from)
		}
	}
	return -1
}

// maxRSS returns the largest RSS (KiB) sampled between from and to.
func (p *probe) maxRSS(from, to time.Time) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var m int64
	for _, s := range p.samples {
		if !s.at.Before(from) && !s.at.After(to) && s.rssKB > m {
			m = s.rssKB
		}
	}
	return m
}

// recordsAt returns the topic's record count sampled last before at.
func (p *probe) recordsAt(at time.Time) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n int64
	for _, s := range p.samples {
		if s.at.After(at) {
			break
		}
		n = s.records
	}
	return n
}

func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// tally is the read-back of a fault test: every record's frame.number.
type tally struct {
	total    int         // records read
	distinct int         // distinct frame numbers
	maxFrame int         // highest frame number read
	dups     int         // total - distinct
	seen     map[int]int // frame number -> count
}

// readBackCluster consumes topic from the start until want records arrived,
// then for linger more (to see duplicates), or until timeout.
func readBackCluster(t *testing.T, topic string, want int, timeout, linger time.Duration) tally {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(clusterHosts(t)...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond),
		kgo.FetchMaxBytes(64<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tl := tally{seen: make(map[int]int, want)}
	lingering := false
	for ctx.Err() == nil {
		if tl.total >= want && !lingering {
			var lc context.CancelFunc
			ctx, lc = context.WithTimeout(ctx, linger)
			defer lc()
			lingering = true
		}
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			id := frameNumber(t, r.Value)
			tl.total++
			tl.seen[id]++
			tl.maxFrame = max(tl.maxFrame, id)
		})
	}
	tl.distinct = len(tl.seen)
	tl.dups = tl.total - tl.distinct
	return tl
}

var frameKey = []byte(`"frame":{`)

// frameNumber extracts frame.number from a packet event without decoding
// the whole document.
func frameNumber(t *testing.T, v []byte) int {
	if i := bytes.Index(v, frameKey); i >= 0 {
		rest := v[i+len(frameKey):]
		if end := bytes.IndexByte(rest, '}'); end > 0 {
			for _, kv := range bytes.Split(rest[:end], []byte{','}) {
				if k, num, ok := bytes.Cut(kv, []byte{':'}); ok && string(k) == `"number"` {
					if n, err := strconv.Atoi(string(num)); err == nil {
						return n
					}
				}
			}
		}
	}
	var d nbRecord
	if err := json.Unmarshal(v, &d); err != nil || d.Frame.Number == 0 {
		t.Fatalf("record without frame.number: %.300s", v)
	}
	return d.Frame.Number
}

// clusterConfig is a netbeat config publishing to the cluster with acks=all
// (and so franz-go's idempotent producer).
func clusterConfig(t *testing.T, topic string, extra ...string) string {
	return fmt.Sprintf("logging.level: info\noutput.franz:\n  hosts: [%s]\n  topic: %q\n  required_acks: -1\n%s",
		quoteAll(clusterHosts(t)), topic, strings.Join(extra, ""))
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// faultRow prints a row of the fault table (BENCHMARKS.md).
func faultRow(t *testing.T, fault string, sent int, tl tally, recovery time.Duration) {
	t.Helper()
	lost := sent - tl.distinct
	rec := "-"
	if recovery >= 0 {
		rec = recovery.Round(100 * time.Millisecond).String()
	}
	t.Logf("FAULT-ROW | %s | %d | %d | %d | %d | %s |", fault, sent, tl.total, lost, tl.dups, rec)
}
