package shared

import (
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// M is an event's field map. Nested objects are map[string]any (or a named
// map type with that underlying type, such as libbeat's mapstr.M).
type M map[string]any

// Event is one event in a batch, close to libbeat's beat.Event.
type Event struct {
	Timestamp time.Time
	Meta      M
	Fields    M

	seq     uint32       // position in the batch, so a plugin may drop events
	host    any          // host-side data that never crosses the wire
	deleted []string     // response of a projected event: keys the plugin removed
	orig    []field      // request as decoded (plugin side): the fields before Process, for Diff
	enc     *Encoding    // host side: the event's top-level values may be RawValues (encoded.go)
	network netip.Prefix // keyed answer (protocol 3): the network it holds for (keyed.go)
}

type field struct {
	k string
	v any
}

// HostData returns data the host attached to the event (never sent to plugins).
func (e *Event) HostData() any { return e.host }

// SetHostData attaches host-side data to the event.
func (e *Event) SetHostData(v any) { e.host = v }

// Seq is the event's position in the batch it arrived in.
func (e *Event) Seq() uint32 { return e.seq }

// SetSeq sets the event's position in its batch (host side).
func (e *Event) SetSeq(s uint32) { e.seq = s }

// AddTag appends tag to the event's "tags" unless present.
func (e *Event) AddTag(tag string) {
	if e.Fields == nil {
		e.Fields = M{}
	}
	e.Fields["tags"] = appendTag(e.Fields["tags"], tag)
}

func appendTag(v any, tag string) any {
	switch t := v.(type) {
	case nil:
		return []string{tag}
	case []string:
		for _, s := range t {
			if s == tag {
				return t
			}
		}
		return append(t, tag)
	case []any:
		for _, s := range t {
			if s == tag {
				return t
			}
		}
		return append(t, tag)
	case string:
		if t == tag {
			return []string{t}
		}
		return []string{t, tag}
	}
	return v
}

// GetValue returns the value at a dotted key ("source.ip").
func (m M) GetValue(key string) (any, bool) {
	cur := map[string]any(m)
	for {
		i := strings.IndexByte(key, '.')
		if i < 0 {
			v, ok := cur[key]
			return v, ok
		}
		if v, ok := cur[key]; ok { // a literal dotted key wins
			return v, true
		}
		next, ok := AsMap(cur[key[:i]])
		if !ok {
			if rv, isRaw := cur[key[:i]].(RawValue); isRaw {
				return rv.Lookup(key[i+1:])
			}
			return nil, false
		}
		cur, key = next, key[i+1:]
	}
}

// String returns the string at a dotted key, or "".
func (m M) String(key string) string {
	v, _ := m.GetValue(key)
	s, _ := v.(string)
	return s
}

// Put sets the value at a dotted key, creating intermediate objects. An
// existing literal dotted key (as in events the host projected) is replaced.
func (m M) Put(key string, v any) {
	cur := map[string]any(m)
	if _, ok := cur[key]; ok {
		cur[key] = v
		return
	}
	for {
		i := strings.IndexByte(key, '.')
		if i < 0 {
			cur[key] = v
			return
		}
		next, ok := objectAt(cur, key[:i])
		if !ok {
			next = map[string]any{}
			cur[key[:i]] = next
		}
		cur, key = next, key[i+1:]
	}
}

// objectAt returns the object at cur[k] to change it: an encoded value
// (RawValue) is decoded into a map first and replaces the encoded one.
func objectAt(cur map[string]any, k string) (map[string]any, bool) {
	v := cur[k]
	if rv, ok := v.(RawValue); ok {
		v = rv.Value()
		cur[k] = v
	}
	return AsMap(v)
}

// Delete removes the value at a dotted key (or the literal dotted key).
func (m M) Delete(key string) {
	cur := map[string]any(m)
	if _, ok := cur[key]; ok {
		delete(cur, key)
		return
	}
	for {
		i := strings.IndexByte(key, '.')
		if i < 0 {
			delete(cur, key)
			return
		}
		next, ok := objectAt(cur, key[:i])
		if !ok {
			return
		}
		cur, key = next, key[i+1:]
	}
}

var mapType = reflect.TypeOf(map[string]any(nil))

// mapTypes caches the named map types (libbeat's mapstr.M) known to have
// map[string]any as underlying type, keyed by their runtime type word.
var mapTypes sync.Map

type eface struct{ typ, data unsafe.Pointer }

var lastMapType atomic.Pointer[byte] // type word of the last named map type seen

// AsMap returns v as a map[string]any without copying when v is M,
// map[string]any or a named type with that underlying type.
func AsMap(v any) (map[string]any, bool) {
	switch t := v.(type) {
	case map[string]any:
		return t, true
	case M:
		return t, true
	case nil:
		return nil, false
	}
	ef := (*eface)(unsafe.Pointer(&v))
	if ef.typ == unsafe.Pointer(lastMapType.Load()) { // the common case: libbeat's mapstr.M
		return *(*map[string]any)(unsafe.Pointer(&ef.data)), true
	}
	if ok, known := mapTypes.Load(ef.typ); known {
		if !ok.(bool) {
			return nil, false
		}
		// A map value is pointer-shaped: the interface's data word is the map.
		return *(*map[string]any)(unsafe.Pointer(&ef.data)), true
	}
	rv := reflect.ValueOf(v)
	ok := rv.Kind() == reflect.Map && rv.Type().ConvertibleTo(mapType)
	mapTypes.Store(ef.typ, ok)
	if !ok {
		return nil, false
	}
	lastMapType.Store((*byte)(ef.typ))
	return rv.Convert(mapType).Interface().(map[string]any), true
}

// Merge deep-merges src into dst: nested objects are merged, "tags" are
// unioned, other values replace.
func Merge(dst, src map[string]any) {
	for k, v := range src {
		mergeKey(dst, k, v)
	}
}

func mergeKey(dst map[string]any, k string, v any) {
	if k == "tags" {
		for _, t := range tagList(v) {
			dst[k] = appendTag(dst[k], t)
		}
		return
	}
	if sm, ok := AsMap(v); ok {
		if dm, ok := objectAt(dst, k); ok {
			Merge(dm, sm)
			return
		}
	}
	dst[k] = v
}

func tagList(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
