package beat

import (
	"sync"
	"time"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
)

// builders build bundles on several goroutines (netbeat.packets.builders),
// so that the capture goroutine only reads frames: it copies each frame
// into a batch of one bundle's size and hands full batches round robin to
// the builders, which decode the frames and write their documents; one
// publisher goroutine takes the finished bundles back in the same round
// robin and publishes them, so bundles leave in capture order. Decoding
// statistics are the sum of the builders' decoders.
type builders struct {
	nb    *Netbeat
	out   sink
	size  int
	in    []chan *frameBatch
	done  []chan *frameBatch
	free  chan *frameBatch
	stats []decode.Stats // per builder, guarded by mu
	mu    sync.Mutex

	cur      *frameBatch // guarded by curMu: the capture goroutine and the timeout ticker
	curMu    sync.Mutex
	since    time.Time
	next     int // builder of cur
	finished sync.WaitGroup
}

// frameBatch is the frames of one bundle, copied back to back.
type frameBatch struct {
	first  uint64 // frame number of the first frame
	data   []byte
	ends   []int
	cis    []gopacket.CaptureInfo
	bundle *event.Bundle
}

// newBuilders starts n builders for bundles of size documents, decoding
// with a decoder for link each, and the publisher.
func newBuilders(nb *Netbeat, out sink, n, size int, link uint32, opts event.PacketOptions) (*builders, error) {
	bs := &builders{nb: nb, out: out, size: size, stats: make([]decode.Stats, n),
		free: make(chan *frameBatch, 4*n)}
	decs := make([]*decode.Decoder, n)
	for i := range decs {
		d, err := decode.New(link)
		if err != nil {
			return nil, err
		}
		decs[i] = d
	}
	bs.in, bs.done = make([]chan *frameBatch, n), make([]chan *frameBatch, n)
	for i := range bs.in {
		bs.in[i], bs.done[i] = make(chan *frameBatch, 2), make(chan *frameBatch, 2)
	}
	for i := range bs.in {
		o := opts // each builder its own caches and arena
		go bs.build(i, decs[i], &o)
	}
	bs.finished.Add(1)
	go bs.publish()
	return bs, nil
}

// add copies one frame into the current batch; a full batch goes to its
// builder.
func (bs *builders) add(data []byte, ci gopacket.CaptureInfo, number uint64) {
	bs.curMu.Lock()
	if bs.cur == nil {
		bs.cur = bs.batch(number)
		bs.since = time.Now()
	}
	fb := bs.cur
	fb.data = append(fb.data, data...)
	fb.ends = append(fb.ends, len(fb.data))
	fb.cis = append(fb.cis, ci)
	if len(fb.ends) == bs.size {
		bs.dispatchLocked()
	}
	bs.curMu.Unlock()
}

func (bs *builders) batch(first uint64) *frameBatch {
	select {
	case fb := <-bs.free:
		fb.first = first
		return fb
	default:
		return &frameBatch{first: first, data: make([]byte, 0, 64<<10),
			ends: make([]int, 0, bs.size), cis: make([]gopacket.CaptureInfo, 0, bs.size)}
	}
}

func (bs *builders) dispatchLocked() {
	if bs.cur == nil || len(bs.cur.ends) == 0 {
		return
	}
	bs.in[bs.next] <- bs.cur
	bs.next = (bs.next + 1) % len(bs.in)
	bs.cur = nil
}

// flushOlder hands on the partial batch once it is timeout old (a quiet
// live source).
func (bs *builders) flushOlder(timeout time.Duration) {
	bs.curMu.Lock()
	if bs.cur != nil && time.Since(bs.since) >= timeout {
		bs.dispatchLocked()
	}
	bs.curMu.Unlock()
}

// finish hands on the partial batch, stops the builders and waits until
// the publisher has published every bundle.
func (bs *builders) finish() {
	bs.curMu.Lock()
	bs.dispatchLocked()
	for _, c := range bs.in {
		close(c)
	}
	bs.curMu.Unlock()
	bs.finished.Wait()
}

func (bs *builders) build(i int, dec *decode.Decoder, o *event.PacketOptions) {
	defer close(bs.done[i])
	for fb := range bs.in[i] {
		b := event.NewBundle(bs.size)
		start := 0
		for j, end := range fb.ends {
			b.AddPacket(dec.Decode(fb.data[start:end], fb.cis[j]), fb.first+uint64(j), o) //nolint:gosec // j < bundle size
			start = end
		}
		fb.bundle = b
		bs.mu.Lock()
		bs.stats[i] = dec.Stats
		bs.mu.Unlock()
		bs.done[i] <- fb
	}
}

// publish publishes the bundles in the order their batches were handed
// out; it ends when the first builder in that order has stopped.
func (bs *builders) publish() {
	defer bs.finished.Done()
	for k := 0; ; k = (k + 1) % len(bs.done) {
		fb, ok := <-bs.done[k]
		if !ok {
			return
		}
		bs.nb.publishBundle(bs.out, fb.bundle)
		fb.bundle, fb.data, fb.ends, fb.cis = nil, fb.data[:0], fb.ends[:0], fb.cis[:0]
		select {
		case bs.free <- fb:
		default:
		}
	}
}

// decodeStats is the sum of the builders' decoding statistics.
func (bs *builders) decodeStats() decode.Stats {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	var s decode.Stats
	for _, o := range bs.stats {
		s.Add(o)
	}
	return s
}
