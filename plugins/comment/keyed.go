package comment

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Units: one, whose key is everything the rules test: which of the rules'
// CIDRs hold source.ip and destination.ip, which port ranges hold the
// ports, @timestamp's wall-clock minute in each window's time zone, and
// @timestamp itself to the minute (or second) when a window has after or
// before. An event that already has the comment field is looked up on its
// own (the comment is added to it), and its answer not cached. Rules the
// key cannot express (more than 64 CIDRs or port ranges, after or before
// with fractions of a second, an empty comment_field) make the plugin
// unkeyed: Units returns nil.
func (c *Comment) Units() []sdk.Unit {
	var prefixes []netip.Prefix
	var ports [][2]int64
	var zones []string
	absStep := time.Duration(0)
	for _, r := range c.rules {
		for _, p := range r.prefixes {
			if !slices.Contains(prefixes, p) {
				prefixes = append(prefixes, p)
			}
		}
		for _, p := range r.ports {
			if rg := [2]int64{int64(p[0]), int64(p[1])}; !slices.Contains(ports, rg) {
				ports = append(ports, rg)
			}
		}
		w := r.window
		if w == nil {
			continue
		}
		if z := w.loc.String(); (w.from >= 0 || w.weekdays != 0) && !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
		for _, t := range []time.Time{w.after, w.before} {
			switch {
			case t.IsZero():
			case t.Nanosecond() != 0:
				return nil
			case t.Unix()%60 == 0:
				if absStep == 0 { // minutes suffice unless another needs seconds
					absStep = time.Minute
				}
			default:
				absStep = time.Second
			}
		}
	}
	if len(prefixes) > 64 || len(ports) > 64 || c.cfg.CommentField == "" {
		return nil
	}
	// The comment field is a key part too: an event without it (the only
	// kind cached) keys as absent, and the key is never empty.
	key := []sdk.KeyPart{{Field: c.cfg.CommentField, Kind: sdk.KeyValue}}
	if len(prefixes) > 0 {
		key = append(key, sdk.KeyPart{Field: "source.ip", Kind: sdk.KeyPrefixes, Prefixes: prefixes},
			sdk.KeyPart{Field: "destination.ip", Kind: sdk.KeyPrefixes, Prefixes: prefixes})
	}
	if len(ports) > 0 {
		key = append(key, sdk.KeyPart{Field: "source.port", Kind: sdk.KeyRanges, Ranges: ports},
			sdk.KeyPart{Field: "destination.port", Kind: sdk.KeyRanges, Ranges: ports})
	}
	for _, z := range zones {
		key = append(key, sdk.KeyPart{Field: "@timestamp", Kind: sdk.KeyTime, Step: time.Minute, Zone: z})
	}
	if absStep > 0 {
		key = append(key, sdk.KeyPart{Field: "@timestamp", Kind: sdk.KeyTime, Step: absStep, Zone: "UTC"})
	}
	return []sdk.Unit{{Name: "comment", Key: key, Reads: []string{c.cfg.CommentField}}}
}

// ProcessUnit applies the rules, as Process does.
func (c *Comment) ProcessUnit(ctx context.Context, _ int, events []*sdk.Event) error {
	_, err := c.Process(ctx, events)
	return err
}
