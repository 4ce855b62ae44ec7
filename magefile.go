//go:build mage

// Build, test and generate netbeat. Run targets with `go run mage.go <target>`.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/elastic/beats/v7/libbeat/version"
	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"
)

// Default target: build.
var Default = Build

// Build compiles ./netbeat for this machine (cgo: AF_PACKET and libpcap).
func Build() error {
	return sh.RunV("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", binName(runtime.GOOS), ".")
}

// BuildWindows cross-compiles build/windows/netbeat.exe (Npcap, no cgo).
func BuildWindows() error {
	env := map[string]string{"GOOS": "windows", "GOARCH": "amd64", "CGO_ENABLED": "0"}
	return sh.RunWithV(env, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join("build", "windows", "netbeat.exe"), ".")
}

// BuildStatic builds a CGO_ENABLED=0 Linux binary (files only: no af_packet,
// pcap or BPF filters) into build/linux-nocgo/netbeat.
func BuildStatic() error {
	env := map[string]string{"CGO_ENABLED": "0"}
	return sh.RunWithV(env, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join("build", "linux-nocgo", "netbeat"), ".")
}

func binName(goos string) string {
	if goos == "windows" {
		return "netbeat.exe"
	}
	return "netbeat"
}

// Test runs every test: unit, then integration against a real Kafka broker
// and the packaging tests, and prints a per-package summary (the README's
// test command, scripts/test.sh; installs packages, needs root).
func Test() error { return sh.RunV("bash", "scripts/test.sh") }

// Unit runs the unit tests only (no root, no broker).
func Unit() error { return sh.RunV("go", "test", "-count=1", "./...") }

// Demo runs netbeat on the bundled capture with console output.
func Demo() error { return sh.RunV("bash", "scripts/demo.sh") }

// Update regenerates fields.yml, netbeat.yml and netbeat.reference.yml.
func Update() {
	mg.SerialDeps(Fields, Config)
}

// Fields assembles beat/include/fields.yml from libbeat and _meta/ files.
func Fields() error { return sh.RunV("go", "run", "./tools/genfields") }

// Config renders netbeat.yml and netbeat.reference.yml from _meta/config.
func Config() error { return sh.RunV("go", "run", "./tools/genconfig") }

// Check fails when generated files are stale or go vet complains about the
// unit or the integration build (what scripts/test.sh checks first).
func Check() error {
	for _, args := range [][]string{
		{"run", "./tools/genfields", "-check"},
		{"run", "./tools/genconfig", "-check"},
		{"vet", "./..."},
		{"vet", "-tags", "integration", "./..."},
	} {
		if err := sh.RunV("go", args...); err != nil {
			return err
		}
	}
	return nil
}

// Aliases keeps `mage bench` (issue #6) next to the bench: namespace.
var Aliases = map[string]interface{}{"bench": Bench.Go}

// Bench groups the benchmarks recorded in BENCHMARKS.md.
type Bench mg.Namespace

// Go runs the Go benchmarks of the data path (`mage bench` is this target).
func (Bench) Go() error {
	return sh.RunV("go", "test", "-run", "^$", "-bench", ".", "-benchmem", "./beat/...")
}

// Compare runs netbeat vs packetbeat vs tshark on one capture
// (scripts/compare/compare.sh; RUNS, PCAP, KAFKA=1, ONLY: see the script).
func (Bench) Compare() error { return sh.RunV("bash", "scripts/compare/compare.sh") }

// Memflows is the flow-table memory test: 100k and 1M concurrent flows
// (scripts/compare/memflows.sh).
func (Bench) Memflows() error { return sh.RunV("bash", "scripts/compare/memflows.sh") }

// Liverate replays a capture into a veth pair at rising rates and reports the
// highest rate netbeat captures without drops (scripts/compare/liverate.sh, root).
func (Bench) Liverate() error { return sh.RunV("bash", "scripts/compare/liverate.sh") }

// Fuzz runs each decoder fuzz target for FUZZTIME (default 5m).
func Fuzz() error {
	t := os.Getenv("FUZZTIME")
	if t == "" {
		t = "5m"
	}
	for _, f := range [][2]string{
		{"./beat/decode", "FuzzDecode"}, {"./beat/event", "FuzzPacketEvent"}, {"./beat/capture", "FuzzFileSource"},
	} {
		fmt.Println(">> fuzzing", f[1], "for", t)
		if err := sh.RunV("go", "test", f[0], "-run", "^$", "-fuzz", f[1], "-fuzztime", t); err != nil {
			return err
		}
	}
	return nil
}

// ---- packaging (issue #6): see packaging/README.md ----

// Package builds build/distributions/: netbeat .deb, .rpm and .tar.gz for
// linux/amd64 and a .zip for windows/amd64 (VERSION overrides the version;
// PACKAGES=deb,rpm,tar.gz,zip picks formats).
func Package() error {
	want := map[string]bool{}
	for _, f := range strings.Split(envOr("PACKAGES", "deb,rpm,tar.gz,zip"), ",") {
		want[strings.TrimSpace(f)] = true
	}
	var linux []string
	for _, f := range []string{"deb", "rpm", "tar.gz"} {
		if want[f] {
			linux = append(linux, f)
		}
	}
	if len(linux) > 0 {
		if err := buildLinuxAmd64(); err != nil {
			return err
		}
		if err := runPackaging("-kind", "linux", "-bin", "../build/linux-amd64/netbeat", "-formats", strings.Join(linux, ",")); err != nil {
			return err
		}
	}
	if want["zip"] {
		if err := BuildWindows(); err != nil {
			return err
		}
		return runPackaging("-kind", "windows", "-bin", "../build/windows/netbeat.exe")
	}
	return nil
}

// buildLinuxAmd64 builds build/linux-amd64/netbeat with cgo (AF_PACKET, libpcap).
func buildLinuxAmd64() error {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return fmt.Errorf("the linux/amd64 packages need a linux/amd64 host (cgo, libpcap-dev)")
	}
	env := map[string]string{"CGO_ENABLED": "1"}
	return sh.RunWithV(env, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join("build", "linux-amd64", "netbeat"), ".")
}

// runPackaging runs the packaging module (its own go.mod: nfpm stays out of netbeat's).
func runPackaging(args ...string) error {
	args = append([]string{"run", ".", "-version", packageVersion(), "-out", "../build/distributions", "-root", ".."}, args...)
	cmd := exec.Command("go", args...)
	cmd.Dir = "packaging"
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	fmt.Println("exec: go", strings.Join(args, " "), "(in packaging/)")
	return cmd.Run()
}

// packageVersion is $VERSION or libbeat's version (what `netbeat version` prints).
func packageVersion() string { return envOr("VERSION", version.GetDefaultVersion()) }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Plugins builds every main package `go list ./plugins/...` reports (except
// plugins/internal/ tools) into build/plugins/<dir>; none is not an error.
func Plugins() error {
	out, err := sh.Output("go", "list", "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{end}}`, "./plugins/...")
	if err != nil {
		return err
	}
	const prefix = "github.com/netbeat/netbeat/plugins/"
	var built int
	for _, pkg := range strings.Fields(out) {
		rel := strings.TrimPrefix(pkg, prefix)
		if strings.HasPrefix(rel, "internal/") || strings.Contains(rel, "/internal/") {
			continue
		}
		name := strings.ReplaceAll(rel, "/", "-")
		if err := sh.RunV("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join("build", "plugins", name+binExt()), pkg); err != nil {
			return err
		}
		built++
	}
	if built == 0 {
		fmt.Println("plugins: no plugin main packages under ./plugins (built-ins run inside netbeat); nothing to build")
	}
	return nil
}

func binExt() string {
	if os.Getenv("GOOS") == "windows" || (os.Getenv("GOOS") == "" && runtime.GOOS == "windows") {
		return ".exe"
	}
	return ""
}

// PackageTest runs the packaging integration tests (root, dpkg, systemd-analyze,
// rpm, wine): scripts/package-test.sh.
func PackageTest() error { return sh.RunV("bash", "scripts/package-test.sh") }
