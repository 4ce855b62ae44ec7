package beat

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/gopacket"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/beat/flows"
)

// sink receives events: a libbeat pipeline client, or a collector in tests.
type sink interface {
	Publish(libbeat.Event)
	Close() error
}

// Sink is the exported name of sink, for WrapSink.
type Sink = sink

// WrapSink, when set (beat/cmd sets it to the out-of-process plugin stage of
// processors/external), wraps every pipeline client a worker publishes to:
// a stage in the data path between event building and libbeat's pipeline.
// Bundle > 1 lets the stage publish the encoded documents it processed in
// bundles of that many (event.Bundle), as the worker would without it.
var WrapSink func(b *libbeat.Beat, s Sink, o StageOptions) (Sink, error)

// StageOptions tell the plugin stage how the worker would publish.
type StageOptions struct {
	Bundle int  // documents per bundle event; <= 1: no bundles
	Tags   bool // the configuration sets global tags (libbeat adds them to bundle events)
}

// worker runs one capture source: read → decode → packet events and/or flow table.
type worker struct {
	nb      *Netbeat
	src     capture.Source
	kind    string // file, af_packet, pcap
	dec     *decode.Decoder
	popts   event.PacketOptions
	fopts   event.FlowOptions
	pkts    sink // nil unless packets mode
	flowsC  sink // nil unless flows mode
	table   *flows.Table
	live    bool
	number  uint64
	mu      sync.Mutex
	dstats  decode.Stats // snapshot for metrics, guarded by mu
	flowPub uint64
	// maps: build packet events as maps (processors look inside them)
	// instead of encoded documents (eventpath.go).
	maps bool
	// bundle, when set, publishes packet documents in bundles (bundle.go).
	bundle *bundler
	// par, when set instead, builds the bundles on several goroutines
	// (builders.go).
	par *builders
	// fbundle, when set, publishes flow records in bundles (flowbundle.go).
	fbundle *flowBundler
	// staged: events go through the plugin stage (processors/external).
	staged bool
}

func (nb *Netbeat) newWorker(b *libbeat.Beat, src capture.Source, kind string, listener func() libbeat.EventListener) (*worker, error) {
	dec, err := decode.New(src.LinkType())
	if err != nil {
		return nil, fmt.Errorf("netbeat: source %q: %w; netbeat decodes Ethernet, Linux SLL/SLL2, BSD loopback and raw IP captures", src.Name(), err)
	}
	w := &worker{nb: nb, src: src, kind: kind, dec: dec, live: kind != "file",
		popts: event.PacketOptions{Fields: nb.cfg.Packets.Fields, PayloadMaxBytes: nb.cfg.Packets.Payload.MaxBytes, CommunityIDSeed: nb.cfg.CommunityID.Seed}}
	w.setIDs(nb.cfg.EventID.Enabled)
	fields := mapstr.M{"observer": mapstr.M{"ingress": mapstr.M{"interface": mapstr.M{"name": src.Name()}}}}
	if kind == "file" {
		fields = mapstr.M{"capture": mapstr.M{"file": src.Name()}}
	}
	path := currentPath()
	w.maps = path.maps
	// connect returns a pipeline client behind the plugin stage, if any. A
	// plugin error is returned as the plugin host words it ("plugin/<name>:
	// …"), not as a pipeline failure.
	connect := func(bundle int) (sink, error) {
		c, err := b.Publisher.ConnectWith(libbeat.ClientConfig{
			PublishMode:   libbeat.GuaranteedSend,
			EventListener: listener(),
			Processing:    libbeat.ProcessingConfig{Fields: fields},
		})
		if err != nil {
			return nil, fmt.Errorf("netbeat: connecting to the publisher pipeline failed: %w", err)
		}
		if WrapSink == nil {
			return c, nil
		}
		s, err := WrapSink(b, c, StageOptions{Bundle: bundle, Tags: path.tags})
		if err != nil {
			c.Close()
		}
		if s != sink(c) {
			// The plugin stage reads the fields plugins need from encoded
			// events and adds their answers as JSON: events stay encoded,
			// and the stage bundles them after the plugins (plugins see
			// each event).
			w.staged = true
		}
		return s, err
	}
	// documents per bundle for the output, 1 when it takes no bundles
	bundleSize := func() (int, string) {
		size, out := path.bundleSize(nb.cfg.Packets.Bundle, nb.cfg.Packets.MaxInflight), outputName(b)
		if w.maps || !bundleOutputs[out] || path.disk {
			size = 1
		}
		return size, out
	}
	if nb.cfg.has("packets") {
		size, out := bundleSize()
		if len(nb.cfg.Packets.Fields) > 0 {
			size = 1
		}
		c, err := connect(size)
		if err != nil {
			return nil, err
		}
		w.pkts = newAsyncSink(c, 4096)
		if !w.staged && size > 1 {
			if n := nb.cfg.Packets.builders(); n > 1 {
				if w.par, err = newBuilders(nb, w.pkts, n, size, src.LinkType(), w.popts); err != nil {
					w.pkts.Close()
					return nil, err
				}
				nb.log.Infof("packet events: %d documents per pipeline event (output.%s), built by %d goroutines", size, out, n)
			} else {
				w.bundle = &bundler{size: size, out: w.pkts, nb: nb}
				nb.log.Infof("packet events: %d documents per pipeline event (output.%s)", size, out)
			}
		}
		if w.maps {
			nb.log.Infof("packet events are built as maps: %s", path.reason)
		}
	}
	if nb.cfg.has("flows") {
		size, out := bundleSize()
		if w.flowsC, err = connect(size); err != nil {
			if w.pkts != nil {
				w.pkts.Close()
			}
			return nil, err
		}
		if !w.staged && size > 1 {
			w.fbundle = newFlowBundler(nb, w.flowsC, size)
			w.fbundle.opts.IDPrefix = w.fopts.IDPrefix // read by its encoder only after the first add
			nb.log.Infof("flow records: %d documents per pipeline event (output.%s)", size, out)
		}
		w.newTable()
	}
	return w, nil
}

func (w *worker) newTable() {
	fc := w.nb.cfg.Flows
	w.table = flows.NewTable(flows.Config{IdleTimeout: fc.Timeout, CloseTimeout: fc.CloseTimeout, Period: fc.Period,
		MaxFlows: fc.MaxFlows, Seed: w.nb.cfg.CommunityID.Seed}, w.publishFlow)
}

func (w *worker) publishFlow(f *flows.Flow) {
	w.flowPub++
	if w.fbundle != nil {
		w.fbundle.add(f) // counted as published when its bundle is
		return
	}
	w.nb.published.Add(1)
	if w.maps {
		ev := event.Flow(f)
		if w.fopts.IDPrefix != "" {
			event.SetEventID(&ev, event.NewDocID(w.fopts.IDPrefix, w.flowPub))
		}
		w.flowsC.Publish(ev)
	} else {
		w.flowsC.Publish(event.FlowEncoded(f, &w.fopts)) // under the table's lock
	}
}

// run reads the source to its end (files) or until closed (live).
func (w *worker) run() error {
	if w.live && w.table != nil {
		// the flow table's clock advances while a live interface is quiet
		defer close(every(time.Second, w.table.Advance))
	}
	if w.bundle != nil {
		timeout := w.nb.cfg.Packets.BundleTimeout
		defer close(every(timeout/2, func(time.Time) { w.bundle.flushOlder(timeout) }))
	}
	if w.par != nil {
		timeout := w.nb.cfg.Packets.BundleTimeout
		defer close(every(timeout/2, func(time.Time) { w.par.flushOlder(timeout) }))
	}
	if w.fbundle != nil {
		timeout := w.nb.cfg.Packets.BundleTimeout
		defer close(every(timeout/2, func(time.Time) { w.table.Do(func() { w.fbundle.flushOlder(timeout) }) }))
	}
	var readErr error
	for {
		data, ci, err := w.src.ReadPacket()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, capture.ErrClosed) {
				readErr = err // "capture: file …": Run returns it, `run` reports it once
				if len(w.nb.cfg.Interfaces) > 0 {
					// Live captures go on: say it now, not only at exit.
					w.nb.log.Errorf("%v", readErr)
				}
			}
			break
		}
		w.number++
		w.frame(data, ci)
		if w.number&4095 == 0 {
			w.snapshot()
		}
	}
	if w.table != nil {
		w.table.Flush(flows.EndCaptureEnd)
	}
	if w.fbundle != nil {
		w.table.Do(w.fbundle.finish)
		w.fbundle.wait()
	}
	if w.bundle != nil {
		w.bundle.flush()
	}
	if w.par != nil {
		w.par.finish()
	}
	if a, ok := w.pkts.(*asyncSink); ok {
		a.finish()
	}
	w.snapshot()
	return readErr
}

// frame makes the events of frame w.number; data is valid only during the
// call.
func (w *worker) frame(data []byte, ci gopacket.CaptureInfo) {
	if w.par != nil {
		w.par.add(data, ci, w.number) // copies the frame; the builders decode it
		if w.table != nil {
			w.table.Update(w.dec.Decode(data, ci))
		}
		return
	}
	p := w.dec.Decode(data, ci)
	if w.bundle != nil {
		w.bundle.add(p, w.number, &w.popts)
	} else if w.pkts != nil {
		w.nb.published.Add(1)
		if w.maps {
			w.pkts.Publish(event.PacketMap(p, w.number, &w.popts))
		} else {
			w.pkts.Publish(event.Packet(p, w.number, &w.popts))
		}
	}
	if w.table != nil {
		w.table.Update(p)
	}
}

// every calls fn with the time every d on its own goroutine until the
// returned channel is closed.
func every(d time.Duration, fn func(time.Time)) chan struct{} {
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				fn(now)
			}
		}
	}()
	return stop
}

func (w *worker) snapshot() {
	st := w.dec.Stats
	if w.par != nil && w.table == nil {
		st = w.par.decodeStats() // only the builders decode
	}
	w.mu.Lock()
	w.dstats = st
	w.mu.Unlock()
}

func (w *worker) decodeStats() decode.Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dstats
}

func (w *worker) close() {
	w.src.Close()
	if w.pkts != nil {
		w.pkts.Close()
	}
	if w.flowsC != nil {
		w.flowsC.Close()
	}
}

// outputName is the configured output's type ("" when unknown).
func outputName(b *libbeat.Beat) string {
	if b == nil || b.Config == nil {
		return ""
	}
	return b.Config.Output.Name()
}
