package iprep

import (
	"fmt"
	"slices"
	"time"

	"github.com/netbeat/netbeat/plugins/internal/conf"
)

// Config is the plugin's `config:`.
type Config struct {
	Lists          []ListConfig  `koanf:"lists"`
	IPFields       []string      `koanf:"ip_fields"`       // default source.ip, destination.ip
	DomainFields   []string      `koanf:"domain_fields"`   // default dns.question.name, url.domain, destination.domain
	ReloadInterval time.Duration `koanf:"reload_interval"` // how often files are checked for changes; default 5s
	Target         string        `koanf:"target"`          // field listing the matches; default "iprep"
}

// ListConfig is one block list file.
type ListConfig struct {
	Name   string `koanf:"name"`   // default: the file's base name
	Path   string `koanf:"path"`   // one IP, CIDR or domain per line (# comments)
	Format string `koanf:"format"` // plain (default) or csv
	Column int    `koanf:"column"` // csv: 0-based column holding the indicator
	Tag    string `koanf:"tag"`    // default "blocklist:<name>"
}

func parse(raw map[string]any) (Config, error) {
	cfg := Config{IPFields: []string{"source.ip", "destination.ip"},
		DomainFields:   []string{"dns.question.name", "url.domain", "destination.domain"},
		ReloadInterval: 5 * time.Second, Target: "iprep"}
	if err := conf.Load("iprep", raw, &cfg); err != nil {
		return cfg, err
	}
	if len(cfg.Lists) == 0 {
		return cfg, fmt.Errorf("iprep: config has no lists")
	}
	for i := range cfg.Lists {
		l := &cfg.Lists[i]
		if l.Path == "" {
			return cfg, fmt.Errorf("iprep: lists[%d] has no path", i)
		}
		if l.Format == "" {
			l.Format = "plain"
		}
		if !slices.Contains([]string{"plain", "csv"}, l.Format) {
			return cfg, fmt.Errorf("iprep: list %s: format %q, want plain or csv", l.Path, l.Format)
		}
		if l.Name == "" {
			l.Name = baseName(l.Path)
		}
		if l.Tag == "" {
			l.Tag = "blocklist:" + l.Name
		}
	}
	return cfg, nil
}
