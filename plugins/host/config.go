package host

import (
	"encoding/hex"
	"fmt"
	"time"
)

// Failure policies: what happens to a batch a plugin could not process.
const (
	// PolicyRetry restarts the plugin (crash, hang) and retries the batch
	// up to MaxRetries times, then passes it through unchanged and tagged.
	PolicyRetry = "retry"
	// PolicyPassthrough passes the batch through unchanged and tagged at once.
	PolicyPassthrough = "passthrough"
)

// FailureTagPrefix prefixes the tag added to events a plugin could not
// process: "_plugin_failure_<name>".
const FailureTagPrefix = "_plugin_failure_"

// Config is the `netbeat.plugins` section (and, per plugin, the `plugin`
// processor's options).
type Config struct {
	Chain          []PluginConfig `config:"chain"`
	BatchSize      int            `config:"batch_size"`      // events per batch
	Linger         time.Duration  `config:"linger"`          // flush a partial batch after this
	Timeout        time.Duration  `config:"timeout"`         // per batch and plugin
	FailurePolicy  string         `config:"failure_policy"`  // retry or passthrough
	MaxRetries     int            `config:"max_retries"`     // with retry
	HealthInterval time.Duration  `config:"health_interval"` // ping period
	BackoffInit    time.Duration  `config:"backoff.init"`    // first restart delay
	BackoffMax     time.Duration  `config:"backoff.max"`     // restart delay cap
	// CacheSize bounds each keyed plugin's answer cache (protocol 3:
	// answers by key, such as an IP's network); 0 turns caching off and
	// every event goes to the plugin.
	CacheSize int `config:"cache_size"`
}

// PluginConfig is one plugin of the chain.
type PluginConfig struct {
	Name   string         `config:"name"`
	Path   string         `config:"path"` // empty: the built-in plugin Name, served by this binary
	Args   []string       `config:"args"`
	SHA256 string         `config:"sha256"` // required when Path is set
	Config map[string]any `config:"config"`
	// InProcess runs a built-in plugin's logic inside netbeat, without a
	// process or gRPC (for comparison and debugging: no isolation, no restart).
	InProcess bool `config:"in_process"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{BatchSize: 512, Linger: 20 * time.Millisecond, Timeout: 5 * time.Second,
		FailurePolicy: PolicyRetry, MaxRetries: 3, HealthInterval: 10 * time.Second,
		BackoffInit: 100 * time.Millisecond, BackoffMax: 10 * time.Second, CacheSize: 65536}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.BatchSize <= 0 || c.Linger <= 0 || c.Timeout <= 0 || c.HealthInterval <= 0 || c.BackoffInit <= 0 || c.BackoffMax < c.BackoffInit {
		return fmt.Errorf("plugins: batch_size, linger, timeout, health_interval and backoff must be positive")
	}
	if c.CacheSize < 0 {
		return fmt.Errorf("plugins: cache_size is %d, want 0 (off) or more answers", c.CacheSize)
	}
	if c.FailurePolicy != PolicyRetry && c.FailurePolicy != PolicyPassthrough {
		return fmt.Errorf("plugins: failure_policy is %q, want %q or %q", c.FailurePolicy, PolicyRetry, PolicyPassthrough)
	}
	seen := map[string]bool{}
	for i, p := range c.Chain {
		if p.Name == "" {
			return fmt.Errorf("plugins: chain[%d] has no name", i)
		}
		if seen[p.Name] {
			return fmt.Errorf("plugins: plugin %q appears twice in the chain", p.Name)
		}
		seen[p.Name] = true
		if p.Path != "" && p.SHA256 == "" {
			return Error(p.Name, fmt.Errorf("path %s has no sha256: external plugin binaries must be pinned by checksum", p.Path))
		}
		if p.SHA256 != "" {
			if b, err := hex.DecodeString(p.SHA256); err != nil || len(b) != 32 {
				return Error(p.Name, fmt.Errorf("sha256 %q is not 64 hex digits", p.SHA256))
			}
		}
	}
	return nil
}
