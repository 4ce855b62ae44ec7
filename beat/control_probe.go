package beat

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/control"
)

// probeControl applies remote-control actions (beat/control) to the running
// capture. Filters and pauses change each source in place
// (beat/capture/control*.go): AF_PACKET sockets and libpcap handles get a
// new kernel filter, capture files stop reading or filter from the next
// frame; frames captured before a pause are still read and published.
type probeControl struct {
	nb      *Netbeat
	dataDir string     // path.data/control: applied.json
	mu      sync.Mutex // one action at a time; guards the fields below
	// section is the capture part of the netbeat section now in effect
	// (control_apply.go).
	section map[string]any
	// stall detection for output_health, guarded by smu (heartbeats go on
	// while an action holds mu)
	smu        sync.Mutex
	lastAcked  uint64
	lastChange time.Time
}

// outputStalled is how long acknowledgements may stop, with events in
// flight, before the heartbeat reports the output as stalled.
const outputStalled = 10 * time.Second

func (p *probeControl) sources() []capture.Source {
	p.nb.mu.Lock()
	defer p.nb.mu.Unlock()
	return append([]capture.Source(nil), p.nb.sources...)
}

// sourceType is af_packet, pcap or file: capture files are
// *capture.FileSource, interfaces are typed by their configuration.
func (p *probeControl) sourceType(s capture.Source) string {
	if _, ok := s.(*capture.FileSource); ok {
		return "file"
	}
	for _, in := range p.nb.config().Interfaces {
		if in.Device == s.Name() {
			if in.Type != "" {
				return in.Type
			}
			if runtime.GOOS == "linux" {
				return "af_packet"
			}
			return "pcap"
		}
	}
	return "file"
}

// selected returns the controllable sources named by args["source"] (all
// when empty or "all"). A named source that cannot be controlled is an
// error; "all" skips capture files.
func (p *probeControl) selected(args map[string]string) ([]capture.Controllable, []string, error) {
	want := args["source"]
	var out []capture.Controllable
	var names []string
	for _, s := range p.sources() {
		if want != "" && want != "all" && s.Name() != want {
			continue
		}
		c, ok := s.(capture.Controllable)
		if !ok {
			if want != "" && want != "all" {
				return nil, nil, fmt.Errorf("source %q (%s) cannot be changed while it runs in this build", s.Name(), p.sourceType(s))
			}
			continue
		}
		out, names = append(out, c), append(names, s.Name())
	}
	if len(out) == 0 {
		if want != "" && want != "all" {
			return nil, nil, fmt.Errorf("no source %q: this probe captures %s", want, strings.Join(p.names(), ", "))
		}
		return nil, nil, errors.New("this probe has no source that can be changed while it runs")
	}
	return out, names, nil
}

func (p *probeControl) names() []string {
	var n []string
	for _, s := range p.sources() {
		n = append(n, s.Name())
	}
	return n
}

// Apply performs one action.
func (p *probeControl) Apply(action string, args map[string]string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch action {
	case "pause", "resume":
		srcs, names, err := p.selected(args)
		if err != nil {
			return "", err
		}
		for i, s := range srcs {
			f := s.Pause
			if action == "resume" {
				f = s.Resume
			}
			if err := f(); err != nil {
				return "", fmt.Errorf("%s of %s failed after %v: %w", action, names[i], names[:i], err)
			}
		}
		return fmt.Sprintf("%sd %s", action, strings.Join(names, ", ")), nil
	case "set_filter":
		expr, ok := args["filter"]
		if !ok {
			return "", errors.New(`set_filter needs args.filter (tcpdump syntax; "" captures everything)`)
		}
		if expr != "" { // validate before touching any source
			if _, err := capture.CompileFilter(1, 65535, expr); err != nil {
				return "", err
			}
		}
		srcs, names, err := p.selected(args)
		if err != nil {
			return "", err
		}
		old := make([]string, len(srcs))
		for i, s := range srcs {
			old[i] = s.Filter()
			if err := s.SetFilter(expr); err != nil {
				for j := i - 1; j >= 0; j-- { // roll back
					_ = srcs[j].SetFilter(old[j])
				}
				return "", err
			}
		}
		return fmt.Sprintf("filter of %s is now %q", strings.Join(names, ", "), expr), nil
	case "apply":
		return p.applyAction(args)
	case "set_mode":
		return p.setMode(args)
	case "add_interface":
		return p.addInterface(args)
	case "remove_interface":
		return p.removeInterface(args)
	}
	return "", fmt.Errorf("unknown action %q: use status, pause, resume, set_filter, set_mode, add_interface, remove_interface or apply", action)
}

// State is the data-path part of the heartbeat.
func (p *probeControl) State() control.Heartbeat {
	nb := p.nb
	cfg := nb.config()
	h := control.Heartbeat{Mode: cfg.Mode}
	type srcHash struct {
		Name, Filter string
		Paused       bool
	}
	var hs []srcHash
	for _, s := range p.sources() {
		st := s.Stats()
		ss := control.SourceState{Name: s.Name(), Type: p.sourceType(s), State: "running", Packets: st.Received, KernelDrops: st.Dropped}
		if c, ok := s.(capture.Controllable); ok {
			ss.Filter = c.Filter()
			if c.Paused() {
				ss.State = "paused"
			}
		}
		h.Sources = append(h.Sources, ss)
		hs = append(hs, srcHash{ss.Name, ss.Filter, ss.State == "paused"})
	}
	// The config hash covers the configuration and what commands changed.
	data, _ := json.Marshal(struct {
		Cfg     Config
		Sources []srcHash
	}{cfg, hs})
	sum := sha256.Sum256(data)
	h.ConfigHash = hex.EncodeToString(sum[:8])
	h.Published, h.Acked = nb.published.Load(), nb.acked.Load()
	if h.Published > h.Acked {
		h.QueueFill = h.Published - h.Acked
	}
	h.Output = "ok"
	p.smu.Lock()
	now := time.Now()
	if h.Acked != p.lastAcked || p.lastChange.IsZero() || h.QueueFill == 0 {
		p.lastAcked, p.lastChange = h.Acked, now
	} else if now.Sub(p.lastChange) > outputStalled {
		h.Output = "stalled"
	}
	p.smu.Unlock()
	return h
}
