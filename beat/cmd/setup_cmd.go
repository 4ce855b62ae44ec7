package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	lbcmd "github.com/elastic/beats/v7/libbeat/cmd"
)

// extendSetupExport adds netbeat's parts to libbeat's setup and export
// commands: `setup --kafka-topics`, the embedded dashboards for
// `setup --dashboards`, and `export dashboard` printing an embedded dashboard.
func extendSetupExport(root *lbcmd.BeatsRootCmd) {
	extendSetup(root.SetupCmd)
	replaceExportDashboard(root.ExportCmd)
}

// libbeatOnlySetupFlags are setup flags libbeat adds for Filebeat's modules
// and ingest pipelines; netbeat has neither, so they are hidden (they still
// parse, for scripts written for other beats).
var libbeatOnlySetupFlags = []string{lbcmd.PipelineKey, "enable-all-filesets", "force-enable-module-filesets"}

func extendSetup(setup *cobra.Command) {
	for _, name := range libbeatOnlySetupFlags {
		_ = setup.Flags().MarkHidden(name)
	}
	setup.Long = `This command does initial setup of the environment:

 * Index mapping template in Elasticsearch to ensure fields are mapped.
 * Kibana dashboards.
 * ILM policy (for Elasticsearch 6.5 and newer).
 * Kafka topics for output.franz (with --kafka-topics).
`
	orig := setup.Run
	setup.Flags().Bool("kafka-topics", false,
		"Create the Kafka topics output.franz writes to (today's and the next setup.kafka.days days)")
	setup.Run = func(cmd *cobra.Command, args []string) {
		flagSet := func(name string) bool { v, _ := cmd.Flags().GetBool(name); return v }
		libbeatFlags := flagSet(lbcmd.DashboardKey) || flagSet(lbcmd.PipelineKey) || flagSet(lbcmd.IndexManagementKey)
		if flagSet("kafka-topics") {
			if err := runKafkaTopics(cmd.Context(), cmd.OutOrStdout()); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			if !libbeatFlags {
				return
			}
		}
		// libbeat loads dashboards with --dashboards, or when no flag is given.
		if flagSet(lbcmd.DashboardKey) || !libbeatFlags {
			cleanup, err := prepareDashboards()
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			defer cleanup()
		}
		orig(cmd, args)
	}
}
