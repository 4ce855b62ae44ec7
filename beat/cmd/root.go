// Package cmd builds netbeat's command line: libbeat's standard commands
// (run, setup, export, test, keystore, version) plus `devices`.
package cmd

import (
	"flag"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/elastic/beats/v7/libbeat/beat"
	lbcmd "github.com/elastic/beats/v7/libbeat/cmd"
	"github.com/elastic/beats/v7/libbeat/cmd/instance"
	"github.com/elastic/beats/v7/libbeat/ecs"
	"github.com/elastic/beats/v7/libbeat/publisher/processing"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	nbeat "github.com/netbeat/netbeat/beat"
	_ "github.com/netbeat/netbeat/beat/include"       // fields.yml
	_ "github.com/netbeat/netbeat/beat/outputs/file"  // output.netbeat_file (fileroute.go)
	_ "github.com/netbeat/netbeat/beat/outputs/kafka" // output.franz (Kafka on franz-go)
)

// Name of the beat: config file netbeat.yml, index netbeat-*.
const Name = "netbeat"

// RootCmd is netbeat's root command.
var RootCmd *lbcmd.BeatsRootCmd

func settings() instance.Settings {
	// libbeat parses flag.CommandLine as well as cobra's flags: define ours there.
	fs := flag.CommandLine
	fs.StringVar(&nbeat.ReadFile, "I", "", "Read packets from this pcap/pcapng file instead of the configured sources, then exit")
	fs.StringVar(&nbeat.ModeFlag, "mode", "", "Event modes: packets, flows or packets,flows (overrides netbeat.mode)")
	fs.Float64Var(&nbeat.SpeedFlag, "speed", 0, "With -I: replay at the recorded pace times this factor (0 = as fast as possible)")
	runFlags := pflag.NewFlagSet(Name, pflag.ExitOnError)
	for _, n := range []string{"I", "mode", "speed"} {
		runFlags.AddGoFlag(fs.Lookup(n))
	}
	return instance.Settings{
		RunFlags:      runFlags,
		Name:          Name,
		HasDashboards: true,
		// netbeat builds events from normalized types only (mapstr.M, strings,
		// integers, bools, common.Time; TestEventsAreNormalized guards it), so
		// libbeat's per-event normalizing deep copy is skipped: ~20% of packet-mode CPU.
		Processing:      processingSupport(),
		InputQueueSize:  4096,
		ConfigOverrides: queueDefaults(), // defaults.go: flush the last batch fast
	}
}

// processingSupport is libbeat's default processing; it also tells the
// Beater whether the configured processors need packet events as maps.
func processingSupport() processing.SupportFactory {
	base := processing.MakeDefaultSupport(false, nil,
		processing.WithFields(mapstr.M{"ecs": mapstr.M{"version": ecs.Version}}),
		processing.WithHost, processing.WithAgentMeta())
	return func(info beat.Info, log *logp.Logger, cfg *config.C) (processing.Supporter, error) {
		nbeat.InspectProcessing(cfg)
		return base(info, log, cfg)
	}
}

func init() {
	s, creator := settings(), reportOnce(nbeat.WithPrometheus(nbeat.WithConsume(nbeat.WithControl(nbeat.New)))) // + /metrics (beat/prom), central mode (beat/consume), remote control (beat/control); fatal.go
	RootCmd = lbcmd.GenRootCmdWithSettings(creator, s)
	// run (and the root command, its alias) falls back to the built-in
	// configuration for -I when there is no netbeat.yml (defaults.go), and
	// reports the error that ends it once (fatal.go).
	run := func(cmd *cobra.Command, _ []string) {
		cleanup, err := useBuiltinConfig(cmd)
		if err != nil {
			fmt.Fprintln(os.Stderr, "Exiting:", err)
			os.Exit(1)
		}
		deferFatal = true
		err = instance.Run(s, creator)
		cleanup()
		if runFatal != nil {
			reportFatal(runFatal)
			os.Exit(1)
		}
		if err != nil {
			os.Exit(1)
		}
	}
	RootCmd.Run, RootCmd.RunCmd.Run = run, run
	// libbeat's --plugin loads Go .so plugins; users confuse it with
	// netbeat's out-of-process plugins (`netbeat plugin`, netbeat.plugins).
	_ = RootCmd.PersistentFlags().MarkHidden("plugin")
	RootCmd.AddCommand(devicesCommand())
	RootCmd.AddCommand(pluginCommand())
	RootCmd.AddCommand(ctlCommand()) // ctl.go: remote control (beat/control)
	extendSetupExport(RootCmd)       // setup_cmd.go: setup --kafka-topics, embedded dashboards
}
