package geoip

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// The network a keyed answer holds for never holds an address the plugin
// skips: a database covering 0.0.0.0/1 answers 81.38.2.1 for its /16 only
// (10.0.0.4, private, must not take that answer), a skipped address for its
// /24, and an address of 0.0.0.0/8 for itself.
func TestUnitNetworks(t *testing.T) {
	rec := mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("FR")}}
	city := writeDB(t, "GeoLite2-City", map[string]mmdbtype.Map{"0.0.0.0/1": rec, "128.0.0.0/1": rec})
	p := &GeoIP{}
	if err := p.Configure(map[string]any{"city_database": city}); err != nil {
		t.Fatal(err)
	}
	if units := p.Units(); len(units) != 2 || units[0].Key[0].Field != "source.ip" || units[0].Key[0].Kind != sdk.KeyNetwork {
		t.Fatalf("units %+v", units)
	}
	for ip, want := range map[string]string{"81.38.2.1": "81.38.0.0/16", "10.0.0.4": "10.0.0.0/24", "0.1.2.3": "0.1.2.3/32", "200.1.2.3": "200.1.0.0/16"} {
		e := &sdk.Event{Timestamp: time.Now(), Fields: sdk.M{"source.ip": ip}}
		if err := p.ProcessUnit(context.Background(), 0, []*sdk.Event{e}); err != nil {
			t.Fatal(err)
		}
		if got := e.Network(); got != netip.MustParsePrefix(want) {
			t.Errorf("%s: network %v, want %s", ip, got, want)
		}
		if _, geo := e.Fields.GetValue("source.geo"); geo != (ip != "10.0.0.4") {
			t.Errorf("%s: fields %v", ip, e.Fields)
		}
	}
}
