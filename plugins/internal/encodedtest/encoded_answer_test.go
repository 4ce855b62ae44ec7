package encodedtest_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

var encoding = &shared.Encoding{
	New:  func(key string, raw []byte) any { return event.NewMember(key, raw) },
	Maps: map[string]bool{"tags": true, "labels": true},
}

// encodedEvents are FuzzAnswer's host events as netbeat's encoded events.
func encodedEvents(n int) []*shared.Event {
	out := make([]*shared.Event, n)
	for i := range out {
		e := &shared.Event{Fields: shared.M{
			"source":      event.NewMember("source", fmt.Appendf(nil, `{"ip":"81.0.0.%d","port":%d}`, i%7, 40000+i)),
			"destination": event.NewMember("destination", []byte(`{"ip":"10.0.0.1","port":53,"geo":{"x":1.5}}`)),
			"network":     event.NewMember("network", []byte(`"tcp"`)),
			"tags":        []string{"base"},
		}}
		e.SetEncoding(encoding)
		out[i] = e
	}
	return out
}

// checkEncodedAnswer applies answer b (after first, on one stream) to
// encoded events: nothing may panic, an answer that scans must apply, and
// every event must still encode as valid JSON (what the outputs write), its
// members decodable.
func checkEncodedAnswer(t *testing.T, first, b []byte) {
	t.Helper()
	for _, needs := range [][]string{{"source.ip", "destination.ip"}, nil} {
		batch := encodedEvents(14)
		scanned, err := shared.ApplyAfter(first, b, batch, needs)
		if scanned && err != nil {
			t.Fatalf("answer scanned but did not apply (needs %v): %v", needs, err)
		}
		for _, e := range batch {
			if _, err := json.Marshal(map[string]any(e.Fields)); err != nil {
				t.Fatalf("event does not encode after the answer %x: %v", b, err)
			}
			for _, v := range e.Fields {
				if m, ok := v.(*event.Member); ok {
					_ = m.Value()
				}
			}
		}
	}
}

// FuzzEncodedAnswer applies arbitrary answers to encoded events
// (checkEncodedAnswer).
// Run: go test ./plugins/internal/encodedtest -run '^$' -fuzz FuzzEncodedAnswer -fuzztime 2m
func FuzzEncodedAnswer(f *testing.F) {
	first, seeds := shared.AnswerSeeds()
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkEncodedAnswer(t, first, b) })
}

// TestEncodedAnswerMutations runs checkEncodedAnswer on seeded random
// mutations of valid answers (byte changes, insertions, duplicated and
// deleted runs), as a fuzzer would, in every test run.
func TestEncodedAnswerMutations(t *testing.T) {
	n := 3000
	if s := os.Getenv("NETBEAT_MUTATIONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	first, seeds := shared.AnswerSeeds()
	r := rand.New(rand.NewSource(2))
	for i := 0; i < n; i++ {
		b := append([]byte(nil), seeds[i%len(seeds)]...)
		for k := 0; k < 1+r.Intn(4); k++ {
			p := r.Intn(len(b))
			switch r.Intn(4) {
			case 0:
				b[p] = byte(r.Intn(256))
			case 1:
				b = slices.Insert(b, p, byte(r.Intn(256)))
			case 2:
				q := p + r.Intn(len(b)-p)
				b = slices.Insert(b, q, slices.Clone(b[p:q])...)
			case 3:
				b = slices.Delete(b, p, min(len(b), p+1+r.Intn(8)))
			}
			if len(b) == 0 {
				b = []byte{0}
			}
		}
		checkEncodedAnswer(t, first, b)
	}
}
