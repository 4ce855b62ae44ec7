package shared

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// hostEvents are events as the host holds them (nested objects).
func hostEvents(n int) []*Event {
	ts := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	out := make([]*Event, n)
	for i := range out {
		out[i] = &Event{Timestamp: ts.Add(time.Duration(i) * time.Second), Fields: M{
			"source":      map[string]any{"ip": fmt.Sprintf("81.0.0.%d", i%7), "port": uint64(40000 + i)},
			"destination": M{"ip": "10.0.0.1", "port": uint64(53)},
			"tags":        []string{"base"},
		}}
	}
	return out
}

func rawOf(t *testing.T, b []byte) *RawBatch {
	t.Helper()
	var raw RawBatch
	if err := (codec{}).Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return &raw
}

// A protocol 2 answer, dictionary and all, must merge into the events
// exactly as the same answer in protocol 1 does, batch after batch on one
// stream, and be smaller once objects repeat.
func TestDictAnswerMatchesProtocol1(t *testing.T) {
	needs := []string{"source.ip", "destination.ip", "destination.port"}
	enc, dec := NewEncDict(), &DecDict{}
	for round := 0; round < 3; round++ {
		v1, v2 := hostEvents(40), hostEvents(40)
		b1 := encodeAnswer(answer(40), nil)
		b2 := encodeAnswer(answer(40), enc)
		if round > 0 && len(b2) >= len(b1)/2 {
			t.Errorf("round %d: protocol 2 answer is %d bytes, protocol 1 %d: objects not shared", round, len(b2), len(b1))
		}
		want, err := rawOf(t, b1).Apply(v1, needs)
		if err != nil {
			t.Fatal(err)
		}
		raw := rawOf(t, b2)
		raw.v2 = true
		if err := raw.scan(dec); err != nil {
			t.Fatalf("round %d: scan: %v", round, err)
		}
		got, err := raw.Apply(v2, needs)
		if err != nil {
			t.Fatalf("round %d: apply: %v", round, err)
		}
		if len(got) != 39 || !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: protocol 2 result differs:\n%v\nwant\n%v", round, got[0].Fields, want[0].Fields)
		}
		if _, ok := got[4].Fields.GetValue("destination.port"); ok {
			t.Errorf("deleted field kept: %v", got[4].Fields)
		}
		if tg := got[0].Fields["tags"]; !reflect.DeepEqual(tg, []string{"base", "enriched"}) {
			t.Errorf("tags = %v", tg)
		}
	}
	if len(dec.vals) == 0 || len(dec.vals) != len(enc.ids) {
		t.Fatalf("dictionaries: host %d entries, plugin %d", len(dec.vals), len(enc.ids))
	}
}

// Events filled from one dictionary entry must not share objects: changing
// one event's geo must not change another's (or the dictionary).
func TestDictCopiesAreIndependent(t *testing.T) {
	enc, dec := NewEncDict(), &DecDict{}
	needs := []string{"source.ip"}
	var got []*Event
	for round := 0; round < 2; round++ {
		raw := rawOf(t, encodeAnswer(answer(14), enc))
		raw.v2 = true
		if err := raw.scan(dec); err != nil {
			t.Fatal(err)
		}
		var err error
		if got, err = raw.Apply(hostEvents(14), needs); err != nil {
			t.Fatal(err)
		}
	}
	a, b := got[0].Fields, got[6].Fields // same network: same dictionary entries (events 0 and 7)
	a.Put("source.geo.city_name", "changed")
	a.Put("source.geo.location.lat", 0.0)
	a.Put("source.as.organization.name", "changed")
	a.Put("time_bucket.hour", int64(99))
	if b.String("source.geo.city_name") != "City 0" {
		t.Fatalf("city shared between events: %v", b)
	}
	if lat, _ := b.GetValue("source.geo.location.lat"); lat != 48.85 {
		t.Fatalf("location shared between events: %v", lat)
	}
	if b.String("source.as.organization.name") != "Example AS" {
		t.Fatalf("organization shared between events")
	}
	if h, _ := b.GetValue("time_bucket.hour"); h != int64(10) {
		t.Fatalf("time bucket shared between events: %v", h)
	}
}

// Malformed protocol 2 answers are refused whole: no event changes and the
// dictionary keeps only what earlier answers defined.
func TestDictMalformed(t *testing.T) {
	enc, dec := NewEncDict(), &DecDict{}
	good := rawOf(t, encodeAnswer(answer(7), enc))
	good.v2 = true
	if err := good.scan(dec); err != nil {
		t.Fatal(err)
	}
	n := len(dec.vals)
	second := encodeAnswer(answer(14), enc) // refers to the first answer's entries, defines new ones
	if !bytes.Contains(second, []byte{tRef}) {
		t.Fatal("second answer has no reference")
	}
	cases := map[string][]byte{
		"truncated":      second[:len(second)-2],
		"trailing bytes": append(append([]byte(nil), second...), 0),
		"unknown ref":    {0, 1, 0, 0, 0, 0, 1, 1, 'x', tRef, 0x7f},
		"self ref":       {0, 1, 0, 0, 0, 0, 1, 1, 'x', tDef, tList, 1, tRef, byte(n)},
		"unknown type":   {0, 1, 0, 0, 0, 0, 1, 1, 'x', 99},
		"huge count":     {0, 0xff, 0xff, 0x03},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			raw := rawOf(t, b)
			raw.v2 = true
			if err := raw.scan(dec); !errors.Is(err, ErrWire) {
				t.Fatalf("scan: %v, want ErrWire", err)
			}
			if len(dec.vals) != n {
				t.Fatalf("dictionary grew from %d to %d on a refused answer", n, len(dec.vals))
			}
			evs := hostEvents(14)
			before := fmt.Sprint(evs[0].Fields, evs[1].Fields)
			if _, err := raw.Apply(evs, []string{"source.ip"}); !errors.Is(err, ErrWire) {
				t.Fatalf("apply of an unscanned malformed answer: %v", err)
			}
			if after := fmt.Sprint(evs[0].Fields, evs[1].Fields); after != before {
				t.Fatalf("refused answer changed events:\n%s\n%s", before, after)
			}
		})
	}
	// The dictionary still works after the refusals.
	raw := rawOf(t, second)
	raw.v2 = true
	if err := raw.scan(dec); err != nil {
		t.Fatal(err)
	}
	if out, err := raw.Apply(hostEvents(14), []string{"source.ip"}); err != nil || len(out) != 13 {
		t.Fatalf("after refusals: %d events, %v", len(out), err)
	}
}

// The plugin stops defining entries at dictMax and the host refuses an
// answer that defines more.
func TestDictLimit(t *testing.T) {
	enc := NewEncDict()
	var evs []*Event
	for i := 0; i < dictMax+10; i++ {
		evs = append(evs, &Event{seq: uint32(i), Fields: M{"o": map[string]any{"name": fmt.Sprintf("object %06d", i)}}})
	}
	b := encodeAnswer(evs, enc)
	if len(enc.ids) != dictMax {
		t.Fatalf("plugin dictionary has %d entries, limit %d", len(enc.ids), dictMax)
	}
	dec := &DecDict{}
	raw := rawOf(t, b)
	raw.v2 = true
	if err := raw.scan(dec); err != nil || len(dec.vals) != dictMax {
		t.Fatalf("scan: %v, %d entries", err, len(dec.vals))
	}
	over := rawOf(t, []byte{0, 1, 0, 0, 0, 0, 1, 1, 'o', tDef, tString, 1, 'x'})
	over.v2 = true
	if err := over.scan(dec); !errors.Is(err, ErrWire) {
		t.Fatalf("definition past the limit: %v", err)
	}
}

func BenchmarkAnswer(b *testing.B) {
	needs := []string{"source.ip", "destination.ip", "destination.port"}
	b.Run("protocol1", func(b *testing.B) {
		data := encodeAnswer(answer(512), nil)
		for b.Loop() {
			b.StopTimer()
			evs := hostEvents(512)
			raw := &RawBatch{data: data}
			b.StartTimer()
			if _, err := raw.Apply(evs, needs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("protocol2", func(b *testing.B) {
		enc, dec := NewEncDict(), &DecDict{}
		first := &RawBatch{data: encodeAnswer(answer(512), enc), v2: true}
		if err := first.scan(dec); err != nil {
			b.Fatal(err)
		}
		data := encodeAnswer(answer(512), enc)
		for b.Loop() {
			b.StopTimer()
			evs := hostEvents(512)
			d := &DecDict{vals: dec.vals[:len(dec.vals):len(dec.vals)]}
			raw := &RawBatch{data: data, v2: true}
			b.StartTimer()
			if err := raw.scan(d); err != nil {
				b.Fatal(err)
			}
			if _, err := raw.Apply(evs, needs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Deeply nested values are refused, not decoded recursively without bound.
func TestDepthLimit(t *testing.T) {
	deep := []byte{0, 1, 0, 0, 0, 0, 1, 1, 'x'}
	for i := 0; i < 100000; i++ {
		deep = append(deep, tList, 1)
	}
	deep = append(deep, tNil)
	raw := rawOf(t, deep)
	raw.v2 = true
	if err := raw.scan(&DecDict{}); !errors.Is(err, ErrWire) {
		t.Fatalf("scan of a 100000-deep value: %v", err)
	}
	raw.v2 = false
	if _, err := raw.Decode(); !errors.Is(err, ErrWire) {
		t.Fatalf("protocol 1 decode of a 100000-deep value: %v", err)
	}
	ok := rawOf(t, []byte{0, 1, 0, 0, 0, 0, 1, 1, 'x', tList, 1, tList, 1, tNil})
	ok.v2 = true
	if err := ok.scan(&DecDict{}); err != nil {
		t.Fatalf("shallow nesting refused: %v", err)
	}
}

// FuzzAnswer feeds arbitrary bytes to the host as a protocol 2 answer on a
// stream that already has dictionary entries: scanning never panics, and
// an answer that scans applies without error.
func FuzzAnswer(f *testing.F) {
	enc := NewEncDict()
	first := encodeAnswer(answer(14), enc)
	f.Add(encodeAnswer(answer(14), enc))
	f.Add(encodeAnswer(answer(3), NewEncDict()))
	f.Add([]byte{0, 1, 0, 0, 0, 0, 1, 1, 'x', tRef, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := &DecDict{}
		pre := &RawBatch{data: first, v2: true}
		if err := pre.scan(dec); err != nil {
			t.Fatal(err)
		}
		raw := &RawBatch{}
		if err := (codec{}).Unmarshal(b, raw); err != nil {
			return
		}
		raw.v2 = true
		if raw.Err != "" {
			return
		}
		if err := raw.scan(dec); err != nil {
			return
		}
		for _, needs := range [][]string{{"source.ip"}, nil} {
			if _, err := raw.Apply(hostEvents(14), needs); err != nil {
				t.Fatalf("answer scanned but did not apply (needs %v): %v", needs, err)
			}
		}
	})
}
