//go:build !integration

package event

import (
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/flows"
)

// FuzzPacketEvent runs arbitrary Ethernet frames through the decoder, the
// event builder (with payload and field selection) and a flow table: nothing
// may panic and every event must marshal to JSON.
// Run: go test ./beat/event -run '^$' -fuzz FuzzPacketEvent -fuzztime 5m
func FuzzPacketEvent(f *testing.F) {
	for _, c := range []string{"http4.pcap", "vlan.pcap", "qinq.pcap", "frag.pcap", "rst.pcap", "arp.pcap"} {
		src, err := capture.OpenFile(capturesDir + "/" + c)
		if err != nil {
			f.Fatal(err)
		}
		for {
			data, _, err := src.ReadPacket()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Fatal(err)
			}
			f.Add(append([]byte(nil), data...))
		}
		src.Close()
	}
	dec, _ := decode.New(decode.LinkTypeEthernet)
	// 16 flows at most: the table's index and store reuse entries all the
	// time; every record is also written into a bundle (flow bundles).
	fo, bundle := &FlowOptions{}, NewBundle(8)
	table := flows.NewTable(flows.Config{MaxFlows: 16}, func(fl *flows.Flow) {
		if _, err := json.Marshal(Flow(fl).Fields); err != nil {
			panic(err)
		}
		if bundle.Full() {
			bundle.Release()
			bundle = NewBundle(8)
		}
		bundle.AddFlow(fl, fo)
		d := &bundle.Docs[bundle.Len()-1]
		if !json.Valid(d.Body) || string(d.CommunityID()) != fl.CommunityID {
			panic(fmt.Sprintf("bundled flow document %s (community ID %q)", d.Body, fl.CommunityID))
		}
	})
	opts := []*PacketOptions{{}, {PayloadMaxBytes: 8, Fields: []string{"source", "tcp.flags", "frame.payload"}}}
	var n uint64
	f.Fuzz(func(t *testing.T, data []byte) {
		n++
		p := dec.Decode(data, ci(data))
		for _, o := range opts {
			ev := Packet(p, n, o)
			if _, err := json.Marshal(ev.Fields); err != nil {
				t.Fatalf("event does not marshal: %v", err)
			}
		}
		table.Update(p)
	})
}

func ci(data []byte) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, 0), CaptureLength: len(data), Length: len(data)}
}

// FuzzMemberWalk gives the member walkers (Lookup, LookupString, Value,
// With, Extend, and the body walk of bundled stage documents) arbitrary
// bytes: nothing may panic, and the members read from a body are slices
// of it.
// Run: go test ./beat/event -run '^$' -fuzz FuzzMemberWalk -fuzztime 1m
func FuzzMemberWalk(f *testing.F) {
	for _, s := range []string{`{"ip":"81.2.3.4","port":53,"geo":{"x":1.5,"l":[1,"a"]}}`, `{"a":1}`, `{}`,
		`{"a":{"b":-2e3}}`, `{"s":"q\"x","n":null,"t":true}`, `[1,2]`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := NewMember("x", raw)
		for _, p := range []string{"", "ip", "geo.x", "a.b", "s"} {
			m.Lookup(p)
			m.LookupString(p)
		}
		_ = m.Value()
		m.With("k", []byte(`1`))
		m.Extend([]string{"k"}, []byte(`"k":1`))
		for _, ms := range bodyMembers(raw) {
			if len(ms.raw) > len(raw) {
				t.Fatalf("member %q longer than the body", ms.Key)
			}
		}
	})
}
