package beat

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	conf "github.com/elastic/elastic-agent-libs/config"

	"github.com/netbeat/netbeat/beat/control"
)

// Keys of the `netbeat:` section that remote reconfiguration leaves alone:
// who the probe is, whom it trusts, and the plugin and metrics servers.
var fixedKeys = map[string]bool{"probe": true, "control": true, "plugins": true, "prometheus": true}

// appliedFile keeps the capture part of the netbeat section as the last
// apply, set_mode, add_interface or remove_interface left it, so a restart
// keeps it. It replaces those keys of netbeat.yml's section.
const appliedFile = "applied.json"

// sectionMap is the netbeat section as a map.
func sectionMap(raw *conf.C) (map[string]any, error) {
	m := map[string]any{}
	if err := raw.Unpack(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// captureKeys is m without fixedKeys.
func captureKeys(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !fixedKeys[k] {
			out[k] = v
		}
	}
	return out
}

// withApplied returns raw with its capture keys replaced by those saved in
// dir/applied.json, if that file exists (and the map of those keys).
func withApplied(raw *conf.C, dir string) (*conf.C, map[string]any, bool, error) {
	m, err := sectionMap(raw)
	if err != nil {
		return nil, nil, false, err
	}
	data, err := os.ReadFile(filepath.Join(dir, appliedFile))
	if os.IsNotExist(err) {
		return raw, captureKeys(m), false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	applied := map[string]any{}
	if err := json.Unmarshal(data, &applied); err != nil {
		return nil, nil, false, fmt.Errorf("%s is damaged (%v): remove it to use netbeat.yml's capture settings", filepath.Join(dir, appliedFile), err)
	}
	for k := range m {
		if !fixedKeys[k] {
			delete(m, k)
		}
	}
	for k, v := range applied {
		m[k] = v
	}
	c, err := conf.NewConfigFrom(m)
	return c, applied, true, err
}

// reconfigure validates section (the capture keys), has Run swap it in,
// and persists it once the new sources run.
func (p *probeControl) reconfigure(section map[string]any) (string, error) {
	if len(p.nb.config().Files) > 0 {
		return "", fmt.Errorf("this probe reads capture files; only live probes can be reconfigured")
	}
	if _, ok := section["files"]; ok {
		return "", fmt.Errorf("netbeat.files cannot be applied remotely: a probe captures live interfaces")
	}
	full := captureKeys(section)
	raw, err := conf.NewConfigFrom(full)
	if err != nil {
		return "", fmt.Errorf("the configuration is not valid: %w", err)
	}
	cfg, err := checkSection(raw)
	if err != nil {
		return "", fmt.Errorf("the configuration is not valid (nothing changed): %w", err)
	}
	if err := p.nb.reload(cfg); err != nil {
		return "", err
	}
	data, err := json.Marshal(full)
	if err == nil {
		err = control.WriteFileAtomic(filepath.Join(p.dataDir, appliedFile), data)
	}
	p.section = full
	if err != nil {
		return "", fmt.Errorf("the new configuration runs but saving it under path.data failed, a restart would go back: %w", err)
	}
	return "now capturing " + describeSources(cfg), nil
}

func copySection(m map[string]any) map[string]any {
	data, _ := json.Marshal(m)
	out := map[string]any{}
	_ = json.Unmarshal(data, &out)
	return out
}

// applyAction is apply: args.config is a whole netbeat section (YAML or
// JSON, with or without the top-level `netbeat:` key).
func (p *probeControl) applyAction(args map[string]string) (string, error) {
	text, ok := args["config"]
	if !ok {
		return "", fmt.Errorf("apply needs args.config: a netbeat section in YAML")
	}
	c, err := conf.NewConfigWithYAML([]byte(text), "apply")
	if err != nil {
		return "", fmt.Errorf("args.config is not valid YAML: %w", err)
	}
	if c.HasField("netbeat") {
		if c, err = c.Child("netbeat", -1); err != nil {
			return "", fmt.Errorf("args.config: netbeat is not a section: %w", err)
		}
	}
	m, err := sectionMap(c)
	if err != nil {
		return "", err
	}
	for k := range m {
		if fixedKeys[k] {
			return "", fmt.Errorf("netbeat.%s cannot be changed by apply (edit netbeat.yml on the probe): remove it from args.config", k)
		}
	}
	return p.reconfigure(m)
}

func (p *probeControl) setMode(args map[string]string) (string, error) {
	mode := splitList(args["mode"])
	if len(mode) == 0 {
		return "", fmt.Errorf("set_mode needs args.mode: packets, flows or packets,flows")
	}
	s := copySection(p.section)
	s["mode"] = mode
	return p.reconfigure(s)
}

func (p *probeControl) interfaces(s map[string]any) []any {
	l, _ := s["interfaces"].([]any)
	return l
}

func (p *probeControl) addInterface(args map[string]string) (string, error) {
	dev := args["device"]
	if dev == "" {
		return "", fmt.Errorf("add_interface needs args.device (see `netbeat devices` on the probe)")
	}
	s := copySection(p.section)
	for _, in := range p.interfaces(s) {
		if m, _ := in.(map[string]any); m["device"] == dev {
			return "", fmt.Errorf("interface %s is already captured", dev)
		}
	}
	in := map[string]any{"device": dev}
	for _, k := range []string{"type", "bpf_filter"} {
		if v, ok := args[k]; ok {
			in[k] = v
		}
	}
	for _, k := range []string{"snaplen", "buffer_size_mb"} {
		if v, ok := args[k]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return "", fmt.Errorf("args.%s %q is not a number", k, v)
			}
			in[k] = n
		}
	}
	if v, ok := args["promiscuous"]; ok {
		in["promiscuous"] = strings.EqualFold(v, "true")
	}
	s["interfaces"] = append(p.interfaces(s), in)
	return p.reconfigure(s)
}

func (p *probeControl) removeInterface(args map[string]string) (string, error) {
	dev := args["device"]
	s := copySection(p.section)
	var keep []any
	for _, in := range p.interfaces(s) {
		if m, _ := in.(map[string]any); m["device"] != dev {
			keep = append(keep, in)
		}
	}
	if len(keep) == len(p.interfaces(s)) {
		return "", fmt.Errorf("no interface %q is captured", dev)
	}
	if len(keep) == 0 {
		return "", fmt.Errorf("%s is the last interface: a probe needs one (pause it instead)", dev)
	}
	s["interfaces"] = keep
	return p.reconfigure(s)
}
