package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

type scenario struct {
	name    string
	plugins []string // chain entries (YAML, each starting with "- name:")
}

func (s scenario) modes() []bool {
	if len(s.plugins) == 0 {
		return []bool{false}
	}
	return []bool{false, true}
}

const common = `queue.mem:
  events: 65536
  flush.min_events: 2048
  flush.timeout: 100ms
output.discard:
  enabled: true
logging.level: warning
`

func (s scenario) config(mode string, inproc bool, cacheSize int) string {
	var b strings.Builder
	b.WriteString("netbeat:\n  mode: [" + mode + "]\n")
	if mode == "flows" {
		b.WriteString("  flows: {period: -1s, max_flows: 1000000}\n")
	}
	if s.name == "unbundled" { // what the plugin stage publishes: one document per pipeline event
		b.WriteString("  packets: {bundle: 1}\n")
	}
	if len(s.plugins) == 0 {
		return b.String() + common
	}
	b.WriteString("  plugins:\n    batch_size: 512\n    linger: 20ms\n")
	if cacheSize >= 0 {
		fmt.Fprintf(&b, "    cache_size: %d\n", cacheSize)
	}
	b.WriteString("    chain:\n")
	for _, p := range s.plugins {
		lines := strings.Split(strings.TrimSpace(p), "\n")
		for i, l := range lines {
			b.WriteString("      " + l + "\n")
			if i == 0 && inproc {
				b.WriteString("        in_process: true\n")
			}
		}
	}
	return b.String() + common
}

func scenarios(dir string) []scenario {
	comment := `- name: comment
  config:
    rules:
      - {match: {ports: [53]}, tags: [dns], add_fields: {labels.service: dns}}
      - {match: {cidr: ["10.0.0.0/8"]}, comment: internal}
      - {match: {ports: ["8000-8080"], time: {from: "22:00", to: "06:00", timezone: Europe/Paris}}, tags: [night-web]}`
	timebucket := `- name: timebucket
  config: {timezone: Europe/Paris}`
	geoip := fmt.Sprintf(`- name: geoip
  config: {city_database: %s, asn_database: %s}`, filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb"))
	iprep := fmt.Sprintf(`- name: iprep
  config: {lists: [{path: %s}]}`, filepath.Join(dir, "block.txt"))
	return []scenario{
		{"none", nil},
		{"unbundled", nil},
		{"comment", []string{comment}},
		{"timebucket", []string{timebucket}},
		{"geoip", []string{geoip}},
		{"iprep", []string{iprep}},
		{"chain4", []string{comment, timebucket, geoip, iprep}},
		{"group4", []string{group(comment, timebucket, geoip, iprep)}},
	}
}

// group nests chain entries as the members of one `group` plugin.
func group(members ...string) string {
	var b strings.Builder
	b.WriteString("- name: group\n  config:\n    plugins:\n")
	for _, m := range members {
		for _, l := range strings.Split(strings.TrimSpace(m), "\n") {
			b.WriteString("      " + l + "\n")
		}
	}
	return b.String()
}
