package external

import (
	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/plugins/host"
	"github.com/netbeat/netbeat/plugins/sdk"
)

// DroppedTag marks, in the data-path stage, an event a plugin dropped: the
// stage cannot acknowledge it to netbeat's pipeline itself, so it publishes
// it tagged; drop it with `processors: - drop_event.when.contains.tags: _plugin_dropped`.
const DroppedTag = "_plugin_dropped"

// encoded is how the plugin host adds answers to netbeat's encoded events
// (beat/event.Doc members): as new members, except for the top-level fields
// libbeat's own processing merges into after the stage, which stay maps.
var encoded = &host.Encoding{
	New: func(key string, raw []byte) any { return event.NewMember(key, raw) },
	Maps: map[string]bool{"tags": true, "host": true, "agent": true, "ecs": true, "cloud": true, "observer": true,
		"capture": true, "fields": true, "labels": true},
}

// toSDK wraps a libbeat event without copying its maps. An encoded event
// (its fields are beat/event members) stays encoded: the host reads the
// fields plugins need from the members and adds the answers as JSON.
func toSDK(ev *libbeat.Event) *sdk.Event {
	e := &sdk.Event{Timestamp: ev.Timestamp, Meta: sdk.M(ev.Meta), Fields: sdk.M(ev.Fields)}
	if e.Fields == nil {
		e.Fields = sdk.M{}
	}
	if encodedFields(ev.Fields) {
		e.SetEncoding(encoded)
	}
	e.SetHostData(ev)
	return e
}

// toBeat turns a processed event back into the libbeat event it came from.
func toBeat(e *sdk.Event) libbeat.Event {
	var out libbeat.Event
	if orig, ok := e.HostData().(*libbeat.Event); ok {
		out = *orig
	}
	out.Timestamp, out.Meta, out.Fields = e.Timestamp, mapstr.M(e.Meta), mapstr.M(e.Fields)
	return out
}

// encodedFields reports whether fields hold beat/event members: netbeat's
// packet and flow documents always have an "event" member.
func encodedFields(f mapstr.M) bool {
	if _, ok := f["event"].(*event.Member); ok {
		return true
	}
	for _, v := range f {
		if _, ok := v.(*event.Member); ok {
			return true
		}
	}
	return false
}
