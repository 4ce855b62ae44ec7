//go:build !integration

package flows

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/decode"
)

func testKey(i uint32) Key {
	var k Key
	k.A[12], k.A[13], k.A[14], k.A[15] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
	k.B[15], k.PA, k.PB, k.Proto = 1, uint16(i), 443, 6
	return k
}

// TestIndexAgreesWithMap runs a million random inserts, lookups and
// deletes over 50,000 keys through the index and a Go map side by side:
// every lookup finds the same flow, the count of live flows agrees, the
// slots grow and never fill past half (with tombstones), and the store
// reuses the numbers of deleted flows.
func TestIndexAgreesWithMap(t *testing.T) {
	x, s := newIndex(), store{}
	ref := map[Key]*Flow{}
	r := rand.New(rand.NewPCG(5, 6))
	maxSlots, peakFlows := 0, 0
	for op := 0; op < 1_000_000; op++ {
		// phases: grow to ~50k live flows, then shrink to a few
		n := uint32(50000)
		if op/250_000%2 == 1 {
			n = 64
		}
		k := testKey(r.Uint32N(n))
		h := x.hash(&k)
		f, at := x.find(&k, h, &s)
		if f != ref[k] {
			t.Fatalf("op %d: find(%v) = %p, map has %p", op, k, f, ref[k])
		}
		switch {
		case f == nil:
			f = s.alloc()
			f.key = k
			x.insert(at, h, f, &s)
			ref[k] = f
		case r.IntN(2) == 0:
			x.remove(f)
			s.release(f)
			delete(ref, k)
		}
		if x.used != len(ref) {
			t.Fatalf("op %d: index holds %d flows, map %d", op, x.used, len(ref))
		}
		if 2*(x.used+x.tombs) > len(x.slots) {
			t.Fatalf("op %d: %d flows and %d tombstones in %d slots", op, x.used, x.tombs, len(x.slots))
		}
		maxSlots, peakFlows = max(maxSlots, len(x.slots)), max(peakFlows, x.used)
	}
	for k, f := range ref {
		if g, _ := x.find(&k, x.hash(&k), &s); g != f || g.key != k {
			t.Fatalf("final: %v not found", k)
		}
	}
	if maxSlots < 2*peakFlows || peakFlows < 30000 {
		t.Errorf("the slots grew to %d only, for up to %d flows", maxSlots, peakFlows)
	}
	if int(s.n) > peakFlows+len(s.free) || int(s.n) != len(ref)+len(s.free) {
		t.Errorf("store handed out %d numbers for at most %d live flows (%d free, %d live)", s.n, peakFlows, len(s.free), len(ref))
	}
}

// BenchmarkIndex looks up random flows among a million, against a Go map
// holding the same flows.
func BenchmarkIndex(b *testing.B) {
	const n = 1 << 20
	keys := make([]Key, n)
	x, s := newIndex(), store{}
	m := make(map[Key]*Flow)
	for i := range keys {
		keys[i] = testKey(uint32(i))
		h := x.hash(&keys[i])
		_, at := x.find(&keys[i], h, &s)
		f := s.alloc()
		f.key = keys[i]
		x.insert(at, h, f, &s)
		m[keys[i]] = f
	}
	rand.New(rand.NewPCG(7, 8)).Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	b.Run("index", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			k := &keys[i%n]
			f, _ := x.find(k, x.hash(k), &s)
			f.Packets[0]++
		}
	})
	b.Run("map", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m[keys[i%n]].Packets[0]++
		}
	})
}

// TestReuseAfterLinger: flows reset (lingering in the close queue) and then
// evicted leave the store only when the close queue lets go of them. The
// flows created after them, some under the same keys, are not ended by the
// queue, and every flow ends exactly once with its own counts.
func TestReuseAfterLinger(t *testing.T) {
	const max = 100
	d, _ := decode.New(decode.LinkTypeEthernet)
	type end struct {
		reason  string
		packets uint64
	}
	ends := map[[2]int]end{} // (generation, flow) → its final record
	tb := NewTable(Config{MaxFlows: max, Period: -1, IdleTimeout: time.Hour, CloseTimeout: time.Second}, func(f *Flow) {
		ip := f.Tuple.Src.As4()
		id := int(ip[1])<<16 | int(ip[2])<<8 | int(ip[3])
		g := 1 // flows 101..400
		if id <= max {
			g = 2 // flows 1..100 again
			if f.Packets[0] == 2 {
				g = 0 // flows 1..100 the first time: SYN and RST
			}
		}
		k := [2]int{g, id}
		if _, dup := ends[k]; dup {
			t.Fatalf("flow %v ended twice", k)
		}
		ends[k] = end{f.EndReason, f.Packets[0]}
	})
	base := time.Unix(1700000000, 0)
	at := time.Duration(0)
	feed := func(b []byte) {
		at += time.Millisecond
		tb.Update(d.Decode(b, gopacket.CaptureInfo{Timestamp: base.Add(at), CaptureLength: len(b), Length: len(b)}))
	}
	for i := 0; i < max; i++ { // generation 0: SYN, RST: all linger
		feed(synFrom(t, i))
		feed(rstFrom(t, i))
	}
	for i := max; i < 4*max; i++ { // generation 1 evicts them while they linger
		feed(synFrom(t, i))
	}
	for i := 0; i < max; i++ { // generation 2: the keys of generation 0
		feed(synFrom(t, i))
	}
	tb.Advance(base.Add(at + 500*time.Millisecond)) // the close queue lets go of generation 0
	tb.Flush(EndCaptureEnd)
	if len(ends) != 5*max {
		t.Fatalf("%d final records, want %d", len(ends), 5*max)
	}
	for k, e := range ends {
		switch {
		case k[0] == 0 && e.reason != EndEvicted:
			t.Errorf("first-generation flow %d ended %+v, want evicted while it lingered", k[1], e)
		case k[0] > 0 && (e.packets != 1 || e.reason == EndRST):
			t.Errorf("generation %d flow %d ended %+v, want 1 packet, evicted or at capture end", k[0], k[1], e)
		}
	}
	if s := tb.Stats(); s.Active != 0 || s.Ended[EndCaptureEnd] != max {
		t.Fatalf("stats %+v, want %d flows ended at capture end", s, max)
	}
}
