package file

import (
	"github.com/elastic/beats/v7/libbeat/outputs/codec"
	"github.com/elastic/elastic-agent-libs/config"

	"github.com/netbeat/netbeat/beat/outputs/jsonenc"
)

// Fast reports whether an output.file configuration can be written by this
// output (output.netbeat_file) instead of libbeat's file output, and why:
// yes when its codec is libbeat's default JSON codec (no codec, or
// codec.json without pretty, escape_html or local_time); every other file
// option means the same in both. beat/cmd uses it to route output.file.
func Fast(fileCfg *config.C) (bool, string) {
	var c struct {
		Codec codec.Config `config:"codec"`
	}
	if fileCfg != nil {
		if err := fileCfg.Unpack(&c); err != nil {
			return false, "its codec could not be read (" + err.Error() + ")"
		}
	}
	if name := c.Codec.Namespace.Name(); !jsonenc.DefaultJSON(c.Codec) {
		if name == "json" {
			name = "json with pretty, escape_html or local_time"
		}
		return false, "codec." + name + " is configured (netbeat's writes the default JSON codec's documents only)"
	}
	return true, "the codec is libbeat's default JSON: netbeat's file output writes the same documents, a batch per write"
}
