//go:build !integration

package kafka

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/outputs/outest"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	agenttesting "github.com/elastic/elastic-agent-libs/testing"
)

func newCluster(t *testing.T, topics ...string) *kfake.Cluster {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3)}
	if len(topics) > 0 {
		opts = append(opts, kfake.SeedTopics(3, topics...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func settingsFor(c *kfake.Cluster, extra map[string]any) map[string]any {
	s := map[string]any{"hosts": c.ListenAddrs(), "topic": "netbeat", "timeout": "5s", "backoff.init": "10ms", "backoff.max": "100ms"}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

func consumerOpts(c *kfake.Cluster) []kgo.Opt { return []kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)} }

func TestPublishDeliversAndACKs(t *testing.T) {
	kc := newCluster(t, "netbeat")
	c, reg := newTestClient(t, nil, settingsFor(kc, nil))
	connect(t, c)

	const n = 200
	b, err := publish(c, flowEvents(0, n, time.Now())...)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if sig := lastSignal(t, b); sig.Tag != outest.BatchACK {
		t.Fatalf("signal = %v, want ACK", sig.Tag)
	}
	recs := consume(t, n, 10*time.Second, consumerOpts(kc), "netbeat")
	seen := map[int]int{}
	for _, r := range recs {
		seen[seqOf(t, r)]++
	}
	for i := 0; i < n; i++ {
		if seen[i] != 1 {
			t.Errorf("seq %d arrived %d times", i, seen[i])
		}
	}
	if got := uintMetric(reg, "events.acked"); got != n {
		t.Errorf("events.acked = %d, want %d", got, n)
	}
	if got := uintMetric(reg, "events.produced"); got != n {
		t.Errorf("events.produced = %d, want %d", got, n)
	}
}

// TestACKOnlyAfterKafkaAcknowledged checks, at the moment the batch is
// ACKed, that every event is already readable from the cluster.
func TestACKOnlyAfterKafkaAcknowledged(t *testing.T) {
	kc := newCluster(t, "netbeat")
	c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{"required_acks": -1}))
	connect(t, c)

	var atACK int = -1
	b := outest.NewBatch(flowEvents(0, 50, time.Now())...)
	b.OnSignal = func(sig outest.BatchSignal) {
		if sig.Tag == outest.BatchACK {
			atACK = len(consume(t, 50, 5*time.Second, consumerOpts(kc), "netbeat"))
		}
	}
	if err := publishBatch(c, b); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if atACK != 50 {
		t.Fatalf("at ACK time %d of 50 records were in Kafka", atACK)
	}
}

func TestKeyDefaultsToCommunityID(t *testing.T) {
	kc := newCluster(t, "netbeat")
	c, _ := newTestClient(t, nil, settingsFor(kc, nil))
	connect(t, c)

	now := time.Now()
	evs := append(flowEvents(0, 30, now), flowEvent(30, "", now)) // last one has no community_id
	if _, err := publish(c, evs...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	partOf := map[string]int32{}
	for _, r := range consume(t, 31, 10*time.Second, consumerOpts(kc), "netbeat") {
		seq := seqOf(t, r)
		if seq == 30 {
			if r.Key != nil {
				t.Errorf("event without community_id got key %q", r.Key)
			}
			continue
		}
		want := fmt.Sprintf("1:flow-%d", seq%7)
		if string(r.Key) != want {
			t.Errorf("seq %d key = %q, want %q", seq, r.Key, want)
		}
		if p, ok := partOf[string(r.Key)]; ok && p != r.Partition {
			t.Errorf("key %q in partitions %d and %d", r.Key, p, r.Partition)
		}
		partOf[string(r.Key)] = r.Partition
	}
}

func TestDateTopic(t *testing.T) {
	kc := newCluster(t)
	c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{"topic": "netbeat-%{+yyyy.MM.dd}"}))
	connect(t, c)
	ts := time.Date(2024, 3, 7, 12, 0, 0, 0, time.UTC)
	if _, err := publish(c, flowEvents(0, 5, ts)...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got := len(consume(t, 5, 10*time.Second, consumerOpts(kc), "netbeat-2024.03.07")); got != 5 {
		t.Fatalf("got %d records in netbeat-2024.03.07, want 5", got)
	}
}

func TestTopicsRules(t *testing.T) {
	kc := newCluster(t)
	c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{
		"topics": []map[string]any{{"topic": "dns", "when.equals.seq": 1}},
	}))
	connect(t, c)
	if _, err := publish(c, flowEvents(0, 3, time.Now())...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got := consume(t, 3, 10*time.Second, consumerOpts(kc), "dns", "netbeat"); len(got) != 3 {
		t.Fatalf("got %d records, want 3", len(got))
	} else {
		for _, r := range got {
			if (seqOf(t, r) == 1) != (r.Topic == "dns") {
				t.Errorf("seq %d went to %s", seqOf(t, r), r.Topic)
			}
		}
	}
}

func TestOversizeDroppedCountedLogged(t *testing.T) {
	kc := newCluster(t, "netbeat")
	log, logs := logptest.NewTestingLoggerWithObserver(t, "")
	c, reg := newTestClient(t, log, settingsFor(kc, map[string]any{"max_message_bytes": 2000}))
	connect(t, c)

	big := flowEvent(1, "1:big", time.Now())
	big.Fields["payload"] = strings.Repeat("x", 5000)
	b, err := publish(c, flowEvent(0, "1:a", time.Now()), big, flowEvent(2, "1:b", time.Now()))
	if err != nil {
		t.Fatalf("Publish: %v (oversize must not cause a retry)", err)
	}
	if sig := lastSignal(t, b); sig.Tag != outest.BatchACK {
		t.Fatalf("signal = %v, want ACK", sig.Tag)
	}
	if got := uintMetric(reg, "events.dropped_oversize"); got != 1 {
		t.Errorf("events.dropped_oversize = %d, want 1", got)
	}
	if got := logs.FilterMessageSnippet("larger than max_message_bytes").Len(); got != 1 {
		t.Errorf("oversize logged %d times, want 1", got)
	}
	if got := len(consume(t, 2, 5*time.Second, consumerOpts(kc), "netbeat")); got != 2 {
		t.Errorf("got %d records, want 2", got)
	}
}

// TestRetryWhenClusterUnreachable: with the cluster gone, the records stay
// with franz-go, which retries them; no deadline of netbeat's own gives up
// records that may already be in a produce request (resending those under a
// new producer ID is how duplicates were written). Close hands them back.
func TestRetryWhenClusterUnreachable(t *testing.T) {
	kc := newCluster(t, "netbeat")
	c, reg := newTestClient(t, nil, settingsFor(kc, map[string]any{"timeout": "1s"}))
	connect(t, c)
	kc.Close()

	evs := flowEvents(0, 10, time.Now())
	b := outest.NewBatch(evs...)
	if err := c.Publish(t.Context(), b); err != nil {
		t.Fatalf("Publish error = %v; failures are signalled with the batch", err)
	}
	time.Sleep(2500 * time.Millisecond) // more than twice timeout, the old per-batch deadline
	if n := len(b.Signals); n != 0 {
		t.Fatalf("batch signalled %+v while Kafka had not answered; want no signal before Close", b.Signals)
	}
	_ = c.Close()
	sig := lastSignal(t, b)
	if sig.Tag != outest.BatchRetryEvents || len(sig.Events) != len(evs) {
		t.Fatalf("signal = %v with %d events, want RetryEvents with %d", sig.Tag, len(sig.Events), len(evs))
	}
	if got := uintMetric(reg, "events.failed"); got != 10 {
		t.Errorf("events.failed = %d, want 10", got)
	}
	if err := c.Connect(t.Context()); !errors.Is(err, ErrNoBroker) {
		t.Errorf("Connect to a closed cluster = %v, want ErrNoBroker", err)
	}
}

func TestPublishBeforeConnect(t *testing.T) {
	c, _ := newTestClient(t, nil, map[string]any{"hosts": []string{"127.0.0.1:1"}, "topic": "x"})
	b, err := publish(c, flowEvents(0, 2, time.Now())...)
	if !errors.Is(err, ErrNotConnected) || lastSignal(t, b).Tag != outest.BatchCancelled {
		t.Fatalf("err = %v signals = %+v", err, b.Signals)
	}
}

func TestCompressionCodecs(t *testing.T) {
	for _, comp := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		t.Run(comp, func(t *testing.T) {
			kc := newCluster(t, "netbeat")
			c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{"compression": comp}))
			connect(t, c)
			if _, err := publish(c, flowEvents(0, 20, time.Now())...); err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if got := len(consume(t, 20, 10*time.Second, consumerOpts(kc), "netbeat")); got != 20 {
				t.Fatalf("got %d records, want 20", got)
			}
		})
	}
}

func TestHeadersAndClientID(t *testing.T) {
	kc := newCluster(t, "netbeat")
	c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{
		"headers": []map[string]any{{"key": "source", "value": "netbeat"}},
	}))
	connect(t, c)
	if _, err := publish(c, flowEvents(0, 1, time.Now())...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	recs := consume(t, 1, 5*time.Second, consumerOpts(kc), "netbeat")
	if len(recs) != 1 || len(recs[0].Headers) != 1 || string(recs[0].Headers[0].Value) != "netbeat" {
		t.Fatalf("records/headers = %+v", recs)
	}
}

func TestTestOutput(t *testing.T) {
	kc := newCluster(t, "netbeat")
	c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{"topic": "fresh-topic"}))
	var out bytes.Buffer
	c.Test(agenttesting.NewConsoleDriverWithKiller(&out, func() { t.Errorf("fatal") }))
	if s := out.String(); !strings.Contains(s, "OK") || strings.Contains(s, "ERROR") {
		t.Fatalf("test output:\n%s", s)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	_ = l.Close()
	c, _ = newTestClient(t, nil, map[string]any{"hosts": []string{addr}, "topic": "x", "timeout": "1s"})
	out.Reset()
	killed := false
	c.Test(agenttesting.NewConsoleDriverWithKiller(&out, func() { killed = true }))
	if !killed {
		t.Errorf("an unreachable broker must be fatal")
	}
	if !strings.Contains(out.String(), "no broker reachable at "+addr) {
		t.Fatalf("unreachable test output lacks the hint:\n%s", out.String())
	}
}

func TestPermanentErrors(t *testing.T) {
	for err, want := range map[error]bool{
		kerr.InvalidTimestamp:                true, // broker's timestamp window; retrying cannot help
		kerr.TopicAuthorizationFailed:        true,
		fmt.Errorf("x: %w", ErrInvalidEvent): true,
		kerr.NotLeaderForPartition:           false,
		kerr.RequestTimedOut:                 false,
		kgo.ErrRecordTimeout:                 false,
	} {
		if got := isPermanent(err); got != want {
			t.Errorf("isPermanent(%v) = %v, want %v", err, got, want)
		}
	}
}

// TestPipeliningBoundsBatchesInFlight: Publish returns before Kafka answered,
// at most pipelining batches are in flight, and the next Publish waits until
// one of them is signalled (here: until Close hands them back, as nothing can
// be acknowledged).
func TestPipeliningBoundsBatchesInFlight(t *testing.T) {
	kc := newCluster(t, "netbeat")
	c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{"timeout": "1s", "pipelining": 2}))
	connect(t, c)
	kc.Close() // nothing can be acknowledged

	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	batch := func(name string, from int) *outest.Batch {
		b := outest.NewBatch(flowEvents(from, 5, time.Now())...)
		b.OnSignal = func(sig outest.BatchSignal) {
			switch sig.Tag {
			case outest.BatchRetryEvents, outest.BatchCancelled:
				note(name + " handed back")
			default:
				note(fmt.Sprintf("%s signal %v", name, sig.Tag))
			}
		}
		return b
	}
	for i, name := range []string{"b1", "b2"} {
		if err := c.Publish(t.Context(), batch(name, 5*i)); err != nil {
			t.Fatalf("Publish %s: %v", name, err)
		}
	}
	note("b1, b2 published")
	if got := len(c.places); got != 2 {
		t.Fatalf("%d batches in flight after two Publish calls, want 2", got)
	}
	b3 := make(chan struct{})
	go func() {
		_ = c.Publish(t.Context(), batch("b3", 10)) // ErrNotConnected when Close wins the race
		note("b3 published")
		close(b3)
	}()
	select {
	case <-b3:
		t.Fatal("a third Publish returned while two batches were in flight with pipelining: 2")
	case <-time.After(1500 * time.Millisecond):
	}
	note("close")
	_ = c.Close()
	<-b3
	c.running.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(order) != 6 || order[0] != "b1, b2 published" || order[1] != "close" {
		t.Fatalf("order of events = %q, want b1 and b2 published, nothing until close, then all three handed back", order)
	}
	back := 0
	for _, s := range order {
		if strings.Contains(s, " signal ") {
			t.Fatalf("order of events = %q: every batch must be handed back for retry", order)
		}
		if strings.HasSuffix(s, " handed back") {
			back++
		}
	}
	if back != 3 {
		t.Fatalf("order of events = %q: want 3 batches handed back", order)
	}
}
