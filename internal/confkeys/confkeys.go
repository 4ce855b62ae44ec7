// Package confkeys finds unknown options in a configuration section: it
// compares the section's keys with the `config:` struct tags of the type the
// section is unpacked into (by reflection, so the known keys can never drift
// from the structs), and suggests the closest known key for each typo.
package confkeys

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	conf "github.com/elastic/elastic-agent-libs/config"
)

// ErrUnknown is wrapped by every error Check returns for an unknown option.
var ErrUnknown = errors.New("unknown option")

// Check returns an error for every key of cfg that schema does not know, or
// nil. schema is a struct (or pointer to one) with `config:` tags, as given
// to cfg.Unpack; path names cfg in the messages ("netbeat", "output.franz").
// Keys under maps, *config.C, config.Namespace, interfaces and types with
// their own Unpack method are free-form and not checked. A value of the wrong
// type is not descended into: cfg.Unpack reports that error.
func Check(cfg *conf.C, schema any, path string) error {
	if cfg == nil {
		return nil
	}
	var errs []error
	walk(cfg, nodeOf(reflect.TypeOf(schema)), path, &errs)
	return errors.Join(errs...)
}

// Set returns the options of schema that cfg sets, as dotted paths in
// schema's terms ("version", "metadata.full"); a free-form section counts as
// one option. Keys schema does not know are left out.
func Set(cfg *conf.C, schema any) []string {
	if cfg == nil {
		return nil
	}
	var out []string
	collect(cfg, nodeOf(reflect.TypeOf(schema)), "", &out)
	return out
}

func collect(c *conf.C, n *node, path string, out *[]string) {
	names := c.GetFields()
	sort.Strings(names)
	for _, k := range names {
		sub, ok := n.keys[k]
		if !ok {
			continue
		}
		if sub.isStruct && !sub.free {
			if v, err := c.Child(k, -1); err == nil && !v.IsArray() {
				collect(v, sub, join(path, k), out)
				continue
			}
		}
		*out = append(*out, join(path, k))
	}
}

// node is the set of keys known at one level of the configuration tree.
type node struct {
	free     bool             // any key is accepted below here
	keys     map[string]*node // struct fields, dotted names split
	elem     *node            // list element, for slices
	isStruct bool
}

var (
	tConfig    = reflect.TypeOf(conf.C{})
	tNamespace = reflect.TypeOf(conf.Namespace{})
)

// hasUnpack reports whether t decodes itself (ucfg's Unpacker interfaces).
func hasUnpack(t reflect.Type) bool {
	_, ok := reflect.PointerTo(t).MethodByName("Unpack")
	return ok
}

func nodeOf(t reflect.Type) *node {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == tConfig || t == tNamespace || hasUnpack(t) {
		return &node{free: true}
	}
	switch t.Kind() {
	case reflect.Struct:
		n := &node{keys: map[string]*node{}, isStruct: true}
		addFields(n, t)
		return n
	case reflect.Slice, reflect.Array:
		return &node{elem: nodeOf(t.Elem())}
	case reflect.Map, reflect.Interface:
		return &node{free: true}
	}
	return &node{} // a leaf: a value, not a section
}

func addFields(n *node, t reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("config")
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",ignore,") {
			continue
		}
		inline := strings.Contains(","+opts+",", ",inline,") || strings.Contains(","+opts+",", ",squash,") || (f.Anonymous && name == "")
		if inline {
			sub := nodeOf(f.Type)
			if sub.free {
				n.free = true
			}
			for k, v := range sub.keys {
				merge(n, k, v)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		// go-ucfg splits dotted names: `config:"stats.period"` is stats: {period: …}.
		parts := strings.Split(name, ".")
		at := n
		for _, p := range parts[:len(parts)-1] {
			next, ok := at.keys[p]
			if !ok {
				next = &node{keys: map[string]*node{}, isStruct: true}
				at.keys[p] = next
			}
			at = next
		}
		merge(at, parts[len(parts)-1], nodeOf(f.Type))
	}
}

func merge(n *node, key string, v *node) {
	old, ok := n.keys[key]
	if !ok || old.keys == nil || v.keys == nil {
		n.keys[key] = v
		return
	}
	for k, sub := range v.keys {
		merge(old, k, sub)
	}
}

// walk checks the keys of the section c against n.
func walk(c *conf.C, n *node, path string, errs *[]error) {
	if n == nil || n.free || !n.isStruct {
		return
	}
	names := c.GetFields()
	sort.Strings(names)
	for _, k := range names {
		sub, ok := n.keys[k]
		if !ok {
			*errs = append(*errs, unknown(join(path, k), k, n.keys))
			continue
		}
		descend(c, k, sub, join(path, k), errs)
	}
}

// descend checks the value of c's key k against n: a section, a list of
// sections, or a single section where a list is expected. Values of another
// type are left to Unpack, which reports them.
func descend(c *conf.C, k string, n *node, path string, errs *[]error) {
	if n.free || (n.elem == nil && !n.isStruct) {
		return
	}
	v, err := c.Child(k, -1)
	if err != nil {
		return // not a section
	}
	if n.elem == nil {
		if !v.IsArray() {
			walk(v, n, path, errs)
		}
		return
	}
	if !v.IsArray() {
		walk(v, n.elem, path, errs)
		return
	}
	cnt, _ := c.CountField(k)
	for i := 0; i < cnt; i++ {
		if e, err := c.Child(k, i); err == nil {
			walk(e, n.elem, join(path, strconv.Itoa(i)), errs)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func unknown(full, key string, known map[string]*node) error {
	if best := Suggest(key, keysOf(known)); best != "" {
		return fmt.Errorf("%w %s; did you mean %s?", ErrUnknown, full, best)
	}
	return fmt.Errorf("%w %s; known options here: %s", ErrUnknown, full, strings.Join(keysOf(known), ", "))
}

func keysOf(m map[string]*node) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Suggest returns the candidate closest to key, or "" when none is close:
// at most one edit (insertion, deletion, substitution or swap of neighbours)
// for short keys, two from five letters on, and a third of the key's length
// beyond that; or a candidate that key is a prefix of or that prefixes key.
func Suggest(key string, candidates []string) string {
	best, bestD := "", 1<<30
	limit := 1
	if len(key) >= 5 {
		limit = 2
	}
	if l := len(key) / 3; l > limit {
		limit = l
	}
	for _, c := range candidates {
		d := distance(key, c)
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if bestD <= limit {
		return best
	}
	for _, c := range candidates {
		if len(key) >= 3 && (strings.HasPrefix(c, key) || strings.HasPrefix(key, c)) {
			return c
		}
	}
	return ""
}

// distance is the optimal string alignment distance (Levenshtein plus
// transposition of neighbours: "mdoe" is one edit from "mode").
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
