package main

import (
	"sort"
	"strings"
)

// test is one test or subtest of one package.
type test struct {
	name   string
	result string   // "pass", "fail", "skip"; "" while running (never finished: counted failed)
	output []string // its own lines, without === markers
}

// sub reports a subtest (t.Run, any depth): its name holds a slash.
func (t *test) sub() bool { return strings.Contains(t.name, "/") }

// reason is a skipped test's t.Skip message: its output without the
// "--- SKIP" line, the file:line prefix kept (it says where the skip is).
func (t *test) reason() string {
	var parts []string
	for _, l := range t.output {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}

// pkg is one package of one suite (one go test -json stream).
type pkg struct {
	suite, name string
	result      string // "pass", "fail", "skip" (no test files); "" if no end event
	buildFailed bool
	elapsed     float64
	order       []string // test names in start order
	tests       map[string]*test
	output      []string // package-level lines (TestMain, panics, ok/FAIL line)
}

func newPkg(suite, name string) *pkg {
	return &pkg{suite: suite, name: name, tests: map[string]*test{}}
}

func (p *pkg) test(name string) *test {
	t := p.tests[name]
	if t == nil {
		t = &test{name: name}
		p.tests[name] = t
		p.order = append(p.order, name)
	}
	return t
}

// counts of one package, or a total: top-level tests and subtests apart.
type counts struct {
	Tests, TestsPass, TestsFail, TestsSkip int
	Subs, SubsPass, SubsFail, SubsSkip     int
}

func (c *counts) add(o counts) {
	c.Tests += o.Tests
	c.TestsPass += o.TestsPass
	c.TestsFail += o.TestsFail
	c.TestsSkip += o.TestsSkip
	c.Subs += o.Subs
	c.SubsPass += o.SubsPass
	c.SubsFail += o.SubsFail
	c.SubsSkip += o.SubsSkip
}

func (p *pkg) counts() counts {
	var c counts
	for _, name := range p.order {
		t := p.tests[name]
		run, pass, fail, skip := &c.Tests, &c.TestsPass, &c.TestsFail, &c.TestsSkip
		if t.sub() {
			run, pass, fail, skip = &c.Subs, &c.SubsPass, &c.SubsFail, &c.SubsSkip
		}
		*run++
		switch t.result {
		case "pass":
			*pass++
		case "skip":
			*skip++
		default: // "fail", or started and never finished (timeout, crash)
			*fail++
		}
	}
	return c
}

// failed: a failed build, a failed or unfinished package, or a failed test.
func (p *pkg) failed() bool {
	if p.buildFailed || p.result == "fail" || p.result == "" {
		return true
	}
	c := p.counts()
	return c.TestsFail+c.SubsFail > 0
}

// noTests: go test reported "[no test files]" (package-level skip, no test ran).
func (p *pkg) noTests() bool { return p.result == "skip" && len(p.order) == 0 }

// collector builds the packages of one or more suites from their events.
type collector struct {
	pkgs    map[string]*pkg // suite + "\x00" + package
	order   []*pkg
	stray   []string // output outside any package
	missing []string // suites whose results could not be read
}

func newCollector() *collector { return &collector{pkgs: map[string]*pkg{}} }

func (c *collector) pkg(suite, name string) *pkg {
	k := suite + "\x00" + name
	p := c.pkgs[k]
	if p == nil {
		p = newPkg(suite, name)
		c.pkgs[k] = p
		c.order = append(c.order, p)
	}
	return p
}

// add records one event of suite; it returns the test or package the event
// finished, if any, for the live printer.
func (c *collector) add(suite string, e event) (p *pkg, t *test, done bool) {
	switch e.Action {
	case "build-output":
		p = c.pkg(suite, buildPkg(e.ImportPath))
		p.output = append(p.output, e.Output)
		return p, nil, false
	case "build-fail":
		p = c.pkg(suite, buildPkg(e.ImportPath))
		p.buildFailed = true
		return p, nil, false
	}
	if e.Package == "" {
		if e.Output != "" {
			c.stray = append(c.stray, e.Output)
		}
		return nil, nil, false
	}
	p = c.pkg(suite, e.Package)
	if e.Test == "" {
		switch e.Action {
		case "output":
			p.output = append(p.output, e.Output)
		case "pass", "fail", "skip":
			// A package split over two go test processes ends twice: a
			// failure sticks, the times add up.
			if p.result == "" || p.result == "skip" || e.Action == "fail" {
				p.result = e.Action
			}
			p.elapsed += e.Elapsed
			if e.FailedBuild != "" {
				p.buildFailed = true
			}
			return p, nil, true
		}
		return p, nil, false
	}
	t = p.test(e.Test)
	switch e.Action {
	case "output":
		if !isMarker(e.Output) {
			t.output = append(t.output, e.Output)
		}
	case "pass", "fail", "skip":
		t.result = e.Action
		return p, t, true
	}
	return p, t, false
}

// sorted returns the packages by suite (first-seen order) then name.
func (c *collector) sorted() []*pkg {
	rank := map[string]int{}
	for _, p := range c.order {
		if _, ok := rank[p.suite]; !ok {
			rank[p.suite] = len(rank)
		}
	}
	out := append([]*pkg(nil), c.order...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].suite != out[j].suite {
			return rank[out[i].suite] < rank[out[j].suite]
		}
		return out[i].name < out[j].name
	})
	return out
}

// buildPkg is the package a build event is about: go test names the test
// variant, "example.com/p [example.com/p.test]".
func buildPkg(importPath string) string {
	name, _, _ := strings.Cut(importPath, " [")
	return name
}
