package kafka

import (
	"time"

	gometrics "github.com/rcrowley/go-metrics"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"
	"github.com/elastic/elastic-agent-libs/monitoring/adapter"
)

// metricsNamespace is where makeFranz registers the output's own metrics in
// the default monitoring registry (next to libbeat's libbeat.output.*).
const metricsNamespace = "netbeat.kafka"

// metrics are the output's own counters. All methods are safe for
// concurrent use.
type metrics struct {
	produced        *monitoring.Uint // records handed to franz-go
	acked           *monitoring.Uint // records acknowledged by Kafka
	failed          *monitoring.Uint // records handed back for retry
	dropped         *monitoring.Uint // records dropped (encoding, auth, invalid)
	droppedOversize *monitoring.Uint // records dropped for exceeding max_message_bytes
	batches         *monitoring.Uint // Publish calls

	batchSize gometrics.Sample // events per Publish call
	latency   gometrics.Sample // ms from first Produce to last promise
}

// newMetrics registers the metrics in reg (metrics.* names are documented
// in README.md).
func newMetrics(reg *monitoring.Registry, log *logp.Logger) *metrics {
	m := &metrics{
		produced:        monitoring.NewUint(reg, "events.produced"),
		acked:           monitoring.NewUint(reg, "events.acked"),
		failed:          monitoring.NewUint(reg, "events.failed"),
		dropped:         monitoring.NewUint(reg, "events.dropped"),
		droppedOversize: monitoring.NewUint(reg, "events.dropped_oversize"),
		batches:         monitoring.NewUint(reg, "batches"),
		batchSize:       gometrics.NewUniformSample(1024),
		latency:         gometrics.NewUniformSample(1024),
	}
	_ = adapter.NewGoMetrics(reg, "batch_size", log, adapter.Accept).
		Register("histogram", gometrics.NewHistogram(m.batchSize))
	_ = adapter.NewGoMetrics(reg, "produce_latency_ms", log, adapter.Accept).
		Register("histogram", gometrics.NewHistogram(m.latency))
	return m
}

// defaultRegistry returns a fresh netbeat.kafka registry in
// monitoring.Default, replacing the one of a previous (reloaded) output.
func defaultRegistry() *monitoring.Registry {
	if monitoring.Default.GetRegistry(metricsNamespace) != nil {
		monitoring.Default.Remove(metricsNamespace)
	}
	return monitoring.Default.NewRegistry(metricsNamespace)
}

func (m *metrics) observeBatch(n int, took time.Duration) {
	m.batches.Inc()
	m.batchSize.Update(int64(n))
	m.latency.Update(took.Milliseconds())
}
