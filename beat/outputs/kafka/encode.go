package kafka

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common"
	"github.com/elastic/beats/v7/libbeat/common/dtfmt"
	"github.com/elastic/beats/v7/libbeat/common/fmtstr"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
)

// fastEncoder writes the document libbeat's default JSON codec writes
// (`codec.json` without pretty, escape_html or local_time) by appending
// bytes, without reflection: @timestamp, @metadata {beat, type, version, …}
// and the fields. Encoded event members (beat/event.Member) are copied as
// they are. A value of a type it does not know makes encode report false and
// the caller uses libbeat's codec for that event.
type fastEncoder struct {
	version string
	ts      *dtfmt.Formatter
	buf     []byte
	shared  []sharedValue
	// millis: libbeat's timestamps have millisecond precision (its default),
	// written here without dtfmt: the date and time of the last second seen
	// are kept.
	millis  bool
	lastSec int64
	secText [20]byte // 2006-01-02T15:04:05.
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

func newFastEncoder(version string) *fastEncoder {
	f := common.TimestampFormat(false)
	return &fastEncoder{version: version, ts: dtfmt.MustNewFormatter(f), millis: f == millisFormat, lastSec: math.MinInt64}
}

// encode returns the document of ev; the buffer is reused by the next call.
func (e *fastEncoder) encode(index string, ev *beat.Event) ([]byte, bool) {
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

// sharedPart encodes what every document of a bundle event shares: the
// @metadata object and the fields libbeat added, each preceded by a comma.
// The result is valid until the next call.
func (e *fastEncoder) sharedPart(index string, ev *beat.Event) ([]byte, bool) {
	b, ok := e.appendRest(e.buf[:0], index, ev, event.BundleKey)
	if !ok {
		return nil, false
	}
	e.buf = b
	return b, true
}

// appendRest appends, each after a comma, @metadata and the fields of ev
// but skip.
func (e *fastEncoder) appendRest(b []byte, index string, ev *beat.Event, skip string) ([]byte, bool) {
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

// appendDoc appends the document of one bundled packet: its timestamp, the
// shared part and its own fields.
func (e *fastEncoder) appendDoc(b []byte, ts time.Time, shared []byte, d *event.Doc) []byte {
	b = append(b, `{"@timestamp":`...)
	b, _ = e.time(b, ts)
	b = append(b, shared...)
	if body := d.Body; len(body) > 2 {
		b = append(b, ',')
		b = append(b, body[1:len(body)-1]...)
	}
	return append(b, '}')
}

// millisFormat is libbeat's default timestamp format.
const millisFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"

func (e *fastEncoder) time(b []byte, t time.Time) ([]byte, bool) {
	t = t.UTC()
	if e.millis && t.Year() >= 1000 && t.Year() <= 9999 {
		if sec := t.Unix(); sec != e.lastSec {
			t.AppendFormat(e.secText[:0], "2006-01-02T15:04:05.")
			e.lastSec = sec
		}
		ms := t.Nanosecond() / 1e6
		b = append(b, '"')
		b = append(b, e.secText[:]...)
		return append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"'), true
	}
	b = append(b, '"')
	b, err := e.ts.AppendTo(b, t.UTC())
	if err != nil {
		return nil, false
	}
	return append(b, '"'), true
}

// sharedObject writes a top-level map, from the cache when it is one of the
// shared maps seen before.
func (e *fastEncoder) sharedObject(b []byte, m mapstr.M) ([]byte, bool) {
	p := reflect.ValueOf(m).UnsafePointer()
	for _, s := range e.shared {
		if reflect.ValueOf(s.m).UnsafePointer() == p {
			return append(b, s.enc...), true
		}
	}
	start := len(b)
	b, ok := e.object(b, m)
	if ok && len(e.shared) < maxShared && !nested(m) {
		e.shared = append(e.shared, sharedValue{m: m, enc: append([]byte(nil), b[start:]...)})
	}
	return b, ok
}

// nested: only maps of plain values are cached, so that no inner map can
// change behind the cache.
func nested(m mapstr.M) bool {
	for _, v := range m {
		switch v.(type) {
		case string, bool, int, int64, uint64:
		default:
			return true
		}
	}
	return false
}

func (e *fastEncoder) object(b []byte, m map[string]interface{}) ([]byte, bool) {
	b = append(b, '{')
	first, ok := true, true
	for k, v := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = event.AppendString(b, k)
		b = append(b, ':')
		if b, ok = e.value(b, v); !ok {
			return nil, false
		}
	}
	return append(b, '}'), true
}

func (e *fastEncoder) value(b []byte, v interface{}) ([]byte, bool) {
	switch v := v.(type) {
	case *event.Member:
		return append(b, v.Raw()...), true
	case mapstr.M:
		return e.object(b, v)
	case map[string]interface{}:
		return e.object(b, v)
	case string:
		return event.AppendString(b, v), true
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = event.AppendString(b, s)
		}
		return append(b, ']'), true
	case []interface{}:
		b = append(b, '[')
		ok := true
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = e.value(b, x); !ok {
				return nil, false
			}
		}
		return append(b, ']'), true
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, v), true
	case int:
		return strconv.AppendInt(b, int64(v), 10), true
	case int8:
		return strconv.AppendInt(b, int64(v), 10), true
	case int16:
		return strconv.AppendInt(b, int64(v), 10), true
	case int32:
		return strconv.AppendInt(b, int64(v), 10), true
	case int64:
		return strconv.AppendInt(b, v, 10), true
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint64:
		return strconv.AppendUint(b, v, 10), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
		return strconv.AppendFloat(b, v, 'g', -1, 64), true
	case float32:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, false
		}
		return strconv.AppendFloat(b, float64(v), 'g', -1, 32), true
	case common.Time:
		return e.time(b, time.Time(v))
	case time.Time:
		return e.time(b, v)
	}
	return nil, false
}

// viewer makes the event the topic selector, the key and the hash
// partitioner read: their fields must be plain values, so encoded members
// they reference are decoded (only those; all of them when topic rules with
// conditions are configured).
type viewer struct {
	tops  []string    // top-level keys referenced
	paths [][3]string // each referenced field: top-level key, rest of the path, whole path
	all   bool
}

func newViewer(fc *franzConfig, part *partitioner) (*viewer, error) {
	v := &viewer{all: len(fc.Topics) > 0}
	seen := map[string]bool{}
	add := func(path string) {
		top, rest, _ := strings.Cut(path, ".")
		v.paths = append(v.paths, [3]string{top, rest, path})
		if !seen[top] {
			seen[top] = true
			v.tops = append(v.tops, top)
		}
	}
	if fc.Key != nil {
		for _, f := range fc.Key.Fields() {
			add(f)
		}
	}
	if fc.Topic != "" {
		fs, err := fmtstr.CompileEvent(fc.Topic)
		if err != nil {
			return nil, errorf("topic %q: %w", fc.Topic, err)
		}
		for _, f := range fs.Fields() {
			add(f)
		}
	}
	for _, f := range part.Hash {
		add(f)
	}
	return v, nil
}

// view returns ev itself when nothing it references is encoded.
func (v *viewer) view(ev *beat.Event) *beat.Event {
	if v.all {
		var out *beat.Event
		for k, x := range ev.Fields {
			if m, ok := x.(*event.Member); ok {
				if out == nil {
					out = &beat.Event{Timestamp: ev.Timestamp, Meta: ev.Meta, Fields: ev.Fields.Clone()}
				}
				out.Fields[k] = m.Value()
			}
		}
		if out == nil {
			return ev
		}
		return out
	}
	encoded := false
	for _, k := range v.tops {
		if _, ok := ev.Fields[k].(*event.Member); ok {
			encoded = true
			break
		}
	}
	if !encoded {
		return ev
	}
	// Only the referenced fields, each looked up in the encoded bytes.
	out := &beat.Event{Timestamp: ev.Timestamp, Meta: ev.Meta, Fields: make(mapstr.M, len(v.tops))}
	for _, p := range v.paths {
		x, ok := ev.Fields[p[0]]
		if !ok {
			continue
		}
		m, enc := x.(*event.Member)
		if !enc {
			out.Fields[p[0]] = x
			continue
		}
		if val, ok := m.Lookup(p[1]); ok {
			if p[1] == "" {
				out.Fields[p[0]] = val
			} else {
				_, _ = out.Fields.Put(p[2], val)
			}
		}
	}
	return out
}
