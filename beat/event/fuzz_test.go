//go:build !integration

package event

import (
	"encoding/json"
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
	table := flows.NewTable(flows.Config{MaxFlows: 16}, func(fl *flows.Flow) {
		if _, err := json.Marshal(Flow(fl).Fields); err != nil {
			panic(err)
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
