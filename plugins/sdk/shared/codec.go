package shared

import (
	"fmt"
	"sync"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
)

// CodecName is the gRPC content-subtype of netbeat's plugin messages. It is
// registered with grpc's encoding registry, so the server picks it from the
// request's content-type; go-plugin's own services keep using protobuf.
const CodecName = "netbeat-v1"

// ConfigureRequest carries the plugin's name and its configuration, as the
// structured data found under `config:` in netbeat.yml.
type ConfigureRequest struct {
	Name   string
	Config map[string]any
}

// ConfigureResponse says which fields the plugin reads ("source.ip"); the
// host then ships only those and merges the returned values back. Empty
// means the whole event.
type ConfigureResponse struct {
	Needs []string
	// Units (protocol 3) are the plugin's keyed units (keyed.go); the host
	// caches their answers.
	Units []Unit

	keyed bool // plugin side: protocol 3 negotiated, Units go on the wire
}

// Batch is a request (host to plugin) or a response (plugin to host).
type Batch struct {
	Events []*Event
	Err    string   // response only: the plugin failed on this batch
	dict   *EncDict // response only, protocol 2: the stream's dictionary
}

type message interface {
	marshal([]byte) []byte
	unmarshal(*reader)
	sizeHint() int
}

func (m *ConfigureRequest) sizeHint() int  { return 512 }
func (m *ConfigureResponse) sizeHint() int { return 128 }
func (m *Batch) sizeHint() int             { return 64 + 96*len(m.Events) }

func (m *ConfigureRequest) marshal(b []byte) []byte {
	return putMap(putString(b, m.Name), m.Config)
}

func (m *ConfigureRequest) unmarshal(r *reader) {
	m.Name = r.string()
	m.Config = r.mapv()
}

func (m *ConfigureResponse) marshal(b []byte) []byte {
	b = putValue(b, m.Needs)
	if m.keyed && len(m.Units) > 0 {
		b = putValue(b, unitsValue(m.Units))
	}
	return b
}

// unmarshal reads Needs and, from a protocol 3 plugin, its units; invalid
// units fail the message with an error naming what is wrong.
func (m *ConfigureResponse) unmarshal(r *reader) {
	m.Needs, _ = r.value().([]string)
	if r.err != nil || len(r.b) == 0 {
		return
	}
	v := r.value()
	if r.err != nil {
		return
	}
	units, err := unitsFrom(v)
	if err != nil {
		r.err, r.b = err, nil
		return
	}
	m.Units = units
}

func (m *Batch) marshal(b []byte) []byte {
	b = putString(b, m.Err)
	b = putUvarint(b, uint64(len(m.Events)))
	for _, e := range m.Events {
		b = putEvent(b, e, m.dict)
	}
	return b
}

func (m *Batch) unmarshal(r *reader) {
	m.Err = r.string()
	n := r.count()
	m.Events = make([]*Event, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		m.Events = append(m.Events, r.event())
	}
}

type codec struct{}

func (codec) Name() string { return CodecName }

func (codec) Marshal(v any) ([]byte, error) {
	if e, ok := v.(*Encoded); ok { // already encoded: no copy (gRPC does not modify it)
		return e.b, nil
	}
	m, ok := v.(message)
	if !ok {
		return nil, fmt.Errorf("%s codec: cannot marshal %T", CodecName, v)
	}
	return m.marshal(make([]byte, 0, m.sizeHint())), nil
}

func (codec) Unmarshal(data []byte, v any) error {
	m, ok := v.(message)
	if !ok {
		return fmt.Errorf("%s codec: cannot unmarshal into %T", CodecName, v)
	}
	r := &reader{b: data}
	m.unmarshal(r)
	if r.err == nil && len(r.b) != 0 {
		r.err = ErrWire
	}
	return r.err
}

// codecV2 is codec on gRPC's buffer interface: a request goes out without
// a copy, an answer (RawBatch) is copied once from gRPC's receive buffers
// into a pooled buffer it keeps until the host has merged it (Release),
// and other messages are decoded straight from the receive buffers (the
// decoder copies every string it keeps).
type codecV2 struct{}

func (codecV2) Name() string { return CodecName }

func (codecV2) Marshal(v any) (mem.BufferSlice, error) {
	b, err := codec{}.Marshal(v)
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (codecV2) Unmarshal(data mem.BufferSlice, v any) error {
	if m, ok := v.(*RawBatch); ok {
		b := getBuf(data.Len())
		data.CopyTo(b)
		return m.own(b)
	}
	if len(data) == 1 {
		return codec{}.Unmarshal(data[0].ReadOnlyData(), v)
	}
	return codec{}.Unmarshal(data.Materialize(), v)
}

var bufPool sync.Pool // *[]byte: answers and requests, returned by Release

func getBuf(n int) []byte {
	if p, ok := bufPool.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]byte, n)
}

func putBuf(b []byte) {
	if cap(b) > 0 && cap(b) <= 4<<20 {
		b = b[:0]
		bufPool.Put(&b)
	}
}

func init() { encoding.RegisterCodecV2(codecV2{}) }
