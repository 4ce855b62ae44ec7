// Command topiccount prints how many records the given topics hold (sum of
// end minus start offsets over all partitions), for scripts/kafka/bench.sh.
//
//	go run ./scripts/kafka/topiccount -brokers 127.0.0.1:9092 TOPIC...
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "comma-separated seed brokers")
	flag.Parse()
	if err := run(strings.Split(*brokers, ","), flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "topiccount:", err)
		os.Exit(1)
	}
}

func run(brokers, topics []string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return fmt.Errorf("listing end offsets failed: %w", err)
	}
	starts, err := adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return fmt.Errorf("listing start offsets failed: %w", err)
	}
	for _, t := range topics {
		var n int64
		for p, o := range ends[t] {
			if o.Err != nil {
				return fmt.Errorf("topic %s partition %d: %w", t, p, o.Err)
			}
			n += o.Offset - starts[t][p].Offset
		}
		fmt.Printf("%s %d\n", t, n)
	}
	return nil
}
