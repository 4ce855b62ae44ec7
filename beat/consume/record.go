package consume

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
)

// Bad record reasons: each is returned (wrapped) by Decode, counted under
// netbeat.consume.bad.<reason> and written as the netbeat.error header of
// the dead-letter record.
var (
	// ErrNotJSON is returned when a record's value is not one JSON value.
	ErrNotJSON = errors.New("not_json")
	// ErrShape is returned when the value is JSON but not an event document:
	// not an object, or without a string @timestamp in RFC 3339, or with an
	// @metadata that is not an object.
	ErrShape = errors.New("wrong_shape")
	// ErrOversized is returned when the value is larger than
	// netbeat.kafka.max_record_bytes.
	ErrOversized = errors.New("oversized")
)

// metaLibbeat are the @metadata keys every libbeat output writes itself
// (beat, type, version): they are dropped from the event's Meta so that
// the output does not write them twice.
var metaLibbeat = [...]string{"beat", "type", "version"}

// Decode turns the JSON document of a record (as output.franz and
// libbeat's JSON codec write it: {"@timestamp", "@metadata", fields…}) back
// into the event that was published: its timestamp, its metadata
// (@metadata._id included) and its fields. With encoded, each top-level
// field stays encoded (a beat/event Member over the record's bytes, as a
// probe's events travel: outputs copy or replay the bytes, the plugin stage
// reads them); otherwise fields are decoded into normalized libbeat values
// (maps), for processors that read or change fields. scratch is a buffer
// it may use (returned for reuse).
func Decode(value []byte, maxBytes int, scratch []byte, encoded bool) (beat.Event, []byte, error) {
	if len(value) > maxBytes {
		return beat.Event{}, scratch, errorf("%w: %d bytes, netbeat.kafka.max_record_bytes is %d", ErrOversized, len(value), maxBytes)
	}
	if !json.Valid(value) {
		return beat.Event{}, scratch, errorf("%w: the value is not valid JSON", ErrNotJSON)
	}
	body := value
	if bytes.ContainsAny(value, " \t\r\n") { // compact it: the member reader takes no whitespace
		buf := bytes.NewBuffer(scratch[:0])
		_ = json.Compact(buf, value) // valid JSON
		scratch = buf.Bytes()
		body = scratch
		if encoded { // members keep referring to the body
			body = append([]byte(nil), scratch...)
		}
	}
	if len(body) < 2 || body[0] != '{' {
		return beat.Event{}, scratch, errorf("%w: the value is not a JSON object", ErrShape)
	}
	d := event.Doc{Body: body}
	ms := d.Members()
	ev := beat.Event{Fields: make(mapstr.M, len(ms))}
	hasTS := false
	for i := range ms {
		m := &ms[i]
		switch m.Key {
		case "@timestamp":
			var s string
			if err := json.Unmarshal(m.Raw(), &s); err != nil {
				return beat.Event{}, scratch, errorf("%w: @timestamp is not a string", ErrShape)
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return beat.Event{}, scratch, errorf("%w: @timestamp %q is not an RFC 3339 time", ErrShape, s)
			}
			ev.Timestamp, hasTS = t, true
		case "@metadata":
			meta, ok := m.Value().(mapstr.M)
			if !ok {
				return beat.Event{}, scratch, errorf("%w: @metadata is not an object", ErrShape)
			}
			for _, k := range metaLibbeat {
				delete(meta, k)
			}
			if len(meta) > 0 {
				ev.Meta = meta
			}
		default:
			if encoded {
				ev.Fields[m.Key] = m
			} else {
				ev.Fields[m.Key] = m.Value()
			}
		}
	}
	if !hasTS {
		return beat.Event{}, scratch, errorf("%w: no @timestamp", ErrShape)
	}
	return ev, scratch, nil
}

// reason is the short name of a Decode error (not_json, wrong_shape,
// oversized).
func reason(err error) string {
	for _, e := range []error{ErrNotJSON, ErrShape, ErrOversized} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "other"
}
