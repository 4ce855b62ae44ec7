package geoip

import (
	"net"
	"net/netip"
)

// record is a decoded MMDB record; fields are read with path so that both
// MaxMind's schema (GeoLite2-City/Country/ASN) and ip-location-db's flat one
// (country_code, city, latitude, ...) work.
type record map[string]any

func (r record) path(keys ...any) any {
	var cur any = map[string]any(r)
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[k]
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			cur = l[k]
		}
	}
	return cur
}

func (r record) str(keys ...any) string { s, _ := r.path(keys...).(string); return s }

func (r record) num(keys ...any) (float64, bool) {
	switch v := r.path(keys...).(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case int:
		return float64(v), true
	}
	return 0, false
}

// skip reports addresses that have no public location.
func skip(a netip.Addr) bool {
	return !a.IsValid() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified() || a.IsInterfaceLocalMulticast() ||
		sharedSpace.Contains(a) // 100.64.0.0/10 carrier-grade NAT
}

var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// geo turns a city/country record into ECS geo fields.
func geo(r record) map[string]any {
	g := map[string]any{}
	set := func(k string, vs ...string) {
		for _, v := range vs {
			if v != "" {
				g[k] = v
				return
			}
		}
	}
	set("city_name", r.str("city", "names", "en"), r.str("city"))
	set("country_iso_code", r.str("country", "iso_code"), r.str("country_code"))
	set("country_name", r.str("country", "names", "en"))
	set("continent_code", r.str("continent", "code"))
	set("continent_name", r.str("continent", "names", "en"))
	set("timezone", r.str("location", "time_zone"), r.str("timezone"))
	set("region_name", r.str("subdivisions", 0, "names", "en"), r.str("state1"))
	set("region_iso_code", r.str("subdivisions", 0, "iso_code"))
	lat, ok1 := r.num("location", "latitude")
	lon, ok2 := r.num("location", "longitude")
	if !ok1 || !ok2 {
		lat, ok1 = r.num("latitude")
		lon, ok2 = r.num("longitude")
	}
	if ok1 && ok2 {
		g["location"] = map[string]any{"lat": lat, "lon": lon}
	}
	return g
}

func ipOf(a netip.Addr) net.IP { return net.IP(a.AsSlice()) }
