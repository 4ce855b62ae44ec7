package external

import (
	"fmt"
	"sync"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
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

// StageOptions: how the stage publishes (see NewStage).
type StageOptions struct {
	Bundle int  // documents per bundle event; <= 1: no bundles
	Tags   bool // the configuration sets global tags: documents with tags of their own are not bundled
}

// WrapSink returns s behind the plugin chain configured in the beat's
// `netbeat.plugins` section, or s itself when no chain is configured.
func WrapSink(b *libbeat.Beat, s Sink, o StageOptions) (Sink, error) {
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
	registerMetrics(b.Monitoring.StatsRegistry())
	st := NewStage(h, s, o)
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
	opts  StageOptions
	free  []byte // the output goroutine's: where the next bundle's documents are cut from
}

// NewStage wraps s with h's chain (Close does not close h). With o.Bundle >
// 1 (the output takes event.Bundle events), the processed events go out in
// bundles of up to o.Bundle documents, so libbeat's per-event work is paid
// once per bundle as without plugins (bundle.go); an event with a field
// libbeat adds to bundle events goes out on its own, in order.
func NewStage(h *host.Host, s Sink, o StageOptions) *Stage {
	st := &Stage{sink: s, opts: o}
	st.p = h.NewPipeline(st.publish, func(dropped []*sdk.Event) {
		for _, e := range dropped {
			e.AddTag(DroppedTag)
			s.Publish(toBeat(e))
		}
	})
	return st
}

// publish hands a processed batch, in order, to the wrapped sink (in
// bundles when the options allow). Only the pipeline's output goroutine
// calls it.
func (st *Stage) publish(batch []*sdk.Event) {
	var cur *event.Bundle
	flush := func() {
		if cur != nil && cur.Len() > 0 {
			st.free = cur.FreeBuffer()
			st.sink.Publish(cur.Event())
		}
		cur = nil
	}
	o := st.opts
	for _, e := range batch {
		ev := toBeat(e)
		id, idOnly := metaID(ev.Meta)
		if o.Bundle > 1 && idOnly && ev.Private == nil && bundleable(ev.Fields, o.Tags) {
			if cur == nil {
				cur = event.NewBundle(o.Bundle)
				cur.UseBuffer(st.free)
			}
			if cur.AddFields(ev.Timestamp, ev.Fields) {
				cur.SetID(id)
				if cur.Full() {
					flush()
				}
				continue
			}
		}
		flush()
		st.sink.Publish(ev)
	}
	flush()
}

// libbeatAdds are the top-level fields libbeat's own processing may add to
// a bundle event, for all its documents, when no processor that reads
// fields is configured (those make netbeat build maps, and then there are
// no bundles): a document must not have them too.
var libbeatAdds = map[string]bool{"host": true, "agent": true, "ecs": true, "cloud": true, "observer": true,
	"capture": true, "fields": true}

// bundleable makes every field of an encoded event a member, encoding the
// values plugins added (maps, lists, strings), unless a field is one
// libbeat adds to bundle events (libbeatAdds; tags when the configuration
// sets global tags): such an event is published on its own.
func bundleable(f mapstr.M, tags bool) bool {
	if !encodedFields(f) {
		return false
	}
	for k, v := range f {
		if _, ok := v.(*event.Member); ok {
			continue
		}
		if (k == "tags" && tags) || libbeatAdds[k] {
			return false
		}
	}
	for k, v := range f {
		if _, ok := v.(*event.Member); !ok {
			f[k] = event.NewMember(k, host.AppendJSON(nil, v))
		}
	}
	return true
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
