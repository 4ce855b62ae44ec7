package external

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/netbeat/netbeat/plugins/builtin"
	"github.com/netbeat/netbeat/plugins/host"
	"github.com/netbeat/netbeat/plugins/sdk"
)

// TestMain lets the test binary serve the built-ins as plugin processes
// (`<test binary> serve-builtin NAME`), as netbeat does with `plugin serve`.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == "serve-builtin" {
		p, err := builtin.New(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		sdk.Serve(p)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKeyedMatchesClassic: the four built-ins as one group, out of process,
// give the same documents with the host's answer cache (protocol 3: keyed
// lookups, answers spliced from the cache) as without it (cache_size 0:
// whole events to the plugin), on packets and flows of bundled captures and
// of generated public traffic, in both rounds (the second one answered
// from the cache); and the same as the group in process with the cache.
func TestKeyedMatchesClassic(t *testing.T) {
	cfg := builtins(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]*host.Host{}
	for _, v := range []struct {
		name   string
		size   int
		inproc bool
	}{{"cached", 65536, false}, {"classic", 0, false}, {"in-process", 65536, true}} {
		hc := host.DefaultConfig()
		hc.CacheSize = v.size
		hc.Chain = []host.PluginConfig{{Name: "group", InProcess: v.inproc, Config: cfg}}
		h, err := host.New(hc, host.WithInProcess(builtin.New),
			host.WithBuiltinCommand(exe, func(n string) []string { return []string{"serve-builtin", n} }))
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Start(); err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		hosts[v.name] = h
	}
	for round := 0; round < 2; round++ {
		got := map[string][]string{}
		for name, h := range hosts {
			var enc []*sdk.Event
			for _, c := range []string{"", "mixed.pcapng", "http4.pcap", "dns.pcap", "vlan.pcap", "frag.pcap"} {
				e, _ := pairs(t, c)
				enc = append(enc, wrap(e)...)
			}
			out := h.Process(enc)
			if len(out) != len(enc) {
				t.Fatalf("%s: %d events out, want %d", name, len(out), len(enc))
			}
			got[name] = docs(t, out)
		}
		for _, tag := range []string{`"night"`, `"later"`, `"blocklist:block"`, `"geo":{`} { // the rules' time windows and the other units did something
			n := 0
			for _, d := range got["classic"] {
				if strings.Contains(d, tag) {
					n++
				}
			}
			if n == 0 || n == len(got["classic"]) {
				t.Fatalf("%s in %d of %d documents: the test would not tell", tag, n, len(got["classic"]))
			}
		}
		for _, name := range []string{"cached", "in-process"} {
			for i := range got["classic"] {
				if got[name][i] != got["classic"][i] {
					t.Fatalf("round %d: %s: event %d differs\n %s: %s\n classic: %s", round, name, i, name, got[name][i], got["classic"][i])
				}
			}
		}
	}
	for name, h := range hosts {
		st := h.States()[0]
		if st.Status != "running" && st.Status != "running (in process)" {
			t.Errorf("%s: state %+v", name, st)
		}
		if cached := name != "classic"; cached != (st.CacheHits > st.CacheMisses) {
			t.Errorf("%s: cache hits %d, misses %d", name, st.CacheHits, st.CacheMisses)
		}
		t.Logf("%s: cache hits %d, misses %d, evictions %d", name, st.CacheHits, st.CacheMisses, st.CacheEvictions)
	}
}
