// Command topiccount prints how many records the given topics hold (sum of
// end minus start offsets over all partitions), for scripts/kafka/bench.sh
// and scripts/compare/eventcost.sh.
//
//	go run ./scripts/kafka/topiccount -brokers 127.0.0.1:9092 [-read] [-delete] TOPIC...
//
// -read also consumes every record and checks that each is a JSON document
// and that the packet events' frame.number values are 1..N, each once
// (packet events of one capture); -delete deletes the topics afterwards, so
// that benchmark runs do not fill the broker's disk.
package main

import (
	"context"
	"encoding/json"
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
	read := flag.Bool("read", false, "consume every record and check the packet frame numbers")
	del := flag.Bool("delete", false, "delete the topics after counting")
	flag.Parse()
	if err := run(strings.Split(*brokers, ","), flag.Args(), *read, *del); err != nil {
		fmt.Fprintln(os.Stderr, "topiccount:", err)
		os.Exit(1)
	}
}

func run(brokers, topics []string, read, del bool) error {
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
		if read {
			if err := readAll(brokers, t, n); err != nil {
				return err
			}
		}
		fmt.Printf("%s %d\n", t, n)
	}
	if del {
		dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer dcancel()
		if _, err := adm.DeleteTopics(dctx, topics...); err != nil {
			return fmt.Errorf("deleting topics failed: %w", err)
		}
	}
	return nil
}

// readAll consumes the n records of topic and checks them.
func readAll(brokers []string, topic string, n int64) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	seen := make([]bool, n+1)
	var got, frames int64
	for got < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: read %d of %d records: %w", topic, got, n, err)
		}
		for it := fs.RecordIter(); !it.Done(); {
			r := it.Next()
			got++
			var doc struct {
				Frame *struct {
					Number int64 `json:"number"`
				} `json:"frame"`
			}
			if err := json.Unmarshal(r.Value, &doc); err != nil {
				return fmt.Errorf("%s: record at offset %d is not JSON: %w", topic, r.Offset, err)
			}
			if doc.Frame == nil {
				continue // a flow record
			}
			num := doc.Frame.Number
			if num < 1 || num > n || seen[num] {
				return fmt.Errorf("%s: frame.number %d out of range or seen twice", topic, num)
			}
			seen[num] = true
			frames++
		}
	}
	if frames > 0 && frames != n {
		return fmt.Errorf("%s: %d packet events among %d records", topic, frames, n)
	}
	fmt.Fprintf(os.Stderr, "%s: read %d records back, %d packet events with frame numbers 1..%d each once\n", topic, got, frames, frames)
	return nil
}
