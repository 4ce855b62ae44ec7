package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"os"
	"path"
	"path/filepath"
)

// entry is one file of a .tar.gz or .zip: its name inside the top folder,
// where its bytes come from and its mode.
type entry struct {
	name string
	src  string // a file on disk, or
	data []byte // embedded bytes
	mode os.FileMode
}

func (e entry) read() ([]byte, error) {
	if e.data != nil {
		return e.data, nil
	}
	return os.ReadFile(e.src)
}

func asset(kind, name string) []byte {
	b, err := assets.ReadFile(kind + "/" + name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

// linuxTarGz writes netbeat-<v>-linux-x86_64.tar.gz: the binary, the service
// config, the reference config, the systemd unit (for reference), the README
// and the plugin SDK's source (sdk/).
func linuxTarGz(o options) (string, error) {
	top := fmt.Sprintf("netbeat-%s-linux-x86_64", o.version)
	es := []entry{
		{name: "netbeat", src: o.bin, mode: 0o755},
		{name: "netbeat.yml", data: asset("linux", "netbeat.yml"), mode: 0o640},
		{name: "netbeat.reference.yml", src: o.rootFile("netbeat.reference.yml"), mode: 0o640},
		{name: "netbeat.service", data: asset("linux", "netbeat.service"), mode: 0o644},
		{name: "README.md", src: o.rootFile("README.md"), mode: 0o644},
	}
	es, err := withSDK(o, es)
	if err != nil {
		return "", err
	}
	out := filepath.Join(o.out, top+".tar.gz")
	f, err := os.Create(out)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: top + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: o.mtime}); err != nil {
		return "", err
	}
	dirs := map[string]bool{}
	for _, e := range es {
		b, err := e.read()
		if err != nil {
			return "", fmt.Errorf("adding %s failed: %w", e.name, err)
		}
		if err := tarDirs(tw, top, path.Dir(e.name), dirs, o); err != nil {
			return "", err
		}
		h := &tar.Header{Name: top + "/" + e.name, Mode: int64(e.mode), Size: int64(len(b)), ModTime: o.mtime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			return "", err
		}
		if _, err := tw.Write(b); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if err := gz.Close(); err != nil {
		return "", err
	}
	return out, f.Close()
}

// tarDirs writes the headers of dir and its parents (names inside top)
// that are not written yet.
func tarDirs(tw *tar.Writer, top, dir string, done map[string]bool, o options) error {
	if dir == "." || done[dir] {
		return nil
	}
	if err := tarDirs(tw, top, path.Dir(dir), done, o); err != nil {
		return err
	}
	done[dir] = true
	return tw.WriteHeader(&tar.Header{Name: top + "/" + dir + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: o.mtime})
}

// windowsZip writes netbeat-<v>-windows-x86_64.zip following the Beats
// layout: netbeat.exe, netbeat.yml, the reference config and the
// install/uninstall service scripts in one folder, and the plugin SDK's
// source (sdk/).
func windowsZip(o options) (string, error) {
	top := fmt.Sprintf("netbeat-%s-windows-x86_64", o.version)
	es := []entry{
		{name: "netbeat.exe", src: o.bin, mode: 0o755},
		{name: "netbeat.yml", data: asset("windows", "netbeat.yml"), mode: 0o644},
		{name: "netbeat.reference.yml", src: o.rootFile("netbeat.reference.yml"), mode: 0o644},
		{name: "install-service-netbeat.ps1", data: asset("windows", "install-service-netbeat.ps1"), mode: 0o644},
		{name: "uninstall-service-netbeat.ps1", data: asset("windows", "uninstall-service-netbeat.ps1"), mode: 0o644},
		{name: "README.md", src: o.rootFile("README.md"), mode: 0o644},
	}
	es, err := withSDK(o, es)
	if err != nil {
		return "", err
	}
	path := filepath.Join(o.out, top+".zip")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range es {
		b, err := e.read()
		if err != nil {
			return "", fmt.Errorf("adding %s failed: %w", e.name, err)
		}
		h := &zip.FileHeader{Name: top + "/" + e.name, Method: zip.Deflate, Modified: o.mtime}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return "", err
		}
		if _, err := w.Write(b); err != nil {
			return "", err
		}
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return path, f.Close()
}
