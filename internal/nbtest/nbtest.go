// Package nbtest helps integration tests run the real netbeat binary: it
// finds the repository root and builds netbeat once per test process, or
// uses $NETBEAT_BIN (scripts/test.sh builds it once for every package).
package nbtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Binary returns $NETBEAT_BIN when set, else builds netbeat (go build from
// the repository root into a temp dir) once per test process.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("NETBEAT_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("NETBEAT_BIN=%s: %v", p, err)
		}
		return p
	}
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "netbeat-it-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "netbeat")
		start := time.Now()
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		t.Logf("built %s in %s", binPath, time.Since(start).Round(time.Millisecond))
	})
	if buildErr != nil {
		t.Fatalf("building netbeat failed: %v", buildErr)
	}
	return binPath
}

// Cleanup removes a binary Binary built; call it from TestMain after m.Run.
func Cleanup() {
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
}
