package file

import (
	"fmt"

	"github.com/elastic/beats/v7/libbeat/outputs/codec"
	"github.com/elastic/beats/v7/libbeat/outputs/fileout"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/file"

	"github.com/netbeat/netbeat/beat/outputs/jsonenc"
)

// fileConfig holds libbeat's file output options, with its defaults and
// checks (libbeat/outputs/fileout/config.go), so that a configuration
// written for output.file means the same here.
type fileConfig struct {
	Path            *fileout.PathFormatString `config:"path"`
	Filename        string                    `config:"filename"`
	RotateEveryKb   uint                      `config:"rotate_every_kb" validate:"min=1"`
	NumberOfFiles   uint                      `config:"number_of_files"`
	Codec           codec.Config              `config:"codec"`
	Permissions     uint32                    `config:"permissions"`
	RotateOnStartup bool                      `config:"rotate_on_startup"`
	Queue           config.Namespace          `config:"queue"`
}

func defaultConfig() fileConfig {
	return fileConfig{
		Path:            &fileout.PathFormatString{},
		NumberOfFiles:   7,
		RotateEveryKb:   10 * 1024,
		Permissions:     0o600,
		RotateOnStartup: true,
	}
}

// Validate checks number_of_files as libbeat does, and that the codec is
// the one this output writes.
func (c *fileConfig) Validate() error {
	if c.NumberOfFiles < 2 || c.NumberOfFiles > file.MaxBackupsLimit {
		return fmt.Errorf("the number_of_files to keep should be between 2 and %v", file.MaxBackupsLimit)
	}
	if !jsonenc.DefaultJSON(c.Codec) {
		return fmt.Errorf("output.%s writes libbeat's default JSON documents only: "+
			"remove its codec setting, or use output.file (libbeat's file output) for codec.%s",
			TypeName, c.Codec.Namespace.Name())
	}
	return nil
}

// readConfig unpacks cfg over the defaults and, as libbeat's file output
// does, turns off the pipeline's batch splitting (bulk_max_size -1).
func readConfig(cfg *config.C) (*fileConfig, error) {
	c := defaultConfig()
	if err := cfg.Unpack(&c); err != nil {
		return nil, fmt.Errorf("output.%s: %w", TypeName, err)
	}
	_ = cfg.SetInt("bulk_max_size", -1, -1)
	return &c, nil
}
