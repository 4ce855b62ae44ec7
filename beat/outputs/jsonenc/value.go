package jsonenc

import (
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/elastic/beats/v7/libbeat/common"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
)

// sharedObject writes a top-level map, from the cache when it is one of the
// shared maps seen before.
func (e *Encoder) sharedObject(b []byte, m mapstr.M) ([]byte, bool) {
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

func (e *Encoder) object(b []byte, m map[string]interface{}) ([]byte, bool) {
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

func (e *Encoder) value(b []byte, v interface{}) ([]byte, bool) {
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
