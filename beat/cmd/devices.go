package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netbeat/netbeat/beat/capture"
)

func devicesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "devices",
		Short: "List the network interfaces netbeat can capture on",
		RunE: func(cmd *cobra.Command, _ []string) error {
			devs, err := capture.ListDevices()
			if err != nil {
				return err
			}
			for i, d := range devs {
				flags := ""
				if !d.Up {
					flags = " (down)"
				}
				fmt.Fprintf(os.Stdout, "%d: %s%s", i, d.Name, flags)
				if d.Description != "" {
					fmt.Fprintf(os.Stdout, " [%s]", d.Description)
				}
				if len(d.Addresses) > 0 {
					fmt.Fprintf(os.Stdout, " (%s)", strings.Join(d.Addresses, ", "))
				}
				fmt.Fprintln(os.Stdout)
			}
			return nil
		},
	}
}
