// Package beat is netbeat's libbeat Beater: it opens the configured capture
// sources, decodes every frame and publishes packet and flow events through
// libbeat's pipeline (so every libbeat processor and output works).
package beat

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/netbeat/netbeat/beat/capture"
)

// Overrides set by command-line flags (-I, --mode, --speed).
var (
	ReadFile  string
	ModeFlag  string
	SpeedFlag float64
)

// Netbeat is the Beater.
type Netbeat struct {
	cfg     Config
	log     *logp.Logger
	done    chan struct{}
	drained chan struct{} // closed when Run returns
	stopped sync.Once
	mu      sync.Mutex
	sources []capture.Source
	metrics *metrics
	reloads chan *reloadReq // reconfigurations while Run captures (reload.go)

	published atomic.Uint64
	acked     atomic.Uint64
	// document bytes of bundled packets published and acknowledged
	// (waitInflight)
	publishedBytes atomic.Uint64
	ackedBytes     atomic.Uint64
}

// New creates the Beater from the `netbeat:` configuration section.
func New(b *libbeat.Beat, rawConfig *conf.C) (libbeat.Beater, error) {
	cfg := defaultConfig()
	if err := CheckKeys(rawConfig); err != nil { // typos first: they explain what Unpack or Check would say next
		return nil, fmt.Errorf("netbeat: invalid configuration: %w", err)
	}
	if err := rawConfig.Unpack(&cfg); err != nil {
		return nil, fmt.Errorf("netbeat: reading the netbeat section of the config failed: %w", err)
	}
	if ReadFile != "" {
		cfg.Files = []FileConfig{{Path: ReadFile, Speed: SpeedFlag}}
		cfg.Interfaces = nil
	}
	if ModeFlag != "" {
		cfg.Mode = splitList(ModeFlag)
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("netbeat: invalid configuration: %w", err)
	}
	nb := &Netbeat{cfg: cfg, log: logp.NewLogger("netbeat"), done: make(chan struct{}), drained: make(chan struct{}),
		reloads: make(chan *reloadReq)}
	nb.metrics = newMetrics(b.Monitoring.StatsRegistry())
	if FileOutputChoice != "" {
		nb.log.Info(FileOutputChoice)
	}
	if c, ok := b.Publisher.(io.Closer); ok {
		b.Publisher = &drainingPipeline{Pipeline: b.Publisher, nb: nb, closer: c}
	}
	return nb, nil
}

// Run captures until every file source ends (then waits for the outputs to
// acknowledge all events) or until Stop. A damaged capture file makes Run
// return an error after the events read before the damage were published.
func (nb *Netbeat) Run(b *libbeat.Beat) error {
	defer close(nb.drained)
	workers, err := nb.openWorkers(b)
	if err != nil {
		return err
	}
	var all []error
	var unacked uint64
	for {
		var wg sync.WaitGroup
		errs := make(chan error, len(workers))
		for _, w := range workers {
			wg.Add(1)
			go func(w *worker) {
				defer wg.Done()
				if err := w.run(); err != nil {
					errs <- err
				}
			}(w)
		}
		stopStats := nb.logStatsEvery(workers)
		finished := make(chan struct{})
		go func() { wg.Wait(); close(finished) }()
		req := nb.untilDone(finished) // reload.go: a reconfiguration ends this generation
		if req != nil {
			drain(workers)
		}
		wg.Wait()
		close(stopStats)
		if req != nil {
			nb.waitACKsFor(reloadACKWait)
		} else {
			unacked = nb.waitACKs()
		}
		for _, w := range workers {
			w.close()
		}
		nb.logSummary(workers)
		close(errs)
		for e := range errs {
			all = append(all, e)
		}
		if req == nil {
			break
		}
		if workers, err = nb.reopen(b, req); err != nil {
			all = append(all, err)
			break
		}
	}
	// A run over capture files (-I) that stops before the output took every
	// event fails, so a script sees the loss; live captures only log it.
	if unacked > 0 && len(nb.cfg.Interfaces) == 0 {
		all = append(all, fmt.Errorf("netbeat: %d events were not acknowledged by the output when netbeat stopped "+
			"(netbeat.shutdown_timeout: %v); they are lost unless a disk queue (queue.disk) holds them", unacked, nb.cfg.ShutdownTimeout))
	}
	return errors.Join(all...)
}

func (nb *Netbeat) openWorkers(b *libbeat.Beat) ([]*worker, error) {
	listener := nb.ackListener
	var workers []*worker
	fail := func(err error) ([]*worker, error) {
		for _, w := range workers {
			w.close()
		}
		return nil, err
	}
	for _, fc := range nb.cfg.Files {
		var opts []capture.FileOpt
		if fc.Speed > 0 {
			opts = append(opts, capture.WithSpeed(fc.Speed))
		}
		src, err := capture.OpenFile(fc.Path, opts...)
		if err != nil {
			return fail(err) // capture errors carry their "capture:" prefix
		}
		if fc.BPFFilter != "" {
			flt, err := capture.CompileFilter(src.LinkType(), 262144, fc.BPFFilter)
			if err != nil {
				src.Close()
				return fail(err)
			}
			src.Close()
			if src, err = capture.OpenFile(fc.Path, append(opts, capture.WithFilter(flt), capture.WithFilterExpr(fc.BPFFilter))...); err != nil {
				return fail(err)
			}
		}
		w, err := nb.newWorker(b, src, "file", listener)
		if err != nil {
			src.Close()
			return fail(err)
		}
		workers = append(workers, w)
	}
	for _, ic := range nb.cfg.Interfaces {
		o := capture.LiveOptions{Device: ic.Device, Snaplen: ic.Snaplen, BufferSizeMB: ic.BufferSizeMB, Filter: ic.BPFFilter, Promiscuous: ic.Promiscuous}
		typ := ic.Type
		if typ == "" {
			typ = "pcap"
			if runtime.GOOS == "linux" {
				typ = "af_packet"
			}
		}
		var src capture.Source
		var err error
		if typ == "af_packet" {
			src, err = capture.OpenAFPacket(o)
		} else {
			src, err = capture.OpenPcap(o)
		}
		if err != nil {
			return fail(err)
		}
		w, err := nb.newWorker(b, src, typ, listener)
		if err != nil {
			src.Close()
			return fail(err)
		}
		workers = append(workers, w)
	}
	nb.mu.Lock()
	for _, w := range workers {
		nb.sources = append(nb.sources, w.src)
	}
	nb.mu.Unlock()
	select {
	case <-nb.done: // Stop raced with start-up
		for _, w := range workers {
			w.src.Close()
		}
	default:
	}
	return workers, nil
}

// waitACKs blocks until the outputs acknowledged every published event; after
// Stop it waits at most netbeat.shutdown_timeout (the flow records flushed at
// capture end, a lagging output), so a dead output cannot block shutdown. It
// returns how many events were left unacknowledged.
func (nb *Netbeat) waitACKs() uint64 {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	done := nb.done
	var grace <-chan time.Time
	for nb.acked.Load() < nb.published.Load() {
		select {
		case <-done:
			n := nb.published.Load() - nb.acked.Load()
			nb.log.Infof("stopping: waiting up to %v (netbeat.shutdown_timeout) for the output to acknowledge %d events", nb.cfg.ShutdownTimeout, n)
			done, grace = nil, time.After(nb.cfg.ShutdownTimeout)
		case <-grace:
			n := nb.published.Load() - nb.acked.Load()
			nb.log.Warnf("stopping with %d events not acknowledged by the output after netbeat.shutdown_timeout (%v)", n, nb.cfg.ShutdownTimeout)
			return n
		case <-t.C:
		}
	}
	return 0
}

// drainingPipeline is the publisher pipeline as the Beater sees it. On SIGTERM
// libbeat closes the pipeline before it calls Stop, which would drop the flow
// records flushed at capture end; Close therefore stops the captures and waits
// (at most netbeat.shutdown_timeout and a second) for Run to publish and ACK
// them first.
type drainingPipeline struct {
	libbeat.Pipeline
	nb     *Netbeat
	closer io.Closer
}

func (p *drainingPipeline) Close() error {
	p.nb.Stop()
	select {
	case <-p.nb.drained:
	case <-time.After(p.nb.config().ShutdownTimeout + time.Second): // under the lock: a reconfiguration may replace nb.cfg
	}
	return p.closer.Close()
}

// Stop ends all captures; Run returns once the workers have flushed.
func (nb *Netbeat) Stop() {
	nb.stopped.Do(func() {
		close(nb.done)
		nb.mu.Lock()
		defer nb.mu.Unlock()
		for _, s := range nb.sources {
			s.Close()
		}
	})
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
