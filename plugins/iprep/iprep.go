// Package iprep is the built-in `iprep` plugin: it tags events whose IP
// (exact or within a CIDR) or domain is on a local block list (plain or CSV
// files, reloaded when they change).
package iprep

import (
	"context"
	"net/netip"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Name of the plugin.
const Name = "iprep"

// IPRep is the plugin's Processor.
type IPRep struct {
	cfg     Config
	lists   []*list
	checked time.Time
}

// Configure loads every list; a missing or unreadable list is an error.
func (p *IPRep) Configure(raw map[string]any) error {
	cfg, err := parse(raw)
	if err != nil {
		return err
	}
	lists := make([]*list, len(cfg.Lists))
	for i, lc := range cfg.Lists {
		if lists[i], err = load(lc); err != nil {
			return err
		}
	}
	p.cfg, p.lists, p.checked = cfg, lists, time.Now()
	return nil
}

// Needs lists the IP and domain fields, tags and the target.
func (p *IPRep) Needs() []string {
	n := append(append([]string{}, p.cfg.IPFields...), p.cfg.DomainFields...)
	return append(n, "tags", p.cfg.Target)
}

// reload re-reads the lists whose files changed; a list that fails to load
// keeps its previous content.
func (p *IPRep) reload() {
	if time.Since(p.checked) < p.cfg.ReloadInterval {
		return
	}
	p.checked = time.Now()
	for i, l := range p.lists {
		if !l.changed() {
			continue
		}
		nl, err := load(l.cfg)
		if err != nil {
			sdk.Logger().Warn("reloading block list failed, keeping the previous one", "list", l.cfg.Name, "error", err)
			continue
		}
		p.lists[i] = nl
		sdk.Logger().Info("block list reloaded", "list", l.cfg.Name, "ips", len(nl.ips), "domains", len(nl.domains))
	}
}

// Process tags events with a block-listed IP or domain.
func (p *IPRep) Process(_ context.Context, events []*sdk.Event) ([]*sdk.Event, error) {
	p.reload()
	for _, e := range events {
		var lists, matched []string
		for _, f := range p.cfg.IPFields {
			a, err := netip.ParseAddr(e.Fields.String(f))
			if err != nil {
				continue
			}
			lists, matched = p.matchIP(e, a.Unmap(), lists, matched)
		}
		for _, f := range p.cfg.DomainFields {
			if d := e.Fields.String(f); d != "" {
				lists, matched = p.matchDomain(e, d, lists, matched)
			}
		}
		if len(lists) > 0 {
			e.Fields.Put(p.cfg.Target, map[string]any{"lists": lists, "matched": matched})
		}
	}
	return events, nil
}

// matchIP tags e for each list holding a and adds the matches.
func (p *IPRep) matchIP(e *sdk.Event, a netip.Addr, lists, matched []string) ([]string, []string) {
	for _, l := range p.lists {
		if l.hasIP(a) {
			e.AddTag(l.cfg.Tag)
			lists, matched = add(lists, l.cfg.Name), add(matched, a.String())
		}
	}
	return lists, matched
}

// matchDomain tags e for each list holding d (or a parent) and adds the matches.
func (p *IPRep) matchDomain(e *sdk.Event, d string, lists, matched []string) ([]string, []string) {
	for _, l := range p.lists {
		if l.hasDomain(d) {
			e.AddTag(l.cfg.Tag)
			lists, matched = add(lists, l.cfg.Name), add(matched, d)
		}
	}
	return lists, matched
}

func add(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
