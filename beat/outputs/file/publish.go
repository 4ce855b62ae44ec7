package file

import (
	"context"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/publisher"

	"github.com/netbeat/netbeat/beat/event"
)

// Publish writes every document of the batch as one line and ACKs the batch
// after the write, as libbeat's file output does: a document that cannot
// be encoded or written is dropped, logged and counted, never retried.
// Bundle events count as their documents in the metrics.
func (out *fileOutput) Publish(_ context.Context, batch publisher.Batch) error {
	defer batch.ACK()
	events := batch.Events()
	docs := 0
	for i := range events {
		if b, ok := event.BundleOf(&events[i].Content); ok {
			docs += b.Len()
		} else {
			docs++
		}
	}
	out.observer.NewBatch(docs)
	out.w.begin()
	for i := range events {
		if b, ok := event.BundleOf(&events[i].Content); ok {
			out.bundle(&events[i].Content, b)
		} else {
			out.event(&events[i].Content)
		}
	}
	out.w.flush()
	out.observer.PermanentErrors(out.w.dropped)
	out.observer.AckedEvents(docs - out.w.dropped)
	return nil
}

// event appends the line of one event.
func (out *fileOutput) event(ev *beat.Event) {
	doc, ok := out.fast.Encode(out.index, ev)
	if !ok {
		var err error
		if doc, err = out.codec.Encode(out.index, ev); err != nil {
			out.log.Errorf("Failed to serialize the event: %+v", err)
			out.w.dropped++
			return
		}
	}
	start := len(out.w.buf)
	out.w.buf = append(append(out.w.buf, doc...), '\n')
	out.w.line(start)
}

// bundle appends the lines of a bundle's documents: what they share (the
// fields libbeat added to the bundle event) is encoded once.
func (out *fileOutput) bundle(ev *beat.Event, b *event.Bundle) {
	shared, ok := out.fast.SharedPart(out.index, ev)
	if !ok {
		for i := range b.Docs {
			out.event(b.DocEvent(ev, i))
		}
		return
	}
	for i := range b.Docs {
		start := len(out.w.buf)
		out.w.buf = append(out.fast.AppendDoc(out.w.buf, b.TS[i], shared, &b.Docs[i]), '\n')
		out.w.line(start)
	}
}
