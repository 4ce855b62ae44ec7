package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
	_ "github.com/goreleaser/nfpm/v2/rpm" // registers the rpm packager
)

// Installed paths; the systemd unit, /usr/bin/netbeat and postinstall.sh use the same.
const (
	homeDir   = "/usr/share/netbeat"
	configDir = "/etc/netbeat"
	unitPath  = "/usr/lib/systemd/system/netbeat.service"
)

// linuxInfo describes the deb/rpm package. Script and asset paths are
// written to a temporary directory because nfpm reads them from disk.
func linuxInfo(o options, assetDir string) *nfpm.Info {
	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: src, Destination: dst,
			FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode, MTime: o.mtime}}
	}
	asset := func(name string) string { return filepath.Join(assetDir, name) }
	conf := file(asset("netbeat.yml"), configDir+"/netbeat.yml", 0o640)
	conf.Type = files.TypeConfigNoReplace // deb conffile; rpm %config(noreplace)
	info := &nfpm.Info{
		Name:        "netbeat",
		Arch:        "amd64",
		Platform:    "linux",
		Version:     o.version,
		Release:     "1",
		Section:     "net",
		Priority:    "optional",
		Maintainer:  "netbeat developers <netbeat@localhost>",
		Vendor:      "netbeat",
		Homepage:    "https://github.com/netbeat/netbeat",
		Description: "Packet capture shipper on libbeat: packets and flows as ECS events.",
		MTime:       o.mtime,
		Overridables: nfpm.Overridables{
			Contents: files.Contents{
				file(o.bin, homeDir+"/bin/netbeat", 0o755),
				file(asset("netbeat.sh"), "/usr/bin/netbeat", 0o755),
				file(asset("netbeat.service"), unitPath, 0o644),
				conf,
				file(o.rootFile("netbeat.reference.yml"), configDir+"/netbeat.reference.yml", 0o640),
				file(o.rootFile("README.md"), homeDir+"/README.md", 0o644),
				{Destination: configDir, Type: files.TypeDir,
					FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: 0o750, MTime: o.mtime}},
			},
			Scripts: nfpm.Scripts{
				PostInstall: asset("postinstall.sh"),
				PreRemove:   asset("preremove.sh"),
				PostRemove:  asset("postremove.sh"),
			},
			RPM: nfpm.RPM{Group: "System Environment/Daemons", Summary: "netbeat packet capture shipper"},
		},
	}
	return nfpm.WithDefaults(info)
}

// linuxPackage writes the deb or rpm package and returns its path.
func linuxPackage(o options, format string) (string, error) {
	pkgr, err := nfpm.Get(format)
	if err != nil {
		return "", fmt.Errorf("format %q: %w", format, err)
	}
	dir, err := os.MkdirTemp("", "netbeat-pkg-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	if err := extractAssets("linux", dir); err != nil {
		return "", err
	}
	info := linuxInfo(o, dir)
	sdk, err := sdkFiles(o.root)
	if err != nil {
		return "", err
	}
	for _, e := range sdk {
		info.Contents = append(info.Contents, &files.Content{Source: e.src, Destination: homeDir + "/sdk/" + e.name,
			FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: e.mode, MTime: o.mtime}})
	}
	info.Depends = libpcapDepends(format)
	if err := nfpm.Validate(info); err != nil {
		return "", fmt.Errorf("validating the %s package failed: %w", format, err)
	}
	path := filepath.Join(o.out, pkgr.ConventionalFileName(info))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := pkgr.Package(info, f); err != nil {
		f.Close()
		return "", fmt.Errorf("building the %s package failed: %w", format, err)
	}
	return path, f.Close()
}

// libpcapDepends names the libpcap runtime package the cgo binary links.
func libpcapDepends(format string) []string {
	if format == "rpm" {
		return []string{"libpcap"}
	}
	return []string{"libpcap0.8"}
}

// extractAssets copies the embedded assets/<kind> files into dir.
func extractAssets(kind, dir string) error {
	ents, err := assets.ReadDir(kind)
	if err != nil {
		return err
	}
	for _, e := range ents {
		b, err := assets.ReadFile(kind + "/" + e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
