package main

import (
	"fmt"
	"io"
	"strings"
)

// report prints the summary table (one row per suite and package with tests,
// a total row), then every skipped test with its reason, every failure, and
// the packages without test files. It returns whether anything failed.
func report(w io.Writer, c *collector, trim string) (failed bool) {
	short := func(name string) string {
		if name == strings.TrimSuffix(trim, "/") {
			return "."
		}
		return strings.TrimPrefix(name, trim)
	}
	pkgs := c.sorted()
	width := len("999 packages")
	for _, p := range pkgs {
		width = max(width, len(short(p.name)))
	}
	fmt.Fprintln(w, "== test summary: \"tests\" counts top-level Test/Example/Fuzz functions; \"subs\" counts t.Run")
	fmt.Fprintln(w, "   subtests at any depth, each once (a test with subtests is also counted in \"tests\")")
	head := fmt.Sprintf("%-11s %-*s %5s %5s %5s %5s | %5s %5s %5s %5s | %8s", "suite", width, "package",
		"tests", "pass", "fail", "skip", "subs", "pass", "fail", "skip", "time")
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, strings.Repeat("-", len(head)))
	var total counts
	var skips, fails, empty []string
	var npkg int
	for _, p := range pkgs {
		if p.noTests() {
			empty = append(empty, p.suite+" "+short(p.name))
			continue
		}
		npkg++
		n := p.counts()
		total.add(n)
		mark := ""
		if p.failed() {
			failed = true
			mark = "  FAIL"
			fails = append(fails, p.failures(short)...)
		}
		fmt.Fprintf(w, "%-11s %-*s %5d %5d %5d %5d | %5d %5d %5d %5d | %7.1fs%s\n", p.suite, width, short(p.name),
			n.Tests, n.TestsPass, n.TestsFail, n.TestsSkip, n.Subs, n.SubsPass, n.SubsFail, n.SubsSkip, p.elapsed, mark)
		for _, name := range p.order {
			if t := p.tests[name]; t.result == "skip" {
				skips = append(skips, fmt.Sprintf("%s %s %s: %s", p.suite, short(p.name), name, t.reason()))
			}
		}
	}
	fmt.Fprintln(w, strings.Repeat("-", len(head)))
	fmt.Fprintf(w, "%-11s %-*s %5d %5d %5d %5d | %5d %5d %5d %5d |\n", "TOTAL", width, fmt.Sprintf("%d packages", npkg),
		total.Tests, total.TestsPass, total.TestsFail, total.TestsSkip, total.Subs, total.SubsPass, total.SubsFail, total.SubsSkip)
	fmt.Fprintf(w, "skipped (%d):\n", len(skips))
	for _, s := range skips {
		fmt.Fprintln(w, "  "+s)
	}
	if len(empty) > 0 {
		fmt.Fprintf(w, "packages without test files (%d): %s\n", len(empty), strings.Join(empty, ", "))
	}
	if len(c.stray) > 0 {
		fmt.Fprintf(w, "output outside any package (%d lines):\n%s", len(c.stray), strings.Join(c.stray, ""))
	}
	for _, m := range c.missing {
		failed = true
		fails = append(fails, "no results for suite "+m)
	}
	if failed {
		fmt.Fprintf(w, "FAILED (%d):\n", len(fails))
		for _, s := range fails {
			fmt.Fprintln(w, "  "+s)
		}
	}
	return failed
}

// failures names what failed in p: its failed or unfinished tests, or the
// package itself (build failure, crash outside a test, no end event).
func (p *pkg) failures(short func(string) string) []string {
	var out []string
	for _, name := range p.order {
		switch p.tests[name].result {
		case "fail":
			out = append(out, fmt.Sprintf("%s %s %s", p.suite, short(p.name), name))
		case "":
			out = append(out, fmt.Sprintf("%s %s %s (did not finish)", p.suite, short(p.name), name))
		}
	}
	switch {
	case p.buildFailed:
		out = append(out, fmt.Sprintf("%s %s (build failed)", p.suite, short(p.name)))
	case p.result == "":
		out = append(out, fmt.Sprintf("%s %s (no result: go test was interrupted)", p.suite, short(p.name)))
	case len(out) == 0:
		out = append(out, fmt.Sprintf("%s %s (package failed outside any test)", p.suite, short(p.name)))
	}
	return out
}
