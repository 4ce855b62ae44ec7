package shared

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func testUnits() []Unit {
	return []Unit{
		{Name: "geo", Key: []KeyPart{{Field: "source.ip", Kind: KeyNetwork}}},
		{Name: "rules", Key: []KeyPart{
			{Field: "source.ip", Kind: KeyPrefixes, Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			{Field: "source.port", Kind: KeyRanges, Ranges: [][2]int64{{53, 53}, {8000, 8080}}},
			{Field: "@timestamp", Kind: KeyTime, Step: time.Minute, Zone: "Europe/Paris"},
			{Field: "comment", Kind: KeyValue}},
			Reads: []string{"comment"}, TTL: 5 * time.Second},
	}
}

// Units survive the wire (protocol 3) and invalid ones are refused with
// an error naming the unit.
func TestUnitsWire(t *testing.T) {
	want := testUnits()
	resp := &ConfigureResponse{Needs: []string{"source.ip"}, Units: want, keyed: true}
	var got ConfigureResponse
	if err := (codec{}).Unmarshal(resp.marshal(nil), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Units, want) {
		t.Fatalf("units\n got %+v\nwant %+v", got.Units, want)
	}
	resp.keyed = false // protocol 2: no units on the wire
	got = ConfigureResponse{}
	if err := (codec{}).Unmarshal(resp.marshal(nil), &got); err != nil || got.Units != nil {
		t.Fatalf("protocol 2 response: %+v, %v", got, err)
	}
	for _, bad := range []Unit{
		{Name: "empty"},
		{Name: "two-nets", Key: []KeyPart{{Field: "a", Kind: KeyNetwork}, {Field: "b", Kind: KeyValue}}},
		{Name: "step", Key: []KeyPart{{Field: "@timestamp", Kind: KeyTime, Step: 7 * time.Hour}}},
		{Name: "zone", Key: []KeyPart{{Field: "@timestamp", Kind: KeyTime, Step: time.Hour, Zone: "Mars/Olympus"}}},
		{Name: "kind", Key: []KeyPart{{Field: "a", Kind: "hash"}}},
		{Name: "ranges", Key: []KeyPart{{Field: "a", Kind: KeyRanges}}},
	} {
		resp := &ConfigureResponse{Units: []Unit{bad}, keyed: true}
		err := (codec{}).Unmarshal(resp.marshal(nil), &ConfigureResponse{})
		if err == nil || !strings.Contains(err.Error(), bad.Name) {
			t.Errorf("unit %+v: err %v, want one naming it", bad, err)
		}
	}
}

// Keys: events with the same key fields (after truncation, prefix and
// range classes) get the same key, others a different one.
func TestKeys(t *testing.T) {
	k, err := NewKeyer(testUnits())
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 3, 1, 10, 0, 5, 0, time.UTC)
	key := func(u int, ts time.Time, kv ...any) string {
		e := &Event{Timestamp: ts, Fields: M{}}
		for i := 0; i < len(kv); i += 2 {
			e.Fields.Put(kv[i].(string), kv[i+1])
		}
		var f Fields
		k.Reset(&f, e)
		return string(k.AppendKey(nil, u, &f))
	}
	a := key(1, ts, "source.ip", "10.1.2.3", "source.port", int64(53))
	for _, same := range []string{
		key(1, ts.Add(50*time.Second), "source.ip", "10.9.9.9", "source.port", float64(53)),
	} {
		if same != a {
			t.Errorf("key differs for the same classes and minute")
		}
	}
	for i, other := range []string{
		key(1, ts, "source.ip", "11.1.2.3", "source.port", int64(53)),
		key(1, ts, "source.ip", "10.1.2.3", "source.port", int64(8080)),
		key(1, ts.Add(time.Minute), "source.ip", "10.1.2.3", "source.port", int64(53)),
		key(1, ts, "source.ip", "10.1.2.3", "source.port", int64(53), "comment", "x"),
		key(0, ts, "source.ip", "10.1.2.3", "source.port", int64(53)),
	} {
		if other == a {
			t.Errorf("case %d: same key for different classes", i)
		}
	}
}

// FuzzLookup: arbitrary bytes as a keyed lookup request (plugin side), a
// lookup response or a configure response (host side) never panic, and
// what decodes encodes to bytes that decode the same.
func FuzzLookup(f *testing.F) {
	req := &LookupRequest{Units: []int{0, 1}, Probes: []*Event{
		{Timestamp: time.Unix(5, 0), Fields: M{"source.ip": "81.1.2.3"}},
		{Fields: M{"source.port": int64(53), "comment": []string{"a", "b"}}}}}
	e := &Event{Fields: M{"source": map[string]any{"geo": map[string]any{"city_name": "Paris"}}, "tags": []string{"x"}}}
	e.SetNetwork(netip.MustParsePrefix("81.1.0.0/16"))
	resp := &LookupResponse{Answers: []*Event{e, {Fields: M{}}}}
	cfg := &ConfigureResponse{Needs: []string{"a"}, Units: testUnits(), keyed: true}
	f.Add(byte(0), req.marshal(nil))
	f.Add(byte(1), resp.marshal(nil))
	f.Add(byte(2), cfg.marshal(nil))
	f.Add(byte(1), (&LookupResponse{Err: "boom"}).marshal(nil))
	f.Fuzz(func(t *testing.T, which byte, b []byte) {
		var m, again message
		switch which % 3 {
		case 0:
			m, again = &LookupRequest{}, &LookupRequest{}
		case 1:
			m, again = &LookupResponse{}, &LookupResponse{}
		default:
			m, again = &ConfigureResponse{}, &ConfigureResponse{}
		}
		if err := (codec{}).Unmarshal(b, m); err != nil {
			return
		}
		if c, ok := m.(*ConfigureResponse); ok {
			c.keyed = true
		}
		out := m.marshal(nil)
		if err := (codec{}).Unmarshal(out, again); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
	})
}
