//go:build !integration

package confkeys

import (
	"errors"
	"strings"
	"testing"
	"time"

	conf "github.com/elastic/elastic-agent-libs/config"
)

type file struct {
	Path  string  `config:"path"`
	Speed float64 `config:"speed"`
}

type inner struct {
	Name string `config:"name"`
}

type schema struct {
	Files  []file         `config:"files"`
	Mode   []string       `config:"mode"`
	Period time.Duration  `config:"stats.period"`
	Free   map[string]any `config:"config"`
	Sub    *conf.C        `config:"sub"`
	NS     conf.Namespace `config:"queue"`
	inner  `config:",inline"`
	Nested struct {
		Max int `config:"max"`
	} `config:"backoff"`
	Init time.Duration `config:"backoff.init"`
}

func check(t *testing.T, yml string) error {
	t.Helper()
	c, err := conf.NewConfigWithYAML([]byte(yml), "test")
	if err != nil {
		t.Fatal(err)
	}
	return Check(c, &schema{}, "netbeat")
}

func TestCheckNamesUnknownKeysWithASuggestion(t *testing.T) {
	for yml, want := range map[string]string{
		"files: [{path: a.pcap, sped: 1}]":      "unknown option netbeat.files.0.sped; did you mean speed?",
		"files: [{path: a}, {path: b, spd: 1}]": "unknown option netbeat.files.1.spd; known options here: path, speed",
		"mdoe: [flows]":                         "unknown option netbeat.mdoe; did you mean mode?",
		"stats.perod: 1s":                       "unknown option netbeat.stats.perod; did you mean period?",
		"stats: {perod: 1s}":                    "unknown option netbeat.stats.perod; did you mean period?",
		"backoff.ini: 1s":                       "unknown option netbeat.backoff.ini; did you mean init?",
		"nmae: x":                               "unknown option netbeat.nmae; did you mean name?",
		"zzzzzz: 1":                             "unknown option netbeat.zzzzzz; known options here: backoff, config, files, mode, name, queue, stats, sub",
		"files: {path: a, sped: 1}":             "unknown option netbeat.files.sped; did you mean speed?",
	} {
		err := check(t, yml)
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", yml, err, want)
		}
		if err != nil && !errors.Is(err, ErrUnknown) {
			t.Errorf("%s: %v does not wrap ErrUnknown", yml, err)
		}
	}
}

func TestCheckAcceptsKnownAndFreeFormKeys(t *testing.T) {
	yml := `
files: [{path: a, speed: 2}]
mode: [packets]
stats.period: 1s
config: {anything: {goes: 1}}
sub: {whatever: true}
queue.mem: {events: 10}
name: x
backoff: {max: 3, init: 1s}
`
	if err := check(t, yml); err != nil {
		t.Errorf("known keys rejected: %v", err)
	}
}

func TestCheckReportsEveryUnknownKey(t *testing.T) {
	err := check(t, "mdoe: [a]\nfiles: [{pth: x}]")
	if err == nil || !strings.Contains(err.Error(), "netbeat.mdoe") || !strings.Contains(err.Error(), "netbeat.files.0.pth; did you mean path?") {
		t.Errorf("got %v", err)
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"speed", "path", "bpf_filter", "timeout", "close_timeout"}
	for key, want := range map[string]string{
		"sped": "speed", "spede": "speed", "paht": "path", "bpf": "bpf_filter", "bpffilter": "bpf_filter",
		"timout": "timeout", "close_timout": "close_timeout", "x": "", "color": "",
	} {
		if got := Suggest(key, cands); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestCheckSeesEmptySections(t *testing.T) {
	if err := check(t, "files: [{path: a, sped: {}}]"); err == nil || !strings.Contains(err.Error(), "files.0.sped; did you mean speed?") {
		t.Errorf("got %v", err)
	}
}

func TestSetListsKnownOptions(t *testing.T) {
	c, err := conf.NewConfigWithYAML([]byte("files: [{path: a}]\nbackoff: {max: 1}\nconfig: {x: 1}\nmdoe: x\nstats.period: 1s"), "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Set(c, &schema{}), ","); got != "backoff.max,config,files,stats.period" {
		t.Errorf("Set = %q", got)
	}
}
