package external

import (
	"sync"

	"github.com/elastic/elastic-agent-libs/monitoring"
)

var metricsOnce sync.Once

// registerMetrics exposes the data-path chain's per-plugin counters under
// `netbeat.plugins.<name>` of libbeat's stats registry (HTTP /stats,
// monitoring): batches, failures, restarts and, for keyed plugins, the
// answer cache's hits, misses and evictions.
func registerMetrics(stats *monitoring.Registry) {
	if stats == nil {
		return
	}
	metricsOnce.Do(func() {
		reg := stats.GetRegistry("netbeat")
		if reg == nil {
			reg = stats.NewRegistry("netbeat")
		}
		monitoring.NewFunc(reg, "plugins", reportPlugins, monitoring.Report)
	})
}

func reportPlugins(_ monitoring.Mode, v monitoring.Visitor) {
	shared.Lock()
	h := shared.h
	shared.Unlock()
	v.OnRegistryStart()
	defer v.OnRegistryFinished()
	if h == nil {
		return
	}
	for _, st := range h.States() {
		monitoring.ReportNamespace(v, st.Name, func() {
			put := func(k string, n uint64) { monitoring.ReportInt(v, k, int64(n)) }
			put("batches", st.Batches)
			put("failures", st.Failures)
			put("restarts", uint64(st.Restarts))
			put("cache.hits", st.CacheHits)
			put("cache.misses", st.CacheMisses)
			put("cache.evictions", st.CacheEvictions)
		})
	}
}
