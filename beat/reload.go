package beat

import (
	"errors"
	"fmt"
	"time"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"

	"github.com/netbeat/netbeat/beat/capture"
)

// reloadReq asks Run to replace the capture configuration while it runs
// (remote control: apply, set_mode, add_interface, remove_interface).
type reloadReq struct {
	cfg  Config
	done chan error // nil: the new sources run; else why the old ones run again
}

// ErrNotRunning is returned by reload when no Run is capturing.
var ErrNotRunning = errors.New("netbeat is not capturing (starting or stopping): try again")

// reloadTimeout bounds how long a reload request waits for Run.
const reloadTimeout = 60 * time.Second

// reload hands cfg to Run and waits for the outcome.
func (nb *Netbeat) reload(cfg Config) error {
	req := &reloadReq{cfg: cfg, done: make(chan error, 1)}
	select {
	case nb.reloads <- req:
	case <-nb.done:
		return ErrNotRunning
	case <-time.After(5 * time.Second):
		return ErrNotRunning
	}
	select {
	case err := <-req.done:
		return err
	case <-time.After(reloadTimeout):
		return fmt.Errorf("the reconfiguration did not finish within %s", reloadTimeout)
	}
}

// untilDone waits for the workers to end on their own (nil) or for a
// reload request, whichever comes first.
func (nb *Netbeat) untilDone(finished <-chan struct{}) *reloadReq {
	select {
	case <-finished:
		return nil
	case req := <-nb.reloads:
		return req
	}
}

// drain stops the sources of a running generation without losing what they
// captured: AF_PACKET sockets are paused and read to the end of their ring
// (capture.Drainer), other sources are closed.
func drain(workers []*worker) {
	for _, w := range workers {
		if d, ok := w.src.(capture.Drainer); ok {
			_ = d.CloseDrained()
		} else {
			w.src.Close()
		}
	}
}

// reloadACKWait bounds how long a reconfiguration waits for the output to
// acknowledge the old sources' events before it closes their pipeline
// clients (the events stay queued and are still delivered).
const reloadACKWait = 5 * time.Second

func (nb *Netbeat) waitACKsFor(d time.Duration) {
	deadline := time.Now().Add(d)
	for nb.acked.Load() < nb.published.Load() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// reopen starts the sources of req's configuration. If they fail to open,
// the previous configuration's sources are opened again and req is
// answered with the reason; nil workers and an error mean even those could
// not be opened.
func (nb *Netbeat) reopen(b *libbeat.Beat, req *reloadReq) ([]*worker, error) {
	old := nb.config()
	nb.setConfig(req.cfg)
	workers, err := nb.openWorkers(b)
	if err == nil {
		nb.log.Infof("reconfigured: now capturing %s", describeSources(req.cfg))
		req.done <- nil
		return workers, nil
	}
	nb.log.Errorf("reconfiguration failed, going back to the previous configuration: %v", err)
	nb.setConfig(old)
	workers, err2 := nb.openWorkers(b)
	req.done <- fmt.Errorf("the new sources failed to start, the previous configuration runs again: %w", err)
	if err2 != nil {
		return nil, fmt.Errorf("netbeat: reopening the previous sources after a failed reconfiguration failed: %w", err2)
	}
	return workers, nil
}

func (nb *Netbeat) config() Config {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return nb.cfg
}

// setConfig replaces the configuration and forgets the old sources; only
// Run calls it, with no worker running.
func (nb *Netbeat) setConfig(c Config) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	nb.cfg = c
	nb.sources = nil
}

func describeSources(c Config) string {
	s := fmt.Sprintf("mode %v, interfaces", c.Mode)
	for _, in := range c.Interfaces {
		s += fmt.Sprintf(" %s", in.Device)
		if in.BPFFilter != "" {
			s += fmt.Sprintf(" (%q)", in.BPFFilter)
		}
	}
	return s
}

// checkSection validates a `netbeat:` section as `netbeat test config`
// would and returns its capture configuration.
func checkSection(raw *conf.C) (Config, error) {
	cfg := defaultConfig()
	if err := CheckKeys(raw); err != nil {
		return cfg, err
	}
	if err := raw.Unpack(&cfg); err != nil {
		return cfg, err
	}
	return cfg, cfg.Check()
}
