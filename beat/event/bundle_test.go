//go:build !integration

package event

import (
	"testing"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/internal/jsontest"
)

// TestBundleReleaseReuse: bundles released and reused many times (their
// chunks and scratch buffers too) still hold exactly the documents of their
// own packets, while bundles not yet released keep theirs intact.
func TestBundleReleaseReuse(t *testing.T) {
	var pkts []*decode.Packet
	forEachFrame(t, capturesDir+"/mixed.pcapng", func(dec *decode.Decoder, data []byte, ci gopacket.CaptureInfo, _ uint64) {
		p := *dec.Decode(append([]byte(nil), data...), ci) // the decoder's packet is reused
		pkts = append(pkts, &p)
	})
	want := make([]string, len(pkts))
	ref := &PacketOptions{}
	for i, p := range pkts {
		want[i] = jsontest.Canonical(t, PacketDoc(p, uint64(i+1), ref).Body)
	}

	o := &PacketOptions{}
	type held struct {
		b     *Bundle
		first int // index of its first packet
	}
	var live []held
	check := func(h held) {
		t.Helper()
		for d := range h.b.Docs {
			if got := jsontest.Canonical(t, h.b.Docs[d].Body); got != want[h.first+d] {
				t.Fatalf("bundle document %d (packet %d) changed:\n got: %s\nwant: %s", d, h.first+d+1, got, want[h.first+d])
			}
			if got := jsontest.Canonical(t, []byte(marshal(t, h.b.Docs[d].Fields(0)))); got != want[h.first+d] {
				t.Fatalf("bundle document %d (packet %d): members differ:\n got: %s\nwant: %s", d, h.first+d+1, got, want[h.first+d])
			}
		}
	}
	reused := 0
	seen := map[*Bundle]bool{}
	for round := 0; round < 50; round++ {
		for first := 0; first < len(pkts); first += 7 {
			b := NewBundle(7)
			if seen[b] {
				reused++
			}
			seen[b] = true
			for i := first; i < min(first+7, len(pkts)); i++ {
				b.AddPacket(pkts[i], uint64(i+1), o)
			}
			scratch := b.Scratch(64)
			for d := range b.Docs {
				scratch = append(scratch, b.Docs[d].Body...)
			}
			b.KeepScratch(scratch)
			live = append(live, held{b, first})
			if len(live) > 3 { // acknowledged with a delay, oldest first
				check(live[0])
				live[0].b.Release()
				live = live[1:]
			}
		}
	}
	for _, h := range live {
		check(h)
	}
	if reused == 0 {
		t.Fatal("no bundle was ever reused")
	}
	t.Logf("%d bundles made, %d of them reused", 50*((len(pkts)+6)/7), reused)
}
