// Package geoip is the built-in `geoip` plugin: it adds city, country and
// ASN fields (ECS source.geo.*, source.as.*, and the same for destination)
// from MaxMind-format MMDB files. Private, loopback, link-local and other
// non-routable addresses are skipped.
package geoip

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Name of the plugin.
const Name = "geoip"

// GeoIP is the plugin's Processor.
type GeoIP struct {
	cfg   Config
	dbs   []*maxminddb.Reader // city or country first, then ASN
	cache map[offsets]result
	keys  []targetKeys // per target: the fields read and written
}

type targetKeys struct{ ip, geo, as string }

type result struct {
	geo map[string]any
	as  map[string]any
}

// Configure opens the databases.
func (p *GeoIP) Configure(raw map[string]any) error {
	cfg, err := parse(raw)
	if err != nil {
		return err
	}
	p.Close()
	for _, path := range []string{cfg.CityDB, cfg.CountryDB, cfg.ASNDB} {
		if path == "" {
			continue
		}
		db, err := maxminddb.Open(path)
		if err != nil {
			p.Close()
			return fmt.Errorf("geoip: opening %s failed: %w", path, err)
		}
		p.dbs = append(p.dbs, db)
	}
	if len(p.dbs) > len(offsets{}) {
		return fmt.Errorf("geoip: at most %d databases", len(offsets{}))
	}
	p.cfg, p.cache = cfg, make(map[offsets]result, 1024)
	p.keys = p.keys[:0]
	for _, t := range cfg.Targets {
		p.keys = append(p.keys, targetKeys{ip: t + ".ip", geo: t + ".geo", as: t + ".as"})
	}
	return nil
}

// Close closes the databases.
func (p *GeoIP) Close() error {
	for _, db := range p.dbs {
		db.Close()
	}
	p.dbs = nil
	return nil
}

// Needs lists <target>.ip for each target.
func (p *GeoIP) Needs() []string {
	n := make([]string, 0, len(p.cfg.Targets))
	for _, t := range p.cfg.Targets {
		n = append(n, t+".ip")
	}
	return n
}

// offsets identifies the networks an address falls in, one per database.
type offsets [3]uintptr

// lookup returns the fields for a; results are cached per combination of
// networks (a few thousand at most), so most lookups are tree walks only.
func (p *GeoIP) lookup(a netip.Addr) (result, error) {
	var key offsets
	ip := ipOf(a)
	for i, db := range p.dbs {
		off, err := db.LookupOffset(ip)
		if err != nil {
			return result{}, fmt.Errorf("geoip: looking up %s failed: %w", a, err)
		}
		key[i] = off
	}
	if r, ok := p.cache[key]; ok {
		return r, nil
	}
	var res result
	geoFields := map[string]any{}
	for i, db := range p.dbs {
		if key[i] == maxminddb.NotFound {
			continue
		}
		var rec record
		if err := db.Decode(key[i], &rec); err != nil {
			return res, fmt.Errorf("geoip: decoding the record of %s failed: %w", a, err)
		}
		for k, v := range geo(rec) {
			if _, dup := geoFields[k]; !dup {
				geoFields[k] = v
			}
		}
		if n, ok := rec.num("autonomous_system_number"); ok && res.as == nil {
			res.as = map[string]any{"number": int64(n)}
			if org := rec.str("autonomous_system_organization"); org != "" {
				res.as["organization"] = map[string]any{"name": org}
			}
		}
	}
	if len(geoFields) > 0 {
		res.geo = geoFields
	}
	if len(p.cache) >= p.cfg.CacheSize {
		clear(p.cache)
	}
	p.cache[key] = res
	return res, nil
}

// Process adds geo and AS fields to each target with a public address.
func (p *GeoIP) Process(_ context.Context, events []*sdk.Event) ([]*sdk.Event, error) {
	for _, e := range events {
		for _, k := range p.keys {
			a, err := netip.ParseAddr(e.Fields.String(k.ip))
			if err != nil || skip(a.Unmap()) {
				continue
			}
			r, err := p.lookup(a.Unmap())
			if err != nil {
				return nil, err
			}
			if r.geo != nil {
				e.Fields.Put(k.geo, copyMap(r.geo))
			}
			if r.as != nil {
				e.Fields.Put(k.as, copyMap(r.as))
			}
		}
	}
	return events, nil
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
