// Package host runs netbeat's out-of-process enrichment plugins: it launches
// each plugin of the chain (hashicorp/go-plugin, gRPC, checksummed, AutoMTLS),
// streams batches of events through them in order, health-checks them,
// restarts crashed or hung plugins with backoff and applies the failure
// policy so that no event is ever lost.
package host

import (
	"os"
	"sync"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

// Encoding tells the host how to add answers to an encoded event (see
// sdk.Event's SetEncoding): events whose top-level values are encoded JSON
// (netbeat's beat/event members) stay encoded through the chain.
type Encoding = shared.Encoding

// AppendJSON appends an event value (string, number, bool, map, list,
// time, …) as compact JSON, as the host encodes answers.
func AppendJSON(b []byte, v any) []byte { return shared.AppendJSON(b, v) }

// Opt configures a Host.
type Opt func(*Host)

// WithLogger sets where host and plugin logs go; default: stderr.
func WithLogger(l Logger) Opt { return func(h *Host) { h.log = l } }

// WithNamedLogger gives each plugin its own logger (netbeat: logp's
// "plugin/<name>"); default: the WithLogger logger.
func WithNamedLogger(f func(name string) Logger) Opt { return func(h *Host) { h.named = f } }

// WithBuiltinCommand sets how a built-in plugin (no path) is launched;
// default: this executable with arguments `plugin serve NAME`.
func WithBuiltinCommand(path string, args func(name string) []string) Opt {
	return func(h *Host) { h.exe, h.exeArgs = path, args }
}

// WithInProcess provides the built-in processors for plugins configured
// with in_process: true.
func WithInProcess(f func(name string) (sdk.Processor, error)) Opt {
	return func(h *Host) { h.inproc = f }
}

// Host runs a chain of plugins. Process and pipelines may be used from
// several goroutines; each plugin handles one batch at a time.
type Host struct {
	cfg     Config
	log     Logger
	named   func(string) Logger
	inproc  func(string) (sdk.Processor, error)
	exe     string
	exeArgs func(string) []string
	plugins []*instance
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

// New validates cfg and prepares the host; Start launches the plugins.
func New(cfg Config, opts ...Opt) (*Host, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Host{cfg: cfg, log: StderrLogger("plugins"), done: make(chan struct{}),
		exeArgs: func(n string) []string { return []string{"plugin", "serve", n} }}
	h.exe, _ = os.Executable()
	for _, o := range opts {
		o(h)
	}
	if h.named == nil {
		h.named = func(string) Logger { return h.log }
	}
	for _, pc := range cfg.Chain {
		h.plugins = append(h.plugins, newInstance(h, pc))
	}
	return h, nil
}

func (h *Host) command(pc PluginConfig) (string, []string) {
	if pc.Path != "" {
		return pc.Path, pc.Args
	}
	return h.exe, append(h.exeArgs(pc.Name), pc.Args...)
}

// Start launches and configures every plugin; it fails (and stops those
// started) when one cannot start, e.g. on a checksum mismatch.
func (h *Host) Start() error {
	for _, in := range h.plugins {
		in.mu.Lock()
		err := in.start()
		in.mu.Unlock()
		if err != nil {
			h.Close()
			return err
		}
	}
	h.wg.Add(1)
	go h.healthLoop()
	return nil
}

func (h *Host) healthLoop() {
	defer h.wg.Done()
	t := time.NewTicker(h.cfg.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-t.C:
			for _, in := range h.plugins {
				in.health()
			}
		}
	}
}

// Process runs batch through the whole chain, synchronously.
func (h *Host) Process(batch []*sdk.Event) []*sdk.Event {
	for _, in := range h.plugins {
		if len(batch) == 0 {
			break
		}
		batch = in.process(batch)
	}
	return batch
}

// States returns each plugin's state, in chain order.
func (h *Host) States() []State {
	out := make([]State, len(h.plugins))
	for i, in := range h.plugins {
		out[i] = in.state()
	}
	return out
}

// Config returns the host's configuration.
func (h *Host) Config() Config { return h.cfg }

// Close stops every plugin cleanly. Pipelines must be closed first.
func (h *Host) Close() error {
	h.once.Do(func() {
		close(h.done)
		h.wg.Wait()
		for _, in := range h.plugins {
			if st := in.state(); st.CacheHits+st.CacheMisses > 0 {
				in.log.Infow("plugin answer cache", "plugin", in.cfg.Name, "hits", st.CacheHits, "misses", st.CacheMisses,
					"evictions", st.CacheEvictions, "entries", in.cache.len())
			}
			in.mu.Lock()
			in.stop()
			in.setState(func(s *State) {
				if s.Status != "failed" {
					s.Status = "stopped"
				}
				s.PID = 0
			})
			in.mu.Unlock()
		}
	})
	return nil
}
