package timebucket

import (
	"reflect"
	"testing"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk/sdktest"
)

func TestBuckets(t *testing.T) {
	ts := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // Thursday in UTC
	for _, tc := range []struct {
		cfg  map[string]any
		want map[string]any
	}{
		{map[string]any{}, map[string]any{"year": int64(2026), "month": int64(12), "day": int64(31), "hour": int64(23), "weekday": "Thursday", "timezone": "UTC"}},
		{map[string]any{"timezone": "Asia/Tokyo"}, map[string]any{"year": int64(2027), "month": int64(1), "day": int64(1), "hour": int64(8), "weekday": "Friday", "timezone": "Asia/Tokyo"}},
		{map[string]any{"timezone": "America/New_York", "fields": []any{"hour", "weekday"}}, map[string]any{"hour": int64(18), "weekday": "Thursday", "timezone": "America/New_York"}},
	} {
		h := sdktest.New(t, &TimeBucket{}, tc.cfg)
		out, err := h.Process(sdktest.Event(ts, "source.ip", "10.0.0.1"))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := out[0].Fields.GetValue("timebucket")
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: got %v, want %v", tc.cfg, got, tc.want)
		}
		if ip := out[0].Fields.String("source.ip"); ip != "10.0.0.1" {
			t.Errorf("source.ip lost: %v", out[0].Fields)
		}
	}
	if h := sdktest.New(t, &TimeBucket{}, map[string]any{"target": "tb"}); !reflect.DeepEqual(h.Needs(), []string{"tb"}) {
		t.Errorf("needs %v", h.Needs())
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []map[string]any{{"timezone": "Nowhere/Else"}, {"fields": []any{"minute"}}, {"target": ""}} {
		if _, err := sdktest.Configure(t, &TimeBucket{}, c); err == nil {
			t.Errorf("config %v accepted", c)
		}
	}
}
