package group

import (
	"fmt"

	"github.com/netbeat/netbeat/plugins/internal/conf"
)

// Member is one plugin the group runs.
type Member struct {
	Name   string         `koanf:"name"`
	Config map[string]any `koanf:"config"`
}

// Config is the group's `config:`: the built-in plugins to run, in order.
type Config struct {
	Plugins []Member `koanf:"plugins"`
}

func parse(raw map[string]any) (Config, error) {
	var c Config
	if err := conf.Load("group", raw, &c); err != nil {
		return c, err
	}
	if len(c.Plugins) == 0 {
		return c, fmt.Errorf("group: config.plugins is empty: list the built-in plugins to run, e.g. plugins: [{name: comment, config: {…}}, {name: timebucket}]")
	}
	seen := map[string]bool{}
	for i, m := range c.Plugins {
		switch {
		case m.Name == "":
			return c, fmt.Errorf("group: plugins[%d] has no name", i)
		case m.Name == Name:
			return c, fmt.Errorf("group: plugins[%d]: a group cannot contain a group", i)
		case seen[m.Name]:
			return c, fmt.Errorf("group: plugin %q appears twice", m.Name)
		}
		seen[m.Name] = true
	}
	return c, nil
}
