// Package sdk is the one package a netbeat plugin author imports. A plugin
// is a separate program whose main calls Serve with a Processor; netbeat
// starts it (hashicorp/go-plugin, gRPC), configures it once and then streams
// batches of events through it.
//
//	func main() { sdk.Serve(&myProcessor{}) }
//
// Test a plugin without netbeat with plugins/sdk/sdktest.
package sdk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"

	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

// Event is one event: @timestamp, metadata and fields, like libbeat's
// beat.Event. Its methods (AddTag, SetNetwork, …) are documented in package
// github.com/netbeat/netbeat/plugins/sdk/shared (`go doc
// github.com/netbeat/netbeat/plugins/sdk/shared.Event`), the wire contract
// in this module.
type Event = shared.Event

// M is an event's field map, with dotted-key helpers (GetValue, Put,
// Delete, String): `go doc github.com/netbeat/netbeat/plugins/sdk/shared.M`.
type M = shared.M

// ProtocolVersion is the plugin protocol version this SDK speaks.
const ProtocolVersion = shared.ProtocolVersion

// Processor transforms batches of events.
//
// Lifecycle: Configure is called once after the process starts (again after
// every restart, in a new process), then Process for one batch at a time,
// never concurrently. Process may modify events in place, and may drop
// events by leaving them out of the result; it must not reorder them. An
// error fails the whole batch: the host applies its failure policy (retry,
// or pass the batch through unchanged and tagged).
type Processor interface {
	// Configure receives the plugin's `config:` from netbeat.yml as
	// structured data (decode it with koanf's confmap provider, for example).
	Configure(cfg map[string]any) error
	// Process transforms one batch.
	Process(ctx context.Context, events []*Event) ([]*Event, error)
}

// FieldReader is optionally implemented by a Processor that reads only some
// fields. The host then sends only those fields (plus @timestamp) and merges
// what Process returns into the full event: far less data on the wire. A
// FieldReader must not create events. Needs is called after Configure.
type FieldReader interface {
	Needs() []string
}

// Keyed is optionally implemented by a Processor whose additions depend
// only on a few key fields (protocol 3, new in SDK protocol version 3):
// geoip's on the network of an address, timebucket's on the hour of
// @timestamp. netbeat then caches the answers by key and asks the plugin
// only for keys it has not seen; the events themselves never cross the
// wire. A Keyed processor must also implement Process, which netbeat uses
// when the cache is off (netbeat.plugins.cache_size: 0) or with a host that
// speaks only protocols 1 and 2.
//
// Units is called after Configure. ProcessUnit adds what unit (an index
// into Units) adds to each event: each holds @timestamp and only the
// unit's key and Reads fields, flat ("source.ip" is a key), like a
// projected event. It must not drop, reorder or delete; for a KeyNetwork
// unit it may call Event.SetNetwork to say that the answer holds for the
// whole network. Answers of units are combined per event (objects merged,
// lists united, tags united), so two units must not set the same scalar.
type Keyed interface {
	Units() []Unit
	ProcessUnit(ctx context.Context, unit int, events []*Event) error
}

// Unit declares a part of a Keyed processor's work and the key its answer
// depends on.
type Unit = shared.Unit

// KeyPart is one field of a Unit's key.
type KeyPart = shared.KeyPart

// Key kinds of a KeyPart: see their documentation in the shared contract.
const (
	KeyValue    = shared.KeyValue    // the field's value
	KeyNetwork  = shared.KeyNetwork  // an IP address; the answer may hold for its network (Event.SetNetwork)
	KeyPrefixes = shared.KeyPrefixes // which of Prefixes contain an IP address
	KeyRanges   = shared.KeyRanges   // which of Ranges contain a number
	KeyTime     = shared.KeyTime     // @timestamp as wall time in Zone, truncated to Step
)

// Closer is optionally implemented by a Processor that holds resources; Close
// is called when the plugin process is shut down cleanly.
type Closer interface {
	Close() error
}

var logger = hclog.New(&hclog.LoggerOptions{Output: os.Stderr, JSONFormat: true, Level: hclog.Info})

// Logger returns the plugin's logger: its lines appear in netbeat's log
// under plugin/<name> at their level.
func Logger() hclog.Logger { return logger }

// Serve serves p until netbeat stops the plugin. It is the whole body of a
// plugin's main.
//
// Serve raises the garbage collector's target (GOGC=400 unless the GOGC
// environment variable is set): a plugin's heap is small and its allocation
// rate high, so this trades a little memory for less CPU.
func Serve(p Processor) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if dir := os.Getenv("NETBEAT_PLUGIN_CPUPROFILE"); dir != "" { // profiling: a directory for <pid>.prof
		if f, err := os.Create(filepath.Join(dir, strconv.Itoa(os.Getpid())+".prof")); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  shared.Handshake,
		VersionedPlugins: shared.VersionedPlugins(newAdapter(p)),
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger:           logger,
	})
	if c, ok := p.(Closer); ok {
		_ = c.Close()
	}
}

// PluginSet returns the go-plugin plugin map serving p (for test harnesses).
func PluginSet(p Processor) plugin.PluginSet {
	return shared.VersionedPlugins(newAdapter(p))[shared.ProtocolVersion]
}

type adapter struct {
	p         Processor
	projected *bool // Needs declared: events arrive projected, changes go back
}

func newAdapter(p Processor) adapter { return adapter{p: p, projected: new(bool)} }

func (a adapter) Configure(_ context.Context, req *shared.ConfigureRequest) (*shared.ConfigureResponse, error) {
	if err := a.p.Configure(req.Config); err != nil {
		return nil, err
	}
	resp := &shared.ConfigureResponse{}
	if fr, ok := a.p.(FieldReader); ok {
		resp.Needs = fr.Needs()
	}
	*a.projected = len(resp.Needs) > 0
	resp.Units = a.units()
	for i := range resp.Units {
		if err := resp.Units[i].Validate(); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// Units returns the processor's keyed units (protocol 3), if any.
func (a adapter) units() []Unit {
	if k, ok := a.p.(Keyed); ok {
		return k.Units()
	}
	return nil
}

// Lookup answers keyed probes (protocol 3), unit by unit, reduced to the
// changes.
func (a adapter) Lookup(ctx context.Context, units []int, probes []*shared.Event) ([]*shared.Event, error) {
	k, ok := a.p.(Keyed)
	if !ok {
		return nil, errors.New("the plugin declares no keyed units")
	}
	n := len(k.Units())
	byUnit := make([][]*shared.Event, n)
	for i, p := range probes {
		if units[i] >= n {
			return nil, fmt.Errorf("keyed lookup for unit %d of %d", units[i], n)
		}
		byUnit[units[i]] = append(byUnit[units[i]], p)
	}
	for u, ps := range byUnit {
		if len(ps) > 0 {
			if err := k.ProcessUnit(ctx, u, ps); err != nil {
				return nil, err
			}
		}
	}
	shared.Diff(probes)
	return probes, nil
}

func (a adapter) Process(ctx context.Context, batch []*shared.Event) ([]*shared.Event, error) {
	if !*a.projected {
		return a.p.Process(ctx, batch)
	}
	out, err := a.p.Process(ctx, batch)
	if err != nil {
		return nil, err
	}
	shared.Diff(out)
	return out, nil
}

// Merge deep-merges src into dst: nested objects merge, "tags" are unioned,
// other values replace.
func Merge(dst, src map[string]any) { shared.Merge(dst, src) }
