//go:build !integration

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures are real `go test -json` output of testdata/src (see
// README.md): good passes with skips; bad fails a test and a subtest; broken
// does not compile; crash panics; hang times out; empty has no tests.

func fixture(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCounts(t *testing.T) {
	c := newCollector()
	f, err := os.Open(fixture(t, "mixed.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := readEvents(f, func(e event) { c.add("unit", e) }); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		n       counts
		failed  bool
		noTests bool
	}{
		"good":   {counts{4, 3, 0, 1, 5, 4, 0, 1}, false, false},
		"bad":    {counts{3, 1, 2, 0, 2, 1, 1, 0}, true, false},
		"broken": {counts{}, true, false},
		"crash":  {counts{2, 1, 1, 0, 0, 0, 0, 0}, true, false},
		"hang":   {counts{2, 1, 1, 0, 0, 0, 0, 0}, true, false},
		"empty":  {counts{}, false, true},
	}
	if len(c.order) != len(want) {
		t.Fatalf("got %d packages, want %d", len(c.order), len(want))
	}
	for _, p := range c.order {
		name := strings.TrimPrefix(p.name, "example.com/fx/")
		w, ok := want[name]
		if !ok {
			t.Fatalf("unexpected package %s", p.name)
		}
		if got := p.counts(); got != w.n {
			t.Errorf("%s: counts %+v, want %+v", name, got, w.n)
		}
		if p.failed() != w.failed || p.noTests() != w.noTests {
			t.Errorf("%s: failed=%v noTests=%v, want %v %v", name, p.failed(), p.noTests(), w.failed, w.noTests)
		}
	}
	if !c.pkg("unit", "example.com/fx/broken").buildFailed {
		t.Error("broken: build failure not recorded")
	}
}

func TestSummaryTable(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-trim", "example.com/fx/", "unit=" + fixture(t, "mixed.json"), "it=" + fixture(t, "good.json")}, nil, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (failures); stderr: %s", code, errOut.String())
	}
	s := out.String()
	for _, want := range []string{
		"unit        bad              3     1     2     0 |     2     1     1     0 |",
		"it          good             4     3     0     1 |     5     4     0     1 |",
		"TOTAL       6 packages      15     9     4     2 |    12     9     1     2 |",
		"skipped (4):",
		"  unit good TestTable/c: good_test.go:9: needs tshark, not installed",
		"  it good TestSkipped: good_test.go:19: needs root (uid 1000)",
		"packages without test files (1): unit empty",
		"  unit bad TestSubFails/broken\n",
		"  unit broken (build failed)\n",
		"  unit crash TestPanics\n",
		"  unit hang TestHangs (did not finish)\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestSummaryPasses(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{fixture(t, "good.json")}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d for a passing run, want 0:\n%s%s", code, out.String(), errOut.String())
	}
	if strings.Contains(out.String(), "FAIL") {
		t.Errorf("a passing run's summary says FAIL:\n%s", out.String())
	}
}

// An empty or missing suite fails the summary, which still prints the others.
func TestSummaryMissingSuite(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.json")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"unit=" + empty, "it=" + filepath.Join(t.TempDir(), "absent.json"), "good=" + fixture(t, "good.json")}, nil, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d for an empty and a missing suite, want 1", code)
	}
	for _, want := range []string{"good        example.com/fx/good ", "no results for suite unit: ", "holds no go test -json package result", "no results for suite it: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestLive(t *testing.T) {
	in, err := os.ReadFile(fixture(t, "mixed.json"))
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "saved.json")
	var out, errOut bytes.Buffer
	if code := run([]string{"-live", "-suite", "unit", "-o", saved}, bytes.NewReader(in), &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, errOut.String())
	}
	s := out.String()
	for _, want := range []string{
		"bad_test.go:9: got 3 events, want 4\n--- FAIL: TestSubFails/broken",
		"bad_test.go:12: broker unreachable\n--- FAIL: TestFatal",
		"FAIL\texample.com/fx/bad\t",
		`cannot use "not an int"`,
		"panic: assignment to entry in nil map",
		"--- DID NOT FINISH: TestHangs\n    hang_test.go:10: waiting for the broker\n",
		"panic: test timed out after 3s",
		"--- SKIP: example.com/fx/good TestTable/c: good_test.go:9: needs tshark, not installed\n",
		"ok  \texample.com/fx/good\t",
		"?   \texample.com/fx/empty\t[no test files]",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("live output lacks %q:\n%s", want, s)
		}
	}
	for _, not := range []string{"a log line of a passing test", "=== RUN"} {
		if strings.Contains(s, not) {
			t.Errorf("live output has %q (plain go test hides it):\n%s", not, s)
		}
	}
	if b, err := os.ReadFile(saved); err != nil || !bytes.Equal(b, in) {
		t.Errorf("-o saved %d bytes (err %v), want the %d input bytes", len(b), err, len(in))
	}
}

// A package run in two processes (go test -run X and -skip X) is one row:
// its tests add up, and a failure of either process sticks.
func TestSplitPackage(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	crashed := write("a.json", `{"Action":"start","Package":"m/p"}
{"Action":"output","Package":"m/p","Output":"panic in TestMain\n"}
{"Action":"fail","Package":"m/p","Elapsed":1.5}
`)
	passed := write("b.json", `{"Action":"start","Package":"m/p"}
{"Action":"run","Package":"m/p","Test":"TestX"}
{"Action":"pass","Package":"m/p","Test":"TestX","Elapsed":2}
{"Action":"pass","Package":"m/p","Elapsed":2.5}
`)
	var out, errOut bytes.Buffer
	if code := run([]string{"-trim", "m/", "it=" + crashed, "it=" + passed}, nil, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1 (one process failed):\n%s", code, out.String())
	}
	for _, want := range []string{"it          p                1     1     0     0 |     0     0     0     0 |     4.0s  FAIL", "  it p (package failed outside any test)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	other := write("c.json", `{"Action":"start","Package":"m/p"}
{"Action":"run","Package":"m/p","Test":"TestY"}
{"Action":"skip","Package":"m/p","Test":"TestY","Elapsed":0}
{"Action":"pass","Package":"m/p","Elapsed":0.5}
`)
	out.Reset()
	if code := run([]string{"-trim", "m/", "it=" + passed, "it=" + other}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d for two passing halves, want 0:\n%s", code, out.String())
	}
	if want := "it          p                2     1     0     1 |     0     0     0     0 |     3.0s\n"; !strings.Contains(out.String(), want) {
		t.Errorf("two halves of p do not add up to %q:\n%s", want, out.String())
	}
}
