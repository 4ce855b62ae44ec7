//go:build !integration

package consume

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	lbjson "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/internal/jsontest"
)

// TestDecodeRoundTrip: a document written by libbeat's JSON codec (the
// bytes output.franz writes) decodes to an event that the same codec
// writes back as the same document: timestamp, @metadata (with _id) and
// fields, numbers keeping their type (no float rounding of large counters).
func TestDecodeRoundTrip(t *testing.T) {
	ev := beat.Event{
		Timestamp: time.Date(2026, 12, 1, 1, 2, 3, 456000000, time.UTC),
		Meta:      mapstr.M{"_id": "0123456789abcdef.p7", "pipeline": "p"},
		Fields: mapstr.M{"network": mapstr.M{"bytes": uint64(1<<63 + 5), "community_id": "1:abc"},
			"neg": int64(-3), "f": 1.5, "list": []interface{}{"a", int64(1), mapstr.M{"x": true}}, "nil": nil,
			"s": "é\"\\\n", "empty": mapstr.M{}},
	}
	enc := lbjson.New("9.3.0", lbjson.Config{})
	doc, err := enc.Encode("netbeat", &ev)
	if err != nil {
		t.Fatal(err)
	}
	doc = append([]byte(nil), doc...)
	for i, in := range [][]byte{doc, pretty(t, doc), doc, pretty(t, doc)} {
		got, _, err := Decode(in, 1<<20, nil, i >= 2)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if !got.Timestamp.Equal(ev.Timestamp) {
			t.Fatalf("timestamp %v, want %v", got.Timestamp, ev.Timestamp)
		}
		if got.Meta["_id"] != "0123456789abcdef.p7" || got.Meta["beat"] != nil {
			t.Fatalf("meta %v: want _id and pipeline, without beat/type/version", got.Meta)
		}
		back, err := enc.Encode("netbeat", &got)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := jsontest.Canonical(t, back), jsontest.Canonical(t, doc); g != w {
			t.Fatalf("round trip differs\n got: %s\nwant: %s", g, w)
		}
	}
}

func pretty(t *testing.T, doc []byte) []byte {
	t.Helper()
	return []byte(strings.ReplaceAll(strings.ReplaceAll(string(doc), `,"`, ",\n  \""), `{"`, "{ \""))
}

// TestDecodeBad: each kind of bad record is named.
func TestDecodeBad(t *testing.T) {
	for _, c := range []struct {
		in   string
		want error
	}{
		{`not json`, ErrNotJSON},
		{`{"@timestamp":"2026-12-01T00:00:00Z"`, ErrNotJSON},
		{`[1,2]`, ErrShape},
		{`"s"`, ErrShape},
		{`{"a":1}`, ErrShape},
		{`{"@timestamp":5}`, ErrShape},
		{`{"@timestamp":"yesterday"}`, ErrShape},
		{`{"@timestamp":"2026-12-01T00:00:00Z","@metadata":[1]}`, ErrShape},
		{`{"@timestamp":"2026-12-01T00:00:00Z","x":"` + strings.Repeat("a", 2000) + `"}`, ErrOversized},
	} {
		_, _, err := Decode([]byte(c.in), 1024, nil, false)
		if _, _, err2 := Decode([]byte(c.in), 1024, nil, true); !errors.Is(err2, c.want) {
			t.Errorf("%.40s, encoded: error %v, want %v", c.in, err2, c.want)
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%.40s: error %v, want %v", c.in, err, c.want)
		}
		if err != nil && reason(err) != c.want.Error() {
			t.Errorf("%.40s: reason %s", c.in, reason(err))
		}
	}
	if _, _, err := Decode([]byte(`{"@timestamp":"2026-12-01T00:00:00.123456789Z"}`), 1024, nil, false); err != nil {
		t.Fatalf("a minimal document: %v", err)
	}
}

// FuzzDecode: any value either decodes to an event whose document decodes
// again to the same document, encoded fields giving the same document as
// decoded ones, or is refused with one of the three reasons.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"@timestamp":"2026-12-01T00:00:00Z","@metadata":{"beat":"netbeat","_id":"x.p1"},"a":{"b":[1,-2,3.5e3,"c",null,true]}}`,
		`{"@timestamp":"2026-12-01T00:00:00.5+01:00", "k" : "\u00e9\"" }`, `[]`, `{`, ``, `{"@timestamp":"x"}`} {
		f.Add([]byte(s))
	}
	enc := lbjson.New("9.3.0", lbjson.Config{})
	f.Fuzz(func(t *testing.T, in []byte) {
		ev, _, err := Decode(in, 1<<16, nil, false)
		enc2, _, err2 := Decode(in, 1<<16, nil, true)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("%q: decoded %v, encoded %v", in, err, err2)
		}
		if err != nil {
			if r := reason(err); r == "other" {
				t.Fatalf("%q: unnamed error %v", in, err)
			}
			return
		}
		doc, err := enc.Encode("netbeat", &ev)
		if err != nil {
			t.Fatalf("%q: decoded event does not encode: %v", in, err)
		}
		doc = append([]byte(nil), doc...) // the codec reuses its buffer
		docEnc, err := enc.Encode("netbeat", &enc2)
		if err != nil {
			t.Fatalf("%q: the encoded-fields event does not encode: %v", in, err)
		}
		if jsontest.Canonical(t, doc) != jsontest.Canonical(t, docEnc) {
			t.Fatalf("%q: encoded fields give another document\n%s\n%s", in, doc, docEnc)
		}
		ev2, _, err := Decode(doc, 1<<20, nil, false)
		if err != nil {
			t.Fatalf("%q: re-encoded %s does not decode: %v", in, doc, err)
		}
		doc2, err := enc.Encode("netbeat", &ev2)
		if err != nil {
			t.Fatal(err)
		}
		if jsontest.Canonical(t, doc) != jsontest.Canonical(t, doc2) {
			t.Fatalf("%q: second round differs\n%s\n%s", in, doc, doc2)
		}
	})
}
