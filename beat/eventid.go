package beat

import "github.com/netbeat/netbeat/beat/event"

// EventIDConfig is netbeat.event_id: every packet and flow event gets a
// stable id in @metadata._id (scheme: beat/event/docid.go, DocID), which
// libbeat's Elasticsearch output uses as the document _id (op_type create)
// and which travels inside the JSON document through Kafka, so that a
// central consumer (netbeat consume) indexes a redelivered event once.
type EventIDConfig struct {
	Enabled bool `config:"enabled"`
}

// setIDs draws the source's random id part and sets the id prefixes of its
// packet and flow documents (when enabled).
func (w *worker) setIDs(enabled bool) {
	if !enabled {
		return
	}
	src := event.NewIDSource()
	w.popts.IDPrefix = event.PacketIDPrefix(src)
	w.fopts.IDPrefix = event.FlowIDPrefix(src)
}
