// Package scaffold writes a new, ready-to-build plugin module
// (`netbeat plugin new NAME`): main.go, the processor, a passing sdktest
// test, README.md, sample.yml, go.mod and go.sum. The module requires only
// the SDK module (github.com/netbeat/netbeat/plugins/sdk), through a replace
// directive to a local copy of it (the one netbeat's packages ship, see
// FindSDK), so it builds offline and without libbeat.
package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"golang.org/x/mod/modfile"
)

//go:embed templates/*
var templates embed.FS

// SDKModule is the SDK's module path.
const SDKModule = "github.com/netbeat/netbeat/plugins/sdk"

// sdkVersion is the version the plugin requires; the replace directive
// points it at the local SDK directory.
const sdkVersion = "v0.0.0-00010101000000-000000000000"

// Options of Write.
type Options struct {
	Name   string // plugin name: lower case letters, digits, _ and -
	Module string // Go module path; default example.com/netbeat-plugin-NAME
	SDKDir string // the SDK module's directory (FindSDK): required
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
	if o.SDKDir == "" {
		return fmt.Errorf("scaffold: no SDK directory given")
	}
	sdkDir, err := filepath.Abs(o.SDKDir)
	if err != nil {
		return fmt.Errorf("scaffold: %w", err)
	}
	gomod, err := goMod(o.Module, sdkDir)
	if err != nil {
		return err
	}
	gosum, err := os.ReadFile(filepath.Join(sdkDir, "go.sum"))
	if err != nil {
		return fmt.Errorf("scaffold: reading the SDK's go.sum failed: %w", err)
	}
	data := map[string]any{"Name": o.Name, "Module": o.Module, "Type": typeName(o.Name)}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("scaffold: creating %s failed: %w", dir, err)
	}
	files := map[string]string{"main.go.tmpl": "main.go", "plugin.go.tmpl": o.Name + ".go", "plugin_test.go.tmpl": o.Name + "_test.go",
		"README.md.tmpl": "README.md", "sample.yml.tmpl": "sample.yml"}
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
	for name, b := range map[string][]byte{"go.mod": gomod, "go.sum": gosum} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("scaffold: writing %s failed: %w", name, err)
		}
	}
	return nil
}

// goMod returns the plugin's go.mod: the SDK module, replaced by sdkDir,
// and the SDK's own requirements as indirect ones (what `go mod tidy`
// would add), so that `go build` works before any `go mod tidy`. go.sum
// is the SDK's: the checksums come with netbeat, not from the network.
func goMod(module, sdkDir string) ([]byte, error) {
	path := filepath.Join(sdkDir, "go.mod")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scaffold: reading the SDK's go.mod failed: %w", err)
	}
	sdk, err := modfile.ParseLax(path, b, nil)
	if err != nil {
		return nil, fmt.Errorf("scaffold: %w", err)
	}
	if sdk.Module == nil || sdk.Module.Mod.Path != SDKModule {
		return nil, fmt.Errorf("scaffold: %s is not the netbeat plugin SDK (module %s)", path, SDKModule)
	}
	f := &modfile.File{Syntax: &modfile.FileSyntax{}}
	if err := f.AddModuleStmt(module); err != nil {
		return nil, fmt.Errorf("scaffold: module path %q: %w", module, err)
	}
	goVersion := "1.26"
	if sdk.Go != nil {
		goVersion = sdk.Go.Version
	}
	if err := f.AddGoStmt(goVersion); err != nil {
		return nil, fmt.Errorf("scaffold: %w", err)
	}
	f.AddNewRequire(SDKModule, sdkVersion, false)
	for _, r := range sdk.Require {
		f.AddNewRequire(r.Mod.Path, r.Mod.Version, true)
	}
	f.SetRequireSeparateIndirect(f.Require)
	if err := f.AddReplace(SDKModule, "", sdkDir, ""); err != nil {
		return nil, fmt.Errorf("scaffold: %w", err)
	}
	f.Cleanup()
	return modfile.Format(f.Syntax), nil
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
