package kafka

// Helpers shared by the unit (kfake) and integration (real broker) tests.

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/outputs/outest"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/elastic-agent-libs/monitoring"
)

var testInfo = beat.Info{Beat: "netbeat", IndexPrefix: "netbeat", Version: "9.0.0"}

// newTestClient builds a client from settings with its own metrics registry.
func newTestClient(t *testing.T, log *logp.Logger, settings map[string]any) (*client, *monitoring.Registry) {
	t.Helper()
	if log == nil {
		log = logp.NewNopLogger()
	}
	raw := config.MustNewConfigFrom(settings)
	fc, err := readConfig(raw)
	if err != nil {
		t.Fatalf("readConfig: %v", err)
	}
	reg := monitoring.NewRegistry()
	info := testInfo
	info.Logger = log
	c, err := newClient(info, nil, fc, raw, reg, log)
	if err != nil {
		t.Fatalf("newClient: %v", err)
	}
	return c, reg
}

func connect(t *testing.T, c *client) {
	t.Helper()
	if err := c.Connect(context.Background()); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
}

// flowEvent is a minimal netbeat flow event carrying a sequence number.
func flowEvent(seq int, communityID string, ts time.Time) beat.Event {
	f := mapstr.M{"seq": seq, "message": fmt.Sprintf("event %d", seq)}
	if communityID != "" {
		f["network"] = mapstr.M{"community_id": communityID}
	}
	return beat.Event{Timestamp: ts, Fields: f}
}

func flowEvents(from, n int, ts time.Time) []beat.Event {
	evs := make([]beat.Event, n)
	for i := range evs {
		evs[i] = flowEvent(from+i, fmt.Sprintf("1:flow-%d", (from+i)%7), ts)
	}
	return evs
}

// publish runs one Publish, waits until the batch is signalled and returns
// the batch (its Signals) and Publish's error.
func publish(c *client, evs ...beat.Event) (*outest.Batch, error) {
	b := outest.NewBatch(evs...)
	return b, publishBatch(c, b)
}

// publishBatch runs Publish on b and waits until b is signalled (Publish
// returns once the records are handed to franz-go).
func publishBatch(c *client, b *outest.Batch) error {
	err := c.Publish(context.Background(), b)
	c.running.Wait()
	return err
}

// lastSignal returns the batch's only signal, failing when there is not one.
func lastSignal(t *testing.T, b *outest.Batch) outest.BatchSignal {
	t.Helper()
	if len(b.Signals) != 1 {
		t.Fatalf("batch got %d signals, want 1: %+v", len(b.Signals), b.Signals)
	}
	return b.Signals[0]
}

// consume reads records of topics from the start until want records arrived
// or timeout elapsed.
func consume(t *testing.T, want int, timeout time.Duration, opts []kgo.Opt, topics ...string) []*kgo.Record {
	t.Helper()
	opts = append(append([]kgo.Opt{}, opts...),
		kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out []*kgo.Record
	for len(out) < want && ctx.Err() == nil {
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

// seqOf decodes the seq field of a JSON-encoded event.
func seqOf(t *testing.T, r *kgo.Record) int {
	t.Helper()
	var doc struct {
		Seq int `json:"seq"`
	}
	if err := json.Unmarshal(r.Value, &doc); err != nil {
		t.Fatalf("decoding record %q: %v", r.Value, err)
	}
	return doc.Seq
}

func uintMetric(reg *monitoring.Registry, name string) uint64 {
	v, ok := reg.Get(name).(*monitoring.Uint)
	if !ok {
		return 0
	}
	return v.Get()
}
