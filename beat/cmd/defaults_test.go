//go:build !integration

package cmd

import (
	"testing"

	"github.com/elastic/elastic-agent-libs/config"

	nbeat "github.com/netbeat/netbeat/beat"
)

func TestQueueDefaults(t *testing.T) {
	for yml, want := range map[string]string{
		"netbeat.files: [{path: a}]\noutput.console: {}":                               fileFlushTimeout,
		"netbeat.interfaces: [{device: lo}]\noutput.console: {}":                       liveFlushTimeout,
		"netbeat.files: [{path: a}]\nnetbeat.interfaces: [{device: lo}]":               liveFlushTimeout,
		"netbeat.files: [{path: a}]\nqueue.mem.events: 10":                             "",
		"netbeat.files: [{path: a}]\noutput.franz: {hosts: [a], queue.disk: {}}":       "",
		"netbeat.interfaces: [{device: lo}]\noutput.file: {path: /tmp, queue.mem: {}}": "",
	} {
		c, err := config.NewConfigWithYAML([]byte(yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, o := range queueDefaults() {
			if o.Check(c) {
				if got != "" {
					t.Errorf("%s: two overrides apply", yml)
				}
				got, _ = o.Config.String("queue.mem.flush.timeout", -1)
			}
		}
		if got != want {
			t.Errorf("%s: flush.timeout default %q, want %q", yml, got, want)
		}
	}
	nbeat.ReadFile = "x.pcap"
	defer func() { nbeat.ReadFile = "" }()
	c := config.MustNewConfigFrom(map[string]any{"netbeat.interfaces": []any{map[string]any{"device": "lo"}}})
	if !fileOnly(c) {
		t.Error("-I replaces the interfaces: the run is file-only")
	}
}
