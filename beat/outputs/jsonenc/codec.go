package jsonenc

import "github.com/elastic/beats/v7/libbeat/outputs/codec"

// DefaultJSON reports whether the codec is libbeat's JSON codec with its
// default settings, the one Encoder reproduces.
func DefaultJSON(c codec.Config) bool {
	switch c.Namespace.Name() {
	case "":
		return true
	case "json":
		var o struct {
			Pretty     bool `config:"pretty"`
			EscapeHTML bool `config:"escape_html"`
			LocalTime  bool `config:"local_time"`
		}
		if cfg := c.Namespace.Config(); cfg != nil {
			if err := cfg.Unpack(&o); err != nil {
				return false
			}
		}
		return !o.Pretty && !o.EscapeHTML && !o.LocalTime
	}
	return false
}
