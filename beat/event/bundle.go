package event

import (
	"bytes"
	"strings"
	"sync"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/decode"
)

// BundleKey is the only field netbeat sets on a bundle event. An output
// that knows bundles (output.franz, output.discard) sends each document of
// the bundle as its own record; bundles are never made for other outputs.
const BundleKey = "netbeat.bundle"

// Bundle carries many packet documents through libbeat's pipeline as one
// event, so that the pipeline's per-event work (processing, queueing,
// acknowledgement) is paid once per bundle, not once per packet. The fields
// libbeat adds to the bundle event (agent, ecs, host, capture, …) belong to
// every document of the bundle.
//
// Delivery is per document: Sent records which documents the output has
// delivered, so a retried bundle resends only the others.
//
// Memory: a bundle's document bodies are cut from chunks the bundle owns,
// and an output may keep one more buffer with it (Scratch). Once the
// pipeline has acknowledged the bundle, Release puts it, chunks and buffer
// included, back for NewBundle to reuse, so that in steady state bundled
// packets allocate nothing and the garbage collector has little to do.
type Bundle struct {
	Docs []Doc
	TS   []time.Time
	Sent []bool

	arena   arena  // the bodies of Docs (AddPacket)
	scratch []byte // an output's buffer (Scratch), kept for reuse
	bytes   int    // sum of the bodies' lengths
	// buf is where AddFields cuts bodies from; its free tail may be handed
	// to the next bundle (FreeBuffer, UseBuffer), so it is never reused
	// after Release.
	buf []byte
}

// bundles holds released bundles for reuse.
var bundles sync.Pool

// NewBundle makes an empty bundle for up to n documents: a released one
// when there is one of that size.
func NewBundle(n int) *Bundle {
	if b, ok := bundles.Get().(*Bundle); ok && cap(b.Docs) == n {
		return b
	}
	return &Bundle{Docs: make([]Doc, 0, n), TS: make([]time.Time, 0, n), arena: arena{reuse: true}}
}

// Release gives b back for reuse. Call it once, when nothing refers to b,
// its documents or its Scratch buffer any more: when the pipeline has
// acknowledged the bundle's event (libbeat's ACK is final: the output and
// the queue are done with the event). A bundle never released is simply
// garbage collected.
func (b *Bundle) Release() {
	clear(b.Docs) // drop members and bodies
	b.Docs, b.TS, b.Sent, b.bytes, b.buf = b.Docs[:0], b.TS[:0], nil, 0, nil
	b.arena.reset()
	bundles.Put(b)
}

// Scratch returns an empty buffer of capacity at least n that stays with
// the bundle until Release (an output builds the bundle's records in it);
// hand it back with KeepScratch once filled, in case it grew.
func (b *Bundle) Scratch(n int) []byte {
	if cap(b.scratch) < n {
		b.scratch = make([]byte, 0, n)
	}
	return b.scratch[:0]
}

// KeepScratch keeps buf, filled from Scratch, for reuse after Release.
func (b *Bundle) KeepScratch(buf []byte) { b.scratch = buf[:0] }

// Len is the number of documents (packets) in the bundle.
func (b *Bundle) Len() int { return len(b.Docs) }

// Bytes is the size of the bundle's documents (their JSON bodies).
func (b *Bundle) Bytes() int { return b.bytes }

// Full reports whether the bundle reached the size it was made for.
func (b *Bundle) Full() bool { return len(b.Docs) == cap(b.Docs) }

// AddPacket encodes the document of one packet into the bundle.
func (b *Bundle) AddPacket(p *decode.Packet, number uint64, o *PacketOptions) {
	b.Docs = b.Docs[:len(b.Docs)+1]
	writePacketDocIn(&b.arena, &b.Docs[len(b.Docs)-1], p, number, o)
	b.bytes += len(b.Docs[len(b.Docs)-1].Body)
	b.TS = append(b.TS, p.Timestamp)
}

// AddFields adds the document of an event whose fields are all members
// (an encoded event the plugin stage extended) to the bundle: the members
// are copied, in map order, into one body cut from the bundle's buffer
// (Members reads them back from it when an output needs them).
// ok is false, and nothing is added, when a field is not a member.
func (b *Bundle) AddFields(ts time.Time, fields mapstr.M) bool {
	n := 2
	for k, v := range fields {
		m, ok := v.(*Member)
		if !ok || m.Key != k || strings.IndexByte(k, '.') >= 0 {
			return false
		}
		n += len(k) + len(m.raw) + 4
	}
	if cap(b.buf)-len(b.buf) < n {
		b.buf = make([]byte, 0, max(n, arenaChunk))
	}
	start := len(b.buf)
	buf := append(b.buf, '{')
	d := Doc{}
	first := true
	for k, v := range fields {
		m := v.(*Member)
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(appendString(buf, k), ':')
		off := len(buf) - start
		buf = append(buf, m.raw...)
		if k == "network" {
			if c, ok := m.LookupString("community_id"); ok {
				if i := bytes.Index(m.raw, c); i >= 0 {
					d.spans.cid = [2]int32{int32(off + i), int32(off + i + len(c))} //nolint:gosec // bounded
				}
			}
		}
	}
	buf = append(buf, '}')
	d.Body = buf[start:len(buf):len(buf)]
	b.buf = buf
	b.bytes += len(d.Body)
	b.Docs = append(b.Docs, d)
	b.TS = append(b.TS, ts)
	return true
}

// UseBuffer gives the bundle the free space AddFields cuts bodies from
// (the FreeBuffer of the previous bundle), so that small bundles share
// chunks instead of each allocating one.
func (b *Bundle) UseBuffer(free []byte) { b.buf = free[:0] }

// FreeBuffer returns the unused tail of the bundle's buffer, for the next
// bundle (UseBuffer).
func (b *Bundle) FreeBuffer() []byte { return b.buf[len(b.buf):] }

// Event is the bundle as a libbeat event: timestamped with its first packet,
// Private carries the bundle so that acknowledgements count packets.
func (b *Bundle) Event() beat.Event {
	ts := time.Time{}
	if len(b.TS) > 0 {
		ts = b.TS[0]
	}
	return beat.Event{Timestamp: ts, Fields: mapstr.M{BundleKey: b}, Private: b}
}

// BundleOf returns the bundle an event carries, if any.
func BundleOf(ev *beat.Event) (*Bundle, bool) {
	b, ok := ev.Fields[BundleKey].(*Bundle)
	return b, ok
}

// DocEvent is document i as an event of its own: the bundle event's other
// fields plus the document's members (for configurations whose topic, key or
// partitioner need to look at fields).
func (b *Bundle) DocEvent(bundle *beat.Event, i int) *beat.Event {
	f := b.Docs[i].Fields(len(bundle.Fields))
	for k, v := range bundle.Fields {
		if k != BundleKey {
			f[k] = v
		}
	}
	return &beat.Event{Timestamp: b.TS[i], Meta: b.docEventMeta(bundle, i), Fields: f}
}
