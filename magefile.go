//go:build mage

// Build, test and generate netbeat. Run targets with `go run mage.go <target>`.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

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
// (the README's test command; installs packages, needs root).
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

// Check fails when generated files are stale or go vet complains.
func Check() error {
	for _, args := range [][]string{
		{"run", "./tools/genfields", "-check"},
		{"run", "./tools/genconfig", "-check"},
		{"vet", "./..."},
	} {
		if err := sh.RunV("go", args...); err != nil {
			return err
		}
	}
	return nil
}

// Bench runs the Go benchmarks of the data path (see BENCHMARKS.md).
func Bench() error {
	return sh.RunV("go", "test", "-run", "^$", "-bench", ".", "-benchmem", "./beat/...")
}

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
