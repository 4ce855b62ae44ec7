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
//
// add, flushOlder and finish run under the flow table's lock (add as its
// emit callback, the others through Table.Do), which guards cur and since.
type flowBundler struct {
	nb   *Netbeat
	out  sink
	size int
	opts event.FlowOptions // the encoder goroutine's

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
		fb.dispatch()
	}
}

func (fb *flowBundler) dispatch() {
	if fb.cur == nil || len(fb.cur.recs) == 0 {
		return
	}
	fb.in <- fb.cur
	fb.cur = nil
}

// flushOlder hands on the partial batch once it is timeout old (a quiet
// live source).
func (fb *flowBundler) flushOlder(timeout time.Duration) {
	if fb.cur != nil && time.Since(fb.since) >= timeout {
		fb.dispatch()
	}
}

// finish hands on the partial batch and stops the encoder; wait then waits
// until it has published every bundle. add must not be called afterwards.
func (fb *flowBundler) finish() {
	fb.once.Do(func() {
		fb.dispatch()
		close(fb.in)
	})
}

func (fb *flowBundler) wait() { <-fb.done }

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
