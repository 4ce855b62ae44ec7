package host

import (
	"sync"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Pipeline is the data-path stage: it collects published events into
// batches (batch_size events, or whatever arrived within linger), streams
// them through the chain with three goroutines per plugin (so plugins work
// on successive batches concurrently, and each plugin on one batch while
// netbeat encodes the next and merges the previous one), and hands each
// result, in order, to out.
// Publish blocks when the chain falls behind (back-pressure, no loss).
type Pipeline struct {
	h      *Host
	out    func([]*sdk.Event)
	mu     sync.Mutex
	cur    []*sdk.Event
	first  chan []*sdk.Event
	done   chan struct{}
	stop   chan struct{}
	once   sync.Once
	closed bool // guarded by mu
}

// NewPipeline starts a pipeline delivering processed batches to out. When
// a plugin drops events and dropped is not nil, the dropped events (as they
// entered that plugin) are handed to dropped.
func (h *Host) NewPipeline(out, dropped func([]*sdk.Event)) *Pipeline {
	p := &Pipeline{h: h, out: out, cur: make([]*sdk.Event, 0, h.cfg.BatchSize),
		first: make(chan []*sdk.Event, 2), done: make(chan struct{}), stop: make(chan struct{})}
	in := p.first
	for _, inst := range h.plugins {
		// Three goroutines per plugin (see request): encode, exchange,
		// decode and merge, so the plugin never waits for netbeat's side.
		prepared, called := make(chan *request, 1), make(chan *request, 1)
		next := make(chan []*sdk.Event, 2)
		go func(inst *instance, in <-chan []*sdk.Event) {
			defer close(prepared)
			for b := range in {
				prepared <- inst.prepare(b)
			}
		}(inst, in)
		go func(inst *instance) {
			defer close(called)
			for r := range prepared {
				called <- inst.exchange(r)
			}
		}(inst)
		go func(inst *instance) {
			defer close(next)
			for r := range called {
				b := inst.finish(r)
				if len(b) < len(r.batch) && dropped != nil {
					dropped(droppedEvents(r.batch, b))
				}
				if len(b) > 0 {
					next <- b
				}
			}
		}(inst)
		in = next
	}
	go func(in <-chan []*sdk.Event) {
		defer close(p.done)
		for b := range in {
			out(b)
		}
	}(in)
	go p.linger()
	return p
}

// Publish adds an event to the current batch.
func (p *Pipeline) Publish(e *sdk.Event) {
	p.mu.Lock()
	if p.closed { // late event: process it synchronously rather than lose it
		p.mu.Unlock()
		if b := p.h.Process([]*sdk.Event{e}); len(b) > 0 {
			p.out(b)
		}
		return
	}
	p.cur = append(p.cur, e)
	if len(p.cur) < p.h.cfg.BatchSize {
		p.mu.Unlock()
		return
	}
	b := p.cur
	p.cur = make([]*sdk.Event, 0, p.h.cfg.BatchSize)
	p.first <- b // under mu: keeps batches in order
	p.mu.Unlock()
}

func (p *Pipeline) flush() {
	p.mu.Lock()
	if !p.closed && len(p.cur) > 0 {
		b := p.cur
		p.cur = make([]*sdk.Event, 0, p.h.cfg.BatchSize)
		p.first <- b
	}
	p.mu.Unlock()
}

func (p *Pipeline) linger() {
	t := time.NewTicker(p.h.cfg.Linger)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.flush()
		}
	}
}

// Close flushes the last batch and waits until every event reached out.
func (p *Pipeline) Close() {
	p.once.Do(func() {
		close(p.stop)
		p.flush()
		p.mu.Lock()
		p.closed = true
		close(p.first)
		p.mu.Unlock()
		<-p.done
	})
}

func key(e *sdk.Event) any {
	if d := e.HostData(); d != nil {
		return d
	}
	return e
}

// droppedEvents returns the events of in missing from out.
func droppedEvents(in, out []*sdk.Event) []*sdk.Event {
	kept := make(map[any]bool, len(out))
	for _, e := range out {
		kept[key(e)] = true
	}
	var d []*sdk.Event
	for _, e := range in {
		if !kept[key(e)] {
			d = append(d, e)
		}
	}
	return d
}
