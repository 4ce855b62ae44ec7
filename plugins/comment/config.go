package comment

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netbeat/netbeat/plugins/internal/conf"
)

// Config is the plugin's `config:`.
type Config struct {
	CommentField string `koanf:"comment_field"`
	Rules        []Rule `koanf:"rules"`
}

// Rule adds fields, tags and a comment to the events matching every
// condition of Match (a condition lists alternatives).
type Rule struct {
	Name      string         `koanf:"name"`
	Match     Match          `koanf:"match"`
	AddFields map[string]any `koanf:"add_fields"`
	Tags      []string       `koanf:"tags"`
	Comment   string         `koanf:"comment"`
}

// Match holds a rule's conditions.
type Match struct {
	CIDR  []string   `koanf:"cidr"`  // source or destination IP in any of these
	Ports []any      `koanf:"ports"` // source or destination port: 53 or "8000-8080"
	Time  TimeWindow `koanf:"time"`
}

// TimeWindow matches @timestamp: daily from/to ("22:00"-"06:00" wraps
// midnight) in Timezone, on Weekdays, and/or between After and Before (RFC 3339).
type TimeWindow struct {
	From     string   `koanf:"from"`
	To       string   `koanf:"to"`
	Weekdays []string `koanf:"weekdays"`
	Timezone string   `koanf:"timezone"`
	After    string   `koanf:"after"`
	Before   string   `koanf:"before"`
}

type rule struct {
	name      string
	prefixes  []netip.Prefix
	ports     [][2]int
	window    *window
	addFields map[string]any
	tags      []string
	comment   string
}

type window struct {
	loc           *time.Location
	from, to      int // minutes of the day, -1 if unset
	weekdays      uint8
	after, before time.Time
}

// parse decodes and validates the plugin's configuration.
func parse(raw map[string]any) (Config, []rule, error) {
	cfg := Config{CommentField: "comment"}
	if err := conf.Load("comment", raw, &cfg); err != nil {
		return cfg, nil, err
	}
	if len(cfg.Rules) == 0 {
		return cfg, nil, fmt.Errorf("comment: config has no rules")
	}
	rules := make([]rule, 0, len(cfg.Rules))
	for i, r := range cfg.Rules {
		cr, err := compile(r)
		if err != nil {
			return cfg, nil, fmt.Errorf("comment: rule %d (%s): %w", i, r.Name, err)
		}
		rules = append(rules, cr)
	}
	return cfg, rules, nil
}

func compile(r Rule) (rule, error) {
	cr := rule{name: r.Name, addFields: expand(r.AddFields), tags: r.Tags, comment: r.Comment}
	if len(r.AddFields) == 0 && len(r.Tags) == 0 && r.Comment == "" {
		return cr, fmt.Errorf("adds nothing: set add_fields, tags or comment")
	}
	for _, c := range r.Match.CIDR {
		p, err := parsePrefix(c)
		if err != nil {
			return cr, err
		}
		cr.prefixes = append(cr.prefixes, p)
	}
	for _, p := range r.Match.Ports {
		lo, hi, err := parsePorts(fmt.Sprint(p))
		if err != nil {
			return cr, err
		}
		cr.ports = append(cr.ports, [2]int{lo, hi})
	}
	w, err := compileWindow(r.Match.Time)
	if err != nil {
		return cr, err
	}
	cr.window = w
	return cr, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("parsing CIDR %q failed: %w", s, err)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("parsing CIDR %q failed: %w", s, err)
	}
	return p.Masked(), nil
}

func parsePorts(s string) (int, int, error) {
	a, b, rng := strings.Cut(s, "-")
	lo, err := strconv.Atoi(strings.TrimSpace(a))
	hi := lo
	if err == nil && rng {
		hi, err = strconv.Atoi(strings.TrimSpace(b))
	}
	if err != nil || lo < 0 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("invalid port or port range %q", s)
	}
	return lo, hi, nil
}

var weekdayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func compileWindow(t TimeWindow) (*window, error) {
	if t.From == "" && t.To == "" && t.Timezone == "" && t.After == "" && t.Before == "" && len(t.Weekdays) == 0 {
		return nil, nil
	}
	w := &window{loc: time.UTC, from: -1, to: -1}
	if t.Timezone != "" {
		loc, err := time.LoadLocation(t.Timezone)
		if err != nil {
			return nil, fmt.Errorf("loading time zone %q failed: %w", t.Timezone, err)
		}
		w.loc = loc
	}
	var err error
	if (t.From == "") != (t.To == "") {
		return nil, fmt.Errorf("time window needs both from and to")
	}
	if t.From != "" {
		if w.from, err = minutes(t.From); err != nil {
			return nil, err
		}
		if w.to, err = minutes(t.To); err != nil {
			return nil, err
		}
	}
	for _, d := range t.Weekdays {
		wd, ok := weekdayNames[strings.ToLower(d)[:min(3, len(d))]]
		if !ok {
			return nil, fmt.Errorf("unknown weekday %q", d)
		}
		w.weekdays |= 1 << wd
	}
	if t.After != "" {
		if w.after, err = time.Parse(time.RFC3339, t.After); err != nil {
			return nil, fmt.Errorf("parsing after failed: %w", err)
		}
	}
	if t.Before != "" {
		if w.before, err = time.Parse(time.RFC3339, t.Before); err != nil {
			return nil, fmt.Errorf("parsing before failed: %w", err)
		}
	}
	return w, nil
}

func minutes(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("parsing time of day %q (want HH:MM) failed: %w", s, err)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// expand turns dotted keys ("labels.team") into nested objects.
func expand(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = expand(sub)
		}
		parts := strings.Split(k, ".")
		cur := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		last := parts[len(parts)-1]
		if sub, ok := v.(map[string]any); ok {
			if old, ok := cur[last].(map[string]any); ok {
				for kk, vv := range sub {
					old[kk] = vv
				}
				continue
			}
		}
		cur[last] = v
	}
	return out
}
