package cmd

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/netbeat/netbeat/beat/setup"
)

// replaceExportDashboard swaps libbeat's `export dashboard` (which needs a
// running Kibana) for one that prints netbeat's embedded dashboards; the
// Kibana variant stays available with --kibana.
func replaceExportDashboard(export *cobra.Command) {
	var kibanaCmd *cobra.Command
	for _, c := range export.Commands() {
		if c.Name() == "dashboard" {
			kibanaCmd = c
			export.RemoveCommand(c)
		}
	}
	export.AddCommand(exportDashboardCmd(kibanaCmd))
}

func exportDashboardCmd(kibanaCmd *cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Print an embedded Kibana dashboard as NDJSON (--list, --dir DIR, or --kibana to export from Kibana)",
		Run: func(cmd *cobra.Command, args []string) {
			id, _ := cmd.Flags().GetString("id")
			list, _ := cmd.Flags().GetBool("list")
			dir, _ := cmd.Flags().GetString("dir")
			fromKibana, _ := cmd.Flags().GetBool("kibana")
			if err := exportDashboard(cmd, kibanaCmd, args, id, dir, list, fromKibana); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		},
	}
	cmd.Flags().String("id", "", "Dashboard id (netbeat-overview, netbeat-flows, ...)")
	cmd.Flags().Bool("list", false, "List the embedded dashboards")
	cmd.Flags().String("dir", "", "Write every embedded saved object to DIR in the layout setup.dashboards.directory reads")
	cmd.Flags().Bool("kibana", false, "Export the dashboard from Kibana instead (libbeat's export dashboard)")
	cmd.Flags().String("yml", "", "With --kibana: YAML file of dashboard ids and file names")
	cmd.Flags().String("folder", "", "With --kibana: target folder")
	return cmd
}

func exportDashboard(cmd, kibanaCmd *cobra.Command, args []string, id, dir string, list, fromKibana bool) error {
	out := cmd.OutOrStdout()
	switch {
	case fromKibana:
		if kibanaCmd == nil {
			return fmt.Errorf("export: libbeat's dashboard export is not available")
		}
		for _, f := range []string{"id", "yml", "folder"} {
			if v, _ := cmd.Flags().GetString(f); v != "" {
				_ = kibanaCmd.Flags().Set(f, v)
			}
		}
		kibanaCmd.Run(kibanaCmd, args)
		return nil
	case list:
		objs, err := setup.Objects()
		if err != nil {
			return err
		}
		for _, o := range objs {
			if o.Type == "dashboard" {
				var a struct {
					Title string `json:"title"`
				}
				_ = json.Unmarshal(o.Attributes, &a)
				fmt.Fprintf(out, "%s\t%s\n", o.ID, a.Title)
			}
		}
		return nil
	case dir != "":
		if err := setup.Materialize(dir); err != nil {
			return err
		}
		fmt.Fprintf(out, "Saved objects written to %s (set setup.dashboards.directory: %s)\n", dir, dir)
		return nil
	case id == "":
		return fmt.Errorf("export: --id, --list or --dir is required")
	}
	data, err := setup.Dashboard(id)
	if err != nil {
		return err
	}
	_, err = out.Write(data)
	return err
}
