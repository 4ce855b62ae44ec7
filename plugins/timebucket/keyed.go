package timebucket

import (
	"context"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Units: one, keyed on @timestamp's wall-clock hour in the time zone: every
// field the plugin adds is a function of it.
func (p *TimeBucket) Units() []sdk.Unit {
	return []sdk.Unit{{Name: "timebucket", Key: []sdk.KeyPart{{Field: "@timestamp", Kind: sdk.KeyTime, Step: time.Hour, Zone: p.loc.String()}}}}
}

// ProcessUnit adds the bucket fields, as Process does.
func (p *TimeBucket) ProcessUnit(ctx context.Context, _ int, events []*sdk.Event) error {
	_, err := p.Process(ctx, events)
	return err
}
