package beat

import (
	"context"
	"fmt"
	"sync"
	"time"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common/acker"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/netbeat/netbeat/beat/consume"
	"github.com/netbeat/netbeat/beat/outputs/kafka"
)

// WithConsume wraps a Beater creator with central mode (beat/consume): when
// netbeat.kafka.enabled is true the beat captures nothing and instead
// consumes the topics probes write, publishing each record's event through
// libbeat's pipeline (and the plugin stage, WrapSink).
func WithConsume(create libbeat.Creator) libbeat.Creator {
	return func(b *libbeat.Beat, raw *conf.C) (libbeat.Beater, error) {
		sec := struct {
			Kafka consume.Config `config:"kafka"`
		}{Kafka: consume.DefaultConfig()}
		if err := raw.Unpack(&sec); err != nil {
			return nil, fmt.Errorf("netbeat: reading netbeat.kafka failed: %w", err)
		}
		if !sec.Kafka.Enabled {
			return create(b, raw)
		}
		if err := CheckKeys(raw); err != nil {
			return nil, fmt.Errorf("netbeat: invalid configuration: %w", err)
		}
		cfg := defaultConfig()
		if err := raw.Unpack(&cfg); err != nil {
			return nil, fmt.Errorf("netbeat: reading the netbeat section of the config failed: %w", err)
		}
		if len(cfg.Interfaces) > 0 || len(cfg.Files) > 0 || ReadFile != "" {
			return nil, fmt.Errorf("netbeat: invalid configuration: netbeat.kafka.enabled makes this a central consumer, which captures nothing: " +
				"remove netbeat.interfaces, netbeat.files and -I, or run the capture as a separate probe")
		}
		if err := sec.Kafka.Check(); err != nil {
			return nil, fmt.Errorf("netbeat: invalid configuration: %w", err)
		}
		kc, err := raw.Child("kafka", -1)
		if err != nil {
			return nil, fmt.Errorf("netbeat: reading netbeat.kafka failed: %w", err)
		}
		log := logp.NewLogger("consume")
		conn, err := kafka.ConnOptions(kc, log)
		if err != nil {
			return nil, fmt.Errorf("netbeat: netbeat.kafka: %w", err)
		}
		var reg = b.Monitoring.StatsRegistry()
		cons, err := consume.New(sec.Kafka, conn, log, reg)
		if err != nil {
			return nil, fmt.Errorf("netbeat: %w", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		return &central{cons: cons, ctx: ctx, cancel: cancel, drain: cfg.ShutdownTimeout, log: log}, nil
	}
}

// central is the Beater of central mode.
type central struct {
	cons   *consume.Consumer
	ctx    context.Context
	cancel context.CancelFunc
	drain  time.Duration
	log    *logp.Logger
	once   sync.Once
}

// Run consumes until Stop.
func (c *central) Run(b *libbeat.Beat) error {
	client, err := b.Publisher.ConnectWith(libbeat.ClientConfig{
		PublishMode:   libbeat.GuaranteedSend,
		EventListener: acker.EventPrivateReporter(c.cons.ACK),
		// The probe's host, agent and ecs fields stay: libbeat adds its own
		// only where a document has none, and no host.name at all.
		Processing: libbeat.ProcessingConfig{DisableHost: true},
	})
	if err != nil {
		return fmt.Errorf("netbeat: connecting to the publisher pipeline failed: %w", err)
	}
	var out Sink = client
	if WrapSink != nil {
		if out, err = WrapSink(b, client, StageOptions{Bundle: 1}); err != nil {
			client.Close()
			return err
		}
	}
	// Fields stay encoded unless a processor reads them (the decision a
	// probe makes for its packet events, eventpath.go).
	path := currentPath()
	if path.maps {
		c.log.Infof("central mode: consuming netbeat.kafka topics; events are decoded into maps: %s", path.reason)
	} else {
		c.log.Info("central mode: consuming netbeat.kafka topics; event fields stay encoded")
	}
	err = c.cons.Run(c.ctx, out, c.drain, !path.maps)
	out.Close()
	return err
}

// Stop ends Run.
func (c *central) Stop() { c.once.Do(c.cancel) }
