package control

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

func newLoop(t testing.TB, k testKey, dir string, p Probe) *Loop {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Enabled, cfg.Keys = true, []KeyConfig{k.cfg}
	l, err := New(Options{Config: cfg, Probe: ProbeConfig{ID: "p1", Name: "one", Tags: []string{"site-a"}}, DataDir: dir,
		Log: testLogger(), Now: func() time.Time { return testNow }}, p)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRejections: every kind of bad command is rejected with its reason,
// counted, and never reaches the probe.
func TestRejections(t *testing.T) {
	k, other := newTestKey(t, "alice"), newTestKey(t, "mallory")
	p := &fakeProbe{}
	l := newLoop(t, k, t.TempDir(), p)

	tampered := encode(t, signed(k, "c-tamper", nil))
	var m map[string]any
	_ = json.Unmarshal(tampered, &m)
	m["action"] = "resume"
	tampered, _ = json.Marshal(m)

	forged := signed(k, "c-forged", nil)
	forged.Sign("alice", other.priv) // alice's id, mallory's key

	cases := []struct {
		name, reason string
		data         []byte
	}{
		{"garbage", ReasonMalformed, []byte("{not json")},
		{"unsigned", ReasonMalformed, []byte(`{"id":"x","issued_at":"2026-12-01T12:00:00Z","expires_at":"2026-12-01T12:01:00Z","target":{"all":true},"action":"pause","key_id":"alice"}`)},
		{"two targets", ReasonMalformed, encode(t, signed(k, "c-2t", func(c *Command) { c.Target.All = true }))},
		{"tampered", ReasonBadSignature, tampered},
		{"forged", ReasonBadSignature, encode(t, forged)},
		{"unknown key", ReasonUnknownKey, encode(t, signed(other, "c-unknown", nil))},
		{"expired", ReasonExpired, encode(t, signed(k, "c-exp", func(c *Command) {
			c.IssuedAt, c.ExpiresAt = testNow.Add(-2*time.Minute).Format(time.RFC3339), testNow.Add(-time.Second).Format(time.RFC3339)
		}))},
		{"too long", ReasonExpired, encode(t, signed(k, "c-ttl", func(c *Command) { c.ExpiresAt = testNow.Add(48 * time.Hour).Format(time.RFC3339) }))},
		{"future", ReasonFuture, encode(t, signed(k, "c-fut", func(c *Command) {
			c.IssuedAt, c.ExpiresAt = testNow.Add(time.Hour).Format(time.RFC3339), testNow.Add(2*time.Hour).Format(time.RFC3339)
		}))},
		{"other probe", ReasonNotAddressed, encode(t, signed(k, "c-other", func(c *Command) { c.Target = Target{Probe: "p2"} }))},
		{"other tag", ReasonNotAddressed, encode(t, signed(k, "c-tag", func(c *Command) { c.Target = Target{Tag: "site-b"} }))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := l.m.Rejected(tc.reason)
			r := l.Handle(tc.data, 7)
			if r.Status != Rejected || r.Reason != tc.reason {
				t.Fatalf("got %s/%s (%s), want rejected/%s", r.Status, r.Reason, r.Message, tc.reason)
			}
			if got := l.m.Rejected(tc.reason); got != before+1 {
				t.Fatalf("rejected.%s = %d, want %d", tc.reason, got, before+1)
			}
		})
	}
	if len(p.applied) != 0 {
		t.Fatalf("rejected commands reached the probe: %v", p.applied)
	}

	// A good one is applied once; the same record again is a replay.
	good := encode(t, signed(k, "c-good", func(c *Command) { c.Target = Target{Tag: "site-a"} }))
	if r := l.Handle(good, 8); r.Status != Applied || r.HashBefore != "h-" || r.HashAfter != "h-pause" {
		t.Fatalf("good command: %+v", r)
	}
	if r := l.Handle(good, 9); r.Status != Rejected || r.Reason != ReasonReplayed {
		t.Fatalf("replay: %+v", r)
	}
	if len(p.applied) != 1 {
		t.Fatalf("applied %v, want one pause", p.applied)
	}
}

// TestReplayAcrossRestart: the replay store lives on disk.
func TestReplayAcrossRestart(t *testing.T) {
	k, dir := newTestKey(t, "alice"), t.TempDir()
	good := encode(t, signed(k, "c-1", nil))
	p := &fakeProbe{}
	if r := newLoop(t, k, dir, p).Handle(good, 0); r.Status != Applied {
		t.Fatalf("first: %+v", r)
	}
	if r := newLoop(t, k, dir, p).Handle(good, 0); r.Status != Rejected || r.Reason != ReasonReplayed {
		t.Fatalf("after restart: %+v", r)
	}
	if len(p.applied) != 1 {
		t.Fatalf("applied %v", p.applied)
	}
}

// TestFailedAction: a probe error is a failed result, not an applied one.
func TestFailedAction(t *testing.T) {
	k := newTestKey(t, "alice")
	p := &fakeProbe{fail: errString("no such source")}
	r := newLoop(t, k, t.TempDir(), p).Handle(encode(t, signed(k, "c-f", nil)), 0)
	if r.Status != Failed || r.Message != "no such source" {
		t.Fatalf("%+v", r)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestPositionAndSeenFiles: both survive reopening; a damaged file is an
// error that says what to do.
func TestPositionAndSeenFiles(t *testing.T) {
	dir := t.TempDir()
	p, err := OpenPosition(filepath.Join(dir, "pos.json"), "cmds")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Set(0, 42); err != nil {
		t.Fatal(err)
	}
	p2, err := OpenPosition(filepath.Join(dir, "pos.json"), "cmds")
	if err != nil || p2.Next[0] != 42 {
		t.Fatalf("reopened: %v %v", p2.Next, err)
	}
	if p3, _ := OpenPosition(filepath.Join(dir, "pos.json"), "other"); len(p3.Next) != 0 {
		t.Fatalf("another topic kept offsets: %v", p3.Next)
	}
	writeTestFile(t, filepath.Join(dir, "seen.json"), "{broken")
	if _, err := OpenSeen(filepath.Join(dir, "seen.json")); err == nil || !contains(err.Error(), "remove it") {
		t.Fatalf("damaged replay store: %v", err)
	}
	s, _ := OpenSeen(filepath.Join(dir, "seen2.json"))
	if ok, _ := s.Add("a", testNow.Add(time.Minute), testNow); !ok {
		t.Fatal("first add refused")
	}
	if ok, _ := s.Add("b", testNow.Add(time.Hour), testNow.Add(2*time.Minute)); !ok || s.Len() != 1 {
		t.Fatalf("expired id not pruned: len %d", s.Len())
	}
}
