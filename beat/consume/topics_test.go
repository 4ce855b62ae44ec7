//go:build !integration

package consume

import (
	"errors"
	"regexp"
	"testing"
)

// TestTopicPattern: plain names match themselves only, date formats match
// the topics output.franz makes of them, field references any name.
func TestTopicPattern(t *testing.T) {
	for _, c := range []struct {
		topic     string
		templated bool
		match     []string
		noMatch   []string
	}{
		{"netbeat", false, []string{"netbeat"}, []string{"netbeat2", "xnetbeat", "netbeat-2026.12.01"}},
		{"net.beat", false, []string{"net.beat"}, []string{"netxbeat"}},
		{"netbeat-%{+yyyy.MM.dd}", true, []string{"netbeat-2026.12.01", "netbeat-12026.01.31"}, []string{"netbeat-2026-12-01", "netbeat-2026.12.1", "netbeat-", "netbeat-2026.12.01x"}},
		{"nb-%{[agent.name]}-%{+yyyyMMdd}", true, []string{"nb-probe-1-20261201"}, []string{"nb--20261201"}},
	} {
		re, tmpl, err := TopicPattern(c.topic)
		if err != nil || tmpl != c.templated {
			t.Fatalf("%s: %q %v %v", c.topic, re, tmpl, err)
		}
		r := regexp.MustCompile(re)
		for _, m := range c.match {
			if !r.MatchString(m) {
				t.Errorf("%s (%s) does not match %s", c.topic, re, m)
			}
		}
		for _, m := range c.noMatch {
			if r.MatchString(m) {
				t.Errorf("%s (%s) matches %s", c.topic, re, m)
			}
		}
	}
	for _, bad := range []string{"a-%{+yyyy", "a-%{foo}", "a-%{+}", "", "a b", "a/%{+yyyy}", "a-%{+yyyy/MM}"} {
		if _, _, err := TopicPattern(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		} else if bad != "" && !errors.Is(err, ErrTopicPattern) {
			t.Errorf("%q: %v is not ErrTopicPattern", bad, err)
		}
	}
}

// FuzzTopicPattern: every accepted topic gives a regular expression that
// compiles and, for plain names, matches the name itself.
func FuzzTopicPattern(f *testing.F) {
	for _, s := range []string{"netbeat", "netbeat-%{+yyyy.MM.dd}", "a%{[x]}b", "%{", "%{+}", "a.b*c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, topic string) {
		re, tmpl, err := TopicPattern(topic)
		if err != nil {
			return
		}
		r, err := regexp.Compile(re)
		if err != nil {
			t.Fatalf("%q: %q does not compile: %v", topic, re, err)
		}
		if !tmpl && !r.MatchString(topic) {
			t.Fatalf("%q: %q does not match the name", topic, re)
		}
	})
}
