package event

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
)

// MetaID is the @metadata key of an event's stable id. libbeat's
// Elasticsearch output indexes an event with it as the document _id, with
// op_type create unless @metadata.op_type says index
// (libbeat/outputs/elasticsearch/client.go, createEventBulkMeta), so a
// document delivered twice is stored once (the second is a 409, counted as
// a duplicate and acknowledged).
const MetaID = "_id"

// DocID is the stable id of one packet or flow document (netbeat.event_id).
//
// Scheme: <source>.<kind><seq>, where
//   - source is 16 hex digits drawn at random when a capture source is
//     opened (NewIDSource): one per source and process run, so sources and
//     restarts never share ids without any coordination between probes;
//   - kind is 'p' for packets, 'f' for flow records;
//   - seq is the packet's frame number in that source (1-based), or the
//     1-based count of flow records the source published.
//
// Example: 9f3c2a1b0d4e5f67.p118. It is not a content hash: the same file
// read twice gives two sets of events (two captures); one event delivered
// twice (output retries, a disk queue replayed after a crash, a Kafka
// consumer that restarts before committing) keeps its id. The id is decided
// before the event enters libbeat's pipeline, so every path and output
// carries the same one (@metadata._id).
type DocID struct {
	prefix string // "<source>.p" or "<source>.f", or a whole id (seq 0)
	seq    uint64
}

// NewIDSource returns a fresh random source part of ids (16 hex digits).
func NewIDSource() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}

// PacketIDPrefix and FlowIDPrefix are what PacketOptions.IDPrefix and
// FlowOptions.IDPrefix take for a source.
func PacketIDPrefix(source string) string { return source + ".p" }

// FlowIDPrefix: see PacketIDPrefix.
func FlowIDPrefix(source string) string { return source + ".f" }

// NewDocID is the id prefix+seq; seq 0 makes prefix the whole id.
func NewDocID(prefix string, seq uint64) DocID { return DocID{prefix: prefix, seq: seq} }

// IsZero reports whether there is no id.
func (id DocID) IsZero() bool { return id.prefix == "" }

// Append appends the id's characters (no quotes).
func (id DocID) Append(b []byte) []byte {
	b = append(b, id.prefix...)
	if id.seq != 0 {
		b = strconv.AppendUint(b, id.seq, 10)
	}
	return b
}

// String is the id.
func (id DocID) String() string {
	if id.seq == 0 {
		return id.prefix
	}
	return string(id.Append(make([]byte, 0, len(id.prefix)+20)))
}

// ID is the document's id (zero when ids are off).
func (d *Doc) ID() DocID { return d.id }

// SetID sets the id of the last document added to the bundle (the plugin
// stage, which bundles events whose id is in their @metadata).
func (b *Bundle) SetID(id DocID) { b.Docs[len(b.Docs)-1].id = id }

// withID sets ev's @metadata._id when id is set.
func withID(ev beat.Event, id DocID) beat.Event {
	if !id.IsZero() {
		ev.Meta = mapstr.M{MetaID: id.String()}
	}
	return ev
}

// SetEventID sets ev's @metadata._id (keeping its other metadata).
func SetEventID(ev *beat.Event, id DocID) {
	if id.IsZero() {
		return
	}
	if ev.Meta == nil {
		ev.Meta = mapstr.M{MetaID: id.String()}
		return
	}
	ev.Meta[MetaID] = id.String()
}

// EventID returns the string @metadata._id of ev, if any.
func EventID(ev *beat.Event) (string, bool) {
	s, ok := ev.Meta[MetaID].(string)
	return s, ok && s != ""
}

// docEventMeta is the metadata of document i of a bundle as an event of its
// own: the bundle event's plus the document's id.
func (b *Bundle) docEventMeta(bundle *beat.Event, i int) mapstr.M {
	id := b.Docs[i].id
	if id.IsZero() {
		return bundle.Meta
	}
	m := make(mapstr.M, len(bundle.Meta)+1)
	for k, v := range bundle.Meta {
		m[k] = v
	}
	m[MetaID] = id.String()
	return m
}

// AppendJSON appends the id as a JSON string.
func (id DocID) AppendJSON(b []byte) []byte {
	if id.seq == 0 { // a whole id from an event's metadata: escape it
		return AppendString(b, id.prefix)
	}
	b = append(b, '"')
	b = id.Append(b) // a prefix made by PacketIDPrefix/FlowIDPrefix and digits: nothing to escape
	return append(b, '"')
}
