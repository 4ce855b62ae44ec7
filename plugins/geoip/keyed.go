package geoip

import (
	"context"
	"net"
	"net/netip"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Units: one per target, keyed on the network of <target>.ip: the answer
// holds for the smallest of the networks the databases hold the address's
// records for, so the host reuses it for every address of that network.
func (p *GeoIP) Units() []sdk.Unit {
	units := make([]sdk.Unit, 0, len(p.keys))
	for _, k := range p.keys {
		units = append(units, sdk.Unit{Name: "geoip " + k.ip, Key: []sdk.KeyPart{{Field: k.ip, Kind: sdk.KeyNetwork}}})
	}
	return units
}

// ProcessUnit adds the geo and AS fields of one target, as Process does,
// and the network they hold for.
func (p *GeoIP) ProcessUnit(_ context.Context, unit int, events []*sdk.Event) error {
	k := p.keys[unit]
	for _, e := range events {
		a, err := netip.ParseAddr(e.Fields.String(k.ip))
		if err != nil {
			continue
		}
		a = a.Unmap()
		if skip(a) {
			// Every IPv4 range skip covers (10/8, 172.16/12, 192.168/16,
			// 127/8, 169.254/16, 224/4, 100.64/10) is a /16 or wider, so
			// the address's /24 is skipped too; 0.0.0.0 is alone in 0/8.
			if a.Is4() && a.As4()[0] != 0 {
				pf, _ := a.Prefix(24)
				e.SetNetwork(pf)
			}
			continue
		}
		r, err := p.lookup(a)
		if err != nil {
			return err
		}
		if r.geo != nil {
			e.Fields.Put(k.geo, copyMap(r.geo))
		}
		if r.as != nil {
			e.Fields.Put(k.as, copyMap(r.as))
		}
		if pf, ok := p.network(a); ok {
			e.SetNetwork(pf)
		}
	}
	return nil
}

// network returns the smallest of the networks the databases hold a's
// records (or its absence) for, narrowed so that it holds no address the
// plugin skips (a database may cover 0.0.0.0/1, private ranges included):
// every range skip covers is a /16 or wider in IPv4 and a /10 or wider in
// IPv6, except the unspecified and loopback addresses in 0.0.0.0/8 and
// ::/8, whose networks are the address alone. ok is false when one cannot
// tell.
func (p *GeoIP) network(a netip.Addr) (netip.Prefix, bool) {
	if b := a.AsSlice(); b[0] == 0 {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	minBits := 16
	if a.Is6() {
		minBits = 10
	}
	best := netip.Prefix{}
	for _, db := range p.dbs {
		n, _, err := db.LookupNetwork(ipOf(a), &struct{}{})
		if err != nil || n == nil {
			return netip.Prefix{}, false
		}
		pf, ok := prefixOf(n)
		if !ok || !pf.Contains(a) {
			return netip.Prefix{}, false
		}
		if !best.IsValid() || pf.Bits() > best.Bits() {
			best = pf
		}
	}
	if best.IsValid() && best.Bits() < minBits {
		best, _ = a.Prefix(minBits)
	}
	return best, best.IsValid()
}

func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	addr, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	addr = addr.Unmap()
	if addr.Is4() && ones > 32 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(addr, ones), true
}
