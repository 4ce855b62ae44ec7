package consume

import (
	"fmt"
	"regexp"
	"time"

	"github.com/elastic/beats/v7/libbeat/common/cfgtype"

	"github.com/netbeat/netbeat/beat/outputs/kafka"
)

// Config is netbeat.kafka: the Kafka input of central mode.
type Config struct {
	// Enabled turns the beat into a central consumer: it reads the topics
	// below instead of capturing (netbeat.interfaces and netbeat.files must
	// then be empty).
	Enabled bool `config:"enabled"`

	// The connection, written as output.franz's (hosts, client_id, timeout,
	// ssl.*, sasl.mechanism, username, password) and read by the same code
	// (beat/outputs/kafka ConnOptions).
	kafka.ConnConfig `config:",inline"`

	// Group is the consumer group: central instances with the same group
	// share the partitions.
	Group string `config:"group"`
	// Topics are topic names; a name with a date format (output.franz's
	// "netbeat-%{+yyyy.MM.dd}") matches every topic of that form, present
	// and future. TopicsRegex are regular expressions (anchored).
	Topics      []string `config:"topics"`
	TopicsRegex []string `config:"topics_regex"`
	// StartOffset is where a group with no committed offset starts:
	// earliest (default) or latest.
	StartOffset string `config:"start_offset"`
	// CommitInterval is how often offsets of acknowledged events are
	// committed (and at every rebalance and at shutdown).
	CommitInterval time.Duration `config:"commit_interval"`
	// MaxInflight bounds the records polled and not yet acknowledged by the
	// output (or written to the dead-letter topic): polling waits, so memory
	// stays bounded when the output is slow or down.
	MaxInflight int `config:"max_inflight"`
	// FetchMaxBytes bounds one fetch (franz-go buffers at most one fetch
	// per broker while polling waits).
	FetchMaxBytes cfgtype.ByteSize `config:"fetch_max_bytes"`
	// MaxRecordBytes: larger records are bad records.
	MaxRecordBytes cfgtype.ByteSize `config:"max_record_bytes"`
	// DeadLetterTopic receives bad records (not JSON, wrong shape,
	// oversized) with headers saying why and where they came from; empty:
	// they are only counted and logged.
	DeadLetterTopic string `config:"dead_letter_topic"`
}

// DefaultConfig is netbeat.kafka's defaults.
func DefaultConfig() Config {
	return Config{
		ConnConfig:     kafka.ConnConfig{Timeout: 30 * time.Second},
		Group:          "netbeat-central",
		StartOffset:    "earliest",
		CommitInterval: time.Second,
		MaxInflight:    16384,
		FetchMaxBytes:  16 << 20,
		MaxRecordBytes: 1 << 20,
	}
}

// Check validates the configuration and says how to fix what is wrong.
func (c *Config) Check() error {
	if !c.Enabled {
		return nil
	}
	if len(c.Hosts) == 0 {
		return errorf("netbeat.kafka.hosts is empty: list the brokers, e.g. [\"kafka1:9092\"]")
	}
	if len(c.Topics) == 0 && len(c.TopicsRegex) == 0 {
		return errorf("netbeat.kafka.topics and topics_regex are empty: name the topics output.franz writes, e.g. [\"netbeat\"] or [\"netbeat-%%{+yyyy.MM.dd}\"]")
	}
	if c.Group == "" {
		return errorf("netbeat.kafka.group is empty: central instances that share the work need one consumer group name")
	}
	if c.StartOffset != "earliest" && c.StartOffset != "latest" {
		return errorf("netbeat.kafka.start_offset %q is unknown: use earliest or latest", c.StartOffset)
	}
	if c.CommitInterval <= 0 {
		return errorf("netbeat.kafka.commit_interval must be > 0, not %v", c.CommitInterval)
	}
	if c.MaxInflight < 1 {
		return errorf("netbeat.kafka.max_inflight must be at least 1, not %d", c.MaxInflight)
	}
	if c.FetchMaxBytes < 1<<10 || c.MaxRecordBytes < 1<<10 {
		return errorf("netbeat.kafka.fetch_max_bytes and max_record_bytes must be at least 1KiB")
	}
	_, err := c.regexes()
	return err
}

// regexes is every topic pattern as one anchored regular expression each,
// or nil when all topics are plain names.
func (c *Config) regexes() ([]string, error) {
	var res []string
	templated := false
	for _, t := range c.Topics {
		re, tmpl, err := TopicPattern(t)
		if err != nil {
			return nil, errorf("netbeat.kafka.topics: %w", err)
		}
		templated = templated || tmpl
		res = append(res, re)
	}
	for _, r := range c.TopicsRegex {
		if _, err := regexp.Compile(r); err != nil {
			return nil, errorf("netbeat.kafka.topics_regex %q is not a regular expression: %w", r, err)
		}
		res = append(res, "^(?:"+r+")$")
	}
	if !templated && len(c.TopicsRegex) == 0 {
		return nil, nil
	}
	return res, nil
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("consume: "+format, args...)
}
