package setup

import (
	"time"

	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/transport/tlscommon"

	"github.com/netbeat/netbeat/internal/confkeys"
)

// KafkaConfig is what `netbeat setup --kafka-topics` reads: the connection
// and topic format of output.franz, and the topic settings of setup.kafka:
//
//	setup.kafka:
//	  days: 7               # today's topic and the next 7 days' (date formats only)
//	  partitions: 3
//	  replication_factor: 1
//	  retention: 168h       # retention.ms; 0 = the broker's default
//	  topics: []            # extra topics, e.g. the targets of output.franz.topics rules
type KafkaConfig struct {
	Output FranzConn
	TopicSettings
}

// FranzConn is the part of output.franz that --kafka-topics uses.
type FranzConn struct {
	Hosts []string          `config:"hosts"`
	Topic string            `config:"topic"`
	TLS   *tlscommon.Config `config:"ssl"`
	Sasl  struct {
		Mechanism string `config:"mechanism"`
	} `config:"sasl"`
	Username string        `config:"username"`
	Password string        `config:"password"`
	Timeout  time.Duration `config:"timeout"`
}

// TopicSettings is setup.kafka.
type TopicSettings struct {
	Days              int           `config:"days" validate:"min=0"`
	Partitions        int32         `config:"partitions" validate:"min=1"`
	ReplicationFactor int16         `config:"replication_factor" validate:"min=1"`
	Retention         time.Duration `config:"retention" validate:"min=0"`
	Topics            []string      `config:"topics"`
}

// DefaultTopicSettings are the setup.kafka defaults.
func DefaultTopicSettings() TopicSettings {
	return TopicSettings{Days: 7, Partitions: 3, ReplicationFactor: 1}
}

// ReadKafkaConfig unpacks output.franz and setup.kafka from the whole beat
// configuration. It fails when output.franz is not configured.
func ReadKafkaConfig(root *config.C) (*KafkaConfig, error) {
	var raw struct {
		Output config.Namespace `config:"output"`
		Setup  struct {
			Kafka *config.C `config:"kafka"`
		} `config:"setup"`
	}
	if err := root.Unpack(&raw); err != nil {
		return nil, errorf("reading the configuration failed: %w", err)
	}
	if raw.Output.Name() != "franz" {
		return nil, ErrNoFranzOutput
	}
	c := &KafkaConfig{Output: FranzConn{Timeout: 30 * time.Second}, TopicSettings: DefaultTopicSettings()}
	if err := raw.Output.Config().Unpack(&c.Output); err != nil {
		return nil, errorf("reading output.franz failed: %w", err)
	}
	if raw.Setup.Kafka != nil {
		if err := confkeys.Check(raw.Setup.Kafka, &TopicSettings{}, "setup.kafka"); err != nil {
			return nil, errorf("%w", err)
		}
		if err := raw.Setup.Kafka.Unpack(&c.TopicSettings); err != nil {
			return nil, errorf("reading setup.kafka failed: %w", err)
		}
	}
	if len(c.Output.Hosts) == 0 {
		return nil, errorf("output.franz.hosts: at least one broker is required")
	}
	if c.Output.Topic == "" && len(c.Topics) == 0 {
		return nil, errorf("output.franz.topic is empty: list the topics in setup.kafka.topics")
	}
	return c, nil
}
