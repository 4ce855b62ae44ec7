package sdk_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the SDK small: it may import only the standard library,
// go-plugin (and what it needs), grpc, protobuf and plugins/internal/shared.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list failed: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/netbeat/netbeat/plugins/internal/shared", "github.com/netbeat/netbeat/plugins/sdk",
		"github.com/hashicorp/", "google.golang.org/grpc", "google.golang.org/protobuf", "google.golang.org/genproto",
		"github.com/golang/protobuf", "github.com/oklog/run", "github.com/fatih/color", "github.com/mattn/",
		"golang.org/x/net", "golang.org/x/sys", "golang.org/x/text",
	}
	for _, p := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			ok = ok || strings.HasPrefix(p, a)
		}
		if !ok {
			t.Errorf("plugins/sdk depends on %s; the SDK may import only go-plugin, grpc, protobuf and internal/shared", p)
		}
		if strings.Contains(p, "elastic") || strings.Contains(p, "koanf") {
			t.Errorf("plugins/sdk must not depend on %s", p)
		}
	}
}
