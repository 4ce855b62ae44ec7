//go:build !integration

package beat

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
)

var update = flag.Bool("update", false, "rewrite the golden expected.ndjson files")

// collector is a sink that keeps events in order.
type collector struct{ events []libbeat.Event }

func (c *collector) Publish(e libbeat.Event) { c.events = append(c.events, e) }
func (c *collector) Close() error            { return nil }

// goldenCase is testdata/golden/<case>/config.yml: a bundled capture and the
// netbeat section to run it with.
type goldenCase struct {
	Capture string `config:"capture"`
	Config  `config:",inline"`
}

// runCapture runs a capture through the same worker code the beat uses and
// returns the packet events and the flow events.
// form is "encoded" (default), "maps", "bundles" or "parallel" (bundles
// built by three builder goroutines, builders.go); flow records are
// bundled (flowbundle.go) in both bundle forms.
func runCapture(t testing.TB, path string, cfg Config, form ...string) (pkts, fl []libbeat.Event) {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := decode.New(src.LinkType())
	if err != nil {
		t.Fatal(err)
	}
	nb := &Netbeat{cfg: cfg, log: logp.NewLogger("test")}
	w := &worker{nb: nb, src: src, kind: "file", dec: dec,
		popts: event.PacketOptions{Fields: cfg.Packets.Fields, PayloadMaxBytes: cfg.Packets.Payload.MaxBytes},
		maps:  len(form) > 0 && form[0] == "maps"}
	if cfg.EventID.Enabled && idSource != "" {
		w.popts.IDPrefix, w.fopts.IDPrefix = event.PacketIDPrefix(idSource), event.FlowIDPrefix(idSource)
	}
	pc, fc := &collector{}, &collector{}
	if cfg.has("packets") {
		w.pkts = pc
		if len(form) > 0 && form[0] == "bundles" && len(cfg.Packets.Fields) == 0 {
			nb.cfg.Packets.MaxInflight = 1 << 30 // nothing acknowledges in this test
			w.bundle = &bundler{size: 5, out: pc, nb: nb}
		}
		if len(form) > 0 && form[0] == "parallel" && len(cfg.Packets.Fields) == 0 {
			nb.cfg.Packets.MaxInflight = 1 << 30
			if w.par, err = newBuilders(nb, pc, 3, 5, src.LinkType(), w.popts); err != nil {
				t.Fatal(err)
			}
		}
	}
	if cfg.has("flows") {
		w.flowsC = fc
		if len(form) > 0 && (form[0] == "bundles" || form[0] == "parallel") {
			nb.cfg.Packets.MaxInflight = 1 << 30
			w.fbundle = newFlowBundler(nb, fc, 4)
			w.fbundle.opts.IDPrefix = w.fopts.IDPrefix
		}
		w.newTable()
	}
	if err := w.run(); err != nil {
		t.Fatal(err)
	}
	if st := w.decodeStats(); st.Packets != w.number {
		t.Fatalf("decoding statistics count %d packets of %d", st.Packets, w.number)
	}
	w.close()
	if w.fbundle != nil {
		for i := range fc.events {
			if _, ok := event.BundleOf(&fc.events[i]); !ok {
				t.Fatalf("flow event %d of the %s form is not a bundle", i+1, form[0])
			}
		}
	}
	return unbundle(pc.events), unbundle(fc.events)
}

// unbundle replaces each bundle event by its documents as events.
func unbundle(evs []libbeat.Event) []libbeat.Event {
	var out []libbeat.Event
	for i := range evs {
		b, ok := event.BundleOf(&evs[i])
		if !ok {
			out = append(out, evs[i])
			continue
		}
		for d := range b.Docs {
			out = append(out, *b.DocEvent(&evs[i], d))
		}
	}
	return out
}

// assertNormalized fails when libbeat's event normalizer would change an
// event: netbeat turns normalization off (beat/cmd/root.go) and relies on it.
func assertNormalized(t *testing.T, evs []libbeat.Event) {
	t.Helper()
	conv := common.NewGenericEventConverter(false, logp.NewLogger("test"))
	for i, e := range evs {
		if got := conv.Convert(e.Fields); !reflect.DeepEqual(got, e.Fields) {
			t.Fatalf("event %d is not normalized:\n have %#v\n norm %#v", i+1, e.Fields, got)
		}
	}
}

// ndjson writes the events as JSON lines with sorted keys (encoded members
// are decoded and re-encoded, so both event forms give the same bytes).
func ndjson(t testing.TB, evs []libbeat.Event) []byte {
	var b bytes.Buffer
	for _, e := range evs {
		f := e.Fields.Clone()
		f["@timestamp"] = e.Timestamp.UTC().Format(time.RFC3339Nano)
		line, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		var v interface{}
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if line, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestGolden runs every testdata/golden/<case>: config.yml names a capture
// and the netbeat options; expected.ndjson holds the events (packets first,
// then flows). Every case runs twice: packet events as encoded documents
// (no processors) and as maps (processors or plugins configured); both must
// give the expected documents. Regenerate with
// `go test ./beat -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	for _, form := range []string{"encoded", "maps", "bundles", "parallel"} {
		t.Run(form, func(t *testing.T) { testGolden(t, form) })
	}
}

// goldenDirs is every golden case's folder (there must be at least 8).
func goldenDirs(t *testing.T) []string {
	t.Helper()
	dirs, _ := filepath.Glob("testdata/golden/*")
	if len(dirs) < 8 {
		t.Fatalf("expected at least 8 golden cases, found %d", len(dirs))
	}
	return dirs
}

// loadGoldenCase reads dir's config.yml over netbeat's defaults.
func loadGoldenCase(t *testing.T, dir string) goldenCase {
	t.Helper()
	yml, err := os.ReadFile(filepath.Join(dir, "config.yml"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := conf.NewConfigWithYAML(yml, "config.yml")
	if err != nil {
		t.Fatal(err)
	}
	gc := goldenCase{Config: defaultConfig()}
	if err := raw.Unpack(&gc); err != nil {
		t.Fatal(err)
	}
	return gc
}

func testGolden(t *testing.T, form string) {
	for _, dir := range goldenDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			gc := loadGoldenCase(t, dir)
			gc.Files = []FileConfig{{Path: gc.Capture}}
			if err := gc.Config.Check(); err != nil {
				t.Fatal(err)
			}
			pkts, fl := runCapture(t, filepath.Join("..", "testdata", "captures", gc.Capture), gc.Config, form)
			if form == "maps" {
				assertNormalized(t, append(append([]libbeat.Event(nil), pkts...), fl...))
			} else if len(gc.Packets.Fields) > 0 {
				assertNormalized(t, pkts)
			}
			got := append(ndjson(t, pkts), ndjson(t, fl)...)
			want := filepath.Join(dir, "expected.ndjson")
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (create it with -update and review it)", err)
			}
			gl, el := bytes.Split(got, []byte("\n")), bytes.Split(exp, []byte("\n"))
			if len(gl) != len(el) {
				t.Errorf("got %d events, expected %d", len(gl)-1, len(el)-1)
			}
			for i := 0; i < len(gl) && i < len(el); i++ {
				if !bytes.Equal(gl[i], el[i]) {
					t.Errorf("event %d differs:\n got: %s\nwant: %s", i+1, gl[i], el[i])
				}
			}
		})
	}
}
