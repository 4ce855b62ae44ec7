//go:build !integration

package beat

import (
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/logp"
)

// TestWaitInflightBytes: publishing waits while the documents in flight
// would pass max_inflight_bytes, goes on once they are acknowledged, and a
// bundle larger than the bound goes out alone.
func TestWaitInflightBytes(t *testing.T) {
	cfg := defaultConfig()
	cfg.Packets.MaxInflightBytes = 1000
	nb := &Netbeat{cfg: cfg, log: logp.NewLogger("test"), done: make(chan struct{})}

	nb.waitInflight(1, 5000) // larger than the bound, nothing in flight: goes
	nb.published.Add(1)
	released := make(chan struct{})
	go func() {
		nb.waitInflight(1, 600)
		close(released)
	}()
	select {
	case <-released:
		t.Fatal("a bundle went out with 5000 document bytes in flight and a 1000-byte bound")
	case <-time.After(100 * time.Millisecond):
	}
	nb.acked.Add(1)
	nb.ackedBytes.Add(5000)
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		t.Fatal("publishing still waits after every document was acknowledged")
	}
	if got := nb.publishedBytes.Load() - nb.ackedBytes.Load(); got != 600 {
		t.Fatalf("%d document bytes in flight, want 600", got)
	}
}
