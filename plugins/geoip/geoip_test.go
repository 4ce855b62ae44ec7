package geoip

import (
	"reflect"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/netbeat/netbeat/internal/nbtest"
	"github.com/netbeat/netbeat/plugins/sdk/sdktest"
)

// writeDB writes an MMDB with the given networks (nbtest.WriteMMDB).
func writeDB(t *testing.T, typ string, nets map[string]mmdbtype.Map) string {
	return nbtest.WriteMMDB(t, typ, nets)
}

func names(en string) mmdbtype.Map { return mmdbtype.Map{"en": mmdbtype.String(en)} }

func testDBs(t *testing.T) (city, asn string) {
	paris := mmdbtype.Map{
		"city":      mmdbtype.Map{"names": names("Paris")},
		"country":   mmdbtype.Map{"iso_code": mmdbtype.String("FR"), "names": names("France")},
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU"), "names": names("Europe")},
		"location":  mmdbtype.Map{"latitude": mmdbtype.Float64(48.8534), "longitude": mmdbtype.Float64(2.3488), "time_zone": mmdbtype.String("Europe/Paris")},
	}
	city = writeDB(t, "GeoLite2-City", map[string]mmdbtype.Map{
		"81.0.0.0/8": paris, "2a01::/16": paris,
		"10.0.0.0/8": paris, // private: must be skipped even though present
	})
	asn = writeDB(t, "GeoLite2-ASN", map[string]mmdbtype.Map{
		"81.0.0.0/8": {"autonomous_system_number": mmdbtype.Uint32(3215), "autonomous_system_organization": mmdbtype.String("Orange")},
	})
	return city, asn
}

func TestLookup(t *testing.T) {
	city, asn := testDBs(t)
	h := sdktest.New(t, &GeoIP{}, map[string]any{"city_database": city, "asn_database": asn})
	out, err := h.Process(
		sdktest.Event(time.Now(), "source.ip", "10.1.2.3", "destination.ip", "81.2.3.4"),
		sdktest.Event(time.Now(), "source.ip", "2a01:e0a::1", "destination.ip", "192.168.1.1"),
		sdktest.Event(time.Now(), "source.ip", "8.8.8.8", "destination.ip", "127.0.0.1"),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"city_name": "Paris", "country_iso_code": "FR", "country_name": "France", "continent_code": "EU",
		"continent_name": "Europe", "timezone": "Europe/Paris", "location": map[string]any{"lat": 48.8534, "lon": 2.3488}}
	if g, _ := out[0].Fields.GetValue("destination.geo"); !reflect.DeepEqual(g, want) {
		t.Errorf("destination.geo = %v", g)
	}
	if n, _ := out[0].Fields.GetValue("destination.as.number"); n != int64(3215) {
		t.Errorf("destination.as.number = %v", n)
	}
	if o, _ := out[0].Fields.GetValue("destination.as.organization.name"); o != "Orange" {
		t.Errorf("as org = %v", o)
	}
	if c, _ := out[1].Fields.GetValue("source.geo.city_name"); c != "Paris" {
		t.Errorf("IPv6 lookup: %v", out[1].Fields)
	}
	for i, k := range []string{"source.geo", "destination.geo", "source.geo", "destination.geo"} {
		e := out[[]int{0, 1, 2, 2}[i]]
		if _, ok := e.Fields.GetValue(k); ok {
			t.Errorf("%s set for a private or unknown address: %v", k, e.Fields)
		}
	}
}

func TestFlatSchema(t *testing.T) { // ip-location-db's *-mmdb layout
	db := writeDB(t, "ip-location-db", map[string]mmdbtype.Map{"81.0.0.0/8": {
		"city": mmdbtype.String("Lyon"), "country_code": mmdbtype.String("FR"),
		"latitude": mmdbtype.Float32(45.75), "longitude": mmdbtype.Float32(4.85)}})
	h := sdktest.New(t, &GeoIP{}, map[string]any{"city_database": db})
	out, _ := h.Process(sdktest.Event(time.Now(), "source.ip", "81.1.1.1"))
	if c := out[0].Fields.String("source.geo.city_name"); c != "Lyon" {
		t.Errorf("flat schema: %v", out[0].Fields)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []map[string]any{{}, {"city_database": "testdata/none.mmdb"}} {
		if _, err := sdktest.Configure(t, &GeoIP{}, c); err == nil {
			t.Errorf("config %v accepted", c)
		}
	}
}
