// Package conf decodes a built-in plugin's `config:` map (the structured
// data netbeat sends at Configure) with koanf.
package conf

import (
	"fmt"

	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/v2"
)

// Load decodes raw into dst (fields tagged `koanf:"…"`), keeping dotted keys
// such as "labels.team" intact: no key is split into nested objects. Errors
// are prefixed with the plugin's name.
func Load(plugin string, raw map[string]any, dst any) error {
	k := koanf.New("\x00")
	if err := k.Load(confmap.Provider(raw, "\x00"), nil); err != nil {
		return fmt.Errorf("%s: loading config failed: %w", plugin, err)
	}
	if err := k.UnmarshalWithConf("", dst, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return fmt.Errorf("%s: decoding config failed: %w", plugin, err)
	}
	return nil
}
