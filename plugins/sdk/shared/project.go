package shared

import "strings"

// flat says whether an answer's key is a projected (flat) key such as
// "source.ip" rather than a top-level field.
func flat(k string) bool { return k != "tags" && strings.IndexByte(k, '.') >= 0 }

// mergeFlat merges the value of a projected key into the event: an object
// into the object already at that path, anything else replaces it.
func mergeFlat(fields M, k string, v any) {
	if sub, ok := AsMap(v); ok {
		cur, _ := fields.GetValue(k)
		if dst, ok := AsMap(cur); ok {
			Merge(dst, sub)
			return
		}
	}
	fields.Put(k, v)
}

// Apply folds a plugin's response into the original batch. With needs,
// the response carries only what the plugin changed (see Diff): changed and
// new fields are merged into the original event (fields the plugin never
// saw survive), removed ones are deleted, and events absent from the
// response are dropped. Without needs, the response replaces the batch.
func Apply(batch, resp []*Event, needs []string) []*Event {
	out := make([]*Event, 0, len(resp))
	for _, r := range resp {
		if int(r.seq) >= len(batch) {
			continue
		}
		o := batch[r.seq]
		if len(needs) == 0 {
			r.host = o.host
			out = append(out, r)
			continue
		}
		for _, k := range r.deleted {
			if o.enc != nil {
				o.decodeTop(k)
			}
			o.Fields.Delete(k)
		}
		if o.Fields == nil {
			o.Fields = M{}
		}
		for k, v := range r.Fields {
			o.mergeAnswer(k, v)
		}
		if !r.Timestamp.IsZero() {
			o.Timestamp = r.Timestamp
		}
		if len(r.Meta) > 0 {
			if o.Meta == nil {
				o.Meta = M{}
			}
			Merge(o.Meta, r.Meta)
		}
		out = append(out, o)
	}
	return out
}

// Diff reduces processed projected events to what changed relative to
// the request as decoded (plugin side): unchanged fields are removed from
// the response and removed fields listed, so less crosses the wire.
func Diff(out []*Event) {
	for _, e := range out {
		for _, f := range e.orig {
			if v, ok := e.Fields[f.k]; !ok {
				e.deleted = append(e.deleted, f.k)
			} else if same(f.v, v) {
				delete(e.Fields, f.k)
			}
		}
	}
}

func same(a, b any) bool {
	switch x := a.(type) {
	case string, int64, uint64, float64, bool, int, nil:
		return a == b // comparable dynamic type: no panic
	case []string:
		y, ok := b.([]string)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return false
}
