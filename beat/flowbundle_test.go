//go:build !integration

package beat

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/beat/flows"
)

// TestFlowBundlerPartial: a partial batch stays until it is bundle_timeout
// old (a quiet live source), then goes out as one bundle with its records
// in order; finish publishes what is left, and every record is counted as
// published once.
func TestFlowBundlerPartial(t *testing.T) {
	nb := &Netbeat{cfg: defaultConfig()}
	c := &collector{}
	fb := newFlowBundler(nb, c, 64)
	rec := func(i int) *flows.Flow {
		return &flows.Flow{Tuple: flows.Tuple{Src: netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), Dst: netip.AddrFrom4([4]byte{10, 0, 0, 200}), Proto: 17},
			Start: time.Unix(1700000000, 0), Last: time.Unix(1700000000+int64(i), 0), Packets: [2]uint64{uint64(i), 0}}
	}
	for i := 1; i <= 3; i++ {
		fb.add(rec(i))
	}
	fb.flushOlder(time.Hour)
	if fb.cur == nil || len(fb.cur.recs) != 3 {
		t.Fatalf("a batch younger than the timeout was handed on")
	}
	fb.flushOlder(0)
	if fb.cur != nil {
		t.Fatalf("the partial batch stayed after its timeout")
	}
	fb.add(rec(4))
	fb.finish()
	fb.wait()
	if len(c.events) != 2 {
		t.Fatalf("%d bundles published, want 2", len(c.events))
	}
	var got []int
	for i := range c.events {
		b, ok := event.BundleOf(&c.events[i])
		if !ok {
			t.Fatalf("event %d is not a bundle", i)
		}
		for j := range b.Docs {
			got = append(got, int(b.TS[j].Unix()-1700000000))
		}
	}
	if len(got) != 4 || got[0] != 1 || got[1] != 2 || got[2] != 3 || got[3] != 4 {
		t.Fatalf("records published %v, want [1 2 3 4]", got)
	}
	if n := nb.published.Load(); n != 4 {
		t.Fatalf("%d records counted as published, want 4", n)
	}
}
