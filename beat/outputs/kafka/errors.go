package kafka

import (
	"errors"
	"fmt"
)

// component prefixes every error and log line of this package.
const component = "kafka output"

var (
	// ErrNoBroker is returned when no broker in hosts answers during Connect
	// or `netbeat test output`.
	ErrNoBroker = errors.New("no broker reachable")

	// ErrNoTopic is returned (per event, the event is dropped) when the topic
	// selector resolves to an empty topic name.
	ErrNoTopic = errors.New("no topic could be selected for the event")

	// ErrInvalidEvent is returned (per event, the event is dropped and
	// counted in events.dropped) when an event cannot be turned into a
	// record: its topic cannot be selected or the codec fails.
	ErrInvalidEvent = errors.New("event cannot be turned into a Kafka record")

	// ErrOversize is returned (per event, the event is dropped and counted in
	// dropped_oversize) when an encoded event is larger than
	// max_message_bytes or the broker rejects it as too large.
	ErrOversize = errors.New("event is larger than max_message_bytes")

	// ErrIdempotentAcks is returned by Validate when idempotent is true but
	// required_acks is not -1: franz-go's idempotent producer needs
	// acknowledgements from all in-sync replicas.
	ErrIdempotentAcks = errors.New("idempotent: true requires required_acks: -1 (the idempotent producer needs acks from all in-sync replicas)")

	// ErrNotConnected is returned by Publish when it is called before
	// Connect succeeded or after Close; the batch is handed back without
	// losing a retry.
	ErrNotConnected = errors.New("client is not connected")
)

// errorf formats an error prefixed with the component name. Use
// "doing X failed: %w" messages.
func errorf(format string, args ...any) error {
	return fmt.Errorf(component+": "+format, args...)
}
