package cmd

import (
	"fmt"
	"os"
	"text/tabwriter"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/cfgfile"
	conf "github.com/elastic/elastic-agent-libs/config"
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
	nbeat.WrapSink = func(b *libbeat.Beat, s nbeat.Sink, o nbeat.StageOptions) (nbeat.Sink, error) {
		return external.WrapSink(b, s, external.StageOptions{Bundle: o.Bundle, Tags: o.Tags})
	}
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
		Args: cobra.NoArgs, SilenceUsage: true, // a plugin that fails to start is not a usage error
		RunE: func(_ *cobra.Command, _ []string) error { return listPlugins() },
	})
	var dir, netbeatSrc, sdkDir string
	newCmd := &cobra.Command{
		Use: "new NAME", Short: "Scaffold a ready-to-build plugin module in ./NAME (it requires only the plugin SDK netbeat ships)",
		Args: cobra.ExactArgs(1), SilenceUsage: true,
		RunE: func(_ *cobra.Command, args []string) error {
			if dir == "" {
				dir = args[0]
			}
			exe, _ := os.Executable()
			sdkPath, err := scaffold.FindSDK(sdkDir, netbeatSrc, exe)
			if err != nil {
				return err
			}
			if err := scaffold.Write(dir, scaffold.Options{Name: args[0], SDKDir: sdkPath}); err != nil {
				return err
			}
			fmt.Printf("plugin %s written to %s (SDK: %s): cd %s && go test ./... && go build\n", args[0], dir, sdkPath, dir)
			return nil
		},
	}
	newCmd.Flags().StringVar(&dir, "dir", "", "output directory (default ./NAME)")
	newCmd.Flags().StringVar(&sdkDir, "sdk", "", "the plugin SDK's directory (default: $"+scaffold.SDKEnv+", else the one installed with netbeat: "+scaffold.SystemSDK+" or sdk/ beside the binary)")
	newCmd.Flags().StringVar(&netbeatSrc, "netbeat-src", "", "use the SDK of this netbeat source tree (DIR/plugins/sdk)")
	c.AddCommand(newCmd)
	return c
}

// listedHost is one plugin host `plugin list` starts: the data-path chain
// (netbeat.plugins) or one `plugin` processor (processors[i]).
type listedHost struct {
	where string
	cfg   host.Config
}

func listPlugins() error {
	path := cfgfile.GetDefaultCfgfile()
	raw, err := cfgfile.Load("", nil)
	if err != nil {
		return fmt.Errorf("plugin list: loading the configuration failed: %w", err)
	}
	var hosts []listedHost
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
	if len(cfg.Chain) > 0 {
		hosts = append(hosts, listedHost{"netbeat.plugins", cfg})
	}
	procs, err := pluginProcessors(raw)
	if err != nil {
		return err
	}
	hosts = append(hosts, procs...)
	if len(hosts) == 0 {
		fmt.Printf("no plugins configured in %s (netbeat.plugins.chain or processors: - plugin: …); built-in plugins: %v\n", path, builtin.Names())
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "WHERE\tORDER\tNAME\tSTATE\tPID\tBINARY\tERROR")
	var firstErr error
	for _, lh := range hosts {
		h, err := host.New(lh.cfg, host.WithLogger(quiet{}), host.WithInProcess(builtin.New))
		if err != nil {
			fmt.Fprintf(w, "%s\t-\t-\tinvalid\t0\t-\t%v\n", lh.where, err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if err := h.Start(); err != nil && firstErr == nil {
			firstErr = err
		}
		for i, s := range h.States() {
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%d\t%s\t%s\n", lh.where, i+1, s.Name, s.Status, s.PID, s.Path, s.LastError)
		}
		h.Close()
	}
	w.Flush()
	return firstErr
}

// pluginProcessors finds the top-level `processors: - plugin: {…}` entries:
// each runs its own plugin host with a batch of one (processors/external).
func pluginProcessors(raw *conf.C) ([]listedHost, error) {
	if !raw.HasField("processors") {
		return nil, nil
	}
	var list []map[string]*conf.C
	sub, err := raw.Child("processors", -1)
	if err == nil {
		err = sub.Unpack(&list)
	}
	if err != nil {
		return nil, fmt.Errorf("plugin list: reading processors failed: %w", err)
	}
	var out []listedHost
	for i, p := range list {
		pc, ok := p[external.Name]
		if !ok {
			continue
		}
		d, err := external.HostConfig(pc)
		if err != nil {
			return nil, fmt.Errorf("plugin list: processors[%d]: %w", i, err)
		}
		out = append(out, listedHost{fmt.Sprintf("processors[%d]", i), d})
	}
	return out, nil
}

type quiet struct{}

func (quiet) Debugw(string, ...any) {}
func (quiet) Infow(string, ...any)  {}
func (quiet) Warnw(string, ...any)  {}
func (quiet) Errorw(string, ...any) {}
