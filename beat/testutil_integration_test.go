//go:build integration

package beat_test

// Helpers of the whole-binary integration tests (beat_integration_test.go,
// live_integration_test.go): build the netbeat binary once per test binary,
// write configs, run netbeat, read its ndjson output and the tshark TSV oracles.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/netbeat/netbeat/internal/nbtest"
)

// TestMain removes the binary nbtest built.
func TestMain(m *testing.M) {
	code := m.Run()
	nbtest.Cleanup()
	os.Exit(code)
}

func repoRoot(t *testing.T) string { return nbtest.RepoRoot(t) }

// capturePath is a bundled capture in testdata/captures.
func capturePath(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(repoRoot(t), "testdata", "captures", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("bundled capture missing: %v", err)
	}
	return p
}

// netbeatBinary is the netbeat binary under test (see internal/nbtest).
func netbeatBinary(t *testing.T) string { return nbtest.Binary(t) }

// requireTool returns the absolute path of an external program or fails the test.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required by this integration test but is not installed: %v", name, err)
	}
	return p
}

// fileOutputConfig writes DIR/netbeat.yml: the given netbeat section, a fast
// queue flush and output.file into DIR/out. It returns the config path.
func fileOutputConfig(t *testing.T, dir, netbeatSection string) string {
	t.Helper()
	cfg := netbeatSection + fmt.Sprintf(`
queue.mem.flush.timeout: 100ms
output.file:
  path: %q
  filename: events
`, filepath.Join(dir, "out"))
	return writeFile(t, filepath.Join(dir, "netbeat.yml"), cfg)
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runResult is a finished netbeat process.
type runResult struct {
	code           int
	stdout, stderr string
}

// homeArgs keeps everything netbeat writes (registry, logs) in home.
func homeArgs(home string) []string {
	return []string{"--path.home", home, "--path.data", filepath.Join(home, "data"), "--path.logs", filepath.Join(home, "logs"), "--strict.perms=false"}
}

// runNetbeat runs the binary in dir to completion (at most 60 s) and returns
// its exit code and output. It fails the test only if netbeat cannot start or hangs.
func runNetbeat(t *testing.T, dir string, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, netbeatBinary(t), args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := runResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("netbeat %s did not exit within 60 s\nstderr:\n%s", strings.Join(args, " "), tail(res.stderr, 40))
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("starting netbeat failed: %v", err)
	}
	t.Logf("netbeat %s: exit %d in %s", strings.Join(args, " "), res.code, time.Since(start).Round(time.Millisecond))
	return res
}

// tail returns the last n lines of s, for failure messages.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// event is one decoded output event.
type event map[string]any

// get returns the value at a dotted path ("source.ip"), accepting both nested
// objects and dotted keys, or nil.
func (e event) get(path string) any {
	var cur any = map[string]any(e)
	rest := path
	for rest != "" {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		found := false
		// Longest dotted key first: "flows.ended" before "flows".
		parts := strings.Split(rest, ".")
		for i := len(parts); i > 0; i-- {
			k := strings.Join(parts[:i], ".")
			if v, ok := m[k]; ok {
				cur, rest, found = v, strings.Join(parts[i:], "."), true
				break
			}
		}
		if !found {
			return nil
		}
	}
	return cur
}

func (e event) str(path string) string {
	switch v := e.get(path).(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// num returns a numeric field, or -1 when it is missing or not a number.
func (e event) num(path string) int64 {
	if v, ok := e.get(path).(float64); ok {
		return int64(v)
	}
	return -1
}

// strs returns a string or list-of-strings field as a list.
func (e event) strs(path string) []string {
	switch v := e.get(path).(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func (e event) has(path, want string) bool {
	for _, s := range e.strs(path) {
		if s == want {
			return true
		}
	}
	return false
}

func (e event) isFlow() bool { return e.str("event.dataset") == "netbeat.flows" }

// parseNDJSON decodes one JSON object per non-empty line; any other line fails the test.
func parseNDJSON(t *testing.T, name, data string) []event {
	t.Helper()
	var out []event
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var e event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%s line %d is not a JSON object: %v\n%.300s", name, n, err, line)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return out
}

// readOutput returns the events output.file wrote into dir/out, in file order.
func readOutput(t *testing.T, dir string) []event {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "out", "events*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var all []event
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, parseNDJSON(t, f, string(b))...)
	}
	return all
}

// split separates packet events from flow records.
func split(events []event) (pkts, flows []event) {
	for _, e := range events {
		if e.isFlow() {
			flows = append(flows, e)
		} else {
			pkts = append(pkts, e)
		}
	}
	return pkts, flows
}

// tsvRows reads a capture's <file>.tshark.tsv oracle as column-name maps.
func tsvRows(t *testing.T, capture string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(capture + ".tshark.tsv")
	if err != nil {
		t.Fatalf("tshark oracle missing: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	head := strings.Split(lines[0], "\t")
	var rows []map[string]string
	for _, l := range lines[1:] {
		cols := strings.Split(l, "\t")
		row := map[string]string{}
		for i, h := range head {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// checkFrameNumbers asserts the packet events are frames 1..len(pkts) in order.
func checkFrameNumbers(t *testing.T, pkts []event) {
	t.Helper()
	for i, e := range pkts {
		if got := e.num("frame.number"); got != int64(i+1) {
			t.Fatalf("packet event %d has frame.number %d, want %d", i, got, i+1)
		}
	}
}
