package control

import (
	"encoding/json"
	"fmt"
	"time"
)

// Result states.
const (
	Accepted = "accepted" // verified; applying (long actions)
	Applied  = "applied"
	Rejected = "rejected" // not verified or not for this probe: nothing was done
	Failed   = "failed"   // verified, but applying it failed; nothing changed
)

// Rejection reasons, also the names of the rejection counters
// (netbeat.control.rejected.<reason>).
const (
	ReasonMalformed    = "malformed"
	ReasonUnknownKey   = "unknown_key"
	ReasonBadSignature = "bad_signature"
	ReasonExpired      = "expired"
	ReasonFuture       = "future"
	ReasonReplayed     = "replayed"
	ReasonNotAddressed = "not_addressed"
)

// Reasons lists every rejection reason.
var Reasons = []string{ReasonMalformed, ReasonUnknownKey, ReasonBadSignature, ReasonExpired, ReasonFuture, ReasonReplayed, ReasonNotAddressed}

// Record kinds on the status topic.
const (
	KindHeartbeat = "heartbeat"
	KindResult    = "result"
)

// Result answers one command on the status topic.
type Result struct {
	Kind       string    `json:"kind"` // "result"
	Probe      string    `json:"probe"`
	Name       string    `json:"name,omitempty"`
	CommandID  string    `json:"command_id"`
	Action     string    `json:"action,omitempty"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason,omitempty"` // rejection reason (see Reasons)
	Message    string    `json:"message,omitempty"`
	HashBefore string    `json:"config_hash_before,omitempty"`
	HashAfter  string    `json:"config_hash_after,omitempty"`
	ApplyMS    float64   `json:"apply_ms"`
	Time       time.Time `json:"@timestamp"`
	Offset     int64     `json:"command_offset"`
}

// Heartbeat is a probe's periodic state on the status topic.
type Heartbeat struct {
	Kind        string            `json:"kind"` // "heartbeat"
	Probe       string            `json:"probe"`
	Name        string            `json:"name"`
	Tags        []string          `json:"tags"`
	Version     string            `json:"version"`
	Time        time.Time         `json:"@timestamp"`
	UptimeS     float64           `json:"uptime_s"`
	Period      float64           `json:"period_s"`
	ConfigHash  string            `json:"config_hash"`
	Mode        []string          `json:"mode,omitempty"`
	Sources     []SourceState     `json:"sources"`
	Published   uint64            `json:"events_published"`
	Acked       uint64            `json:"events_acked"`
	Output      string            `json:"output_health"` // ok, stalled
	QueueFill   uint64            `json:"queue_fill"`    // events published and not yet acknowledged
	LastCommand *CommandRecord    `json:"last_command,omitempty"`
	Rejected    map[string]uint64 `json:"rejected,omitempty"`
}

// SourceState is one capture source in a heartbeat.
type SourceState struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	State       string `json:"state"` // running, paused
	Filter      string `json:"bpf_filter"`
	Packets     uint64 `json:"packets"`
	KernelDrops uint64 `json:"kernel_drops"`
}

// CommandRecord is the last command a probe applied.
type CommandRecord struct {
	ID     string    `json:"id"`
	Action string    `json:"action"`
	Status string    `json:"status"`
	Time   time.Time `json:"time"`
}

// DecodeStatus parses a status-topic record: a *Heartbeat or a *Result.
func DecodeStatus(data []byte) (any, error) {
	var k struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, err
	}
	switch k.Kind {
	case KindHeartbeat:
		var h Heartbeat
		return &h, json.Unmarshal(data, &h)
	case KindResult:
		var r Result
		return &r, json.Unmarshal(data, &r)
	}
	return nil, fmt.Errorf("control: unknown status record kind %q", k.Kind)
}
