//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netbeat/netbeat/internal/nbtest"
)

var (
	buildOnce               sync.Once
	netbeatBin, misbehave   string
	misbehaveSum, buildErr_ string
	binDir                  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	nbtest.Cleanup()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func root(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = filepath.Dir(dir)
	}
}

// binaries builds netbeat and the misbehave test plugin once; a missing
// toolchain or capture fails the test (never skips).
func binaries(t *testing.T) {
	t.Helper()
	r := root(t)
	buildOnce.Do(func() {
		var err error
		if binDir, err = os.MkdirTemp("", "netbeat-plugins-it-"); err != nil {
			buildErr_ = err.Error()
			return
		}
		netbeatBin, misbehave = nbtest.Binary(t), filepath.Join(binDir, "misbehave")
		for out, pkg := range map[string]string{misbehave: "./plugins/host/testdata/misbehave"} {
			cmd := exec.Command("go", "build", "-o", out, pkg)
			cmd.Dir = r
			if b, err := cmd.CombinedOutput(); err != nil {
				buildErr_ = fmt.Sprintf("go build %s failed: %v\n%s", pkg, err, b)
				return
			}
		}
		b, _ := os.ReadFile(misbehave)
		s := sha256.Sum256(b)
		misbehaveSum = hex.EncodeToString(s[:])
	})
	if buildErr_ != "" {
		t.Fatal(buildErr_)
	}
}

func capture(t *testing.T, name string) string {
	p := filepath.Join(root(t), "testdata", "captures", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("capture missing: %v", err)
	}
	return p
}

// tsharkCount is the number of frames in the capture's tshark export.
func tsharkCount(t *testing.T, name string) int {
	b, err := os.ReadFile(capture(t, name) + ".tshark.tsv")
	if err != nil {
		t.Fatalf("tshark oracle missing: %v", err)
	}
	return strings.Count(strings.TrimSpace(string(b)), "\n") // minus the header line
}

type run struct {
	dir    string
	cmd    *exec.Cmd
	stderr bytes.Buffer
	err    error
}

// start runs netbeat on a capture with plugins (YAML under netbeat.plugins)
// and extra top-level YAML.
func start(t *testing.T, captureName, plugins, extra string) *run {
	t.Helper()
	binaries(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("netbeat:\n  plugins:\n%s\nqueue.mem:\n  flush.timeout: 100ms\noutput.file:\n  path: %s\n  filename: events\n  rotate_every_kb: 102400\n%s",
		indent(plugins, "    "), filepath.Join(dir, "out"), extra)
	if err := os.WriteFile(filepath.Join(dir, "netbeat.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &run{dir: dir}
	r.cmd = exec.Command(netbeatBin, "-e", "-c", filepath.Join(dir, "netbeat.yml"), "--path.home", dir, "--path.data", filepath.Join(dir, "data"),
		"--path.logs", dir, "-I", capture(t, captureName), "--mode", "packets")
	r.cmd.Stderr = &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *run) wait(t *testing.T) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case r.err = <-done:
	case <-time.After(120 * time.Second):
		r.cmd.Process.Kill()
		t.Fatalf("netbeat did not finish in 120s; log:\n%s", tail(r.stderr.String()))
	}
}

// waitOK waits for netbeat and fails the test if it exited with an error.
func (r *run) waitOK(t *testing.T) {
	t.Helper()
	r.wait(t)
	if r.err != nil {
		t.Fatalf("netbeat failed: %v\n%s", r.err, tail(r.stderr.String()))
	}
}

func indent(s, p string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i := range lines {
		lines[i] = p + lines[i]
	}
	return strings.Join(lines, "\n")
}

func tail(s string) string {
	if len(s) > 6000 {
		return s[len(s)-6000:]
	}
	return s
}

func (r *run) events(t *testing.T) []map[string]any {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(r.dir, "out", "events*.ndjson"))
	var out []map[string]any
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("bad output line: %v", err)
			}
			out = append(out, m)
		}
		fh.Close()
	}
	return out
}

func get(m map[string]any, key string) any {
	var cur any = m
	for _, k := range strings.Split(key, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func hasTag(m map[string]any, tag string) bool {
	tags, _ := m["tags"].([]any)
	for _, x := range tags {
		if x == tag {
			return true
		}
	}
	return false
}

func port(m map[string]any, k string) int {
	f, _ := get(m, k).(float64)
	return int(f)
}

const commentChain = `
- name: comment
  config:
    rules:
      - match: {ports: [8080]}
        tags: [web]
        add_fields: {labels.service: web}
      - match: {cidr: ["127.0.0.0/8"]}
        comment: loopback
`

// checkComment verifies the comment plugin's work on every event.
func checkComment(t *testing.T, evs []map[string]any) {
	t.Helper()
	for i, e := range evs {
		web := port(e, "source.port") == 8080 || port(e, "destination.port") == 8080
		if hasTag(e, "web") != web || (get(e, "labels.service") == "web") != web {
			t.Fatalf("event %d: web tag/label wrong (web=%v): tags=%v labels=%v", i, web, e["tags"], e["labels"])
		}
		lo := strings.HasPrefix(fmt.Sprint(get(e, "source.ip")), "127.") || strings.HasPrefix(fmt.Sprint(get(e, "destination.ip")), "127.")
		if (e["comment"] == "loopback") != lo {
			t.Fatalf("event %d: comment %v, loopback=%v", i, e["comment"], lo)
		}
	}
}

func TestCommentPluginInBeat(t *testing.T) {
	want := tsharkCount(t, "mixed.pcapng")
	r := start(t, "mixed.pcapng", "batch_size: 16\nlinger: 10ms\nchain:\n"+indent(commentChain, "  "),
		"processors:\n  - plugin:\n      name: comment\n      config:\n        rules:\n          - match: {ports: [53]}\n            tags: [dns-by-processor]\n")
	r.waitOK(t)
	evs := r.events(t)
	if len(evs) != want {
		t.Fatalf("%d events, want %d (tshark)", len(evs), want)
	}
	checkComment(t, evs)
	dns := 0
	for _, e := range evs {
		if hasTag(e, "dns-by-processor") {
			dns++
			if port(e, "source.port") != 53 && port(e, "destination.port") != 53 {
				t.Fatalf("processor tagged a non-DNS event: %v", e)
			}
		}
	}
	if dns == 0 {
		t.Errorf("the plugin processor tagged nothing")
	}
	if !strings.Contains(r.stderr.String(), `"log.logger":"plugin/comment"`) {
		t.Errorf("no log line under plugin/comment")
	}
}

// TestGroupPluginInBeat: comment and timebucket as members of one `group`
// plugin process give every event of a real capture the same tags, comments
// and time buckets as the plugins chained one by one, and lose none.
func TestGroupPluginInBeat(t *testing.T) {
	want := tsharkCount(t, "mixed.pcapng")
	r := start(t, "mixed.pcapng", "batch_size: 64\nlinger: 10ms\nchain:\n  - name: group\n    config:\n      plugins:\n"+
		indent(commentChain, "        ")+"\n        - name: timebucket\n          config: {timezone: Asia/Tokyo}\n", "")
	r.waitOK(t)
	evs := r.events(t)
	if len(evs) != want {
		t.Fatalf("%d events, want %d (tshark)", len(evs), want)
	}
	checkComment(t, evs)
	for i, e := range evs {
		ts, err := time.Parse(time.RFC3339Nano, fmt.Sprint(e["@timestamp"]))
		if err != nil {
			t.Fatalf("event %d: @timestamp %v: %v", i, e["@timestamp"], err)
		}
		tokyo := ts.In(time.FixedZone("JST", 9*3600))
		if h := get(e, "timebucket.hour"); fmt.Sprint(h) != strconv.Itoa(tokyo.Hour()) || get(e, "timebucket.weekday") != tokyo.Weekday().String() {
			t.Fatalf("event %d at %v: timebucket %v, want hour %d %s", i, ts, e["timebucket"], tokyo.Hour(), tokyo.Weekday())
		}
	}
	if !strings.Contains(r.stderr.String(), `"log.logger":"plugin/group"`) {
		t.Errorf("no log line under plugin/group")
	}
}

// childPID finds the plugin process (a child of netbeat) serving name.
func childPID(t *testing.T, parent int, match string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(parent) {
			continue
		}
		cl, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.Contains(strings.ReplaceAll(string(cl), "\x00", " "), match) {
			return pid
		}
	}
	return 0
}

func TestKill9PluginMidStreamLosesNothing(t *testing.T) {
	want := tsharkCount(t, "mixed.pcapng")
	binaries(t)
	// The slow test plugin (20 ms a batch of 2) keeps the stream going ~1 s.
	chain := fmt.Sprintf("batch_size: 2\nlinger: 5ms\nfailure_policy: retry\nbackoff.init: 50ms\nchain:\n%s\n  - name: slow\n    path: %s\n    sha256: \"%s\"\n    config: {mode: slow}",
		indent(commentChain, "  "), misbehave, misbehaveSum)
	r := start(t, "mixed.pcapng", chain, "")
	var killed int
	deadline := time.Now().Add(20 * time.Second)
	for killed == 0 && time.Now().Before(deadline) {
		if pid := childPID(t, r.cmd.Process.Pid, "plugin serve comment"); pid != 0 {
			time.Sleep(400 * time.Millisecond) // mid-stream
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatalf("kill -9 %d: %v", pid, err)
			}
			killed = pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	if killed == 0 {
		t.Fatal("comment plugin process not found")
	}
	r.waitOK(t)
	log := r.stderr.String()
	if !strings.Contains(log, "plugin started") || strings.Count(log, `"message":"plugin started","service.name":"netbeat","plugin":"comment"`) < 2 {
		t.Fatalf("comment plugin not restarted after kill -9 of pid %d:\n%s", killed, tail(log))
	}
	evs := r.events(t)
	if len(evs) != want {
		t.Fatalf("%d events after kill -9, want %d: events lost", len(evs), want)
	}
	checkComment(t, evs) // every event, including the batch in flight, was enriched
	for i, e := range evs {
		if !hasTag(e, "misbehave") || hasTag(e, "_plugin_failure_comment") {
			t.Fatalf("event %d: tags %v", i, e["tags"])
		}
	}
}

func TestFailingPlugins(t *testing.T) {
	want := tsharkCount(t, "mixed.pcapng")
	binaries(t)
	for _, tc := range []struct{ name, mode, extra string }{
		{"error", "error", "failure_policy: retry\nmax_retries: 1\n"},
		{"hang", "hang", "failure_policy: passthrough\ntimeout: 500ms\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chain := fmt.Sprintf("batch_size: 64\nlinger: 10ms\nbackoff.init: 50ms\n%schain:\n  - name: bad\n    path: %s\n    sha256: \"%s\"\n    config: {mode: %s}\n%s",
				tc.extra, misbehave, misbehaveSum, tc.mode, indent(commentChain, "  "))
			r := start(t, "mixed.pcapng", chain, "")
			r.waitOK(t)
			evs := r.events(t)
			if len(evs) != want {
				t.Fatalf("%d events, want %d", len(evs), want)
			}
			for i, e := range evs {
				if !hasTag(e, "_plugin_failure_bad") || hasTag(e, "misbehave") {
					t.Fatalf("event %d not passed through tagged: %v", i, e["tags"])
				}
			}
			checkComment(t, evs) // the rest of the chain still ran
			if !strings.Contains(r.stderr.String(), "passed through unchanged and tagged") {
				t.Errorf("failure not logged")
			}
		})
	}
}

func TestChecksumMismatchRefused(t *testing.T) {
	binaries(t)
	chain := fmt.Sprintf("chain:\n  - name: pinned\n    path: %s\n    sha256: \"%s\"\n", misbehave, strings.Repeat("0", 64))
	r := start(t, "mixed.pcapng", chain, "")
	r.wait(t)
	log := r.stderr.String()
	if r.err == nil {
		t.Fatalf("netbeat ran a plugin with a wrong checksum:\n%s", tail(log))
	}
	if !strings.Contains(log, "plugin/pinned: checksum mismatch") || !strings.Contains(log, "refusing to run it") {
		t.Fatalf("no clear checksum message:\n%s", tail(log))
	}
	if evs := r.events(t); len(evs) != 0 {
		t.Errorf("%d events published", len(evs))
	}
}

func TestPluginList(t *testing.T) {
	binaries(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("netbeat.plugins.chain:\n  - name: comment\n    config: {rules: [{match: {ports: [1]}, tags: [x]}]}\n  - name: pinned\n    path: %s\n    sha256: \"%s\"\n"+
		"processors:\n  - add_tags: {tags: [a]}\n  - plugin: {name: timebucket}\n", misbehave, strings.Repeat("0", 64))
	os.WriteFile(filepath.Join(dir, "netbeat.yml"), []byte(cfg), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, netbeatBin, "plugin", "list", "-c", filepath.Join(dir, "netbeat.yml")).CombinedOutput()
	s := string(out)
	if err == nil || !strings.Contains(s, "comment") || !strings.Contains(s, "running") && !strings.Contains(s, "stopped") || !strings.Contains(s, "checksum mismatch") {
		t.Fatalf("plugin list: err=%v\n%s", err, s)
	}
	// the `plugin` processor is listed too, under its place in processors
	found := false
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == "processors[1]" && f[2] == "timebucket" {
			found = f[3] == "running"
		}
	}
	if !found {
		t.Fatalf("plugin list does not show processors[1] timebucket with its state:\n%s", s)
	}
}

// TestScaffoldToRunningPlugin: `netbeat plugin new`, the module's own test,
// go build, then the plugin running in netbeat's chain.
func TestScaffoldToRunningPlugin(t *testing.T) {
	binaries(t)
	dir := filepath.Join(t.TempDir(), "webtag")
	if out, err := exec.Command(netbeatBin, "plugin", "new", "webtag", "--dir", dir, "--netbeat-src", root(t)).CombinedOutput(); err != nil {
		t.Fatalf("plugin new: %v\n%s", err, out)
	}
	gocmd := func(args ...string) {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	gocmd("test", "./...") // go.mod and go.sum as scaffolded: no go mod tidy needed
	gocmd("build", "-o", "webtag", ".")
	bin := filepath.Join(dir, "webtag")
	b, _ := os.ReadFile(bin)
	sum := sha256.Sum256(b)
	chain := fmt.Sprintf("chain:\n  - name: webtag\n    path: %s\n    sha256: \"%x\"\n    config: {port: 8080, tag: to-8080}\n", bin, sum)
	r := start(t, "mixed.pcapng", chain, "")
	r.waitOK(t)
	n := 0
	for _, e := range r.events(t) {
		if hasTag(e, "to-8080") != (port(e, "destination.port") == 8080) {
			t.Fatalf("scaffolded plugin mis-tagged %v", e)
		}
		if hasTag(e, "to-8080") {
			n++
		}
	}
	if n == 0 {
		t.Fatal("scaffolded plugin tagged nothing")
	}
}
