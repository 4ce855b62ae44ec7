package shared

import "strings"

// Encoded events. netbeat's packet and flow events travel as encoded JSON
// documents whose top-level members are values of the event map
// (beat/event.Member). The host reads the fields a plugin needs from them
// without decoding them (GetValue, EncodeRequest), and adds a plugin's
// answer to them as JSON (an object gets the new key spliced in, a new
// top-level field becomes a new member), so events with plugins stay on
// netbeat's encoded path. Only an answer that changes or deletes a field the
// member already has decodes that member into a map first.

// RawValue is a top-level field value kept as encoded JSON.
type RawValue interface {
	// Raw is the encoded value.
	Raw() []byte
	// Lookup decodes the value at a dotted path inside it ("" is itself).
	Lookup(path string) (any, bool)
	// LookupString returns the bytes of the string at path when it needs no
	// unescaping (ok false otherwise).
	LookupString(path string) ([]byte, bool)
	// Value decodes the whole value (objects as maps).
	Value() any
	// With returns a copy of the value, an object without key (no dot), with
	// key added, raw its encoded value; ok false otherwise.
	With(key string, raw []byte) (any, bool)
	// Extend returns a copy of the value, an object without any of keys,
	// with fragment (their encoded members, `"k":v,…`) appended; ok false
	// otherwise.
	Extend(keys []string, fragment []byte) (any, bool)
}

// Encoding tells the host how to add answers to an encoded event.
type Encoding struct {
	// New makes a top-level field value from its compact JSON encoding.
	New func(key string, raw []byte) any
	// Maps are the top-level keys whose new values stay maps (fields that
	// later stages merge into, such as libbeat's host or agent).
	Maps map[string]bool
}

// SetEncoding marks the event as encoded (its top-level values may be
// RawValues): answers are added to it as JSON.
func (e *Event) SetEncoding(enc *Encoding) { e.enc = enc }

// decodeTop replaces the top-level value of key's first segment by its
// decoded map when it is a RawValue, so that map code can change it.
func (e *Event) decodeTop(key string) {
	top, _, _ := strings.Cut(key, ".")
	if rv, ok := e.Fields[top].(RawValue); ok {
		e.Fields[top] = rv.Value()
	}
}

// Decode replaces every RawValue among the event's top-level fields by its
// decoded value: for plugins that read the whole event.
func (e *Event) Decode() {
	for k, v := range e.Fields {
		if rv, ok := v.(RawValue); ok {
			e.Fields[k] = rv.Value()
		}
	}
}

// canSplice says whether the answer's value for key can be added to the
// encoded event as JSON: a new top-level field, or a new key of a top-level
// object ("source.geo").
func (e *Event) canSplice(key string) bool {
	if e.enc == nil || key == "tags" {
		return false
	}
	top, rest, dotted := strings.Cut(key, ".")
	cur, has := e.Fields[top]
	if !dotted {
		return !has && !e.enc.Maps[top]
	}
	if strings.IndexByte(rest, '.') >= 0 {
		return false
	}
	if !has {
		return !e.enc.Maps[top]
	}
	rv, ok := cur.(RawValue)
	if !ok {
		return false
	}
	_, exists := rv.Lookup(rest)
	return !exists
}

// splice adds key's encoded value js, after canSplice(key) said it can.
func (e *Event) splice(key string, js []byte) {
	top, rest, dotted := strings.Cut(key, ".")
	if !dotted {
		e.Fields[top] = e.enc.New(top, js)
		return
	}
	cur, has := e.Fields[top]
	if !has {
		b := make([]byte, 0, len(rest)+len(js)+5)
		b = append(appendJSONString(append(b, '{'), rest), ':')
		e.Fields[top] = e.enc.New(top, append(append(b, js...), '}'))
		return
	}
	if v, ok := cur.(RawValue).With(rest, js); ok {
		e.Fields[top] = v
	}
}

// rawKey returns the encoded top-level object top when sub (no dot) can be
// added to it as JSON: it does not have sub yet.
func (e *Event) rawKey(top, sub string) (RawValue, bool) {
	rv, ok := e.Fields[top].(RawValue)
	if !ok || strings.IndexByte(sub, '.') >= 0 {
		return nil, false
	}
	if r := rv.Raw(); len(r) == 0 || r[0] != '{' {
		return nil, false
	}
	if _, exists := rv.Lookup(sub); exists {
		return nil, false
	}
	return rv, true
}

// addKey adds sub, encoded as js, to the encoded object top (rawKey said it can).
func (e *Event) addKey(top string, rv RawValue, sub string, js []byte) {
	if v, ok := rv.With(sub, js); ok {
		e.Fields[top] = v
	}
}

// topMap decodes the top-level value top if it is encoded and returns it
// as a map (ok false if it is not an object).
func (e *Event) topMap(top string) (map[string]any, bool) {
	e.decodeTop(top)
	return AsMap(e.Fields[top])
}

// mergeAnswer merges one field of a projected answer into the event as
// mergeFlat and mergeKey would, keeping encoded members encoded where it
// can: new keys are spliced in as JSON, and an object merged into an
// encoded object adds its new keys one by one.
func (e *Event) mergeAnswer(k string, v any) {
	if e.enc != nil {
		if e.canSplice(k) {
			e.splice(k, appendJSON(nil, v))
			return
		}
		if _, raw := e.Fields[k].(RawValue); raw {
			if m, ok := AsMap(v); ok {
				var f fragment
				for k2, v2 := range m {
					if _, ok := e.rawKey(k, k2); ok {
						f.addValue(k2, v2)
						continue
					}
					f.flush(e, k)
					if dm, ok := e.topMap(k); ok {
						mergeKey(dm, k2, v2)
					}
				}
				f.flush(e, k)
				return
			}
		}
		e.decodeTop(k)
	}
	if flat(k) {
		mergeFlat(e.Fields, k, v)
		return
	}
	mergeKey(e.Fields, k, v)
}

// fragment collects the keys a merge adds to an encoded object, so that
// they are spliced in with one copy of the member (Extend).
type fragment struct {
	arr  [dictMaxKeys]string
	keys []string
	b    []byte
}

func (f *fragment) add(key string, js []byte) {
	if f.keys == nil {
		f.keys = f.arr[:0]
	}
	if len(f.b) > 0 {
		f.b = append(f.b, ',')
	}
	f.b = append(appendJSONString(f.b, key), ':')
	f.b = append(f.b, js...)
	f.keys = append(f.keys, key)
}

// addValue adds key with v encoded as JSON.
func (f *fragment) addValue(key string, v any) {
	if f.keys == nil {
		f.keys = f.arr[:0]
	}
	if len(f.b) > 0 {
		f.b = append(f.b, ',')
	}
	f.b = appendJSON(append(appendJSONString(f.b, key), ':'), v)
	f.keys = append(f.keys, key)
}

// flush splices the collected keys into the encoded object top.
func (f *fragment) flush(e *Event, top string) {
	if len(f.keys) == 0 {
		return
	}
	if rv, ok := e.Fields[top].(RawValue); ok {
		if v, ok := rv.Extend(f.keys, f.b); ok {
			e.Fields[top] = v
		}
	}
	f.keys, f.b = f.keys[:0], f.b[:0]
}

// mergeRaw merges the answer's next value, an object, into the encoded
// top-level object top as mergeAnswer does: the keys it does not have yet
// are spliced in together, the others merged into its decoded map. ok is
// false (and nothing is read) when the next value is not an object.
func (r *reader) mergeRaw(e *Event, top string) bool {
	if len(r.b) == 0 {
		return false
	}
	switch r.b[0] {
	case tMap:
		r.b = r.b[1:]
		var f fragment
		for n := r.count(); n > 0 && r.err == nil; n-- {
			k2 := r.key()
			if _, ok := e.rawKey(top, k2); ok {
				if js := r.json(); r.err == nil {
					f.add(k2, js)
				}
				continue
			}
			f.flush(e, top)
			if dm, ok := e.topMap(top); ok {
				r.mergeValue(dm, k2)
			} else {
				r.skip()
			}
		}
		f.flush(e, top)
		return true
	case tRef, tDef:
		save := *r
		en := r.entry(r.byte())
		if en == nil || en.m == nil {
			*r = save // not an object: merged as a value
			return false
		}
		if rv, ok := e.Fields[top].(RawValue); ok {
			keys, frag := en.fragment()
			if v, ok := rv.Extend(keys, frag); ok { // the usual case: all keys new
				e.Fields[top] = v
				return true
			}
		}
		for _, p := range en.pairs {
			if rv, ok := e.rawKey(top, p.key); ok {
				e.addKey(top, rv, p.key, p.json())
			} else if dm, ok := e.topMap(top); ok {
				if p.sub != nil {
					mergeKey(dm, p.key, p.sub.copy())
				} else {
					mergeKey(dm, p.key, p.v)
				}
			}
		}
		return true
	}
	return false
}

// fragment returns the object's keys and its members encoded as JSON
// (`"k":v,…`), made once and shared.
func (en *entry) fragment() ([]string, []byte) {
	if p := en.frag.Load(); p != nil {
		return p.keys, p.b
	}
	var f fragment
	keys := make([]string, 0, len(en.pairs))
	for _, p := range en.pairs {
		f.add(p.key, p.json())
		keys = append(keys, p.key)
	}
	en.frag.Store(&entryFragment{keys: keys, b: f.b})
	return keys, f.b
}

type entryFragment struct {
	keys []string
	b    []byte
}

func (p *pair) json() []byte {
	if p.sub != nil {
		return p.sub.json()
	}
	return appendJSON(nil, p.v)
}

// json returns the next value of an answer as compact JSON; a dictionary
// object's encoding is made once and shared (it is never modified).
func (r *reader) json() []byte {
	if len(r.b) > 0 && (r.b[0] == tRef || r.b[0] == tDef) {
		if en := r.entry(r.byte()); en != nil {
			return en.json()
		}
		return nil
	}
	return appendJSON(nil, r.value())
}

func (en *entry) json() []byte {
	if p := en.js.Load(); p != nil {
		return *p
	}
	b := appendJSON(nil, en.v)
	en.js.Store(&b)
	return b
}
