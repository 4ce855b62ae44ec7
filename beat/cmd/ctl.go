package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/netbeat/netbeat/beat/control"
	"github.com/netbeat/netbeat/beat/outputs/kafka"
)

// ctlFlags are the connection and topic flags every `ctl` subcommand shares.
type ctlFlags struct {
	hosts        string
	kafkaConfig  string
	commandTopic string
	statusTopic  string
}

func (f *ctlFlags) add(c *cobra.Command) {
	c.PersistentFlags().StringVar(&f.hosts, "kafka", os.Getenv("NETBEAT_CTL_KAFKA"), "Kafka brokers, host:port[,host:port] (env NETBEAT_CTL_KAFKA)")
	c.PersistentFlags().StringVar(&f.kafkaConfig, "kafka-config", "", "YAML file with the connection settings, as output.franz writes them (hosts, ssl.*, username, password, sasl.mechanism)")
	c.PersistentFlags().StringVar(&f.commandTopic, "command-topic", "netbeat-control", "Topic the probes read commands from")
	c.PersistentFlags().StringVar(&f.statusTopic, "status-topic", "netbeat-status", "Topic the probes write heartbeats and results to")
}

func (f *ctlFlags) client() (*control.Client, error) {
	var cfg *config.C
	var err error
	switch {
	case f.kafkaConfig != "":
		data, err := os.ReadFile(f.kafkaConfig)
		if err != nil {
			return nil, fmt.Errorf("reading --kafka-config failed: %w", err)
		}
		if cfg, err = config.NewConfigWithYAML(data, f.kafkaConfig); err != nil {
			return nil, fmt.Errorf("--kafka-config %s is not valid YAML: %w", f.kafkaConfig, err)
		}
	case f.hosts != "":
		cfg = config.MustNewConfigFrom(map[string]any{"hosts": strings.Split(f.hosts, ",")})
	default:
		return nil, errors.New("no Kafka cluster: pass --kafka host:port or --kafka-config FILE")
	}
	opts, err := kafka.ConnOptions(cfg, logp.NewLogger("ctl"))
	if err != nil {
		return nil, err
	}
	return control.NewClient(append(opts, kgo.ClientID("netbeat-ctl")), f.commandTopic, f.statusTopic)
}

func ctlCommand() *cobra.Command {
	f := &ctlFlags{}
	c := &cobra.Command{
		Use:   "ctl",
		Short: "Control probes remotely: signed commands over Kafka (see README, \"Remote control\")",
	}
	f.add(c)
	c.AddCommand(ctlKeygen(), ctlSend(f), ctlProbes(f), ctlWatch(f))
	return c
}

func ctlKeygen() *cobra.Command {
	var id, out string
	c := &cobra.Command{
		Use:   "keygen",
		Short: "Make an operator key pair: the private key file for ctl send, the public key line for the probes' netbeat.control.keys",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" {
				return errors.New("--id is required: name the operator or the key (it is logged by the probes)")
			}
			if out == "" {
				out = id + ".key"
			}
			priv, pub, err := control.GenerateKey(id)
			if err != nil {
				return err
			}
			data, _ := json.MarshalIndent(priv, "", "  ")
			fh, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("writing the private key failed: %w (keygen never overwrites a key)", err)
			}
			if _, err := fh.Write(append(data, '\n')); err != nil {
				fh.Close()
				return err
			}
			if err := fh.Close(); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "private key written to %s (keep it secret; pass it to `netbeat ctl send --key`)\n", out)
			fmt.Fprintf(os.Stderr, "add this to netbeat.control.keys on every probe:\n")
			fmt.Fprintf(os.Stdout, "- {id: %q, public_key: %q}\n", pub.ID, pub.PublicKey)
			return nil
		},
	}
	c.Flags().StringVar(&id, "id", "", "Key id (required), e.g. the operator's name")
	c.Flags().StringVar(&out, "out", "", "Private key file to create (default ID.key)")
	return c
}

func ctlSend(f *ctlFlags) *cobra.Command {
	var probe, tag, keyFile string
	var all, asJSON bool
	var timeout, ttl, window time.Duration
	c := &cobra.Command{
		Use:   "send (--probe ID | --tag T | --all) ACTION [KEY=VALUE ...]",
		Short: "Sign a command, send it, wait for the results; exit 1 if one is rejected or failed or a probe does not answer",
		Long: "Actions: status; pause [source=DEV]; resume [source=DEV]; set_filter filter=EXPR [source=DEV]; set_mode mode=packets,flows;\n" +
			"add_interface device=DEV [bpf_filter=EXPR type=af_packet]; remove_interface device=DEV; apply config=YAML (a netbeat section).\n" +
			"With --tag and --all, the probes expected to answer are those whose heartbeat was seen in the last --window.",
		SilenceUsage: true,
		Args:         cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var target control.Target
			n := 0
			if probe != "" {
				target.Probe, n = probe, n+1
			}
			if tag != "" {
				target.Tag, n = tag, n+1
			}
			if all {
				target.All, n = true, n+1
			}
			if n != 1 {
				return errors.New("name exactly one target: --probe ID, --tag T or --all")
			}
			kv := map[string]string{}
			for _, a := range args[1:] {
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" {
					return fmt.Errorf("argument %q is not KEY=VALUE (e.g. filter=\"udp port 53\")", a)
				}
				kv[k] = v
			}
			keyID, key, err := control.LoadPrivateKey(keyFile)
			if err != nil {
				return err
			}
			cl, err := f.client()
			if err != nil {
				return err
			}
			defer cl.Close()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			expected := map[string]bool{}
			if target.Probe != "" {
				expected[target.Probe] = true
			} else {
				known, err := cl.Probes(ctx, window)
				if err != nil {
					return err
				}
				for id, h := range known {
					if target.Matches(id, h.Tags) {
						expected[id] = true
					}
				}
			}
			from, err := cl.StatusEnd(ctx)
			if err != nil {
				return err
			}
			command := control.NewCommand(target, args[0], kv, time.Now(), ttl)
			if err := cl.Send(ctx, command, keyID, key); err != nil {
				return fmt.Errorf("writing the command to %s failed: %w", cl.CommandTopic, err)
			}
			fmt.Fprintf(os.Stderr, "sent command %s (%s to %s), waiting up to %s for %d probe(s)\n", command.ID, command.Action, target, timeout, len(expected))
			results, missing, err := cl.Await(ctx, from, command.ID, expected)
			if err != nil {
				return err
			}
			bad := printResults(results, asJSON)
			sort.Strings(missing)
			for _, m := range missing {
				fmt.Fprintf(os.Stderr, "probe %s did not answer within %s\n", m, timeout)
			}
			switch {
			case bad > 0 || len(missing) > 0:
				return fmt.Errorf("%d result(s) rejected or failed, %d probe(s) did not answer", bad, len(missing))
			case len(results) == 0:
				return fmt.Errorf("no probe answered within %s", timeout)
			}
			return nil
		},
	}
	c.Flags().StringVar(&probe, "probe", "", "Target one probe by id")
	c.Flags().StringVar(&tag, "tag", "", "Target the probes with this tag")
	c.Flags().BoolVar(&all, "all", false, "Target every probe")
	c.Flags().StringVar(&keyFile, "key", os.Getenv("NETBEAT_CTL_KEY"), "Operator private key file from `ctl keygen` (env NETBEAT_CTL_KEY)")
	c.Flags().DurationVar(&timeout, "timeout", 15*time.Second, "How long to wait for the results")
	c.Flags().DurationVar(&ttl, "ttl", time.Minute, "The command expires this long after it is issued")
	c.Flags().DurationVar(&window, "window", 30*time.Second, "Probes seen in the status topic within this window are expected to answer --tag and --all")
	c.Flags().BoolVar(&asJSON, "json", false, "Print the results as JSON lines")
	return c
}

// printResults prints one line per result and returns how many were
// rejected or failed.
func printResults(rs []*control.Result, asJSON bool) int {
	bad := 0
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "PROBE\tNAME\tSTATUS\tREASON\tAPPLY_MS\tHASH\tMESSAGE")
	}
	for _, r := range rs {
		if r.Status == control.Rejected || r.Status == control.Failed {
			bad++
		}
		if asJSON {
			data, _ := json.Marshal(r)
			fmt.Println(string(data))
			continue
		}
		msg := r.Message
		if len(msg) > 120 {
			msg = msg[:120] + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%s→%s\t%s\n", r.Probe, r.Name, r.Status, r.Reason, r.ApplyMS, r.HashBefore, r.HashAfter, msg)
	}
	tw.Flush()
	return bad
}

func ctlProbes(f *ctlFlags) *cobra.Command {
	var window time.Duration
	var asJSON bool
	c := &cobra.Command{
		Use:          "probes",
		Short:        "List the probes seen in the status topic; STALE marks those that missed three heartbeats",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := f.client()
			if err != nil {
				return err
			}
			defer cl.Close()
			known, err := cl.Probes(context.Background(), window)
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(known))
			for id := range known {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			if !asJSON {
				fmt.Fprintln(tw, "ID\tNAME\tTAGS\tLAST SEEN\tSTATE\tPACKETS/S\tDROPS\tSOURCES")
			}
			now := time.Now()
			for _, id := range ids {
				h := known[id]
				if asJSON {
					data, _ := json.Marshal(h)
					fmt.Println(string(data))
					continue
				}
				state := "up"
				if now.Sub(h.Time) > 3*time.Duration(h.Period*float64(time.Second)) {
					state = "STALE"
				}
				var pkts, drops uint64
				var srcs []string
				for _, s := range h.Sources {
					pkts, drops = pkts+s.Packets, drops+s.KernelDrops
					srcs = append(srcs, fmt.Sprintf("%s:%s", s.Name, s.State))
				}
				rate := 0.0
				if h.UptimeS > 0 {
					rate = float64(pkts) / h.UptimeS
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s ago\t%s\t%.1f\t%d\t%s\n", h.Probe, h.Name, strings.Join(h.Tags, ","),
					now.Sub(h.Time).Round(time.Second), state, rate, drops, strings.Join(srcs, " "))
			}
			return tw.Flush()
		},
	}
	c.Flags().DurationVar(&window, "window", 5*time.Minute, "Read the heartbeats of this long ago until now")
	c.Flags().BoolVar(&asJSON, "json", false, "Print the latest heartbeat of each probe as JSON lines")
	return c
}

func ctlWatch(f *ctlFlags) *cobra.Command {
	var since time.Duration
	c := &cobra.Command{
		Use:          "watch",
		Short:        "Print heartbeats and results as they arrive (JSON lines) until interrupted",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := f.client()
			if err != nil {
				return err
			}
			defer cl.Close()
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			from, err := cl.StatusSince(ctx, time.Now().Add(-since))
			if err != nil {
				return err
			}
			return cl.Follow(ctx, from, func(_ any, r *kgo.Record) bool {
				fmt.Println(string(r.Value))
				return true
			})
		},
	}
	c.Flags().DurationVar(&since, "since", 0, "Start with the records of this long ago")
	return c
}
