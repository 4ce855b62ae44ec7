package iprep

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// An address on no list answers for the largest of /16, /20, /24, /28
// around it holding no listed entry; a listed one for itself (no network):
// every address of the network gets the same answer.
func TestUnitNetworks(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "block.txt"), []byte("81.1.2.3\n81.1.64.0/20\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &IPRep{}
	if err := p.Configure(map[string]any{"lists": []any{map[string]any{"path": filepath.Join(dir, "block.txt")}}}); err != nil {
		t.Fatal(err)
	}
	if u := p.Units(); len(u) != 5 || u[0].Key[0].Kind != sdk.KeyNetwork || u[2].Key[0].Kind != sdk.KeyValue || u[0].TTL != 5*time.Second {
		t.Fatalf("units %+v", u)
	}
	for ip, want := range map[string]string{
		"81.2.0.1":   "81.2.0.0/16", // no entry in 81.2/16
		"81.1.200.1": "81.1.192.0/20",
		"81.1.2.99":  "81.1.2.96/28",
		"81.1.2.3":   "",            // listed: the answer names it
		"81.1.70.1":  "",            // listed through 81.1.64.0/20
		"81.1.2.2":   "81.1.2.2/32", // every /28 around it holds 81.1.2.3
	} {
		e := &sdk.Event{Fields: sdk.M{"source.ip": ip}}
		if err := p.ProcessUnit(context.Background(), 0, []*sdk.Event{e}); err != nil {
			t.Fatal(err)
		}
		got := ""
		if n := e.Network(); n.IsValid() {
			got = n.String()
		}
		if got != want {
			t.Errorf("%s: network %q, want %q", ip, got, want)
		}
		listed := len(tagsOf(e)) > 0
		if listed != (want == "") {
			t.Errorf("%s: tags %v", ip, tagsOf(e))
		}
		if n := e.Network(); n.IsValid() {
			for _, other := range []netip.Addr{n.Addr(), lastAddr(n)} { // the network's ends answer the same
				o := &sdk.Event{Fields: sdk.M{"source.ip": other.String()}}
				_ = p.ProcessUnit(context.Background(), 0, []*sdk.Event{o})
				if len(tagsOf(o)) > 0 {
					t.Errorf("%s: %s in its network %s is listed", ip, other, n)
				}
			}
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
