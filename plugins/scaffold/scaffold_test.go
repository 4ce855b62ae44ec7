package scaffold

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my-plug")
	if err := Write(dir, Options{Name: "my-plug", NetbeatDir: "/src/netbeat"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"main.go", "my-plug.go", "my-plug_test.go"} {
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), f, src, parser.AllErrors); err != nil {
			t.Errorf("%s does not parse: %v", f, err)
		}
		if strings.Contains(string(src), "MyPlug{}") == false && f == "main.go" {
			t.Errorf("main.go: %s", src)
		}
	}
	mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(mod), "replace github.com/netbeat/netbeat => /src/netbeat") {
		t.Errorf("go.mod: %s", mod)
	}
	if err := Write(dir, Options{Name: "my-plug"}); err == nil {
		t.Error("overwrote a non-empty directory")
	}
	if err := Write(t.TempDir(), Options{Name: "Bad Name"}); err == nil {
		t.Error("accepted an invalid name")
	}
}
