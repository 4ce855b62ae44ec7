//go:build !integration

package flows

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/decode"
)

// synFrom returns an Ethernet/IPv4/TCP SYN from client number i (10.a.b.c,
// i+1 as 24 bits, port 1024+i%60000) to 127.0.0.1:443: every i gives its own
// 5-tuple.
func synFrom(t testing.TB, i int) []byte {
	b := mustDecodeHex(t, tcp(uint16(1024+i%60000), 443, syn))
	c := uint32(i + 1)
	copy(b[26:30], []byte{10, byte(c >> 16), byte(c >> 8), byte(c)})
	return b
}

// TestEvictionAtScale fills a 10,000-flow table with 25,000 concurrent flows:
// the table stays at its bound, evicts least-recently-seen first, counts
// every eviction, and every flow still leaves exactly one final record.
func TestEvictionAtScale(t *testing.T) {
	const max, n = 10000, 25000
	d, _ := decode.New(decode.LinkTypeEthernet)
	finals := map[uint32]string{}
	var order []uint32
	tb := NewTable(Config{MaxFlows: max, Period: -1, IdleTimeout: time.Hour}, func(f *Flow) {
		if !f.Final {
			return
		}
		ip := f.Tuple.Src.As4()
		id := uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
		if _, dup := finals[id]; dup {
			t.Fatalf("flow %d ended twice", id)
		}
		finals[id] = f.EndReason
		order = append(order, id)
	})
	base := time.Unix(1700000000, 0)
	for i := 0; i < n; i++ {
		b := synFrom(t, i)
		tb.Update(d.Decode(b, gopacket.CaptureInfo{Timestamp: base.Add(time.Duration(i) * time.Microsecond), CaptureLength: len(b), Length: len(b)}))
		if s := tb.Stats(); s.Active > max {
			t.Fatalf("after %d flows the table holds %d, bound %d", i+1, s.Active, max)
		}
	}
	s := tb.Stats()
	if s.Active != max || s.Evicted != n-max || s.Created != n || s.Ended[EndEvicted] != n-max {
		t.Fatalf("stats %+v: want %d active, %d created, %d evicted", s, max, n, n-max)
	}
	for k, id := range order { // evicted oldest first: flows 1..15000 in order
		if id != uint32(k+1) || finals[id] != EndEvicted {
			t.Fatalf("final record %d is flow %d (%s), want flow %d evicted", k, id, finals[id], k+1)
		}
	}
	tb.Flush(EndCaptureEnd)
	if len(finals) != n {
		t.Fatalf("%d flows left a final record, want %d", len(finals), n)
	}
	if got := tb.Stats(); got.Active != 0 || got.Ended[EndCaptureEnd] != max {
		t.Fatalf("after flush: %+v, want 0 active, %d capture_end", got, max)
	}
}

// BenchmarkTableMemory holds 100k and 1M concurrent flows in the table and
// reports the live heap per flow (after GC), the figure behind the memory
// test in BENCHMARKS.md. Each iteration builds the whole table.
func BenchmarkTableMemory(b *testing.B) {
	for _, n := range []int{100000, 1000000} {
		b.Run(strconv.Itoa(n/1000)+"k", func(b *testing.B) {
			d, _ := decode.New(decode.LinkTypeEthernet)
			base := time.Unix(1700000000, 0)
			var perFlow float64
			for it := 0; it < b.N; it++ {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				tb := NewTable(Config{MaxFlows: n, Period: -1, IdleTimeout: time.Hour}, func(*Flow) {})
				for i := 0; i < n; i++ {
					f := synFrom(b, i)
					tb.Update(d.Decode(f, gopacket.CaptureInfo{Timestamp: base.Add(time.Duration(i)), CaptureLength: len(f), Length: len(f)}))
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				if tb.Stats().Active != n {
					b.Fatalf("table holds %d flows, want %d", tb.Stats().Active, n)
				}
				perFlow = float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
				runtime.KeepAlive(tb)
			}
			b.ReportMetric(perFlow, "heapB/flow")
			b.ReportMetric(perFlow*float64(n)/(1<<20), "heapMB")
		})
	}
}

// rstFrom is synFrom's flow ended by the client with a RST.
func rstFrom(t testing.TB, i int) []byte {
	b := synFrom(t, i)
	b[47] = rst
	return b
}

// TestManyLingeringFlows runs 30,000 flows through the close_timeout linger
// queue with thousands lingering at once (the queue compacts itself as it
// goes): each ends exactly once, with rst, in the order its RST came.
func TestManyLingeringFlows(t *testing.T) {
	const n = 30000
	d, _ := decode.New(decode.LinkTypeEthernet)
	var order []uint32
	tb := NewTable(Config{MaxFlows: 2 * n, Period: -1, IdleTimeout: time.Hour, CloseTimeout: 5 * time.Millisecond}, func(f *Flow) {
		if f.EndReason != EndRST {
			t.Fatalf("flow %v ended %q, want rst", f.Tuple, f.EndReason)
		}
		ip := f.Tuple.Src.As4()
		order = append(order, uint32(ip[1])<<16|uint32(ip[2])<<8|uint32(ip[3]))
	})
	base := time.Unix(1700000000, 0)
	at := time.Duration(0)
	feed := func(b []byte) {
		at += time.Microsecond // 5,000 flows linger at any time
		tb.Update(d.Decode(b, gopacket.CaptureInfo{Timestamp: base.Add(at), CaptureLength: len(b), Length: len(b)}))
	}
	for i := 0; i < n; i++ {
		feed(synFrom(t, i))
	}
	for i := 0; i < n; i++ {
		feed(rstFrom(t, i))
		if len(order) > i+1 {
			t.Fatalf("%d flows ended after %d RSTs", len(order), i+1)
		}
	}
	tb.Advance(base.Add(at + time.Second))
	if len(order) != n {
		t.Fatalf("%d flows ended, want %d", len(order), n)
	}
	for k, id := range order {
		if id != uint32(k+1) {
			t.Fatalf("end %d is flow %d, want %d", k, id, k+1)
		}
	}
	if s := tb.Stats(); s.Active != 0 || s.Ended[EndRST] != n {
		t.Fatalf("stats %+v", s)
	}
}
