// Package scaffold writes a new, ready-to-build plugin module
// (`netbeat plugin new NAME`): main.go, the processor, a passing sdktest
// test, README.md, sample.yml and go.mod.
package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"text/template"
)

//go:embed templates/*
var templates embed.FS

// Options of Write.
type Options struct {
	Name       string // plugin name: lower case letters, digits, _ and -
	Module     string // Go module path; default example.com/netbeat-plugin-NAME
	NetbeatDir string // local netbeat checkout for a replace directive; default: none
	Version    string // netbeat module version to require; default: this binary's
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Write creates dir (which must not exist or be empty) with the plugin module.
func Write(dir string, o Options) error {
	if !validName.MatchString(o.Name) {
		return fmt.Errorf("scaffold: plugin name %q: use lower case letters, digits, _ and -", o.Name)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("scaffold: %s exists and is not empty", dir)
	}
	if o.Module == "" {
		o.Module = "example.com/netbeat-plugin-" + o.Name
	}
	if o.Version == "" {
		o.Version = "v0.0.0-00010101000000-000000000000"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == "github.com/netbeat/netbeat" && strings.HasPrefix(bi.Main.Version, "v") && !strings.Contains(bi.Main.Version, "devel") {
			o.Version = bi.Main.Version
		}
	}
	if o.NetbeatDir != "" {
		abs, err := filepath.Abs(o.NetbeatDir)
		if err != nil {
			return fmt.Errorf("scaffold: %w", err)
		}
		o.NetbeatDir = abs
	}
	data := map[string]any{"Name": o.Name, "Module": o.Module, "NetbeatDir": o.NetbeatDir, "Version": o.Version,
		"Type": typeName(o.Name)}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("scaffold: creating %s failed: %w", dir, err)
	}
	files := map[string]string{"main.go.tmpl": "main.go", "plugin.go.tmpl": o.Name + ".go", "plugin_test.go.tmpl": o.Name + "_test.go",
		"README.md.tmpl": "README.md", "sample.yml.tmpl": "sample.yml", "go.mod.tmpl": "go.mod"}
	for src, dst := range files {
		t, err := template.ParseFS(templates, "templates/"+src)
		if err != nil {
			return fmt.Errorf("scaffold: %w", err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return fmt.Errorf("scaffold: rendering %s failed: %w", dst, err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("scaffold: writing %s failed: %w", dst, err)
		}
	}
	return nil
}

func typeName(n string) string {
	var b strings.Builder
	up := true
	for _, r := range n {
		if r == '-' || r == '_' {
			up = true
			continue
		}
		if up {
			r = []rune(strings.ToUpper(string(r)))[0]
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
