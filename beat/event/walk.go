package event

import (
	"errors"
	"strconv"
	"strings"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/go-structform"
)

// The walkers below read the JSON that writePacket and FlowDoc wrote, and the
// members the plugin stage extends (NewMember, With): no whitespace,
// objects, arrays, strings, numbers, booleans, null. They are not general
// JSON parsers and are only given netbeat's own documents.

var errBadDoc = errors.New("netbeat event: malformed encoded document")

// foldValue replays the value at raw[i:] to v and returns the index after it.
func foldValue(raw []byte, i int, v structform.ExtVisitor) (int, error) {
	if i >= len(raw) {
		return i, errBadDoc
	}
	switch c := raw[i]; {
	case c == '{':
		if err := v.OnObjectStart(-1, structform.AnyType); err != nil {
			return i, err
		}
		i++
		for i < len(raw) && raw[i] != '}' {
			if raw[i] == ',' {
				i++
			}
			k, n, err := readString(raw, i)
			if err != nil {
				return n, err
			}
			if err := v.OnKey(k); err != nil {
				return n, err
			}
			if n >= len(raw) || raw[n] != ':' {
				return n, errBadDoc
			}
			if i, err = foldValue(raw, n+1, v); err != nil {
				return i, err
			}
		}
		if i >= len(raw) {
			return i, errBadDoc
		}
		return i + 1, v.OnObjectFinished()
	case c == '[':
		if err := v.OnArrayStart(-1, structform.AnyType); err != nil {
			return i, err
		}
		i++
		for i < len(raw) && raw[i] != ']' {
			if raw[i] == ',' {
				i++
			}
			var err error
			if i, err = foldValue(raw, i, v); err != nil {
				return i, err
			}
		}
		if i >= len(raw) {
			return i, errBadDoc
		}
		return i + 1, v.OnArrayFinished()
	case c == '"':
		s, n, err := readString(raw, i)
		if err != nil {
			return n, err
		}
		return n, v.OnString(s)
	case c == 't':
		return i + 4, v.OnBool(true)
	case c == 'f':
		return i + 5, v.OnBool(false)
	case c == 'n':
		return i + 4, v.OnNil()
	default:
		if f, n, ok := readFloat(raw, i); ok {
			return n, v.OnFloat64(f)
		}
		n, u, neg, err := readInt(raw, i)
		if err != nil {
			return n, err
		}
		if neg {
			return n, v.OnInt64(-int64(u)) //nolint:gosec // readInt bounds u to MaxInt64+1
		}
		return n, v.OnUint64(u)
	}
}

// readFloat reads the number at raw[i:] when it has a fraction or an
// exponent (ok false otherwise: an integer, read by readInt).
func readFloat(raw []byte, i int) (float64, int, bool) {
	j, frac := i, false
	for j < len(raw) {
		c := raw[j]
		if c == '.' || c == 'e' || c == 'E' {
			frac = true
		} else if (c < '0' || c > '9') && c != '-' && c != '+' {
			break
		}
		j++
	}
	if !frac {
		return 0, i, false
	}
	f, err := strconv.ParseFloat(string(raw[i:j]), 64)
	if err != nil {
		return 0, i, false
	}
	return f, j, true
}

// decodeValue decodes the value at raw[i:] into normalized libbeat values.
func decodeValue(raw []byte, i int) (interface{}, int) {
	if i >= len(raw) {
		return nil, i
	}
	switch c := raw[i]; {
	case c == '{':
		m := mapstr.M{}
		i++
		for i < len(raw) && raw[i] != '}' {
			if raw[i] == ',' {
				i++
			}
			k, n, err := readString(raw, i)
			if err != nil || n >= len(raw) {
				return m, len(raw)
			}
			m[k], i = decodeValue(raw, n+1)
		}
		return m, i + 1
	case c == '[':
		a := []interface{}{} // [] stays an empty list, not null
		i++
		for i < len(raw) && raw[i] != ']' {
			if raw[i] == ',' {
				i++
			}
			var x interface{}
			x, i = decodeValue(raw, i)
			a = append(a, x)
		}
		return a, i + 1
	case c == '"':
		s, n, _ := readString(raw, i)
		return s, n
	case c == 't':
		return true, i + 4
	case c == 'f':
		return false, i + 5
	case c == 'n':
		return nil, i + 4
	default:
		if f, n, ok := readFloat(raw, i); ok {
			return f, n
		}
		n, u, neg, err := readInt(raw, i)
		if err != nil {
			return nil, len(raw) // malformed: stop (a list or object around it would not advance)
		}
		if neg {
			return -int64(u), n //nolint:gosec // bounded by readInt
		}
		if u <= 1<<63-1 {
			return int64(u), n
		}
		return u, n
	}
}

// readString reads the JSON string at raw[i:] (raw[i] == '"').
func readString(raw []byte, i int) (string, int, error) {
	if i >= len(raw) || raw[i] != '"' {
		return "", i, errBadDoc
	}
	esc := false
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			esc = true
			j++
		case '"':
			if !esc {
				return string(raw[i+1 : j]), j + 1, nil
			}
			s, err := strconv.Unquote(string(raw[i : j+1]))
			if err != nil {
				return "", j + 1, errBadDoc
			}
			return s, j + 1, nil
		}
	}
	return "", len(raw), errBadDoc
}

// readInt reads an integer; u is its magnitude.
func readInt(raw []byte, i int) (next int, u uint64, neg bool, err error) {
	if i < len(raw) && raw[i] == '-' {
		neg = true
		i++
	}
	start := i
	for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
		d := uint64(raw[i] - '0')
		if u > (1<<64-1-d)/10 {
			return i, 0, false, errBadDoc
		}
		u = u*10 + d
		i++
	}
	if i == start || (neg && u > 1<<63) {
		return i, 0, false, errBadDoc
	}
	return i, u, neg, nil
}

// skipString returns the index after the string at raw[i:] (raw[i] == '"')
// without decoding it.
func skipString(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(raw)
}

// skipValue returns the index after the value at raw[i:].
func skipValue(raw []byte, i int) int {
	depth := 0
	for i < len(raw) {
		switch raw[i] {
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 { // the end of the container a scalar was the last value of
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case '"':
			i = skipString(raw, i)
			if depth == 0 {
				return i
			}
			continue
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

// Lookup returns the value at the dotted path inside the member ("" is the
// member itself), decoded as Value decodes it.
func (m *Member) Lookup(path string) (interface{}, bool) {
	i, ok := m.find(path)
	if !ok {
		return nil, false
	}
	v, _ := decodeValue(m.raw, i)
	return v, true
}

// LookupString returns the bytes of the string at the dotted path when it
// needs no unescaping: a slice of the encoded document, not a copy.
func (m *Member) LookupString(path string) ([]byte, bool) {
	i, ok := m.find(path)
	if !ok || i >= len(m.raw) || m.raw[i] != '"' {
		return nil, false
	}
	for j := i + 1; j < len(m.raw); j++ {
		switch m.raw[j] {
		case '\\':
			return nil, false
		case '"':
			return m.raw[i+1 : j : j], true
		}
	}
	return nil, false
}

// String returns the string at the dotted path: a slice of the encoded
// document when it needs no unescaping, else its decoded copy. ok is false
// when the path is missing or not a string.
func (m *Member) String(path string) ([]byte, bool) {
	if b, ok := m.LookupString(path); ok {
		return b, true
	}
	if v, ok := m.Lookup(path); ok {
		if s, isStr := v.(string); isStr {
			return []byte(s), true
		}
	}
	return nil, false
}

// find returns the index of the value at path.
func (m *Member) find(path string) (int, bool) {
	raw, i := m.raw, 0
	for path != "" {
		seg := path
		if j := strings.IndexByte(path, '.'); j >= 0 {
			seg, path = path[:j], path[j+1:]
		} else {
			path = ""
		}
		if i >= len(raw) || raw[i] != '{' {
			return 0, false
		}
		i++
		found := false
		for i < len(raw) && raw[i] != '}' {
			if raw[i] == ',' {
				i++
			}
			k, n, err := readKey(raw, i)
			if err != nil || n >= len(raw) {
				return 0, false
			}
			if string(k) == seg {
				i, found = n+1, true
				break
			}
			i = skipValue(raw, n+1)
		}
		if !found {
			return 0, false
		}
	}
	return i, true
}

// readKey returns the raw bytes of an object key (netbeat's keys are never
// escaped) and the index after it.
func readKey(raw []byte, i int) ([]byte, int, error) {
	if i >= len(raw) || raw[i] != '"' {
		return nil, i, errBadDoc
	}
	for j := i + 1; j < len(raw); j++ {
		if raw[j] == '"' {
			return raw[i+1 : j], j + 1, nil
		}
	}
	return nil, len(raw), errBadDoc
}
