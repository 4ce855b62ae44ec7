package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func buildAll(t *testing.T) (options, []string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "netbeat")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho fake\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	o := options{kind: "linux", bin: bin, version: "9.3.0", out: filepath.Join(dir, "out"), root: "..",
		formats: []string{"deb", "rpm", "tar.gz"}, mtime: time.Unix(1700000000, 0)}
	paths, err := run(o)
	if err != nil {
		t.Fatal(err)
	}
	return o, paths
}

func TestLinuxPackages(t *testing.T) {
	_, paths := buildAll(t)
	want := []string{"netbeat_9.3.0-1_amd64.deb", "netbeat-9.3.0-1.x86_64.rpm", "netbeat-9.3.0-linux-x86_64.tar.gz"}
	for i, p := range paths {
		if filepath.Base(p) != want[i] {
			t.Errorf("package %d is %s, want %s", i, filepath.Base(p), want[i])
		}
	}
	control, data := readDeb(t, paths[0])
	if got := string(control["./conffiles"]); strings.TrimSpace(got) != "/etc/netbeat/netbeat.yml" {
		t.Errorf("conffiles = %q, want only /etc/netbeat/netbeat.yml", got)
	}
	for _, s := range []string{"./postinst", "./prerm", "./postrm"} {
		if _, ok := control[s]; !ok {
			t.Errorf("control archive lacks %s", s)
		}
	}
	if !bytes.Contains(control["./postinst"], []byte("useradd --system")) {
		t.Error("postinst does not create the netbeat user")
	}
	if !bytes.Contains(control["./control"], []byte("Depends: libpcap0.8")) {
		t.Errorf("control lacks the libpcap dependency:\n%s", control["./control"])
	}
	modes := map[string]int64{
		"./usr/share/netbeat/bin/netbeat":          0o755,
		"./usr/bin/netbeat":                        0o755,
		"./usr/lib/systemd/system/netbeat.service": 0o644,
		"./etc/netbeat/netbeat.yml":                0o640,
		"./etc/netbeat/netbeat.reference.yml":      0o640,
		"./etc/netbeat/":                           0o750,
	}
	sdk, err := sdkFiles("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(sdk) < 8 {
		t.Fatalf("the SDK has only %d files: %v", len(sdk), sdk)
	}
	for _, e := range sdk {
		modes["./usr/share/netbeat/sdk/"+e.name] = 0o644
	}
	for _, must := range []string{"go.mod", "go.sum", "sdk.go", "sdktest/sdktest.go", "shared/handshake.go"} {
		if _, ok := modes["./usr/share/netbeat/sdk/"+must]; !ok {
			t.Errorf("the SDK's files lack %s", must)
		}
	}
	tgz := readTarGz(t, paths[2])
	for _, e := range sdk {
		if _, ok := tgz["netbeat-9.3.0-linux-x86_64/sdk/"+e.name]; !ok {
			t.Errorf("tar.gz lacks sdk/%s", e.name)
		}
	}
	for _, d := range []string{"sdk/", "sdk/shared/"} {
		if h, ok := tgz["netbeat-9.3.0-linux-x86_64/"+d]; !ok || h.Typeflag != tar.TypeDir {
			t.Errorf("tar.gz lacks the directory %s", d)
		}
	}
	for name, mode := range modes {
		h, ok := data[name]
		if !ok {
			t.Errorf("deb lacks %s", name)
			continue
		}
		if h.Mode&0o7777 != mode || h.Uname != "root" {
			t.Errorf("%s: mode %o owner %s, want %o root", name, h.Mode&0o7777, h.Uname, mode)
		}
	}
}

func TestWindowsZip(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "netbeat.exe")
	os.WriteFile(bin, []byte("MZ"), 0o644)
	paths, err := run(options{kind: "windows", bin: bin, version: "9.3.0", out: dir, root: ".."})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[strings.TrimPrefix(f.Name, "netbeat-9.3.0-windows-x86_64/")] = string(b)
	}
	for _, n := range []string{"netbeat.exe", "netbeat.yml", "netbeat.reference.yml", "install-service-netbeat.ps1", "uninstall-service-netbeat.ps1"} {
		if _, ok := got[n]; !ok {
			t.Errorf("zip lacks %s", n)
		}
	}
	sdk, err := sdkFiles("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sdk {
		if _, ok := got["sdk/"+e.name]; !ok {
			t.Errorf("zip lacks sdk/%s", e.name)
		}
	}
	install := got["install-service-netbeat.ps1"]
	for _, s := range []string{"--environment=windows_service", `-c ` + "`" + `"$WorkDir\netbeat.yml`, `--path.home`, `$env:ProgramData\netbeat`, "--path.logs", "New-Service", "start= delayed-auto"} {
		if !strings.Contains(install, s) {
			t.Errorf("install-service-netbeat.ps1 lacks %q", s)
		}
	}
	if !strings.Contains(got["uninstall-service-netbeat.ps1"], "sc.exe delete netbeat") {
		t.Error("uninstall script does not delete the service")
	}
}

// readTarGz returns the headers of a .tar.gz's entries by name.
func readTarGz(t *testing.T, path string) map[string]*tar.Header {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	hs := map[string]*tar.Header{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hs
		}
		if err != nil {
			t.Fatal(err)
		}
		hs[h.Name] = h
	}
}

// readDeb returns the files of a .deb's control archive and the headers of its data archive.
func readDeb(t *testing.T, path string) (map[string][]byte, map[string]*tar.Header) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("!<arch>\n")) {
		t.Fatal("not an ar archive")
	}
	control, data := map[string][]byte{}, map[string]*tar.Header{}
	for r := b[8:]; len(r) >= 60; {
		name := strings.TrimRight(string(r[:16]), " /")
		size, err := strconv.Atoi(strings.TrimSpace(string(r[48:58])))
		if err != nil {
			t.Fatal(err)
		}
		body := r[60 : 60+size]
		r = r[60+size+size%2:]
		if !strings.HasSuffix(name, ".tar.gz") {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(name, "control") {
				control[h.Name], _ = io.ReadAll(tr)
			} else {
				data[h.Name] = h
			}
		}
	}
	return control, data
}
