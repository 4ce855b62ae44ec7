package beat

import (
	"sync"
	"time"

	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/flows"
)

// metrics exposes capture, decode and flow-table counters under the
// `netbeat` namespace of libbeat's stats registry (HTTP /stats, monitoring).
type metrics struct {
	mu      sync.Mutex
	workers []*worker
}

func newMetrics(stats *monitoring.Registry) *metrics {
	m := &metrics{}
	if stats == nil {
		return m
	}
	reg := stats.GetRegistry("netbeat")
	if reg == nil {
		reg = stats.NewRegistry("netbeat")
	}
	monitoring.NewFunc(reg, "capture", m.report, monitoring.Report)
	return m
}

type totals struct {
	cap    capture.Stats
	dec    decode.Stats
	flows  flows.Stats
	nflows int
}

func (m *metrics) totals() totals {
	m.mu.Lock()
	ws := append([]*worker(nil), m.workers...)
	m.mu.Unlock()
	var t totals
	t.flows.Ended = map[string]uint64{}
	for _, w := range ws {
		s := w.src.Stats()
		t.cap.Received += s.Received
		t.cap.Dropped += s.Dropped
		t.cap.IfDropped += s.IfDropped
		t.cap.Filtered += s.Filtered
		t.cap.FilterDrained += s.FilterDrained
		t.dec.Add(w.decodeStats())
		if w.table != nil {
			fs := w.table.Stats()
			t.flows.Created += fs.Created
			t.flows.Evicted += fs.Evicted
			t.flows.Reports += fs.Reports
			t.flows.NonIP += fs.NonIP
			t.flows.Active += fs.Active
			for k, v := range fs.Ended {
				t.flows.Ended[k] += v
			}
		}
	}
	return t
}

func (m *metrics) report(_ monitoring.Mode, v monitoring.Visitor) {
	t := m.totals()
	v.OnRegistryStart()
	defer v.OnRegistryFinished()
	put := func(k string, n uint64) { monitoring.ReportInt(v, k, int64(n)) }
	put("packets", t.cap.Received)
	put("kernel_dropped", t.cap.Dropped)
	put("if_dropped", t.cap.IfDropped)
	put("filtered", t.cap.Filtered)
	put("filter_drained", t.cap.FilterDrained)
	put("bytes", t.dec.Bytes)
	put("malformed", t.dec.Malformed)
	put("truncated", t.dec.Truncated)
	put("unsupported", t.dec.Unsupported)
	put("fragments", t.dec.Fragments)
	put("flows.created", t.flows.Created)
	put("flows.active", uint64(t.flows.Active))
	put("flows.evicted", t.flows.Evicted)
	put("flows.reports", t.flows.Reports)
	for k, n := range t.flows.Ended {
		put("flows.ended."+k, n)
	}
}

// logStatsEvery logs capture counters every stats.period, warning when the
// kernel or libpcap dropped packets since the last line. Drops are never silent.
func (nb *Netbeat) logStatsEvery(ws []*worker) chan struct{} {
	nb.metrics.mu.Lock()
	nb.metrics.workers = ws
	nb.metrics.mu.Unlock()
	if nb.cfg.StatsPeriod <= 0 {
		return make(chan struct{})
	}
	last := map[*worker]capture.Stats{} // only the ticking goroutine uses it
	return every(nb.cfg.StatsPeriod, func(time.Time) {
		for _, w := range ws {
			s, prev := w.src.Stats(), last[w]
			last[w] = s
			if d := s.Dropped + s.IfDropped - prev.Dropped - prev.IfDropped; d > 0 {
				nb.log.Warnf("capture %q dropped %d packets in the last %v (total kernel %d, interface %d): raise buffer_size_mb, add a bpf_filter or use flows mode only",
					w.src.Name(), d, nb.cfg.StatsPeriod, s.Dropped, s.IfDropped)
			}
			nb.log.Infof("capture %q: %d packets (+%d), kernel dropped %d, malformed %d", w.src.Name(), s.Received, s.Received-prev.Received, s.Dropped, w.decodeStats().Malformed)
		}
	})
}

func (nb *Netbeat) logSummary(ws []*worker) {
	for _, w := range ws {
		s, d := w.src.Stats(), w.decodeStats()
		nb.log.Infof("capture %q finished: %d packets, %d bytes, kernel dropped %d, interface dropped %d, filtered %d, filter drained %d, malformed %d, truncated %d, unsupported %d, fragments %d, flow records %d",
			w.src.Name(), s.Received, d.Bytes, s.Dropped, s.IfDropped, s.Filtered, s.FilterDrained, d.Malformed, d.Truncated, d.Unsupported, d.Fragments, w.flowPub)
		if w.table != nil {
			fs := w.table.Stats()
			nb.log.Infof("capture %q flow table: %d flows created, %d evicted (netbeat.flows.max_flows), %d interim reports, final records by reason %v, %d still active",
				w.src.Name(), fs.Created, fs.Evicted, fs.Reports, fs.Ended, fs.Active)
			if fs.Evicted > 0 {
				nb.log.Warnf("capture %q: %d flows were evicted because the flow table was full; their records end with reason \"evicted\" and later packets of the same 5-tuple start a new record: raise netbeat.flows.max_flows (about 550 bytes of memory per flow) or lower netbeat.flows.timeout",
					w.src.Name(), fs.Evicted)
			}
		}
		if s.Dropped+s.IfDropped > 0 {
			nb.log.Warnf("capture %q lost %d packets to kernel/interface drops", w.src.Name(), s.Dropped+s.IfDropped)
		}
	}
}
