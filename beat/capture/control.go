package capture

// Controllable is a live source whose capture can be changed while it runs
// (remote control, beat/control). Its methods may be called from any
// goroutine while another reads the source. Frames already captured when a
// change is made are still delivered: only what the kernel accepts from
// then on changes.
type Controllable interface {
	// SetFilter compiles expr (tcpdump syntax; "" captures everything)
	// and, only if it compiles, makes it the source's filter. While the
	// source is paused the filter is kept and attached on Resume.
	SetFilter(expr string) error
	// Filter is the current filter expression.
	Filter() string
	// Pause makes the kernel accept no more frames; Resume attaches the
	// filter again.
	Pause() error
	Resume() error
	Paused() bool
}

// Drainer is a source that can stop after delivering every frame it has
// already captured (a reconfiguration then loses nothing).
type Drainer interface {
	CloseDrained() error
}
