package iprep

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// list is one loaded block list.
type list struct {
	cfg      ListConfig
	ips      map[netip.Addr]bool
	prefixes map[int]map[netip.Prefix]bool // by prefix length
	domains  map[string]bool
	starts   []netip.Addr // every listed address and prefix start, sorted (hasEntryIn)
	mtime    time.Time
	size     int64
}

func baseName(p string) string {
	b := filepath.Base(p)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

func load(c ListConfig) (*list, error) {
	st, err := os.Stat(c.Path)
	if err != nil {
		return nil, fmt.Errorf("iprep: list %s: %w", c.Name, err)
	}
	f, err := os.Open(c.Path)
	if err != nil {
		return nil, fmt.Errorf("iprep: list %s: %w", c.Name, err)
	}
	defer f.Close()
	l := &list{cfg: c, ips: map[netip.Addr]bool{}, prefixes: map[int]map[netip.Prefix]bool{}, domains: map[string]bool{},
		mtime: st.ModTime(), size: st.Size()}
	var entries []string
	if c.Format == "csv" {
		r := csv.NewReader(f)
		r.Comment, r.FieldsPerRecord, r.TrimLeadingSpace = '#', -1, true
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("iprep: reading %s failed: %w", c.Path, err)
			}
			if c.Column < len(rec) {
				entries = append(entries, rec[c.Column])
			}
		}
	} else {
		b, err := io.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("iprep: reading %s failed: %w", c.Path, err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			if fs := strings.Fields(line); len(fs) > 0 {
				entries = append(entries, fs[0])
			}
		}
	}
	for _, e := range entries {
		l.add(strings.TrimSpace(e))
	}
	for a := range l.ips {
		l.starts = append(l.starts, a)
	}
	for _, set := range l.prefixes {
		for p := range set {
			l.starts = append(l.starts, p.Addr())
		}
	}
	slices.SortFunc(l.starts, netip.Addr.Compare)
	return l, nil
}

func (l *list) add(e string) {
	if e == "" {
		return
	}
	if a, err := netip.ParseAddr(e); err == nil {
		l.ips[a.Unmap()] = true
		return
	}
	if p, err := netip.ParsePrefix(e); err == nil {
		p = p.Masked()
		if l.prefixes[p.Bits()] == nil {
			l.prefixes[p.Bits()] = map[netip.Prefix]bool{}
		}
		l.prefixes[p.Bits()][p] = true
		return
	}
	if strings.Contains(e, ".") && !strings.ContainsAny(e, ":/ ") { // a domain; header words are ignored
		l.domains[strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(e, "*."), "."))] = true
	}
}

func (l *list) hasIP(a netip.Addr) bool {
	if l.ips[a] {
		return true
	}
	for bits, set := range l.prefixes {
		if bits > a.BitLen() {
			continue
		}
		if p, err := a.Prefix(bits); err == nil && set[p] {
			return true
		}
	}
	return false
}

// hasEntryIn says whether a listed address or prefix starts inside pf. For
// an address of pf on no list, this is whether any address of pf is listed:
// a listed prefix holding pf would hold that address too.
func (l *list) hasEntryIn(pf netip.Prefix) bool {
	first := pf.Masked().Addr()
	i, _ := slices.BinarySearchFunc(l.starts, first, netip.Addr.Compare)
	return i < len(l.starts) && pf.Contains(l.starts[i])
}

// hasDomain matches the domain and its parent domains.
func (l *list) hasDomain(d string) bool {
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	for d != "" {
		if l.domains[d] {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
	}
	return false
}

func (l *list) changed() bool {
	st, err := os.Stat(l.cfg.Path)
	return err == nil && (!st.ModTime().Equal(l.mtime) || st.Size() != l.size)
}
