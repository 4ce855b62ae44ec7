//go:build integration

package scaffold_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netbeat/netbeat/internal/nbtest"
	"github.com/netbeat/netbeat/plugins/scaffold"
)

func TestMain(m *testing.M) {
	code := m.Run()
	nbtest.Cleanup()
	os.Exit(code)
}

// TestPluginNewOffline installs netbeat as the deb does
// (usr/share/netbeat/bin/netbeat and usr/share/netbeat/sdk, the SDK copied
// as the packages ship it: every file of plugins/sdk), scaffolds a plugin
// with `netbeat plugin new` (no flag, no environment variable), and tests,
// vets and builds it with the network off (GOPROXY=off) and a module
// cache that holds only what the SDK module needs.
func TestPluginNewOffline(t *testing.T) {
	root := nbtest.RepoRoot(t)
	bin := nbtest.Binary(t)
	tmp := t.TempDir()
	home := filepath.Join(tmp, "usr", "share", "netbeat")
	copyTree(t, filepath.Join(root, "plugins", "sdk"), filepath.Join(home, "sdk"))
	copyFile(t, bin, filepath.Join(home, "bin", "netbeat"), 0o755)

	// The module cache: only the SDK module's needs, taken from this
	// machine's module cache (no network).
	realCache := goEnv(t, "GOMODCACHE")
	cache := filepath.Join(tmp, "modcache")
	base := append(os.Environ(), "GOMODCACHE="+cache, "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "NETBEAT_SDK=")
	run(t, filepath.Join(home, "sdk"), append(base, "GOPROXY=file://"+filepath.Join(realCache, "cache", "download"), "GOSUMDB=off"),
		"go", "mod", "download")
	for _, mod := range listDir(t, filepath.Join(cache, "cache", "download")) {
		t.Logf("module cache: %s", mod)
	}

	work := filepath.Join(tmp, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	out := run(t, work, append(base, "GOPROXY=off"), filepath.Join(home, "bin", "netbeat"), "plugin", "new", "webtag")
	if !strings.Contains(out, filepath.Join(home, "sdk")) {
		t.Errorf("plugin new did not report the installed SDK %s: %s", filepath.Join(home, "sdk"), out)
	}
	plug := filepath.Join(work, "webtag")
	offline := append(base, "GOPROXY=off")
	run(t, plug, offline, "go", "test", "-count=1", "./...")
	run(t, plug, offline, "go", "vet", "./...")
	run(t, plug, offline, "go", "build", "-o", "netbeat-plugin-webtag", ".")
	// go.mod and go.sum as written are complete: the default -mod=readonly
	// builds too, and nothing in them changed.
	gomod, _ := os.ReadFile(filepath.Join(plug, "go.mod"))
	run(t, plug, append(base, "GOPROXY=off", "GOFLAGS=-mod=readonly"), "go", "test", "-count=1", "./...")
	if after, _ := os.ReadFile(filepath.Join(plug, "go.mod")); string(after) != string(gomod) {
		t.Errorf("go.mod changed while building:\n%s", after)
	}
	sum, err := os.ReadFile(filepath.Join(plug, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the plugin's go.sum: %d lines", strings.Count(string(sum), "\n"))
	mods := run(t, plug, offline, "go", "list", "-deps", "-test", "-f", "{{with .Module}}{{.Path}}{{end}}", "./...")
	seen := map[string]bool{}
	for _, m := range strings.Fields(mods) {
		seen[m] = true
		if strings.Contains(m, "elastic") || (strings.HasPrefix(m, "github.com/netbeat/netbeat") && m != scaffold.SDKModule) {
			t.Errorf("the plugin builds with module %s", m)
		}
	}
	if !seen[scaffold.SDKModule] {
		t.Errorf("the plugin does not build with the SDK module: %s", mods)
	}
	if fi, err := os.Stat(filepath.Join(plug, "netbeat-plugin-webtag")); err != nil || fi.Size() == 0 {
		t.Fatalf("no plugin binary: %v", err)
	}
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s in %s failed: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		copyFile(t, p, filepath.Join(dst, rel), 0o644)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// listDir lists the module paths cached under dir (cache/download).
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var mods []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "@v" {
			rel, _ := filepath.Rel(dir, filepath.Dir(p))
			mods = append(mods, rel)
		}
		return nil
	})
	if len(mods) == 0 {
		t.Fatalf("the module cache %s is empty", dir)
	}
	return mods
}
