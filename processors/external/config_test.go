//go:build !integration

package external

import (
	"testing"

	conf "github.com/elastic/elastic-agent-libs/config"
)

func TestHostConfigUnknownOptions(t *testing.T) {
	for yml, want := range map[string]string{
		"{name: comment, confg: {}}":            "unknown option processors.plugin.confg; did you mean config?",
		"{name: comment, failure_polcy: retry}": "unknown option processors.plugin.failure_polcy; did you mean failure_policy?",
		// The plugin processor is not conditional: a `when` would be ignored.
		"{name: comment, when.equals.a: 1}": "unknown option processors.plugin.when; known options here: args, config, failure_policy, in_process, max_retries, name, path, sha256, timeout",
	} {
		c, err := conf.NewConfigWithYAML([]byte(yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := HostConfig(c); err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", yml, err, want)
		}
	}
	ok := `{name: comment, path: /x, args: [a], sha256: ab, config: {rules: [{any: 1}]}, in_process: true,
timeout: 1s, failure_policy: retry, max_retries: 2}`
	c, err := conf.NewConfigWithYAML([]byte(ok), "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := HostConfig(c); err != nil {
		t.Errorf("known options rejected: %v", err)
	}
}
