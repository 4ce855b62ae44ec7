// Package jsonenc writes the JSON document libbeat's default JSON codec
// writes for an event, by appending bytes (output.franz, output.file).
package jsonenc

import (
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
)

// Encoder writes the document libbeat's default JSON codec writes
// (`codec.json` without pretty, escape_html or local_time) by appending
// bytes, without reflection: @timestamp, @metadata {beat, type, version, …}
// and the fields. Encoded event members (beat/event.Member) are copied as
// they are. A value of a type it does not know makes encode report false and
// the caller uses libbeat's codec for that event.
type Encoder struct {
	version string
	tw      event.TimeWriter
	buf     []byte
	shared  []sharedValue
}

// sharedValue is the encoding of a map libbeat adds, the same map, to every
// event (agent, ecs, host, capture or observer: libbeat shares them between
// events and never changes them once built). Maps are recognized by identity.
type sharedValue struct {
	m   map[string]interface{}
	enc []byte
}

// sharedKeys are the top-level keys whose maps libbeat shares between events.
var sharedKeys = map[string]bool{"agent": true, "ecs": true, "host": true, "capture": true, "observer": true}

// maxShared bounds the cache; maps that are copied per event (when
// processors run) fill it once and are then encoded each time.
const maxShared = 16

// New returns an Encoder for documents of the given beat version. One per
// goroutine: it keeps a buffer and caches.
func New(version string) *Encoder {
	return &Encoder{version: version}
}

// Version is the beat version the documents carry.
func (e *Encoder) Version() string { return e.version }

// Encode returns the document of ev (false: a value it cannot write; use
// libbeat's codec). The buffer is reused by the next call.
func (e *Encoder) Encode(index string, ev *beat.Event) ([]byte, bool) {
	b := append(e.buf[:0], `{"@timestamp":`...)
	b, ok := e.time(b, ev.Timestamp)
	if !ok {
		return nil, false
	}
	if b, ok = e.appendRest(b, index, ev, ""); !ok {
		return nil, false
	}
	b = append(b, '}')
	e.buf = b
	return b, true
}

// SharedPart encodes what every document of a bundle event shares: the
// @metadata object and the fields libbeat added, each preceded by a comma.
// The result is valid until the next call.
func (e *Encoder) SharedPart(index string, ev *beat.Event) ([]byte, bool) {
	b, ok := e.appendRest(e.buf[:0], index, ev, event.BundleKey)
	if !ok {
		return nil, false
	}
	e.buf = b
	return b, true
}

// appendRest appends, each after a comma, @metadata and the fields of ev
// but skip.
func (e *Encoder) appendRest(b []byte, index string, ev *beat.Event, skip string) ([]byte, bool) {
	b = append(b, `,"@metadata":{"beat":`...)
	b = event.AppendString(b, index)
	b = append(b, `,"type":"_doc","version":`...)
	b = event.AppendString(b, e.version)
	ok := true
	for k, v := range ev.Meta {
		b = append(b, ',')
		b = event.AppendString(b, k)
		b = append(b, ':')
		if b, ok = e.value(b, v); !ok {
			return nil, false
		}
	}
	b = append(b, '}')
	for k, v := range ev.Fields {
		if k == skip {
			continue
		}
		b = append(b, ',')
		b = event.AppendString(b, k)
		b = append(b, ':')
		if m, isMap := v.(mapstr.M); isMap && sharedKeys[k] {
			b, ok = e.sharedObject(b, m)
		} else {
			b, ok = e.value(b, v)
		}
		if !ok {
			return nil, false
		}
	}
	return b, true
}

// AppendDoc appends the document of one bundled packet: its timestamp, the
// shared part and its own fields.
func (e *Encoder) AppendDoc(b []byte, ts time.Time, shared []byte, d *event.Doc) []byte {
	b = append(b, `{"@timestamp":`...)
	b, _ = e.time(b, ts)
	b = appendShared(b, shared, d.ID())
	if body := d.Body; len(body) > 2 {
		b = append(b, ',')
		b = append(b, body[1:len(body)-1]...)
	}
	return append(b, '}')
}

func (e *Encoder) time(b []byte, t time.Time) ([]byte, bool) { return e.tw.AppendTime(b, t) }
