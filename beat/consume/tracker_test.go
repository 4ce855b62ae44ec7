//go:build !integration

package consume

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTrackerOrder: a partition's commit offset advances only over an
// unbroken run of done records, whatever order they finish in, and a
// record of a revoked assignment that finishes late changes nothing.
func TestTrackerOrder(t *testing.T) {
	tr := newTracker()
	tr.assign(map[string][]int32{"a": {0}})
	var ps []*pending
	for off := int64(10); off < 15; off++ {
		ps = append(ps, tr.add(&kgo.Record{Topic: "a", Partition: 0, Offset: off, LeaderEpoch: 3}))
	}
	commit := func() int64 {
		c := tr.commits()["a"]
		if c == nil {
			return -1
		}
		return c[0].Offset
	}
	tr.done(ps[1])
	tr.done(ps[2])
	if c := commit(); c != -1 {
		t.Fatalf("commit %d before record 10 is done", c)
	}
	tr.done(ps[0])
	if c := commit(); c != 13 {
		t.Fatalf("commit %d, want 13", c)
	}
	tr.committed(tr.commits())
	if len(tr.commits()) != 0 {
		t.Fatal("still dirty after a commit")
	}
	left := tr.revoke(map[string][]int32{"a": {0}})
	if len(left) != 0 {
		t.Fatalf("revoke returned %v for a clean partition", left)
	}
	tr.assign(map[string][]int32{"a": {0}})
	tr.done(ps[3])
	tr.done(ps[4])
	if c := commit(); c != -1 || tr.inFlight() != 0 {
		t.Fatalf("a late record of the revoked assignment moved the commit to %d (in flight %d)", c, tr.inFlight())
	}
}
