package beat

import (
	"sync"
	"time"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common/acker"

	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
)

// bundleOutputs are the outputs that take bundle events (event.Bundle):
// output.franz sends every document of a bundle as its own Kafka record;
// output.netbeat_file (output.file with the default codec, beat/cmd)
// writes each as a line; output.discard drops them as it drops events.
var bundleOutputs = map[string]bool{"franz": true, "netbeat_file": true, "discard": true}

// FileOutputChoice says which file output serves output.file and why
// (beat/cmd sets it when it loads the configuration); logged at startup.
var FileOutputChoice string

// bundler collects the packet documents of one worker into bundles and
// publishes each bundle as one event, so libbeat's per-event work is paid
// once per bundle. The capture goroutine adds documents; a ticker publishes
// a partial bundle once it is bundle_timeout old, so a quiet live source
// does not hold packets back.
type bundler struct {
	mu    sync.Mutex
	cur   *event.Bundle
	since time.Time
	size  int
	out   sink
	nb    *Netbeat
}

func (b *bundler) add(p *decode.Packet, number uint64, o *event.PacketOptions) {
	b.mu.Lock()
	if b.cur == nil {
		b.cur = event.NewBundle(b.size)
		b.since = time.Now()
	}
	b.cur.AddPacket(p, number, o)
	if b.cur.Full() {
		b.flushLocked()
	}
	b.mu.Unlock()
}

func (b *bundler) flushLocked() {
	if b.cur == nil || b.cur.Len() == 0 {
		return
	}
	b.nb.publishBundle(b.out, b.cur)
	b.cur = nil
}

// flush publishes the partial bundle.
func (b *bundler) flush() {
	b.mu.Lock()
	b.flushLocked()
	b.mu.Unlock()
}

// flushOlder publishes the partial bundle once it is timeout old (the
// worker calls it every timeout/2).
func (b *bundler) flushOlder(timeout time.Duration) {
	b.mu.Lock()
	if b.cur != nil && time.Since(b.since) >= timeout {
		b.flushLocked()
	}
	b.mu.Unlock()
}

// publishBundle publishes a full or partial bundle to out once there is
// room for it in flight (waitInflight), counting its documents.
func (nb *Netbeat) publishBundle(out sink, b *event.Bundle) {
	n := uint64(b.Len()) //nolint:gosec // non-negative
	nb.waitInflight(n, b.Bytes())
	nb.published.Add(n)
	out.Publish(b.Event())
}

// waitInflight blocks while publishing n more packets of size document
// bytes would leave more than netbeat.packets.max_inflight packets or
// max_inflight_bytes of documents unacknowledged: memory stays bounded when
// the output is slow or down (a bundle larger than the byte bound goes out
// alone). It gives up once netbeat stops.
func (nb *Netbeat) waitInflight(n uint64, size int) {
	limit := uint64(nb.cfg.Packets.MaxInflight)           //nolint:gosec // validated > 0
	limitBytes := uint64(nb.cfg.Packets.MaxInflightBytes) //nolint:gosec // validated > 0
	bytes := uint64(size)                                 //nolint:gosec // non-negative
	for {
		// Bundles the plugin stage makes are acknowledged without passing
		// here: their bytes must not wrap the difference around.
		pub, ack := nb.publishedBytes.Load(), nb.ackedBytes.Load()
		inflight := uint64(0)
		if pub > ack {
			inflight = pub - ack
		}
		if nb.published.Load()+n <= nb.acked.Load()+limit && (inflight == 0 || inflight+bytes <= limitBytes) {
			break
		}
		select {
		case <-nb.done:
			return
		case <-time.After(time.Millisecond):
		}
	}
	nb.publishedBytes.Add(bytes)
}

// ackListener counts acknowledged packets and flows: a bundle counts as
// its documents.
func (nb *Netbeat) ackListener() libbeat.EventListener {
	return acker.EventPrivateReporter(func(_ int, data []interface{}) {
		n := 0
		for _, d := range data {
			if b, ok := d.(*event.Bundle); ok {
				n += b.Len()
				nb.ackedBytes.Add(uint64(b.Bytes())) //nolint:gosec // non-negative
				b.Release()                          // acknowledged: the output and the queue are done with it
			} else {
				n++
			}
		}
		nb.acked.Add(uint64(n)) //nolint:gosec // non-negative
	})
}
