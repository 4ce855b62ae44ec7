// Package consume is netbeat's central mode input (netbeat.kafka): it reads
// the topics probes write with output.franz, in a franz-go consumer group,
// and publishes every record's document through libbeat's pipeline as the
// event it was (timestamp, fields, @metadata with _id), so that libbeat's
// outputs and processors and netbeat's plugin chain apply at the centre.
// Offsets are committed only for records whose events the output
// acknowledged. See README.md.
package consume

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"
)

// Publisher is where events go: a libbeat pipeline client (or the plugin
// stage in front of one) whose ACK listener is the Consumer's ACK.
type Publisher interface {
	Publish(beat.Event)
}

// Consumer reads the configured topics and publishes their events.
type Consumer struct {
	cfg  Config
	log  *logp.Logger
	cl   *kgo.Client
	opts []kgo.Opt
	t    *tracker
	m    metrics
}

// New creates a consumer; conn are the connection options
// (beat/outputs/kafka ConnOptions of the same section). reg is libbeat's
// stats registry (nil: no metrics). It does not connect: Run joins the
// group (so `netbeat setup` and `test config` leave the group alone).
func New(cfg Config, conn []kgo.Opt, log *logp.Logger, reg *monitoring.Registry) (*Consumer, error) {
	c := &Consumer{cfg: cfg, log: log, t: newTracker()}
	res, err := cfg.regexes()
	if err != nil {
		return nil, err
	}
	opts := append([]kgo.Opt(nil), conn...)
	if res != nil {
		opts = append(opts, kgo.ConsumeTopics(res...), kgo.ConsumeRegex(), kgo.MetadataMaxAge(30*time.Second))
	} else {
		opts = append(opts, kgo.ConsumeTopics(cfg.Topics...))
	}
	start := kgo.NewOffset().AtStart()
	if cfg.StartOffset == "latest" {
		start = kgo.NewOffset().AtEnd()
	}
	opts = append(opts,
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeResetOffset(start),
		kgo.DisableAutoCommit(),
		kgo.FetchMaxBytes(int32(cfg.FetchMaxBytes)), //nolint:gosec // checked: fits
		kgo.FetchMaxPartitionBytes(int32(min(cfg.FetchMaxBytes, cfg.MaxRecordBytes*4))), //nolint:gosec // checked
		kgo.BrokerMaxReadBytes(int32(max(cfg.FetchMaxBytes*2, 100<<20))),                //nolint:gosec // checked
		kgo.OnPartitionsAssigned(c.assigned),
		kgo.OnPartitionsRevoked(c.revoked),
		kgo.OnPartitionsLost(c.lost),
	)
	if cfg.DeadLetterTopic != "" {
		// the broker creates the topic on first use if it allows that
		// (auto.create.topics.enable); otherwise create it beforehand
		opts = append(opts, kgo.RecordRetries(10), kgo.ProducerLinger(5*time.Millisecond), kgo.AllowAutoTopicCreation())
	}
	c.opts = opts
	c.m.register(reg, c.t)
	return c, nil
}

// ACK is the pipeline's acknowledgement of events (their Private values,
// in order): libbeat's acker.EventPrivateReporter calls it.
func (c *Consumer) ACK(_ int, data []interface{}) {
	for _, d := range data {
		if e, ok := d.(*pending); ok {
			c.m.acked.Add(1)
			c.t.done(e)
		}
	}
}

// Run polls and publishes until ctx ends, then waits up to drain for the
// output to acknowledge what was published, commits and leaves the group.
// encoded keeps each event's top-level fields encoded (see Decode): the
// beat decides it as for a probe's packet events (beat/eventpath.go).
func (c *Consumer) Run(ctx context.Context, out Publisher, drain time.Duration, encoded bool) error {
	var err error
	if c.cl, err = kgo.NewClient(c.opts...); err != nil {
		return errorf("creating the Kafka client failed: %w", err)
	}
	var wg sync.WaitGroup
	commitCtx, stopCommits := context.WithCancel(context.Background())
	wg.Add(1)
	go func() { defer wg.Done(); c.commitLoop(commitCtx) }()
	defer func() {
		deadline := time.Now().Add(drain)
		for c.t.inFlight() > 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := c.t.inFlight(); n > 0 {
			c.log.Warnf("consume: stopping with %d records not acknowledged by the output; their offsets stay uncommitted and the group reads them again", n)
		}
		stopCommits()
		wg.Wait()
		c.commit(context.Background(), c.t.commits())
		c.cl.Close() // leaves the group (the revoke callback commits what is left)
	}()
	var scratch []byte
	maxBytes := int(c.cfg.MaxRecordBytes)
	for ctx.Err() == nil {
		room := c.t.waitRoom(ctx, c.cfg.MaxInflight)
		if ctx.Err() != nil {
			break
		}
		fs := c.cl.PollRecords(ctx, room)
		if fs.IsClientClosed() {
			return nil
		}
		fs.EachError(func(topic string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				c.log.Warnf("consume: fetching %s/%d failed: %v (franz-go retries)", topic, p, err)
			}
		})
		fs.EachPartition(func(p kgo.FetchTopicPartition) {
			c.t.highWatermark(p.Topic, p.Partition, p.HighWatermark)
			for _, r := range p.Records {
				c.m.records.Add(1)
				e := c.t.add(r)
				var ev beat.Event
				var err error
				ev, scratch, err = Decode(r.Value, maxBytes, scratch, encoded)
				if err != nil {
					c.bad(ctx, r, e, err)
					continue
				}
				ev.Private = e
				c.m.published.Add(1)
				out.Publish(ev)
			}
		})
	}
	return nil
}

// bad counts, logs and dead-letters a record that is not an event; it is
// then done, so it never stalls its partition.
func (c *Consumer) bad(ctx context.Context, r *kgo.Record, e *pending, err error) {
	why := reason(err)
	c.m.countBad(why)
	c.log.Warnf("consume: bad record at topic %s partition %d offset %d: %v", r.Topic, r.Partition, r.Offset, err)
	if c.cfg.DeadLetterTopic == "" {
		c.t.done(e)
		return
	}
	dl := &kgo.Record{Topic: c.cfg.DeadLetterTopic, Key: r.Key, Value: r.Value, Headers: []kgo.RecordHeader{
		{Key: "netbeat.error", Value: []byte(why)},
		{Key: "netbeat.error.message", Value: []byte(err.Error())},
		{Key: "netbeat.topic", Value: []byte(r.Topic)},
		{Key: "netbeat.partition", Value: []byte(strconv.Itoa(int(r.Partition)))},
		{Key: "netbeat.offset", Value: []byte(strconv.FormatInt(r.Offset, 10))},
	}}
	c.cl.Produce(context.WithoutCancel(ctx), dl, func(_ *kgo.Record, perr error) {
		if perr != nil {
			c.m.deadFailed.Add(1)
			c.log.Errorf("consume: writing the bad record of %s/%d offset %d to the dead-letter topic %s failed: %v; it is skipped",
				r.Topic, r.Partition, r.Offset, c.cfg.DeadLetterTopic, perr)
		} else {
			c.m.deadLetters.Add(1)
		}
		c.t.done(e)
	})
}

func (c *Consumer) commitLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.CommitInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.commit(ctx, c.t.commits())
		}
	}
}

// commit commits offs (offsets of acknowledged records) synchronously.
func (c *Consumer) commit(ctx context.Context, offs map[string]map[int32]kgo.EpochOffset) {
	if len(offs) == 0 {
		return
	}
	var failed error
	whole := false
	c.cl.CommitOffsetsSync(ctx, offs, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			failed, whole = err, true
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if e := kerr.ErrorForCode(p.ErrorCode); e != nil {
					failed = e
					delete(offs[t.Topic], p.Partition)
				}
			}
		}
	})
	if failed != nil {
		c.m.commitErrors.Add(1)
		c.log.Warnf("consume: committing offsets failed: %v (retried at the next commit)", failed)
	}
	if !whole {
		c.m.commits.Add(1)
		c.t.committed(offs)
	}
}

func (c *Consumer) assigned(_ context.Context, _ *kgo.Client, a map[string][]int32) {
	c.m.rebalances.Add(1)
	c.log.Infof("consume: assigned %v", a)
	c.t.assign(a)
}

func (c *Consumer) revoked(ctx context.Context, _ *kgo.Client, r map[string][]int32) {
	if len(r) == 0 {
		return
	}
	c.log.Infof("consume: revoked %v", r)
	c.commit(ctx, c.t.revoke(r))
}

func (c *Consumer) lost(_ context.Context, _ *kgo.Client, l map[string][]int32) {
	c.log.Warnf("consume: lost %v (their uncommitted records are read again by their new owner)", l)
	c.t.revoke(l)
}
