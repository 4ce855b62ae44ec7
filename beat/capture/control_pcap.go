//go:build cgo || windows

package capture

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/gopacket/pcap"
)

// pcapControl is a PcapSource's runtime state for remote control.
//
// libpcap's pcap_setfilter re-filters, with the new filter, every frame
// still queued in its ring (Linux) or drops its buffer (Npcap, BSD), so a
// reject-all kernel filter set at the moment of a pause would discard
// frames captured before it. A pause is therefore made in two steps: from
// the pause on, the reader discards the frames the kernel stamped at or
// after the pause (counted as filtered) and delivers those stamped before;
// once the reader has passed the pause (a frame stamped after it, or no
// frame for pcapQuiet), the reject-all filter is set so the kernel stops
// copying frames. Resume sets the current filter again.
type pcapControl struct {
	// hmu serializes libpcap calls on the handle (reads and filter
	// changes; libpcap handles are not safe for concurrent use).
	hmu sync.Mutex
	// mu guards the fields below; taken before hmu.
	mu                  sync.Mutex
	expr                string
	paused              bool
	rejecting           bool      // the kernel has the reject-all filter
	pausedAt, resumedAt time.Time // the last pause window
	// window: frames may fall in a pause window (the reader checks
	// timestamps); cleared once a frame stamped after it is read.
	window    atomic.Bool
	discarded atomic.Uint64
}

// pcapQuiet is how long after a pause a read timeout proves that no frame
// captured before the pause is still on its way: longer than libpcap's
// ring block timeout (the poll timeout, 200 ms by default).
const pcapQuiet = time.Second

var pcapRejectAll = []pcap.BPFInstruction{{Code: 0x06, K: 0}} // ret #0

var _ Controllable = (*PcapSource)(nil)

// setKernel sets expr as libpcap's filter ("" accepts everything).
func (s *PcapSource) setKernel(expr string) error {
	s.ctl.hmu.Lock()
	defer s.ctl.hmu.Unlock()
	if s.closed.Load() {
		return errorf("%q is closed", s.name)
	}
	return s.h.SetBPFFilter(expr)
}

// SetFilter compiles expr and, only if it compiles, makes it libpcap's
// filter (kept for Resume while paused). Frames still queued in libpcap's
// ring are judged by the new filter (pcap_setfilter on Linux).
func (s *PcapSource) SetFilter(expr string) error {
	s.ctl.hmu.Lock()
	var err error
	if s.closed.Load() {
		err = errorf("%q is closed", s.name)
	} else {
		_, err = s.h.CompileBPFFilter(expr)
	}
	s.ctl.hmu.Unlock()
	if err != nil {
		return errorf("BPF filter %q is invalid for %q: %w", expr, s.name, err)
	}
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if !s.ctl.rejecting {
		if err := s.setKernel(expr); err != nil {
			return errorf("setting BPF filter %q on %q failed: %w", expr, s.name, err)
		}
	}
	s.ctl.expr = expr
	return nil
}

// Filter is the current filter expression.
func (s *PcapSource) Filter() string {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.expr
}

// Pause: frames stamped from now on are discarded; see pcapControl.
func (s *PcapSource) Pause() error {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if !s.ctl.paused {
		s.ctl.paused, s.ctl.pausedAt, s.ctl.resumedAt = true, time.Now(), time.Time{}
		s.ctl.window.Store(true)
	}
	return nil
}

// Resume sets the filter again; frames stamped from now on are delivered.
func (s *PcapSource) Resume() error {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if !s.ctl.paused {
		return nil
	}
	if s.ctl.rejecting {
		if err := s.setKernel(s.ctl.expr); err != nil {
			return errorf("resuming %q failed: %w", s.name, err)
		}
		s.ctl.rejecting = false
	}
	s.ctl.paused, s.ctl.resumedAt = false, time.Now()
	return nil
}

// Paused reports whether Pause is in effect.
func (s *PcapSource) Paused() bool {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.paused
}

// admit reports whether the reader delivers a frame stamped ts: not when
// it falls in a pause window. Called by the reader only.
func (s *PcapSource) admit(ts time.Time) bool {
	if !s.ctl.window.Load() {
		return true
	}
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if ts.Before(s.ctl.pausedAt) {
		return true
	}
	if !s.ctl.paused && !ts.Before(s.ctl.resumedAt) {
		s.ctl.window.Store(false) // past the window
		return true
	}
	s.ctl.discarded.Add(1)
	if s.ctl.paused {
		s.rejectLocked() // the reader is past the pause
	}
	return false
}

// idle is called by the reader after a read timeout.
func (s *PcapSource) idle() {
	if !s.ctl.window.Load() {
		return
	}
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if s.ctl.paused && time.Since(s.ctl.pausedAt) > pcapQuiet {
		s.rejectLocked()
	}
}

// rejectLocked sets the reject-all filter once per pause; ctl.mu is held.
// If it cannot be set, the reader keeps discarding by timestamp.
func (s *PcapSource) rejectLocked() {
	if s.ctl.rejecting {
		return
	}
	s.ctl.hmu.Lock()
	err := errorf("%q is closed", s.name)
	if !s.closed.Load() {
		err = s.h.SetBPFInstructionFilter(pcapRejectAll)
	}
	s.ctl.hmu.Unlock()
	s.ctl.rejecting = err == nil
}
