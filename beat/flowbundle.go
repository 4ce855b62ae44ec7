package beat

import (
	"sync"
	"time"

	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/beat/flows"
)

// flowBundler publishes flow records in bundles, as bundle.go does packets,
// and encodes them away from the flow table. The table hands over records
// under its lock, on the capture goroutine (or the clock ticker, or at the
// end of the capture); add only copies the record's values into the current
// batch. Full batches go to one encoder goroutine, which writes their
// documents into a bundle and publishes it once there is room in flight.
// Records keep their order, and a full encoder applies backpressure to the
// table and so to the capture.
type flowBundler struct {
	nb   *Netbeat
	out  sink
	size int
	opts event.FlowOptions // the encoder goroutine's

	mu    sync.Mutex // cur and since: the table's callers and the timeout ticker
	cur   *flowBatch
	since time.Time

	in   chan *flowBatch
	free chan *flowBatch
	done chan struct{}
	once sync.Once
}

// flowBatch is the records of one bundle, copied.
type flowBatch struct{ recs []flows.Flow }

func newFlowBundler(nb *Netbeat, out sink, size int) *flowBundler {
	fb := &flowBundler{nb: nb, out: out, size: size,
		in: make(chan *flowBatch, 4), free: make(chan *flowBatch, 8), done: make(chan struct{})}
	go fb.encode()
	return fb
}

// add copies one record into the current batch; a full batch goes to the
// encoder.
func (fb *flowBundler) add(f *flows.Flow) {
	fb.mu.Lock()
	if fb.cur == nil {
		select {
		case fb.cur = <-fb.free:
		default:
			fb.cur = &flowBatch{recs: make([]flows.Flow, 0, fb.size)}
		}
		fb.since = time.Now()
	}
	fb.cur.recs = append(fb.cur.recs, *f)
	if len(fb.cur.recs) == fb.size {
		fb.dispatchLocked()
	}
	fb.mu.Unlock()
}

func (fb *flowBundler) dispatchLocked() {
	if fb.cur == nil || len(fb.cur.recs) == 0 {
		return
	}
	fb.in <- fb.cur
	fb.cur = nil
}

// flushOlder hands on the partial batch once it is timeout old (a quiet
// live source).
func (fb *flowBundler) flushOlder(timeout time.Duration) {
	fb.mu.Lock()
	if fb.cur != nil && time.Since(fb.since) >= timeout {
		fb.dispatchLocked()
	}
	fb.mu.Unlock()
}

// finish hands on the partial batch, stops the encoder and waits until it
// has published every bundle. add must not be called afterwards.
func (fb *flowBundler) finish() {
	fb.once.Do(func() {
		fb.mu.Lock()
		fb.dispatchLocked()
		close(fb.in)
		fb.mu.Unlock()
	})
	<-fb.done
}

func (fb *flowBundler) encode() {
	defer close(fb.done)
	for batch := range fb.in {
		b := event.NewBundle(fb.size)
		for i := range batch.recs {
			b.AddFlow(&batch.recs[i], &fb.opts)
		}
		clear(batch.recs) // drop the records' strings and links
		batch.recs = batch.recs[:0]
		select {
		case fb.free <- batch:
		default:
		}
		fb.nb.publishBundle(fb.out, b)
	}
}
