package external

import (
	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/plugins/sdk"
)

// DroppedTag marks, in the data-path stage, an event a plugin dropped: the
// stage cannot acknowledge it to netbeat's pipeline itself, so it publishes
// it tagged; drop it with `processors: - drop_event.when.contains.tags: _plugin_dropped`.
const DroppedTag = "_plugin_dropped"

// toSDK wraps a libbeat event without copying its maps.
func toSDK(ev *libbeat.Event) *sdk.Event {
	e := &sdk.Event{Timestamp: ev.Timestamp, Meta: sdk.M(ev.Meta), Fields: sdk.M(ev.Fields)}
	if e.Fields == nil {
		e.Fields = sdk.M{}
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
