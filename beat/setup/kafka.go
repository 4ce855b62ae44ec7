package setup

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common/fmtstr"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/elastic-agent-libs/transport/tlscommon"
)

// ErrNoFranzOutput is returned by ReadKafkaConfig when the configured output
// is not output.franz.
var ErrNoFranzOutput = errors.New("setup: --kafka-topics needs output.franz to be the configured output")

// TopicNames expands the output's topic format for the day of from and the
// next days days (UTC, like the output's %{+yyyy.MM.dd}), deduplicated and in
// order, followed by extra. A format that reads event fields cannot be
// expanded ahead of time: list those topics in setup.kafka.topics.
func TopicNames(format string, from time.Time, days int, extra []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if format != "" {
		fs, err := fmtstr.CompileEvent(format)
		if err != nil {
			return nil, errorf("compiling topic %q failed: %w", format, err)
		}
		day := time.Date(from.Year(), from.Month(), from.Day(), 12, 0, 0, 0, time.UTC)
		for i := 0; i <= days; i++ {
			t, err := fs.Run(&beat.Event{Timestamp: day.AddDate(0, 0, i), Fields: mapstr.M{}})
			if err != nil {
				return nil, errorf("topic %q depends on event fields (%w): list its topics in setup.kafka.topics", format, err)
			}
			add(t)
		}
	}
	for _, t := range extra {
		add(t)
	}
	return out, nil
}

// TopicResult is what CreateTopics did to one topic.
type TopicResult struct {
	Topic  string
	Status string // "created", "exists" or "exists, retention updated"
}

func (r TopicResult) String() string { return r.Topic + ": " + r.Status }

// CreateTopics creates the topics of c (TopicNames from now) with kadm. It is
// idempotent: existing topics are left as they are, except that their
// retention.ms is set when setup.kafka.retention is.
func CreateTopics(ctx context.Context, c *KafkaConfig, now time.Time) ([]TopicResult, error) {
	topics, err := TopicNames(c.Output.Topic, now, c.Days, c.Topics)
	if err != nil {
		return nil, err
	}
	opts, err := kafkaOpts(c)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, errorf("creating the Kafka client failed: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(ctx, c.Output.Timeout)
	defer cancel()

	configs := map[string]*string{}
	var alter []kadm.AlterConfig
	if c.Retention > 0 {
		ms := strconv.FormatInt(c.Retention.Milliseconds(), 10)
		configs["retention.ms"] = &ms
		alter = []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: &ms}}
	}
	resp, err := adm.CreateTopics(ctx, c.Partitions, c.ReplicationFactor, configs, topics...)
	if err != nil {
		return nil, errorf("creating topics on %s failed: %w", strings.Join(c.Output.Hosts, ","), err)
	}
	var res []TopicResult
	var errs []error
	for _, t := range topics {
		r := resp[t]
		switch {
		case r.Err == nil:
			res = append(res, TopicResult{t, "created"})
		case errors.Is(r.Err, kerr.TopicAlreadyExists):
			st := "exists"
			if alter != nil {
				ar, err := adm.AlterTopicConfigs(ctx, alter, t)
				for _, a := range ar {
					if err == nil && a.Err != nil {
						err = fmt.Errorf("%w %s", a.Err, a.ErrMessage)
					}
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: setting retention.ms failed: %w", t, err))
					continue
				}
				st = "exists, retention updated"
			}
			res = append(res, TopicResult{t, st})
		default:
			errs = append(errs, fmt.Errorf("%s: %w %s", t, r.Err, r.ErrMessage))
		}
	}
	sort.Slice(res, func(i, j int) bool { return res[i].Topic < res[j].Topic })
	if len(errs) > 0 {
		return res, errorf("creating topics failed: %w", errors.Join(errs...))
	}
	return res, nil
}

// kafkaOpts builds the client options from output.franz's hosts, ssl and SASL settings.
func kafkaOpts(kc *KafkaConfig) ([]kgo.Opt, error) {
	c := &kc.Output
	opts := []kgo.Opt{kgo.SeedBrokers(c.Hosts...), kgo.ClientID("netbeat-setup")}
	if c.TLS != nil && c.TLS.IsEnabled() {
		tc, err := tlscommon.LoadTLSConfig(c.TLS, nil)
		if err != nil {
			return nil, errorf("loading output.franz.ssl failed: %w", err)
		}
		host, _, _ := net.SplitHostPort(c.Hosts[0])
		var std *tls.Config = tc.BuildModuleClientConfig(host)
		opts = append(opts, kgo.DialTLSConfig(std))
	}
	if c.Username != "" {
		switch strings.ToUpper(c.Sasl.Mechanism) {
		case "", "PLAIN":
			opts = append(opts, kgo.SASL(plain.Auth{User: c.Username, Pass: c.Password}.AsMechanism()))
		case "SCRAM-SHA-256":
			opts = append(opts, kgo.SASL(scram.Auth{User: c.Username, Pass: c.Password}.AsSha256Mechanism()))
		case "SCRAM-SHA-512":
			opts = append(opts, kgo.SASL(scram.Auth{User: c.Username, Pass: c.Password}.AsSha512Mechanism()))
		default:
			return nil, errorf("output.franz.sasl.mechanism %q is unknown (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)", c.Sasl.Mechanism)
		}
	}
	return opts, nil
}
