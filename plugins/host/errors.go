package host

import (
	"errors"
	"fmt"
)

var (
	// ErrChecksum is returned when a plugin binary's SHA-256 differs from
	// the sha256 configured for it: the plugin is refused.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrTimeout is returned when a plugin does not answer a batch within
	// the configured timeout (the plugin is then killed and restarted).
	ErrTimeout = errors.New("plugin did not answer in time")
	// ErrPlugin is returned when a plugin reports that it failed a batch.
	ErrPlugin = errors.New("plugin failed the batch")
	// ErrClosed is returned when the host is used after Close.
	ErrClosed = errors.New("plugin host closed")
)

// Error prefixes err with the plugin's name: "plugin/geoip: …".
func Error(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("plugin/%s: %w", name, err)
}
