// Package timebucket is the built-in `timebucket` plugin: it adds year,
// month, day, hour and weekday fields computed from @timestamp in a chosen
// time zone, for per-period aggregations.
package timebucket

import (
	"context"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Name of the plugin.
const Name = "timebucket"

// TimeBucket is the plugin's Processor.
type TimeBucket struct {
	cfg Config
	loc *time.Location
}

// Configure parses the time zone and the fields to add.
func (p *TimeBucket) Configure(raw map[string]any) error {
	cfg, loc, err := parse(raw)
	if err != nil {
		return err
	}
	p.cfg, p.loc = cfg, loc
	return nil
}

// Needs: only @timestamp (always sent) is read; the target is listed so the
// host sends no other field.
func (p *TimeBucket) Needs() []string { return []string{p.cfg.Target} }

// Process adds the bucket fields.
func (p *TimeBucket) Process(_ context.Context, events []*sdk.Event) ([]*sdk.Event, error) {
	for _, e := range events {
		if e.Timestamp.IsZero() {
			continue
		}
		t := e.Timestamp.In(p.loc)
		m := make(map[string]any, len(p.cfg.Fields)+1)
		for _, f := range p.cfg.Fields {
			switch f {
			case "year":
				m["year"] = int64(t.Year())
			case "month":
				m["month"] = int64(t.Month())
			case "day":
				m["day"] = int64(t.Day())
			case "hour":
				m["hour"] = int64(t.Hour())
			case "weekday":
				m["weekday"] = t.Weekday().String()
			}
		}
		m["timezone"] = p.loc.String()
		e.Fields.Put(p.cfg.Target, m)
	}
	return events, nil
}
