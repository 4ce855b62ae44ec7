package external

import (
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
)

// metaID reads an event's metadata for bundling: ok when it holds nothing
// but, possibly, a string @metadata._id (netbeat.event_id), which the
// bundled document keeps (Bundle.SetID).
func metaID(meta mapstr.M) (id event.DocID, ok bool) {
	switch len(meta) {
	case 0:
		return event.DocID{}, true
	case 1:
		s, isStr := meta[event.MetaID].(string)
		if isStr && s != "" {
			return event.NewDocID(s, 0), true
		}
	}
	return event.DocID{}, false
}
