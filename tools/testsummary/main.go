// Command testsummary reads `go test -json` output and prints what plain
// `go test` prints plus every skip (-live), or a per-package table of tests
// run, passed, failed and skipped with every skip's reason (the default).
// scripts/test.sh uses both; see README.md.
//
//	go test -json ./... | testsummary -live -suite unit -o unit.json
//	testsummary -trim github.com/netbeat/netbeat/ unit=unit.json integration=it.json
//
// The exit status is 1 when a test, a package or a build failed, a package
// never reported its end, or a suite's file is missing or holds no package
// (the table is still printed); 2 on a usage error.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("testsummary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	liveMode := fs.Bool("live", false, "read go test -json on stdin and print it like plain go test, plus skips")
	suite := fs.String("suite", "tests", "with -live: the suite name of the stream")
	out := fs.String("o", "", "with -live: also save the raw JSON stream to this file")
	trim := fs.String("trim", "", "import path prefix left out of package names in the table")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *liveMode {
		return liveRun(stdin, stdout, stderr, *suite, *out)
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "testsummary: want suite=file.json arguments (or -live)")
		return 2
	}
	c := newCollector()
	for _, a := range fs.Args() {
		name, path, ok := strings.Cut(a, "=")
		if !ok {
			name, path = "tests", a
		}
		if err := load(c, name, path); err != nil {
			c.missing = append(c.missing, fmt.Sprintf("%s: %v", name, err))
		}
	}
	if report(stdout, c, *trim) {
		return 1
	}
	return 0
}

func liveRun(stdin io.Reader, stdout, stderr io.Writer, suite, out string) int {
	in := stdin
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			fmt.Fprintf(stderr, "testsummary: %v\n", err)
			return 2
		}
		defer f.Close()
		in = io.TeeReader(stdin, f)
	}
	l := &live{w: stdout, suite: suite, c: newCollector()}
	if err := readEvents(in, l.event); err != nil {
		fmt.Fprintf(stderr, "testsummary: %v\n", err)
		return 2
	}
	for _, p := range l.c.order {
		if p.failed() {
			return 1
		}
	}
	return 0
}

// load adds the events of one suite's file to c; a file without any package
// is an error: a suite that did not run must not look green.
func load(c *collector, suite, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var pkgs int
	if err := readEvents(bytes.NewReader(b), func(e event) {
		if p, _, _ := c.add(suite, e); p != nil {
			pkgs++
		}
	}); err != nil {
		return err
	}
	if pkgs == 0 {
		return fmt.Errorf("%s holds no go test -json package result: did the suite run?", path)
	}
	return nil
}
