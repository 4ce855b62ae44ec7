// Package kafka is netbeat's Kafka output, a libbeat output built on
// franz-go (github.com/twmb/franz-go/pkg/kgo). It registers the output type
// "franz"; its options are named like libbeat's sarama based "kafka" output,
// so switching is renaming `output.kafka:` to `output.franz:`.
//
// Delivery: an event is ACKed only after Kafka acknowledged it (per
// required_acks); records that may be in flight are never cancelled (with
// required_acks -1 the idempotent producer writes each once per run); what
// kgo fails goes back to the pipeline with batch.RetryEvents; oversize,
// undecodable and unauthorized events are dropped, logged and counted. See
// README.md for the guarantee per mode, options and metrics.
package kafka

import (
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/outputs"
	"github.com/elastic/beats/v7/libbeat/outputs/codec"
	_ "github.com/elastic/beats/v7/libbeat/outputs/codec/format" // codec.format
	_ "github.com/elastic/beats/v7/libbeat/outputs/codec/json"   // codec.json (default)
	"github.com/elastic/beats/v7/libbeat/outputs/outil"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/netbeat/netbeat/beat/outputs/jsonenc"
)

// TypeName is the output type users configure (`output.franz`).
const TypeName = "franz"

// logSelector names the output's logger (enable with `-d kafka`).
const logSelector = "kafka"

func init() {
	outputs.RegisterType(TypeName, makeFranz)
}

// makeFranz is the outputs.Factory of output.franz.
func makeFranz(_ outputs.IndexManager, info beat.Info, observer outputs.Observer, cfg *config.C) (outputs.Group, error) {
	log := info.Logger
	if log == nil {
		log = logp.NewLogger("")
	}
	log = log.Named(logSelector)

	fc, err := readConfig(cfg)
	if err != nil {
		return outputs.Fail(err)
	}
	if ignored := ignoredSaramaOptions(cfg); len(ignored) > 0 {
		log.Warnf("%s: output.franz ignores libbeat sarama options %s (franz-go negotiates versions and connections itself)", component, strings.Join(ignored, ", "))
	}
	c, err := newClient(info, observer, fc, cfg, defaultRegistry(), log)
	if err != nil {
		return outputs.Fail(err)
	}
	// kgo retries records until Kafka answers; the pipeline retries the
	// events kgo failed (client closed, permanent errors) max_retries times
	// (-1: forever), and the backoff wrapper paces failed Connects.
	// Events are encoded as they enter the queue (recordEncoder), by the
	// goroutine that publishes them, not by the output worker.
	encoders := c.encoderFactory(func() (codec.Codec, error) { return codec.CreateEncoder(info, fc.Codec) })
	return outputs.Success(fc.Queue, fc.BulkMaxSize, fc.MaxRetries, encoders, log,
		outputs.WithBackoff(c, fc.Backoff.Init, fc.Backoff.Max))
}

// newClient builds the client from a validated configuration; raw is the
// same configuration, used by the topic selector. reg receives the output's
// own metrics.
func newClient(info beat.Info, observer outputs.Observer, fc *franzConfig, raw *config.C,
	reg *monitoring.Registry, log *logp.Logger) (*client, error) {
	if observer == nil {
		observer = outputs.NewNilObserver()
	}
	topic, err := outil.BuildSelectorFromConfig(raw, outil.Settings{
		Key:              "topic",
		MultiKey:         "topics",
		EnableSingleOnly: true,
		FailEmpty:        true,
		Case:             outil.SelectorKeepCase,
	}, log)
	if err != nil {
		return nil, errorf("building the topic selector failed: %w", err)
	}
	enc, err := codec.CreateEncoder(info, fc.Codec)
	if err != nil {
		return nil, errorf("creating the codec failed: %w", err)
	}
	part, err := newPartitioner(fc.Partition)
	if err != nil {
		return nil, err
	}
	opts, err := kgoOptions(fc, part, log)
	if err != nil {
		return nil, err
	}
	vw, err := newViewer(fc, part)
	if err != nil {
		return nil, err
	}
	var fast *jsonenc.Encoder
	if jsonenc.DefaultJSON(fc.Codec) {
		fast = jsonenc.New(info.Version)
	}
	var headers []kgo.RecordHeader
	for _, h := range fc.Headers {
		if h.Key != "" {
			headers = append(headers, kgo.RecordHeader{Key: h.Key, Value: []byte(h.Value)})
		}
	}
	renc := &recordEncoder{fast: fast, codec: enc, index: strings.ToLower(info.IndexPrefix),
		topic: topic, key: fc.Key, part: part, viewer: vw}
	renc.shortcuts()
	return &client{
		log:      log,
		observer: observer,
		metrics:  newMetrics(reg, log),
		hosts:    fc.Hosts,
		opts:     opts,
		timeout:  fc.Timeout + fc.linger(),
		maxBytes: fc.MaxMessageBytes,
		enc:      renc,
		headers:  headers,
		places:   make(chan struct{}, fc.Pipelining),
	}, nil
}
