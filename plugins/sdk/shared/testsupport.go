package shared

import "fmt"

// Test support for plugins/internal/encodedtest, which applies
// answers to beat/event's real encoded members. It cannot be shared's own
// test (export_test.go): a test of shared importing beat/event would make
// `go mod tidy` in every plugin author's module pull in libbeat.

// AnswerSeeds returns a first answer (defining dictionary entries) and
// answers to fuzz from, as FuzzAnswer's.
func AnswerSeeds() (first []byte, seeds [][]byte) {
	enc := NewEncDict()
	first = encodeAnswer(answer(14), enc)
	return first, [][]byte{encodeAnswer(answer(14), enc), encodeAnswer(answer(3), NewEncDict())}
}

// ApplyAfter scans first and then b on one stream, as the host does, and
// applies b to batch; scanned is false when b is refused before any event
// is changed.
func ApplyAfter(first, b []byte, batch []*Event, needs []string) (scanned bool, err error) {
	dec := &DecDict{}
	pre := &RawBatch{data: first, v2: true}
	if err := pre.scan(dec); err != nil {
		return false, err
	}
	raw := &RawBatch{}
	if err := (codec{}).Unmarshal(b, raw); err != nil || raw.Err != "" {
		return false, nil
	}
	raw.v2 = true
	if err := raw.scan(dec); err != nil {
		return false, nil
	}
	_, err = raw.Apply(batch, needs)
	return true, err
}

// answer is what a plugin returns for projected events: per event, geo and
// as objects that repeat across events, a time bucket, a tag, one deleted
// field and one event dropped.
func answer(n int) []*Event {
	out := make([]*Event, 0, n)
	for i := 0; i < n; i++ {
		if i == 3 {
			continue // dropped by the plugin
		}
		net := i % 7
		e := &Event{seq: uint32(i), Fields: M{
			"source": map[string]any{
				"geo": map[string]any{"city_name": fmt.Sprintf("City %d", net), "country_iso_code": "FR",
					"location": map[string]any{"lat": 48.85 + float64(net), "lon": 2.35}},
				"as": map[string]any{"number": int64(64500 + net), "organization": map[string]any{"name": "Example AS"}},
			},
			"time_bucket": map[string]any{"year": int64(2026), "month": int64(12), "hour": int64(10), "timezone": "UTC"},
			"tags":        []string{"enriched"},
		}}
		if i == 5 {
			e.deleted = []string{"destination.port"}
		}
		out = append(out, e)
	}
	return out
}

func encodeAnswer(evs []*Event, d *EncDict) []byte {
	return (&Batch{Events: evs, dict: d}).marshal(nil)
}
