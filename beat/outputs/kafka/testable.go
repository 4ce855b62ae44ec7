package kafka

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/elastic-agent-libs/testing"
)

// Test implements testing.Testable for `netbeat test output`: it dials each
// host, loads cluster metadata with the configured TLS/SASL settings, and
// checks that the topic (resolved for an empty event now) exists or will be
// auto-created.
func (c *client) Test(d testing.Driver) {
	for _, host := range c.hosts {
		d.Run("kafka: "+host, func(d testing.Driver) {
			conn, err := net.DialTimeout("tcp", host, c.timeout)
			if err != nil {
				d.Fatal("dial up", errorf("%w at %s; check hosts and that the broker is running: %w", ErrNoBroker, host, err))
				return
			}
			_ = conn.Close()
			d.Error("dial up", nil)
		})
	}
	d.Run("kafka: cluster", c.testCluster)
}

func (c *client) testCluster(d testing.Driver) {
	cl, err := kgo.NewClient(c.opts...)
	if err != nil {
		d.Fatal("client", errorf("creating the franz-go client failed: %w", err))
		return
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()

	md, err := adm.BrokerMetadata(ctx)
	if err == nil && len(md.Brokers) == 0 {
		err = fmt.Errorf("metadata lists no brokers")
	}
	if err != nil {
		d.Fatal("metadata", errorf("%w at %s; check hosts and that the broker is running (and ssl/sasl settings): %w",
			ErrNoBroker, strings.Join(c.hosts, ","), err))
		return
	}
	d.Error("metadata", nil)
	d.Info("cluster id", md.Cluster)
	for _, b := range md.Brokers {
		d.Info("broker", fmt.Sprintf("id %d at %s:%d", b.NodeID, b.Host, b.Port))
	}

	topic, err := c.enc.topic.Select(&beat.Event{Timestamp: time.Now(), Fields: mapstr.M{}})
	if err != nil || topic == "" {
		d.Warn("topic", "the topic depends on event fields; not checked")
		return
	}
	topics, err := adm.ListTopics(ctx, topic)
	if err != nil {
		d.Error("topic", errorf("listing topic %q failed: %w", topic, err))
		return
	}
	if td, ok := topics[topic]; ok && td.Err == nil {
		d.Info("topic", fmt.Sprintf("%s exists with %d partitions", topic, len(td.Partitions)))
		return
	}
	auto := "unknown"
	if rc, err := adm.DescribeBrokerConfigs(ctx, md.Brokers[0].NodeID); err == nil {
		for _, r := range rc {
			for _, cfg := range r.Configs {
				if cfg.Key == "auto.create.topics.enable" && cfg.Value != nil {
					auto = *cfg.Value
				}
			}
		}
	}
	switch auto {
	case "true":
		d.Info("topic", topic+" does not exist yet; the broker will auto-create it")
	case "false":
		d.Error("topic", errorf("checking topic %q failed: it does not exist and the broker does not auto-create topics", topic))
	default:
		d.Warn("topic", topic+" does not exist; could not read auto.create.topics.enable")
	}
}
