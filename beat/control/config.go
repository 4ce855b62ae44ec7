package control

import (
	"fmt"
	"time"

	conf "github.com/elastic/elastic-agent-libs/config"
)

// ProbeConfig is `netbeat.probe`: who this probe is.
type ProbeConfig struct {
	ID   string   `config:"id"`   // default: the beat's UUID, kept in path.data/meta.json
	Name string   `config:"name"` // default: the host name
	Tags []string `config:"tags"`
}

// Config is `netbeat.control`.
type Config struct {
	Enabled      bool          `config:"enabled"`
	CommandTopic string        `config:"command_topic"`
	StatusTopic  string        `config:"status_topic"`
	Heartbeat    time.Duration `config:"heartbeat"`
	MaxClockSkew time.Duration `config:"max_clock_skew"`
	MaxTTL       time.Duration `config:"max_ttl"`
	Keys         []KeyConfig   `config:"keys"`
	// Kafka is the connection (hosts, ssl.*, username, password,
	// sasl.mechanism, client_id, timeout); unset, output.franz's is used.
	Kafka *conf.C `config:"kafka"`
	// HTTP is the local control API (httpapi.go), independent of Kafka.
	HTTP HTTPConfig `config:"http"`
}

// DefaultConfig is off; once enabled, topics netbeat-control and
// netbeat-status, a heartbeat every 10 s.
func DefaultConfig() Config {
	return Config{CommandTopic: "netbeat-control", StatusTopic: "netbeat-status", Heartbeat: 10 * time.Second,
		MaxClockSkew: 30 * time.Second, MaxTTL: 24 * time.Hour, HTTP: DefaultHTTPConfig()}
}

// Check validates an enabled control section.
func (c *Config) Check() error {
	if err := c.HTTP.Check(); err != nil {
		return err
	}
	if !c.Enabled {
		return nil
	}
	switch {
	case c.CommandTopic == "" || c.StatusTopic == "":
		return fmt.Errorf("netbeat.control.command_topic and status_topic must not be empty")
	case c.CommandTopic == c.StatusTopic:
		return fmt.Errorf("netbeat.control.command_topic and status_topic must differ (both are %q)", c.CommandTopic)
	case c.Heartbeat < 100*time.Millisecond:
		return fmt.Errorf("netbeat.control.heartbeat %v is too short: use at least 100ms (default 10s)", c.Heartbeat)
	case c.MaxClockSkew < 0 || c.MaxTTL <= 0:
		return fmt.Errorf("netbeat.control.max_clock_skew must be >= 0 and max_ttl > 0")
	case len(c.Keys) == 0:
		return fmt.Errorf("netbeat.control.keys is empty: add the public key of each operator (`netbeat ctl keygen` prints it); a probe trusts no one else")
	}
	_, err := ParseKeys(c.Keys)
	return err
}
