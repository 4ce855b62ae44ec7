package kafka

import (
	"strings"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common/fmtstr"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
)

// viewer makes the event the topic selector, the key and the hash
// partitioner read: their fields must be plain values, so encoded members
// they reference are decoded (only those; all of them when topic rules with
// conditions are configured).
type viewer struct {
	tops  []string    // top-level keys referenced
	paths [][3]string // each referenced field: top-level key, rest of the path, whole path
	all   bool
}

func newViewer(fc *franzConfig, part *partitioner) (*viewer, error) {
	v := &viewer{all: len(fc.Topics) > 0}
	seen := map[string]bool{}
	add := func(path string) {
		top, rest, _ := strings.Cut(path, ".")
		v.paths = append(v.paths, [3]string{top, rest, path})
		if !seen[top] {
			seen[top] = true
			v.tops = append(v.tops, top)
		}
	}
	if fc.Key != nil {
		for _, f := range fc.Key.Fields() {
			add(f)
		}
	}
	if fc.Topic != "" {
		fs, err := fmtstr.CompileEvent(fc.Topic)
		if err != nil {
			return nil, errorf("topic %q: %w", fc.Topic, err)
		}
		for _, f := range fs.Fields() {
			add(f)
		}
	}
	for _, f := range part.Hash {
		add(f)
	}
	return v, nil
}

// view returns ev itself when nothing it references is encoded.
func (v *viewer) view(ev *beat.Event) *beat.Event {
	if v.all {
		var out *beat.Event
		for k, x := range ev.Fields {
			if m, ok := x.(*event.Member); ok {
				if out == nil {
					out = &beat.Event{Timestamp: ev.Timestamp, Meta: ev.Meta, Fields: ev.Fields.Clone()}
				}
				out.Fields[k] = m.Value()
			}
		}
		if out == nil {
			return ev
		}
		return out
	}
	encoded := false
	for _, k := range v.tops {
		if _, ok := ev.Fields[k].(*event.Member); ok {
			encoded = true
			break
		}
	}
	if !encoded {
		return ev
	}
	// Only the referenced fields, each looked up in the encoded bytes.
	out := &beat.Event{Timestamp: ev.Timestamp, Meta: ev.Meta, Fields: make(mapstr.M, len(v.tops))}
	for _, p := range v.paths {
		x, ok := ev.Fields[p[0]]
		if !ok {
			continue
		}
		m, enc := x.(*event.Member)
		if !enc {
			out.Fields[p[0]] = x
			continue
		}
		if val, ok := m.Lookup(p[1]); ok {
			if p[1] == "" {
				out.Fields[p[0]] = val
			} else {
				_, _ = out.Fields.Put(p[2], val)
			}
		}
	}
	return out
}
