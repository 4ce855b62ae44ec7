package external

import (
	"testing"

	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/netbeat/netbeat/plugins/host"
)

// The data-path chain's counters, cache counts included, appear under
// netbeat.plugins.<name> of the stats registry.
func TestMetrics(t *testing.T) {
	hc := host.DefaultConfig()
	hc.Chain = []host.PluginConfig{{Name: "group", InProcess: true, Config: builtins(t)}}
	h, err := acquire(hc)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	enc, _ := pairs(t, "")
	h.Process(wrap(enc))
	h.Process(wrap(enc))
	reg := monitoring.NewRegistry()
	registerMetrics(reg)
	snap := monitoring.CollectFlatSnapshot(reg, monitoring.Full, false)
	if snap.Ints["netbeat.plugins.group.batches"] != 2 || snap.Ints["netbeat.plugins.group.cache.hits"] == 0 ||
		snap.Ints["netbeat.plugins.group.cache.misses"] == 0 {
		t.Fatalf("snapshot %v", snap.Ints)
	}
}
