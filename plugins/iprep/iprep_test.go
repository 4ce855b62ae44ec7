package iprep

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/sdktest"
)

func cfg(dir string) map[string]any {
	return map[string]any{"reload_interval": "1ms", "lists": []any{
		map[string]any{"path": filepath.Join(dir, "block.txt")},
		map[string]any{"name": "feed", "path": filepath.Join(dir, "feed.csv"), "format": "csv", "column": int64(0), "tag": "bad-feed"},
	}}
}

func tagsOf(e *sdk.Event) []string { v, _ := e.Fields.GetValue("tags"); s, _ := v.([]string); return s }

func TestMatches(t *testing.T) {
	h := sdktest.New(t, &IPRep{}, cfg("testdata"))
	ts := time.Now()
	out, err := h.Process(
		sdktest.Event(ts, "source.ip", "10.0.0.1", "destination.ip", "203.0.113.7"),
		sdktest.Event(ts, "source.ip", "198.51.100.200", "destination.ip", "10.0.0.1"),
		sdktest.Event(ts, "source.ip", "2001:db8:bad:1::5", "destination.ip", "::ffff:192.0.2.66"),
		sdktest.Event(ts, "source.ip", "10.0.0.1", "dns.question.name", "www.EVIL.example."),
		sdktest.Event(ts, "source.ip", "10.0.0.1", "url.domain", "malware.test"),
		sdktest.Event(ts, "source.ip", "10.0.0.1", "destination.ip", "8.8.8.8", "dns.question.name", "notevil.example"),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"blocklist:block"}, {"blocklist:block"}, {"blocklist:block", "bad-feed"}, {"blocklist:block"}, {"bad-feed"}, nil}
	for i, w := range want {
		if got := tagsOf(out[i]); !reflect.DeepEqual(got, w) {
			t.Errorf("event %d: tags %v, want %v", i, got, w)
		}
	}
	if m, _ := out[0].Fields.GetValue("iprep.matched"); !reflect.DeepEqual(m, []string{"203.0.113.7"}) {
		t.Errorf("iprep.matched = %v", m)
	}
}

func TestReloadWhenChanged(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "block.txt"), []byte("203.0.113.7\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "feed.csv"), []byte("x\n"), 0o644)
	h := sdktest.New(t, &IPRep{}, cfg(dir))
	ev := func() *sdk.Event { return sdktest.Event(time.Now(), "source.ip", "192.0.2.1") }
	out, _ := h.Process(ev())
	if tagsOf(out[0]) != nil {
		t.Fatalf("tagged before the list changed: %v", tagsOf(out[0]))
	}
	os.WriteFile(filepath.Join(dir, "block.txt"), []byte("203.0.113.7\n192.0.2.0/24\n"), 0o644)
	time.Sleep(5 * time.Millisecond)
	out, _ = h.Process(ev())
	if got := tagsOf(out[0]); !reflect.DeepEqual(got, []string{"blocklist:block"}) {
		t.Fatalf("list not reloaded: tags %v", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []map[string]any{{}, {"lists": []any{map[string]any{"path": "testdata/missing.txt"}}},
		{"lists": []any{map[string]any{"path": "testdata/block.txt", "format": "xml"}}}} {
		if _, err := sdktest.Configure(t, &IPRep{}, c); err == nil {
			t.Errorf("config %v accepted", c)
		}
	}
}
