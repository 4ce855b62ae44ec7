package beat

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/paths"

	"github.com/netbeat/netbeat/beat/control"
	"github.com/netbeat/netbeat/beat/outputs/kafka"
)

// controlSection is `netbeat.probe` and `netbeat.control` (beat/control).
type controlSection struct {
	Probe   control.ProbeConfig `config:"probe"`
	Control control.Config      `config:"control"`
}

// WithControl wraps a Beater creator with the remote control plane (beat/
// control) when netbeat.control.enabled is true: the probe reads signed
// commands from Kafka, applies them to the running capture and reports
// heartbeats and results. It wraps New directly (it needs *Netbeat).
func WithControl(create libbeat.Creator) libbeat.Creator {
	return func(b *libbeat.Beat, raw *conf.C) (libbeat.Beater, error) {
		sec := controlSection{Control: control.DefaultConfig()}
		if err := raw.Unpack(&sec); err != nil {
			return nil, fmt.Errorf("netbeat: reading netbeat.probe and netbeat.control failed: %w", err)
		}
		if err := sec.Control.Check(); err != nil {
			return nil, fmt.Errorf("netbeat: invalid configuration: %w", err)
		}
		if !sec.Control.Enabled && !sec.Control.HTTP.Enabled {
			return create(b, raw)
		}
		data := paths.Resolve(paths.Data, "control")
		if b.Paths != nil {
			data = b.Paths.Resolve(paths.Data, "control")
		}
		// The capture settings the last remote reconfiguration left
		// (control_apply.go) replace netbeat.yml's.
		raw, section, applied, err := withApplied(raw, data)
		if err != nil {
			return nil, fmt.Errorf("netbeat: %w", err)
		}
		bt, err := create(b, raw)
		if err != nil {
			return nil, err
		}
		if applied {
			logp.NewLogger("control").Infof("control: capture settings from %s (the last remote reconfiguration) replace netbeat.yml's", data)
		}
		nb, ok := bt.(*Netbeat)
		if !ok {
			return nil, fmt.Errorf("netbeat: WithControl must wrap New directly")
		}
		log := logp.NewLogger("control")
		probe := sec.Probe
		if probe.ID == "" {
			probe.ID = b.Info.ID.String() // libbeat keeps it in path.data/meta.json
		}
		if probe.Name == "" {
			probe.Name = b.Info.Hostname
		}
		pc := &probeControl{nb: nb, dataDir: data, section: section}
		cb := &controlBeater{Netbeat: nb, http: sec.Control.HTTP}
		if sec.Control.Enabled {
			kopts, err := controlKafka(b, sec.Control.Kafka, log)
			if err != nil {
				return nil, err
			}
			stats := b.Monitoring.StatsRegistry()
			var m *control.Metrics
			if stats != nil {
				reg := stats.GetRegistry("netbeat")
				if reg == nil {
					reg = stats.NewRegistry("netbeat")
				}
				m = control.NewMetrics(reg.NewRegistry("control"))
			}
			if cb.loop, err = control.New(control.Options{Config: sec.Control, Probe: probe, Version: b.Info.Version,
				DataDir: data, Kafka: kopts, Log: log, Metrics: m}, pc); err != nil {
				return nil, fmt.Errorf("netbeat: %w", err)
			}
		}
		if sec.Control.HTTP.Enabled {
			token, err := sec.Control.HTTP.ReadToken()
			if err != nil {
				return nil, fmt.Errorf("netbeat: %w", err)
			}
			status := func() *control.Heartbeat {
				h := pc.State()
				h.Kind, h.Probe, h.Name, h.Tags, h.Version, h.Time = control.KindHeartbeat, probe.ID, probe.Name, probe.Tags, b.Info.Version, time.Now().UTC()
				return &h
			}
			if cb.loop != nil {
				status = cb.loop.Heartbeat
			}
			tlsCfg, err := sec.Control.HTTP.SSL.ServerTLS()
			if err != nil {
				return nil, fmt.Errorf("netbeat: %w", err)
			}
			cb.srv = &control.Server{Probe: pc, Status: status, Token: token, TLS: tlsCfg, Audit: logp.NewLogger("control.audit")}
		}
		return cb, nil
	}
}

// controlKafka is the control plane's connection: netbeat.control.kafka,
// or else output.franz's (or output.kafka's) hosts, TLS and SASL.
func controlKafka(b *libbeat.Beat, section *conf.C, log *logp.Logger) ([]kgo.Opt, error) {
	if section == nil && b.Config != nil {
		switch b.Config.Output.Name() {
		case "franz", "kafka":
			section = b.Config.Output.Config()
		}
	}
	if section == nil {
		return nil, fmt.Errorf("netbeat: netbeat.control needs a Kafka cluster: set netbeat.control.kafka.hosts (and ssl/sasl as for output.franz), or use output.franz")
	}
	opts, err := kafka.ConnOptions(section, log)
	if err != nil {
		return nil, fmt.Errorf("netbeat: netbeat.control.kafka: %w", err)
	}
	return opts, nil
}

// controlBeater runs the control loop and the local control API for the
// lifetime of Run.
type controlBeater struct {
	*Netbeat
	loop *control.Loop   // nil unless netbeat.control.enabled
	srv  *control.Server // nil unless netbeat.control.http.enabled
	http control.HTTPConfig
}

// Run starts the control loop, runs the capture, and stops the loop once
// the capture has ended.
func (c *controlBeater) Run(b *libbeat.Beat) error {
	if c.srv != nil {
		if err := c.srv.Listen(c.http); err != nil {
			return fmt.Errorf("netbeat.control.http: %w", err)
		}
		defer c.srv.Close()
		c.log.Infof("control API on %s", c.apiDescription())
	}
	if c.loop == nil {
		return c.Netbeat.Run(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.loop.Run(ctx) }()
	err := c.Netbeat.Run(b)
	cancel()
	if lerr := <-done; lerr != nil {
		c.log.Errorf("control: %v", lerr)
	}
	return err
}

// apiDescription says where the control API listens and how it
// authenticates callers.
func (c *controlBeater) apiDescription() string {
	scheme, auth := "http", []string{}
	if c.srv.TLS != nil {
		scheme = "https"
	}
	if c.http.TokenFile != "" {
		auth = append(auth, "bearer token from "+c.http.TokenFile)
	}
	if len(c.http.SSL.CertificateAuthorities) > 0 {
		auth = append(auth, "client certificates signed by "+strings.Join(c.http.SSL.CertificateAuthorities, ", "))
	}
	return fmt.Sprintf("%s://%s (%s)", scheme, c.srv.Addr(), strings.Join(auth, " and "))
}
