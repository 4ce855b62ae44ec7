// Package lsconf parses Logstash pipeline configurations: the grammar of
// Logstash's config language (sections input/filter/output, plugin blocks,
// `name => value` settings with strings, numbers, barewords, arrays and
// hashes, `#` comments, and if/else if/else conditionals, whose conditions
// are kept as text). It exists so that the shipped migration pipeline
// (beat/consume/logstash) is syntax-checked by a test without Logstash;
// it does not evaluate anything.
package lsconf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrSyntax is returned (wrapped, with the line) for text Logstash's
// grammar does not accept.
var ErrSyntax = errors.New("logstash config syntax error")

// Config is a parsed pipeline: its sections in order.
type Config struct{ Sections []Section }

// Section is input, filter or output.
type Section struct {
	Kind    string
	Plugins []Plugin // plugins of the section, conditionals' branches flattened in order
}

// Plugin is one plugin block.
type Plugin struct {
	Name     string
	Settings []Setting
	Line     int
}

// Setting is `name => value`; Value is a string, float64, []any or
// map[string]any (bareword values are strings).
type Setting struct {
	Name  string
	Value any
}

// Get returns the value of the last setting called name.
func (p *Plugin) Get(name string) (any, bool) {
	for i := len(p.Settings) - 1; i >= 0; i-- {
		if p.Settings[i].Name == name {
			return p.Settings[i].Value, true
		}
	}
	return nil, false
}

type parser struct {
	s    string
	i    int
	line int
}

// Parse parses a pipeline configuration.
func Parse(text string) (*Config, error) {
	p := &parser{s: text, line: 1}
	c := &Config{}
	for {
		p.space()
		if p.i >= len(p.s) {
			break
		}
		kind := p.word()
		if kind != "input" && kind != "filter" && kind != "output" {
			return nil, p.errf("expected input, filter or output, found %q", kind)
		}
		sec := Section{Kind: kind}
		if err := p.block(&sec.Plugins); err != nil {
			return nil, err
		}
		c.Sections = append(c.Sections, sec)
	}
	if len(c.Sections) == 0 {
		return nil, p.errf("no section: a pipeline needs input and output")
	}
	return c, nil
}

func (p *parser) errf(format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrSyntax, p.line, fmt.Sprintf(format, args...))
}

// space skips whitespace and comments.
func (p *parser) space() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '\n':
			p.line++
			p.i++
		case c == ' ' || c == '\t' || c == '\r':
			p.i++
		case c == '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '@'
}

func (p *parser) word() string {
	start := p.i
	for p.i < len(p.s) && isWord(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *parser) expect(c byte) error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return p.errf("expected %q", c)
	}
	p.i++
	return nil
}

// block reads `{ plugin* }` (with conditionals) into plugins.
func (p *parser) block(plugins *[]Plugin) error {
	if err := p.expect('{'); err != nil {
		return err
	}
	for {
		p.space()
		if p.i >= len(p.s) {
			return p.errf("missing }")
		}
		if p.s[p.i] == '}' {
			p.i++
			return nil
		}
		line := p.line
		name := p.word()
		if name == "" {
			return p.errf("expected a plugin name, found %q", p.s[p.i])
		}
		if name == "if" || name == "else" {
			if err := p.conditional(name, plugins); err != nil {
				return err
			}
			continue
		}
		pl := Plugin{Name: name, Line: line}
		if err := p.settings(&pl); err != nil {
			return err
		}
		*plugins = append(*plugins, pl)
	}
}

// conditional reads the rest of `if COND {…}`, `else if COND {…}` or
// `else {…}`; the condition's text is not checked beyond its brackets and
// quotes.
func (p *parser) conditional(kw string, plugins *[]Plugin) error {
	p.space()
	if kw == "else" {
		save, line := p.i, p.line
		if p.word() != "if" {
			p.i, p.line = save, line
			return p.block(plugins)
		}
	}
	depth := 0
	for p.i < len(p.s) {
		switch c := p.s[p.i]; c {
		case '{':
			if depth == 0 {
				return p.block(plugins)
			}
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case '"', '\'':
			if _, err := p.str(); err != nil {
				return err
			}
			continue
		case '\n':
			p.line++
		}
		p.i++
	}
	return p.errf("a condition without a block")
}

// settings reads `{ name => value … }`.
func (p *parser) settings(pl *Plugin) error {
	if err := p.expect('{'); err != nil {
		return err
	}
	for {
		p.space()
		if p.i >= len(p.s) {
			return p.errf("missing } after the settings of %s", pl.Name)
		}
		if p.s[p.i] == '}' {
			p.i++
			return nil
		}
		var name string
		if p.s[p.i] == '"' || p.s[p.i] == '\'' {
			s, err := p.str()
			if err != nil {
				return err
			}
			name = s
		} else if name = p.word(); name == "" {
			return p.errf("expected a setting name in %s, found %q", pl.Name, p.s[p.i])
		}
		p.space()
		if !strings.HasPrefix(p.s[p.i:], "=>") {
			return p.errf("expected => after %s", name)
		}
		p.i += 2
		v, err := p.value()
		if err != nil {
			return err
		}
		pl.Settings = append(pl.Settings, Setting{Name: name, Value: v})
	}
}

func (p *parser) value() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, p.errf("missing value")
	}
	switch c := p.s[p.i]; {
	case c == '"' || c == '\'':
		return p.str()
	case c == '[':
		p.i++
		var a []any
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				return a, nil
			}
			if len(a) > 0 {
				if err := p.expect(','); err != nil {
					return nil, err
				}
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case c == '{':
		p.i++
		m := map[string]any{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return m, nil
			}
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, p.errf("a hash key must be a string or a bareword")
			}
			p.space()
			if !strings.HasPrefix(p.s[p.i:], "=>") {
				return nil, p.errf("expected => after hash key %s", ks)
			}
			p.i += 2
			if m[ks], err = p.value(); err != nil {
				return nil, err
			}
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		p.i++
		for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '.') {
			p.i++
		}
		f, err := strconv.ParseFloat(p.s[start:p.i], 64)
		if err != nil {
			return nil, p.errf("bad number %q", p.s[start:p.i])
		}
		return f, nil
	default:
		if w := p.word(); w != "" {
			return w, nil
		}
		return nil, p.errf("unexpected %q", c)
	}
}

// str reads a double- or single-quoted string; a backslash keeps the next
// character (a quote) inside, and both stay in the value.
func (p *parser) str() (string, error) {
	q := p.s[p.i]
	var b strings.Builder
	for j := p.i + 1; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '\\' && j+1 < len(p.s): // kept as written (Logstash's default, config.support_escapes: false)
			b.WriteByte(c)
			b.WriteByte(p.s[j+1])
			j++
		case c == q:
			p.i = j + 1
			return b.String(), nil
		default:
			if c == '\n' {
				p.line++
			}
			b.WriteByte(c)
		}
	}
	return "", p.errf("unterminated string")
}
