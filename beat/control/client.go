package control

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Client is the operator's side (`netbeat ctl`): it signs and writes
// commands, and reads heartbeats and results from the status topic.
type Client struct {
	opts                      []kgo.Opt
	cl                        *kgo.Client
	CommandTopic, StatusTopic string
}

// NewClient connects with opts (see kafka.ConnOptions).
func NewClient(opts []kgo.Opt, commandTopic, statusTopic string) (*Client, error) {
	cl, err := kgo.NewClient(append(opts[:len(opts):len(opts)], kgo.AllowAutoTopicCreation(),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(0))...)
	if err != nil {
		return nil, err
	}
	return &Client{opts: opts, cl: cl, CommandTopic: commandTopic, StatusTopic: statusTopic}, nil
}

// Close releases the connections.
func (c *Client) Close() { c.cl.Close() }

// NewCommand is an unsigned command valid from now for ttl, with a random id.
func NewCommand(target Target, action string, args map[string]string, now time.Time, ttl time.Duration) *Command {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return &Command{ID: hex.EncodeToString(b[:]), IssuedAt: now.UTC().Format(time.RFC3339Nano),
		ExpiresAt: now.Add(ttl).UTC().Format(time.RFC3339Nano), Target: target, Action: action, Args: args}
}

// Send signs cmd with key and writes it to the command topic.
func (c *Client) Send(ctx context.Context, cmd *Command, keyID string, key ed25519.PrivateKey) error {
	cmd.Sign(keyID, key)
	data, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	return c.cl.ProduceSync(ctx, &kgo.Record{Topic: c.CommandTopic, Value: data}).FirstErr()
}

// WriteRaw writes a record to the command topic as is (tests: tampered
// and replayed commands).
func (c *Client) WriteRaw(ctx context.Context, data []byte) error {
	return c.cl.ProduceSync(ctx, &kgo.Record{Topic: c.CommandTopic, Value: data}).FirstErr()
}

// StatusEnd is the status topic's current end: Follow from it sees only
// what is written after this call.
func (c *Client) StatusEnd(ctx context.Context) (map[int32]kgo.Offset, error) {
	ends, err := kadm.NewClient(c.cl).ListEndOffsets(ctx, c.StatusTopic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("control: reading the end of %s failed: %w", c.StatusTopic, err)
	}
	offs := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) { offs[o.Partition] = kgo.NewOffset().At(o.Offset) })
	return offs, nil
}

// StatusSince is the offset of the first status record at or after t.
func (c *Client) StatusSince(ctx context.Context, t time.Time) (map[int32]kgo.Offset, error) {
	l, err := kadm.NewClient(c.cl).ListOffsetsAfterMilli(ctx, t.UnixMilli(), c.StatusTopic)
	if err == nil {
		err = l.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("control: reading %s failed: %w", c.StatusTopic, err)
	}
	offs := map[int32]kgo.Offset{}
	l.Each(func(o kadm.ListedOffset) { offs[o.Partition] = kgo.NewOffset().At(o.Offset) })
	return offs, nil
}

// Follow calls fn with each status record (decoded, and as read) from offs
// on until ctx ends or fn returns false. Records that are not status
// records are passed as nil.
func (c *Client) Follow(ctx context.Context, offs map[int32]kgo.Offset, fn func(rec any, r *kgo.Record) bool) error {
	cons, err := kgo.NewClient(append(c.opts[:len(c.opts):len(c.opts)],
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{c.StatusTopic: offs}), kgo.FetchMaxWait(200*time.Millisecond))...)
	if err != nil {
		return err
	}
	defer cons.Close()
	for {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		stop := false
		fs.EachRecord(func(r *kgo.Record) {
			if stop {
				return
			}
			v, err := DecodeStatus(r.Value)
			if err != nil {
				v = nil
			}
			if !fn(v, r) {
				stop = true
			}
		})
		if stop {
			return nil
		}
	}
}

// Probes reads the heartbeats of the last window: the latest one of each
// probe, by probe id.
func (c *Client) Probes(ctx context.Context, window time.Duration) (map[string]*Heartbeat, error) {
	from, err := c.StatusSince(ctx, time.Now().Add(-window))
	if err != nil {
		return nil, err
	}
	end, err := c.StatusEnd(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]*Heartbeat{}
	left := map[int32]int64{} // partition → last offset to read
	for p, o := range from {
		last := end[p].EpochOffset().Offset - 1
		if first := o.EpochOffset().Offset; first >= 0 && first <= last {
			left[p] = last
		}
	}
	if len(left) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = c.Follow(ctx, from, func(rec any, r *kgo.Record) bool {
		if h, ok := rec.(*Heartbeat); ok {
			if old := out[h.Probe]; old == nil || h.Time.After(old.Time) {
				out[h.Probe] = h
			}
		}
		if last, ok := left[r.Partition]; ok && r.Offset >= last {
			delete(left, r.Partition)
		}
		return len(left) > 0
	})
	return out, err
}

// Await collects the results of command id from the status topic, read
// from offs (taken before the command was sent), until every probe in
// expected has answered or ctx ends. Answers "not addressed to me" from
// other probes are left out. It returns the results and the expected
// probes that did not answer.
func (c *Client) Await(ctx context.Context, offs map[int32]kgo.Offset, id string, expected map[string]bool) ([]*Result, []string, error) {
	var got []*Result
	answered := map[string]bool{}
	waiting := func() bool {
		if len(expected) == 0 {
			return true // unknown set: wait for the whole timeout
		}
		for p := range expected {
			if !answered[p] {
				return true
			}
		}
		return false
	}
	err := c.Follow(ctx, offs, func(rec any, _ *kgo.Record) bool {
		r, ok := rec.(*Result)
		if !ok || r.CommandID != id || (r.Reason == ReasonNotAddressed && !expected[r.Probe]) {
			return true
		}
		got = append(got, r)
		answered[r.Probe] = true
		return waiting()
	})
	var missing []string
	for p := range expected {
		if !answered[p] {
			missing = append(missing, p)
		}
	}
	return got, missing, err
}
