//go:build linux && cgo

package capture

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/bpf"
)

// acceptAll is "ret #262144": every frame, whole (no filter).
var acceptAll = []bpf.RawInstruction{{Op: 0x06, K: 262144}}

// filterControl is an AFPacketSource's runtime filter state.
type filterControl struct {
	mu      sync.Mutex
	expr    string
	snaplen int
	paused  bool
	// drainClose: ReadPacket returns ErrClosed once the ring is empty.
	drainClose atomic.Bool
}

var _ Controllable = (*AFPacketSource)(nil)

// attach sets prog on the socket, under the socket's lock (Stats and the
// reader's release share the descriptor).
func (s *AFPacketSource) attach(prog []bpf.RawInstruction) error {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	if s.sock.fd < 0 {
		return errorf("%q is closed", s.name)
	}
	return attachFilter(s.sock.fd, prog)
}

func (s *AFPacketSource) program(expr string) ([]bpf.RawInstruction, error) {
	if expr == "" {
		return acceptAll, nil
	}
	return compileRaw(1, s.ctl.snaplen, expr)
}

// SetFilter replaces the kernel filter. The socket keeps its ring: frames
// that passed the old filter are still read.
func (s *AFPacketSource) SetFilter(expr string) error {
	prog, err := s.program(expr)
	if err != nil {
		return err
	}
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if !s.ctl.paused {
		if err := s.attach(prog); err != nil {
			return errorf("attaching BPF filter %s on %q failed: %w", quote(expr), s.name, err)
		}
	}
	s.ctl.expr = expr
	return nil
}

// Filter is the current filter expression.
func (s *AFPacketSource) Filter() string {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.expr
}

// Pause attaches the reject-all filter.
func (s *AFPacketSource) Pause() error {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if s.ctl.paused {
		return nil
	}
	if err := s.attach(rejectAll); err != nil {
		return errorf("pausing %q failed: %w", s.name, err)
	}
	s.ctl.paused = true
	return nil
}

// Resume attaches the current filter again.
func (s *AFPacketSource) Resume() error {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if !s.ctl.paused {
		return nil
	}
	prog, err := s.program(s.ctl.expr)
	if err == nil {
		err = s.attach(prog)
	}
	if err != nil {
		return errorf("resuming %q failed: %w", s.name, err)
	}
	s.ctl.paused = false
	return nil
}

// Paused reports whether Pause is in effect.
func (s *AFPacketSource) Paused() bool {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.paused
}

// retireWait is how long after a pause the kernel has certainly retired
// the ring's current block (Retire_blk_tov is 10 ms).
const retireWait = 50 * time.Millisecond

// CloseDrained stops the capture without losing what it captured: it
// pauses (no new frame enters the ring), waits for the kernel to retire
// the current block, then lets the reader read every frame left in the
// ring before ReadPacket returns ErrClosed.
func (s *AFPacketSource) CloseDrained() error {
	err := s.Pause()
	time.Sleep(retireWait)
	s.ctl.drainClose.Store(true)
	return err
}
