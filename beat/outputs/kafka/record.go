package kafka

import (
	"context"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common/fmtstr"
	"github.com/elastic/beats/v7/libbeat/outputs/codec"
	"github.com/elastic/beats/v7/libbeat/outputs/outil"
	"github.com/elastic/beats/v7/libbeat/publisher"
	"github.com/elastic/beats/v7/libbeat/publisher/queue"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
)

// encodedRecord is an event in the form output.franz sends it: libbeat's
// memory queue holds these instead of the events (early encoding, as its
// Elasticsearch output does), so queued events cost their encoded bytes and
// nothing for the garbage collector to scan.
type encodedRecord struct {
	err    error // the event cannot be sent (topic, encoding): dropped as invalid
	topic  string
	key    []byte
	value  []byte
	ts     time.Time
	hash   uint32 // partition.hash over the configured fields
	hashed bool
}

// recordEncoder turns events into encodedRecords. One per queue producer (the
// goroutine publishing into the pipeline) and one per client for events that
// reach Publish unencoded (the disk queue does not encode early).
type recordEncoder struct {
	fast   *fastEncoder // nil unless the codec is libbeat's default JSON
	codec  codec.Codec
	index  string
	topic  outil.Selector
	key    *fmtstr.EventFormatString
	part   *partitioner
	viewer *viewer

	// Shortcuts for the usual configuration (a constant topic and the key
	// %{[network.community_id]}), which need no view of the event.
	constTopic string // the topic when it does not depend on the event
	keyField   string // the key is this field's string value as it is
}

// shortcuts fills constTopic and keyField.
func (e *recordEncoder) shortcuts() {
	if e.topic.IsConst() {
		if t, err := e.topic.Select(&beat.Event{Fields: mapstr.M{}}); err == nil {
			e.constTopic = t
		}
	}
	if e.key == nil {
		return
	}
	if f := e.key.Fields(); len(f) == 1 {
		probe := beat.Event{Fields: mapstr.M{}}
		_, _ = probe.Fields.Put(f[0], "\x01probe")
		if out, err := e.key.Run(&probe); err == nil && out == "\x01probe" {
			e.keyField = f[0]
		}
	}
}

// fieldString returns a string field of the event, looked up in the encoded
// bytes when its member is encoded.
func fieldString(ev *beat.Event, path string) (string, bool) {
	top, rest, _ := strings.Cut(path, ".")
	var v interface{}
	if m, ok := ev.Fields[top].(*event.Member); ok {
		x, found := m.Lookup(rest)
		if !found {
			return "", false
		}
		v = x
	} else {
		x, err := ev.GetValue(path)
		if err != nil {
			return "", false
		}
		v = x
	}
	s, ok := v.(string)
	return s, ok
}

// EncodeEntry implements queue.Encoder.
func (e *recordEncoder) EncodeEntry(entry queue.Entry) (queue.Entry, int) {
	ev, ok := entry.(publisher.Event)
	if !ok {
		return entry, 0
	}
	r := e.encode(&ev.Content)
	ev.EncodedEvent = r
	ev.Content = beat.Event{}
	return ev, len(r.value) + len(r.key) + len(r.topic) + 96
}

func (e *recordEncoder) encode(content *beat.Event) *encodedRecord {
	var view *beat.Event
	viewOf := func() *beat.Event {
		if view == nil {
			view = e.viewer.view(content)
		}
		return view
	}
	topic, err := e.constTopic, error(nil)
	if topic == "" {
		if topic, err = e.topic.Select(viewOf()); err != nil {
			return &encodedRecord{err: errorf("selecting the topic failed: %w: %w", ErrInvalidEvent, err)}
		}
	}
	if topic == "" {
		return &encodedRecord{err: errorf("selecting the topic failed: %w: %w", ErrInvalidEvent, ErrNoTopic)}
	}
	r := &encodedRecord{topic: topic, ts: content.Timestamp}
	var value []byte
	ok := false
	if e.fast != nil {
		value, ok = e.fast.encode(e.index, content)
	}
	if !ok {
		if value, err = e.codec.Encode(e.index, content); err != nil {
			return &encodedRecord{err: errorf("encoding the event failed: %w: %w", ErrInvalidEvent, err)}
		}
	}
	r.value = append(make([]byte, 0, len(value)), value...) // encoders reuse their buffer
	keyed := false
	if e.keyField != "" {
		var s string
		if s, keyed = fieldString(content, e.keyField); keyed && s != "" {
			r.key = []byte(s)
		}
	}
	if !keyed && e.key != nil {
		if key, err := e.key.RunBytes(viewOf()); err == nil && len(key) > 0 {
			r.key = key
		}
	}
	if len(e.part.Hash) > 0 {
		r.hash, r.hashed = e.part.hashOf(viewOf())
	}
	return r
}

// encoderFactory gives each queue producer its own encoder (codecs keep
// state). newCodec creates the codec of one encoder.
func (c *client) encoderFactory(newCodec func() (codec.Codec, error)) queue.EncoderFactory {
	return func() queue.Encoder {
		enc := *c.enc
		if cd, err := newCodec(); err == nil {
			enc.codec = cd
		}
		if enc.fast != nil {
			enc.fast = newFastEncoder(enc.fast.version)
		}
		return &enc
	}
}

// makeRecord returns the Kafka record of one pipeline event, encoding it now
// if the queue did not. ctx becomes the record's context: its deadline
// bounds delivery.
func (c *client) makeRecord(ctx context.Context, ev *publisher.Event) (*kgo.Record, error) {
	r, ok := ev.EncodedEvent.(*encodedRecord)
	if !ok {
		r = c.enc.encode(&ev.Content)
		ev.EncodedEvent = r
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.hashed {
		ctx = context.WithValue(ctx, hashCtxKey{}, r.hash)
	}
	return &kgo.Record{Topic: r.topic, Key: r.key, Value: r.value, Timestamp: r.ts, Headers: c.headers, Context: ctx}, nil
}
