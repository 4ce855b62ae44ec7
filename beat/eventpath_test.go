//go:build !integration

package beat

import (
	"strings"
	"testing"

	conf "github.com/elastic/elastic-agent-libs/config"
)

// TestNeedMaps: packet events stay encoded only when no configured
// processor can look inside netbeat's fields.
func TestNeedMaps(t *testing.T) {
	for _, c := range []struct {
		yml  string
		maps bool
		why  string
	}{
		{"output.discard: {}", false, ""},
		{"processors:\n  - add_host_metadata:\n      when.not.contains.tags: forwarded", false, ""},
		{"processors:\n  - add_cloud_metadata: ~\n  - add_locale: ~", false, ""},
		{"processors:\n  - drop_fields: {fields: [frame.protocols]}", true, "drop_fields"},
		{"processors:\n  - add_host_metadata:\n      when.equals.network.transport: tcp", true, "condition on network"},
		{"processors:\n  - add_id:\n      when.or:\n        - has_fields: [tags]\n        - has_fields: [source.ip]", true, "source.ip"},
		{"processors:\n  - add_id:\n      when.and:\n        - equals.host.name: x\n        - contains.tags: y", false, ""},
		{"processors:\n  - plugin: {name: geoip}", true, "plugin"},
		{"fields_under_root: true\nfields: {network: x}", true, "fields_under_root"},
	} {
		cfg, err := conf.NewConfigWithYAML([]byte(c.yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		maps, why := needMaps(cfg)
		if maps != c.maps || !strings.Contains(why, c.why) {
			t.Errorf("%q: maps=%v (%q), want %v (%q)", c.yml, maps, why, c.maps, c.why)
		}
	}
}

// TestDiskQueueDetected: bundles are never made with a disk queue, at the
// top level or under the output.
func TestDiskQueueDetected(t *testing.T) {
	for yml, want := range map[string]bool{
		"queue.mem.events: 4096":                                  false,
		"queue.disk.max_size: 1GB":                                true,
		"output.franz:\n  hosts: [x]\n  queue.disk.max_size: 1GB": true,
		"output.franz.hosts: [x]":                                 false,
	} {
		cfg, err := conf.NewConfigWithYAML([]byte(yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		InspectProcessing(cfg)
		if got := currentPath().disk; got != want {
			t.Errorf("%q: disk queue %v, want %v", yml, got, want)
		}
	}
	InspectProcessing(nil)
}

// TestBundleSize: bundles shrink so that max_inflight packets fill the
// memory queue past flush.min_events.
func TestBundleSize(t *testing.T) {
	for yml, want := range map[string]int{
		"queue.mem: {events: 65536, flush.min_events: 2048, flush.timeout: 1s}": 16,
		"output.discard: {}": 20, // libbeat's defaults: 1600 events, 10 s
		"queue.mem: {events: 65536, flush.min_events: 2048, flush.timeout: 0s}":  64,
		"output.franz:\n  queue.mem: {flush.min_events: 256, flush.timeout: 1s}": 64,
	} {
		cfg, err := conf.NewConfigWithYAML([]byte(yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		InspectProcessing(cfg)
		if got := currentPath().bundleSize(64, 65536); got != want {
			t.Errorf("%q: bundle size %d, want %d", yml, got, want)
		}
	}
	InspectProcessing(nil)
}

// TestFlushMinCountsPackets: with bundles, the memory queue's
// flush.min_events is turned from documents (packets, flow records) into bundles in the configuration
// libbeat builds the queue from.
func TestFlushMinCountsPackets(t *testing.T) {
	m := "netbeat.mode: [packets, flows]\n"
	for yml, want := range map[string]int64{
		m + "output.franz.hosts: [x]\nqueue.mem: {events: 65536, flush.min_events: 4096, flush.timeout: 1s}":           64,
		m + "output.discard: {}\nqueue.mem: {flush.min_events: 2048, flush.timeout: 1s}\nnetbeat.packets.bundle: 16":   128,
		m + "output.file.path: /tmp\nqueue.mem: {flush.min_events: 4096, flush.timeout: 1s}":                           4096,
		m + "output.franz:\n  hosts: [x]\n  queue.mem: {flush.min_events: 4096, flush.timeout: 1s}":                    64,
		m + "output.franz.hosts: [x]\nqueue.mem: {flush.min_events: 4096}\nprocessors: [{drop_fields: {fields: [a]}}]": 4096,
		"netbeat.mode: [flows]\noutput.franz.hosts: [x]\nqueue.mem: {flush.min_events: 4096, flush.timeout: 1s}":       64, // flow records are bundled too
		"netbeat.mode: [packets]\noutput.franz.hosts: [x]\nqueue.mem: {flush.min_events: 4096, flush.timeout: 1s}":     64,
	} {
		cfg, err := conf.NewConfigWithYAML([]byte(yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		InspectProcessing(cfg)
		var got struct {
			Top int64 `config:"queue.mem.flush.min_events"`
			Out int64 `config:"output.franz.queue.mem.flush.min_events"`
		}
		if err := cfg.Unpack(&got); err != nil {
			t.Fatal(err)
		}
		if got.Top+got.Out != want {
			t.Errorf("%q: flush.min_events %d/%d, want %d", yml, got.Top, got.Out, want)
		}
	}
	InspectProcessing(nil)
}
