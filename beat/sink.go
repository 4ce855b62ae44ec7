package beat

import (
	"sync"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
)

// asyncSink hands events to the next sink on its own goroutine, so building
// packet events (capture goroutine) and libbeat's per-event processing and
// queueing (this goroutine) run on two cores. Events keep their order.
// Publish blocks when the buffer is full: backpressure reaches the capture.
type asyncSink struct {
	next sink
	ch   chan libbeat.Event
	done chan struct{}
	once sync.Once
}

func newAsyncSink(next sink, buffer int) *asyncSink {
	s := &asyncSink{next: next, ch: make(chan libbeat.Event, buffer), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for e := range s.ch {
			next.Publish(e)
		}
	}()
	return s
}

// Publish queues e for the publishing goroutine.
func (s *asyncSink) Publish(e libbeat.Event) { s.ch <- e }

// finish waits until every queued event was handed to the next sink.
// Publish must not be called afterwards.
func (s *asyncSink) finish() {
	s.once.Do(func() { close(s.ch) })
	<-s.done
}

// Close finishes and closes the next sink.
func (s *asyncSink) Close() error {
	s.finish()
	return s.next.Close()
}
