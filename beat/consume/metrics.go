package consume

import (
	"strconv"
	"sync/atomic"

	"github.com/elastic/elastic-agent-libs/monitoring"
)

// metrics are the consumer's counters, reported under netbeat.consume in
// libbeat's stats registry (/stats; /metrics as netbeat_consume_*).
type metrics struct {
	records      atomic.Uint64 // records polled
	published    atomic.Uint64 // events published to the pipeline
	acked        atomic.Uint64 // events acknowledged by the output
	bad          [3]atomic.Uint64
	deadLetters  atomic.Uint64 // bad records written to the dead-letter topic
	deadFailed   atomic.Uint64 // bad records the dead-letter topic refused
	commits      atomic.Uint64 // successful offset commits
	commitErrors atomic.Uint64
	rebalances   atomic.Uint64 // assignments received
}

var badReasons = [3]string{"not_json", "wrong_shape", "oversized"}

func (m *metrics) countBad(r string) {
	for i, n := range badReasons {
		if n == r {
			m.bad[i].Add(1)
		}
	}
}

// register reports m and t's partitions under netbeat.consume of reg.
func (m *metrics) register(reg *monitoring.Registry, t *tracker) {
	if reg == nil {
		return
	}
	nb := reg.GetRegistry("netbeat")
	if nb == nil {
		nb = reg.NewRegistry("netbeat")
	}
	if nb.Get("consume") != nil {
		nb.Remove("consume")
	}
	monitoring.NewFunc(nb, "consume", func(_ monitoring.Mode, v monitoring.Visitor) {
		v.OnRegistryStart()
		defer v.OnRegistryFinished()
		u := func(k string, x uint64) { monitoring.ReportInt(v, k, int64(x)) } //nolint:gosec // counters
		u("records", m.records.Load())
		u("events.published", m.published.Load())
		u("events.acked", m.acked.Load())
		monitoring.ReportInt(v, "inflight", int64(t.inFlight()))
		monitoring.ReportNamespace(v, "bad", func() {
			for i, n := range badReasons {
				u(n, m.bad[i].Load())
			}
		})
		monitoring.ReportNamespace(v, "dead_letter", func() {
			u("written", m.deadLetters.Load())
			u("failed", m.deadFailed.Load())
		})
		u("commits", m.commits.Load())
		u("commit_errors", m.commitErrors.Load())
		u("rebalances", m.rebalances.Load())
		monitoring.ReportNamespace(v, "partitions", func() {
			for _, p := range t.stats() {
				monitoring.ReportNamespace(v, p.topic+"."+strconv.Itoa(int(p.part)), func() {
					monitoring.ReportInt(v, "lag", p.lag)
					monitoring.ReportInt(v, "consumer_lag", p.consumerLag)
					monitoring.ReportInt(v, "committed", p.committed)
					monitoring.ReportInt(v, "high_watermark", p.hw)
					monitoring.ReportInt(v, "inflight", p.inq)
				})
			}
		})
	}, monitoring.Report)
}
