//go:build !integration

package decode

import (
	"testing"
)

var fuzzLinks = []uint32{LinkTypeEthernet, LinkTypeLinuxSLL, LinkTypeLinuxSLL2, LinkTypeNull, LinkTypeRaw}

// FuzzDecode feeds arbitrary frames to every link type: decoding must never
// panic, and what it reports must be consistent.
// Run: go test ./beat/decode -run '^$' -fuzz FuzzDecode -fuzztime 5m
func FuzzDecode(f *testing.F) {
	for i, fr := range frames {
		f.Add(uint8(i), mustHex(f, fr.hex))
	}
	decs := make([]*Decoder, len(fuzzLinks))
	for i, lt := range fuzzLinks {
		decs[i], _ = New(lt)
	}
	f.Fuzz(func(t *testing.T, link uint8, data []byte) {
		d := decs[int(link)%len(decs)]
		panics := d.Stats.Panics
		p := d.Decode(data, ci(data, len(data)+int(link)%3))
		if d.Stats.Panics != panics {
			t.Fatalf("a gopacket layer panicked (recovered by safeWalk): %v", p.Err)
		}
		if len(p.Protocols()) > maxStack {
			t.Fatalf("stack too deep: %v", p.Protocols())
		}
		if p.Has(HasTCP) || p.Has(HasUDP) || p.Has(HasICMPv4) {
			if !p.Has(HasIPv4) && !p.Has(HasIPv6) {
				t.Fatalf("transport without IP: flags %x", p.Flags)
			}
		}
		if p.Err == nil && p.ErrLayer != "" || p.Err != nil && p.ErrLayer == "" {
			t.Fatalf("error %v reported for layer %q", p.Err, p.ErrLayer)
		}
		if p.NVLAN > MaxVLANs {
			t.Fatalf("%d vlans", p.NVLAN)
		}
		if len(p.Payload) > len(data) {
			t.Fatalf("payload %d > frame %d", len(p.Payload), len(data))
		}
	})
}
