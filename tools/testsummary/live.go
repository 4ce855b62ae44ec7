package main

import (
	"fmt"
	"io"
	"strings"
)

// live prints a stream the way plain `go test` does, plus the skips: the
// ok/FAIL line of each package, the whole output of each failed test, of a
// failed package (panics, TestMain, build errors) and of tests that never
// finished, and one "--- SKIP" line with its reason per skipped test.
type live struct {
	w     io.Writer
	suite string
	c     *collector
}

func (l *live) event(e event) {
	p, t, done := l.c.add(l.suite, e)
	if p == nil {
		if e.Output != "" {
			fmt.Fprint(l.w, e.Output)
		}
		return
	}
	if !done {
		return
	}
	if t != nil {
		switch t.result {
		case "fail":
			fmt.Fprint(l.w, strings.Join(t.output, ""))
		case "skip":
			fmt.Fprintf(l.w, "--- SKIP: %s %s: %s\n", p.name, t.name, t.reason())
		}
		return
	}
	if !p.failed() {
		for _, s := range p.output {
			if strings.HasPrefix(s, "ok") || strings.HasPrefix(s, "?") {
				fmt.Fprint(l.w, s)
			}
		}
		return
	}
	for _, name := range p.order {
		if t := p.tests[name]; t.result == "" {
			fmt.Fprintf(l.w, "--- DID NOT FINISH: %s\n%s", name, strings.Join(t.output, ""))
		}
	}
	for _, s := range p.output {
		if s != "PASS\n" {
			fmt.Fprint(l.w, s)
		}
	}
}
