//go:build integration

package beat_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestFileOutputRouting runs the real binary on mixed.pcapng (packets and
// flows) with output.file from the config file: with the default codec
// netbeat's file output runs (the log says so, packets travel in bundles);
// with -E output.file.codec.json.pretty=true libbeat's does. Both write the
// same documents (agent ids aside: each run is its own beat).
func TestFileOutputRouting(t *testing.T) {
	path := capturePath(t, "mixed.pcapng")
	docs := map[string][]string{}
	for _, run := range []struct {
		name, log string
		extra     []string
	}{
		{"default", "netbeat's file output (output.netbeat_file)", nil},
		{"pretty", "libbeat's file output, because codec.json", []string{"-E", "output.file.codec.json.pretty=true"}},
	} {
		dir := t.TempDir()
		cfg := fileOutputConfig(t, dir, "")
		args := append([]string{"-e", "-c", cfg, "-I", path, "--mode", "packets,flows"}, homeArgs(dir)...)
		res := runNetbeat(t, dir, append(args, run.extra...)...)
		if res.code != 0 {
			t.Fatalf("%s: exit %d\n%s", run.name, res.code, tail(res.stderr, 20))
		}
		if !strings.Contains(res.stderr, "output.file: "+run.log) {
			t.Errorf("%s: the log does not say %q", run.name, run.log)
		}
		bundled := strings.Contains(res.stderr, "documents per pipeline event (output.netbeat_file)")
		if bundled != (run.name == "default") {
			t.Errorf("%s: packets bundled: %v", run.name, bundled)
		}
		docs[run.name] = canonicalDocs(t, filepath.Join(dir, "out"))
	}
	a, b := docs["default"], docs["pretty"]
	if len(a) < 100 || len(a) != len(b) {
		t.Fatalf("netbeat's file output wrote %d documents, libbeat's %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("document %d differs\nnetbeat: %s\nlibbeat: %s", i, a[i], b[i])
		}
	}
}

var docIDRe = regexp.MustCompile(`^[0-9a-f]{16}\.[pf][1-9][0-9]*$`)

// canonicalDocs reads every JSON document of the files in dir (lines or
// pretty-printed), drops agent.id and agent.ephemeral_id and the random
// part of @metadata._id, and returns them
// re-encoded with sorted keys, sorted.
func canonicalDocs(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		for {
			var doc map[string]any
			if err := d.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if agent, ok := doc["agent"].(map[string]any); ok {
				delete(agent, "id")
				delete(agent, "ephemeral_id")
			}
			// netbeat.event_id: <random source part>.<p|f><seq>; the
			// source part differs between runs, the rest must not
			if meta, ok := doc["@metadata"].(map[string]any); ok {
				id, _ := meta["_id"].(string)
				if !docIDRe.MatchString(id) {
					t.Fatalf("%s: @metadata._id %q is not <16 hex digits>.<p|f><seq>", f, id)
				}
				meta["_id"] = id[16:]
			}
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
	}
	sort.Strings(out)
	return out
}
