// Package group is the built-in `group` plugin: it runs several built-in
// plugins one after the other inside one plugin process, so a batch crosses
// the process boundary once for the whole group instead of once per plugin.
// The host sends the union of the fields the members read and gets back
// only what the members changed, all of them together.
//
// The price is isolation: the members share one process, so a crash or hang
// of one restarts (and, with failure_policy passthrough, tags as
// `_plugin_failure_group`) the whole group. External plugins (path:) cannot
// be members: they are separate binaries.
package group

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/netbeat/netbeat/plugins/builtin"
	"github.com/netbeat/netbeat/plugins/sdk"
)

// Name of the plugin.
const Name = "group"

// Group is the plugin's Processor.
type Group struct {
	names   []string
	members []sdk.Processor
	needs   []string // nil: some member reads every field
	unitOf  [][2]int // per unit (Units): member and the member's unit
}

// Configure creates and configures every member, in order.
func (g *Group) Configure(raw map[string]any) error {
	cfg, err := parse(raw)
	if err != nil {
		return err
	}
	g.close()
	g.names, g.members = nil, nil
	union, all := map[string]bool{}, false
	for _, m := range cfg.Plugins {
		p, err := builtin.New(m.Name)
		if err != nil {
			return fmt.Errorf("group: %w", err)
		}
		if err := p.Configure(m.Config); err != nil {
			return fmt.Errorf("group: configuring %s failed: %w", m.Name, err)
		}
		g.names, g.members = append(g.names, m.Name), append(g.members, p)
		fr, ok := p.(sdk.FieldReader)
		var needs []string
		if ok {
			needs = fr.Needs()
		}
		if len(needs) == 0 {
			all = true
		}
		for _, n := range needs {
			union[n] = true
		}
	}
	g.needs = nil
	if !all {
		for n := range union {
			g.needs = append(g.needs, n)
		}
		sort.Strings(g.needs)
	}
	return nil
}

// Needs is the union of the members' fields, or nothing (every field) when
// a member reads every field.
func (g *Group) Needs() []string { return g.needs }

// Process runs the batch through every member in order. An error names the
// member; the host applies its failure policy to the whole batch.
func (g *Group) Process(ctx context.Context, events []*sdk.Event) ([]*sdk.Event, error) {
	var err error
	for i, p := range g.members {
		if len(events) == 0 {
			break
		}
		if events, err = p.Process(ctx, events); err != nil {
			return nil, fmt.Errorf("group member %s: %w", g.names[i], err)
		}
	}
	return events, nil
}

// Close closes the members that hold resources.
func (g *Group) Close() error { return g.close() }

func (g *Group) close() error {
	var errs []error
	for _, p := range g.members {
		if c, ok := p.(sdk.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}
