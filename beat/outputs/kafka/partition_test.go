//go:build !integration

package kafka

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/mapstr"
)

func mustPartitioner(t *testing.T, cfg map[string]any) *partitioner {
	t.Helper()
	m := map[string]*config.C{}
	for k, v := range cfg {
		m[k] = config.MustNewConfigFrom(v)
	}
	p, err := newPartitioner(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundRobinGroups(t *testing.T) {
	tp := mustPartitioner(t, map[string]any{"round_robin": map[string]any{"group_events": 2}}).ForTopic("t")
	var got []int
	for i := 0; i < 6; i++ {
		got = append(got, tp.Partition(&kgo.Record{}, 3))
	}
	want := []int{0, 0, 1, 1, 2, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestHashKeyAndFields(t *testing.T) {
	tp := mustPartitioner(t, nil).ForTopic("t")
	a := tp.Partition(&kgo.Record{Key: []byte("1:abc")}, 12)
	for i := 0; i < 10; i++ {
		if b := tp.Partition(&kgo.Record{Key: []byte("1:abc")}, 12); b != a {
			t.Fatalf("same key went to %d and %d", a, b)
		}
	}
	if !tp.RequiresConsistency(&kgo.Record{Key: []byte("k")}) || tp.RequiresConsistency(&kgo.Record{}) {
		t.Error("keyed records need consistency, unkeyed ones do not")
	}

	p := mustPartitioner(t, map[string]any{"hash": map[string]any{"hash": []string{"source.ip"}}})
	ev := &beat.Event{Fields: mapstr.M{"source": mapstr.M{"ip": "10.0.0.1"}}}
	r1 := &kgo.Record{Context: p.recordContext(context.Background(), ev)}
	r2 := &kgo.Record{Context: p.recordContext(context.Background(), ev), Key: []byte("other")}
	ft := p.ForTopic("t")
	if ft.Partition(r1, 7) != ft.Partition(r2, 7) {
		t.Error("hash fields must win over the key")
	}
	if _, ok := ft.(*topicPartitioner).recordHash(&kgo.Record{Context: p.recordContext(context.Background(), &beat.Event{Fields: mapstr.M{}})}); ok {
		t.Error("missing hash field must fall back to the key")
	}
}
