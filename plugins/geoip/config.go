package geoip

import (
	"fmt"

	"github.com/netbeat/netbeat/plugins/internal/conf"
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
	if err := conf.Load("geoip", raw, &cfg); err != nil {
		return cfg, err
	}
	if cfg.CityDB == "" && cfg.CountryDB == "" && cfg.ASNDB == "" {
		return cfg, fmt.Errorf("geoip: set at least one of city_database, country_database, asn_database")
	}
	return cfg, nil
}
