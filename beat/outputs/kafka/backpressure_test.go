//go:build !integration

package kafka

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/elastic/beats/v7/libbeat/outputs/outest"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
)

// TestRefusedRecordsWaitWarnAndArriveOnce: while the cluster refuses every
// produce with NOT_ENOUGH_REPLICAS (fewer in-sync replicas than
// min.insync.replicas), the batch stays in flight (no netbeat deadline gives
// it up), the next Publish waits (backpressure), the output warns, and once the cluster accepts again every record is written exactly
// once and the batches are ACKed.
func TestRefusedRecordsWaitWarnAndArriveOnce(t *testing.T) {
	kc := newCluster(t, "netbeat")
	var refusing atomic.Bool
	refusing.Store(true)
	var refused atomic.Int64
	kc.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		if !refusing.Load() {
			kc.DropControl()
			return nil, nil, false
		}
		kc.KeepControl()
		req := kreq.(*kmsg.ProduceRequest)
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewProduceResponseTopic()
			st.Topic, st.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewProduceResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.NotEnoughReplicas.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		refused.Add(1)
		return resp, nil, true
	})
	log, logs := logptest.NewTestingLoggerWithObserver(t, "")
	c, _ := newTestClient(t, log, settingsFor(kc, map[string]any{"timeout": "1s", "pipelining": 1, "required_acks": -1}))
	connect(t, c)

	b1 := outest.NewBatch(flowEvents(0, 10, time.Now())...)
	if err := c.Publish(t.Context(), b1); err != nil {
		t.Fatal(err)
	}
	b2 := outest.NewBatch(flowEvents(10, 10, time.Now())...)
	published := make(chan error, 1)
	go func() { published <- c.Publish(t.Context(), b2) }()
	time.Sleep(2500 * time.Millisecond)
	select {
	case err := <-published:
		t.Fatalf("Publish of a second batch returned (%v) while the only place was taken (pipelining: 1)", err)
	default:
	}
	if refused.Load() == 0 {
		t.Fatal("the cluster refused no produce request; the test did not exercise anything")
	}
	if len(b1.Signals) != 0 {
		t.Fatalf("batch signalled %+v while the cluster refused it; want it kept in flight", b1.Signals)
	}
	warn := logs.FilterMessageSnippet("waiting for Kafka").All()
	if len(warn) == 0 || !strings.Contains(warn[0].Message, "1 batches (10 records)") {
		t.Fatalf("no warning about the 10 records waiting after 2.5 s of refusals (timeout 1s); warnings: %v", warn)
	}
	t.Logf("warning: %s", warn[0].Message)

	refusing.Store(false)
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	c.running.Wait()
	for i, b := range []*outest.Batch{b1, b2} {
		if sig := lastSignal(t, b); sig.Tag != outest.BatchACK {
			t.Fatalf("batch %d signal = %v, want ACK", i+1, sig.Tag)
		}
	}
	if logs.FilterMessageSnippet("acknowledges records again").Len() != 1 {
		t.Error("no log line saying Kafka acknowledges records again")
	}
	recs := consume(t, 20, 10*time.Second, consumerOpts(kc), "netbeat")
	seen := map[string]int{}
	for _, r := range recs {
		seen[string(r.Value)]++
	}
	if len(recs) != 20 || len(seen) != 20 {
		t.Fatalf("read back %d records, %d distinct; want the 20 events once each", len(recs), len(seen))
	}
}
