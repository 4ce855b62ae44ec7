//go:build !integration

package event

import (
	"testing"
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
