//go:build !integration

package consume

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"
)

// held is a Publisher that keeps events until the test acknowledges them.
type held struct {
	mu  sync.Mutex
	evs []beat.Event
}

func (h *held) Publish(ev beat.Event) { h.mu.Lock(); h.evs = append(h.evs, ev); h.mu.Unlock() }

func (h *held) take() []beat.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	evs := h.evs
	h.evs = nil
	return evs
}

func (h *held) len() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.evs) }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCommitAfterACK (kfake): the consumer publishes every record's event,
// never more than max_inflight at a time; nothing is committed before the
// output acknowledges, everything after; bad records go to the dead-letter
// topic with their origin and never stall their partition.
func TestCommitAfterACK(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "netbeat-2026.12.01", "dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	const n = 60
	var recs []*kgo.Record
	for i := 0; i < n; i++ {
		v := fmt.Sprintf(`{"@timestamp":"2026-12-01T00:00:%02dZ","@metadata":{"beat":"netbeat","type":"_doc","version":"9.3.0","_id":"abc.p%d"},"n":%d}`, i%60, i+1, i)
		if i%20 == 7 {
			v = "garbage" // 3 bad records
		}
		recs = append(recs, &kgo.Record{Topic: "netbeat-2026.12.01", Value: []byte(v)})
	}
	if err := prod.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Enabled, cfg.Hosts, cfg.Topics = true, c.ListenAddrs(), []string{"netbeat-%{+yyyy.MM.dd}"}
	cfg.MaxInflight, cfg.CommitInterval, cfg.DeadLetterTopic, cfg.Group = 10, 50*time.Millisecond, "dlq", "g"
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	reg := monitoring.NewRegistry()
	cons, err := New(cfg, []kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, logp.NewLogger("test"), reg)
	if err != nil {
		t.Fatal(err)
	}
	out := &held{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- cons.Run(ctx, out, 5*time.Second, true) }()

	adm := kadm.NewClient(prod)
	committed := func() int64 {
		offs, err := adm.FetchOffsets(context.Background(), "g")
		if err != nil {
			return -1
		}
		var sum int64
		offs.Each(func(o kadm.OffsetResponse) {
			if o.Topic == "netbeat-2026.12.01" {
				sum += o.At
			}
		})
		return sum
	}
	waitFor(t, "10 events in flight", func() bool { return out.len() == 10 })
	time.Sleep(300 * time.Millisecond) // several commit intervals and polls
	if l := out.len(); l != 10 {
		t.Fatalf("%d events published with max_inflight 10 and none acknowledged", l)
	}
	if s := committed(); s > 0 {
		t.Fatalf("offsets committed (sum %d) before any acknowledgement", s)
	}
	var got []beat.Event
	for len(got) < n-3 {
		evs := out.take()
		ids := make([]interface{}, len(evs))
		for i := range evs {
			ids[i] = evs[i].Private
		}
		cons.ACK(len(evs), ids)
		got = append(got, evs...)
		if len(evs) == 0 {
			waitFor(t, "more events", func() bool { return out.len() > 0 })
		}
	}
	waitFor(t, "every offset committed", func() bool { return committed() == n })
	seen := map[string]bool{}
	for _, ev := range got {
		id, _ := ev.Meta["_id"].(string)
		if id == "" || seen[id] || ev.Meta["beat"] != nil {
			t.Fatalf("event meta %v: want a new _id and no beat key", ev.Meta)
		}
		seen[id] = true
	}
	// the dead-letter topic
	dl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	var dead []*kgo.Record
	pctx, pcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer pcancel()
	for len(dead) < 3 && pctx.Err() == nil {
		dead = append(dead, dl.PollFetches(pctx).Records()...)
	}
	if len(dead) != 3 {
		t.Fatalf("%d dead letters, want 3", len(dead))
	}
	for _, r := range dead {
		h := map[string]string{}
		for _, x := range r.Headers {
			h[x.Key] = string(x.Value)
		}
		if string(r.Value) != "garbage" || h["netbeat.error"] != "not_json" || h["netbeat.topic"] != "netbeat-2026.12.01" || h["netbeat.offset"] == "" {
			t.Fatalf("dead letter %q headers %v", r.Value, h)
		}
	}
	snap := monitoring.CollectFlatSnapshot(reg, monitoring.Full, false)
	if snap.Ints["netbeat.consume.bad.not_json"] != 3 || snap.Ints["netbeat.consume.events.acked"] != n-3 || snap.Ints["netbeat.consume.dead_letter.written"] != 3 {
		t.Fatalf("metrics %v", snap.Ints)
	}
	lag, ok := snap.Ints["netbeat.consume.partitions.netbeat-2026.12.01.0.lag"]
	if !ok || lag != 0 {
		t.Fatalf("partition 0 lag %d (%v): %v", lag, ok, snap.Ints)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
