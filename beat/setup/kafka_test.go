//go:build !integration

package setup

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/elastic/elastic-agent-libs/config"
)

func TestTopicNames(t *testing.T) {
	now := time.Date(2026, 12, 30, 23, 30, 0, 0, time.UTC)
	got, err := TopicNames("netbeat-%{+yyyy.MM.dd}", now, 2, []string{"netbeat-dns", "netbeat-2026.12.31"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"netbeat-2026.12.30", "netbeat-2026.12.31", "netbeat-2027.01.01", "netbeat-dns"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, _ := TopicNames("netbeat", now, 7, nil); !reflect.DeepEqual(got, []string{"netbeat"}) {
		t.Errorf("static topic: %v", got)
	}
	if _, err := TopicNames("netbeat-%{[network.transport]}", now, 1, nil); err == nil {
		t.Error("a topic reading event fields expanded without error")
	}
}

func TestReadKafkaConfig(t *testing.T) {
	cfg := config.MustNewConfigFrom(map[string]any{
		"output.franz": map[string]any{"hosts": []string{"127.0.0.1:9092"}, "topic": "netbeat-%{+yyyy.MM.dd}", "compression": "zstd"},
		"setup.kafka":  map[string]any{"days": 2, "partitions": 6, "retention": "72h"},
	})
	kc, err := ReadKafkaConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if kc.Days != 2 || kc.Partitions != 6 || kc.ReplicationFactor != 1 || kc.Retention != 72*time.Hour || kc.Output.Topic == "" {
		t.Errorf("unexpected config %+v", kc)
	}
	typo := config.MustNewConfigFrom(map[string]any{
		"output.franz": map[string]any{"hosts": []string{"127.0.0.1:9092"}, "topic": "t"},
		"setup.kafka":  map[string]any{"partitons": 6},
	})
	if _, err := ReadKafkaConfig(typo); err == nil || !strings.Contains(err.Error(), "unknown option setup.kafka.partitons; did you mean partitions?") {
		t.Errorf("setup.kafka typo: err = %v", err)
	}
	es := config.MustNewConfigFrom(map[string]any{"output.elasticsearch.hosts": []string{"localhost:9200"}})
	if _, err := ReadKafkaConfig(es); err != ErrNoFranzOutput {
		t.Errorf("elasticsearch output: err = %v, want ErrNoFranzOutput", err)
	}
}

// TestCreateTopicsKfake creates the topics twice on kfake: created, then exists.
func TestCreateTopicsKfake(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kc := &KafkaConfig{
		Output:        FranzConn{Hosts: c.ListenAddrs(), Topic: "nb-%{+yyyy.MM.dd}", Timeout: 10 * time.Second},
		TopicSettings: TopicSettings{Days: 1, Partitions: 2, ReplicationFactor: 1},
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	res, err := CreateTopics(context.Background(), kc, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []TopicResult{{"nb-2026.11.23", "created"}, {"nb-2026.11.24", "created"}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("first run: %v, want %v", res, want)
	}
	res, err = CreateTopics(context.Background(), kc, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Status != "exists" || res[1].Status != "exists" {
		t.Errorf("second run: %v, want both exists", res)
	}
}
