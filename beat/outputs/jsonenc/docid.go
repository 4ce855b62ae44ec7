package jsonenc

import (
	"bytes"

	"github.com/netbeat/netbeat/beat/event"
)

// metaOpen is how every shared part (SharedPart) begins.
const metaOpen = `,"@metadata":{`

// appendShared appends the shared part of a bundle's documents, with the
// document's own id (netbeat.event_id) as the first key of @metadata: the
// same @metadata._id the document has as an event of its own (DocEvent).
func appendShared(b, shared []byte, id event.DocID) []byte {
	if id.IsZero() || !bytes.HasPrefix(shared, []byte(metaOpen)) {
		return append(b, shared...)
	}
	b = append(b, metaOpen+`"_id":`...)
	b = id.AppendJSON(b)
	b = append(b, ',')
	return append(b, shared[len(metaOpen):]...)
}
