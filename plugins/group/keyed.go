package group

import (
	"context"
	"fmt"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Units are the members' units, in member order, when every member is
// keyed (sdk.Keyed, with units); otherwise none, and the group takes whole
// events as before. Each unit sees the event as it entered the group: no
// built-in reads what another one adds.
func (g *Group) Units() []sdk.Unit {
	g.unitOf = g.unitOf[:0]
	var units []sdk.Unit
	for i, p := range g.members {
		k, ok := p.(sdk.Keyed)
		if !ok {
			return nil
		}
		us := k.Units()
		if len(us) == 0 {
			return nil
		}
		for j, u := range us {
			u.Name = g.names[i] + ": " + u.Name
			units = append(units, u)
			g.unitOf = append(g.unitOf, [2]int{i, j})
		}
	}
	return units
}

// ProcessUnit hands the probes to the member that declared unit.
func (g *Group) ProcessUnit(ctx context.Context, unit int, events []*sdk.Event) error {
	if unit < 0 || unit >= len(g.unitOf) {
		return fmt.Errorf("group: no unit %d", unit)
	}
	m := g.unitOf[unit]
	if err := g.members[m[0]].(sdk.Keyed).ProcessUnit(ctx, m[1], events); err != nil {
		return fmt.Errorf("group member %s: %w", g.names[m[0]], err)
	}
	return nil
}
