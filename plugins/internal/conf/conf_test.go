package conf

import (
	"reflect"
	"strings"
	"testing"
)

func TestLoadKeepsDottedKeys(t *testing.T) {
	var c struct {
		Target string         `koanf:"target"`
		Fields map[string]any `koanf:"add_fields"`
		Rules  []any          `koanf:"rules"`
	}
	raw := map[string]any{
		"target":     "event.bucket",
		"add_fields": map[string]any{"labels.team": "noc"},
		"rules":      []any{map[string]any{"labels.service": "dns"}},
	}
	if err := Load("demo", raw, &c); err != nil {
		t.Fatal(err)
	}
	if c.Target != "event.bucket" || !reflect.DeepEqual(c.Fields, map[string]any{"labels.team": "noc"}) ||
		!reflect.DeepEqual(c.Rules, []any{map[string]any{"labels.service": "dns"}}) {
		t.Fatalf("decoded %+v", c)
	}
}

func TestLoadNamesThePlugin(t *testing.T) {
	var c struct {
		N int `koanf:"n"`
	}
	err := Load("demo", map[string]any{"n": "not a number"}, &c)
	if err == nil || !strings.HasPrefix(err.Error(), "demo: decoding config failed: ") {
		t.Fatalf("err = %v", err)
	}
}
