//go:build !integration

package beat

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
)

// idSource, when set, is the id source part runCapture gives its worker
// (TestEventIDs); the golden tests leave it empty, so their events carry
// no id.
var idSource string

// framesChecked counts the packet ids TestEventIDs compared with frame.number.
var framesChecked int

// TestEventIDs runs every golden case in every event form (encoded
// documents, maps, bundles, parallel builders; flow records as maps,
// documents and bundles) with netbeat.event_id on: every event has an
// @metadata._id, ids are unique, a packet's id ends in its frame number,
// and every form gives every event the same id.
func TestEventIDs(t *testing.T) {
	idSource = "0123456789abcdef"
	defer func() { idSource = "" }()
	re := regexp.MustCompile(`^0123456789abcdef\.([pf])([1-9][0-9]*)$`)
	for _, dir := range goldenDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			gc := loadGoldenCase(t, dir)
			if !gc.EventID.Enabled {
				t.Fatal("netbeat.event_id.enabled should default to true")
			}
			var first []string
			for _, form := range []string{"encoded", "maps", "bundles", "parallel"} {
				pkts, fl := runCapture(t, filepath.Join("..", "testdata", "captures", gc.Capture), gc.Config, form)
				ids := eventIDs(t, form, re, pkts, "p")
				ids = append(ids, eventIDs(t, form, re, fl, "f")...)
				if len(ids) == 0 {
					t.Fatalf("%s: no events", form)
				}
				if first == nil {
					first = ids
					continue
				}
				if len(ids) != len(first) {
					t.Fatalf("%s: %d ids, encoded form %d", form, len(ids), len(first))
				}
				for i := range ids {
					if ids[i] != first[i] {
						t.Fatalf("%s: event %d has id %s, encoded form %s", form, i+1, ids[i], first[i])
					}
				}
			}
		})
	}
	if framesChecked < 100 {
		t.Fatalf("only %d packet ids compared with their frame.number", framesChecked)
	}
}

// eventIDs checks the ids of one kind of events and returns them in order.
func eventIDs(t *testing.T, form string, re *regexp.Regexp, evs []libbeat.Event, kind string) []string {
	t.Helper()
	seen := map[string]bool{}
	var ids []string
	for i := range evs {
		id, ok := event.EventID(&evs[i])
		if !ok {
			t.Fatalf("%s: event %d (%s) has no @metadata._id: %v", form, i+1, kind, evs[i].Meta)
		}
		m := re.FindStringSubmatch(id)
		if m == nil || m[1] != kind {
			t.Fatalf("%s: event %d: id %q is not <source>.%s<seq>", form, i+1, id, kind)
		}
		if seen[id] {
			t.Fatalf("%s: id %s twice", form, id)
		}
		seen[id] = true
		if frame, ok := frameNumber(evs[i].Fields); kind == "p" && ok { // absent when netbeat.packets.fields leaves it out
			framesChecked++
			if n, _ := strconv.ParseUint(m[2], 10, 64); frame != n {
				t.Fatalf("%s: packet id %s, frame.number %v", form, id, frame)
			}
		}
		ids = append(ids, id)
	}
	return ids
}

// frameNumber is the event's frame.number, if it has one.
func frameNumber(f mapstr.M) (uint64, bool) {
	frame := f["frame"]
	if m, ok := frame.(*event.Member); ok {
		frame = m.Value()
	}
	fm, ok := frame.(mapstr.M)
	if !ok {
		return 0, false
	}
	switch n := fm["number"].(type) {
	case uint64:
		return n, true
	case int64:
		return uint64(n), true //nolint:gosec // frame numbers are positive
	}
	return 0, false
}
