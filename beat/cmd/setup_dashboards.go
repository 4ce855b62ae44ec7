package cmd

import (
	"flag"
	"fmt"
	"os"

	"github.com/elastic/beats/v7/libbeat/cfgfile"

	"github.com/netbeat/netbeat/beat/setup"
)

// prepareDashboards writes the embedded saved objects to a temporary
// directory and points setup.dashboards.directory at it (a -E override),
// unless the configuration names its own directory, file or url. The
// returned func removes the directory.
func prepareDashboards() (func(), error) {
	noop := func() {}
	if cfg, err := cfgfile.Load("", nil); err == nil {
		var c struct {
			Setup struct {
				Dashboards struct {
					Dir  string `config:"directory"`
					File string `config:"file"`
					URL  string `config:"url"`
				} `config:"dashboards"`
			} `config:"setup"`
		}
		if cfg.Unpack(&c) == nil {
			d := c.Setup.Dashboards
			if d.Dir != "" || d.File != "" || d.URL != "" {
				return noop, nil
			}
		}
	}
	dir, err := os.MkdirTemp("", "netbeat-dashboards-")
	if err != nil {
		return noop, fmt.Errorf("setup: creating a temporary directory failed: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	if err := setup.Materialize(dir); err != nil {
		cleanup()
		return noop, err
	}
	e := flag.CommandLine.Lookup("E")
	if e == nil {
		cleanup()
		return noop, fmt.Errorf("setup: libbeat's -E flag is not defined")
	}
	if err := e.Value.Set("setup.dashboards.directory=" + dir); err != nil {
		cleanup()
		return noop, fmt.Errorf("setup: setting setup.dashboards.directory failed: %w", err)
	}
	return cleanup, nil
}
