//go:build !integration

package beat

import (
	"strings"
	"testing"

	conf "github.com/elastic/elastic-agent-libs/config"
)

func TestConfigErrorsSayWhatToFix(t *testing.T) {
	for _, c := range []struct {
		yml, want string
	}{
		{"mode: [flows]", "no capture source"},
		{"files: [{path: x.pcap}]\nmode: [pakets]", `netbeat.mode "pakets" is unknown`},
		{"interfaces: [{type: af_packet}]", "interfaces.0.device is empty"},
		{"interfaces: [{device: eth0, type: pfring}]", `type "pfring" is unknown`},
		{"files: [{path: x.pcap, speed: -1}]", "speed -1 is negative"},
		{"files: [{path: x.pcap}]\nflows: {timeout: 1s, close_timeout: 5s}", "close_timeout (5s) must be shorter"},
		{"files: [{path: x.pcap}]\npackets.payload.max_bytes: -3", "max_bytes must be >= 0"},
	} {
		raw, err := conf.NewConfigWithYAML([]byte(c.yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		cfg := defaultConfig()
		if err := raw.Unpack(&cfg); err != nil {
			t.Fatalf("%q: unpack: %v", c.yml, err)
		}
		err = cfg.Check()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.yml, err, c.want)
		}
	}
	ok := defaultConfig()
	ok.Files = []FileConfig{{Path: "x.pcap"}}
	if err := ok.Check(); err != nil {
		t.Errorf("default config with a file: %v", err)
	}
}
