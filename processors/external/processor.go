// Package external bridges libbeat and netbeat's out-of-process plugins
// (plugins/host): the `plugin` libbeat processor (one synchronous call per
// event: composable with every libbeat processor, but slow), and the
// data-path stage configured under `netbeat.plugins` (batched and streamed:
// the fast path).
package external

import (
	"fmt"
	"sync"
	"time"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/processors"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/netbeat/netbeat/internal/confkeys"
	"github.com/netbeat/netbeat/plugins/builtin"
	"github.com/netbeat/netbeat/plugins/host"
	"github.com/netbeat/netbeat/plugins/sdk"
)

// Name of the libbeat processor.
const Name = "plugin"

func init() { processors.RegisterPlugin(Name, New) }

// processorConfig is the `plugin` processor's configuration: one plugin.
type processorConfig struct {
	host.PluginConfig `config:",inline"`
	Timeout           time.Duration `config:"timeout"`
	FailurePolicy     string        `config:"failure_policy"`
	MaxRetries        int           `config:"max_retries"`
}

type processor struct {
	h    *host.Host
	name string
	once sync.Once
}

// HostConfig reads a `plugin` processor's configuration into the config of
// the host that runs it: a chain of that one plugin, batches of one event.
func HostConfig(c *conf.C) (host.Config, error) {
	d := host.DefaultConfig()
	pc := processorConfig{Timeout: d.Timeout, FailurePolicy: d.FailurePolicy, MaxRetries: d.MaxRetries}
	if err := confkeys.Check(c, &processorConfig{}, "processors.plugin"); err != nil {
		return d, err
	}
	if err := c.Unpack(&pc); err != nil {
		return d, fmt.Errorf("processor plugin: reading config failed: %w", err)
	}
	d.Chain, d.BatchSize = []host.PluginConfig{pc.PluginConfig}, 1
	d.Timeout, d.FailurePolicy, d.MaxRetries = pc.Timeout, pc.FailurePolicy, pc.MaxRetries
	return d, nil
}

// New builds a `plugin` processor: it starts the plugin process now.
func New(c *conf.C, _ *logp.Logger) (libbeat.Processor, error) {
	d, err := HostConfig(c)
	if err != nil {
		return nil, err
	}
	h, err := newHost(d)
	if err != nil {
		return nil, err
	}
	return &processor{h: h, name: d.Chain[0].Name}, nil
}

func newHost(cfg host.Config) (*host.Host, error) {
	h, err := host.New(cfg, host.WithLogger(logp.NewLogger("plugins")),
		host.WithNamedLogger(func(n string) host.Logger { return logp.NewLogger("plugin/" + n) }),
		host.WithInProcess(builtin.New))
	if err != nil {
		return nil, err
	}
	if err := h.Start(); err != nil {
		return nil, err
	}
	return h, nil
}

// Run sends one event through the plugin; a dropped event returns nil.
func (p *processor) Run(ev *libbeat.Event) (*libbeat.Event, error) {
	out := p.h.Process([]*sdk.Event{toSDK(ev)})
	if len(out) == 0 {
		return nil, nil
	}
	r := toBeat(out[0])
	return &r, nil
}

func (p *processor) String() string { return Name + "=" + p.name }

// Close stops the plugin process.
func (p *processor) Close() error { return p.h.Close() }
