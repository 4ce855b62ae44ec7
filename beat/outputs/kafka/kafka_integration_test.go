//go:build integration

package kafka

// Integration tests against the real broker started by scripts/kafka.sh:
//
//	bash scripts/kafka.sh start
//	go test -tags integration ./beat/outputs/kafka/
//	bash scripts/kafka.sh stop
//
// They read NETBEAT_KAFKA_* from the environment or from
// .cache/kafka/run/env and fail (never skip) when the broker is missing.
// NETBEAT_KAFKA_OUTAGE (seconds, default 30) sets the broker pause of
// TestIntegrationBrokerRestart.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netbeat/netbeat/internal/nbtest"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/outputs"
	"github.com/elastic/beats/v7/libbeat/outputs/outest"
	agenttesting "github.com/elastic/elastic-agent-libs/testing"
)

// brokerEnv returns NETBEAT_KAFKA_<name>, failing the test when unset.
func brokerEnv(t *testing.T, name string) string { t.Helper(); return nbtest.KafkaEnv(t, name) }

func uniqueTopic(prefix string) string {
	return fmt.Sprintf("it-%s-%d", prefix, time.Now().UnixNano())
}

func plainConsumer(t *testing.T) []kgo.Opt {
	return []kgo.Opt{kgo.SeedBrokers(brokerEnv(t, "PLAINTEXT"))}
}

// produceAndCheck publishes n events through a client built from settings
// and checks that each arrives exactly once on topic.
func produceAndCheck(t *testing.T, settings map[string]any, topic string, n int) []*kgo.Record {
	t.Helper()
	settings["topic"] = topic
	c, reg := newTestClient(t, nil, settings)
	connect(t, c)
	for from := 0; from < n; from += 500 {
		b, err := publish(c, flowEvents(from, min(500, n-from), time.Now())...)
		if err != nil || lastSignal(t, b).Tag != outest.BatchACK {
			t.Fatalf("Publish: %v signals %+v", err, b.Signals)
		}
	}
	recs := consume(t, n, 30*time.Second, plainConsumer(t), topic)
	assertExactlyOnce(t, recs, n)
	if got := uintMetric(reg, "events.acked"); got != uint64(n) {
		t.Errorf("events.acked = %d, want %d", got, n)
	}
	return recs
}

func assertExactlyOnce(t *testing.T, recs []*kgo.Record, n int) {
	t.Helper()
	seen := make(map[int]int, n)
	for _, r := range recs {
		seen[seqOf(t, r)]++
	}
	for i := 0; i < n; i++ {
		if seen[i] != 1 {
			t.Errorf("seq %d arrived %d times", i, seen[i])
		}
	}
}

func TestIntegrationProduceConsume(t *testing.T) {
	produceAndCheck(t, map[string]any{"hosts": []string{brokerEnv(t, "PLAINTEXT")}}, uniqueTopic("plain"), 5000)
}

func TestIntegrationIdempotent(t *testing.T) {
	produceAndCheck(t, map[string]any{
		"hosts": []string{brokerEnv(t, "PLAINTEXT")}, "idempotent": true, "required_acks": -1,
	}, uniqueTopic("idem"), 1000)
}

func TestIntegrationKeys(t *testing.T) {
	recs := produceAndCheck(t, map[string]any{"hosts": []string{brokerEnv(t, "PLAINTEXT")}}, uniqueTopic("keys"), 700)
	parts := map[string]int32{}
	for _, r := range recs {
		if want := fmt.Sprintf("1:flow-%d", seqOf(t, r)%7); string(r.Key) != want {
			t.Fatalf("key %q, want %q", r.Key, want)
		}
		if p, ok := parts[string(r.Key)]; ok && p != r.Partition {
			t.Fatalf("key %q in partitions %d and %d", r.Key, p, r.Partition)
		}
		parts[string(r.Key)] = r.Partition
	}
}

func TestIntegrationDateTopic(t *testing.T) {
	prefix := uniqueTopic("date")
	c, _ := newTestClient(t, nil, map[string]any{
		"hosts": []string{brokerEnv(t, "PLAINTEXT")}, "topic": prefix + "-%{+yyyy.MM.dd}",
	})
	connect(t, c)
	day1 := time.Date(2025, 1, 31, 23, 59, 0, 0, time.UTC)
	day2 := day1.Add(2 * time.Minute)
	evs := append(flowEvents(0, 10, day1), flowEvents(10, 5, day2)...)
	if _, err := publish(c, evs...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got := len(consume(t, 10, 30*time.Second, plainConsumer(t), prefix+"-2025.01.31")); got != 10 {
		t.Errorf("day 1 topic has %d records, want 10", got)
	}
	if got := len(consume(t, 5, 30*time.Second, plainConsumer(t), prefix+"-2025.02.01")); got != 5 {
		t.Errorf("day 2 topic has %d records, want 5", got)
	}
}

func TestIntegrationCompression(t *testing.T) {
	for _, comp := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		t.Run(comp, func(t *testing.T) {
			produceAndCheck(t, map[string]any{
				"hosts": []string{brokerEnv(t, "PLAINTEXT")}, "compression": comp,
			}, uniqueTopic(comp), 500)
		})
	}
}

func TestIntegrationTLS(t *testing.T) {
	host, ca := brokerEnv(t, "SSL"), brokerEnv(t, "CA")
	t.Run("ca verification", func(t *testing.T) {
		produceAndCheck(t, map[string]any{
			"hosts": []string{host}, "ssl.certificate_authorities": []string{ca},
		}, uniqueTopic("tls"), 200)
	})
	t.Run("mutual tls", func(t *testing.T) {
		produceAndCheck(t, map[string]any{
			"hosts": []string{host}, "ssl.certificate_authorities": []string{ca},
			"ssl.certificate": brokerEnv(t, "CLIENT_CERT"), "ssl.key": brokerEnv(t, "CLIENT_KEY"),
		}, uniqueTopic("mtls"), 200)
	})
	t.Run("unknown ca is refused", func(t *testing.T) {
		c, _ := newTestClient(t, nil, map[string]any{"hosts": []string{host}, "topic": "x", "timeout": "3s"})
		if err := c.Connect(context.Background()); err == nil {
			_ = c.Close()
			t.Fatal("Connect with the system CAs succeeded against a self-signed broker")
		}
	})
}

func TestIntegrationSASL(t *testing.T) {
	host, user, pass := brokerEnv(t, "SASL"), brokerEnv(t, "SCRAM_USER"), brokerEnv(t, "SCRAM_PASSWORD")
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		t.Run(mech, func(t *testing.T) {
			produceAndCheck(t, map[string]any{
				"hosts": []string{host}, "username": user, "password": pass, "sasl.mechanism": mech,
			}, uniqueTopic(strings.ToLower(mech)), 200)
		})
	}
	t.Run("wrong password is refused", func(t *testing.T) {
		c, _ := newTestClient(t, nil, map[string]any{
			"hosts": []string{host}, "topic": "x", "timeout": "3s",
			"username": user, "password": "wrong", "sasl.mechanism": "SCRAM-SHA-512",
		})
		if err := c.Connect(context.Background()); err == nil {
			_ = c.Close()
			t.Fatal("Connect with a wrong password succeeded")
		}
	})
}

func TestIntegrationTestOutput(t *testing.T) {
	c, _ := newTestClient(t, nil, map[string]any{"hosts": []string{brokerEnv(t, "PLAINTEXT")}, "topic": uniqueTopic("probe")})
	var out bytes.Buffer
	c.Test(agenttesting.NewConsoleDriverWithKiller(&out, func() { t.Errorf("fatal") }))
	if s := out.String(); !strings.Contains(s, "auto-create") || strings.Contains(s, "ERROR") {
		t.Fatalf("test output:\n%s", s)
	}
	t.Logf("netbeat test output:\n%s", out.String())
}

// TestIntegrationBrokerRestart drives the client like libbeat's pipeline
// (WithBackoff, reconnect after a failed Publish, re-publish RetryEvents)
// while the broker is stopped for NETBEAT_KAFKA_OUTAGE seconds and restarted
// with the same ports and data. Nothing may be lost; duplicates are logged.
func TestIntegrationBrokerRestart(t *testing.T) {
	outage := 30
	if v := os.Getenv("NETBEAT_KAFKA_OUTAGE"); v != "" {
		outage, _ = strconv.Atoi(v)
	}
	script := brokerEnv(t, "SCRIPT")
	topic := uniqueTopic("restart")
	c, reg := newTestClient(t, nil, map[string]any{
		"hosts": []string{brokerEnv(t, "PLAINTEXT")}, "topic": topic, "timeout": "5s", "required_acks": -1,
	})
	bc := outputs.WithBackoff(c, 100*time.Millisecond, 2*time.Second)
	defer bc.Close()

	const total, batchSize = 6000, 100
	restartDone := make(chan error, 1)
	deadline := time.Now().Add(time.Duration(outage)*time.Second + 4*time.Minute)
	var pending []beat.Event
	next, acked, connected, restarted := 0, 0, false, false
	for (next < total || len(pending) > 0) && time.Now().Before(deadline) {
		if !restarted && next >= total/3 {
			restarted = true
			go func() {
				out, err := exec.Command("bash", script, "restart", strconv.Itoa(outage)).CombinedOutput()
				if err != nil {
					err = fmt.Errorf("%w: %s", err, out)
				}
				restartDone <- err
			}()
			time.Sleep(time.Second) // let the stop begin while batches flow
		}
		if !connected {
			if err := bc.Connect(context.Background()); err != nil {
				continue
			}
			connected = true
		}
		evs := pending
		pending = nil
		if len(evs) == 0 {
			n := min(batchSize, total-next)
			evs = flowEvents(next, n, time.Now())
			next += n
		}
		b := outest.NewBatch(evs...)
		if err := bc.Publish(context.Background(), b); err != nil {
			connected = false
		}
		c.running.Wait() // b is signalled
		switch sig := lastSignal(t, b); sig.Tag {
		case outest.BatchACK:
			acked += len(evs)
		case outest.BatchRetryEvents:
			acked += len(evs) - len(sig.Events)
			for _, e := range sig.Events {
				pending = append(pending, e.Content)
			}
		case outest.BatchCancelled:
			pending = evs
		default:
			t.Fatalf("unexpected signal %v", sig.Tag)
		}
	}
	if !restarted {
		t.Fatal("broker was never restarted")
	}
	if err := <-restartDone; err != nil {
		t.Fatalf("kafka.sh restart: %v", err)
	}
	if next < total || len(pending) > 0 {
		t.Fatalf("gave up: sent %d of %d, %d pending", next, total, len(pending))
	}

	recs := consume(t, total, 60*time.Second, plainConsumer(t), topic)
	seen := make(map[int]int, total)
	for _, r := range recs {
		seen[seqOf(t, r)]++
	}
	lost, dups := 0, 0
	for i := 0; i < total; i++ {
		switch {
		case seen[i] == 0:
			lost++
		case seen[i] > 1:
			dups += seen[i] - 1
		}
	}
	t.Logf("outage %ds: %d events, %d records consumed, %d duplicates, failed (retried) %d, acked metric %d",
		outage, total, len(recs), dups, uintMetric(reg, "events.failed"), uintMetric(reg, "events.acked"))
	if lost > 0 {
		t.Fatalf("%d of %d events lost", lost, total)
	}
	if acked != total {
		t.Errorf("acked %d events, want %d", acked, total)
	}
}
