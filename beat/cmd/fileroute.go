package cmd

import (
	"flag"

	"github.com/elastic/beats/v7/libbeat/cfgfile"
	"github.com/elastic/elastic-agent-libs/config"

	nbeat "github.com/netbeat/netbeat/beat"
	fileout "github.com/netbeat/netbeat/beat/outputs/file"
)

// fileRoute sends output.file to netbeat's file output
// (output.netbeat_file, beat/outputs/file) when that one writes the same
// documents: when the codec is libbeat's default JSON codec. Otherwise
// libbeat's own file output runs, unchanged.
//
// libbeat reads the output's type from the configuration before netbeat
// sees it, and output types cannot be registered twice, so the section is
// renamed in the configuration libbeat loads: this ConditionalOverride
// merges nothing, its Check renames output.file in the config file's tree
// and in the -E settings (both merged by libbeat right after).
func fileRoute() cfgfile.ConditionalOverride {
	return cfgfile.ConditionalOverride{
		Check: func(c *config.C) bool {
			routeFileOutput(c, settingsFlags())
			return false
		},
		Config: config.NewConfig(),
	}
}

// settingsFlags is the configuration given with -E (nil if none).
func settingsFlags() *config.C {
	if f := flag.Lookup("E"); f != nil {
		if e, ok := f.Value.(*config.SettingsFlag); ok {
			return e.Config()
		}
	}
	return nil
}

// routeFileOutput decides on the configuration file and -E settings
// together and renames output.file to output.netbeat_file in both when
// netbeat's output can write it. The decision is logged at startup
// (nbeat.FileOutputChoice).
func routeFileOutput(file, settings *config.C) {
	merged, err := config.MergeConfigs(nonNil(file), nonNil(settings))
	if err != nil {
		return // libbeat reports it when it merges the same configurations
	}
	out, err := merged.Child("output", -1)
	if err != nil || len(out.GetFields()) != 1 || !out.HasField("file") {
		return
	}
	fc, err := out.Child("file", -1)
	if err != nil || !fc.Enabled() {
		return
	}
	fast, why := fileout.Fast(fc)
	if !fast {
		nbeat.FileOutputChoice = "output.file: libbeat's file output, because " + why
		return
	}
	for _, c := range []*config.C{file, settings} {
		renameFileOutput(c)
	}
	nbeat.FileOutputChoice = "output.file: netbeat's file output (output." + fileout.TypeName + "), because " + why
}

func renameFileOutput(c *config.C) {
	if c == nil || !c.HasField("output") {
		return
	}
	out, err := c.Child("output", -1)
	if err != nil || !out.HasField("file") {
		return
	}
	sub, err := out.Child("file", -1)
	if err != nil {
		return
	}
	if _, err := out.Remove("file", -1); err != nil {
		return
	}
	_ = out.SetChild(fileout.TypeName, -1, sub)
}

func nonNil(c *config.C) *config.C {
	if c == nil {
		return config.NewConfig()
	}
	return c
}
