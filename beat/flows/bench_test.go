//go:build !integration

package flows

import (
	"testing"
	"time"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/decode"
)

// BenchmarkTableUpdate accounts packets of 10,000 concurrent TCP flows.
func BenchmarkTableUpdate(b *testing.B) {
	const nflows = 10000
	frames := make([][]byte, nflows)
	for i := range frames {
		frames[i] = mustDecodeHex(b, tcp(uint16(10000+i), 443, ack))
	}
	d, _ := decode.New(decode.LinkTypeEthernet)
	tb := NewTable(Config{MaxFlows: 2 * nflows, Period: -1, IdleTimeout: time.Hour}, func(*Flow) {})
	base := time.Unix(1700000000, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := frames[i%nflows]
		p := d.Decode(f, gopacket.CaptureInfo{Timestamp: base.Add(time.Duration(i)), CaptureLength: len(f), Length: len(f)})
		tb.Update(p)
	}
}
