//go:build !integration

package jsonenc

import (
	"testing"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
)

// BenchmarkBundleDocIDs is the probe's cost of netbeat.event_id per packet
// document: building bundles of 64 documents of the benchmark mix and
// writing each as output.franz and output.file do (SharedPart, AppendDoc),
// with ids off and on. Decoding is included (the same in both).
func BenchmarkBundleDocIDs(b *testing.B) {
	src, err := capture.OpenFile("../../../testdata/bench/benchmix.pcap")
	if err != nil {
		b.Fatal(err)
	}
	var frames [][]byte
	var cis []gopacket.CaptureInfo
	for {
		data, ci, err := src.ReadPacket()
		if err != nil {
			break
		}
		frames, cis = append(frames, append([]byte(nil), data...)), append(cis, ci)
	}
	src.Close()
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			dec, _ := decode.New(decode.LinkTypeEthernet)
			o := &event.PacketOptions{}
			if on {
				o.IDPrefix = event.PacketIDPrefix(event.NewIDSource())
			}
			enc := New("9.3.0")
			var out []byte
			bytes := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += 64 {
				bu := event.NewBundle(64)
				for j := i; j < i+64; j++ {
					k := j % len(frames)
					bu.AddPacket(dec.Decode(frames[k], cis[k]), uint64(j+1), o) //nolint:gosec // positive
				}
				ev := bu.Event()
				shared, _ := enc.SharedPart("netbeat", &ev)
				out = out[:0]
				for d := range bu.Docs {
					out = enc.AppendDoc(out, bu.TS[d], shared, &bu.Docs[d])
				}
				bytes += len(out)
				bu.Release()
			}
			b.ReportMetric(float64(bytes)/float64(b.N), "B/doc")
		})
	}
}
