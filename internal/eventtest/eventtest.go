// Package eventtest makes the events netbeat publishes for a bundled
// capture (testdata/captures), with the fields libbeat adds, for the output
// and encoder tests (beat/outputs/...).
package eventtest

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/beat/flows"
	"github.com/netbeat/netbeat/internal/nbtest"
)

// Builtin adds what libbeat's processing adds to every netbeat event.
func Builtin(f mapstr.M) mapstr.M {
	f["agent"] = mapstr.M{"name": "vm", "type": "netbeat", "version": "9.3.0", "id": "x"}
	f["ecs"] = mapstr.M{"version": "8.0.0"}
	f["host"] = mapstr.M{"name": "vm"}
	f["capture"] = mapstr.M{"file": `C:\caps\"quoted".pcap`}
	return f
}

// open opens testdata/captures/name.
func open(t testing.TB, name string) (*capture.FileSource, *decode.Decoder) {
	t.Helper()
	src, err := capture.OpenFile(filepath.Join(nbtest.RepoRoot(t), "testdata", "captures", name))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := decode.New(src.LinkType())
	if err != nil {
		t.Fatal(err)
	}
	return src, dec
}

// CaptureEvents returns the packet events (encoded form) and flow events
// (maps) netbeat makes of a bundled capture.
func CaptureEvents(t testing.TB, name string) []beat.Event {
	src, dec := open(t, name)
	defer src.Close()
	var evs []beat.Event
	table := flows.NewTable(flows.Config{MaxFlows: 1000}, func(f *flows.Flow) { evs = append(evs, event.Flow(f)) })
	o := &event.PacketOptions{PayloadMaxBytes: 12}
	for n := uint64(1); ; n++ {
		data, ci, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := dec.Decode(data, ci)
		evs = append(evs, event.Packet(p, n, o))
		table.Update(p)
	}
	table.Flush(flows.EndCaptureEnd)
	for i := range evs {
		Builtin(evs[i].Fields)
	}
	return evs
}

// BundleEvents puts the packet documents of a capture into bundles of n, as
// netbeat's workers do, with the fields libbeat adds.
func BundleEvents(t testing.TB, name string, n int) (bundles []beat.Event, docs int) {
	src, dec := open(t, name)
	defer src.Close()
	o := &event.PacketOptions{}
	var cur *event.Bundle
	for num := uint64(1); ; num++ {
		data, ci, err := src.ReadPacket()
		if err != nil {
			break
		}
		if cur == nil {
			cur = event.NewBundle(n)
		}
		cur.AddPacket(dec.Decode(data, ci), num, o)
		docs++
		if cur.Full() {
			bundles = append(bundles, cur.Event())
			cur = nil
		}
	}
	if cur != nil {
		bundles = append(bundles, cur.Event())
	}
	for i := range bundles {
		Builtin(bundles[i].Fields)
	}
	return bundles, docs
}
