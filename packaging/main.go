// Command packaging builds netbeat's release packages: .deb and .rpm (nfpm
// used as a library), .tar.gz for Linux and .zip for Windows. It is its own
// Go module so nfpm's dependencies stay out of the netbeat binary's module
// graph; `go run mage.go package` builds the binaries and runs it:
//
//	go run . -kind linux   -bin ../build/linux-amd64/netbeat  -version 9.3.0 -out ../build/distributions
//	go run . -kind windows -bin ../build/windows/netbeat.exe -version 9.3.0 -out ../build/distributions
package main

import (
	"embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// assets are the service files installed next to the binary.
//
//go:embed linux windows
var assets embed.FS

// options are the command-line flags.
type options struct {
	kind    string   // linux or windows
	bin     string   // the netbeat binary to package
	version string   // package version, e.g. 9.3.0
	out     string   // output directory
	root    string   // repository root (netbeat.reference.yml, README.md)
	formats []string // linux: deb, rpm, tar.gz
	mtime   time.Time
}

func main() {
	var o options
	var formats string
	flag.StringVar(&o.kind, "kind", "linux", "linux (deb, rpm, tar.gz) or windows (zip)")
	flag.StringVar(&o.bin, "bin", "", "netbeat binary to package (required)")
	flag.StringVar(&o.version, "version", "", "package version (required)")
	flag.StringVar(&o.out, "out", "build/distributions", "output directory")
	flag.StringVar(&o.root, "root", "..", "netbeat repository root")
	flag.StringVar(&formats, "formats", "deb,rpm,tar.gz", "linux formats to build")
	flag.Parse()
	o.formats = strings.Split(formats, ",")
	o.mtime = time.Now().UTC().Truncate(time.Second)
	paths, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "packaging:", err)
		os.Exit(1)
	}
	for _, p := range paths {
		fmt.Println(p)
	}
}

// run builds the packages of o and returns their paths.
func run(o options) ([]string, error) {
	if o.bin == "" || o.version == "" {
		return nil, fmt.Errorf("-bin and -version are required")
	}
	if _, err := os.Stat(o.bin); err != nil {
		return nil, fmt.Errorf("reading the binary failed: %w", err)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s failed: %w", o.out, err)
	}
	switch o.kind {
	case "linux":
		var paths []string
		for _, f := range o.formats {
			var p string
			var err error
			if f == "tar.gz" {
				p, err = linuxTarGz(o)
			} else {
				p, err = linuxPackage(o, f)
			}
			if err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
		return paths, nil
	case "windows":
		p, err := windowsZip(o)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	}
	return nil, fmt.Errorf("-kind %q is unknown: use linux or windows", o.kind)
}

// rootFile is a file of the repository root (netbeat.reference.yml, README.md).
func (o options) rootFile(name string) string { return filepath.Join(o.root, name) }
