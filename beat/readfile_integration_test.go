//go:build integration

package beat_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// quickExit bounds a whole -I run of a small capture: start-up, reading and
// the last acknowledgement. libbeat's default 10 s queue flush would exceed it.
const quickExit = 4 * time.Second

// TestReadFileWithoutConfig: `netbeat -I FILE` in a folder without
// netbeat.yml runs with the built-in configuration (both modes, console
// output), writes nothing into the folder and exits quickly.
func TestReadFileWithoutConfig(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	res := runNetbeat(t, dir, "-I", capturePath(t, "mixed.pcapng"))
	took := time.Since(start)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, tail(res.stderr, 15))
	}
	pkts, flows := split(parseNDJSON(t, "stdout", res.stdout))
	if len(pkts) != 118 || len(flows) != 15 {
		t.Errorf("got %d packet events and %d flow records on stdout, want 118 and 15", len(pkts), len(flows))
	}
	if took > quickExit {
		t.Errorf("netbeat -I took %v, want under %v", took, quickExit)
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("netbeat -I wrote %d entries into the working folder (first %s)", len(left), left[0].Name())
	}

	// An explicit -c that does not exist is still an error.
	res = runNetbeat(t, dir, "-I", capturePath(t, "mixed.pcapng"), "-c", filepath.Join(dir, "missing.yml"))
	if res.code == 0 || !strings.Contains(res.stderr, "missing.yml") {
		t.Errorf("-c missing.yml: exit %d, want non-zero naming the file:\n%s", res.code, tail(res.stderr, 5))
	}
}

// TestMinimalConfigExitsQuickly: a config without queue settings does not
// wait out libbeat's 10 s flush timeout after the last packet of a file.
func TestMinimalConfigExitsQuickly(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "netbeat.yml"), "netbeat.files: [{path: "+capturePath(t, "mixed.pcapng")+"}]\noutput.console: {}\n")
	start := time.Now()
	res := runNetbeat(t, dir, append([]string{"-c", cfg}, homeArgs(dir)...)...)
	took := time.Since(start)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, tail(res.stderr, 15))
	}
	if _, flows := split(parseNDJSON(t, "stdout", res.stdout)); len(flows) != 15 {
		t.Errorf("got %d flow records, want 15", len(flows))
	}
	if took > quickExit {
		t.Errorf("netbeat with a minimal config took %v, want under %v", took, quickExit)
	}
}
