//go:build !integration

package event

import (
	"testing"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/flows"
)

// BenchmarkPacketEvent builds the ECS event of each packet of http4.pcap.
func BenchmarkPacketEvent(b *testing.B) {
	src := capturesDir + "/http4.pcap"
	evs := packetEvents(b, src) // warm-up and sanity
	if len(evs) != 24 {
		b.Fatalf("%d events", len(evs))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		packetEvents(b, src)
	}
	b.ReportMetric(float64(b.N*24)/b.Elapsed().Seconds(), "events/s")
}

// benchPackets decodes a capture once and returns its frames.
func benchFrames(b *testing.B, path string) ([][]byte, []gopacket.CaptureInfo) {
	src, err := capture.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var frames [][]byte
	var cis []gopacket.CaptureInfo
	for {
		data, ci, err := src.ReadPacket()
		if err != nil {
			break
		}
		frames = append(frames, append([]byte(nil), data...))
		cis = append(cis, ci)
	}
	return frames, cis
}

// benchPackets decodes the benchmark mix (real HTTP, TLS, DNS, ICMP) frame
// after frame, b.N times, and hands each packet to fn.
func benchPackets(b *testing.B, fn func(p *decode.Packet, i int)) {
	frames, cis := benchFrames(b, "../../testdata/bench/benchmix.pcap")
	dec, _ := decode.New(decode.LinkTypeEthernet)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(frames)
		fn(dec.Decode(frames[j], cis[j]), i)
	}
}

// BenchmarkPacketDoc builds encoded packet events (Packet): the fast path.
func BenchmarkPacketDoc(b *testing.B) {
	o := &PacketOptions{}
	benchPackets(b, func(p *decode.Packet, i int) {
		if ev := Packet(p, uint64(i), o); len(ev.Fields) == 0 {
			b.Fatal("empty event")
		}
	})
}

// BenchmarkDocMap decodes an encoded document into maps (Doc.Map, what a
// view of all members costs).
func BenchmarkDocMap(b *testing.B) {
	o := &PacketOptions{}
	benchPackets(b, func(p *decode.Packet, i int) {
		if m := PacketDoc(p, uint64(i), o).Map(); len(m) == 0 {
			b.Fatal("empty event")
		}
	})
}

// BenchmarkPacketMap builds the map form (processors configured).
func BenchmarkPacketMap(b *testing.B) {
	o := &PacketOptions{}
	benchPackets(b, func(p *decode.Packet, i int) {
		if ev := PacketMap(p, uint64(i), o); len(ev.Fields) == 0 {
			b.Fatal("empty event")
		}
	})
}

// BenchmarkBundle encodes packets into bundles of 64, the path of
// output.franz and output.discard.
// Full bundles are released at once, as acknowledgement does in netbeat
// (with a delay there): reused bundles cost no allocation.
func BenchmarkBundle(b *testing.B) {
	o := &PacketOptions{}
	var cur *Bundle
	benchPackets(b, func(p *decode.Packet, i int) {
		if cur == nil || cur.Full() {
			if cur != nil {
				cur.Release()
			}
			cur = NewBundle(64)
		}
		cur.AddPacket(p, uint64(i), o)
	})
}

// BenchmarkBundleFlows encodes flow records into bundles of 64, the path of
// bundled flow records (beat/flowbundle.go): the records of 10,000 flows of
// the benchmark mix's shapes, each as an interim and a final record.
func BenchmarkBundleFlows(b *testing.B) {
	var recs []flows.Flow
	table := flows.NewTable(flows.Config{MaxFlows: 100000}, func(f *flows.Flow) { recs = append(recs, *f) })
	frames, cis := benchFrames(b, "../../testdata/bench/benchmix.pcap")
	dec, _ := decode.New(decode.LinkTypeEthernet)
	for i := range frames {
		table.Update(dec.Decode(frames[i], cis[i]))
	}
	table.Flush(flows.EndCaptureEnd)
	if len(recs) < 10 {
		b.Fatalf("%d flow records", len(recs))
	}
	o := &FlowOptions{}
	var cur *Bundle
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if cur == nil || cur.Full() {
			if cur != nil {
				cur.Release()
			}
			cur = NewBundle(64)
		}
		cur.AddFlow(&recs[i%len(recs)], o)
	}
}
