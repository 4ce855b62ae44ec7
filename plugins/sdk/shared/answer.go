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
func ApplyAnswers(e *Event, answers []*Answer) { (*Combiner)(nil).Apply(e, answers) }

// Combiner remembers how answers that set the same field combine (iprep's
// source and destination units both add "iprep"). Answers never change, so
// the combination of a given few is made once (a deep copy of each, their
// union and its JSON) instead of once per event. A nil Combiner remembers
// nothing. Not safe for concurrent use.
type Combiner struct {
	m map[combinedKey]*answerField
}

// A combination is remembered for up to maxCombined answers; the map holds
// at most maxCombinations (then it starts over). Its keys keep the answers
// alive, so an answer's address is never reused for another while the
// combination is remembered.
const (
	maxCombined     = 4
	maxCombinations = 4096
)

type combinedKey struct {
	key string
	a   [maxCombined]*Answer
}

// combination is a field that more than one of an event's answers set.
type combination struct {
	key     string
	f       *answerField // remembered (its value is copied when merged)
	v       any          // or this event's own combined value
	applied bool
}

// Apply is ApplyAnswers, remembering combinations in c.
func (c *Combiner) Apply(e *Event, answers []*Answer) {
	if e.Fields == nil {
		e.Fields = M{}
	}
	var arr [4]combination
	combined := arr[:0] // fields set by more than one answer
	if len(answers) > 1 {
		for x, a := range answers {
			for _, f := range a.fields {
				if findCombination(combined, f.key) != nil || !setLater(answers[x+1:], f.key) {
					continue
				}
				combined = append(combined, c.combine(f.key, answers[x:]))
			}
		}
	}
	for _, a := range answers {
		for i := range a.fields {
			f := &a.fields[i]
			if u := findCombination(combined, f.key); u != nil {
				if !u.applied {
					if u.f != nil {
						e.addAnswerField(u.f)
					} else {
						e.mergeAnswer(f.key, u.v)
					}
					u.applied = true
				}
				continue
			}
			e.addAnswerField(f)
		}
	}
	addTags(e, answers)
}

// addTags unites the answers' tags with the event's, in order: one read and
// one write of the event's tags for all of them.
func addTags(e *Event, answers []*Answer) {
	n := 0
	for _, a := range answers {
		n += len(a.tags)
	}
	if n == 0 {
		return
	}
	cur := e.Fields["tags"]
	if cur == nil {
		cur = make([]string, 0, n)
	}
	for _, a := range answers {
		for _, t := range a.tags {
			cur = appendTag(cur, t)
		}
	}
	e.Fields["tags"] = cur
}

func findCombination(l []combination, key string) *combination {
	for i := range l {
		if l[i].key == key {
			return &l[i]
		}
	}
	return nil
}

// combine returns the combination of key's values in answers (the first of
// which sets it), from c when it remembers it.
func (c *Combiner) combine(key string, answers []*Answer) combination {
	var ck combinedKey
	n := 0
	for _, b := range answers {
		for _, g := range b.fields {
			if g.key == key {
				if n < maxCombined {
					ck.a[n] = b
				}
				n++
				break
			}
		}
	}
	if c != nil && n <= maxCombined {
		ck.key = key
		if f := c.m[ck]; f != nil {
			return combination{key: key, f: f}
		}
	}
	var v any
	first := true
	for _, b := range answers {
		for _, g := range b.fields {
			if g.key != key {
				continue
			}
			if first {
				v, first = deepCopy(g.v), false
			} else {
				v = unite(v, deepCopy(g.v))
			}
		}
	}
	if c == nil || n > maxCombined {
		return combination{key: key, v: v}
	}
	if c.m == nil || len(c.m) >= maxCombinations {
		c.m = make(map[combinedKey]*answerField, 64)
	}
	f := newAnswerField(key, v)
	c.m[ck] = &f
	return combination{key: key, f: &f}
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
