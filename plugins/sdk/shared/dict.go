package shared

import (
	"maps"
	"slices"
	"sync/atomic"
	"time"
)

// Protocol 2 answers carry a per-stream value dictionary: an object a plugin
// sends again and again (the geo object of a network, the time bucket of an
// hour, the ASN of a provider) is encoded in full once per stream, marked
// tDef, and from then on as tRef and its number. The host decodes each
// definition once and gives every event that refers to it its own deep
// copy, which is far cheaper than decoding the object again. Both sides
// number definitions in the order they appear in the stream (depth first,
// an object before the objects inside it), so the dictionary itself never
// crosses the wire. Protocol 2 answers also list an event's deleted fields
// before its fields, so the host can merge the fields while decoding them.

const (
	dictMax     = 4096 // definitions per stream; later objects are sent in full
	dictMinSize = 12   // bytes: smaller objects are as cheap to send again
	dictMaxSize = 1024 // bytes: larger objects are unlikely to repeat
	dictMaxKeys = 16   // keys: larger objects are sent in full
)

// EncDict is the plugin side of a stream's dictionary.
type EncDict struct {
	ids  map[string]uint32
	defs int // definitions written so far
}

// NewEncDict returns an empty dictionary for a new stream.
func NewEncDict() *EncDict { return &EncDict{ids: make(map[string]uint32, 256)} }

// putValue encodes v, replacing an object already sent on this stream by a
// reference and defining a new one when it may repeat. Objects are encoded
// with sorted keys so that equal objects have equal bytes.
func (d *EncDict) putValue(b []byte, v any) []byte {
	m, ok := AsMap(v)
	if !ok || len(m) == 0 || len(m) > dictMaxKeys {
		return putValue(b, v)
	}
	var arr [dictMaxKeys]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ { // insertion sort: at most 16 keys
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	p, defs := len(b), d.defs
	b = putUvarint(append(b, tMap), uint64(len(keys)))
	for _, k := range keys {
		b = d.putValue(putString(b, k), m[k])
	}
	// An object that defined others is not registered: its bytes will differ
	// (references instead of definitions) the next time it is sent.
	if size := len(b) - p; d.defs != defs || size < dictMinSize || size > dictMaxSize {
		return b
	}
	if id, ok := d.ids[string(b[p:])]; ok {
		return putUvarint(append(b[:p], tRef), uint64(id))
	}
	if len(d.ids) >= dictMax {
		return b
	}
	d.ids[string(b[p:])] = uint32(len(d.ids))
	d.defs++
	b = append(b, 0)
	copy(b[p+1:], b[p:])
	b[p] = tDef
	return b
}

// DecDict is the host side of a stream's dictionary: the values defined so
// far, in order. It only grows; answers are scanned in the order they
// arrive, which is the order the plugin encoded them.
type DecDict struct{ vals []any }

type pending struct{} // a definition being decoded (it cannot refer to itself)

// def reads a definition: while scanning it is decoded and added to the
// dictionary; afterwards the value decoded then is copied.
func (r *reader) def() any {
	if d := r.scan; d != nil {
		if len(d.vals) >= dictMax {
			r.fail()
			return nil
		}
		id := len(d.vals)
		d.vals = append(d.vals, pending{})
		v := r.value()
		if r.err != nil {
			return nil
		}
		d.vals[id] = newEntry(v)
		return v
	}
	return r.entry(tDef).copy()
}

// entry reads the rest of a definition or reference (tag, already read)
// and returns the dictionary entry it names. While scanning, only
// references come here, resolved against the dictionary as it grows (def
// reads definitions); afterwards a definition names the entry the scan
// made for it. A malformed one fails the reader and returns nil.
func (r *reader) entry(tag byte) *entry {
	vals := r.vals
	var id uint64
	switch {
	case r.scan != nil:
		vals, id = r.scan.vals, r.uvarint()
	case tag == tDef:
		id = uint64(r.base + r.ndef)
		r.ndef++
		r.skip()
	default:
		id = r.uvarint()
	}
	if r.err != nil || id >= uint64(len(vals)) {
		r.fail()
		return nil
	}
	e, ok := vals[id].(*entry)
	if !ok { // pending: a definition cannot refer to itself
		r.fail()
	}
	return e
}

// entry is a dictionary value with a plan for copying it: an object is
// cloned in one step (maps.Clone), then only its nested objects and lists,
// which must not be shared between events, are replaced by their copies.
type entry struct {
	v     any
	m     map[string]any                // v as an object, or nil
	pairs []pair                        // m's keys and values, for merging without iterating m
	js    atomic.Pointer[[]byte]        // v as JSON, made on first use (encoded.go)
	frag  atomic.Pointer[entryFragment] // v's members as JSON, made on first use (encoded.go)
}

type pair struct {
	key string
	v   any
	sub *entry // v needs its own copy (an object or a list)
}

func newEntry(v any) *entry {
	e := &entry{v: v}
	if m, ok := v.(map[string]any); ok {
		e.m = m
		for k, x := range m {
			p := pair{key: k, v: x}
			switch x.(type) {
			case map[string]any, []any, []string, []byte:
				p.sub = newEntry(x)
			}
			e.pairs = append(e.pairs, p)
		}
	}
	return e
}

// copy returns a copy of the entry's value (nil for a nil entry: the
// reader has failed).
func (e *entry) copy() any {
	if e == nil {
		return nil
	}
	if e.m == nil {
		return deepCopy(e.v)
	}
	c := maps.Clone(e.m)
	for _, p := range e.pairs {
		if p.sub != nil {
			c[p.key] = p.sub.copy()
		}
	}
	return c
}

// mergeInto merges a copy of the object into dst, as Merge would, without
// copying the object itself first.
func (e *entry) mergeInto(dst map[string]any) {
	for _, p := range e.pairs {
		if p.sub != nil {
			mergeKey(dst, p.key, p.sub.copy())
		} else {
			mergeKey(dst, p.key, p.v)
		}
	}
}

// deepCopy copies objects and lists so that no two events share them.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(t))
		for k, x := range t {
			c[k] = deepCopy(x)
		}
		return c
	case []any:
		c := make([]any, len(t))
		for i, x := range t {
			c[i] = deepCopy(x)
		}
		return c
	case []string:
		return slices.Clone(t)
	case []byte:
		return slices.Clone(t)
	}
	return v
}

func (r *reader) skipString() {
	n := r.count()
	r.b = r.b[n:]
}

func (r *reader) skipStrings() {
	n := r.count()
	for i := 0; i < n && r.err == nil; i++ {
		r.skipString()
	}
}

// skipEvent passes over a protocol 2 answer event after its position and
// timestamp: metadata, deleted fields, fields.
func (r *reader) skipEvent() {
	r.skipMap()
	r.skipStrings()
	r.skipMap()
}

func (r *reader) skipMap() {
	n := r.count()
	for i := 0; i < n && r.err == nil; i++ {
		r.skipString()
		r.skip()
	}
}

// skip passes over a value without building it (scanning: checking it and
// recording its definitions).
func (r *reader) skip() {
	if r.depth >= maxDepth {
		r.fail()
		return
	}
	r.depth++
	r.skip1()
	r.depth--
}

func (r *reader) skip1() {
	switch r.byte() {
	case tNil, tTrue, tFalse:
	case tString, tBytes:
		r.skipString()
	case tInt, tTime:
		r.varint()
	case tUint:
		r.uvarint()
	case tFloat:
		if len(r.b) < 8 {
			r.fail()
			return
		}
		r.b = r.b[8:]
	case tMap:
		r.skipMap()
	case tList:
		n := r.count()
		for i := 0; i < n && r.err == nil; i++ {
			r.skip()
		}
	case tStrings:
		r.skipStrings()
	case tDef:
		if r.scan != nil {
			r.def()
		} else {
			r.entry(tDef)
		}
	case tRef:
		r.entry(tRef)
	default:
		r.fail()
	}
}

// scan checks a protocol 2 answer from end to end and adds its definitions
// to d, so that a malformed answer is found before it changes any event.
func (m *RawBatch) scan(d *DecDict) error {
	start := len(d.vals)
	r := &reader{b: m.data, scan: d}
	r.skipString() // Err
	n := r.count()
	for i := 0; i < n && r.err == nil; i++ {
		r.uvarint()
		r.varint()
		r.skipEvent()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = ErrWire
	}
	if r.err != nil {
		d.vals = d.vals[:start]
		return r.err
	}
	m.vals, m.base, m.scanned = d.vals, start, true
	return nil
}

// Apply merges the answer into batch, the events the request was encoded
// from, and returns the result: with needs, the rules of the package-level
// Apply (changed fields merged, deleted ones removed, events missing from
// the answer dropped); without, the answer's events replace the batch.
// Protocol 2 answers are merged while they are decoded; a malformed answer
// returns an error and changes no event.
func (m *RawBatch) Apply(batch []*Event, needs []string) ([]*Event, error) {
	if !m.v2 {
		events, err := m.Decode()
		if err != nil {
			return nil, err
		}
		return Apply(batch, events, needs), nil
	}
	if !m.scanned {
		if err := m.scan(&DecDict{}); err != nil {
			return nil, err
		}
	}
	r := &reader{b: m.data, vals: m.vals, base: m.base}
	r.skipString() // Err
	n := r.count()
	out := make([]*Event, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		seq := r.uvarint()
		ts := r.varint()
		if seq >= uint64(len(batch)) { // not an event of the request: ignored
			r.skipEvent()
			continue
		}
		o := batch[seq]
		if len(needs) == 0 {
			e := &Event{seq: uint32(seq), host: o.host}
			if ts != 0 {
				e.Timestamp = time.Unix(0, ts).UTC()
			}
			e.Meta = r.mapv()
			if len(e.Meta) == 0 {
				e.Meta = nil
			}
			r.skipStrings() // deleted: the answer replaces the event
			e.Fields = r.mapv()
			out = append(out, e)
			continue
		}
		if ts != 0 {
			o.Timestamp = time.Unix(0, ts).UTC()
		}
		if len(r.b) > 0 && r.b[0] == 0 { // no metadata
			r.b = r.b[1:]
		} else if meta := r.mapv(); len(meta) > 0 {
			if o.Meta == nil {
				o.Meta = M{}
			}
			Merge(o.Meta, meta)
		}
		for k := r.count(); k > 0 && r.err == nil; k-- {
			key := r.key()
			if o.enc != nil {
				o.decodeTop(key)
			}
			o.Fields.Delete(key)
		}
		if o.Fields == nil {
			o.Fields = M{}
		}
		for k := r.count(); k > 0 && r.err == nil; k-- {
			key := r.key()
			switch {
			case o.canSplice(key):
				if js := r.json(); r.err == nil {
					o.splice(key, js)
				}
				continue
			case o.enc != nil:
				if _, raw := o.Fields[key].(RawValue); raw && r.mergeRaw(o, key) {
					continue
				}
				o.decodeTop(key)
			}
			if flat(key) {
				mergeFlat(o.Fields, key, r.value())
			} else {
				r.mergeValue(o.Fields, key)
			}
		}
		out = append(out, o)
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = ErrWire
	}
	return out, r.err
}

// mergeValue decodes the next value and merges it into dst[k] as mergeKey
// would, descending into objects dst already has instead of building them
// first.
func (r *reader) mergeValue(dst map[string]any, k string) {
	if k == "tags" {
		for _, t := range tagList(r.value()) {
			dst[k] = appendTag(dst[k], t)
		}
		return
	}
	if len(r.b) > 0 && r.b[0] == tMap {
		if dm, ok := AsMap(dst[k]); ok {
			r.b = r.b[1:]
			for n := r.count(); n > 0 && r.err == nil; n-- {
				r.mergeValue(dm, r.key())
			}
			return
		}
	}
	if len(r.b) > 0 && (r.b[0] == tRef || r.b[0] == tDef) {
		if dm, ok := AsMap(dst[k]); ok {
			if e := r.entry(r.byte()); e != nil && e.m != nil {
				e.mergeInto(dm)
			} else if e != nil {
				dst[k] = e.copy()
			}
			return
		}
	}
	v := r.value()
	if sm, ok := v.(map[string]any); ok {
		if dm, ok := AsMap(dst[k]); ok {
			Merge(dm, sm)
			return
		}
	}
	dst[k] = v
}
