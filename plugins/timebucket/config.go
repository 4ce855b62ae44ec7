package timebucket

import (
	"fmt"
	"slices"
	"time"

	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/v2"
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
	k := koanf.New("\x00")
	if err := k.Load(confmap.Provider(raw, "\x00"), nil); err != nil {
		return cfg, nil, fmt.Errorf("timebucket: loading config failed: %w", err)
	}
	if err := k.Unmarshal("", &cfg); err != nil {
		return cfg, nil, fmt.Errorf("timebucket: decoding config failed: %w", err)
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
