package shared

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func testBatch() []*Event {
	ts := time.Date(2026, 11, 30, 23, 59, 58, 123456789, time.UTC)
	return []*Event{
		{Timestamp: ts, Meta: M{"pipeline": "p1"}, Fields: M{
			"source":      map[string]any{"ip": "203.0.113.7", "port": uint64(53)},
			"destination": M{"ip": "10.1.2.3", "port": int64(40000)},
			"network":     M{"transport": "udp", "bytes": int64(77)},
			"tags":        []string{"a"},
		}},
		{Timestamp: ts.Add(time.Second), Fields: M{ // no destination, no tags
			"source":  M{"ip": "2001:db8::1"},
			"network": M{"transport": "icmp"},
		}},
		{Fields: M{}}, // zero timestamp, nothing the plugin reads
	}
}

// project is the definition EncodeRequest must match: the request events
// for a plugin that reads only the fields in needs (every field when needs
// is empty), flat ("source.ip" is a literal key), each carrying its
// position in the batch.
func project(batch []*Event, needs []string) []*Event {
	out := make([]*Event, len(batch))
	for i, e := range batch {
		p := &Event{Timestamp: e.Timestamp, Meta: e.Meta, seq: uint32(i)}
		if len(needs) == 0 {
			p.Fields = e.Fields
		} else {
			p.Fields = make(M, len(needs))
			for _, k := range needs {
				if v, ok := e.Fields.GetValue(k); ok {
					p.Fields[k] = v
				}
			}
		}
		out[i] = p
	}
	return out
}

func decodeRequest(t *testing.T, b []byte) []*Event {
	t.Helper()
	var req Batch
	if err := (codec{}).Unmarshal(b, &req); err != nil {
		t.Fatalf("request does not decode: %v", err)
	}
	for _, e := range req.Events {
		if len(e.orig) != len(e.Fields) {
			t.Fatalf("decoded fields %v but recorded %v", e.Fields, e.orig)
		}
		for _, f := range e.orig {
			if v, ok := e.Fields[f.k]; !ok || !reflect.DeepEqual(v, f.v) {
				t.Fatalf("recorded %s=%v, decoded %v", f.k, f.v, v)
			}
		}
		e.orig = nil // recorded in wire order, which depends on map iteration
	}
	return req.Events
}

// EncodeRequest must put on the wire what a Batch of projected events
// carries, for projected plugins and for whole-event plugins.
func TestEncodeRequestMatchesProject(t *testing.T) {
	for _, needs := range [][]string{
		{"source.ip", "destination.ip", "source.port", "tags", "not.there"},
		nil,
	} {
		batch := testBatch()
		want := decodeRequest(t, (&Batch{Events: project(batch, needs)}).marshal(nil))
		enc := EncodeRequest(batch, needs)
		got := decodeRequest(t, enc.b)
		if len(got) != len(batch) || !reflect.DeepEqual(got, want) {
			t.Fatalf("needs %v: EncodeRequest decodes to\n%#v\nproject+marshal to\n%#v", needs, got, want)
		}
		if needs != nil {
			if v := got[0].Fields["source.ip"]; v != "203.0.113.7" {
				t.Errorf("projected source.ip = %v", v)
			}
			if _, ok := got[1].Fields["destination.ip"]; ok {
				t.Errorf("absent field shipped: %v", got[1].Fields)
			}
			if len(got[2].Fields) != 0 || got[2].seq != 2 {
				t.Errorf("third event = %+v", got[2])
			}
		}
		// The codec sends the encoded bytes as they are.
		out, err := (codec{}).Marshal(enc)
		if err != nil || &out[0] != &enc.b[0] {
			t.Fatalf("Marshal(*Encoded) copied or failed: %v", err)
		}
	}
}

func TestRawBatchErrAndDecode(t *testing.T) {
	resp := &Batch{Events: []*Event{{seq: 1, Fields: M{"geo": map[string]any{"country_iso_code": "FR"}}, deleted: []string{"x"}}}}
	var raw RawBatch
	if err := (codec{}).Unmarshal(resp.marshal(nil), &raw); err != nil || raw.Err != "" {
		t.Fatalf("Unmarshal: %v, Err %q", err, raw.Err)
	}
	evs, err := raw.Decode()
	if err != nil || len(evs) != 1 || evs[0].seq != 1 || !reflect.DeepEqual(evs[0].deleted, []string{"x"}) ||
		!reflect.DeepEqual(evs[0].Fields["geo"], map[string]any{"country_iso_code": "FR"}) {
		t.Fatalf("Decode = %#v, %v", evs, err)
	}

	failed := &Batch{Err: "geoip: database closed"}
	if err := (codec{}).Unmarshal(failed.marshal(nil), &raw); err != nil || raw.Err != "geoip: database closed" {
		t.Fatalf("error answer: %v, Err %q", err, raw.Err)
	}

	// The receive buffer may be reused after Unmarshal: the answer is copied.
	buf := resp.marshal(nil)
	if err := (codec{}).Unmarshal(buf, &raw); err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 0xff
	}
	if evs, err := raw.Decode(); err != nil || len(evs) != 1 {
		t.Fatalf("Decode after the buffer was overwritten: %v", err)
	}

	// A truncated answer passes the Err check but fails to decode.
	full := resp.marshal(nil)
	if err := (codec{}).Unmarshal(full[:len(full)-3], &raw); err != nil {
		t.Fatalf("truncated answer refused early: %v", err)
	}
	if _, err := raw.Decode(); !errors.Is(err, ErrWire) {
		t.Fatalf("truncated answer decoded: err %v", err)
	}
	// So does one with trailing garbage.
	if err := (codec{}).Unmarshal(append(full, 7), &raw); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Decode(); !errors.Is(err, ErrWire) {
		t.Fatalf("answer with trailing bytes decoded: err %v", err)
	}
	// An empty message has no error string: refused at once.
	if err := (codec{}).Unmarshal(nil, &raw); !errors.Is(err, ErrWire) {
		t.Fatalf("empty answer: %v", err)
	}
}

func BenchmarkEncodeRequest(b *testing.B) {
	batch := make([]*Event, 0, 512)
	for len(batch) < 512 {
		batch = append(batch, testBatch()...)
	}
	needs := []string{"@timestamp", "source.ip", "destination.ip", "source.port", "destination.port", "tags"}
	b.Run("project+marshal", func(b *testing.B) {
		for b.Loop() {
			_ = (&Batch{Events: project(batch, needs)}).marshal(make([]byte, 0, 64+96*len(batch)))
		}
	})
	b.Run("EncodeRequest", func(b *testing.B) {
		for b.Loop() {
			_ = EncodeRequest(batch, needs)
		}
	})
}
