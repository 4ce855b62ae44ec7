package prom

import (
	"fmt"
	"net"
	"strconv"
)

// Config is the `netbeat.prometheus` section: a /metrics endpoint on its
// own address. While libbeat's `http.enabled` is true, /metrics is also
// served there regardless of this section.
type Config struct {
	Enabled bool   `config:"enabled"` // default false
	Host    string `config:"host"`    // default "localhost"
	Port    int    `config:"port"`    // default 9479; 0 picks a free port
}

// DefaultConfig is off, on localhost:9479 once enabled.
func DefaultConfig() Config { return Config{Host: "localhost", Port: 9479} }

// Validate checks the port range.
func (c Config) Validate() error {
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("netbeat.prometheus.port %d is out of range 0-65535", c.Port)
	}
	return nil
}

// Addr is host:port.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }
