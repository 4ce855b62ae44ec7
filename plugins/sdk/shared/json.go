package shared

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends v as compact JSON (see appendJSON).
func AppendJSON(b []byte, v any) []byte { return appendJSON(b, v) }

// appendJSON appends v, a value of an event (as the wire decoder or a
// plugin makes them), as compact JSON: the form an answer takes when the
// host adds it to an encoded event (encoded.go).
func appendJSON(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, t)
	case bool:
		return strconv.AppendBool(b, t)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case int32:
		return strconv.AppendInt(b, int64(t), 10)
	case int16:
		return strconv.AppendInt(b, int64(t), 10)
	case int8:
		return strconv.AppendInt(b, int64(t), 10)
	case uint:
		return strconv.AppendUint(b, uint64(t), 10)
	case uint64:
		return strconv.AppendUint(b, t, 10)
	case uint32:
		return strconv.AppendUint(b, uint64(t), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(t), 10)
	case uint8:
		return strconv.AppendUint(b, uint64(t), 10)
	case float64:
		return appendJSONFloat(b, t)
	case float32:
		return appendJSONFloat(b, float64(t))
	case map[string]any:
		return appendJSONObject(b, t)
	case M:
		return appendJSONObject(b, t)
	case []string:
		b = append(b, '[')
		for i, s := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']')
	case []any:
		b = append(b, '[')
		for i, x := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, x)
		}
		return append(b, ']')
	case time.Time:
		return appendJSONTime(b, t)
	case []byte:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, t)
		return append(b, '"')
	case net.IP:
		return appendJSONString(b, t.String())
	case RawValue:
		return append(b, t.Raw()...)
	}
	if m, ok := AsMap(v); ok {
		return appendJSONObject(b, m)
	}
	if rv := reflect.ValueOf(v); rv.Type().ConvertibleTo(timeType) { // libbeat's common.Time
		return appendJSONTime(b, rv.Convert(timeType).Interface().(time.Time))
	}
	if s, ok := v.(fmt.Stringer); ok {
		return appendJSONString(b, s.String())
	}
	if j, err := json.Marshal(v); err == nil {
		return append(b, j...)
	}
	return appendJSONString(b, fmt.Sprint(v))
}

func appendJSONObject(b []byte, m map[string]any) []byte {
	b = append(b, '{')
	first := true
	for k, x := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(appendJSONString(b, k), ':')
		b = appendJSON(b, x)
	}
	return append(b, '}')
}

// appendJSONFloat formats f as encoding/json does; NaN and infinities,
// which JSON cannot carry, become null.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}

// appendJSONTime writes t as libbeat writes @timestamp (UTC, milliseconds).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
