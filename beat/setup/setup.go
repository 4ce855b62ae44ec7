// Package setup holds what `netbeat setup` and `netbeat export` add to
// libbeat's commands: the embedded Kibana saved objects (kibana.go) and
// the Kafka topics of output.franz
// (kafka.go). The cobra wiring lives in beat/cmd (setup_*.go, export_*.go).
package setup

import "fmt"

// errorf prefixes errors with the component name, as every netbeat component does.
func errorf(format string, args ...any) error {
	return fmt.Errorf("setup: "+format, args...)
}
