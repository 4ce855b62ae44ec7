package kafka

import (
	"github.com/twmb/franz-go/pkg/kgo"
)

// recordSize is the payload size compared with max_message_bytes.
func recordSize(r *kgo.Record) int {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}
