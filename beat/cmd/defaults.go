package cmd

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/elastic/beats/v7/libbeat/cfgfile"
	"github.com/elastic/elastic-agent-libs/config"

	nbeat "github.com/netbeat/netbeat/beat"
)

// builtinConfig is what `netbeat -I FILE` runs with when no netbeat.yml is
// found and no -c is given: both event modes, events on stdout, the log on
// stderr. path.data is set to a private temporary folder by useBuiltinConfig.
const builtinConfig = `netbeat.mode: [packets, flows]
output.console: {}
logging.to_stderr: true
`

// Flush timeouts of the memory queue when the configuration sets no queue.
// libbeat's default (10 s) makes a short capture wait 10 s for its last
// batch; a file-only run uses fileFlushTimeout so `-I` exits at once after
// the last event is acknowledged, a live capture liveFlushTimeout (as the
// shipped netbeat.yml).
const (
	fileFlushTimeout = "100ms"
	liveFlushTimeout = "1s"
)

// queueDefaults are the ConditionalOverrides (below the config file, -E and
// the path flags) that set the memory queue's flush timeout when neither
// `queue` nor any `output.*.queue` is configured.
func queueDefaults() []cfgfile.ConditionalOverride {
	timeout := func(d string) *config.C {
		return config.MustNewConfigFrom(map[string]any{"queue.mem.flush.timeout": d})
	}
	return []cfgfile.ConditionalOverride{
		fileRoute(), // fileroute.go: output.file -> output.netbeat_file
		{Check: func(c *config.C) bool { return noQueue(c) && fileOnly(c) }, Config: timeout(fileFlushTimeout)},
		{Check: func(c *config.C) bool { return noQueue(c) && !fileOnly(c) }, Config: timeout(liveFlushTimeout)},
	}
}

// noQueue reports whether neither c (the config file) nor -E settings
// configure a queue, globally or per output.
func noQueue(c *config.C) bool {
	if f := flag.Lookup("E"); f != nil {
		if e, ok := f.Value.(*config.SettingsFlag); ok && !noQueueIn(e.Config()) {
			return false
		}
	}
	return noQueueIn(c)
}

func noQueueIn(c *config.C) bool {
	if c == nil {
		return true
	}
	if c.HasField("queue") {
		return false
	}
	out, err := c.Child("output", -1)
	if err != nil {
		return true
	}
	for _, name := range out.GetFields() {
		if o, err := out.Child(name, -1); err == nil && o.HasField("queue") {
			return false
		}
	}
	return true
}

// fileOnly reports whether the run reads capture files only (-I, or
// netbeat.files without netbeat.interfaces).
func fileOnly(c *config.C) bool {
	if nbeat.ReadFile != "" {
		return true
	}
	files, _ := c.Has("netbeat.files", -1)
	ifaces, _ := c.Has("netbeat.interfaces", -1)
	return files && !ifaces
}

// useBuiltinConfig points -c at builtinConfig, written into a new temporary
// folder that also holds path.data, when -I is given, -c is not, and the
// default config file does not exist. It returns a func removing the folder
// (a no-op when the config file is used).
func useBuiltinConfig(cmd *cobra.Command) (func(), error) {
	noop := func() {}
	if nbeat.ReadFile == "" || cmd.Flags().Changed("c") {
		return noop, nil
	}
	if _, err := os.Stat(cfgfile.GetDefaultCfgfile()); err == nil || !os.IsNotExist(err) {
		return noop, nil
	}
	dir, err := os.MkdirTemp("", "netbeat-")
	if err != nil {
		return noop, fmt.Errorf("creating a folder for the built-in configuration failed: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, Name+".yml")
	content := builtinConfig + fmt.Sprintf("path.data: %q\n", filepath.Join(dir, "data"))
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		cleanup()
		return noop, fmt.Errorf("writing the built-in configuration failed: %w", err)
	}
	if err := cmd.Flags().Set("c", path); err != nil {
		cleanup()
		return noop, err
	}
	logStderr = true // builtinConfig sets logging.to_stderr
	return cleanup, nil
}
