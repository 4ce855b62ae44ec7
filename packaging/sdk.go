package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sdkDir is the plugin SDK's module in the repository (its own go.mod):
// the packages ship its source so that `netbeat plugin new` scaffolds
// plugins that build offline against it (/usr/share/netbeat/sdk with deb
// and rpm, sdk/ in the .tar.gz and .zip).
const sdkDir = "plugins/sdk"

// sdkFiles lists the SDK module's files: every regular file under
// plugins/sdk (Go sources and tests, go.mod, go.sum, README.md), names
// relative to it with forward slashes, sorted.
func sdkFiles(root string) ([]entry, error) {
	base := filepath.Join(root, sdkDir)
	var es []entry
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != base {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(base, p)
		if err != nil {
			return err
		}
		es = append(es, entry{name: filepath.ToSlash(rel), src: p, mode: 0o644})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the plugin SDK (%s) failed: %w", base, err)
	}
	for _, must := range []string{"go.mod", "go.sum", "sdk.go"} {
		if _, err := os.Stat(filepath.Join(base, must)); err != nil {
			return nil, fmt.Errorf("the plugin SDK in %s lacks %s: %w", base, must, err)
		}
	}
	return es, nil
}

// withSDK appends the SDK's files under sdk/ to an archive's entries.
func withSDK(o options, es []entry) ([]entry, error) {
	sdk, err := sdkFiles(o.root)
	if err != nil {
		return nil, err
	}
	for _, e := range sdk {
		e.name = "sdk/" + e.name
		es = append(es, e)
	}
	return es, nil
}
