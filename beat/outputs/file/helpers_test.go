//go:build !integration

package file

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/outputs"
	_ "github.com/elastic/beats/v7/libbeat/outputs/fileout" // output.file, the reference
	"github.com/elastic/beats/v7/libbeat/outputs/outest"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/netbeat/netbeat/internal/jsontest"
)

// counts is an observer keeping the metrics both file outputs report.
type counts struct {
	outputs.Observer
	batch, acked, bytes, permanent, writeErrs int
}

func newCounts() *counts { return &counts{Observer: outputs.NewNilObserver()} }

func (c *counts) NewBatch(n int)        { c.batch += n }
func (c *counts) AckedEvents(n int)     { c.acked += n }
func (c *counts) WriteBytes(n int)      { c.bytes += n }
func (c *counts) PermanentErrors(n int) { c.permanent += n }
func (c *counts) WriteError(error)      { c.writeErrs++ }

var testInfo = beat.Info{Beat: "netbeat", IndexPrefix: "netbeat", Version: "9.3.0", Logger: logp.NewNopLogger()}

// openOutput makes the client of output typ ("file": libbeat's,
// TypeName: netbeat's) writing into dir, with extra settings.
func openOutput(t testing.TB, typ, dir string, extra map[string]any, obs outputs.Observer) outputs.Client {
	t.Helper()
	settings := map[string]any{"path": dir, "filename": "events", "rotate_every_kb": 1 << 20, "number_of_files": 1024}
	for k, v := range extra {
		settings[k] = v
	}
	g, err := outputs.Load(nil, testInfo, obs, typ, config.MustNewConfigFrom(settings))
	if err != nil {
		t.Fatalf("output.%s: %v", typ, err)
	}
	if len(g.Clients) != 1 {
		t.Fatalf("output.%s: %d clients", typ, len(g.Clients))
	}
	t.Cleanup(func() { _ = g.Clients[0].Close() })
	return g.Clients[0]
}

// publish publishes events in batches of size n (all at once if n <= 0)
// and checks each batch was ACKed.
func publish(t testing.TB, c outputs.Client, evs []beat.Event, n int) {
	t.Helper()
	if n <= 0 {
		n = len(evs)
	}
	for i := 0; i < len(evs); i += n {
		b := outest.NewBatch(evs[i:min(i+n, len(evs))]...)
		if err := c.Publish(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if sig := b.Signals; len(sig) != 1 || sig[0].Tag != outest.BatchACK {
			t.Fatalf("batch signals %v, want one ACK", sig)
		}
	}
}

// files returns, per file name in dir (sorted), its lines, each as
// canonical JSON; a line that is not a whole JSON document fails the test.
func files(t testing.TB, dir string) (names []string, lines [][]string) {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(matches)
	for _, m := range matches {
		f, err := os.Open(m)
		if err != nil {
			t.Fatal(err)
		}
		var ls []string
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			ls = append(ls, jsontest.Canonical(t, sc.Bytes()))
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(m))
		lines = append(lines, ls)
	}
	return names, lines
}

// sameFiles fails unless dirs a and b hold files of the same names with the
// same documents, line by line.
func sameFiles(t testing.TB, a, b string) (docs int) {
	t.Helper()
	an, al := files(t, a)
	bn, bl := files(t, b)
	if len(an) != len(bn) {
		t.Fatalf("libbeat wrote files %v, netbeat %v", an, bn)
	}
	for i := range an {
		if an[i] != bn[i] || len(al[i]) != len(bl[i]) {
			t.Fatalf("file %d: libbeat %s (%d lines), netbeat %s (%d lines)", i, an[i], len(al[i]), bn[i], len(bl[i]))
		}
		for j := range al[i] {
			if al[i][j] != bl[i][j] {
				t.Fatalf("%s line %d differs\nnetbeat: %s\nlibbeat: %s", an[i], j+1, bl[i][j], al[i][j])
			}
		}
		docs += len(al[i])
	}
	return docs
}
