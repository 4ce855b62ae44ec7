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
	"github.com/netbeat/netbeat/beat/outputs/jsonenc"
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
	fast   *jsonenc.Encoder // nil unless the codec is libbeat's default JSON
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
	if m, ok := ev.Fields[top].(*event.Member); ok {
		b, ok := m.String(rest)
		return string(b), ok
	}
	v, err := ev.GetValue(path)
	if err != nil {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// encodedBundle is a bundle event (beat/event.Bundle) as records: one per
// document. sent marks the records Kafka has taken (or that were dropped as
// invalid), so a retried bundle resends only the others.
type encodedBundle struct {
	recs []*encodedRecord
	sent []bool
}

// EncodeEntry implements queue.Encoder.
func (e *recordEncoder) EncodeEntry(entry queue.Entry) (queue.Entry, int) {
	ev, ok := entry.(publisher.Event)
	if !ok {
		return entry, 0
	}
	var size int
	ev.EncodedEvent, size = e.encodeEvent(&ev.Content)
	ev.Content = beat.Event{}
	return ev, size
}

// encodeEvent encodes an event or a bundle; size is its size in memory.
func (e *recordEncoder) encodeEvent(content *beat.Event) (interface{}, int) {
	if b, ok := event.BundleOf(content); ok {
		eb := e.encodeBundle(content, b)
		size := 0
		for _, r := range eb.recs {
			size += len(r.value) + len(r.key) + 64
		}
		return eb, size
	}
	r := e.encode(content)
	return r, len(r.value) + len(r.key) + len(r.topic) + 96
}

// encodeBundle encodes every document of a bundle. The fields libbeat added
// to the bundle event are encoded once and shared by all its records.
func (e *recordEncoder) encodeBundle(content *beat.Event, b *event.Bundle) *encodedBundle {
	eb := &encodedBundle{recs: make([]*encodedRecord, b.Len()), sent: make([]bool, b.Len())}
	if e.fast == nil || e.constTopic == "" || len(e.part.Hash) > 0 || (e.key != nil && e.keyField == "") {
		// The general path: every document as an event of its own.
		for i := range b.Docs {
			eb.recs[i] = e.encode(b.DocEvent(content, i))
		}
		return eb
	}
	shared, ok := e.fast.SharedPart(e.index, content)
	if !ok {
		for i := range b.Docs {
			eb.recs[i] = e.encode(b.DocEvent(content, i))
		}
		return eb
	}
	n := 0
	for i := range b.Docs {
		n += len(shared) + len(b.Docs[i].Body) + 40
	}
	buf := b.Scratch(n) // one buffer for the values of the whole bundle, reused with the bundle
	recs := make([]encodedRecord, b.Len())
	for i := range b.Docs {
		start := len(buf)
		buf = e.fast.AppendDoc(buf, b.TS[i], shared, &b.Docs[i])
		r := &recs[i]
		r.topic, r.ts, r.value = e.constTopic, b.TS[i], buf[start:len(buf):len(buf)]
		if e.keyField != "" {
			r.key = docKey(&b.Docs[i], e.keyField)
		}
		eb.recs[i] = r
	}
	b.KeepScratch(buf)
	return eb
}

// docKey returns the key of an encoded document: the string field at path
// (a slice of the document when it needs no unescaping), nil if missing.
func docKey(d *event.Doc, path string) []byte {
	if path == "network.community_id" {
		return d.CommunityID()
	}
	top, rest, _ := strings.Cut(path, ".")
	for i := range d.Members() {
		if m := &d.Members()[i]; m.Key == top {
			if b, ok := m.String(rest); ok && len(b) > 0 {
				return b
			}
			return nil
		}
	}
	return nil
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
		value, ok = e.fast.Encode(e.index, content)
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
			enc.fast = jsonenc.New(enc.fast.Version())
		}
		return &enc
	}
}

// encoded returns the encoded form of a pipeline event (*encodedRecord or
// *encodedBundle), encoding it now if the queue did not.
func (c *client) encoded(ev *publisher.Event) interface{} {
	if ev.EncodedEvent == nil {
		ev.EncodedEvent, _ = c.enc.encodeEvent(&ev.Content)
	}
	return ev.EncodedEvent
}

// makeRecord fills kr, the Kafka record of an encoded record. ctx becomes
// the record's context: its deadline bounds delivery.
func (c *client) makeRecord(ctx context.Context, r *encodedRecord, kr *kgo.Record) error {
	if r.err != nil {
		return r.err
	}
	if r.hashed {
		ctx = context.WithValue(ctx, hashCtxKey{}, r.hash)
	}
	*kr = kgo.Record{Topic: r.topic, Key: r.key, Value: r.value, Timestamp: r.ts, Headers: c.headers, Context: ctx}
	return nil
}
