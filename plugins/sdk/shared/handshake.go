// Package shared is the single agreement between netbeat's plugin host and
// plugin processes: the versioned handshake, the plugin map, the event type,
// the wire codec and the gRPC adapters. Plugin authors never import it; they
// import plugins/sdk, which re-exports what they need.
package shared

import (
	plugin "github.com/hashicorp/go-plugin"
)

// ProtocolVersion is the newest plugin protocol version. Host and plugin
// offer every version they speak and go-plugin picks the newest common one:
// 1 (answers encoded in full), 2 (answers through a per-stream value
// dictionary, dict.go) and 3 (2, plus keyed units whose answers the host
// caches, keyed.go). A host only talks to plugins that share a version.
const ProtocolVersion = 3

// PluginName is the key of the processor plugin in the plugin map.
const PluginName = "processor"

// Handshake is checked by host and plugin before anything else; the magic
// cookie only stops a plugin binary from being run by hand by mistake.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "NETBEAT_PLUGIN",
	MagicCookieValue: "7d1e0c2a-netbeat-enrichment-plugin",
}

// VersionedPlugins is the plugin map by protocol version (negotiated at start-up).
func VersionedPlugins(impl Processor) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		1: {PluginName: &ProcessorPlugin{Impl: impl}},
		2: {PluginName: &ProcessorPlugin{Impl: impl, Dict: true}},
		3: {PluginName: &ProcessorPlugin{Impl: impl, Dict: true, Keyed: true}},
	}
}
