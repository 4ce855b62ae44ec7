package control

import (
	"github.com/elastic/elastic-agent-libs/monitoring"
)

// Metrics are the control plane's counters, under netbeat.control in
// libbeat's stats registry: received, applied, failed and
// rejected.<reason> for each of Reasons.
type Metrics struct {
	received, applied, failed *monitoring.Uint
	rejected                  map[string]*monitoring.Uint
}

// NewMetrics registers the counters in reg (nil: unregistered counters).
func NewMetrics(reg *monitoring.Registry) *Metrics {
	if reg == nil {
		reg = monitoring.NewRegistry()
	}
	m := &Metrics{
		received: monitoring.NewUint(reg, "received"),
		applied:  monitoring.NewUint(reg, "applied"),
		failed:   monitoring.NewUint(reg, "failed"),
		rejected: map[string]*monitoring.Uint{},
	}
	rej := reg.NewRegistry("rejected")
	for _, r := range Reasons {
		m.rejected[r] = monitoring.NewUint(rej, r)
	}
	return m
}

func (m *Metrics) reject(reason string) {
	if c, ok := m.rejected[reason]; ok {
		c.Inc()
	}
}

// Rejected is the count of rejections for reason.
func (m *Metrics) Rejected(reason string) uint64 { return m.rejected[reason].Get() }

func (m *Metrics) rejectedCounts() map[string]uint64 {
	out := map[string]uint64{}
	for r, c := range m.rejected {
		if n := c.Get(); n > 0 {
			out[r] = n
		}
	}
	return out
}
