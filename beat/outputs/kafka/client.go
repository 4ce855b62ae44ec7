package kafka

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/outputs"
	"github.com/elastic/beats/v7/libbeat/publisher"
	"github.com/elastic/elastic-agent-libs/logp"
)

// client is the outputs.NetworkClient of output.franz.
//
// Lifecycle: Connect creates a franz-go client and pings the cluster; Publish
// hands one batch to franz-go, which acknowledges it later (up to pipelining
// batches in flight); Close fails whatever is still buffered (those events
// are retried), waits until every batch in flight is signalled and allows a
// later Connect. The libbeat pipeline calls Connect/Publish/Close from one
// worker goroutine; Close may race with Publish and is safe.
type client struct {
	log      *logp.Logger
	observer outputs.Observer
	metrics  *metrics

	hosts    []string
	opts     []kgo.Opt
	timeout  time.Duration // Connect ping; how long batches may wait before a warning
	maxBytes int

	enc     *recordEncoder // for events the queue did not encode (disk queue)
	headers []kgo.RecordHeader

	places      chan struct{}  // one per batch in flight (pipelining)
	pendingRecs atomic.Int64   // records handed to franz-go and not answered
	running     sync.WaitGroup // batches not yet settled

	mu     sync.Mutex
	cl     *kgo.Client
	cancel context.CancelFunc
	ctx    context.Context
}

// Connect creates the franz-go client and checks that a broker answers.
func (c *client) Connect(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cl != nil {
		return nil
	}
	cl, err := kgo.NewClient(c.opts...)
	if err != nil {
		return errorf("creating the franz-go client failed: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := cl.Ping(pingCtx); err != nil {
		cl.Close()
		return errorf("connecting failed: %w at %s; check hosts and that the broker is running: %w",
			ErrNoBroker, strings.Join(c.hosts, ","), err)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.cl = cl
	c.log.Infof("%s: connected to %s", component, strings.Join(c.hosts, ","))
	return nil
}

// Close closes the franz-go client; buffered records fail and are retried.
func (c *client) Close() error {
	c.mu.Lock()
	cl, cancel := c.cl, c.cancel
	c.cl, c.cancel = nil, nil
	c.mu.Unlock()
	if cl != nil {
		cancel()
		cl.Close()
	}
	c.running.Wait() // every batch in flight is signalled (failed ones retried)
	return nil
}

func (c *client) String() string {
	return "franz(" + strings.Join(c.hosts, ",") + ")"
}

func (c *client) current() (*kgo.Client, context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cl, c.ctx
}

// Publish hands every record of the batch to franz-go and returns; the batch
// is signalled when Kafka has answered for all of them (done). Up to
// pipelining batches are in flight at once, so franz-go can fill produce
// requests from several batches while earlier ones are acknowledged; the next
// Publish waits for a free place. Events Kafka acknowledged are ACKed,
// permanently failing ones (encoding, oversize, authorization) are dropped,
// counted and logged, the rest are handed back with batch.RetryEvents. A
// bundle event (beat/event.Bundle) is one record per document; it is ACKed
// when all of them are sent, and a retry resends only those that were not.
func (c *client) Publish(_ context.Context, batch publisher.Batch) error {
	events := batch.Events()
	cl, base := c.current()
	if cl == nil {
		return c.notConnected(batch)
	}
	if !c.waitPlace(base) { // closed meanwhile: the next Connect starts afresh
		return c.notConnected(batch)
	}

	// No deadline of our own: a record handed to franz-go stays there until
	// Kafka answered for it (franz-go retries retriable errors without
	// limit) or until Close. Cancelling records that may already be in a
	// produce request would make franz-go start a new producer ID, and the
	// retry of records Kafka did write would write them twice.
	p := &inflight{batch: batch, events: events, slots: c.slotsOf(events), start: time.Now()}
	// libbeat's output metrics (libbeat.output.events.*) count records: a
	// bundle of packets is as many events as it has documents.
	c.observer.NewBatch(len(p.slots))
	c.running.Add(1)
	p.pending.Store(int64(len(p.slots)) + 1) // +1: this loop
	recs := make([]kgo.Record, len(p.slots)) // one allocation for the batch's records
	for i := range p.slots {
		sl, r := &p.slots[i], &recs[i]
		err := c.makeRecord(base, sl.rec, r)
		if err == nil {
			if sl.size = recordSize(r); sl.size > c.maxBytes {
				err = errorf("producing to %s failed: %w (%d > %d bytes)", r.Topic, ErrOversize, sl.size, c.maxBytes)
			}
		}
		if err != nil {
			sl.err = err
			p.pending.Add(-1)
			continue
		}
		c.metrics.produced.Inc()
		c.pendingRecs.Add(1)
		cl.Produce(base, r, func(_ *kgo.Record, err error) {
			c.pendingRecs.Add(-1)
			sl.err = err
			c.done(p)
		})
	}
	c.done(p)
	return nil
}

// waitPlace waits until fewer than pipelining batches are in flight; false
// when the client was closed meanwhile. All places taken means Kafka has not
// answered for pipelining batches: this is where backpressure from the
// cluster reaches the pipeline (and through its queue, the capture). While
// waiting it warns every timeout and says when Kafka takes records again.
// franz-go does not report the errors it retries (NOT_ENOUGH_REPLICAS,
// NOT_LEADER_OR_FOLLOWER, …) below debug level; `-d kafka` shows them.
func (c *client) waitPlace(base context.Context) bool {
	select {
	case c.places <- struct{}{}:
		return true
	default:
	}
	start := time.Now()
	tick := time.NewTicker(c.timeout)
	defer tick.Stop()
	warned := false
	for {
		select {
		case c.places <- struct{}{}:
			if warned {
				c.log.Warnf("%s: Kafka acknowledges records again after %s", component, time.Since(start).Round(time.Second))
			}
			return true
		case <-base.Done():
			return false
		case <-tick.C:
			warned = true
			c.log.Warnf("%s: %d batches (%d records) waiting for Kafka to acknowledge them for %s; "+
				"no more events are taken meanwhile (backpressure) and franz-go retries until Kafka answers. "+
				"Likely causes: brokers down or unreachable, fewer in-sync replicas than min.insync.replicas "+
				"(NOT_ENOUGH_REPLICAS with required_acks -1), a leader election; run with -d kafka to see the errors",
				component, len(c.places), c.pendingRecs.Load(), time.Since(start).Round(time.Second))
		}
	}
}

// notConnected hands the whole batch back: there is no franz-go client.
func (c *client) notConnected(batch publisher.Batch) error {
	n := len(batch.Events())
	c.observer.NewBatch(n)
	c.observer.RetryableErrors(n)
	batch.Cancelled()
	return errorf("publishing failed: %w", ErrNotConnected)
}

// inflight is one batch handed to franz-go and not yet signalled.
type inflight struct {
	batch   publisher.Batch
	events  []publisher.Event
	slots   []slot
	start   time.Time
	pending atomic.Int64 // records without an answer, +1 while Publish produces
}

// done counts one answer of p; the last one settles the batch. franz-go runs
// produce callbacks in its own goroutines, which must not wait on the
// pipeline, so settling runs in a goroutine of its own.
func (c *client) done(p *inflight) {
	if p.pending.Add(-1) != 0 {
		return
	}
	go func() {
		defer c.running.Done()
		elapsed := time.Since(p.start)
		c.observer.ReportLatency(elapsed)
		c.metrics.observeBatch(len(p.slots), elapsed)
		c.settle(p.batch, p.events, p.slots)
		<-c.places
	}()
}

// slot is one record of a Publish call: an event's, or a bundle document's.
type slot struct {
	ev     int
	doc    int // -1 for an event that is one record
	bundle *encodedBundle
	rec    *encodedRecord
	err    error
	size   int
}

// slotsOf lists the records to send: every event's, and the documents of
// bundles not sent by an earlier attempt.
func (c *client) slotsOf(events []publisher.Event) []slot {
	n := 0
	for i := range events {
		if b, ok := c.encoded(&events[i]).(*encodedBundle); ok {
			for _, sent := range b.sent {
				if !sent {
					n++
				}
			}
		} else {
			n++
		}
	}
	slots := make([]slot, 0, n)
	for i := range events {
		switch enc := events[i].EncodedEvent.(type) {
		case *encodedBundle:
			for d, sent := range enc.sent {
				if !sent {
					slots = append(slots, slot{ev: i, doc: d, bundle: enc, rec: enc.recs[d]})
				}
			}
		case *encodedRecord:
			slots = append(slots, slot{ev: i, doc: -1, rec: enc})
		}
	}
	return slots
}

// settle signals the batch and updates observer and metrics.
func (c *client) settle(batch publisher.Batch, events []publisher.Event, slots []slot) {
	failed := make([]bool, len(events)) // events with a record to retry
	var firstErr error
	ackedRecs, retryRecs, droppedRecs, bytes := 0, 0, 0, 0
	for _, sl := range slots {
		switch err := sl.err; {
		case err == nil:
			ackedRecs++
			bytes += sl.size
		case isOversize(err):
			c.metrics.droppedOversize.Inc()
			c.log.Errorf("%s: dropping event: %v", component, err)
		case isPermanent(err):
			c.metrics.dropped.Inc()
			c.log.Errorf("%s: dropping event: %v", component, err)
		default:
			retryRecs++
			failed[sl.ev] = true
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if sl.err != nil {
			droppedRecs++
		}
		if sl.bundle != nil {
			sl.bundle.sent[sl.doc] = true // delivered or dropped: never resent
		}
	}
	c.metrics.acked.Add(uint64(ackedRecs)) //nolint:gosec // non-negative
	var retry []publisher.Event
	for i, f := range failed {
		if f {
			retry = append(retry, events[i])
		}
	}
	if droppedRecs > 0 {
		c.observer.PermanentErrors(droppedRecs)
	}
	if ackedRecs > 0 {
		c.observer.AckedEvents(ackedRecs)
		c.observer.WriteBytes(bytes)
	}
	if len(retry) == 0 {
		batch.ACK()
		return
	}
	c.metrics.failed.Add(uint64(retryRecs)) //nolint:gosec // non-negative
	c.observer.RetryableErrors(retryRecs)
	batch.RetryEvents(retry)
	c.log.Warnf("%s: producing %d of %d records failed, retrying: %v", component, retryRecs, len(slots), firstErr)
}

func isOversize(err error) bool {
	return errors.Is(err, ErrOversize) ||
		errors.Is(err, kerr.MessageTooLarge) ||
		errors.Is(err, kerr.RecordListTooLarge)
}

// isPermanent reports errors that no retry can fix; libbeat's sarama output
// drops the same classes except INVALID_TIMESTAMP, which it retries forever:
// the broker rejects record timestamps outside
// log.message.timestamp.{before,after}.max.ms (Kafka 4 default: more than 1 h
// in the future), and under netbeat's GuaranteedSend one such event stalls
// the whole pipeline.
func isPermanent(err error) bool {
	for _, e := range []error{
		kerr.InvalidRecord, kerr.CorruptMessage, kerr.InvalidTopicException, kerr.InvalidTimestamp,
		kerr.TopicAuthorizationFailed, kerr.ClusterAuthorizationFailed,
		kerr.SaslAuthenticationFailed, kerr.UnsupportedSaslMechanism, kerr.IllegalSaslState,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return errors.Is(err, ErrInvalidEvent)
}
