package geoip

import (
	"fmt"

	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/v2"
)

// Config is the plugin's `config:`.
type Config struct {
	CityDB    string   `koanf:"city_database"` // GeoLite2/GeoIP2-City or ip-location-db *-city-mmdb
	CountryDB string   `koanf:"country_database"`
	ASNDB     string   `koanf:"asn_database"` // GeoLite2-ASN or ip-location-db asn-mmdb
	Targets   []string `koanf:"targets"`      // default [source, destination]: reads <t>.ip, writes <t>.geo.* and <t>.as.*
	CacheSize int      `koanf:"cache_size"`   // results cached per network; default 10000
}

func parse(raw map[string]any) (Config, error) {
	cfg := Config{Targets: []string{"source", "destination"}, CacheSize: 10000}
	k := koanf.New("\x00")
	if err := k.Load(confmap.Provider(raw, "\x00"), nil); err != nil {
		return cfg, fmt.Errorf("geoip: loading config failed: %w", err)
	}
	if err := k.Unmarshal("", &cfg); err != nil {
		return cfg, fmt.Errorf("geoip: decoding config failed: %w", err)
	}
	if cfg.CityDB == "" && cfg.CountryDB == "" && cfg.ASNDB == "" {
		return cfg, fmt.Errorf("geoip: set at least one of city_database, country_database, asn_database")
	}
	return cfg, nil
}
