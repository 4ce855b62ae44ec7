package shared

import (
	"slices"
)

// Answer is what one unit adds to an event for one key (protocol 3), kept
// by the host's cache and added to every event with that key. It is never
// modified once made, so events share it: a field is added as its JSON
// (spliced into the event's encoded members) or as a deep copy.
type Answer struct {
	fields []answerField
	tags   []string
}

type answerField struct {
	key  string
	v    any
	js   []byte   // v as JSON
	keys []string // v is an object: its keys
	frag []byte   // and its members as JSON (`"k":v,…`), for Extend
}

// NewAnswer makes the answer from a probe as the plugin returned it,
// reduced to its changes (Diff).
func NewAnswer(e *Event) *Answer {
	a := &Answer{}
	for k, v := range e.Fields {
		if k == "tags" {
			a.tags = append(a.tags, tagList(v)...)
			continue
		}
		a.fields = append(a.fields, newAnswerField(k, v))
	}
	slices.SortFunc(a.fields, func(x, y answerField) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		return 0
	})
	return a
}

func newAnswerField(k string, v any) answerField {
	f := answerField{key: k, v: v, js: appendJSON(nil, v)}
	if m, ok := AsMap(v); ok && len(m) > 0 {
		var fr fragment
		for k2, v2 := range m {
			fr.addValue(k2, v2)
		}
		f.keys, f.frag = slices.Clone(fr.keys), fr.b
	}
	return f
}

// Empty says whether the answer adds nothing.
func (a *Answer) Empty() bool { return len(a.fields) == 0 && len(a.tags) == 0 }

// Size is a rough count of the bytes the answer holds (for tests and logs).
func (a *Answer) Size() int {
	n := 0
	for _, f := range a.fields {
		n += len(f.key) + 2*len(f.js)
	}
	return n
}

// ApplyAnswers adds the answers of an event's units to it, in order. Two
// answers that set the same field are combined first (objects merged, lists
// united, as a plugin adding to the same event would: iprep's lists of two
// addresses); tags are united.
func ApplyAnswers(e *Event, answers []*Answer) {
	if e.Fields == nil {
		e.Fields = M{}
	}
	var combined map[string]*united // fields set by more than one answer (rare)
	if len(answers) > 1 {
		for x, a := range answers {
			for _, f := range a.fields {
				if _, done := combined[f.key]; done || !setLater(answers[x+1:], f.key) {
					continue
				}
				if combined == nil {
					combined = map[string]*united{}
				}
				var v any
				first := true
				for _, b := range answers[x:] {
					for _, g := range b.fields {
						if g.key != f.key {
							continue
						}
						if first {
							v, first = deepCopy(g.v), false
						} else {
							v = unite(v, deepCopy(g.v))
						}
					}
				}
				combined[f.key] = &united{v: v}
			}
		}
	}
	for _, a := range answers {
		for i := range a.fields {
			f := &a.fields[i]
			if u, ok := combined[f.key]; ok {
				if !u.applied {
					e.mergeAnswer(f.key, u.v)
					u.applied = true
				}
				continue
			}
			e.addAnswerField(f)
		}
		for _, t := range a.tags {
			e.AddTag(t)
		}
	}
}

type united struct {
	v       any
	applied bool
}

// setLater says whether one of answers sets key.
func setLater(answers []*Answer, key string) bool {
	for _, a := range answers {
		for _, f := range a.fields {
			if f.key == key {
				return true
			}
		}
	}
	return false
}

// addAnswerField adds one cached field, as JSON where the event is encoded.
func (e *Event) addAnswerField(f *answerField) {
	if e.enc != nil {
		if e.canSplice(f.key) {
			e.splice(f.key, f.js)
			return
		}
		if rv, ok := e.Fields[f.key].(RawValue); ok && f.keys != nil {
			if v, ok := rv.Extend(f.keys, f.frag); ok { // the usual case: all keys new
				e.Fields[f.key] = v
				return
			}
		}
	}
	e.mergeAnswer(f.key, deepCopy(f.v))
}

// unite merges b into a: objects key by key, lists as a union (in order,
// without repeats), anything else replaced by b.
func unite(a, b any) any {
	if am, ok := AsMap(a); ok {
		if bm, ok := AsMap(b); ok {
			for k, v := range bm {
				if cur, ok := am[k]; ok {
					am[k] = unite(cur, v)
				} else {
					am[k] = v
				}
			}
			return am
		}
	}
	switch x := a.(type) {
	case []string:
		if y, ok := b.([]string); ok {
			for _, s := range y {
				if !slices.Contains(x, s) {
					x = append(x, s)
				}
			}
			return x
		}
	case []any:
		if y, ok := b.([]any); ok {
			for _, s := range y {
				if !containsAny(x, s) {
					x = append(x, s)
				}
			}
			return x
		}
	}
	return b
}

func containsAny(l []any, v any) bool {
	for _, x := range l {
		if same(x, v) {
			return true
		}
	}
	return false
}
