package comment

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/sdktest"
)

var cfg = map[string]any{
	"rules": []any{
		map[string]any{"name": "dns", "match": map[string]any{"ports": []any{53}},
			"tags": []any{"dns"}, "add_fields": map[string]any{"labels.service": "dns"}},
		map[string]any{"name": "lab", "match": map[string]any{"cidr": []any{"10.1.0.0/16", "2001:db8::/32"}},
			"comment": "lab network"},
		map[string]any{"name": "web-night", "match": map[string]any{"ports": []any{"80-443"},
			"time": map[string]any{"from": "22:00", "to": "06:00", "timezone": "Europe/Paris"}},
			"tags": []any{"night-web"}},
	},
}

func ev(ts string, src, dst string, sp, dp int64) *sdk.Event {
	t, _ := time.Parse(time.RFC3339, ts)
	return sdktest.Event(t, "source.ip", src, "destination.ip", dst, "source.port", sp, "destination.port", dp,
		"network.bytes", int64(100), "tags", []string{"orig"})
}

func TestRules(t *testing.T) {
	h := sdktest.New(t, &Comment{}, cfg)
	out, err := h.Process(
		ev("2026-01-05T12:00:00Z", "192.168.1.2", "8.8.8.8", 40000, 53),  // dns
		ev("2026-01-05T12:00:00Z", "10.1.2.3", "1.1.1.1", 40000, 8080),   // lab
		ev("2026-01-05T22:30:00Z", "2001:db8::1", "1.1.1.1", 40000, 443), // lab + night (23:30 Paris)
		ev("2026-01-05T12:00:00Z", "192.168.1.2", "1.1.1.1", 40000, 443), // nothing (13:00 Paris)
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 4 {
		t.Fatalf("got %d events, want 4", len(out))
	}
	want := []struct {
		tags    []string
		comment any
		service any
	}{
		{[]string{"orig", "dns"}, nil, "dns"},
		{[]string{"orig"}, "lab network", nil},
		{[]string{"orig", "night-web"}, "lab network", nil},
		{[]string{"orig"}, nil, nil},
	}
	for i, w := range want {
		f := out[i].Fields
		if tags, _ := f.GetValue("tags"); !reflect.DeepEqual(tags, w.tags) {
			t.Errorf("event %d: tags %v, want %v", i, tags, w.tags)
		}
		if c, _ := f.GetValue("comment"); c != w.comment {
			t.Errorf("event %d: comment %v, want %v", i, c, w.comment)
		}
		if s, _ := f.GetValue("labels.service"); s != w.service {
			t.Errorf("event %d: labels.service %v, want %v", i, s, w.service)
		}
		if b, _ := f.GetValue("network.bytes"); b != int64(100) {
			t.Errorf("event %d: unrelated field lost: network.bytes=%v", i, b)
		}
	}
}

func TestWeekdaysAndRange(t *testing.T) {
	h := sdktest.New(t, &Comment{}, map[string]any{"rules": []any{map[string]any{
		"match": map[string]any{"time": map[string]any{"weekdays": []any{"sat", "Sunday"},
			"after": "2026-01-01T00:00:00Z", "before": "2026-02-01T00:00:00Z"}}, "tags": []any{"weekend"}}}})
	out, err := h.Process(ev("2026-01-03T10:00:00Z", "1.2.3.4", "5.6.7.8", 1, 2), // Saturday
		ev("2026-01-05T10:00:00Z", "1.2.3.4", "5.6.7.8", 1, 2), // Monday
		ev("2026-02-07T10:00:00Z", "1.2.3.4", "5.6.7.8", 1, 2)) // Saturday, after the range
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{2, 1, 1} {
		if tags, _ := out[i].Fields.GetValue("tags"); len(tags.([]string)) != want {
			t.Errorf("event %d: tags %v", i, tags)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for name, c := range map[string]map[string]any{
		"no rules":   {},
		"bad cidr":   {"rules": []any{map[string]any{"match": map[string]any{"cidr": []any{"10.0.0.0/99"}}, "tags": []any{"x"}}}},
		"bad port":   {"rules": []any{map[string]any{"match": map[string]any{"ports": []any{"90-80"}}, "tags": []any{"x"}}}},
		"bad tz":     {"rules": []any{map[string]any{"match": map[string]any{"time": map[string]any{"timezone": "Mars/Base"}}, "tags": []any{"x"}}}},
		"adds none":  {"rules": []any{map[string]any{"match": map[string]any{"ports": []any{1}}}}},
		"half range": {"rules": []any{map[string]any{"match": map[string]any{"time": map[string]any{"from": "10:00"}}, "tags": []any{"x"}}}},
	} {
		_, err := sdktest.Configure(t, &Comment{}, c)
		if err == nil || !strings.Contains(err.Error(), "comment") {
			t.Errorf("%s: err = %v, want a comment: error", name, err)
		}
	}
}
