package cmd

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/elastic/beats/v7/libbeat/cfgfile"

	"github.com/netbeat/netbeat/beat/setup"
)

// runKafkaTopics creates the topics of output.franz (`setup --kafka-topics`).
func runKafkaTopics(ctx context.Context, w io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, err := cfgfile.Load("", nil)
	if err != nil {
		return fmt.Errorf("setup: loading the configuration failed: %w", err)
	}
	kc, err := setup.ReadKafkaConfig(cfg)
	if err != nil {
		return err
	}
	res, err := setup.CreateTopics(ctx, kc, time.Now())
	for _, r := range res {
		fmt.Fprintf(w, "Kafka topic %s\n", r)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Kafka topics ready (%d partitions, replication factor %d)\n", kc.Partitions, kc.ReplicationFactor)
	return nil
}
