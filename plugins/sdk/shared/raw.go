package shared

import (
	"encoding/binary"
	"strings"
)

// Encoded is a request batch already encoded for the wire: the host
// encodes a batch (EncodeRequest) in one goroutine while another waits for
// the plugin's answer to the previous one, and can send the same bytes
// again when it retries the batch after a restart.
type Encoded struct{ b []byte }

// EncodeRequest encodes batch as a request for a plugin that reads only the
// fields in needs (every field when needs is empty): each event with its
// position in the batch, its timestamp and metadata, and the needed fields
// as flat keys ("source.ip"), read straight from the events without building
// projected copies.
func EncodeRequest(batch []*Event, needs []string) *Encoded {
	b := getBuf(64 + 96*len(batch))[:0]
	b = putString(b, "") // Err: requests carry none
	b = putUvarint(b, uint64(len(batch)))
	vals := make([]any, len(needs))
	have := make([]bool, len(needs))
	strs := make([][]byte, len(needs)) // strings read from encoded values, not copied
	for i, e := range batch {
		b = putUvarint(b, uint64(i))
		var ts int64
		if !e.Timestamp.IsZero() {
			ts = e.Timestamp.UnixNano()
		}
		b = binary.AppendVarint(b, ts)
		b = putMap(b, e.Meta)
		if len(needs) == 0 {
			b = putMap(b, e.Fields)
		} else {
			n := 0
			for j, k := range needs {
				if strs[j], have[j] = rawString(e.Fields, k); have[j] {
					n++
				} else if vals[j], have[j] = e.Fields.GetValue(k); have[j] {
					n++
				}
			}
			b = putUvarint(b, uint64(n))
			for j, k := range needs { // flat: "source.ip" is a literal key
				switch {
				case strs[j] != nil:
					b = putUvarint(append(putString(b, k), tString), uint64(len(strs[j])))
					b = append(b, strs[j]...)
					strs[j] = nil
				case have[j]:
					b = putValue(putString(b, k), vals[j])
					vals[j] = nil
				}
			}
		}
		b = putUvarint(b, 0) // no deleted fields
	}
	return &Encoded{b: b}
}

// rawString returns the string at key when it lies in an encoded top-level
// value and needs no unescaping: a slice of the encoded document.
func rawString(f M, key string) ([]byte, bool) {
	i := strings.IndexByte(key, '.')
	if i < 0 {
		return nil, false
	}
	rv, ok := f[key[:i]].(RawValue)
	if !ok {
		return nil, false
	}
	return rv.LookupString(key[i+1:])
}

// Release returns the request's buffer for reuse once the plugin has
// answered it for good; the request must not be sent afterwards.
func (e *Encoded) Release() {
	putBuf(e.b)
	e.b = nil
}

// RawBatch is a plugin's answer received but not decoded yet: the host
// checks Err when it arrives and decodes the events (Decode) later, in the
// goroutine that merges them into the batch, so the plugin can already work
// on the next batch.
type RawBatch struct {
	data []byte
	Err  string // the plugin failed on this batch

	v2      bool  // a protocol 2 answer (dict.go)
	scanned bool  // checked, its definitions added to the stream's dictionary
	vals    []any // the stream's dictionary after the scan
	base    int   // number of the answer's first definition
}

// Decode decodes a protocol 1 answer's events.
func (m *RawBatch) Decode() ([]*Event, error) {
	var b Batch
	r := &reader{b: m.data}
	b.unmarshal(r)
	if r.err == nil && len(r.b) != 0 {
		r.err = ErrWire
	}
	return b.Events, r.err
}

func (m *RawBatch) sizeHint() int           { return len(m.data) }
func (m *RawBatch) marshal(b []byte) []byte { return append(b, m.data...) }

// unmarshal keeps a copy of the message (gRPC reuses its receive buffers)
// and reads only the error string in front of it.
func (m *RawBatch) unmarshal(r *reader) {
	if err := m.own(append([]byte(nil), r.b...)); err != nil {
		r.err = err
	}
	r.b = nil
}

// own makes b, a copy of the message, the answer's data and reads the
// error string in front of it.
func (m *RawBatch) own(b []byte) error {
	*m = RawBatch{data: b}
	r := &reader{b: b}
	m.Err = r.string()
	return r.err
}

// Release returns the answer's buffer for reuse once the host has merged
// it (or given up on it); the answer must not be used afterwards.
func (m *RawBatch) Release() {
	putBuf(m.data)
	m.data, m.scanned, m.vals = nil, false, nil
}
