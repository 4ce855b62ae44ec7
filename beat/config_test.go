//go:build !integration

package beat

import (
	"os"
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
		{"files: [{path: x.pcap}]\nshutdown_timeout: -1s", "netbeat.shutdown_timeout -1s is negative"},
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

func TestUnknownKeysAreErrors(t *testing.T) {
	for yml, want := range map[string]string{
		"files: [{path: x.pcap, sped: 1}]":             "unknown option netbeat.files.0.sped; did you mean speed?",
		"files: [{path: x.pcap}]\nmdoe: [flows]":       "unknown option netbeat.mdoe; did you mean mode?",
		"flows: {perod: 5s}":                           "unknown option netbeat.flows.perod; did you mean period?",
		"interfaces: [{device: lo, bpf_filer: tcp}]":   "unknown option netbeat.interfaces.0.bpf_filer; did you mean bpf_filter?",
		"stats.perod: 5s":                              "unknown option netbeat.stats.perod; did you mean period?",
		"prometheus: {enabeld: true}":                  "unknown option netbeat.prometheus.enabeld; did you mean enabled?",
		"plugins: {chain: [{name: geoip, confg: {}}]}": "unknown option netbeat.plugins.chain.0.confg; did you mean config?",
		"plugins: {failure_polcy: retry}":              "unknown option netbeat.plugins.failure_polcy; did you mean failure_policy?",
		"plugins.backoff.mx: 1s":                       "unknown option netbeat.plugins.backoff.mx; did you mean max?",
		"packets: {payload: {max_byte: 3}}":            "unknown option netbeat.packets.payload.max_byte; did you mean max_bytes?",
	} {
		raw, err := conf.NewConfigWithYAML([]byte(yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckKeys(raw); err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", yml, err, want)
		}
	}
}

func TestShippedConfigHasNoUnknownKeys(t *testing.T) {
	b, err := os.ReadFile("../netbeat.yml")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := conf.NewConfigWithYAML(b, "netbeat.yml")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := raw.Child("netbeat", -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckKeys(sub); err != nil {
		t.Errorf("netbeat.yml: %v", err)
	}
	all := `files: [{path: a, speed: 1, bpf_filter: tcp}]
interfaces: [{device: lo, type: pcap, snaplen: 9, buffer_size_mb: 1, bpf_filter: tcp, promiscuous: true}]
mode: [packets, flows]
packets: {fields: [a], payload.max_bytes: 3}
flows: {timeout: 30s, period: 10s, close_timeout: 2s, max_flows: 9}
community_id.seed: 1
stats.period: 1s
shutdown_timeout: 30s
prometheus: {enabled: true, host: h, port: 1}
plugins:
  chain: [{name: a, path: /x, args: [b], sha256: c, config: {any: {thing: 1}}, in_process: true}]
  batch_size: 1
  linger: 1s
  timeout: 1s
  failure_policy: retry
  max_retries: 1
  health_interval: 1s
  backoff: {init: 1s, max: 2s}
control.http: {enabled: true, host: h, port: 1, token_file: t, ssl: {certificate: c, key: k, certificate_authorities: [a]}}
`
	raw, err = conf.NewConfigWithYAML([]byte(all), "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckKeys(raw); err != nil {
		t.Errorf("every documented option: %v", err)
	}
}
