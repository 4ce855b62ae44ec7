//go:build !integration

package include

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v2"
)

type field struct {
	Name   string  `yaml:"name"`
	Type   string  `yaml:"type"`
	Fields []field `yaml:"fields"`
}

type section struct {
	Key    string  `yaml:"key"`
	Fields []field `yaml:"fields"`
}

// declared returns every leaf field name of fields.yml with its type.
func declared(t *testing.T) map[string]string {
	var secs []section
	if err := yaml.Unmarshal([]byte(FieldsYML()), &secs); err != nil {
		t.Fatalf("fields.yml does not parse: %v", err)
	}
	out := map[string]string{}
	var walk func(prefix string, fs []field)
	walk = func(prefix string, fs []field) {
		for _, f := range fs {
			name := prefix + f.Name
			if f.Type == "group" || len(f.Fields) > 0 {
				walk(name+".", f.Fields)
				continue
			}
			out[name] = f.Type
		}
	}
	for _, s := range secs {
		walk("", s.Fields)
	}
	return out
}

func flatten(prefix string, v any, out map[string]bool) {
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			flatten(prefix+k+".", x, out)
		}
		return
	}
	out[strings.TrimSuffix(prefix, ".")] = true
}

// TestEveryEmittedFieldIsDeclared runs over the golden outputs of every
// event mode (beat/testdata/golden) and fails on a field fields.yml lacks.
func TestEveryEmittedFieldIsDeclared(t *testing.T) {
	decl := declared(t)
	files, _ := filepath.Glob("../testdata/golden/*/expected.ndjson")
	if len(files) == 0 {
		t.Fatal("no golden outputs found")
	}
	seen := map[string]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			flatten("", ev, seen)
		}
		fh.Close()
	}
	for name := range seen {
		if _, ok := decl[name]; !ok {
			t.Errorf("field %q is emitted but not declared in fields.yml", name)
		}
	}
	for name, typ := range map[string]string{"source.ip": "ip", "network.community_id": "keyword", "ip.src": "ip", "frame.len": "long", "flow.end_reason": "keyword"} {
		if decl[name] != typ {
			t.Errorf("%s declared as %q, want %q", name, decl[name], typ)
		}
	}
	t.Logf("%d distinct fields emitted, all declared (%d declared in total)", len(seen), len(decl))
}
