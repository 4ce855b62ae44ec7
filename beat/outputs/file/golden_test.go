//go:build !integration

package file

import (
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/internal/eventtest"
)

// captures are the bundled captures that read to their end.
var captures = []string{"arp.pcap", "dns.pcap", "frag.pcap", "http4.pcap", "http6.pcapng", "icmp.pcap",
	"mixed.pcapng", "null.pcap", "qinq.pcap", "rst.pcap", "sll.pcap", "sll2.pcap", "vlan.pcap"}

// docEvents are the documents of bundle events as single events: what
// netbeat publishes to libbeat's file output today (no bundles).
func docEvents(bundles []beat.Event) []beat.Event {
	var evs []beat.Event
	for i := range bundles {
		b, _ := event.BundleOf(&bundles[i])
		for d := range b.Docs {
			evs = append(evs, *b.DocEvent(&bundles[i], d))
		}
	}
	return evs
}

// TestSameDocumentsAsLibbeat: on every bundled capture, netbeat's file
// output writes the documents libbeat's file output writes, line by line
// (key order aside), for single packet and flow events and for packet
// bundles (libbeat gets their documents as single events), and reports the
// same metrics.
func TestSameDocumentsAsLibbeat(t *testing.T) {
	total := 0
	for _, name := range captures {
		bundles, _ := eventtest.BundleEvents(t, name, 7)
		for kind, pair := range map[string][2][]beat.Event{
			"events":  {eventtest.CaptureEvents(t, name), eventtest.CaptureEvents(t, name)},
			"bundles": {docEvents(bundles), bundles},
		} {
			lbDir, nbDir := t.TempDir(), t.TempDir()
			lbc, nbc := newCounts(), newCounts()
			publish(t, openOutput(t, "file", lbDir, nil, lbc), pair[0], 0)
			publish(t, openOutput(t, TypeName, nbDir, nil, nbc), pair[1], 5)
			n := sameFiles(t, lbDir, nbDir)
			if n != len(pair[0]) || n == 0 {
				t.Fatalf("%s %s: %d lines for %d documents", name, kind, n, len(pair[0]))
			}
			lbc.Observer, nbc.Observer = nil, nil
			if *lbc != *nbc {
				t.Fatalf("%s %s: metrics: netbeat %+v, libbeat %+v", name, kind, *nbc, *lbc)
			}
			total += n
		}
	}
	if total < 300 {
		t.Fatalf("only %d documents compared", total)
	}
}
