package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

// State is a plugin's state, as shown by `netbeat plugin list`.
type State struct {
	Name      string
	Path      string
	Status    string // starting, running, restarting, failed, stopped
	PID       int
	Restarts  int
	Batches   uint64
	Failures  uint64 // batches passed through unchanged and tagged
	LastError string
	// Keyed plugins (protocol 3): answers taken from the cache or from a
	// lookup of the same batch (hits), keys asked of the plugin (misses),
	// answers evicted to make room (evictions); per event and unit.
	CacheHits, CacheMisses, CacheEvictions uint64
}

// instance runs one plugin process and restarts it with backoff.
type instance struct {
	h   *Host
	cfg PluginConfig
	log Logger

	mu     sync.Mutex // one batch or (re)start at a time
	cmd    *exec.Cmd
	client *plugin.Client
	rpc    plugin.ClientProtocol
	stream *shared.Stream
	needs  atomic.Pointer[[]string]     // what the plugin reads (Configure); set under mu, read by prepare
	keyer  atomic.Pointer[shared.Keyer] // its keyed units (protocol 3), nil: the classic path
	proc   *shared.Client
	cache  *cache
	combMu sync.Mutex      // finishKeyed's batches (the pipeline's and process's)
	comb   shared.Combiner // combinations of cached answers that set the same field
	// missPermille is how many keys the last keyed batch asked of the
	// plugin per 1,000 events; above keyedMaxMiss batches go the classic
	// way (whole events), except every keyedRetry-th, which measures again.
	missPermille atomic.Int64
	batchNo      atomic.Uint64
	backoff      time.Duration
	next         time.Time // earliest restart
	started      bool      // started successfully once: later starts are restarts

	local sdk.Processor // in_process

	stMu sync.Mutex
	st   State
}

func newInstance(h *Host, pc PluginConfig) *instance {
	path, _ := h.command(pc)
	return &instance{h: h, cfg: pc, log: h.named(pc.Name), backoff: h.cfg.BackoffInit,
		cache: newCache(h.cfg.CacheSize), st: State{Name: pc.Name, Path: path, Status: "stopped"}}
}

func (in *instance) setState(f func(*State)) {
	in.stMu.Lock()
	f(&in.st)
	in.stMu.Unlock()
}

func (in *instance) state() State {
	in.stMu.Lock()
	st := in.st
	in.stMu.Unlock()
	st.CacheHits, st.CacheMisses, st.CacheEvictions = in.cache.hits.Load(), in.cache.misses.Load(), in.cache.evictions.Load()
	return st
}

func (in *instance) running() bool {
	return in.local != nil || in.client != nil && !in.client.Exited()
}

func (in *instance) startLocal() error {
	if in.h.inproc == nil {
		return fmt.Errorf("in_process is not available for %s", in.cfg.Name)
	}
	p, err := in.h.inproc(in.cfg.Name)
	if err != nil {
		return err
	}
	if err := p.Configure(in.cfg.Config); err != nil {
		return fmt.Errorf("configuring failed: %w", err)
	}
	var needs []string
	if fr, ok := p.(sdk.FieldReader); ok {
		needs = fr.Needs()
	}
	in.needs.Store(&needs)
	var units []shared.Unit
	if kp, ok := p.(sdk.Keyed); ok {
		units = kp.Units()
	}
	if err := in.setUnits(units); err != nil {
		return err
	}
	in.local, in.started = p, true
	in.setState(func(s *State) { s.Status, s.PID = "running (in process)", os.Getpid() })
	return nil
}

// setUnits takes the plugin's keyed units (or none) after a (re)start and
// empties the cache: the restarted plugin may answer differently.
func (in *instance) setUnits(units []shared.Unit) error {
	k, err := in.keyerFor(units)
	if err != nil {
		return err
	}
	in.keyer.Store(k)
	in.cache.clear()
	in.combMu.Lock()
	in.comb = shared.Combiner{} // forget the old answers' combinations too
	in.combMu.Unlock()
	return nil
}

// verify checks the binary against its configured sha256.
func verify(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening plugin binary failed: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("reading plugin binary failed: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%w: %s has sha256 %s but the configuration expects %s; refusing to run it", ErrChecksum, path, got, want)
	}
	return nil
}

// start launches, configures and connects the plugin. Callers hold mu.
func (in *instance) start() (err error) {
	path, args := in.h.command(in.cfg)
	in.setState(func(s *State) { s.Status = "starting" })
	defer func() {
		if err != nil {
			err = Error(in.cfg.Name, err)
			in.stop()
			in.setState(func(s *State) { s.Status, s.LastError = "failed", err.Error() })
		}
	}()
	if in.cfg.InProcess {
		return in.startLocal()
	}
	var secure *plugin.SecureConfig
	if in.cfg.SHA256 != "" {
		if err := verify(path, in.cfg.SHA256); err != nil {
			return err
		}
		sum, _ := hex.DecodeString(in.cfg.SHA256)
		secure = &plugin.SecureConfig{Checksum: sum, Hash: sha256.New()}
	}
	in.cmd = exec.Command(path, args...)
	in.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  shared.Handshake,
		VersionedPlugins: shared.VersionedPlugins(nil),
		Cmd:              in.cmd,
		SecureConfig:     secure,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclogFor(in.cfg.Name, in.log),
		StartTimeout:     in.h.cfg.Timeout + 10*time.Second,
	})
	if in.rpc, err = in.client.Client(); err != nil {
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			return fmt.Errorf("%w: %s changed since it was verified: %v", ErrChecksum, path, err)
		}
		return fmt.Errorf("starting %s failed: %w", path, err)
	}
	raw, err := in.rpc.Dispense(shared.PluginName)
	if err != nil {
		return fmt.Errorf("dispensing the processor failed: %w", err)
	}
	pc := raw.(*shared.Client)
	ctx, cancel := context.WithTimeout(context.Background(), in.h.cfg.Timeout)
	defer cancel()
	resp, err := pc.Configure(ctx, &shared.ConfigureRequest{Name: in.cfg.Name, Config: in.cfg.Config})
	if err != nil {
		return fmt.Errorf("configuring failed: %w", err)
	}
	in.needs.Store(&resp.Needs)
	if err := in.setUnits(resp.Units); err != nil {
		return err
	}
	in.proc = pc
	if in.stream, err = pc.OpenStream(context.Background()); err != nil {
		return fmt.Errorf("opening the event stream failed: %w", err)
	}
	pid := in.cmd.Process.Pid
	in.started = true
	in.setState(func(s *State) { s.Status, s.PID = "running", pid })
	in.log.Infow("plugin started", "plugin", in.cfg.Name, "pid", pid, "needs", fmt.Sprint(resp.Needs),
		"protocol", in.client.NegotiatedVersion(), "keyed_units", len(resp.Units), "cached", in.keyer.Load() != nil)
	return nil
}

// stop ends the plugin process. Callers hold mu.
func (in *instance) stop() {
	if c, ok := in.local.(sdk.Closer); ok {
		_ = c.Close()
	}
	in.local = nil
	if in.stream != nil {
		in.stream.Close()
		in.stream = nil
	}
	if in.client != nil {
		in.client.Kill()
		in.client, in.rpc, in.proc = nil, nil, nil
	}
}

// kill force-stops a crashed or hung plugin. Callers hold mu.
func (in *instance) kill() {
	if in.stream != nil { // a Process call may still be blocked on it
		in.stream.Abort()
		in.stream = nil
	}
	if in.cmd != nil && in.cmd.Process != nil {
		_ = in.cmd.Process.Kill()
	}
	in.stop()
}

// ensure starts the plugin if it is not running, waiting for the backoff
// delay after a failure. Callers hold mu.
func (in *instance) ensure() error {
	if in.local != nil || in.running() && in.stream != nil {
		return nil
	}
	if in.client != nil { // died
		in.kill()
	}
	if in.started {
		in.setState(func(s *State) { s.Status = "restarting"; s.Restarts++ })
	}
	if d := time.Until(in.next); d > 0 {
		select {
		case <-time.After(d):
		case <-in.h.done:
			return ErrClosed
		}
	}
	if err := in.start(); err != nil {
		in.failed()
		return err
	}
	return nil
}

// failed schedules the next start after the current backoff, then doubles it.
func (in *instance) failed() {
	in.next = time.Now().Add(in.backoff)
	in.backoff = min(2*in.backoff, in.h.cfg.BackoffMax)
}

// request is one batch on its way through a plugin. The pipeline splits
// its trip in three steps run by three goroutines, so that the plugin
// process works on one batch while netbeat encodes the next and merges the
// answer to the previous one: prepare (encode the projection), exchange
// (send, wait for the answer; one batch at a time per plugin, with the
// failure policy) and finish (decode the answer and merge it).
type request struct {
	batch []*shared.Event
	needs []string
	enc   *shared.Encoded  // out of process: the encoded request
	resp  *shared.RawBatch // out of process: the answer, not decoded yet
	out   []*shared.Event  // with final: the result (in process, or passed through)
	final bool
	keyed *keyedRequest // keyed path (keyed.go)
	kk    *shared.Keyer // the keyer it was prepared with
}

// release returns r's buffers for reuse once it is finished.
func (r *request) release() {
	if r.enc != nil {
		r.enc.Release()
		r.enc = nil
	}
	if r.resp != nil {
		r.resp.Release()
		r.resp = nil
	}
}

// prepare encodes batch for the plugin (without holding mu).
func (in *instance) prepare(batch []*shared.Event) *request {
	r := &request{batch: batch}
	if k := in.keyer.Load(); k != nil {
		r.kk = k
		if in.useKeyed() {
			in.prepareKeyed(r, k)
			return r
		}
	}
	if !in.cfg.InProcess {
		r.needs = in.loadNeeds()
		r.enc = shared.EncodeRequest(batch, r.needs)
	}
	return r
}

func (in *instance) loadNeeds() []string {
	if p := in.needs.Load(); p != nil {
		return *p
	}
	return nil
}

// call sends one batch, bounded by the timeout. Callers hold mu.
func (in *instance) call(r *request) error {
	if k := in.keyer.Load(); k != r.kk { // restarted with other units
		r.keyed, r.kk = nil, k
		if k != nil && in.useKeyed() {
			in.prepareKeyed(r, k)
		}
	}
	if r.keyed != nil {
		return in.callKeyed(r)
	}
	if in.local != nil {
		return in.callLocal(r)
	}
	if needs := in.loadNeeds(); r.enc == nil || !slices.Equal(needs, r.needs) { // restarted with other needs
		r.needs = needs
		r.enc = shared.EncodeRequest(r.batch, needs)
	}
	type result struct {
		b   *shared.RawBatch
		err error
	}
	ch := make(chan result, 1)
	s, enc := in.stream, r.enc
	go func() { b, err := s.Exchange(enc); ch <- result{b, err} }()
	t := time.NewTimer(in.h.cfg.Timeout)
	defer t.Stop()
	select {
	case res := <-ch:
		if res.err != nil {
			in.kill()
			if errors.Is(res.err, shared.ErrWire) {
				return fmt.Errorf("decoding its answer failed: %w", res.err)
			}
			return fmt.Errorf("plugin process failed: %w", res.err)
		}
		if res.b.Err != "" {
			return fmt.Errorf("%w: %s", ErrPlugin, res.b.Err)
		}
		r.resp = res.b
		return nil
	case <-t.C:
		in.kill()
		return fmt.Errorf("%w (timeout %s): killed", ErrTimeout, in.h.cfg.Timeout)
	}
}

// callLocal runs r through the in-process plugin, on the events
// themselves: the fields of an encoded event stay encoded until a plugin
// changes them (sdk.M decodes a member when a plugin writes into it). A
// plugin that reads every field gets the events fully decoded. Callers
// hold mu.
func (in *instance) callLocal(r *request) error {
	if len(in.loadNeeds()) == 0 {
		for _, e := range r.batch {
			e.Decode()
		}
	}
	out, err := in.local.Process(context.Background(), r.batch)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPlugin, err)
	}
	r.out, r.final = out, true
	return nil
}

// exchange runs r through the plugin under the failure policy: retried,
// or passed through unchanged and tagged; never lost.
func (in *instance) exchange(r *request) *request {
	in.mu.Lock()
	defer in.mu.Unlock()
	for attempt := 0; ; attempt++ {
		err := in.ensure()
		if err == nil {
			err = in.call(r)
		}
		if err == nil {
			in.backoff = in.h.cfg.BackoffInit
			in.setState(func(s *State) { s.Batches++ })
			return r
		}
		err = Error(in.cfg.Name, err)
		if !errors.Is(err, ErrPlugin) && !errors.Is(err, ErrChecksum) && !errors.Is(err, ErrClosed) {
			in.failed()
			in.setState(func(s *State) { s.Status = "restarting" })
		}
		in.setState(func(s *State) { s.LastError = err.Error() })
		if in.lastAttempt(attempt, err) {
			in.passThrough(r, err)
			return r
		}
		in.log.Warnw("batch failed, retrying", "plugin", in.cfg.Name, "attempt", attempt+1, "error", err.Error())
	}
}

// lastAttempt says whether a batch that failed with err on attempt is
// given up (passed through) rather than retried.
func (in *instance) lastAttempt(attempt int, err error) bool {
	return in.h.cfg.FailurePolicy == PolicyPassthrough || attempt >= in.h.cfg.MaxRetries || errors.Is(err, ErrClosed)
}

// passThrough makes r's result its batch, unchanged but tagged. Callers
// hold mu.
func (in *instance) passThrough(r *request, err error) {
	in.log.Errorw("batch passed through unchanged and tagged", "plugin", in.cfg.Name, "events", len(r.batch), "error", err.Error())
	tag := FailureTagPrefix + in.cfg.Name
	for _, e := range r.batch {
		e.AddTag(tag)
	}
	in.setState(func(s *State) { s.Failures++ })
	if r.resp != nil {
		r.resp.Release()
	}
	r.out, r.final, r.resp = r.batch, true, nil
}

// finish decodes the plugin's answer and merges it into the batch. A
// malformed answer counts as a plugin failure: the plugin is restarted and
// the batch sent again (or passed through, per policy).
func (in *instance) finish(r *request) []*shared.Event {
	defer r.release()
	for attempt := 0; ; attempt++ {
		if r.final {
			return r.out
		}
		if r.keyed != nil {
			return in.finishKeyed(r)
		}
		out, err := r.resp.Apply(r.batch, r.needs)
		if err == nil {
			return out
		}
		err = Error(in.cfg.Name, fmt.Errorf("decoding its answer failed: %w", err))
		in.mu.Lock()
		in.kill()
		in.failed()
		in.setState(func(s *State) { s.Status, s.LastError = "restarting", err.Error() })
		if in.lastAttempt(attempt, err) {
			in.passThrough(r, err)
			in.mu.Unlock()
			continue
		}
		in.mu.Unlock()
		in.log.Warnw("batch failed, retrying", "plugin", in.cfg.Name, "attempt", attempt+1, "error", err.Error())
		r.resp.Release()
		r.resp = nil
		in.exchange(r)
	}
}

// process runs a batch through the plugin, synchronously.
func (in *instance) process(batch []*shared.Event) []*shared.Event {
	return in.finish(in.exchange(in.prepare(batch)))
}

// health pings an idle plugin and restarts it if it died.
func (in *instance) health() {
	if !in.mu.TryLock() {
		return // busy: the batch in flight detects failures itself
	}
	defer in.mu.Unlock()
	if in.client != nil && (in.client.Exited() || in.rpc.Ping() != nil) {
		in.log.Warnw("plugin failed its health check, restarting", "plugin", in.cfg.Name)
		in.failed()
		if err := in.ensure(); err != nil {
			in.log.Errorw("restarting plugin failed", "plugin", in.cfg.Name, "error", err.Error())
		}
	}
}
