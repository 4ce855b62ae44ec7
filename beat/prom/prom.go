// Package prom exposes libbeat's monitoring registries (the /stats tree:
// netbeat.capture.*, libbeat.*, beat.*, system.*, and netbeat.kafka.* of the
// default registry) in the Prometheus text exposition format (version 0.0.4).
//
// Names are the dotted registry keys with every character outside
// [a-zA-Z0-9_] turned into '_' and a "netbeat_" prefix when they lack one:
// netbeat.capture.kernel_dropped becomes netbeat_capture_kernel_dropped,
// libbeat.output.events.acked becomes netbeat_libbeat_output_events_acked.
// Numbers and booleans (0/1) are samples; a string value v becomes
// <name>_info{value="v"} 1. Every metric is untyped: libbeat does not say
// which are counters.
package prom

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/elastic/elastic-agent-libs/monitoring"
)

// sample is one exposition line.
type sample struct {
	name  string
	label string // `value="..."` for strings, else empty
	value float64
}

// Collect flattens regs into samples sorted by name; the first registry
// wins when two hold the same key. Nil registries are skipped.
func Collect(regs ...*monitoring.Registry) []sample {
	seen := map[string]bool{}
	var out []sample
	add := func(key string, s sample) {
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, s)
	}
	for _, r := range regs {
		if r == nil {
			continue
		}
		snap := monitoring.CollectFlatSnapshot(r, monitoring.Full, false)
		for k, v := range snap.Ints {
			add(k, sample{name: Name(k), value: float64(v)})
		}
		for k, v := range snap.Floats {
			add(k, sample{name: Name(k), value: v})
		}
		for k, v := range snap.Bools {
			f := 0.0
			if v {
				f = 1
			}
			add(k, sample{name: Name(k), value: f})
		}
		for k, v := range snap.Strings {
			add(k, sample{name: Name(k) + "_info", label: `value="` + escape(v) + `"`, value: 1})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Write writes regs in the text exposition format.
func Write(w io.Writer, regs ...*monitoring.Registry) error {
	var b strings.Builder
	for _, s := range Collect(regs...) {
		fmt.Fprintf(&b, "# TYPE %s untyped\n%s", s.name, s.name)
		if s.label != "" {
			b.WriteString("{" + s.label + "}")
		}
		b.WriteByte(' ')
		b.WriteString(formatFloat(s.value))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Name turns a dotted registry key into a Prometheus metric name.
func Name(key string) string {
	var b strings.Builder
	for i, r := range key {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9' && i > 0)
		if ok {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	n := b.String()
	if !strings.HasPrefix(n, "netbeat_") {
		n = "netbeat_" + n
	}
	return n
}

func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
