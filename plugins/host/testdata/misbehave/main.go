// Command misbehave is a test plugin: it tags events, or fails, hangs or
// exits on demand (config mode: ok, error, hang, exit_after).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

type proc struct {
	mode  string
	after int64
	n     int64
	keyed bool
}

func (p *proc) Configure(cfg map[string]any) error {
	p.mode, _ = cfg["mode"].(string)
	p.keyed, _ = cfg["keyed"].(bool)
	if v, ok := cfg["after"].(int64); ok {
		p.after = v
	}
	if p.mode == "bad_config" {
		return errors.New("misbehave: bad_config requested")
	}
	sdk.Logger().Info("misbehave configured", "mode", p.mode)
	return nil
}

func (p *proc) Needs() []string { return []string{"n", "tags"} }

// Units (with keyed: true): one unit keyed on n (protocol 3).
func (p *proc) Units() []sdk.Unit {
	if !p.keyed {
		return nil
	}
	return []sdk.Unit{{Name: "n", Key: []sdk.KeyPart{{Field: "n", Kind: sdk.KeyValue}}}}
}

// ProcessUnit misbehaves as Process does.
func (p *proc) ProcessUnit(ctx context.Context, _ int, events []*sdk.Event) error {
	_, err := p.Process(ctx, events)
	return err
}

func (p *proc) Process(_ context.Context, events []*sdk.Event) ([]*sdk.Event, error) {
	p.n++
	switch p.mode {
	case "error":
		return nil, fmt.Errorf("misbehave: failing batch %d on purpose", p.n)
	case "hang":
		time.Sleep(time.Hour)
	case "slow":
		time.Sleep(20 * time.Millisecond)
	case "exit_after":
		if p.n > p.after {
			os.Exit(3)
		}
	}
	for _, e := range events {
		e.AddTag("misbehave")
		e.Fields.Put("misbehave.pid", int64(os.Getpid()))
	}
	return events, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-protocol2" { // a plugin built with an SDK that speaks protocols 1 and 2
		v := *sdk.PluginSet(&proc{})[shared.PluginName].(*shared.ProcessorPlugin)
		v1, v2 := v, v
		v1.Dict, v1.Keyed, v2.Keyed = false, false, false
		set := map[int]plugin.PluginSet{1: {shared.PluginName: &v1}, 2: {shared.PluginName: &v2}}
		plugin.Serve(&plugin.ServeConfig{HandshakeConfig: shared.Handshake, VersionedPlugins: set, GRPCServer: plugin.DefaultGRPCServer})
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "-protocol1" { // a plugin built with an SDK that speaks only protocol 1
		v1 := *sdk.PluginSet(&proc{})[shared.PluginName].(*shared.ProcessorPlugin)
		v1.Dict, v1.Keyed = false, false
		plugin.Serve(&plugin.ServeConfig{
			HandshakeConfig:  shared.Handshake,
			VersionedPlugins: map[int]plugin.PluginSet{1: {shared.PluginName: &v1}},
			GRPCServer:       plugin.DefaultGRPCServer,
		})
		return
	}
	sdk.Serve(&proc{})
}
