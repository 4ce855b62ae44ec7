package beat

import (
	"fmt"
	"github.com/elastic/beats/v7/libbeat/common/cfgtype"
	"runtime"
	"strings"
	"time"

	conf "github.com/elastic/elastic-agent-libs/config"

	"github.com/netbeat/netbeat/beat/consume"
	"github.com/netbeat/netbeat/beat/prom"
	"github.com/netbeat/netbeat/internal/confkeys"
	"github.com/netbeat/netbeat/plugins/host"
)

// Config is the `netbeat:` section of netbeat.yml.
type Config struct {
	Interfaces  []InterfaceConfig `config:"interfaces"`
	Files       []FileConfig      `config:"files"`
	Mode        []string          `config:"mode"`
	Packets     PacketsConfig     `config:"packets"`
	Flows       FlowsConfig       `config:"flows"`
	CommunityID struct {
		Seed uint16 `config:"seed"`
	} `config:"community_id"`
	StatsPeriod time.Duration `config:"stats.period"`
	// EventID gives every packet and flow event a stable id,
	// @metadata._id (beat/event/docid.go, eventid.go).
	EventID EventIDConfig `config:"event_id"`
	// ShutdownTimeout bounds how long netbeat, once stopped (SIGTERM), waits
	// for the output to acknowledge the events already published.
	ShutdownTimeout time.Duration `config:"shutdown_timeout"`
}

// InterfaceConfig is one live capture.
type InterfaceConfig struct {
	Device       string `config:"device"`
	Type         string `config:"type"` // af_packet (Linux default) or pcap
	Snaplen      int    `config:"snaplen"`
	BufferSizeMB int    `config:"buffer_size_mb"`
	BPFFilter    string `config:"bpf_filter"`
	Promiscuous  bool   `config:"promiscuous"`
}

// FileConfig is one capture file replayed.
type FileConfig struct {
	Path      string  `config:"path"`
	Speed     float64 `config:"speed"` // 0: as fast as possible; 1: recorded pace; 2: twice as fast
	BPFFilter string  `config:"bpf_filter"`
}

// PacketsConfig shapes per-packet events.
type PacketsConfig struct {
	Fields  []string `config:"fields"`
	Payload struct {
		MaxBytes int `config:"max_bytes"`
	} `config:"payload"`
	// Bundle packet documents (and flow records) per pipeline event
	// (output.franz, output.file with the default codec and output.discard
	// only; 1 disables), BundleTimeout bounds how long a live source holds
	// a partial bundle, MaxInflight bounds the documents published and not
	// yet acknowledged (beat/bundle.go, beat/flowbundle.go).
	Bundle        int           `config:"bundle"`
	BundleTimeout time.Duration `config:"bundle_timeout"`
	MaxInflight   int           `config:"max_inflight"`
	// MaxInflightBytes bounds the same packets by the size of their
	// documents: memory for them is about twice that (each document and
	// its encoded record).
	MaxInflightBytes cfgtype.ByteSize `config:"max_inflight_bytes"`
	// Builders is how many goroutines decode and encode bundled packets
	// (beat/builders.go): 0 picks one per CPU (at most 4), 1 builds them on
	// the capture goroutine.
	Builders int `config:"builders"`
}

// FlowsConfig shapes flow records.
type FlowsConfig struct {
	Timeout      time.Duration `config:"timeout"`
	Period       time.Duration `config:"period"`
	CloseTimeout time.Duration `config:"close_timeout"`
	MaxFlows     int           `config:"max_flows"`
}

// sectionKeys is every key of the `netbeat:` section: Config and the
// subsections read elsewhere (netbeat.prometheus by WithPrometheus,
// netbeat.plugins by processors/external).
type sectionKeys struct {
	Config     `config:",inline"`
	Prometheus prom.Config    `config:"prometheus"`
	Plugins    host.Config    `config:"plugins"`
	Remote     controlSection `config:",inline"` // netbeat.probe, netbeat.control (control_beater.go)
	Kafka      consume.Config `config:"kafka"`   // central mode (consume_beater.go)
}

// CheckKeys returns an error naming each key of the `netbeat:` section (raw)
// that no config struct knows, with the closest known key ("unknown option
// netbeat.files.0.sped; did you mean speed?"). The known keys are the structs'
// `config:` tags, so they cannot drift from what is read.
func CheckKeys(raw *conf.C) error {
	return confkeys.Check(raw, &sectionKeys{}, "netbeat")
}

func defaultConfig() Config {
	return Config{
		Mode: []string{"flows"},
		Packets: PacketsConfig{Bundle: 64, BundleTimeout: 50 * time.Millisecond, MaxInflight: 16384,
			MaxInflightBytes: 24 << 20},
		Flows:           FlowsConfig{Timeout: 30 * time.Second, Period: 10 * time.Second, CloseTimeout: 2 * time.Second, MaxFlows: 100000},
		StatsPeriod:     30 * time.Second,
		ShutdownTimeout: 5 * time.Second,
		EventID:         EventIDConfig{Enabled: true},
	}
}

// Check validates the configuration and says how to fix what is wrong. It is
// not named Validate on purpose: go-ucfg would call Validate while unpacking,
// before the command-line overrides (-I, --mode) are applied.
func (c *Config) Check() error {
	if len(c.Interfaces) == 0 && len(c.Files) == 0 {
		return fmt.Errorf("no capture source: set netbeat.interfaces (live, see `netbeat devices`) or netbeat.files (pcap/pcapng), or pass -I FILE")
	}
	for _, m := range c.Mode {
		if m != "packets" && m != "flows" {
			return fmt.Errorf("netbeat.mode %q is unknown: use packets, flows or both", m)
		}
	}
	if len(c.Mode) == 0 {
		return fmt.Errorf("netbeat.mode is empty: use [packets], [flows] or [packets, flows]")
	}
	if c.ShutdownTimeout < 0 {
		return fmt.Errorf("netbeat.shutdown_timeout %v is negative: use 0 (do not wait) or a duration such as 30s", c.ShutdownTimeout)
	}
	for i, in := range c.Interfaces {
		if in.Device == "" {
			return fmt.Errorf("netbeat.interfaces.%d.device is empty: name an interface (see `netbeat devices`)", i)
		}
		switch in.Type {
		case "", "af_packet", "pcap":
		default:
			return fmt.Errorf("netbeat.interfaces.%d.type %q is unknown: use af_packet or pcap", i, in.Type)
		}
		if in.Snaplen < 0 || in.Snaplen > 262144 {
			return fmt.Errorf("netbeat.interfaces.%d.snaplen %d is out of range 0..262144", i, in.Snaplen)
		}
	}
	for i, f := range c.Files {
		if f.Path == "" {
			return fmt.Errorf("netbeat.files.%d.path is empty", i)
		}
		if f.Speed < 0 {
			return fmt.Errorf("netbeat.files.%d.speed %v is negative: use 0 (as fast as possible) or a factor such as 1", i, f.Speed)
		}
	}
	if c.Packets.Payload.MaxBytes < 0 {
		return fmt.Errorf("netbeat.packets.payload.max_bytes must be >= 0 (0 stores no payload)")
	}
	if c.Packets.Bundle < 1 || c.Packets.Bundle > 4096 {
		return fmt.Errorf("netbeat.packets.bundle must be between 1 (no bundling) and 4096, not %d", c.Packets.Bundle)
	}
	if c.Packets.BundleTimeout <= 0 {
		return fmt.Errorf("netbeat.packets.bundle_timeout must be > 0, not %v", c.Packets.BundleTimeout)
	}
	if c.Packets.Builders < 0 || c.Packets.Builders > 64 {
		return fmt.Errorf("netbeat.packets.builders must be 0 (one per CPU) to 64, not %d", c.Packets.Builders)
	}
	if c.Packets.MaxInflightBytes < 64<<10 {
		return fmt.Errorf("netbeat.packets.max_inflight_bytes must be at least 64KiB, not %d bytes", c.Packets.MaxInflightBytes)
	}
	if c.Packets.MaxInflight < c.Packets.Bundle {
		return fmt.Errorf("netbeat.packets.max_inflight (%d) must be at least netbeat.packets.bundle (%d)", c.Packets.MaxInflight, c.Packets.Bundle)
	}
	if c.Flows.MaxFlows < 0 {
		return fmt.Errorf("netbeat.flows.max_flows must be > 0")
	}
	if c.Flows.CloseTimeout >= c.Flows.Timeout && c.Flows.Timeout > 0 {
		return fmt.Errorf("netbeat.flows.close_timeout (%v) must be shorter than flows.timeout (%v)", c.Flows.CloseTimeout, c.Flows.Timeout)
	}
	return nil
}

func (c *Config) has(mode string) bool {
	for _, m := range c.Mode {
		if strings.EqualFold(m, mode) {
			return true
		}
	}
	return false
}

// builders is the number of bundle builders: Builders, or one per CPU (at
// most 4) when 0.
func (p PacketsConfig) builders() int {
	if p.Builders > 0 {
		return p.Builders
	}
	return min(runtime.GOMAXPROCS(0), 4)
}
