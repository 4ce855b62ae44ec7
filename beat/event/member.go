package event

import "strings"

// The plugin stage (processors/external, plugins/host) keeps encoded events
// encoded: it reads the fields plugins need with Lookup and adds their
// answers as JSON, with With and NewMember, instead of building maps.

// NewMember returns a top-level member whose encoded value is raw, which
// must be one compact JSON value (no whitespace) and is not copied.
func NewMember(key string, raw []byte) *Member {
	return &Member{Key: key, raw: raw[:len(raw):len(raw)]}
}

// With returns a copy of the member, which must be an object without key,
// with key (no dot) added, its encoded value raw (one compact JSON value). ok is
// false when the member is not an object or already has key: the caller
// then decodes it (Value) and changes the map.
func (m *Member) With(key string, raw []byte) (any, bool) {
	r := m.raw
	if len(r) < 2 || r[0] != '{' || r[len(r)-1] != '}' || len(raw) == 0 || strings.IndexByte(key, '.') >= 0 {
		return nil, false
	}
	if _, ok := m.find(key); ok {
		return nil, false
	}
	b := make([]byte, 0, len(r)+len(key)+len(raw)+4)
	b = append(b, r[:len(r)-1]...)
	if len(r) > 2 {
		b = append(b, ',')
	}
	b = appendString(b, key)
	b = append(b, ':')
	b = append(b, raw...)
	b = append(b, '}')
	return &Member{Key: m.Key, raw: b}, true
}

// Extend returns a copy of the member, an object that has none of keys
// (no dots), with fragment appended to it: the encoded members
// `"key":value,…` of exactly those keys, in compact JSON. ok is false when
// the member is not an object or already has one of the keys.
func (m *Member) Extend(keys []string, fragment []byte) (any, bool) {
	r := m.raw
	if len(r) < 2 || r[0] != '{' || r[len(r)-1] != '}' || len(fragment) == 0 {
		return nil, false
	}
	for _, k := range keys {
		if strings.IndexByte(k, '.') >= 0 {
			return nil, false
		}
		if _, ok := m.find(k); ok {
			return nil, false
		}
	}
	b := make([]byte, 0, len(r)+len(fragment)+1)
	b = append(b, r[:len(r)-1]...)
	if len(r) > 2 {
		b = append(b, ',')
	}
	b = append(b, fragment...)
	b = append(b, '}')
	return &Member{Key: m.Key, raw: b}, true
}
