package cmd

import (
	"fmt"
	"os"
	"text/tabwriter"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/cfgfile"
	"github.com/spf13/cobra"

	nbeat "github.com/netbeat/netbeat/beat"
	"github.com/netbeat/netbeat/plugins/builtin"
	"github.com/netbeat/netbeat/plugins/host"
	"github.com/netbeat/netbeat/plugins/scaffold"
	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/processors/external"

	_ "github.com/netbeat/netbeat/plugins/all" // built-in plugins
)

func init() {
	// netbeat.plugins: the plugin chain as a stage of the data path.
	nbeat.WrapSink = func(b *libbeat.Beat, s nbeat.Sink) (nbeat.Sink, error) { return external.WrapSink(b, s) }
}

func pluginCommand() *cobra.Command {
	c := &cobra.Command{Use: "plugin", Short: "Manage out-of-process enrichment plugins"}
	c.AddCommand(&cobra.Command{
		Use: "serve NAME", Short: "Serve a built-in plugin (netbeat runs this itself)", Hidden: true,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			p, err := builtin.New(args[0])
			if err != nil {
				return err
			}
			sdk.Serve(p)
			return nil
		},
	})
	c.AddCommand(&cobra.Command{
		Use: "list", Short: "Start the configured plugins (netbeat.plugins.chain, from -c) and show their state",
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error { return listPlugins() },
	})
	var dir, netbeatSrc string
	newCmd := &cobra.Command{
		Use: "new NAME", Short: "Scaffold a ready-to-build plugin module in ./NAME",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if dir == "" {
				dir = args[0]
			}
			if err := scaffold.Write(dir, scaffold.Options{Name: args[0], NetbeatDir: netbeatSrc}); err != nil {
				return err
			}
			fmt.Printf("plugin %s written to %s: cd %s && go mod tidy && go test ./... && go build\n", args[0], dir, dir)
			return nil
		},
	}
	newCmd.Flags().StringVar(&dir, "dir", "", "output directory (default ./NAME)")
	newCmd.Flags().StringVar(&netbeatSrc, "netbeat-src", "", "local netbeat checkout to use through a replace directive")
	c.AddCommand(newCmd)
	return c
}

func listPlugins() error {
	path := cfgfile.GetDefaultCfgfile()
	raw, err := cfgfile.Load("", nil)
	if err != nil {
		return fmt.Errorf("plugin list: loading the configuration failed: %w", err)
	}
	cfg := host.DefaultConfig()
	if raw.HasField("netbeat") {
		nb, err := raw.Child("netbeat", -1)
		if err == nil && nb.HasField("plugins") {
			sub, _ := nb.Child("plugins", -1)
			if err := sub.Unpack(&cfg); err != nil {
				return fmt.Errorf("plugin list: reading netbeat.plugins failed: %w", err)
			}
		}
	}
	if len(cfg.Chain) == 0 {
		fmt.Printf("no plugins configured in %s (netbeat.plugins.chain); built-in plugins: %v\n", path, builtin.Names())
		return nil
	}
	h, err := host.New(cfg, host.WithLogger(quiet{}))
	if err != nil {
		return err
	}
	startErr := h.Start()
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ORDER\tNAME\tSTATE\tPID\tBINARY\tERROR")
	for i, s := range h.States() {
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\n", i+1, s.Name, s.Status, s.PID, s.Path, s.LastError)
	}
	w.Flush()
	h.Close()
	return startErr
}

type quiet struct{}

func (quiet) Debugw(string, ...any) {}
func (quiet) Infow(string, ...any)  {}
func (quiet) Warnw(string, ...any)  {}
func (quiet) Errorw(string, ...any) {}
