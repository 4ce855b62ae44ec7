package host

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"

	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

var misbehave, misbehaveSum string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hosttest")
	if err != nil {
		panic(err)
	}
	misbehave = filepath.Join(dir, "misbehave")
	if out, err := exec.Command("go", "build", "-o", misbehave, "./testdata/misbehave").CombinedOutput(); err != nil {
		panic("building the test plugin failed: " + err.Error() + "\n" + string(out))
	}
	b, _ := os.ReadFile(misbehave)
	s := sha256.Sum256(b)
	misbehaveSum = hex.EncodeToString(s[:])
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type memLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *memLog) add(lvl, msg string, kv []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	parts := []string{lvl, msg}
	for _, x := range kv {
		parts = append(parts, toString(x))
	}
	l.lines = append(l.lines, strings.Join(parts, " "))
}

func toString(x any) string {
	if s, ok := x.(string); ok {
		return s
	}
	return strings.TrimSpace(strings.ReplaceAll(strings.Trim(strings.ReplaceAll(fmtAny(x), "\n", " "), " "), "  ", " "))
}

func fmtAny(x any) string {
	return strings.TrimSpace(strings.Join([]string{func() string { return sprint(x) }()}, ""))
}

func (l *memLog) Debugw(m string, kv ...any) { l.add("DEBUG", m, kv) }
func (l *memLog) Infow(m string, kv ...any)  { l.add("INFO", m, kv) }
func (l *memLog) Warnw(m string, kv ...any)  { l.add("WARN", m, kv) }
func (l *memLog) Errorw(m string, kv ...any) { l.add("ERROR", m, kv) }

func (l *memLog) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.lines {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

func newHost(t *testing.T, log *memLog, mutate func(*Config), plugins ...PluginConfig) *Host {
	t.Helper()
	cfg := DefaultConfig()
	cfg.BatchSize, cfg.Linger, cfg.Timeout = 50, 5*time.Millisecond, 2*time.Second
	cfg.BackoffInit, cfg.HealthInterval = 20*time.Millisecond, 100*time.Millisecond
	cfg.Chain = plugins
	if mutate != nil {
		mutate(&cfg)
	}
	h, err := New(cfg, WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func mb(name, mode string) PluginConfig {
	return PluginConfig{Name: name, Path: misbehave, SHA256: misbehaveSum, Config: map[string]any{"mode": mode, "after": int64(0)}}
}

// mbk is mb with keyed units (protocol 3): answers cached by n.
func mbk(name, mode string) PluginConfig {
	pc := mb(name, mode)
	pc.Config["keyed"] = true
	return pc
}

func events(n int) []*sdk.Event {
	out := make([]*sdk.Event, n)
	for i := range out {
		out[i] = &sdk.Event{Timestamp: time.Now(), Fields: sdk.M{"n": int64(i), "other": map[string]any{"keep": "me"}}}
	}
	return out
}

func tags(e *sdk.Event) []string { v, _ := e.Fields.GetValue("tags"); s, _ := v.([]string); return s }

func TestChainAndLogs(t *testing.T) {
	log := &memLog{}
	h := newHost(t, log, nil, mb("a", "ok"), mb("b", "ok"))
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	out := h.Process(events(10))
	if len(out) != 10 {
		t.Fatalf("got %d events", len(out))
	}
	for i, e := range out {
		if n, _ := e.Fields.GetValue("n"); n != int64(i) {
			t.Errorf("event %d out of order: n=%v", i, n)
		}
		if k, _ := e.Fields.GetValue("other.keep"); k != "me" {
			t.Errorf("event %d lost a field it did not send: %v", i, e.Fields)
		}
		if got := tags(e); len(got) != 1 || got[0] != "misbehave" {
			t.Errorf("event %d tags %v", i, got)
		}
	}
	if !log.has("misbehave configured") || !log.has("plugin/a") && !log.has(" a ") {
		t.Errorf("plugin log lines not forwarded under the plugin name: %v", log.lines)
	}
	for _, s := range h.States() {
		if s.Status != "running" || s.PID == 0 || s.Batches != 1 {
			t.Errorf("state %+v", s)
		}
	}
}

// Both paths: whole events (classic) and keyed lookups (protocol 3; every
// event has its own n, so every batch asks the plugin).
func TestKill9MidStreamLosesNothing(t *testing.T) {
	for _, keyed := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "keyed"}[keyed], func(t *testing.T) { kill9(t, keyed) })
	}
}

func kill9(t *testing.T, keyed bool) {
	log := &memLog{}
	pc := mb("slow", "slow")
	if keyed {
		pc = mbk("slow", "slow")
	}
	h := newHost(t, log, nil, pc)
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []*sdk.Event
	p := h.NewPipeline(func(b []*sdk.Event) { mu.Lock(); got = append(got, b...); mu.Unlock() }, nil)
	const n = 2000
	pid := h.States()[0].PID
	go func() {
		time.Sleep(150 * time.Millisecond)
		syscall.Kill(pid, syscall.SIGKILL)
	}()
	for _, e := range events(n) {
		p.Publish(e)
	}
	p.Close()
	if len(got) != n {
		t.Fatalf("got %d events, want %d", len(got), n)
	}
	for i, e := range got {
		if n, _ := e.Fields.GetValue("n"); n != int64(i) {
			t.Fatalf("event %d out of order: n=%v", i, n)
		}
		if tg := tags(e); len(tg) != 1 || tg[0] != "misbehave" {
			t.Fatalf("event %d not processed after the restart: tags %v", i, tg)
		}
	}
	st := h.States()[0]
	if st.Restarts < 1 || st.PID == pid || st.Failures != 0 || keyed != (st.CacheMisses >= n) {
		t.Errorf("state after kill -9: %+v", st)
	}
}

func TestHealthCheckRestartsIdlePlugin(t *testing.T) {
	h := newHost(t, &memLog{}, nil, mb("idle", "ok"))
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	pid := h.States()[0].PID
	syscall.Kill(pid, syscall.SIGKILL)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if s := h.States()[0]; s.Status == "running" && s.PID != pid {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("plugin not restarted by the health check: %+v", h.States()[0])
}

func TestFailurePolicies(t *testing.T) {
	for _, tc := range []struct {
		name, mode, policy string
		timeout            time.Duration
	}{
		{"error-retry", "error", PolicyRetry, time.Second},
		{"error-passthrough", "error", PolicyPassthrough, time.Second},
		{"hang", "hang", PolicyPassthrough, 300 * time.Millisecond},
		{"crash-loop", "exit_after", PolicyRetry, time.Second},
		{"keyed-error-retry", "error", PolicyRetry, time.Second},
		{"keyed-error-passthrough", "error", PolicyPassthrough, time.Second},
		{"keyed-hang", "hang", PolicyPassthrough, 300 * time.Millisecond},
		{"keyed-crash-loop", "exit_after", PolicyRetry, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := &memLog{}
			bad := mb("bad", tc.mode)
			if strings.HasPrefix(tc.name, "keyed") {
				bad = mbk("bad", tc.mode)
			}
			h := newHost(t, log, func(c *Config) { c.FailurePolicy, c.Timeout, c.MaxRetries = tc.policy, tc.timeout, 2 },
				bad, mb("good", "ok"))
			if err := h.Start(); err != nil {
				t.Fatal(err)
			}
			var out []*sdk.Event
			for i := 0; i < 2; i++ {
				out = h.Process(events(3))
			}
			if len(out) != 3 {
				t.Fatalf("got %d events, want 3", len(out))
			}
			want := []string{FailureTagPrefix + "bad", "misbehave"}
			if tg := tags(out[0]); strings.Join(tg, ",") != strings.Join(want, ",") {
				t.Errorf("tags %v, want %v", tg, want)
			}
			if !log.has("passed through unchanged and tagged") {
				t.Errorf("failure not logged: %v", log.lines)
			}
			if h.States()[0].Failures == 0 {
				t.Errorf("state %+v", h.States()[0])
			}
		})
	}
}

func TestChecksumMismatchRefused(t *testing.T) {
	pc := mb("pinned", "ok")
	pc.SHA256 = strings.Repeat("ab", 32)
	h := newHost(t, &memLog{}, nil, pc)
	err := h.Start()
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "plugin/pinned") || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("err = %v, want a checksum refusal naming the plugin", err)
	}
}

func TestConfigErrors(t *testing.T) {
	log := &memLog{}
	h := newHost(t, log, nil, mb("cfg", "bad_config"))
	if err := h.Start(); err == nil || !strings.Contains(err.Error(), "bad_config requested") {
		t.Fatalf("err = %v", err)
	}
	for _, c := range []Config{
		{Chain: []PluginConfig{{Name: "x", Path: "/bin/true"}}},
		{Chain: []PluginConfig{{Name: "x"}, {Name: "x"}}},
		{FailurePolicy: "drop"},
	} {
		d := DefaultConfig()
		if c.FailurePolicy != "" {
			d.FailurePolicy = c.FailurePolicy
		}
		d.Chain = c.Chain
		if _, err := New(d); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

// A plugin answer that does not decode (found only when the pipeline's
// last step decodes it) restarts the plugin and sends the batch again, or,
// with passthrough, passes it on tagged: never lost.
func TestMalformedAnswer(t *testing.T) {
	for _, policy := range []string{PolicyRetry, PolicyPassthrough} {
		t.Run(policy, func(t *testing.T) {
			log := &memLog{}
			h := newHost(t, log, func(c *Config) { c.FailurePolicy = policy }, mb("m", "ok"))
			if err := h.Start(); err != nil {
				t.Fatal(err)
			}
			in, pid := h.plugins[0], h.States()[0].PID
			r := in.exchange(in.prepare(events(3)))
			if r.final || r.resp == nil {
				t.Fatalf("no answer to decode: %+v", r)
			}
			// What a broken plugin could send: no error, 5 events, then nothing.
			bad := new(shared.RawBatch)
			if err := encoding.GetCodecV2(shared.CodecName).Unmarshal(mem.BufferSlice{mem.SliceBuffer([]byte{0, 5, 1})}, bad); err != nil {
				t.Fatal(err)
			}
			r.resp = bad
			out := in.finish(r)
			if len(out) != 3 {
				t.Fatalf("got %d events, want 3", len(out))
			}
			want := "misbehave"
			if policy == PolicyPassthrough {
				want = FailureTagPrefix + "m"
			}
			for i, e := range out {
				if tg := tags(e); len(tg) != 1 || tg[0] != want {
					t.Fatalf("event %d: tags %v, want [%s]", i, tg, want)
				}
				if n, _ := e.Fields.GetValue("n"); n != int64(i) {
					t.Fatalf("event %d out of order: n=%v", i, n)
				}
			}
			if !log.has("decoding its answer failed") {
				t.Errorf("malformed answer not logged: %v", log.lines)
			}
			st := h.States()[0]
			switch policy {
			case PolicyRetry:
				if st.Restarts != 1 || st.PID == pid || st.Failures != 0 {
					t.Errorf("state after a malformed answer: %+v", st)
				}
			case PolicyPassthrough:
				if st.Failures != 1 {
					t.Errorf("state after a malformed answer: %+v", st)
				}
			}
		})
	}
}

// A plugin built with an SDK that speaks only protocol 1 (answers without
// the dictionary) or 1 and 2 (no keyed units) still works with this host,
// unkeyed; a current plugin negotiates 3 and is keyed.
func TestProtocolVersions(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{{nil, "protocol 3"}, {[]string{"-protocol2"}, "protocol 2"}, {[]string{"-protocol1"}, "protocol 1"}} {
		log := &memLog{}
		pc := mbk("m", "ok") // keyed where the plugin speaks protocol 3
		pc.Args = c.args
		h := newHost(t, log, nil, pc)
		if err := h.Start(); err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 3; round++ { // later batches refer to dictionary entries
			out := h.Process(events(20))
			if len(out) != 20 {
				t.Fatalf("%v: %d events, want 20", c.args, len(out))
			}
			for i, e := range out {
				if tg := tags(e); len(tg) != 1 || tg[0] != "misbehave" {
					t.Fatalf("%v: event %d tags %v", c.args, i, tg)
				}
				if pid, _ := e.Fields.GetValue("misbehave.pid"); pid != int64(h.States()[0].PID) {
					t.Fatalf("%v: event %d misbehave.pid %v, plugin pid %d", c.args, i, pid, h.States()[0].PID)
				}
				if keep, _ := e.Fields.GetValue("other.keep"); keep != "me" {
					t.Fatalf("%v: field the plugin never saw lost: %v", c.args, e.Fields)
				}
			}
		}
		if !log.has(c.want) {
			t.Errorf("%v: log has no %q: %v", c.args, c.want, log.lines)
		}
		st := h.States()[0]
		if keyed := c.want == "protocol 3"; keyed != log.has("cached true") || keyed != (st.CacheHits == 40 && st.CacheMisses == 20) {
			t.Errorf("%v: keyed path %v, but log %v, state %+v", c.args, keyed, log.lines, st)
		}
		h.Close()
	}
}
