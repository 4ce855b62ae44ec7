// Package sdktest runs a plugin's Processor in-process, behind the real gRPC
// transport (go-plugin's TestPluginGRPCConn), so plugin authors test without
// building a binary or running netbeat. Field projection and merging behave
// as in netbeat's host.
package sdktest

import (
	"context"
	"errors"
	"testing"
	"time"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

// Harness is a configured plugin connection; it is closed by t.Cleanup.
type Harness struct {
	t      testing.TB
	stream *shared.Stream
	needs  []string
}

// New serves p over gRPC in-process and configures it with cfg.
// It fails the test if Configure fails; use Configure to test config errors.
func New(t testing.TB, p sdk.Processor, cfg map[string]any) *Harness {
	t.Helper()
	h, err := Configure(t, p, cfg)
	if err != nil {
		t.Fatalf("sdktest: configuring the plugin failed: %v", err)
	}
	return h
}

// Configure is New that returns the Configure error instead of failing.
func Configure(t testing.TB, p sdk.Processor, cfg map[string]any) (*Harness, error) {
	t.Helper()
	client, server := plugin.TestPluginGRPCConn(t, false, sdk.PluginSet(p))
	_ = server // stopped by client.Close through go-plugin's controller (calling Stop too races inside go-plugin)
	t.Cleanup(func() { client.Close() })
	raw, err := client.Dispense(shared.PluginName)
	if err != nil {
		t.Fatalf("sdktest: dispensing the plugin failed: %v", err)
	}
	c := raw.(*shared.Client)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Configure(ctx, &shared.ConfigureRequest{Name: "sdktest", Config: cfg})
	if err != nil {
		return nil, err
	}
	s, err := c.OpenStream(context.Background())
	if err != nil {
		t.Fatalf("sdktest: opening the stream failed: %v", err)
	}
	t.Cleanup(s.Close)
	return &Harness{t: t, stream: s, needs: resp.Needs}, nil
}

// Needs returns the fields the plugin declared it reads.
func (h *Harness) Needs() []string { return h.needs }

// Process sends events as one batch and returns the result as netbeat would
// see it (projected, merged back into the originals).
func (h *Harness) Process(events ...*sdk.Event) ([]*sdk.Event, error) {
	h.t.Helper()
	for _, e := range events {
		if e.Fields == nil {
			e.Fields = sdk.M{}
		}
	}
	// The host's own path: encode the projection, exchange, decode, merge.
	resp, err := h.stream.Exchange(shared.EncodeRequest(events, h.needs))
	if errors.Is(err, shared.ErrWire) {
		h.t.Fatalf("sdktest: the plugin's answer does not decode: %v", err)
	}
	if err != nil {
		h.t.Fatalf("sdktest: transport failed: %v", err)
	}
	if resp.Err != "" {
		return nil, &PluginError{Msg: resp.Err}
	}
	out, err := resp.Apply(events, h.needs)
	if err != nil {
		h.t.Fatalf("sdktest: the plugin's answer does not decode: %v", err)
	}
	return out, nil
}

// PluginError is returned by Process when the plugin failed the batch.
type PluginError struct{ Msg string }

func (e *PluginError) Error() string { return e.Msg }

// Event builds an event at ts from dotted-key/value pairs.
func Event(ts time.Time, kv ...any) *sdk.Event {
	e := &sdk.Event{Timestamp: ts, Fields: sdk.M{}}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Fields.Put(kv[i].(string), kv[i+1])
	}
	return e
}
