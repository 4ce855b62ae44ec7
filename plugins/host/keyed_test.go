package host

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// netProc is a keyed test processor: for "ip" it adds "where" (the /24 it
// lies in) and says the answer holds for that /24; for "port" (value key)
// it adds "service".
type netProc struct{ calls, probes int }

func (p *netProc) Configure(map[string]any) error { return nil }
func (p *netProc) Needs() []string                { return []string{"ip", "port"} }

func (p *netProc) Process(ctx context.Context, events []*sdk.Event) ([]*sdk.Event, error) {
	for u := range p.Units() {
		if err := p.ProcessUnit(ctx, u, events); err != nil {
			return nil, err
		}
	}
	return events, nil
}

func (p *netProc) Units() []sdk.Unit {
	return []sdk.Unit{
		{Name: "ip", Key: []sdk.KeyPart{{Field: "ip", Kind: sdk.KeyNetwork}}},
		{Name: "port", Key: []sdk.KeyPart{{Field: "port", Kind: sdk.KeyValue}}},
	}
}

func (p *netProc) ProcessUnit(_ context.Context, unit int, events []*sdk.Event) error {
	p.calls++
	p.probes += len(events)
	for _, e := range events {
		switch unit {
		case 0:
			a, err := netip.ParseAddr(e.Fields.String("ip"))
			if err != nil {
				continue
			}
			pf, _ := a.Prefix(24)
			e.Fields.Put("where", pf.String())
			e.AddTag("located")
			e.SetNetwork(pf)
		case 1:
			v, _ := e.Fields.GetValue("port")
			e.Fields.Put("service", fmt.Sprint("svc-", v))
		}
	}
	return nil
}

func keyedHost(t *testing.T, p *netProc, size int) *Host {
	t.Helper()
	h := newHost(t, &memLog{}, func(c *Config) { c.CacheSize = size },
		PluginConfig{Name: "net", InProcess: true})
	h.inproc = func(string) (sdk.Processor, error) { return p, nil }
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	return h
}

func netEvents(ips ...string) []*sdk.Event {
	out := make([]*sdk.Event, len(ips))
	for i, ip := range ips {
		out[i] = &sdk.Event{Timestamp: time.Now(), Fields: sdk.M{"ip": ip, "port": int64(53 + i%2)}}
	}
	return out
}

// The host answers addresses of a network it has an answer for without
// asking the plugin, and every event gets the answer of its own network.
func TestKeyedNetworkCache(t *testing.T) {
	p := &netProc{}
	h := keyedHost(t, p, 100)
	out := h.Process(netEvents("81.1.2.3", "81.1.2.200", "81.1.3.4", "bad", "81.1.2.3"))
	h.plugins[0].missPermille.Store(0) // 6 keys asked for 5 events: stay keyed all the same
	out = append(out, h.Process(netEvents("81.1.2.9", "81.1.3.250", "bad", "2001:db8::1"))...)
	want := []string{"81.1.2.0/24", "81.1.2.0/24", "81.1.3.0/24", "", "81.1.2.0/24", "81.1.2.0/24", "81.1.3.0/24", "", "2001:d00::/24"}
	for i, e := range out {
		if got := e.Fields.String("where"); got != want[i] {
			t.Errorf("event %d (%s): where %q, want %q", i, e.Fields.String("ip"), got, want[i])
		}
		if got, wantSvc := e.Fields.String("service"), fmt.Sprint("svc-", 53+i%5%2); i < 5 && got != wantSvc {
			t.Errorf("event %d: service %q, want %q", i, got, wantSvc)
		}
		if located := len(tags(e)) == 1; located != (want[i] != "") {
			t.Errorf("event %d: tags %v", i, tags(e))
		}
	}
	st := h.States()[0]
	// Batch 1 asks for 81.1.2.3, 81.1.2.200 (answers are stored when the
	// batch is done, so a batch dedupes by exact key only), 81.1.3.4, bad,
	// ports 53 and 54; its repeated 81.1.2.3 and 3 ports are hits. Batch 2
	// asks for 2001:db8::1 only: 81.1.2.9 and 81.1.3.250 take their /24's
	// answer, bad its own, the 4 ports theirs.
	if p.probes != 7 || st.CacheMisses != 7 || st.CacheHits != 11 {
		t.Errorf("probes %d, state %+v; want 7 probes, 7 misses, 11 hits", p.probes, st)
	}
}

// A full cache evicts (clock), counts it, and answers stay right.
func TestKeyedCacheEviction(t *testing.T) {
	p := &netProc{}
	h := keyedHost(t, p, 3)
	for round := 0; round < 2; round++ {
		out := h.Process(netEvents("1.0.0.1", "2.0.0.1", "3.0.0.1", "4.0.0.1", "5.0.0.1"))
		for i, e := range out {
			if got, want := e.Fields.String("where"), fmt.Sprintf("%d.0.0.0/24", i+1); got != want {
				t.Fatalf("round %d event %d: where %q, want %q", round, i, got, want)
			}
		}
	}
	if st := h.States()[0]; st.CacheEvictions == 0 || len(h.plugins[0].cache.slots) != 3 {
		t.Errorf("state %+v, %d slots", st, len(h.plugins[0].cache.slots))
	}
}

// cache_size 0: the plugin gets whole events (Process), nothing is counted.
func TestKeyedCacheOff(t *testing.T) {
	p := &netProc{}
	h := keyedHost(t, p, 0)
	out := h.Process(netEvents("81.1.2.3", "81.1.2.4"))
	if out[1].Fields.String("where") != "81.1.2.0/24" || p.probes != 4 {
		t.Errorf("events %v, %d probes", out[1].Fields, p.probes)
	}
	if st := h.States()[0]; st.CacheHits+st.CacheMisses != 0 {
		t.Errorf("state %+v", st)
	}
}

func TestCacheClock(t *testing.T) {
	c := newCache(2)
	c.put("a", nil, 0, 0)
	c.put("b", nil, 0, 0)
	c.get([]byte("a"), 0) // a used since the hand passed: b goes first
	c.put("c", nil, 0, 0)
	if _, ok := c.m["b"]; ok || c.evictions.Load() != 1 {
		t.Fatalf("b not evicted first: %v", c.m)
	}
	if _, ok := c.m["a"]; !ok {
		t.Fatalf("a evicted though used: %v", c.m)
	}
	c.put("t", nil, time.Second, 10) // expires at 10 ns + 1 s
	if s := c.slots[c.m["t"]]; s.expires != 10+int64(time.Second) {
		t.Fatalf("expiry %d", s.expires)
	}
	c.slots[c.m["t"]].a = nil
	if i := c.m["t"]; c.get([]byte("t"), 10+int64(time.Second)) != nil || c.slots[i].used {
		t.Fatalf("expired answer returned")
	}
}

// Keys that never repeat: after a batch that mostly missed, batches go the
// classic way (Process on whole events), every keyedRetry-th keyed again;
// the answers are the same either way.
func TestKeyedFallsBackWhenKeysDoNotRepeat(t *testing.T) {
	p := &netProc{}
	h := keyedHost(t, p, 1000)
	for b := 0; b < 2*keyedRetry; b++ {
		ips := make([]string, 10)
		for i := range ips {
			ips[i] = fmt.Sprintf("10.%d.%d.1", b, i) // a new /24 each
		}
		evs := netEvents(ips...)
		for i, e := range evs {
			e.Fields["port"] = int64(1000*b + i) // a new port each: 2 keys to ask per event
		}
		for i, e := range h.Process(evs) {
			if got, want := e.Fields.String("where"), fmt.Sprintf("10.%d.%d.0/24", b, i); got != want {
				t.Fatalf("batch %d event %d: where %q, want %q", b, i, got, want)
			}
		}
	}
	// Keyed: batch 0 and each keyedRetry-th after it; the others classic.
	st := h.States()[0]
	if keyed := st.CacheMisses / 20; keyed < 2 || keyed > 4 { // 10 addresses + 10 ports per keyed batch
		t.Errorf("%d misses: want 2 to 4 keyed batches of 32 (%+v)", st.CacheMisses, st)
	}
}
