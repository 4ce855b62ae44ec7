package beat

import (
	"fmt"
	"net/http"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/netbeat/netbeat/beat/prom"
)

// WithPrometheus wraps a Beater creator with Prometheus /metrics (see
// beat/prom): on libbeat's HTTP endpoint whenever `http.enabled` is true, and
// on netbeat.prometheus.host:port when netbeat.prometheus.enabled is true.
// Both serve the stats registry (/stats) plus monitoring.Default, where
// output.franz registers netbeat.kafka.*.
func WithPrometheus(create libbeat.Creator) libbeat.Creator {
	return func(b *libbeat.Beat, raw *conf.C) (libbeat.Beater, error) {
		section := struct {
			Prometheus prom.Config `config:"prometheus"`
		}{Prometheus: prom.DefaultConfig()}
		if err := raw.Unpack(&section); err != nil {
			return nil, fmt.Errorf("reading netbeat.prometheus failed: %w", err)
		}
		bt, err := create(b, raw)
		if err != nil {
			return nil, err
		}
		stats := b.Monitoring.StatsRegistry()
		h := prom.Handler(func() []*monitoring.Registry { return []*monitoring.Registry{stats, monitoring.Default} })
		log := logp.NewLogger("prometheus")
		if b.API != nil {
			if err := b.API.AttachHandler("/metrics", h); err != nil {
				log.Warnf("attaching /metrics to the HTTP endpoint failed: %v", err)
			}
		}
		if !section.Prometheus.Enabled {
			return bt, nil
		}
		return &promBeater{Beater: bt, cfg: section.Prometheus, h: h, log: log}, nil
	}
}

// promBeater runs the /metrics server for the lifetime of Run.
type promBeater struct {
	libbeat.Beater
	cfg prom.Config
	h   http.Handler
	log *logp.Logger
}

// Run serves /metrics, then runs the wrapped Beater.
func (p *promBeater) Run(b *libbeat.Beat) error {
	s, err := prom.Listen(p.cfg, p.h)
	if err != nil {
		return fmt.Errorf("netbeat.prometheus: %w", err)
	}
	defer s.Close()
	p.log.Infof("serving Prometheus metrics on http://%s/metrics", s.Addr())
	return p.Beater.Run(b)
}
