//go:build !integration

package lsconf

import (
	"errors"
	"testing"
)

// TestParse: the constructs of Logstash's grammar, and errors with lines.
func TestParse(t *testing.T) {
	c, err := Parse(`# comment
input { kafka { topics => ["a", 'b'] consumer_threads => 4 codec => json } }
filter {
  if [x] == "y" and "t" in [tags] { mutate { add_field => { "a" => "b" 'c' => 1 } } }
  else if [z] { drop {} } else { mutate { id => "m" } }
}
output { elasticsearch { hosts => ["h:9200"] document_id => "%{[@metadata][_id]}" } stdout {} }
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sections) != 3 || len(c.Sections[1].Plugins) != 3 || len(c.Sections[2].Plugins) != 2 {
		t.Fatalf("%+v", c)
	}
	k := c.Sections[0].Plugins[0]
	if v, _ := k.Get("topics"); len(v.([]any)) != 2 {
		t.Fatalf("topics %v", v)
	}
	if v, _ := k.Get("consumer_threads"); v != 4.0 {
		t.Fatalf("consumer_threads %v", v)
	}
	for _, bad := range []string{"", "inputs { }", "input { kafka { topics = 1 } }", "input { kafka { topics => [1 2] } }",
		"input { kafka {", `output { x { a => "b } }`, "filter { if [a] }"} {
		if _, err := Parse(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzParse: Parse never panics and either parses or says ErrSyntax.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"input { kafka { a => [1, \"x\", {b => c}] } }", "filter { if [a] { x {} } else { y {} } }", "output {", "#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := Parse(s); err != nil && !errors.Is(err, ErrSyntax) {
			t.Fatalf("%q: %v", s, err)
		}
	})
}
