package kafka

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/elastic/beats/v7/libbeat/common/fmtstr"
	"github.com/elastic/beats/v7/libbeat/outputs/codec"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/transport/tlscommon"

	"github.com/netbeat/netbeat/internal/confkeys"
)

// franzConfig is the user configuration of output.franz. Option names match
// libbeat's sarama based output.kafka wherever they mean the same thing.
type franzConfig struct {
	Hosts []string `config:"hosts"`
	// Topic and Topics are only validated here; outil.BuildSelectorFromConfig
	// reads them again from the raw config.
	Topic  string `config:"topic"`
	Topics []any  `config:"topics"`

	// Key is the record key format string. Default: %{[network.community_id]};
	// events without the field get no key.
	Key       *fmtstr.EventFormatString `config:"key"`
	Partition map[string]*config.C      `config:"partition"`
	Headers   []header                  `config:"headers"`
	Codec     codec.Config              `config:"codec"`
	ClientID  string                    `config:"client_id"`

	RequiredACKs     int    `config:"required_acks"`
	Idempotent       *bool  `config:"idempotent"` // unset: true with required_acks -1 (idempotent())
	Compression      string `config:"compression"`
	CompressionLevel *int   `config:"compression_level"` // nil: the codec's default (gzipLevel, zstdLevel)
	MaxMessageBytes  int    `config:"max_message_bytes"`

	BulkMaxSize        int           `config:"bulk_max_size"`
	Pipelining         int           `config:"pipelining"`
	BulkFlushFrequency time.Duration `config:"bulk_flush_frequency"`
	Linger             time.Duration `config:"linger"`

	MaxRetries    int           `config:"max_retries"`
	Backoff       backoffConfig `config:"backoff"`
	Timeout       time.Duration `config:"timeout"`
	BrokerTimeout time.Duration `config:"broker_timeout"`
	Metadata      metaConfig    `config:"metadata"`

	TLS      *tlscommon.Config `config:"ssl"`
	Sasl     saslConfig        `config:"sasl"`
	Username string            `config:"username"`
	Password string            `config:"password"`

	Queue config.Namespace `config:"queue"`
}

type header struct {
	Key   string `config:"key"`
	Value string `config:"value"`
}

type backoffConfig struct {
	Init time.Duration `config:"init"`
	Max  time.Duration `config:"max"`
}

type metaConfig struct {
	RefreshFreq time.Duration `config:"refresh_frequency"`
}

type saslConfig struct {
	Mechanism string `config:"mechanism"`
}

// defaultKey keeps all events of one flow in one partition.
const defaultKey = "%{[network.community_id]}"

// SASL mechanism names accepted by sasl.mechanism (case-insensitive).
const (
	saslPlain       = "PLAIN"
	saslScramSHA256 = "SCRAM-SHA-256"
	saslScramSHA512 = "SCRAM-SHA-512"
)

var compressionModes = map[string]bool{
	"none": true, "no": true, "off": true,
	"gzip": true, "snappy": true, "lz4": true, "zstd": true,
}

func defaultConfig() franzConfig {
	return franzConfig{
		ClientID:        "netbeat",
		RequiredACKs:    1,
		Compression:     "lz4", // README "Compression": about a twelfth of the bytes, and the cheapest codec for netbeat and the broker
		MaxMessageBytes: 1000000,
		BulkMaxSize:     2048,
		Pipelining:      4,
		MaxRetries:      3,
		Backoff:         backoffConfig{Init: time.Second, Max: 60 * time.Second},
		Timeout:         30 * time.Second,
		BrokerTimeout:   10 * time.Second,
		Metadata:        metaConfig{RefreshFreq: 10 * time.Minute},
	}
}

// knownKeys is every key output.franz accepts: its own options, libbeat's
// generic output options, and libbeat sarama output options that franz-go has
// no use for (accepted with a warning, so a renamed output.kafka block keeps
// working). Any other key is a typo and an error (see confkeys).
type knownKeys struct {
	franzConfig `config:",inline"`
	Enabled     bool       `config:"enabled"`
	Worker      int        `config:"worker"`
	Sarama      saramaOnly `config:",inline"`
}

// saramaOnly lists libbeat's sarama output options that output.franz ignores.
type saramaOnly struct {
	Version        string         `config:"version"`
	KeepAlive      string         `config:"keep_alive"`
	ChanBufferSize int            `config:"channel_buffer_size"`
	Kerberos       map[string]any `config:"kerberos"`
	EnableFAST     bool           `config:"enable_krb5_fast"`
	Metadata       struct {
		Retry map[string]any `config:"retry"`
		Full  bool           `config:"full"`
	} `config:"metadata"`
}

// ignoredSaramaOptions names the saramaOnly options set in cfg.
func ignoredSaramaOptions(cfg *config.C) []string {
	return confkeys.Set(cfg, &saramaOnly{})
}

func readConfig(cfg *config.C) (*franzConfig, error) {
	// Typos first: a misspelt required option would otherwise be reported
	// as missing.
	if err := confkeys.Check(cfg, &knownKeys{}, "output.franz"); err != nil {
		return nil, err
	}
	c := defaultConfig()
	if err := cfg.Unpack(&c); err != nil {
		return nil, errorf("reading the configuration failed: %w", err)
	}
	if c.Key == nil {
		c.Key = fmtstr.MustCompileEvent(defaultKey)
	}
	return &c, nil
}

// Validate is called by go-ucfg after unpacking.
func (c *franzConfig) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if len(c.Hosts) == 0 {
		add("hosts: at least one broker is required")
	}
	if c.Topic == "" && len(c.Topics) == 0 {
		add("either 'topic' or 'topics' must be set")
	}
	comp := strings.ToLower(c.Compression)
	if !compressionModes[comp] {
		add("compression: %q is unknown (use none, gzip, snappy, lz4 or zstd)", c.Compression)
	}
	if l := c.CompressionLevel; l != nil {
		switch {
		case comp == "gzip" && (*l < -1 || *l > 9):
			add("compression_level: %d is out of range for gzip (-1..9)", *l)
		case comp == "zstd" && (*l < 1 || *l > 22):
			add("compression_level: %d is out of range for zstd (1..22, as zstd's own levels)", *l)
		}
	}
	switch c.RequiredACKs {
	case -1, 0, 1:
	default:
		add("required_acks: %d is invalid (use 1, 0 or -1)", c.RequiredACKs)
	}
	if c.Idempotent != nil && *c.Idempotent && c.RequiredACKs != -1 {
		errs = append(errs, ErrIdempotentAcks)
	}
	if c.MaxMessageBytes < 1 {
		add("max_message_bytes: must be at least 1")
	}
	if c.BulkMaxSize < 1 {
		add("bulk_max_size: must be at least 1")
	}
	if c.Pipelining < 1 {
		add("pipelining: must be at least 1 (batches in flight)")
	}
	if c.BulkFlushFrequency < 0 || c.Linger < 0 {
		add("bulk_flush_frequency/linger: must not be negative")
	}
	if c.MaxRetries < -1 {
		add("max_retries: must be -1 (forever) or more")
	}
	if c.Backoff.Init <= 0 || c.Backoff.Max < c.Backoff.Init {
		add("backoff: init must be > 0 and max >= init")
	}
	if c.Timeout <= 0 || c.BrokerTimeout <= 0 {
		add("timeout and broker_timeout must be > 0")
	}
	switch strings.ToUpper(c.Sasl.Mechanism) {
	case "", saslPlain, saslScramSHA256, saslScramSHA512:
	default:
		add("sasl.mechanism: %q is unknown (use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", c.Sasl.Mechanism)
	}
	if c.Sasl.Mechanism != "" && c.Username == "" {
		add("sasl.mechanism is set but username is empty")
	}
	if c.Username != "" && c.Password == "" {
		add("password must be set when username is set")
	}
	if len(c.Partition) > 1 {
		add("partition: only one of hash, random, round_robin may be set")
	}
	for name := range c.Partition {
		if _, ok := partitioners[name]; !ok {
			add("partition: %q is unknown (use hash, random or round_robin)", name)
		}
	}
	if err := errors.Join(errs...); err != nil {
		// readConfig (through Unpack) adds the component prefix.
		return fmt.Errorf("validating the configuration failed: %w", err)
	}
	return nil
}

// idempotent reports whether franz-go's idempotent producer is used: as
// configured, and by default whenever required_acks is -1 (it needs acks from
// all in-sync replicas). It keeps franz-go's own retries of a produce request
// whose answer was lost from writing records twice.
func (c *franzConfig) idempotent() bool {
	if c.Idempotent != nil {
		return *c.Idempotent
	}
	return c.RequiredACKs == -1
}

// linger returns the producer linger: linger wins over bulk_flush_frequency.
func (c *franzConfig) linger() time.Duration {
	if c.Linger > 0 {
		return c.Linger
	}
	return c.BulkFlushFrequency
}
