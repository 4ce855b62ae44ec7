package shared

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"reflect"
	"time"
)

// The wire format is a compact, self-describing binary encoding of event
// values (a subset of msgpack's ideas): netbeat ships no protoc-generated
// code, so the gRPC service uses this codec (see codec.go).

const (
	tNil byte = iota
	tString
	tInt
	tUint
	tFloat
	tTrue
	tFalse
	tMap
	tList
	tStrings
	tTime
	tBytes
	tDef // protocol 2: a value added to the stream's dictionary (dict.go)
	tRef // protocol 2: a value from the stream's dictionary
)

// ErrWire is returned when a message cannot be decoded.
var ErrWire = errors.New("malformed plugin message")

var timeType = reflect.TypeOf(time.Time{})

func putUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func putString(b []byte, s string) []byte {
	b = putUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func putStrings(b []byte, ss []string) []byte {
	b = putUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = putString(b, s)
	}
	return b
}

func putMap(b []byte, m map[string]any) []byte {
	b = putUvarint(b, uint64(len(m)))
	for k, v := range m {
		b = putString(b, k)
		b = putValue(b, v)
	}
	return b
}

func putValue(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, tNil)
	case string:
		return putString(append(b, tString), t)
	case bool:
		if t {
			return append(b, tTrue)
		}
		return append(b, tFalse)
	case int:
		return binary.AppendVarint(append(b, tInt), int64(t))
	case int64:
		return binary.AppendVarint(append(b, tInt), t)
	case int32:
		return binary.AppendVarint(append(b, tInt), int64(t))
	case int16:
		return binary.AppendVarint(append(b, tInt), int64(t))
	case int8:
		return binary.AppendVarint(append(b, tInt), int64(t))
	case uint:
		return putUvarint(append(b, tUint), uint64(t))
	case uint64:
		return putUvarint(append(b, tUint), t)
	case uint32:
		return putUvarint(append(b, tUint), uint64(t))
	case uint16:
		return putUvarint(append(b, tUint), uint64(t))
	case uint8:
		return putUvarint(append(b, tUint), uint64(t))
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, tFloat), math.Float64bits(t))
	case float32:
		return binary.LittleEndian.AppendUint64(append(b, tFloat), math.Float64bits(float64(t)))
	case map[string]any:
		return putMap(append(b, tMap), t)
	case M:
		return putMap(append(b, tMap), t)
	case []string:
		return putStrings(append(b, tStrings), t)
	case []any:
		b = putUvarint(append(b, tList), uint64(len(t)))
		for _, x := range t {
			b = putValue(b, x)
		}
		return b
	case time.Time:
		return binary.AppendVarint(append(b, tTime), t.UnixNano())
	case []byte:
		return putString(append(b, tBytes), string(t))
	case net.IP:
		return putString(append(b, tString), t.String())
	case RawValue:
		return putValue(b, t.Value())
	case fmt.Stringer:
		if _, ok := AsMap(v); !ok {
			rv := reflect.ValueOf(v)
			if rv.Type().ConvertibleTo(timeType) { // libbeat's common.Time
				return putValue(b, rv.Convert(timeType).Interface())
			}
			return putString(append(b, tString), t.String())
		}
	}
	if m, ok := AsMap(v); ok {
		return putMap(append(b, tMap), m)
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Type().ConvertibleTo(timeType):
		return putValue(b, rv.Convert(timeType).Interface())
	case rv.Kind() == reflect.Slice:
		b = putUvarint(append(b, tList), uint64(rv.Len()))
		for i := 0; i < rv.Len(); i++ {
			b = putValue(b, rv.Index(i).Interface())
		}
		return b
	case rv.Kind() == reflect.String:
		return putString(append(b, tString), rv.String())
	case rv.CanInt():
		return binary.AppendVarint(append(b, tInt), rv.Int())
	case rv.CanUint():
		return putUvarint(append(b, tUint), rv.Uint())
	case rv.CanFloat():
		return putValue(b, rv.Float())
	}
	return putString(append(b, tString), fmt.Sprint(v))
}

type reader struct {
	b    []byte
	err  error
	keys map[string]string // interned map keys: they repeat in every event

	// Dictionary references (protocol 2, dict.go). Scanning an answer
	// (scan != nil) checks it and adds its definitions to the stream's
	// dictionary; decoding it afterwards reads them from vals, the
	// dictionary as it was after the scan: the answer's first definition
	// is vals[base], its next one vals[base+1], and so on (ndef counts them).
	scan *DecDict
	vals []any
	base int
	ndef int

	orig  []field // the fields of the events decoded so far, in order (Event.orig)
	depth int     // nesting of the value being read (maxDepth)
}

func (r *reader) fail() { r.err = ErrWire; r.b = nil }

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) { // every element takes at least one byte
		r.fail()
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.count()
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) key() string {
	n := r.count()
	b := r.b[:n]
	r.b = r.b[n:]
	if k, ok := r.keys[string(b)]; ok { // no allocation for the lookup
		return k
	}
	if r.keys == nil {
		r.keys = make(map[string]string, 32)
	}
	k := string(b)
	if len(r.keys) < 1024 {
		r.keys[k] = k
	}
	return k
}

func (r *reader) mapv() map[string]any {
	n := r.count()
	m := make(map[string]any, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.key()
		m[k] = r.value()
	}
	return m
}

// maxDepth bounds the nesting of decoded values, so that a malformed
// message cannot exhaust the stack.
const maxDepth = 64

func (r *reader) value() any {
	if r.depth >= maxDepth {
		r.fail()
		return nil
	}
	r.depth++
	v := r.value1()
	r.depth--
	return v
}

func (r *reader) value1() any {
	switch r.byte() {
	case tNil:
		return nil
	case tString:
		return r.string()
	case tInt:
		return r.varint()
	case tUint:
		return r.uvarint()
	case tFloat:
		if len(r.b) < 8 {
			r.fail()
			return nil
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
		r.b = r.b[8:]
		return f
	case tTrue:
		return true
	case tFalse:
		return false
	case tMap:
		return r.mapv()
	case tList:
		n := r.count()
		l := make([]any, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			l = append(l, r.value())
		}
		return l
	case tStrings:
		n := r.count()
		l := make([]string, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			l = append(l, r.string())
		}
		return l
	case tTime:
		return time.Unix(0, r.varint()).UTC()
	case tBytes:
		return []byte(r.string())
	case tDef:
		return r.def()
	case tRef:
		return r.entry(tRef).copy()
	}
	r.fail()
	return nil
}

func putEvent(b []byte, e *Event, d *EncDict) []byte {
	b = putUvarint(b, uint64(e.seq))
	var ts int64
	if !e.Timestamp.IsZero() {
		ts = e.Timestamp.UnixNano()
	}
	b = binary.AppendVarint(b, ts)
	b = putMap(b, e.Meta)
	if d != nil { // protocol 2: deleted fields first, objects through the dictionary
		b = putUvarint(putStrings(b, e.deleted), uint64(len(e.Fields)))
		for k, v := range e.Fields {
			b = d.putValue(putString(b, k), v)
		}
		return b
	}
	return putStrings(putMap(b, e.Fields), e.deleted)
}

func (r *reader) event() *Event {
	e := &Event{seq: uint32(r.uvarint())}
	if ts := r.varint(); ts != 0 {
		e.Timestamp = time.Unix(0, ts).UTC()
	}
	if len(r.b) > 0 && r.b[0] == 0 { // no metadata: skip the empty map
		r.b = r.b[1:]
	} else {
		e.Meta = r.mapv()
	}
	n := r.count()
	e.Fields = make(M, n)
	start := len(r.orig)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.key()
		v := r.value()
		e.Fields[k] = v
		r.orig = append(r.orig, field{k, v})
	}
	e.orig = r.orig[start:len(r.orig):len(r.orig)]
	if n := r.count(); n > 0 {
		e.deleted = make([]string, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			e.deleted = append(e.deleted, r.key())
		}
	}
	return e
}
