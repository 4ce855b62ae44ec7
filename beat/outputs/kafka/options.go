package kafka

import (
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/elastic/elastic-agent-libs/logp"
)

// kgoOptions turns the validated user configuration into franz-go client
// options. kgo retries a record until Kafka answers for it (RecordRetries and
// RecordDeliveryTimeout stay unlimited: the delivery timeout measures from
// the record timestamp, which is the possibly old event time of a pcap
// replay); netbeat never cancels records that may be in flight (client.go),
// so with the idempotent producer a record is written once. Records kgo
// fails (client closed, permanent errors) go back to the libbeat pipeline.
func kgoOptions(cfg *franzConfig, part *partitioner, log *logp.Logger) ([]kgo.Opt, error) {
	opts, err := dialOptions(cfg, log)
	if err != nil {
		return nil, err
	}
	opts = append(opts,
		kgo.MetadataMaxAge(cfg.Metadata.RefreshFreq),
		kgo.RetryBackoffFn(retryBackoff(cfg.Backoff)),
		kgo.AllowAutoTopicCreation(),
		kgo.ProduceRequestTimeout(cfg.BrokerTimeout),
		kgo.ProducerLinger(cfg.linger()),
		kgo.ProducerBatchMaxBytes(int32(min(cfg.MaxMessageBytes, 1<<30))), //nolint:gosec // bounded
		// Publish hands kgo every record of a batch at once and waits for
		// all of them: with bundles (beat/event.Bundle) a batch of
		// bulk_max_size events is many more records. kgo keeps references to
		// records that the pipeline's queue holds anyway, so this bound costs
		// no memory of its own; netbeat.packets.max_inflight bounds the total.
		kgo.MaxBufferedRecords(max(cfg.BulkMaxSize+1, maxBufferedRecords)),
		kgo.RecordPartitioner(part),
	)
	opts = append(opts, compressionOpts(cfg)...)

	switch cfg.RequiredACKs {
	case 0:
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
	case 1:
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
	default:
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	}
	if !cfg.idempotent() {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	return opts, nil
}

func compressionCodec(cfg *franzConfig) kgo.CompressionCodec {
	switch strings.ToLower(cfg.Compression) {
	case "gzip":
		return kgo.GzipCompression().WithLevel(gzipLevel(cfg))
	case "snappy":
		return kgo.SnappyCompression()
	case "lz4":
		return kgo.Lz4Compression()
	case "zstd":
		return kgo.ZstdCompression().WithLevel(int(zstdLevel(cfg)))
	default:
		return kgo.NoCompression()
	}
}

// defaultGzipLevel is libbeat's default for its kafka output.
const defaultGzipLevel = 4

// gzipLevel is compression_level, or libbeat's default.
func gzipLevel(cfg *franzConfig) int {
	if cfg.CompressionLevel == nil {
		return defaultGzipLevel
	}
	return *cfg.CompressionLevel
}

// zstdLevel maps compression_level, read as zstd's own levels (1..22), onto
// the levels of franz-go's zstd encoder; unset, it is the fastest. franz-go
// passes its level straight to klauspost/compress, where 4 is the best
// compression: the gzip default of 4 applied to zstd cost about 20 µs of CPU
// per packet event (BENCHMARKS.md, issue #12, fourth session).
func zstdLevel(cfg *franzConfig) zstd.EncoderLevel {
	if cfg.CompressionLevel == nil {
		return zstd.SpeedFastest
	}
	return zstd.EncoderLevelFromZstd(*cfg.CompressionLevel)
}

// saslMechanism returns nil when no username is configured. Like libbeat, a
// username without sasl.mechanism means PLAIN.
func saslMechanism(cfg *franzConfig) sasl.Mechanism {
	if cfg.Username == "" {
		return nil
	}
	switch strings.ToUpper(cfg.Sasl.Mechanism) {
	case saslScramSHA256:
		return scram.Auth{User: cfg.Username, Pass: cfg.Password}.AsSha256Mechanism()
	case saslScramSHA512:
		return scram.Auth{User: cfg.Username, Pass: cfg.Password}.AsSha512Mechanism()
	default:
		return plain.Auth{User: cfg.Username, Pass: cfg.Password}.AsMechanism()
	}
}

// retryBackoff is kgo's per-request backoff: init doubling up to max, capped
// at 1 s so a broker that comes back is found quickly (the libbeat backoff
// around Connect/Publish applies backoff.max between batches).
func retryBackoff(b backoffConfig) func(int) time.Duration {
	return func(tries int) time.Duration {
		d := b.Init / 4
		for i := 1; i < tries && d < time.Second; i++ {
			d *= 2
		}
		return min(d, time.Second, b.Max)
	}
}

// maxBufferedRecords lets one Publish of bundles hand kgo all its records
// without blocking.
const maxBufferedRecords = 1 << 20
