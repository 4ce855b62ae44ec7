package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// kibanaDir is where the binary's embedded copy of the saved objects lives.
const kibanaDir = "beat/setup/kibana"

// kibanaSources maps each saved-object file to its copy under kibanaDir:
// module/<m>/_meta/kibana/8/<f>.ndjson -> <m>/<f>.ndjson and
// dashboards/<f>.ndjson -> netbeat/<f>.ndjson.
func kibanaSources() (map[string]string, error) {
	out := map[string]string{}
	mods, err := filepath.Glob("module/*/_meta/kibana/8/*.ndjson")
	if err != nil {
		return nil, err
	}
	for _, f := range mods {
		mod := strings.Split(filepath.ToSlash(f), "/")[1]
		out[filepath.Join(mod, filepath.Base(f))] = f
	}
	cross, err := filepath.Glob("dashboards/*.ndjson")
	if err != nil {
		return nil, err
	}
	for _, f := range cross {
		out[filepath.Join("netbeat", filepath.Base(f))] = f
	}
	return out, nil
}

// syncKibana writes (or, with check, verifies) the copies under dir and
// removes copies whose source is gone.
func syncKibana(dir string, check bool) error {
	src, err := kibanaSources()
	if err != nil {
		return err
	}
	var stale []string
	for rel, from := range src {
		data, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		to := filepath.Join(dir, rel)
		if old, _ := os.ReadFile(to); bytes.Equal(old, data) {
			continue
		}
		if check {
			stale = append(stale, to)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			return err
		}
	}
	have, _ := filepath.Glob(filepath.Join(dir, "*", "*.ndjson"))
	for _, f := range have {
		rel, _ := filepath.Rel(dir, f)
		if _, ok := src[rel]; ok {
			continue
		}
		if check {
			stale = append(stale, f)
			continue
		}
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	if len(stale) > 0 {
		sort.Strings(stale)
		return fmt.Errorf("%s stale: run `go run mage.go update`", strings.Join(stale, ", "))
	}
	return nil
}
