//go:build !integration

package cmd

import (
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/config"

	nbeat "github.com/netbeat/netbeat/beat"
	fileout "github.com/netbeat/netbeat/beat/outputs/file"
)

// TestFileRoute: output.file with the default JSON codec (from the config
// file, -E settings or both) is routed to netbeat's file output, keeping
// its options; with another codec, several outputs or the output disabled,
// libbeat's file output runs; the choice is recorded for the startup log.
func TestFileRoute(t *testing.T) {
	for _, tc := range []struct {
		file, settings string
		fast           bool   // output.file renamed
		choice         string // in FileOutputChoice ("" none)
	}{
		{file: "output.file: {path: /tmp/x, filename: ev, rotate_every_kb: 4}", fast: true, choice: "netbeat's"},
		{file: "output.file.codec.json: {pretty: false}", fast: true, choice: "netbeat's"},
		{file: "output.file.path: /tmp/x", settings: "output.file.filename: ev", fast: true, choice: "netbeat's"},
		{settings: "output.file: {path: /tmp/x}", fast: true, choice: "netbeat's"},
		{file: "output.file.codec.format.string: '%{[message]}'", choice: "codec.format"},
		{file: "output.file.codec.json.pretty: true", choice: "libbeat's"},
		{file: "output.file.path: /tmp/x", settings: "output.file.codec.format.string: x", choice: "libbeat's"},
		{file: "output.file: {path: /tmp/x, enabled: false}"},
		{file: "output.file.path: /tmp/x\noutput.console: {}"},
		{file: "output.console: {}"},
	} {
		nbeat.FileOutputChoice = ""
		file, settings := yml(t, tc.file), yml(t, tc.settings)
		override := fileRoute()
		routeFileOutput(file, settings)
		merged, err := config.MergeConfigs(file, settings)
		if err != nil {
			t.Fatal(err)
		}
		if got := merged.HasField("output") && has(t, merged, "output."+fileout.TypeName); got != tc.fast {
			t.Errorf("%q + %q: routed %v, want %v", tc.file, tc.settings, got, tc.fast)
		}
		var beatCfg struct { // as libbeat reads the output type
			Output config.Namespace `config:"output"`
		}
		if err := merged.Unpack(&beatCfg); err == nil && tc.fast && beatCfg.Output.Name() != fileout.TypeName {
			t.Errorf("%q + %q: libbeat would run output.%s", tc.file, tc.settings, beatCfg.Output.Name())
		}
		if tc.fast {
			if has(t, merged, "output.file") {
				t.Errorf("%q + %q: output.file left beside output.%s", tc.file, tc.settings, fileout.TypeName)
			}
			if tc.file != "" && strings.Contains(tc.file, "/tmp/x") {
				if p, err := merged.String("output."+fileout.TypeName+".path", -1); err != nil || p != "/tmp/x" {
					t.Errorf("%q: path %q, %v", tc.file, p, err)
				}
			}
		}
		if !strings.Contains(nbeat.FileOutputChoice, tc.choice) || (tc.choice == "") != (nbeat.FileOutputChoice == "") {
			t.Errorf("%q + %q: choice %q, want it to say %q", tc.file, tc.settings, nbeat.FileOutputChoice, tc.choice)
		}
		if override.Check(config.NewConfig()) {
			t.Error("the route override must merge nothing")
		}
	}
	nbeat.FileOutputChoice = ""
}

func yml(t *testing.T, s string) *config.C {
	t.Helper()
	c, err := config.NewConfigWithYAML([]byte(s), "test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func has(t *testing.T, c *config.C, path string) bool {
	t.Helper()
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, err := c.Child(p, -1)
		if err != nil {
			return false
		}
		c = sub
	}
	return c.HasField(parts[len(parts)-1])
}
