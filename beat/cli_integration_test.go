//go:build integration

package beat_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorsAreReportedOnce: the error that ends netbeat appears once on
// stderr, even with the log on stderr (-e), without repeated prefixes.
func TestErrorsAreReportedOnce(t *testing.T) {
	for name, c := range map[string]struct {
		yml  string
		args []string
		want string // a distinctive part of the message
	}{
		"damaged capture": {"netbeat.mode: [packets]\noutput.console: {}\n",
			[]string{"-I", capturePath(t, "truncated.pcap")}, "reading packet 6"},
		"directory as -I": {"netbeat.mode: [packets]\noutput.console: {}\n",
			[]string{"-I", t.TempDir()}, "is a directory"},
		"invalid config": {"netbeat.files: [{path: " + capturePath(t, "http4.pcap") + "}]\nnetbeat.mode: [bogusmode]\noutput.console: {}\n",
			nil, "bogusmode"},
		"plugin that cannot start": {"netbeat.files: [{path: " + capturePath(t, "http4.pcap") + "}]\nnetbeat.plugins.chain: [{name: nosuchplugin}]\noutput.console: {}\n",
			nil, "Exiting: plugin/nosuchplugin: starting"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, filepath.Join(dir, "netbeat.yml"), c.yml)
			args := append(append([]string{"-e", "-c", cfg}, c.args...), homeArgs(dir)...)
			res := runNetbeat(t, dir, args...)
			if res.code == 0 {
				t.Fatalf("exit 0, want non-zero\n%s", tail(res.stderr, 10))
			}
			if n := strings.Count(res.stderr, "Exiting:"); n != 1 {
				t.Errorf("\"Exiting:\" appears %d times on stderr, want once:\n%s", n, tail(res.stderr, 10))
			}
			if n := strings.Count(res.stderr, c.want); n != 1 {
				t.Errorf("%q appears %d times on stderr, want once:\n%s", c.want, n, tail(res.stderr, 10))
			}
			for _, bad := range []string{"netbeat: netbeat:", "capture: capture", "kafka output: reading the configuration failed: kafka output:",
				"connecting to the publisher pipeline failed: plugin"} {
				if strings.Contains(res.stderr, bad) {
					t.Errorf("stderr repeats a prefix (%q):\n%s", bad, tail(res.stderr, 10))
				}
			}
		})
	}
}

// TestHelpShowsOnlyNetbeatFlags: --help hides libbeat's --plugin (Go .so
// plugins, not netbeat's), setup --help hides Filebeat's module flags.
func TestHelpShowsOnlyNetbeatFlags(t *testing.T) {
	dir := t.TempDir()
	res := runNetbeat(t, dir, "--help")
	if res.code != 0 || !strings.Contains(res.stdout, "--mode") || strings.Contains(res.stdout, "--plugin") {
		t.Errorf("--help: exit %d, want --mode and no --plugin:\n%s", res.code, res.stdout)
	}
	res = runNetbeat(t, dir, "setup", "--help")
	if res.code != 0 || !strings.Contains(res.stdout, "--kafka-topics") {
		t.Fatalf("setup --help: exit %d:\n%s", res.code, res.stdout)
	}
	for _, bad := range []string{"--pipelines", "--enable-all-filesets", "--force-enable-module-filesets", "Ingest pipelines", "--plugin"} {
		if strings.Contains(res.stdout, bad) {
			t.Errorf("setup --help offers %s:\n%s", bad, res.stdout)
		}
	}
}
