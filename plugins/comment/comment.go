// Package comment is the built-in `comment` plugin: it adds fields, tags and
// a comment to events that match rules on IP (CIDR), port and time window.
package comment

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// Name of the plugin.
const Name = "comment"

// Comment is the plugin's Processor.
type Comment struct {
	cfg   Config
	rules []rule
}

// Configure parses the rules.
func (c *Comment) Configure(raw map[string]any) error {
	cfg, rules, err := parse(raw)
	if err != nil {
		return err
	}
	c.cfg, c.rules = cfg, rules
	return nil
}

// Needs lists the fields the rules read.
func (c *Comment) Needs() []string {
	return []string{"source.ip", "destination.ip", "source.port", "destination.port", "tags", c.cfg.CommentField}
}

// Process applies every matching rule to every event.
func (c *Comment) Process(_ context.Context, events []*sdk.Event) ([]*sdk.Event, error) {
	for _, e := range events {
		c.apply(e)
	}
	return events, nil
}

func (c *Comment) apply(e *sdk.Event) {
	var src, dst netip.Addr
	var sp, dp = -1, -1
	for i := range c.rules {
		r := &c.rules[i]
		if len(r.prefixes) > 0 && !src.IsValid() && !dst.IsValid() {
			src, _ = netip.ParseAddr(e.Fields.String("source.ip"))
			dst, _ = netip.ParseAddr(e.Fields.String("destination.ip"))
		}
		if len(r.ports) > 0 && sp < 0 {
			sp, dp = port(e.Fields, "source.port"), port(e.Fields, "destination.port")
		}
		if !r.matches(src, dst, sp, dp, e.Timestamp) {
			continue
		}
		if r.addFields != nil {
			sdk.Merge(e.Fields, deepCopy(r.addFields))
		}
		for _, t := range r.tags {
			e.AddTag(t)
		}
		if r.comment != "" {
			addComment(e.Fields, c.cfg.CommentField, r.comment)
		}
	}
}

func (r *rule) matches(src, dst netip.Addr, sp, dp int, ts time.Time) bool {
	if len(r.prefixes) > 0 && !anyContains(r.prefixes, src) && !anyContains(r.prefixes, dst) {
		return false
	}
	if len(r.ports) > 0 && !inRanges(r.ports, sp) && !inRanges(r.ports, dp) {
		return false
	}
	return r.window == nil || r.window.contains(ts)
}

func anyContains(ps []netip.Prefix, a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func inRanges(rs [][2]int, p int) bool {
	for _, r := range rs {
		if p >= r[0] && p <= r[1] {
			return true
		}
	}
	return false
}

func (w *window) contains(ts time.Time) bool {
	if ts.IsZero() {
		return false
	}
	if !w.after.IsZero() && ts.Before(w.after) || !w.before.IsZero() && !ts.Before(w.before) {
		return false
	}
	lt := ts.In(w.loc)
	if w.weekdays != 0 && w.weekdays&(1<<lt.Weekday()) == 0 {
		return false
	}
	if w.from < 0 {
		return true
	}
	m := lt.Hour()*60 + lt.Minute()
	if w.from <= w.to {
		return m >= w.from && m < w.to
	}
	return m >= w.from || m < w.to // wraps midnight
}

func port(m sdk.M, key string) int {
	v, _ := m.GetValue(key)
	switch p := v.(type) {
	case int64:
		return int(p)
	case uint64:
		return int(p)
	case int:
		return p
	case uint16:
		return int(p)
	case float64:
		return int(p)
	}
	return -1
}

func addComment(m sdk.M, field, c string) {
	switch old := valueOf(m, field).(type) {
	case nil:
		m.Put(field, c)
	case string:
		if old != c {
			m.Put(field, []string{old, c})
		}
	case []string:
		m.Put(field, append(old, c))
	case []any:
		m.Put(field, append(old, c))
	default:
		m.Put(field, fmt.Sprint(old)+"; "+c)
	}
}

func valueOf(m sdk.M, k string) any { v, _ := m.GetValue(k); return v }

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}
