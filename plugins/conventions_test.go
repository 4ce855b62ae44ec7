package plugins_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestConventions checks every built-in plugin folder: README.md with the
// fixed sections and the sample.yml copied in verbatim, a parsable sample.yml,
// and tests.
func TestConventions(t *testing.T) {
	for _, name := range []string{"comment", "timebucket", "iprep", "geoip", "group"} {
		sample, err := os.ReadFile(filepath.Join(name, "sample.yml"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var v map[string]any
		if err := yaml.Unmarshal(sample, &v); err != nil {
			t.Errorf("%s/sample.yml: %v", name, err)
		}
		readme, err := os.ReadFile(filepath.Join(name, "README.md"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, s := range []string{"## Name", "## Description", "## Configuration", "## Fields", "## Metrics", "## Examples"} {
			if !strings.Contains(string(readme), s) {
				t.Errorf("%s/README.md lacks %q", name, s)
			}
		}
		if !strings.Contains(string(readme), strings.TrimSpace(string(sample))) {
			t.Errorf("%s/README.md does not contain sample.yml verbatim", name)
		}
		for _, f := range []string{name + ".go", name + "_test.go", "config.go", "setup.go"} {
			if _, err := os.Stat(filepath.Join(name, f)); err != nil {
				t.Errorf("%s: missing %s", name, f)
			}
		}
	}
}
