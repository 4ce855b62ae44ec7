package timebucket

import (
	"fmt"
	"slices"
	"time"

	"github.com/netbeat/netbeat/plugins/internal/conf"
)

// Config is the plugin's `config:`.
type Config struct {
	Timezone string   `koanf:"timezone"` // IANA name; default UTC
	Target   string   `koanf:"target"`   // field prefix; default "timebucket"
	Fields   []string `koanf:"fields"`   // subset of year, month, day, hour, weekday; default all
}

var allFields = []string{"year", "month", "day", "hour", "weekday"}

func parse(raw map[string]any) (Config, *time.Location, error) {
	cfg := Config{Timezone: "UTC", Target: "timebucket", Fields: slices.Clone(allFields)}
	if err := conf.Load("timebucket", raw, &cfg); err != nil {
		return cfg, nil, err
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return cfg, nil, fmt.Errorf("timebucket: loading time zone %q failed: %w", cfg.Timezone, err)
	}
	if cfg.Target == "" {
		return cfg, nil, fmt.Errorf("timebucket: target must not be empty")
	}
	for _, f := range cfg.Fields {
		if !slices.Contains(allFields, f) {
			return cfg, nil, fmt.Errorf("timebucket: unknown field %q (want %v)", f, allFields)
		}
	}
	return cfg, loc, nil
}
