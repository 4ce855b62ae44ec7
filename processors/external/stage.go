package external

import (
	"fmt"
	"sync"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"

	"github.com/netbeat/netbeat/plugins/host"
	"github.com/netbeat/netbeat/plugins/sdk"
)

// Sink is what netbeat's workers publish into (beat.Sink).
type Sink interface {
	Publish(libbeat.Event)
	Close() error
}

// The data-path host is shared by every sink of the process and stopped
// when the last one closes.
var shared struct {
	sync.Mutex
	h    *host.Host
	refs int
}

// WrapSink returns s behind the plugin chain configured in the beat's
// `netbeat.plugins` section, or s itself when no chain is configured.
func WrapSink(b *libbeat.Beat, s Sink) (Sink, error) {
	if b == nil || b.BeatConfig == nil || !b.BeatConfig.HasField("plugins") {
		return s, nil
	}
	sub, err := b.BeatConfig.Child("plugins", -1)
	if err != nil {
		return nil, fmt.Errorf("netbeat.plugins: %w", err)
	}
	cfg := host.DefaultConfig()
	if err := sub.Unpack(&cfg); err != nil {
		return nil, fmt.Errorf("netbeat.plugins: reading config failed: %w", err)
	}
	if len(cfg.Chain) == 0 {
		return s, nil
	}
	h, err := acquire(cfg)
	if err != nil {
		return nil, err
	}
	st := NewStage(h, s)
	st.owned = true
	return st, nil
}

func acquire(cfg host.Config) (*host.Host, error) {
	shared.Lock()
	defer shared.Unlock()
	if shared.h == nil {
		h, err := newHost(cfg)
		if err != nil {
			return nil, err
		}
		shared.h = h
	}
	shared.refs++
	return shared.h, nil
}

func release() {
	shared.Lock()
	defer shared.Unlock()
	if shared.refs--; shared.refs == 0 && shared.h != nil {
		shared.h.Close()
		shared.h = nil
	}
}

// Stage is a Sink that batches events through a plugin host's chain and
// publishes the results, in order, into the wrapped sink.
type Stage struct {
	p     *host.Pipeline
	sink  Sink
	owned bool
}

// NewStage wraps s with h's chain (Close does not close h).
func NewStage(h *host.Host, s Sink) *Stage {
	st := &Stage{sink: s}
	st.p = h.NewPipeline(func(batch []*sdk.Event) {
		for _, e := range batch {
			s.Publish(toBeat(e))
		}
	}, func(dropped []*sdk.Event) {
		for _, e := range dropped {
			e.AddTag(DroppedTag)
			s.Publish(toBeat(e))
		}
	})
	return st
}

// Publish queues ev for the chain.
func (st *Stage) Publish(ev libbeat.Event) {
	st.p.Publish(toSDK(&ev))
}

// Close flushes the stage, closes the wrapped sink and releases the host.
func (st *Stage) Close() error {
	st.p.Close()
	err := st.sink.Close()
	if st.owned {
		release()
	}
	return err
}
