//go:build !integration

package main

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// aptPackages lists the packages a deps script may install (need+=(…)).
func aptPackages(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`need\+=\(([^)]*)\)`).FindAllStringSubmatch(string(b), -1) {
		out = append(out, strings.Fields(m[1])...)
	}
	sort.Strings(out)
	return out
}

// TestDemoInstallsOnlyBuildDeps: scripts/demo.sh installs what building
// netbeat needs and nothing of the test suite's (tshark, a JDK, wine, …).
func TestDemoInstallsOnlyBuildDeps(t *testing.T) {
	demo, err := os.ReadFile("scripts/demo.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(demo), "bash scripts/deps-demo.sh") || strings.Contains(string(demo), "scripts/deps.sh") {
		t.Errorf("demo.sh must run scripts/deps-demo.sh, not the test suite's scripts/deps.sh")
	}
	if got := strings.Join(aptPackages(t, "scripts/deps-demo.sh"), " "); got != "gcc libpcap-dev" {
		t.Errorf("deps-demo.sh installs %q, want only gcc libpcap-dev", got)
	}
	deps, err := os.ReadFile("scripts/deps.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(deps), "bash scripts/deps-demo.sh") {
		t.Error("deps.sh (the test suite's) must include the build deps: run scripts/deps-demo.sh")
	}
	for _, p := range []string{"tshark", "default-jdk-headless", "wine", "rpm", "dnsutils"} {
		if !contains(aptPackages(t, "scripts/deps.sh"), p) {
			t.Errorf("deps.sh no longer installs %s for the tests", p)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
