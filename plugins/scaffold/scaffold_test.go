package scaffold

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// repoSDK is the SDK module of this source tree.
func repoSDK(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "sdk"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestWrite(t *testing.T) {
	sdk := repoSDK(t)
	dir := filepath.Join(t.TempDir(), "my-plug")
	if err := Write(dir, Options{Name: "my-plug", SDKDir: sdk}); err != nil {
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
		if strings.Contains(string(src), `"github.com/netbeat/netbeat/`) && !strings.Contains(string(src), `"`+SDKModule) {
			t.Errorf("%s imports netbeat outside the SDK module:\n%s", f, src)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := modfile.Parse("go.mod", b, nil)
	if err != nil {
		t.Fatalf("go.mod does not parse: %v\n%s", err, b)
	}
	if mod.Module.Mod.Path != "example.com/netbeat-plugin-my-plug" {
		t.Errorf("module %s", mod.Module.Mod.Path)
	}
	if len(mod.Replace) != 1 || mod.Replace[0].Old.Path != SDKModule || mod.Replace[0].New.Path != sdk {
		t.Errorf("go.mod does not replace the SDK by %s:\n%s", sdk, b)
	}
	sdkMod, _ := os.ReadFile(filepath.Join(sdk, "go.mod"))
	want := map[string]string{SDKModule: sdkVersion}
	sdkFile, err := modfile.Parse("sdk/go.mod", sdkMod, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sdkFile.Require {
		want[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range mod.Require {
		if want[r.Mod.Path] != r.Mod.Version || r.Indirect != (r.Mod.Path != SDKModule) {
			t.Errorf("go.mod requires %s %s (indirect %v); want the SDK and the SDK's requirements, indirect", r.Mod.Path, r.Mod.Version, r.Indirect)
		}
		delete(want, r.Mod.Path)
	}
	if len(want) > 0 {
		t.Errorf("go.mod lacks %v:\n%s", want, b)
	}
	sum, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	sdkSum, _ := os.ReadFile(filepath.Join(sdk, "go.sum"))
	if len(sum) == 0 || !bytes.Equal(sum, sdkSum) {
		t.Errorf("go.sum is not the SDK's (%d bytes, the SDK's %d)", len(sum), len(sdkSum))
	}
	if err := Write(dir, Options{Name: "my-plug", SDKDir: sdk}); err == nil {
		t.Error("overwrote a non-empty directory")
	}
	if err := Write(t.TempDir(), Options{Name: "Bad Name", SDKDir: sdk}); err == nil {
		t.Error("accepted an invalid name")
	}
	if err := Write(filepath.Join(t.TempDir(), "x"), Options{Name: "x", SDKDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "go.mod") {
		t.Errorf("an SDK directory without go.mod: %v", err)
	}
}

// fakeSDK writes a minimal SDK module directory.
func fakeSDK(t *testing.T, dir, module string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+module+"\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindSDK(t *testing.T) {
	t.Setenv(SDKEnv, "")
	if _, err := os.Stat(SystemSDK); err == nil {
		t.Fatalf("%s exists on this machine: FindSDK's fallback cannot be tested", SystemSDK)
	}
	root := t.TempDir()
	// deb/rpm: /usr/share/netbeat/bin/netbeat and /usr/share/netbeat/sdk,
	// the binary reached through a symbolic link
	deb := filepath.Join(root, "usr", "share", "netbeat")
	fakeSDK(t, filepath.Join(deb, "sdk"), SDKModule)
	if err := os.MkdirAll(filepath.Join(deb, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(deb, "bin", "netbeat")
	os.WriteFile(exe, nil, 0o755)
	link := filepath.Join(root, "netbeat-link")
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	// .tar.gz: netbeat-V/netbeat and netbeat-V/sdk
	tgz := filepath.Join(root, "netbeat-9.3.0-linux-x86_64")
	fakeSDK(t, filepath.Join(tgz, "sdk"), SDKModule)
	other := t.TempDir()
	fakeSDK(t, other, "example.com/not-the-sdk")
	src := t.TempDir()
	fakeSDK(t, filepath.Join(src, "plugins", "sdk"), SDKModule)

	for _, c := range []struct {
		name, flag, env, src, exe, want, err string
	}{
		{name: "deb layout", exe: exe, want: filepath.Join(deb, "sdk")},
		{name: "through a symlink", exe: link, want: filepath.Join(deb, "sdk")},
		{name: "tar.gz layout", exe: filepath.Join(tgz, "netbeat"), want: filepath.Join(tgz, "sdk")},
		{name: "source tree", exe: filepath.Join(src, "netbeat"), want: filepath.Join(src, "plugins", "sdk")},
		{name: "--sdk wins", flag: filepath.Join(tgz, "sdk"), env: filepath.Join(deb, "sdk"), exe: exe, want: filepath.Join(tgz, "sdk")},
		{name: "env", env: filepath.Join(tgz, "sdk"), exe: exe, want: filepath.Join(tgz, "sdk")},
		{name: "--netbeat-src", src: src, exe: exe, want: filepath.Join(src, "plugins", "sdk")},
		{name: "--sdk not the SDK", flag: other, exe: exe, err: `--sdk: ` + filepath.Join(other, "go.mod") + ` is module "example.com/not-the-sdk"`},
		{name: "env missing", env: filepath.Join(root, "nowhere"), exe: exe, err: "$NETBEAT_SDK: " + filepath.Join(root, "nowhere") + " is not the netbeat plugin SDK"},
		{name: "nothing found", exe: filepath.Join(other, "netbeat"), err: "the netbeat plugin SDK was not found in " + filepath.Join(other, "sdk")},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(SDKEnv, c.env)
			got, err := FindSDK(c.flag, c.src, c.exe)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				if !strings.Contains(err.Error(), "--sdk") && c.name == "nothing found" {
					t.Errorf("the error does not say what to do: %v", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("FindSDK = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
