// Command netbeat captures packets, decodes them into ECS packet and flow
// events and ships them through libbeat's outputs.
package main

import (
	"os"
	_ "time/tzdata" // time zones for date-templated names on hosts without tzdata

	"github.com/netbeat/netbeat/beat/cmd"
)

func main() {
	if err := cmd.RootCmd.Execute(); err != nil {
		os.Exit(1)
	}
}
