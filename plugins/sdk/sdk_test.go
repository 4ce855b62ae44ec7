package sdk_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// allowed are the modules the SDK module may depend on: go-plugin and
// hclog (and what they need), grpc and protobuf. A plugin author's module
// requires the SDK module, so this list is the author's whole build.
var allowed = []string{
	"github.com/hashicorp/go-plugin", "github.com/hashicorp/go-hclog", "github.com/hashicorp/yamux",
	"google.golang.org/grpc", "google.golang.org/protobuf", "google.golang.org/genproto/googleapis/rpc",
	"github.com/golang/protobuf", "github.com/oklog/run", "github.com/fatih/color",
	"github.com/mattn/go-colorable", "github.com/mattn/go-isatty",
	"golang.org/x/net", "golang.org/x/sys", "golang.org/x/text",
}

const self = "github.com/netbeat/netbeat/plugins/sdk"

func isAllowed(mod string) bool {
	for _, a := range allowed {
		if mod == a {
			return true
		}
	}
	return false
}

// TestImports keeps the SDK small: every package of the SDK module
// (sdk, sdk/sdktest, sdk/shared) and its tests may import only the standard
// library, the SDK module's own packages and the allowed modules; libbeat,
// koanf and netbeat's main module (github.com/netbeat/netbeat) stay out.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", "-f",
		"{{if not .Standard}}{{.ImportPath}}\t{{with .Module}}{{.Path}}{{end}}{{end}}", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list failed: %v\n%s", err, out)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, mod, _ := strings.Cut(line, "\t")
		if pkg == "" {
			continue
		}
		n++
		if mod == self {
			continue
		}
		if !isAllowed(mod) {
			t.Errorf("the SDK module depends on package %s (module %q); it may import only go-plugin, hclog, grpc, protobuf and its own packages", pkg, mod)
		}
	}
	if n < 10 {
		t.Fatalf("go list -deps found only %d packages: %s", n, out)
	}
}

// TestGoMod checks the SDK's go.mod: its own module path, only allowed
// requirements, and no replace directive (a dependency's replace is
// ignored, so the SDK would build differently in an author's module).
func TestGoMod(t *testing.T) {
	out, err := exec.Command("go", "mod", "edit", "-json").CombinedOutput()
	if err != nil {
		t.Fatalf("go mod edit -json failed: %v\n%s", err, out)
	}
	var mf struct {
		Module  struct{ Path string }
		Require []struct{ Path string }
		Replace []struct{ Old struct{ Path string } }
	}
	if err := json.Unmarshal(out, &mf); err != nil {
		t.Fatal(err)
	}
	if mf.Module.Path != self {
		t.Errorf("module path %q, want %q", mf.Module.Path, self)
	}
	if len(mf.Require) == 0 {
		t.Error("go.mod requires nothing: not the SDK's go.mod?")
	}
	for _, r := range mf.Require {
		if !isAllowed(r.Path) {
			t.Errorf("go.mod requires %s; the SDK module may require only %v", r.Path, allowed)
		}
	}
	for _, r := range mf.Replace {
		t.Errorf("go.mod replaces %s: the SDK module must build as a plain dependency", r.Old.Path)
	}
}
