package kafka

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/beats/v7/libbeat/publisher"
)

// recordSize is the payload size compared with max_message_bytes.
func recordSize(r *kgo.Record) int {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// makeRecord turns one pipeline event into a Kafka record: topic from the
// event cache or the topic selector, key from the key format string (no key
// when it cannot be rendered), value from the codec.
// ctx becomes the record's context: its deadline bounds delivery.
func (c *client) makeRecord(ctx context.Context, ev *publisher.Event) (*kgo.Record, error) {
	content := &ev.Content
	view := c.viewer.view(content)
	topic := ""
	if v, err := ev.Cache.GetValue("topic"); err == nil {
		topic, _ = v.(string)
	}
	if topic == "" {
		t, err := c.topic.Select(view)
		if err != nil {
			return nil, errorf("selecting the topic failed: %w: %w", ErrInvalidEvent, err)
		}
		if t == "" {
			return nil, errorf("selecting the topic failed: %w: %w", ErrInvalidEvent, ErrNoTopic)
		}
		topic = t
		// Keep the topic stable across retries (dates may roll over).
		_, _ = ev.Cache.Put("topic", topic)
	}

	value, ok := []byte(nil), false
	if c.fast != nil {
		value, ok = c.fast.encode(c.index, content)
	}
	if !ok {
		var err error
		if value, err = c.codec.Encode(c.index, content); err != nil {
			return nil, errorf("encoding the event failed: %w: %w", ErrInvalidEvent, err)
		}
	}
	r := &kgo.Record{
		Topic:     topic,
		Value:     append([]byte(nil), value...), // codecs reuse their buffer
		Timestamp: content.Timestamp,
		Headers:   c.headers,
		Context:   c.part.recordContext(ctx, view),
	}
	if c.key != nil {
		if key, err := c.key.RunBytes(view); err == nil && len(key) > 0 {
			r.Key = key
		}
	}
	return r, nil
}
