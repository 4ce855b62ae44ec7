package iprep

import (
	"context"
	"net/netip"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Units: one per IP field, keyed on the address's network (an address on
// no list answers for the largest network around it that holds no listed
// entry; a listed one for itself, since the answer names it), and one per
// domain field, keyed on the domain. Answers are reused for at most
// reload_interval, so a reloaded list takes effect as without the cache.
func (p *IPRep) Units() []sdk.Unit {
	var units []sdk.Unit
	for _, f := range p.cfg.IPFields {
		units = append(units, sdk.Unit{Name: "iprep " + f, Key: []sdk.KeyPart{{Field: f, Kind: sdk.KeyNetwork}},
			TTL: p.cfg.ReloadInterval})
	}
	for _, f := range p.cfg.DomainFields {
		units = append(units, sdk.Unit{Name: "iprep " + f, Key: []sdk.KeyPart{{Field: f, Kind: sdk.KeyValue}},
			TTL: p.cfg.ReloadInterval})
	}
	return units
}

// ProcessUnit tags the events whose unit field is listed, as Process does
// for that field alone.
func (p *IPRep) ProcessUnit(_ context.Context, unit int, events []*sdk.Event) error {
	p.reload()
	for _, e := range events {
		var lists, matched []string
		if unit < len(p.cfg.IPFields) {
			a, err := netip.ParseAddr(e.Fields.String(p.cfg.IPFields[unit]))
			if err != nil {
				continue
			}
			lists, matched = p.matchIP(e, a.Unmap(), nil, nil)
			if len(lists) == 0 {
				e.SetNetwork(p.clearNetwork(a.Unmap()))
			}
		} else if d := e.Fields.String(p.cfg.DomainFields[unit-len(p.cfg.IPFields)]); d != "" {
			lists, matched = p.matchDomain(e, d, nil, nil)
		}
		if len(lists) > 0 {
			e.Fields.Put(p.cfg.Target, map[string]any{"lists": lists, "matched": matched})
		}
	}
	return nil
}

// clearLengths are the network sizes clearNetwork tries, largest first: a
// few, so that the host's cache tries few for each address.
var clearLengths = map[bool][]int{false: {16, 20, 24, 28}, true: {32, 48, 64, 96}}

// clearNetwork returns the largest network around a of clearLengths in
// which no list has an entry (the address alone when there is none).
func (p *IPRep) clearNetwork(a netip.Addr) netip.Prefix {
	for _, bits := range clearLengths[a.Is6()] {
		pf, _ := a.Prefix(bits)
		clear := true
		for _, l := range p.lists {
			if l.hasEntryIn(pf) {
				clear = false
				break
			}
		}
		if clear {
			return pf
		}
	}
	return netip.PrefixFrom(a, a.BitLen())
}
