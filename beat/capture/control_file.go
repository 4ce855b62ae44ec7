package capture

import (
	"sync"
	"sync/atomic"
	"time"
)

// fileControl is a FileSource's runtime state for remote control: a pause
// stops reading (the file waits; nothing is skipped) and a filter change
// applies from the next frame read.
type fileControl struct {
	mu       sync.Mutex
	expr     string
	resume   chan struct{} // non-nil while paused; closed by Resume or Close
	pausedAt time.Time
	paused   atomic.Bool
	// pausedNs is the time spent paused, which the pacing (speed) skips.
	pausedNs atomic.Int64
	flt      atomic.Pointer[filterBox] // set once SetFilter was called
}

type filterBox struct{ f Filter }

var _ Controllable = (*FileSource)(nil)

// WithFilterExpr records the expression the WithFilter filter was compiled
// from (reported by Filter; the heartbeat shows it).
func WithFilterExpr(expr string) FileOpt { return func(s *FileSource) { s.ctl.expr = expr } }

// currentFilter is the filter in effect: SetFilter's, else WithFilter's.
func (s *FileSource) currentFilter() Filter {
	if b := s.ctl.flt.Load(); b != nil {
		return b.f
	}
	return s.filter
}

// SetFilter compiles expr for the file's link type and, if it compiles,
// applies it from the next frame read ("" reads everything).
func (s *FileSource) SetFilter(expr string) error {
	var f Filter
	if expr != "" {
		var err error
		if f, err = CompileFilter(s.linkType, 262144, expr); err != nil {
			return err
		}
	}
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	s.ctl.flt.Store(&filterBox{f})
	s.ctl.expr = expr
	return nil
}

// Filter is the current filter expression.
func (s *FileSource) Filter() string {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.expr
}

// Pause makes ReadPacket wait before reading the next frame.
func (s *FileSource) Pause() error {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	if s.ctl.resume == nil {
		s.ctl.resume, s.ctl.pausedAt = make(chan struct{}), time.Now()
		s.ctl.paused.Store(true)
	}
	return nil
}

// Resume lets ReadPacket go on where it stopped.
func (s *FileSource) Resume() error {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	s.release()
	return nil
}

// release ends a pause; the caller holds ctl.mu.
func (s *FileSource) release() {
	if s.ctl.resume == nil {
		return
	}
	s.ctl.pausedNs.Add(int64(time.Since(s.ctl.pausedAt)))
	close(s.ctl.resume)
	s.ctl.resume = nil
	s.ctl.paused.Store(false)
}

// Paused reports whether Pause is in effect.
func (s *FileSource) Paused() bool { return s.ctl.paused.Load() }

// waitResumed blocks while the source is paused (until Resume or Close).
func (s *FileSource) waitResumed() {
	if !s.ctl.paused.Load() {
		return
	}
	s.ctl.mu.Lock()
	ch := s.ctl.resume
	s.ctl.mu.Unlock()
	if ch != nil {
		<-ch
	}
}
