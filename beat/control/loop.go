package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/elastic-agent-libs/logp"
)

// Probe is what the control loop drives: the running beat. Apply and State
// are called from the loop's goroutines, one Apply at a time.
type Probe interface {
	// Apply performs action with args and returns a short description of
	// what changed. An error means nothing changed.
	Apply(action string, args map[string]string) (string, error)
	// State fills the data-path part of a heartbeat: ConfigHash, Mode,
	// Sources, Published, Acked, Output, QueueFill.
	State() Heartbeat
}

// Options configure a Loop.
type Options struct {
	Config  Config
	Probe   ProbeConfig // resolved: ID and Name set
	Version string
	DataDir string    // path.data/control: replay store and position
	Kafka   []kgo.Opt // connection (see kafka.ConnOptions)
	Log     *logp.Logger
	Metrics *Metrics // nil: counted but not registered
	Now     func() time.Time
}

// Loop reads the command topic, applies verified commands through a Probe,
// and publishes results and heartbeats to the status topic.
type Loop struct {
	o       Options
	probe   Probe
	verify  *Verifier
	pos     *Position
	started time.Time
	m       *Metrics

	mu   sync.Mutex
	last *CommandRecord
}

// New opens the replay store and position under o.DataDir.
func New(o Options, p Probe) (*Loop, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	keys, err := ParseKeys(o.Config.Keys)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("control: creating %s failed: %w", o.DataDir, err)
	}
	seen, err := OpenSeen(filepath.Join(o.DataDir, "seen.json"))
	if err != nil {
		return nil, err
	}
	pos, err := OpenPosition(filepath.Join(o.DataDir, "position.json"), o.Config.CommandTopic)
	if err != nil {
		return nil, err
	}
	v := &Verifier{Keys: keys, ProbeID: o.Probe.ID, Tags: o.Probe.Tags, MaxSkew: o.Config.MaxClockSkew,
		MaxTTL: o.Config.MaxTTL, Seen: seen, Now: o.Now}
	return &Loop{o: o, probe: p, verify: v, pos: pos, started: o.Now(), m: o.Metrics}, nil
}

// Run works until ctx ends. Broker outages are waited out: commands
// written meanwhile are read from the saved position once it returns.
func (l *Loop) Run(ctx context.Context) error {
	prod, err := kgo.NewClient(append(l.o.Kafka[:len(l.o.Kafka):len(l.o.Kafka)],
		kgo.AllowAutoTopicCreation(), kgo.UnknownTopicRetries(-1), kgo.MaxBufferedRecords(10000),
		kgo.ProducerLinger(0), kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if err != nil {
		return fmt.Errorf("control: creating the Kafka client failed: %w", err)
	}
	defer prod.Close()
	l.o.Log.Infof("control: probe %s (%s, tags %v) reads commands from %s, reports to %s every %s",
		l.o.Probe.ID, l.o.Probe.Name, l.o.Probe.Tags, l.o.Config.CommandTopic, l.o.Config.StatusTopic, l.o.Config.Heartbeat)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.heartbeats(ctx, prod)
	}()
	err = l.consume(ctx, prod)
	wg.Wait()
	if ctx.Err() != nil {
		// Give the last results a moment to leave.
		fctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = prod.Flush(fctx)
		cancel()
		return nil
	}
	return err
}

func (l *Loop) heartbeats(ctx context.Context, prod *kgo.Client) {
	t := time.NewTicker(l.o.Config.Heartbeat)
	defer t.Stop()
	for {
		l.publish(prod, l.heartbeat())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Heartbeat is the probe's current state, as the next heartbeat will
// report it.
func (l *Loop) Heartbeat() *Heartbeat { return l.heartbeat() }

// heartbeat builds the current heartbeat.
func (l *Loop) heartbeat() *Heartbeat {
	h := l.probe.State()
	now := l.o.Now()
	h.Kind, h.Probe, h.Name, h.Tags, h.Version = KindHeartbeat, l.o.Probe.ID, l.o.Probe.Name, l.o.Probe.Tags, l.o.Version
	h.Time, h.UptimeS, h.Period = now.UTC(), now.Sub(l.started).Seconds(), l.o.Config.Heartbeat.Seconds()
	h.Rejected = l.m.rejectedCounts()
	l.mu.Lock()
	h.LastCommand = l.last
	l.mu.Unlock()
	return &h
}

// publish writes one status record, keyed by probe id (one partition per
// probe keeps its records in order). Delivery is retried by the client
// until it succeeds; a failure is only logged.
func (l *Loop) publish(prod *kgo.Client, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		l.o.Log.Errorf("control: encoding a status record failed: %v", err)
		return
	}
	rec := &kgo.Record{Topic: l.o.Config.StatusTopic, Key: []byte(l.o.Probe.ID), Value: data}
	prod.Produce(context.Background(), rec, func(_ *kgo.Record, err error) {
		if err != nil && !errors.Is(err, kgo.ErrClientClosed) {
			l.o.Log.Warnf("control: writing to %s failed: %v", l.o.Config.StatusTopic, err)
		}
	})
}

// startOffsets lists the command topic's partitions, waiting for the
// topic (and the broker) to exist. A partition without a saved position
// starts at the first record written after this probe started (by the
// broker's timestamps): a new probe does not replay old commands, and
// misses none sent while it was starting or before the topic existed.
func (l *Loop) startOffsets(ctx context.Context, adm *kadm.Client) (map[int32]kgo.Offset, error) {
	topic := l.o.Config.CommandTopic
	warned := false
	for {
		from, err := adm.ListOffsetsAfterMilli(ctx, l.started.Add(-time.Second).UnixMilli(), topic)
		if err == nil {
			err = from.Error()
		}
		if err == nil {
			offs := map[int32]kgo.Offset{}
			var saveErr error
			from.Each(func(o kadm.ListedOffset) {
				next, ok := l.pos.Next[o.Partition]
				if !ok {
					next = o.Offset
					if e := l.pos.Set(o.Partition, next); e != nil {
						saveErr = e
					}
				}
				offs[o.Partition] = kgo.NewOffset().At(next)
			})
			if saveErr != nil {
				return nil, fmt.Errorf("control: saving the command topic position failed: %w", saveErr)
			}
			if len(offs) > 0 {
				return offs, nil
			}
			err = fmt.Errorf("topic %s has no partitions", topic)
		}
		if !warned {
			l.o.Log.Warnf("control: cannot read command topic %s yet (%v); retrying every second (create it: `netbeat setup --kafka-topics` or your cluster's tools)", topic, err)
			warned = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func (l *Loop) consume(ctx context.Context, prod *kgo.Client) error {
	offs, err := l.startOffsets(ctx, kadm.NewClient(prod))
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	l.o.Log.Infof("control: reading %s from %v", l.o.Config.CommandTopic, offs)
	cons, err := kgo.NewClient(append(l.o.Kafka[:len(l.o.Kafka):len(l.o.Kafka)],
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{l.o.Config.CommandTopic: offs}),
		kgo.FetchMaxWait(500*time.Millisecond))...)
	if err != nil {
		return fmt.Errorf("control: creating the Kafka consumer failed: %w", err)
	}
	defer cons.Close()
	for {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		fs.EachError(func(t string, p int32, err error) {
			l.o.Log.Warnf("control: reading %s partition %d failed: %v", t, p, err)
		})
		fs.EachRecord(func(r *kgo.Record) {
			res := l.Handle(r.Value, r.Offset)
			if err := l.pos.Set(r.Partition, r.Offset+1); err != nil {
				l.o.Log.Errorf("control: saving the command topic position failed: %v", err)
			}
			l.publish(prod, res)
			if res.Status == Applied {
				l.publish(prod, l.heartbeat()) // the new state at once
			}
		})
	}
}
