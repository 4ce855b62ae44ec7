//go:build !integration

package file

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/netbeat/netbeat/internal/eventtest"
)

// TestRotationLikeLibbeat: with small files, netbeat's file output (a write
// per batch) rotates exactly where libbeat's (a write per line) does: the
// same files with the same whole lines, number_of_files kept, lines larger
// than a file dropped and counted alike; also across a restart into the
// same folder (rotate_on_startup on and off).
func TestRotationLikeLibbeat(t *testing.T) {
	bundles, docs := eventtest.BundleEvents(t, "mixed.pcapng", 16)
	for _, tc := range []struct {
		kb, files int
		startup   bool
	}{{4, 1024, true}, {4, 1024, false}, {16, 1024, true}, {4, 3, true}, {1, 1024, true}} {
		name := fmt.Sprintf("%dkb/%dfiles/startup=%v", tc.kb, tc.files, tc.startup)
		extra := map[string]any{"rotate_every_kb": tc.kb, "number_of_files": tc.files, "rotate_on_startup": tc.startup}
		lbDir, nbDir := t.TempDir(), t.TempDir()
		lbc, nbc := newCounts(), newCounts()
		half := len(bundles) / 2
		for run, part := range [][2][]beat.Event{{docEvents(bundles[:half]), bundles[:half]}, {docEvents(bundles[half:]), bundles[half:]}} {
			lb := openOutput(t, "file", lbDir, extra, lbc)
			publish(t, lb, part[0], 0)
			_ = lb.Close()
			nb := openOutput(t, TypeName, nbDir, extra, nbc)
			publish(t, nb, part[1], 3-run)
			_ = nb.Close()
		}
		n := sameFiles(t, lbDir, nbDir)
		names, _ := files(t, nbDir)
		// libbeat's rotator keeps number_of_files rotated files and the active one
		if len(names) < 3 || len(names) > tc.files+1 {
			t.Fatalf("%s: %d files %v, want 3 to number_of_files+1", name, len(names), names)
		}
		lbc.Observer, nbc.Observer = nil, nil
		if *lbc != *nbc {
			t.Fatalf("%s: metrics: netbeat %+v, libbeat %+v", name, *nbc, *lbc)
		}
		if tc.files == 1024 && n+nbc.permanent != docs {
			t.Fatalf("%s: %d lines + %d dropped, want %d documents", name, n, nbc.permanent, docs)
		}
		if tc.kb == 1 && nbc.permanent == 0 {
			t.Fatalf("%s: no document was larger than a file", name)
		}
		if tc.startup { // else the restart appends to a file the rotator counts from 0 again
			checkSizes(t, nbDir, tc.kb*1024)
		}
	}
}

// checkSizes: every file ends with a whole line and holds at most max bytes
// plus the line that opened it (libbeat's rotator does not count it).
func checkSizes(t *testing.T, dir string, max int) {
	t.Helper()
	names, _ := files(t, dir)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			t.Fatalf("%s does not end with a whole line", n)
		}
		lines := strings.SplitAfter(string(b), "\n")
		if rest := len(b) - len(lines[0]); rest > max {
			t.Fatalf("%s: %d bytes after its first line, max %d", n, rest, max)
		}
	}
}
