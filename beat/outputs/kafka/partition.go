package kafka

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/config"
)

// partitioners lists the accepted partition.* modes, as in libbeat:
//
//	partition.hash:        {hash: [fields...], reachable_only: false}
//	partition.random:      {group_events: 1, reachable_only: false}
//	partition.round_robin: {group_events: 1, reachable_only: false}
//
// The default is hash on the record key (Kafka's murmur2, like the Java
// client), so with the default key every flow stays in one partition.
var partitioners = map[string]struct{}{"hash": {}, "random": {}, "round_robin": {}}

type partitionSettings struct {
	Reachable   bool     `config:"reachable_only"`
	GroupEvents int      `config:"group_events" validate:"min=1"`
	Hash        []string `config:"hash"`
}

// partitioner implements kgo.Partitioner for the configured mode.
type partitioner struct {
	mode string
	partitionSettings
}

func newPartitioner(m map[string]*config.C) (*partitioner, error) {
	p := &partitioner{mode: "hash", partitionSettings: partitionSettings{GroupEvents: 1}}
	for name, c := range m {
		p.mode = name
		if c != nil {
			if err := c.Unpack(&p.partitionSettings); err != nil {
				return nil, errorf("reading partition.%s failed: %w", name, err)
			}
		}
	}
	if _, ok := partitioners[p.mode]; !ok {
		return nil, errorf("partition: %q is unknown", p.mode)
	}
	return p, nil
}

type hashCtxKey struct{}

// recordContext returns parent, extended with the hash of the configured
// partition.hash fields when the mode is hash-on-fields and every field is
// present (otherwise the record falls back to its key).
func (p *partitioner) recordContext(parent context.Context, ev *beat.Event) context.Context {
	if h, ok := p.hashOf(ev); ok {
		return context.WithValue(parent, hashCtxKey{}, h)
	}
	return parent
}

// hashOf hashes the partition.hash fields of ev (false: not configured, or
// a field is missing).
func (p *partitioner) hashOf(ev *beat.Event) (uint32, bool) {
	if p.mode != "hash" || len(p.Hash) == 0 {
		return 0, false
	}
	h := fnv.New32a()
	for _, f := range p.Hash {
		v, err := ev.GetValue(f)
		if err != nil {
			return 0, false
		}
		fmt.Fprint(h, v)
	}
	return h.Sum32(), true
}

// ForTopic implements kgo.Partitioner; kgo calls the result from one
// goroutine at a time per topic.
func (p *partitioner) ForTopic(topic string) kgo.TopicPartitioner {
	return &topicPartitioner{p: p, keyed: kgo.StickyKeyPartitioner(nil).ForTopic(topic), cur: -1}
}

type topicPartitioner struct {
	p     *partitioner
	keyed kgo.TopicPartitioner // murmur2 on keys, like the Java client
	cur   int
	left  int
}

// recordHash returns the partition.hash hash recordContext put in the
// record's context (a look-up only when partition.hash fields are set).
func (t *topicPartitioner) recordHash(r *kgo.Record) (uint32, bool) {
	if len(t.p.Hash) == 0 || r.Context == nil {
		return 0, false
	}
	h, ok := r.Context.Value(hashCtxKey{}).(uint32)
	return h, ok
}

func (t *topicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	if t.p.mode == "hash" {
		_, hashed := t.recordHash(r)
		return !t.p.Reachable && (hashed || len(r.Key) > 0)
	}
	return !t.p.Reachable
}

func (t *topicPartitioner) Partition(r *kgo.Record, n int) int {
	switch t.p.mode {
	case "hash":
		if h, ok := t.recordHash(r); ok {
			return int(h&0x7fffffff) % n
		}
		if len(r.Key) > 0 {
			return t.keyed.Partition(r, n)
		}
		return rand.IntN(n) // no key: spread like libbeat
	case "round_robin":
		if t.left <= 0 || t.cur >= n {
			t.cur = (t.cur + 1) % n
			t.left = t.p.GroupEvents
		}
	default: // random
		if t.left <= 0 || t.cur < 0 || t.cur >= n {
			t.cur = rand.IntN(n)
			t.left = t.p.GroupEvents
		}
	}
	t.left--
	return t.cur
}
